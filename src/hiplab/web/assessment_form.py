"""The assessment form, generated from the input schema so it mirrors the CLI's file format.

Every field of :class:`~hiplab.records.intake.AssessmentInput` becomes an input named by
its dotted path (``tests.hip_internal_rotation_deg.left``); :func:`form_to_input` turns
the submitted form back into the same nested data a JSON file holds, and
:func:`hiplab.services.clinic.parse_assessment` validates it, so the messages are the
CLI's. Values that are not numbers are passed on as text on purpose: the validator
then names the field and what is allowed, exactly as for a file.

What a person reads is plain words: labels and legends are the schema's field
descriptions (the same questions the guided interview asks), choices are shown in
words (:data:`CHOICE_WORDS`, the schema's region and timing words), never as ids.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from itertools import pairwise
from typing import Any, Literal

from pydantic import BaseModel

from hiplab.records.intake import REGION_WORDS, TIMING_WORDS, AssessmentInput, Symptom

Kind = Literal["number", "integer", "check", "tristate", "choice", "text", "multi"]
SYMPTOM_ROWS = 3
SKIPPED = frozenset({"person.name", "person.goals", "symptoms", "video_measurements"})
"""Fields the form does not show: the name is the page's person; symptoms come in rows;
video measurements come only from a video analysis."""

CHOICE_WORDS: dict[str, str] = {
    **{region.value: words for region, words in REGION_WORDS.items()},
    **{timing.value: words for timing, words in TIMING_WORDS.items()},
    "self": "the person themself",
    "clinician": "a clinician",
    "video": "measured from video",
}
"""Choices in plain words; any other choice is its id with spaces for underscores."""

LEGENDS: dict[str, str] = {"assessment": "About this assessment", "tests": "Other tests"}
"""Fieldset legends that are not a field's description."""


def words(value: str) -> str:
    """Return a choice in plain words: ``front_of_hip`` -> ``front of the hip``."""
    return CHOICE_WORDS.get(value, value.replace("_", " "))


@dataclass(frozen=True)
class FormField:
    """One input of the form: its dotted path, label, kind and allowed choices."""

    path: str
    label: str
    kind: Kind
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        """The choices as (value sent, words shown)."""
        return tuple((c, words(c)) for c in self.choices)

    @property
    def id(self) -> str:
        """An HTML id for the input (dots and brackets replaced)."""
        return "f-" + self.path.replace(".", "-").replace("[", "-").replace("]", "")


@dataclass(frozen=True)
class FormGroup:
    """A fieldset: a legend and its fields."""

    legend: str
    fields: tuple[FormField, ...]


def _optional_inner(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), type(None) in typing.get_args(
            annotation
        )
    return annotation, False


def _choices(annotation: Any) -> tuple[str, ...]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(str(member.value) for member in annotation)
    values: list[str] = []
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is Literal:
            values.extend(str(v) for v in typing.get_args(arg))
        elif arg is not type(None):
            values.append(str(arg))
    return tuple(values)


def _bounds(info: Any) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def _field(path: str, annotation: Any, info: Any) -> FormField | None:
    inner, optional = _optional_inner(annotation)
    label = info.description or path.split(".")[-1].replace("_", " ")
    low, high = _bounds(info)
    if inner is bool:
        # A yes/no the person must answer (a test's "positive") needs "not tested" too.
        tristate = optional or info.is_required()
        return FormField(path, label, "tristate" if tristate else "check")
    if inner is float:
        return FormField(path, label, "number", low=low, high=high)
    if inner is int:
        return FormField(path, label, "integer", low=low, high=high)
    if inner is str:
        return FormField(path, label, "text")
    if typing.get_origin(inner) is tuple:
        item = typing.get_args(inner)[0]
        return FormField(path, label, "multi", choices=_choices(item))
    choices = _choices(inner) or _choices(annotation)
    return FormField(path, label, "choice", choices=choices) if choices else None


def _walk(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, FormField]]:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if path in SKIPPED:
            continue
        inner, _ = _optional_inner(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from _walk(inner, path + ".")
            continue
        field = _field(path, info.annotation, info)
        if field is not None:
            yield prefix.rstrip(".") or "assessment", field


def legend(group: str) -> str:
    """Return the legend of the fieldset of the fields under ``group`` (a dotted path).

    The deepest field description wins; a side is added after it: "FABER (figure-4) test,
    left".
    """
    if group in LEGENDS:
        return LEGENDS[group]
    model: Any = AssessmentInput
    text, side = "", ""
    for part in group.split("."):
        info = model.model_fields[part]
        if part in ("left", "right"):
            side = part
        else:
            text = info.description or part.replace("_", " ")
        model, _ = _optional_inner(info.annotation)
    return f"{text}, {side}" if side else text


def form_groups() -> list[FormGroup]:
    """Return the form's fieldsets, in the order of the schema, plus symptom rows."""
    groups: dict[str, list[FormField]] = {}
    for group, field in _walk(AssessmentInput, ""):
        groups.setdefault(legend(group), []).append(field)
    for row in range(SYMPTOM_ROWS):
        fields = [f for _, f in _walk(Symptom, f"symptoms[{row}].")]
        groups[f"Symptom {row + 1}"] = fields
    return [FormGroup(name, tuple(fields)) for name, fields in groups.items()]


def limit_choices(groups: list[FormGroup], path: str, allowed: tuple[str, ...]) -> list[FormGroup]:
    """Return the fieldsets with the choices of the field at ``path`` cut to ``allowed``.

    Parameters
    ----------
    groups : list of FormGroup
        The form's fieldsets (:func:`form_groups`).
    path : str
        A choice field's dotted path, e.g. ``provenance``.
    allowed : tuple of str
        The choices to keep, in the field's order.

    Returns
    -------
    list of FormGroup
        New fieldsets; the other fields are unchanged.

    """

    def cut(field: FormField) -> FormField:
        if field.path != path:
            return field
        return replace(field, choices=tuple(c for c in field.choices if c in allowed))

    return [replace(g, fields=tuple(cut(f) for f in g.fields)) for g in groups]


def withheld_notes(groups: list[FormGroup], withheld: Mapping[str, str]) -> dict[str, str]:
    """Return fieldset legend → why its test is not suggested for this person.

    ``withheld`` maps form path prefixes (``tests.fadir.left``) to the reason.
    """
    notes: dict[str, str] = {}
    for group in groups:
        for field in group.fields:
            hit = next((why for p, why in withheld.items() if field.path.startswith(p + ".")), None)
            hit = hit or withheld.get(field.path)
            if hit:
                notes[group.legend] = hit
                break
    return notes


def _value(field: FormField, raw: str) -> Any:
    text = raw.strip()
    if field.kind == "check":
        return True
    if field.kind == "tristate":
        return {"yes": True, "no": False}.get(text, text)
    for convert in (int, float) if field.kind == "integer" else (float,):
        try:
            return convert(text)
        except ValueError:
            continue
    return text  # not a number (or a choice/text): the validator names it


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    node: Any = data
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part, following in pairwise(parts):
        key: Any = int(part) if part.isdigit() else part
        if isinstance(node, list):
            while len(node) <= key:
                node.append({})
            node = node[key]
        else:
            node = node.setdefault(key, [] if following.isdigit() else {})
    node[parts[-1]] = value


def form_to_input(form: Mapping[str, Any], multi: Mapping[str, list[str]]) -> dict[str, Any]:
    """Turn a submitted form into the nested data of an assessment file.

    Parameters
    ----------
    form : mapping
        Field path → the submitted text (empty inputs are left out).
    multi : mapping
        Field path → every submitted value, for multiple-choice fields.

    Returns
    -------
    dict
        The data; symptom rows without a region are dropped.

    """
    data: dict[str, Any] = {}
    for group in form_groups():
        for field in group.fields:
            if field.kind == "multi":
                values = [v for v in multi.get(field.path, []) if v]
                if values:
                    _put(data, field.path, values)
                continue
            raw = form.get(field.path)
            if isinstance(raw, str) and raw.strip():
                _put(data, field.path, _value(field, raw))
    symptoms = [s for s in data.get("symptoms", []) if s.get("region")]
    data.pop("symptoms", None)
    if symptoms:
        data["symptoms"] = symptoms
    return data
