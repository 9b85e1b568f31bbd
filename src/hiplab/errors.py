"""Domain exceptions. Messages name the field, the value and what is allowed.

An :class:`InputError` either carries a plain message (``InputError("text")``) or
is structured: the ``field`` it is about (a domain name such as ``"task"``), the
``value`` given, what is ``allowed`` and an optional ``hint``. Each edge renders a
structured error in its own words with :meth:`InputError.render`: the CLI names
the option (``--task``), the web the form field (``task``); ``str(error)`` is the
domain's own wording (the field's domain name).

>>> error = InputError("is not a task", field="task", value="jump", allowed=("squat", "hold"))
>>> str(error)
"task 'jump' is not a task; allowed: squat, hold"
>>> error.render(lambda field: f"--{field}")
"--task 'jump' is not a task; allowed: squat, hold"
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any, ClassVar


class _Missing(enum.Enum):
    NOT_GIVEN = "not given"  # an enum member keeps its identity through pickling


NOT_GIVEN: Any = _Missing.NOT_GIVEN
"""The ``value`` of an error that is about a missing or unnamed value."""


class HiplabError(Exception):
    """Base of every error hiplab reports to a user."""


class InputError(HiplabError):
    """Bad user input (CLI exit code 2, HTTP ``http_status``).

    Parameters
    ----------
    message : str
        A plain message when ``field`` is None; otherwise what is wrong, in words
        that follow the field and its value (default ``"is not allowed"``).
    field : str or None
        The domain name of the input (``"task"``, ``"fps"``, ``"video"``).
    value : object
        The value given (left out of the message when not given).
    allowed : str, sequence of str or None
        What is allowed, in plain words or as a list of the allowed values.
    hint : str or None
        What to do about it.

    """

    http_status: ClassVar[int] = 422
    """The HTTP status of this error in the web app's one error handler."""

    def __init__(
        self,
        message: str = "",
        *,
        field: str | None = None,
        value: Any = NOT_GIVEN,
        allowed: str | Sequence[str] | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = message
        self.field = field
        self.value = value
        self.allowed = allowed if allowed is None or isinstance(allowed, str) else tuple(allowed)
        self.hint = hint
        super().__init__(self.render())

    @property
    def message(self) -> str:
        """The message in the domain's words (what ``str()`` gives)."""
        return str(self)

    def render(self, label: Callable[[str], str] | None = None) -> str:
        """Return the message with the field named by ``label`` (default: its domain name)."""
        if self.field is None:
            return self.problem
        name = self.field if label is None else label(self.field)
        parts = [name]
        if self.value is not NOT_GIVEN:
            parts.append(repr(self.value) if isinstance(self.value, str) else str(self.value))
        parts.append(self.problem or "is not allowed")
        text = " ".join(parts)
        if self.allowed is not None:
            allowed = self.allowed if isinstance(self.allowed, str) else ", ".join(self.allowed)
            text += f"; allowed: {allowed}"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields survive pickling (a batch's worker processes, Ray tasks).
        return (_rebuild, (type(self), self.problem, self.__dict__.copy()))


def _rebuild(cls: type[InputError], problem: str, state: dict[str, Any]) -> InputError:
    error = cls.__new__(cls)
    Exception.__init__(error, problem)
    error.__dict__.update(state)
    Exception.__init__(error, error.render())
    return error


class LibraryError(HiplabError):
    """The bundled or supplied library data is inconsistent."""


class StoreError(HiplabError):
    """The store could not complete an operation."""


class NotFoundError(InputError):
    """A named person, assessment or record does not exist (HTTP 404)."""

    http_status: ClassVar[int] = 404
