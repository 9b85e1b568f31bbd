"""The bundled library and sample: the library validated once per process, filtered and pictured."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hiplab.errors import InputError

if TYPE_CHECKING:
    from hiplab.library.loader import Library
    from hiplab.library.models import Exercise


def sample_path() -> Path:
    """Return the bundled sample person's assessment file."""
    return Path(str(resources.files("hiplab") / "samples" / "sample_person.yaml"))


def library() -> Library:
    """Return the bundled library (validated once per process)."""
    from hiplab.library.loader import default_library

    return default_library()


def filter_exercises(
    *,
    target: str | None = None,
    kind: str | None = None,
    position: str | None = None,
    equipment: str | None = None,
) -> list[Exercise]:
    """Return the library's exercises matching every given filter, validated against the library."""
    lib = library()
    from hiplab.library.loader import unknown_id_message
    from hiplab.library.models import ExerciseKind, Position

    checks: Sequence[tuple[str | None, Sequence[str], str]] = (
        (target, list(lib.muscles), "muscle group"),
        (kind, [k.value for k in ExerciseKind], "kind"),
        (position, [p.value for p in Position], "position"),
        (equipment, sorted({q for e in lib.exercises.values() for q in e.equipment}), "equipment"),
    )
    for value, known, what in checks:
        if value is not None and value not in known:
            raise InputError(
                f"{unknown_id_message(what, value, known)} (allowed: {', '.join(known)})"
            )
    return [
        e
        for e in lib.exercises.values()
        if (target is None or target in e.targets.primary + e.targets.secondary)
        and (kind is None or e.kind.value == kind)
        and (position is None or e.position.value == position)
        and (equipment is None or equipment in e.equipment)
    ]


def exercise_picture(exercise: Exercise, *, fmt: Literal["svg", "html"]) -> str:
    """Return an exercise's picture as SVG, or a standalone HTML card with steps and dosage."""
    from hiplab.report.figure import pose_svg

    svg = pose_svg(exercise.pose, title=exercise.name)
    if fmt == "svg":
        return svg
    from hiplab.report.html import render_exercise_card

    return render_exercise_card(exercise, library=library())
