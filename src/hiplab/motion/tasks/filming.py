"""Sentences of the camera set-up guide that several tasks share, and those every task shares.

Each task's own steps are in its ``SPEC`` (``setup_steps``); :func:`hiplab.motion.setup_guide.guide`
puts a task's steps before :data:`COMMON_STEPS`. This module imports nothing, so every task
module can use it.
"""

from __future__ import annotations

HIP_HEIGHT = "Put the camera at hip height, level, not looking down or up."
DISTANCE = "Stand the camera 3–4 m away, so that the whole body fills most of the frame."
FPS_30 = "Film at 30 frames per second or more."

COMMON_STEPS: tuple[str, ...] = (
    "Keep the camera level and still: a tripod or a propped-up phone, no zoom, no panning.",
    "Wear fitted clothes (shorts or leggings) so that the legs are visible; no loose "
    "trousers, skirts or long coats.",
    "Light the person evenly from the front or the side; no bright window behind them.",
    "Only the person being measured in view: helpers and others stay out of the frame.",
)
"""What holds for every task."""
