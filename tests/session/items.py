"""Literal plan items shared by the session tests."""

from __future__ import annotations

from hiplab.plan.models import PlanItem

BRIDGE = PlanItem(
    exercise_id="isometric_glute_bridge",
    name="Isometric glute bridge",
    kind="activation",
    phase="activation",
    position="supine",
    side=None,
    sets=2,
    hold_s=20,
    rest_s=10,
    duration_s=55,
)
HIP_FLEXOR = PlanItem(
    exercise_id="half_kneeling_hip_flexor_stretch",
    name="Half-kneeling hip flexor stretch",
    kind="static_stretch",
    phase="stretch",
    position="kneeling",
    side="both",
    sets=2,
    hold_s=30,
    rest_s=10,
    duration_s=145,
)
CLAMSHELL = PlanItem(
    exercise_id="clamshell",
    name="Clamshell",
    kind="activation",
    phase="activation",
    position="side_lying",
    side="both",
    sets=1,
    reps=12,
    rest_s=30,
    duration_s=82,
)
LEFT_ONLY = PlanItem(
    exercise_id="couch_stretch",
    name="Couch stretch",
    kind="static_stretch",
    phase="stretch",
    position="kneeling",
    side="left",
    sets=1,
    hold_s=30,
    rest_s=0,
    duration_s=35,
)
