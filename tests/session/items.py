"""Literal plan items shared by the session tests."""

from __future__ import annotations

from tests.store.builders import plan_item

BRIDGE = plan_item("isometric_glute_bridge", side=None, sets=2, hold_s=20, rest_s=10, duration_s=55)
HIP_FLEXOR = plan_item(
    "half_kneeling_hip_flexor_stretch", side="both", sets=2, hold_s=30, rest_s=10, duration_s=145
)
CLAMSHELL = plan_item("clamshell", side="both", sets=1, reps=12, rest_s=30, duration_s=82)
LEFT_ONLY = plan_item("couch_stretch", side="left", sets=1, hold_s=30, rest_s=0, duration_s=35)
