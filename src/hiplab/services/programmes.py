"""Programme and session use-cases of a coaching practice, shared by the web pages and API.

A coach generates a programme for a client from the client's latest stored assessment
(exactly as ``hiplab plan`` does, through :mod:`hiplab.services.plans`), assigns it
(stores it), and edits it: swaps an exercise for one of its listed variants or changes
a dose, every edit checked against the client's precautions
(:mod:`hiplab.plan.edit`, :mod:`hiplab.assess.screening`). The client runs today's
session of the assigned plan and logs it as ``hiplab session`` does
(:mod:`hiplab.session.service`).

Edits change the stored plan in place, in one transaction
(:meth:`hiplab.store.plans.PlanRepository.update`): the plan keeps its id, its start
day and the sessions logged against it, so the week reached and the adherence carry
on. The programme before an edit is not kept.

Keyword-only functions over an open :class:`~hiplab.store.Store`; no HTTP here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from hiplab.errors import InputError, NotFoundError
from hiplab.records.refs import PersonRef
from hiplab.services import plans
from hiplab.services.catalogue import library

if TYPE_CHECKING:
    from hiplab.plan.edit import Edit, SwapChoice
    from hiplab.plan.generate import PlanRequest
    from hiplab.records.assessment import Precaution
    from hiplab.records.programme import ItemLog, PlanItem, Programme, SessionLog
    from hiplab.session.setup import GuidedSession
    from hiplab.store import PersonRecord, Store, StoredAssessment, StoredPlan

ITEM_STATUSES = ("done", "partial", "skipped", "not_reached")
SCORE_RANGE = (0, 10)


@dataclass(frozen=True)
class Generated:
    """A programme made for a person from one of their stored assessments (not stored)."""

    person: PersonRecord
    assessment_id: int
    programme: Programme


@dataclass(frozen=True)
class ItemChoices:
    """An item of a plan and the variants it may be swapped for."""

    plan: StoredPlan
    week: int
    item: int
    planned: PlanItem
    choices: tuple[SwapChoice, ...]


@dataclass(frozen=True)
class ItemOutcome:
    """What happened to one item of a session, as the browser or a form reports it."""

    status: str
    done_s: float


@dataclass(frozen=True)
class SessionEntry:
    """A session as done, before it is checked against its plan and stored."""

    plan_id: int
    week: int
    started_at: str
    finished_at: str
    items: tuple[ItemOutcome, ...]
    discomfort: int | None = None
    effort: int | None = None
    quit_early: bool = False


@dataclass(frozen=True)
class Checklist:
    """A session logged by ticking items (``done``: their 1-based numbers)."""

    plan_id: int
    week: int
    done: frozenset[int]
    started_at: str
    finished_at: str
    discomfort: int | None = None
    effort: int | None = None


class SessionRow(BaseModel):
    """One logged session in a person's session log (the API answers it as it is)."""

    model_config = ConfigDict(frozen=True)

    id: int
    day: date
    plan_id: int | None
    week: int
    completion: float
    done: int
    skipped: int
    items: int
    discomfort: int | None
    effort: int | None
    quit_early: bool


@dataclass(frozen=True)
class SessionHistory:
    """A person's logged sessions (newest first) and their adherence to the latest plan."""

    rows: tuple[SessionRow, ...]
    adherence: str
    adherence_ratio: float | None


# ------------------------------------------------------------------ programmes
def plan_request(
    *,
    minutes: int,
    sessions_per_week: int,
    weeks: int,
    equipment: str | None,
    avoid_positions: str | None,
) -> PlanRequest:
    """Check the planning options with the CLI's rules and messages (``hiplab plan``)."""
    return plans.check_request(
        minutes=minutes,
        sessions_per_week=sessions_per_week,
        weeks=weeks,
        equipment=equipment,
        avoid_positions=avoid_positions,
    )


def _assessment(store: Store, person: PersonRecord, assessment_id: int | None) -> StoredAssessment:
    if assessment_id is not None:
        stored = store.assessments.get(assessment_id=assessment_id)
        if stored.person_id != person.id:  # someone else's: as if it did not exist
            raise NotFoundError(f"no assessment with id {assessment_id}")
        return stored
    try:
        return store.assessments.latest(person=PersonRef.by_id(person.id))
    except NotFoundError:
        raise InputError(
            f"{person.name} has no assessment yet: record one before making a programme"
        ) from None


def generate(
    *, store: Store, person_id: int, request: PlanRequest, assessment_id: int | None = None
) -> Generated:
    """Make (without storing) a person's programme from their latest or a given assessment.

    The programme is what ``hiplab plan ID`` makes from that stored assessment: the
    next block when the person has a plan made from an earlier assessment, a referral
    (``programme.refer``, with the reason) when the assessment has red flags.

    Raises
    ------
    InputError
        If the person has no assessment.
    NotFoundError
        If the person or ``assessment_id`` (of this person) does not exist.

    """
    person = store.people.get(person=PersonRef.by_id(person_id))
    stored = _assessment(store, person, assessment_id)
    source = plans.PlanSource(stored.data, stored.result, person.name, stored.id)
    programme = plans.programme_for(store=store, source=source, request=request)
    return Generated(person=person, assessment_id=stored.id, programme=programme)


def assign(
    *, store: Store, person_id: int, request: PlanRequest, assessment_id: int | None = None
) -> StoredPlan:
    """Generate a person's programme (see :func:`generate`) and store it as their plan.

    Raises
    ------
    InputError
        If the assessment has red flags (the programme would be a referral; the
        message is its reason) or the person has no assessment.
    NotFoundError
        If the person or the assessment does not exist.

    """
    made = generate(store=store, person_id=person_id, request=request, assessment_id=assessment_id)
    if made.programme.refer:
        raise InputError(made.programme.reason)
    plan_id = store.plans.save(
        person=PersonRef.by_id(made.person.id),
        programme=made.programme,
        assessment_id=made.assessment_id,
    )
    return store.plans.get(plan_id=plan_id)


def plans_of(*, store: Store, person_id: int) -> list[StoredPlan]:
    """Return a person's plans, newest first (the first is the one sessions use)."""
    person = store.people.get(person=PersonRef.by_id(person_id))
    return list(reversed(store.plans.of_person(person=PersonRef.by_id(person.id))))


def _safety(store: Store, person: PersonRecord) -> tuple[tuple[Precaution, ...], int]:
    """Return the precautions of the person's latest assessment and their age then.

    The precautions are worked out again from the stored answers with today's safety
    rules, so an assessment saved before a rule was added is still held to it.

    Raises
    ------
    InputError
        If the latest assessment has red flags: see a clinician, change nothing.

    """
    try:
        latest = store.assessments.latest(person=PersonRef.by_id(person.id))
    except NotFoundError:
        return (), person.age
    if latest.result.refer:
        reasons = " ".join(flag.told for flag in latest.result.red_flags)
        raise InputError(
            f"the latest assessment ({latest.taken_on}) has red flags; see a clinician "
            f"before changing the programme: {reasons}"
        )
    from hiplab.assess.safety import precautions

    return tuple(precautions(latest.data)), latest.data.person.age


def edit_plan(*, store: Store, plan_id: int, edit: Edit) -> StoredPlan:
    """Apply a coach's edit to a stored plan, in place and in one transaction.

    The edit is checked against the precautions of the person's latest assessment
    (see :mod:`hiplab.plan.edit` for what swaps and dose changes do).

    Raises
    ------
    InputError
        If the edit is not allowed (the message names the field, the value and what
        is allowed, or the precautions it breaks); the plan is then unchanged.
    NotFoundError
        If the plan does not exist.

    """
    from hiplab.plan.edit import apply_edit

    person = store.people.get(person=PersonRef.by_id(store.plans.owner(plan_id=plan_id)))
    precautions, age = _safety(store, person)
    lib = library()

    def change(programme: Programme) -> Programme:
        return apply_edit(programme, edit, library=lib, precautions=precautions, age=age)

    return store.plans.update(plan_id=plan_id, change=change)


def item_choices(*, store: Store, plan_id: int, week: int, item: int) -> ItemChoices:
    """Return an item of a plan with the variants it may be swapped for (and refusals)."""
    from hiplab.plan.edit import locate, swap_choices

    plan = store.plans.get(plan_id=plan_id)
    found, index = locate(plan.programme, week=week, item=item)
    planned = found.session.items[index]
    person = store.people.get(person=PersonRef.by_id(store.plans.owner(plan_id=plan_id)))
    precautions, _age = _safety(store, person)
    lib = library()
    choices = swap_choices(
        lib.exercises[planned.exercise_id],
        library=lib,
        precautions=precautions,
        side=planned.side,
    )
    return ItemChoices(plan=plan, week=week, item=item, planned=planned, choices=tuple(choices))


# -------------------------------------------------------------------- sessions
def todays_session(*, store: Store, person_id: int, week: int | None = None) -> GuidedSession:
    """Return the session to run now from the person's latest plan (as ``hiplab session``).

    Raises
    ------
    NotFoundError
        If the person has no plan.
    InputError
        If the plan is a referral or ``week`` is out of range.

    """
    from hiplab.session.service import session_of_plan

    plan = store.plans.latest(
        person=PersonRef.by_id(person_id)
    )  # by id: names are only unique per coach
    return session_of_plan(store=store, library=library(), stored=plan, week=week)


def planned_seconds(items: tuple[PlanItem, ...]) -> tuple[int, ...]:
    """Return each item's planned work seconds, as the CLI's session log counts them."""
    from hiplab.session.ui import plan_engine

    return tuple(round(seconds) for seconds in plan_engine(items).planned_s)


def session_script(guided: GuidedSession) -> dict[str, Any]:
    """Return what the browser's session timer runs: items and timed steps with cues.

    The steps are the CLI engine's (:func:`hiplab.session.ui.plan_engine`), so a
    session takes the same time in the browser as in the terminal; ``label`` is the
    step's one-line description and ``cue`` what the voice says when it starts.
    """
    from hiplab.report._plan_format import dose_text
    from hiplab.session.engine import Event, describe
    from hiplab.session.ui import plan_engine
    from hiplab.session.voice import cue_text

    engine = plan_engine(guided.items)
    items = guided.items
    return {
        "plan_id": guided.plan_id,
        "week": guided.week,
        "items": [
            {
                "name": item.name,
                "side": item.side,
                "dose": dose_text(item),
                "planned_s": round(planned),
                "how": list(guided.instructions.get(item.exercise_id, ())),
            }
            for item, planned in zip(items, engine.planned_s, strict=True)
        ],
        "steps": [
            {
                "kind": step.kind,
                "item": step.item_index,
                "seconds": step.duration_s,
                "set": step.set_no,
                "sets": step.sets,
                "side": step.side,
                "reps": step.reps,
                "label": describe(step, items),
                "cue": cue_text(Event("step_started", n, step), items),
            }
            for n, step in enumerate(engine.steps)
        ],
    }


def parse_score(field: str, raw: str) -> int | None:
    """Return a 0–10 answer typed in a form, None when left blank.

    Raises
    ------
    InputError
        Naming the field and the value when it is not a whole number from 0 to 10.

    """
    text = raw.strip()
    if not text:
        return None
    low, high = SCORE_RANGE
    if not text.isdigit() or not low <= int(text) <= high:
        raise InputError(
            f"{field} {text!r} is not allowed; allowed: a whole number {low} to {high}"
        )
    return int(text)


def _plan_of(store: Store, plan_id: int, person: PersonRecord) -> StoredPlan:
    if store.plans.owner(plan_id=plan_id) != person.id:
        raise NotFoundError(f"no plan with id {plan_id}")  # someone else's: as if missing
    return store.plans.get(plan_id=plan_id)


def _item_log(item: PlanItem, planned_s: int, outcome: ItemOutcome, n: int) -> ItemLog:
    """Return one item's log, its seconds normalised as the CLI engine's log does."""
    from hiplab.records.programme import ItemLog

    if outcome.status not in ITEM_STATUSES:
        raise InputError(
            f"items[{n}].status {outcome.status!r} is not allowed; "
            f"allowed: {', '.join(ITEM_STATUSES)}"
        )
    if not math.isfinite(outcome.done_s) or outcome.done_s < 0:
        raise InputError(f"items[{n}].done_s {outcome.done_s} is not allowed; allowed: 0 or more")
    if outcome.status == "done":
        done_s = planned_s
    else:  # as SessionEngine.log: whole seconds, below the plan unless done
        done_s = max(0, min(planned_s - 1, math.floor(outcome.done_s + 1e-6)))
    return ItemLog(
        exercise_id=item.exercise_id,
        side=item.side,
        planned_s=planned_s,
        done_s=done_s,
        status=outcome.status,  # checked above
    )


def _week_items(plan: StoredPlan, week: int) -> tuple[PlanItem, ...]:
    weeks = {w.week: w for w in plan.programme.weeks}
    if week not in weeks:
        allowed = f"{min(weeks)} to {max(weeks)}" if weeks else "none"
        raise InputError(f"week {week} is not in plan {plan.id}; allowed: {allowed}")
    return weeks[week].session.items


def session_log(plan: StoredPlan, entry: SessionEntry) -> SessionLog:
    """Return the log of a session of ``plan`` as the CLI stores it.

    Raises
    ------
    InputError
        If the week is not in the plan, the items do not match the week's items one
        for one, an item's status or seconds, or a score is not allowed.

    """
    from hiplab.records.programme import SessionLog

    items = _week_items(plan, entry.week)
    if len(entry.items) != len(items):
        raise InputError(
            f"items has {len(entry.items)} entries; week {entry.week} of plan {plan.id} "
            f"has {len(items)} items"
        )
    for name, value in (("discomfort", entry.discomfort), ("effort", entry.effort)):
        if value is not None and not SCORE_RANGE[0] <= value <= SCORE_RANGE[1]:
            raise InputError(f"{name} {value} is not allowed; allowed: 0 to 10 or none")
    planned = planned_seconds(items)
    logs = tuple(
        _item_log(item, seconds, outcome, n)
        for n, (item, seconds, outcome) in enumerate(zip(items, planned, entry.items, strict=True))
    )
    return SessionLog(
        person=plan.person_name,
        plan_id=plan.id,
        week=entry.week,
        started_at=entry.started_at,
        finished_at=entry.finished_at,
        items=logs,
        discomfort=entry.discomfort,
        effort=entry.effort,
        quit_early=entry.quit_early,
    )


def log_session(*, store: Store, person_id: int, entry: SessionEntry) -> int:
    """Check a session against its plan and store it as ``hiplab session`` does.

    Raises
    ------
    InputError
        If the entry does not fit the plan (see :func:`session_log`) or a time is
        not ISO 8601 or the session ends before it starts.
    NotFoundError
        If the person or the plan (of this person) does not exist.

    """
    from hiplab.session.service import record_session

    person = store.people.get(person=PersonRef.by_id(person_id))
    plan = _plan_of(store, entry.plan_id, person)
    return record_session(store=store, log=session_log(plan, entry), person_id=person.id)


def log_checklist(*, store: Store, person_id: int, checklist: Checklist) -> int:
    """Store a session logged as a checklist (the session page without JavaScript).

    The items ticked are done in full, the others skipped.

    Raises
    ------
    InputError
        If an item number is not in the week, or as :func:`log_session`.
    NotFoundError
        If the person or the plan (of this person) does not exist.

    """
    from hiplab.session.service import record_session

    person = store.people.get(person=PersonRef.by_id(person_id))
    plan = _plan_of(store, checklist.plan_id, person)
    week, done = checklist.week, checklist.done
    items = _week_items(plan, week)
    for number in sorted(done):
        if not 1 <= number <= len(items):
            raise InputError(
                f"done {number} is not an item of week {week}; allowed: 1 to {len(items)}"
            )
    outcomes = tuple(
        ItemOutcome("done", seconds) if n in done else ItemOutcome("skipped", 0.0)
        for n, seconds in enumerate(planned_seconds(items), start=1)
    )
    entry = SessionEntry(
        plan_id=checklist.plan_id,
        week=week,
        started_at=checklist.started_at,
        finished_at=checklist.finished_at,
        items=outcomes,
        discomfort=checklist.discomfort,
        effort=checklist.effort,
    )
    return record_session(store=store, log=session_log(plan, entry), person_id=person.id)


def session_history(*, store: Store, person_id: int, today: date) -> SessionHistory:
    """Return a person's logged sessions, newest first, and their adherence in words."""
    from hiplab.progress.build import session_day
    from hiplab.services.clinic import adherence_of

    person = store.people.get(person=PersonRef.by_id(person_id))
    rows = [
        SessionRow(
            id=stored.id,
            day=session_day(stored),
            plan_id=stored.log.plan_id,
            week=stored.log.week,
            completion=stored.log.completion,
            done=sum(1 for i in stored.log.items if i.status == "done"),
            skipped=sum(1 for i in stored.log.items if i.status == "skipped"),
            items=len(stored.log.items),
            discomfort=stored.log.discomfort,
            effort=stored.log.effort,
            quit_early=stored.log.quit_early,
        )
        for stored in store.logs.of_person(person=PersonRef.by_id(person.id))
    ]
    words, ratio = adherence_of(store, person, today=today)
    return SessionHistory(rows=tuple(reversed(rows)), adherence=words, adherence_ratio=ratio)
