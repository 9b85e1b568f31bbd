"""How to film each task so that its numbers come out reliable: the camera set-up guide.

The guide is data, kept here once: :data:`TASK_STEPS` holds each task's own sentences
and :data:`COMMON_STEPS` those that hold for every task. The web upload page shows
:func:`guide` for the chosen task, and docs/camera-setup.md says the same sentences
(``tests/motion/test_setup_guide.py`` checks that the two never drift apart).

Why these figures: the view (side or front) is the one each task's angles are measured
in (:mod:`hiplab.motion.tasks`); a camera at hip height and level keeps the
``camera_tilted`` warning away; 3–4 m with the whole body filling most of the frame
keeps the person large enough (``subject_too_small``) without a wide lens bending the
limbs; a landing needs 120 frames per second because the knee bends from contact to its
peak in about a tenth of a second (below 30 fps it is refused).

Examples
--------
>>> guide("landing")[2]
'Film at 120 frames per second (slow motion): the landing lasts about a tenth of a second.'
>>> TASK_TITLES["thomas"]
'Modified Thomas test'

"""

from __future__ import annotations

from collections.abc import Mapping

TASK_TITLES: Mapping[str, str] = {
    "squat": "Squat",
    "landing": "Drop landing",
    "thomas": "Modified Thomas test",
    "hold": "Held exercise pose",
    "angles": "Joint angles only",
}
"""Each task in plain words, in the order of :data:`hiplab.services.videos.TASK_NAMES`."""

HIP_HEIGHT = "Put the camera at hip height, level, not looking down or up."
DISTANCE = "Stand the camera 3–4 m away, so that the whole body fills most of the frame."
FPS_30 = "Film at 30 frames per second or more."

TASK_STEPS: Mapping[str, tuple[str, ...]] = {
    "squat": (
        "Film from the side, square to the person: depth, knee and hip bend, trunk lean and "
        "heel rise are measured from the side.",
        "For knees falling in (knee valgus) and left–right differences, film a second clip "
        "from the front.",
        HIP_HEIGHT,
        DISTANCE,
        FPS_30,
        "Do 3 to 5 squats at your usual pace, standing still for a second before the first "
        "and after the last; keep the heels and feet in view.",
    ),
    "landing": (
        "Film from the side, square to the person, for knee and hip bend at landing; film "
        "from the front for knees falling in (knee valgus).",
        "Put the camera at hip height of the person standing on the floor, level, with the "
        "box and the landing spot in view.",
        "Film at 120 frames per second (slow motion): the landing lasts about a tenth of a second.",
        "If the phone saves slow motion at normal speed, enter the real frame rate (120) in "
        "the frame rate field (--fps 120 on the command line).",
        DISTANCE,
        "Drop from a 30 cm box, land on both feet and stand still for a second after landing.",
    ),
    "thomas": (
        "Film from the side of the table, square to it, with the tested leg nearer the camera.",
        "Put the camera at hip height (the height of the table top), level, not looking down.",
        "Stand the camera 3–4 m away, so that the person and the table fill most of the frame.",
        FPS_30,
        "Hold the test position still for at least 3 seconds; then turn round (or move the "
        "camera) and film the other leg.",
        "Wear shorts, so that the thigh and the knee are visible.",
    ),
    "hold": (
        "Film from the side, square to the person, unless the exercise is done facing the camera.",
        HIP_HEIGHT,
        DISTANCE,
        FPS_30,
        "Start filming before getting into the pose and hold it still for the time the "
        "exercise asks.",
    ),
    "angles": (
        "Film from the side, square to the person, for hip, knee and ankle bend; film from "
        "the front for knees falling in (knee valgus).",
        HIP_HEIGHT,
        DISTANCE,
        FPS_30,
    ),
}
"""What to do for each task, in plain sentences (shown before :data:`COMMON_STEPS`)."""

COMMON_STEPS: tuple[str, ...] = (
    "Keep the camera level and still: a tripod or a propped-up phone, no zoom, no panning.",
    "Wear fitted clothes (shorts or leggings) so that the legs are visible; no loose "
    "trousers, skirts or long coats.",
    "Light the person evenly from the front or the side; no bright window behind them.",
    "Only the person being measured in view: helpers and others stay out of the frame.",
)
"""What holds for every task."""


def guide(task: str) -> tuple[str, ...]:
    """Return the whole set-up guide of a task: its own sentences, then the common ones.

    Raises
    ------
    KeyError
        If ``task`` is not one of :data:`TASK_STEPS`.

    """
    return (*TASK_STEPS[task], *COMMON_STEPS)
