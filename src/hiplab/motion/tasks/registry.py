"""The task registry: every list of task names, titles, metrics or result types comes from here.

:data:`TASKS` maps each task's name to the :class:`~hiplab.motion.tasks.spec.TaskSpec`
its module declares (``SPEC``). The CLI's choices and help, the upload form's
choices, the batch summary's metrics, the text summary, the stored-result reader
and the tasks that measure assessment tests all read it; a new task is one module
with a ``SPEC``, added to :data:`TASKS` and to :data:`~hiplab.motion.tasks.names.TaskName`
(a test checks that the two agree).
"""

from __future__ import annotations

from hiplab.errors import InputError
from hiplab.motion.tasks import angles_task, hold, landing, squat, thomas
from hiplab.motion.tasks.names import TASK_NAMES, TaskName
from hiplab.motion.tasks.spec import TaskSpec

TASKS: dict[str, TaskSpec] = {
    spec.name: spec for spec in (squat.SPEC, landing.SPEC, thomas.SPEC, hold.SPEC, angles_task.SPEC)
}
"""Every task by name, in the order lists show them."""
MEASURING_TASKS: tuple[TaskName, ...] = tuple(s.name for s in TASKS.values() if s.measured_tests)
"""The tasks that measure assessment tests (the others store nothing)."""


def get_task(name: str) -> TaskSpec:
    """Return a task by name; InputError naming the allowed ones otherwise."""
    try:
        return TASKS[name]
    except KeyError:
        raise InputError("is not a task", field="task", value=name, allowed=TASK_NAMES) from None


def task_name(name: str) -> TaskName:
    """Return ``name`` as a :data:`TaskName`; InputError naming the allowed ones otherwise."""
    return get_task(name).name
