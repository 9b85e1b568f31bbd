"""Load the library YAML into frozen models and check every cross reference."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from hiplab.errors import LibraryError, NotFoundError
from hiplab.library.models import (
    ChainGraph,
    ConditionDef,
    Exercise,
    FindingDef,
    MuscleGroup,
    Source,
    TestDef,
)
from hiplab.library.models import Motion as MotionModel

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Library:
    """The whole validated library, indexed by id."""

    sources: Mapping[str, Source]
    motions: Mapping[str, MotionModel]
    muscles: Mapping[str, MuscleGroup]
    exercises: Mapping[str, Exercise]
    tests: Mapping[str, TestDef]
    findings: Mapping[str, FindingDef]
    chains: ChainGraph
    conditions: Mapping[str, ConditionDef]

    def exercise(self, exercise_id: str) -> Exercise:
        """Return one exercise or raise :class:`NotFoundError` naming close ids."""
        try:
            return self.exercises[exercise_id]
        except KeyError:
            raise NotFoundError(
                unknown_id_message("exercise", exercise_id, self.exercises)
            ) from None


def unknown_id_message(what: str, value: str, known: Iterable[str]) -> str:
    """Say that ``value`` is not a known ``what`` and suggest the closest ids."""
    import difflib

    close = difflib.get_close_matches(value, list(known), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown {what} {value!r}{hint}"


# libyaml's C parser is ~10x faster than the pure-Python one and the library is read
# on every assessment; fall back when PyYAML was built without it.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_SafeLoader)


def _parse(model: type[M], items: Any, origin: str) -> dict[str, M]:
    adapter = TypeAdapter(list[model])  # type: ignore[valid-type]
    try:
        parsed: list[M] = adapter.validate_python(items)
    except ValidationError as exc:
        raise LibraryError(f"{origin}: {exc}") from exc
    out: dict[str, M] = {}
    for item in parsed:
        key = str(item.id)  # type: ignore[attr-defined]
        if key in out:
            raise LibraryError(f"{origin}: duplicate id {key!r}")
        out[key] = item
    return out


def data_dir() -> Path:
    """Return the folder holding the bundled library YAML."""
    return Path(str(resources.files("hiplab.library") / "data"))


def load_library(root: Path | None = None) -> Library:
    """Load and validate the library from ``root`` (the bundled data by default).

    Raises
    ------
    LibraryError
        If any file is malformed or any cross reference is broken.

    """
    root = root or data_dir()
    exercises: dict[str, Exercise] = {}
    for path in sorted((root / "exercises").glob("*.yaml")):
        batch = _parse(Exercise, _read_yaml(path)["exercises"], path.name)
        clash = exercises.keys() & batch.keys()
        if clash:
            raise LibraryError(f"{path.name}: duplicate exercise ids {sorted(clash)}")
        exercises.update(batch)
    try:
        chains = ChainGraph.model_validate(_read_yaml(root / "chains.yaml"))
    except ValidationError as exc:
        raise LibraryError(f"chains.yaml: {exc}") from exc
    library = Library(
        sources=_parse(Source, _read_yaml(root / "sources.yaml")["sources"], "sources.yaml"),
        motions=_parse(MotionModel, _read_yaml(root / "motions.yaml")["motions"], "motions.yaml"),
        muscles=_parse(MuscleGroup, _read_yaml(root / "muscles.yaml")["muscle_groups"], "muscles"),
        exercises=exercises,
        tests=_parse(TestDef, _read_yaml(root / "tests.yaml")["tests"], "tests.yaml"),
        findings=_parse(FindingDef, _read_yaml(root / "findings.yaml")["findings"], "findings"),
        chains=chains,
        conditions=_parse(
            ConditionDef, _read_yaml(root / "conditions.yaml")["conditions"], "conditions.yaml"
        ),
    )
    from hiplab.library.integrity import check_integrity

    problems = check_integrity(library)
    if problems:
        raise LibraryError("library integrity:\n  " + "\n  ".join(problems))
    return library


@cache
def default_library() -> Library:
    """Return the bundled library, loaded once per process."""
    return load_library()
