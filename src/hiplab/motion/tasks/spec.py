"""The type of a task's entry in the registry (:mod:`hiplab.motion.tasks.registry`).

Each task module declares its own ``SPEC``, a :class:`TaskSpec` with everything the
task declares: its name and title, the view it needs, how it is measured, its
result type, its key metrics, the assessment tests it measures and its text lines.
This module imports no task module, so a task module can import it without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hiplab.motion.tasks.common import TaskInput, TaskResult, View
from hiplab.motion.tasks.names import TaskName

if TYPE_CHECKING:
    from hiplab.library.models import Exercise

Metric = bool | int | float | None
"""A key metric's value (a count, a yes/no, a number; None when not measured)."""
Document = dict[str, Any]
"""A task result as plain JSON (``result.model_dump(mode="json")`` or an analysis document)."""


@dataclass(frozen=True)
class TaskOptions:
    """Options a task may need: the exercise of a ``hold``."""

    exercise: Exercise | None = None


@dataclass(frozen=True, kw_only=True)
class TaskSpec:
    """One task, as everything that lists, measures or shows tasks reads it.

    Attributes
    ----------
    name : TaskName
        The task's name (``--task``, the upload form's ``task``).
    title : str
        The task in plain words, as outputs and pages label it.
    summary : str
        What it measures, in one line.
    choice : str
        What a person choosing the task reads after its title (the upload form's list).
    setup_steps : tuple of str
        How to film it, in plain sentences (the camera set-up guide; docs/camera-setup.md).
    view : View or None
        The camera view it needs (None: any).
    landing : bool
        Whether it is a landing (frame-rate limits apply).
    needs_exercise : bool
        Whether it needs a library exercise (the pose a ``hold`` keeps).
    result_type : type of TaskResult
        The pydantic model of its result (to read a stored result back).
    measure : callable
        Kinematics and options → the result.
    key_metrics : callable
        A result document → the numbers a summary shows (batch table, results page).
    text_lines : callable
        A result document → the lines the text summary prints about it.
    measured_tests : tuple of str
        Ids of the library's assessment tests it measures (empty: none).
    measured_words : str or None
        Which assessment inputs it stores, by their input keys (None when it measures none).
    stored_words : str or None
        What it stores as an assessment, in plain words for a person (None: nothing).

    """

    name: TaskName
    title: str
    summary: str
    choice: str
    setup_steps: tuple[str, ...]
    view: View | None = None
    landing: bool = False
    needs_exercise: bool = False
    result_type: type[TaskResult]
    measure: Callable[[TaskInput, TaskOptions], TaskResult]
    key_metrics: Callable[[Document], dict[str, Metric]]
    text_lines: Callable[[Document], list[str]]
    measured_tests: tuple[str, ...] = ()
    measured_words: str | None = None
    stored_words: str | None = None


def fmt(value: Any, unit: str = "", sd: Any = None) -> str:
    """Return a value for a text line: ``—`` when missing, ``± sd`` when given.

    >>> fmt(12.5, "°", 1.25), fmt(None), fmt(3)
    ('12.5 ± 1.25°', '—', '3')
    """
    if value is None:
        return "—"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if sd is not None:
        text += f" ± {sd:g}"
    return f"{text}{unit}"
