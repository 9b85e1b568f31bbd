"""Task metrics: a registry of typed tasks, each turning kinematics into its measurements.

``TASKS`` maps a task name to its :class:`TaskSpec`: the view it needs, whether
it is a landing (frame-rate limits apply), whether it needs an exercise, and
the function that measures it. Every task returns a frozen pydantic result
(:class:`~hiplab.motion.tasks.common.TaskResult`) whose JSON keys are the
documented metric names, with an ``uncertainty`` map and its warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from hiplab.errors import InputError
from hiplab.motion.tasks.angles_task import analyze_angles
from hiplab.motion.tasks.common import TaskInput, TaskResult, View
from hiplab.motion.tasks.hold import analyze_hold
from hiplab.motion.tasks.landing import analyze_landing
from hiplab.motion.tasks.squat import analyze_squat
from hiplab.motion.tasks.thomas import analyze_thomas

if TYPE_CHECKING:
    from hiplab.library.models import Exercise

TaskName = Literal["squat", "landing", "thomas", "hold", "angles"]


@dataclass(frozen=True)
class TaskOptions:
    """Options a task may need: the exercise of a ``hold``."""

    exercise: Exercise | None = None


@dataclass(frozen=True)
class TaskSpec:
    """One task: its name, the view it needs (None: any), and how it is measured."""

    name: TaskName
    view: View | None
    landing: bool
    needs_exercise: bool
    summary: str
    measure: Callable[[TaskInput, TaskOptions], TaskResult]


def _hold(inp: TaskInput, options: TaskOptions) -> TaskResult:
    if options.exercise is None:
        raise InputError("--task hold needs --exercise ID (an exercise of the library)")
    return analyze_hold(inp, exercise=options.exercise)


TASKS: dict[str, TaskSpec] = {
    "squat": TaskSpec(
        "squat",
        None,
        False,
        False,
        "squat repetitions: depth, peaks, tempo, heel rise, asymmetry",
        lambda inp, _: analyze_squat(inp),
    ),
    "landing": TaskSpec(
        "landing",
        None,
        True,
        False,
        "drop landing: contact, knee/hip flexion, stiffness, FPPA, LESS",
        lambda inp, _: analyze_landing(inp),
    ),
    "thomas": TaskSpec(
        "thomas",
        "sagittal",
        False,
        False,
        "modified Thomas test: hanging thigh and knee angles",
        lambda inp, _: analyze_thomas(inp),
    ),
    "hold": TaskSpec(
        "hold", "sagittal", False, True, "time inside an exercise's pose tolerance, per side", _hold
    ),
    "angles": TaskSpec(
        "angles",
        None,
        False,
        False,
        "joint-angle series and the range of each angle",
        lambda inp, _: analyze_angles(inp),
    ),
}


def get_task(name: str) -> TaskSpec:
    """Return a task by name; InputError naming the allowed ones otherwise."""
    try:
        return TASKS[name]
    except KeyError:
        raise InputError(f"--task {name!r} is not a task; allowed: {', '.join(TASKS)}") from None


__all__ = ["TASKS", "TaskInput", "TaskName", "TaskOptions", "TaskResult", "TaskSpec", "get_task"]
