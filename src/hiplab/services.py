"""Use-cases shared by the CLI and (later) the web app.

Keyword-only functions that take typed values, call the domain floors and the
store, and return typed values. No printing here; edges render the results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hiplab.errors import InputError

if TYPE_CHECKING:
    from hiplab.assess.result import Assessment
    from hiplab.assess.schema import AssessmentInput
    from hiplab.library.loader import Library
    from hiplab.library.models import Exercise
    from hiplab.settings import Settings
    from hiplab.store.store import Store

ReportFormat = Literal["text", "json", "html", "pdf"]


@dataclass(frozen=True)
class AssessOutcome:
    """An input, its assessment and (when saved) the stored id."""

    data: AssessmentInput
    result: Assessment
    person: str
    date: str
    assessment_id: int | None


def sample_path() -> Path:
    """Return the bundled sample person's assessment file."""
    return Path(str(resources.files("hiplab") / "samples" / "sample_person.yaml"))


def library() -> Library:
    """Return the bundled library (validated once per process)."""
    from hiplab.library.loader import default_library

    return default_library()


def open_store_for(settings: Settings) -> Store:
    """Open the store named by ``settings`` (migrating it to the latest schema).

    The folder of an SQLite file is created if missing, mode 0700 (it holds health data).
    """
    from hiplab.private_files import make_private_dir
    from hiplab.store.store import open_store

    url = settings.resolved_database_url()
    if url.startswith("sqlite:///"):
        make_private_dir(Path(url.removeprefix("sqlite:///")).parent)
    return open_store(url)


def person_label(data: AssessmentInput, override: str | None) -> str:
    """Return the name an assessment is stored under."""
    name = override or data.person.name
    if not name:
        raise InputError(
            "the person has no name: add person.name to the file or pass --person NAME"
        )
    return name


def assess_input(
    *,
    data: AssessmentInput,
    settings: Settings,
    save: bool,
    person: str | None = None,
    reports: Sequence[tuple[str, str | bytes]] = (),
) -> AssessOutcome:
    """Assess validated input and, when ``save``, store it in one transaction.

    ``reports`` (format, content) are stored with it in that transaction.
    """
    from hiplab.assess import assess

    result = assess(data, library())
    label = person_label(data, person) if save else (person or data.person.name or "anonymous")
    date = data.date or dt.date.today().isoformat()
    stored_id = None
    if save:
        with open_store_for(settings) as store:
            stored_id = store.save_assessment(
                person_name=label, data=data, result=result, reports=reports
            )
    return AssessOutcome(data=data, result=result, person=label, date=date, assessment_id=stored_id)


def assess_file(
    *, path: Path, settings: Settings, save: bool, person: str | None = None
) -> AssessOutcome:
    """Read, validate and assess an assessment file."""
    from hiplab.assess.parse import load_assessment_file

    return assess_input(
        data=load_assessment_file(path), settings=settings, save=save, person=person
    )


def render_report(outcome: AssessOutcome, fmt: ReportFormat) -> str | bytes:
    """Render an assessment as JSON, HTML or PDF (text is rendered by the CLI)."""
    if fmt == "json":
        return outcome.result.model_dump_json(indent=2) + "\n"
    from hiplab.report.html import render_html

    html = render_html(
        outcome.result,
        library=library(),
        person_label=outcome.person,
        date=outcome.date,
        video_measurements=outcome.data.video_measurements,
    )
    if fmt == "html":
        return html
    if fmt == "pdf":
        from hiplab.report.pdf import render_pdf

        return render_pdf(html)
    raise InputError(f"format {fmt!r} cannot be rendered to a file; allowed: json, html, pdf")


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
