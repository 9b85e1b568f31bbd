"""Task metrics: a registry of typed tasks, each turning kinematics into its measurements.

``TASKS`` (:mod:`hiplab.motion.tasks.registry`) maps a task name to its
:class:`~hiplab.motion.tasks.spec.TaskSpec`, declared by the task's own module: the
view it needs, whether it is a landing (frame-rate limits apply), whether it needs an
exercise, the function that measures it, its result type, key metrics, text lines
and the assessment tests it measures. Every task returns a frozen pydantic result
(:class:`~hiplab.motion.tasks.common.TaskResult`) whose JSON keys are the
documented metric names, with an ``uncertainty`` map and its warnings.

The names below are re-exported lazily (PEP 562): importing a submodule
(:mod:`~hiplab.motion.tasks.names` for the CLI's choices, or a task module) loads
no other task, and this package imports none of its task modules itself — task
modules import :mod:`~hiplab.motion.tasks.spec` and
:mod:`~hiplab.motion.tasks.common` only, so there is no cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hiplab.motion.tasks.common import TaskInput, TaskResult
    from hiplab.motion.tasks.names import TASK_NAMES, TaskName
    from hiplab.motion.tasks.registry import MEASURING_TASKS, TASKS, get_task, task_name
    from hiplab.motion.tasks.spec import TaskOptions, TaskSpec

_HOMES = {
    "TaskInput": "common",
    "TaskResult": "common",
    "TASK_NAMES": "names",
    "TaskName": "names",
    "MEASURING_TASKS": "registry",
    "TASKS": "registry",
    "get_task": "registry",
    "task_name": "registry",
    "TaskOptions": "spec",
    "TaskSpec": "spec",
}


def __getattr__(name: str) -> Any:
    """Return a re-exported name from the submodule it lives in (loaded on first use)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "MEASURING_TASKS",
    "TASKS",
    "TASK_NAMES",
    "TaskInput",
    "TaskName",
    "TaskOptions",
    "TaskResult",
    "TaskSpec",
    "get_task",
    "task_name",
]
