"""Planning use-cases shared by the CLI and the web app (see :mod:`hiplab.services.programmes`).

An input is an assessment file or the id of a stored assessment. When the
person already has a stored plan built from an earlier assessment, the new
programme is the next block: it compares the re-measured tests with the ones
the previous block was planned from, and continues or progresses its work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hiplab.errors import InputError, NotFoundError
from hiplab.records.refs import PersonRef

if TYPE_CHECKING:
    from hiplab.plan.generate import PlanRequest, PreviousBlock
    from hiplab.records.assessment import Assessment
    from hiplab.records.intake import AssessmentInput
    from hiplab.records.programme import Programme
    from hiplab.settings import Settings
    from hiplab.store.store import Store

PlanFormat = Literal["text", "json", "html", "pdf", "ics"]
LIMITS = {"minutes": (5, 120), "sessions_per_week": (1, 14), "weeks": (1, 52)}


@dataclass(frozen=True)
class PlanSource:
    """The assessment a plan is made from, and where it is stored (if it is)."""

    data: AssessmentInput
    result: Assessment
    person: str
    assessment_id: int | None


@dataclass(frozen=True)
class PlanOutcome:
    """A programme and, when saved, its id."""

    programme: Programme
    source: PlanSource
    plan_id: int | None


def check_request(
    *,
    minutes: int,
    sessions_per_week: int,
    weeks: int,
    equipment: str | None,
    avoid_positions: str | None,
) -> PlanRequest:
    """Validate the planning options, naming the option, the value and what is allowed."""
    from hiplab.library.models import Position
    from hiplab.plan.generate import PlanRequest
    from hiplab.plan.problem import HOUSEHOLD
    from hiplab.services.catalogue import library

    values = {"minutes": minutes, "sessions_per_week": sessions_per_week, "weeks": weeks}
    for name, value in values.items():
        low, high = LIMITS[name]
        if not low <= value <= high:
            flag = "--" + name.replace("_", "-")
            raise InputError(f"{flag} is {value}; allowed: {low} to {high}")
    known_gear = sorted({q for e in library().exercises.values() for q in e.equipment} | HOUSEHOLD)
    gear = _split(equipment, known_gear, "--equipment")
    places = _split(avoid_positions, [p.value for p in Position], "--avoid-positions")
    return PlanRequest(
        minutes=minutes,
        sessions_per_week=sessions_per_week,
        weeks=weeks,
        equipment=frozenset(gear),
        avoid_positions=frozenset(places),
    )


def _split(raw: str | None, known: list[str], flag: str) -> list[str]:
    from hiplab.library.loader import unknown_id_message

    values = [v.strip() for v in (raw or "").split(",") if v.strip()]
    for value in values:
        if value not in known:
            what = unknown_id_message(flag.lstrip("-").replace("-", " "), value, known)
            raise InputError(f"{flag}: {what} (allowed: {', '.join(known)})")
    return values


def stored_source(store: Store, assessment_id: int) -> PlanSource:
    """Return a stored assessment as the source of a plan."""
    stored = store.assessments.get(assessment_id=assessment_id)
    return PlanSource(stored.data, stored.result, stored.person_name, stored.id)


def load_source(*, source: str, store: Store, save: bool, person: str | None) -> PlanSource:
    """Return the assessment behind ``source`` (a file, or a stored assessment id)."""
    from hiplab.assess.parse import load_assessment_file
    from hiplab.services.assessments import assess, person_label
    from hiplab.services.catalogue import library

    path = Path(source)
    if source.isdigit() and not path.exists():
        return stored_source(store, int(source))
    data = load_assessment_file(path)
    label = person_label(data, person) if save else (person or data.person.name or "anonymous")
    result = assess(data, library())
    stored_id = _stored_copy(store, label, data) if save else None
    if save and stored_id is None:
        stored_id = store.assessments.save(
            person=PersonRef.named(label), data=data, result=result
        ).assessment_id
    return PlanSource(data, result, label, stored_id)


def _stored_copy(store: Store, person: str, data: AssessmentInput) -> int | None:
    """Return the id of an identical stored assessment of this person (not saved twice)."""
    try:
        stored = store.assessments.of_person(person=PersonRef.named(person))
    except NotFoundError:
        return None
    return next((a.id for a in reversed(stored) if a.data == data), None)


def previous_block(store: Store, source: PlanSource) -> PreviousBlock | None:
    """Return the person's latest plan built from another assessment, if any."""
    from hiplab.plan.generate import PreviousBlock

    try:
        if source.assessment_id is not None:  # a stored assessment names its person exactly
            person_id = store.assessments.owner(assessment_id=source.assessment_id)
            last = store.plans.latest(person=PersonRef.by_id(person_id))
        else:
            last = store.plans.latest(person=PersonRef.named(source.person))
    except NotFoundError:
        return None
    if last.assessment_id is None or last.assessment_id == source.assessment_id:
        return None
    before = store.assessments.get(assessment_id=last.assessment_id)
    return PreviousBlock(programme=last.programme, values=before.result.values)


def make_plan(
    *, source: str, settings: Settings, request: PlanRequest, save: bool, person: str | None = None
) -> PlanOutcome:
    """Make (and with ``save`` store) the programme for an assessment file or stored id."""
    from hiplab.services.storage import open_store_for

    with open_store_for(settings) as store:
        src = load_source(source=source, store=store, save=save, person=person)
        programme = programme_for(store=store, source=src, request=request)
        plan_id = None
        if save:
            assert src.assessment_id is not None  # load_source stores what it saves
            plan_id = store.plans.save(
                person=PersonRef.by_id(store.assessments.owner(assessment_id=src.assessment_id)),
                programme=programme,
                assessment_id=src.assessment_id,
            )
    return PlanOutcome(programme=programme, source=src, plan_id=plan_id)


def programme_for(*, store: Store, source: PlanSource, request: PlanRequest) -> Programme:
    """Return the programme for a loaded source (the next block after an earlier plan)."""
    from hiplab.plan.generate import make_programme
    from hiplab.services.catalogue import library

    previous = previous_block(store, source) if source.person else None
    return make_programme(
        assessment=source.result,
        person=source.data.person,
        library=library(),
        request=request,
        label=source.person,
        previous=previous,
        start_date=source.data.date or dt.date.today().isoformat(),
    )


def render_plan(programme: Programme, fmt: PlanFormat) -> str | bytes:
    """Render a programme as JSON, an HTML/PDF handout or an iCalendar schedule."""
    from hiplab.services.catalogue import library

    if fmt == "json":
        return programme.model_dump_json(indent=2) + "\n"
    if fmt == "ics":
        from hiplab.report.ics import programme_to_ics

        start = (
            dt.date.fromisoformat(programme.start_date) if programme.start_date else dt.date.today()
        )
        return programme_to_ics(programme, start=start)
    from hiplab.report.handout import render_plan_html

    html = render_plan_html(programme, library=library())
    if fmt == "pdf":
        from hiplab.report.pdf import render_pdf

        return render_pdf(html)
    return html
