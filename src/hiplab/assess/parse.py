"""Read an assessment file and turn every kind of bad input into one clear message.

The message names the field (dotted path), the value given and what is
allowed; an unknown key comes with the closest known key. Nothing here
raises anything but :class:`hiplab.errors.InputError`.
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from hiplab.errors import InputError
from hiplab.records.intake import AssessmentInput

MAX_BYTES = 1_000_000
SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """Return the model class found by following ``loc`` from ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Union/tuple wrappers to reach a model class, if any."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, tuple):
        for arg in typing.get_args(annotation):
            inner = _unwrap(arg)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return annotation


def _path(loc: tuple[int | str, ...]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in loc).replace(".[", "[")


_BOUND_WORDS = {"ge": "at least", "le": "at most", "gt": "more than", "lt": "less than"}
_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number (not NaN or Infinity)",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list of values, e.g. [a, b] (a single value goes in brackets too)",
    "tuple_type": "a list of values, e.g. [a, b] (a single value goes in brackets too)",
}
_SIZE_WORDS = {
    "string_too_long": ("text of at most", "max_length", "characters"),
    "string_too_short": ("text of at least", "min_length", "characters"),
    "too_long": ("at most", "max_length", "items"),
    "too_short": ("at least", "min_length", "items"),
}


def _allowed(error: ErrorDetails) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    bounds = [f"{_BOUND_WORDS[k]} {v}" for k, v in ctx.items() if k in _BOUND_WORDS]
    if bounds:
        return "a number " + " and ".join(bounds)
    if kind in ("enum", "literal_error") and "expected" in ctx:
        return f"one of {ctx['expected']}"
    if kind in _SIZE_WORDS and _SIZE_WORDS[kind][1] in ctx:
        limit, key, unit = _SIZE_WORDS[kind]
        return f"{limit} {ctx[key]} {unit}"
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    return str(error["msg"]).removeprefix("Input should be ").removeprefix("Value error, ")


def describe_error(
    error: ErrorDetails,
    model: type[BaseModel] | None = AssessmentInput,
    *,
    show_value: bool = True,
    top: str = "(top level)",
) -> str:
    """Return one sentence for one pydantic error: field, value, what is allowed.

    Parameters
    ----------
    error : ErrorDetails
        One entry of ``ValidationError.errors()``.
    model : type of BaseModel or None
        The model validated, to suggest the closest known key for an unknown one.
    show_value : bool
        Name the value given (the CLI); the web app leaves it out, since a value sent
        over the network may be a password or text it cannot show.
    top : str
        How to name the whole input, when the error is about it.

    """
    loc = tuple(error["loc"])
    field = _path(loc) or top
    if error["type"] == "extra_forbidden":
        parent = _model_at(model, loc[:-1]) if model else None
        known = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
        return f"unknown key {field!r}{hint if known else ''}"
    if error["type"] == "missing":
        return f"missing required field {field!r}"
    if not show_value:
        return f"field {field!r} has a value that is not allowed; allowed: {_allowed(error)}"
    value = json.dumps(error.get("input"), default=str)[:80]
    return f"field {field!r} has value {value}; allowed: {_allowed(error)}"


def validation_message(exc: ValidationError, model: type[BaseModel] = AssessmentInput) -> str:
    """Return a multi-line message listing every problem in ``exc``."""
    lines = [describe_error(e, model) for e in exc.errors()]
    head = "invalid assessment input" if len(lines) == 1 else f"{len(lines)} problems in the input"
    return head + ":\n  " + "\n  ".join(lines)


def _decode(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise InputError(f"{source}: the file is empty; expected a JSON or YAML assessment")
    if b"\x00" in raw:
        raise InputError(f"{source}: this looks like a binary file, not JSON or YAML text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def parse_text(text: str, *, fmt: str, source: str) -> Any:
    """Parse JSON or YAML text into Python values, with a clear message on syntax errors."""
    try:
        if fmt == "json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg} "
            "(is the file truncated?)"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(f"{source}: not valid YAML{where} (is the file truncated?)") from None


def validate(data: Any, *, source: str = "input") -> AssessmentInput:
    """Validate parsed data as an :class:`AssessmentInput` (strict types)."""
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise InputError(
            f"{source}: expected a mapping with 'person' and 'tests' at the top, got {kind}"
        )
    try:
        return AssessmentInput.model_validate_json(json.dumps(data, default=str), strict=True)
    except ValidationError as exc:
        raise InputError(f"{source}: {validation_message(exc)}") from None


def load_assessment_file(path: Path) -> AssessmentInput:
    """Read, parse and validate an assessment file (``.json``, ``.yaml`` or ``.yml``)."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: unsupported file type {path.suffix!r}; allowed: .json, .yaml, .yml"
        )
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"{path}: file is larger than {MAX_BYTES} bytes")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    return validate(
        parse_text(_decode(raw, str(path)), fmt=fmt, source=str(path)), source=str(path)
    )
