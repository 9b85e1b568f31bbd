"""The task names, as a type: light enough for the CLI to list them without loading any task.

The registry (:data:`hiplab.motion.tasks.registry.TASKS`) is keyed by these names,
in this order; a test checks that the two agree, so a new task is written in
:data:`TaskName` and declared by its own module's ``SPEC``, nowhere else.
"""

from __future__ import annotations

from typing import Literal, cast, get_args

TaskName = Literal["squat", "landing", "thomas", "hold", "angles"]
"""The name of a task (``--task``, the upload form's ``task``)."""
TASK_NAMES: tuple[TaskName, ...] = cast("tuple[TaskName, ...]", get_args(TaskName))
"""Every task name, in the order lists show them."""


def names_in_words(names: tuple[str, ...] = TASK_NAMES) -> str:
    """Return names as a sentence's list: ``a, b or c``.

    >>> names_in_words(("squat", "landing", "hold"))
    'squat, landing or hold'
    """
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
