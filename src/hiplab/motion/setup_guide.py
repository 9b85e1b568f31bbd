"""How to film each task so that its numbers come out reliable: the camera set-up guide.

The guide is data, kept once: each task's own sentences are its ``setup_steps`` in the
task registry (:mod:`hiplab.motion.tasks.registry`) and
:data:`~hiplab.motion.tasks.filming.COMMON_STEPS` those that hold for every task. The
web upload page shows :func:`guide` for the chosen task, and docs/camera-setup.md says
the same sentences (``tests/motion/test_setup_guide.py`` checks that the two never drift
apart).

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
>>> guide("thomas")[0]
'Film from the side of the table, square to it, with the tested leg nearer the camera.'

"""

from __future__ import annotations

from hiplab.motion.tasks.filming import COMMON_STEPS
from hiplab.motion.tasks.registry import get_task


def guide(task: str) -> tuple[str, ...]:
    """Return the whole set-up guide of a task: its own sentences, then the common ones.

    Raises
    ------
    InputError
        If ``task`` is not a task (naming the tasks there are).

    """
    return (*get_task(task).setup_steps, *COMMON_STEPS)
