"""Make a multi-week programme from an assessment: select, lay out, progress, re-plan."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from hiplab.assess.safety import describe, shown
from hiplab.library.loader import Library
from hiplab.library.models import Exercise
from hiplab.plan.build import Progressor, Slot, harder_variant, make_session
from hiplab.plan.optimise import Selection, covered_findings, select
from hiplab.plan.problem import (
    Option,
    Preferences,
    Problem,
    Target,
    TargetKey,
    build_problem,
    exclusion_reason,
    measured_reach,
)
from hiplab.plan.replan import compare
from hiplab.records.assessment import (
    Assessment,
    Precaution,
    Recommendation,
    TestValue,
    most_urgent_first,
)
from hiplab.records.intake import Person
from hiplab.records.programme import Change, Programme, SolverReport, Week

HEADROOM_PER_WEEK = 0.05
MAX_HEADROOM = 0.2

DISCLAIMER = (
    "hiplab is not a diagnosis or a prescription. Stop any exercise that causes sharp or "
    "increasing pain, and follow your clinician's or surgeon's rules where they differ."
)


@dataclass(frozen=True)
class PlanRequest:
    """The person's choices for the block."""

    minutes: int = 15
    sessions_per_week: int = 3
    weeks: int = 4
    equipment: frozenset[str] = frozenset()
    avoid_positions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PreviousBlock:
    """The previous programme and the test values it was planned from."""

    programme: Programme
    values: tuple[TestValue, ...] = field(default=())


def describe_precaution(rule: Precaution) -> str:
    """Return a precaution as one plain sentence, with its reason."""
    return f"{describe(rule)} ({rule.reason})"


def first_week_budget(request: PlanRequest) -> int:
    """Return week 1's time: the budget less room for the block's progression (≤ 20%)."""
    headroom = min(MAX_HEADROOM, HEADROOM_PER_WEEK * (request.weeks - 1))
    return int(request.minutes * 60 * (1 - headroom))


def _finding_sides(keys: Sequence[TargetKey]) -> dict[str, list[str]]:
    sides: dict[str, list[str]] = {}
    for key in keys:
        sides.setdefault(key.subject, [])
        if key.side in ("left", "right") and key.side not in sides[key.subject]:
            sides[key.subject].append(key.side)
    return {f: sorted(v) for f, v in sorted(sides.items())}


def _why(option: Option, library: Library) -> tuple[tuple[str, ...], str]:
    """Say in plain words which findings, on which sides, an item is for."""
    keys = [k for k in option.cover if k.mode != "surround"]
    by_finding = _finding_sides(keys)
    action = "Stretches" if any(k.mode == "stretch" for k in keys) else "Strengthens"
    muscles = ", ".join(library.muscles[m].lay_name for m in option.exercise.targets.primary)
    labels = "; ".join(
        library.findings[f].label_in_sentence + (f" ({' and '.join(sides)})" if sides else "")
        for f, sides in by_finding.items()
        if f in library.findings
    )
    extra = (
        f" Extra set on the {option.extra_side} side, the tighter one." if option.extra_side else ""
    )
    if option.only_side:
        extra += f" Done on the {option.only_side} side only: a precaution rules out the other."
    return tuple(by_finding), f"{action} the {muscles} for: {labels}.{extra}"


def _slots(chosen: Sequence[Option], library: Library) -> list[Slot]:
    out = []
    for option in chosen:
        addresses, why = _why(option, library)
        out.append(
            Slot(
                option.exercise,
                option.dose,
                option.extra_side,
                addresses,
                why,
                only_side=option.only_side,
            )
        )
    return out


def _refer(assessment: Assessment, person: str, request: PlanRequest) -> Programme:
    flags = most_urgent_first(assessment.red_flags)
    reason = "See a clinician before starting. " + " ".join(f.told for f in flags)
    return Programme(
        refer=True,
        reason=reason,
        person=person,
        sessions_per_week=request.sessions_per_week,
        minutes=request.minutes,
        weeks=(),
        retest_week=None,
        solver=SolverReport(name="none", status="not_run", objective=None, candidates=0),
        disclaimer=DISCLAIMER,
    )


def _continue_previous(
    slots: list[Slot],
    previous: PreviousBlock,
    changes: Sequence[Change],
    progress: Progressor,
    library: Library,
) -> list[Slot]:
    """Start continuing exercises at last block's final dose; progress improved ones."""
    last = (
        {i.exercise_id: i for i in previous.programme.weeks[-1].session.items}
        if previous.programme.weeks
        else {}
    )
    improved = {library.tests[c.test].finding for c in changes if c.verdict == "improved"}
    out = list(slots)
    for i, slot in enumerate(slots):
        start = slot
        if slot.exercise.id in last:
            item = last[slot.exercise.id]
            # For a split item this is the other side's item, which carries the base sets.
            dose = slot.dose.model_copy(
                update={
                    "hold_s": item.hold_s,
                    "reps": item.reps,
                    "sets": max(slot.dose.sets, item.sets),
                }
            )
            start = replace(slot, dose=dose)
        if improved & set(slot.addresses):
            start = harder_variant(start, library, progress.allowed, progress.age) or start
        trial = [*out[:i], start, *out[i + 1 :]]
        if make_session(trial).duration_s <= progress.budget_s:
            out = trial
    return out


def _weeks(slots: list[Slot], weeks: int, progress: Progressor) -> tuple[Week, ...]:
    out = [Week(week=1, session=make_session(slots))]
    per_week = math.ceil(len(slots) / max(1, weeks - 1)) if slots else 0
    for n in range(2, weeks + 1):
        slots, steps = progress.week(slots, n, steps=per_week)
        out.append(Week(week=n, session=make_session(slots), progression=tuple(steps)))
    return tuple(out)


def _selection(
    assessment: Assessment, person: Person, library: Library, request: PlanRequest
) -> tuple[Preferences, Selection, Problem]:
    prefs = Preferences(
        request.minutes,
        request.equipment,
        request.avoid_positions,
        person.age,
        measured_reach(assessment, library),
    )
    problem = build_problem(assessment, library, prefs, budget_s=first_week_budget(request))
    return prefs, select(problem, library), problem


def recommended(
    assessment: Assessment, person: Person, library: Library, request: PlanRequest | None = None
) -> list[Recommendation]:
    """Return the exercises a programme for ``request`` starts with, as recommendations.

    The report's list and the plan's first week come from this one selection, so a
    person never reads one list and gets another (for the same time and equipment).
    """
    if assessment.refer:
        return []
    _, selection, _ = _selection(assessment, person, library, request or PlanRequest())
    out = []
    for option in selection.chosen:
        addresses, why = _why(option, library)
        e = option.exercise
        out.append(
            Recommendation(
                exercise_id=e.id,
                name=e.name,
                kind=e.kind.value,
                addresses=addresses,
                why=why,
                only_side=option.only_side,
            )
        )
    return out


def make_programme(
    *,
    assessment: Assessment,
    person: Person,
    library: Library,
    request: PlanRequest,
    label: str,
    previous: PreviousBlock | None = None,
    start_date: str | None = None,
) -> Programme:
    """Return the programme for one assessment (a referral when red flags are present)."""
    if assessment.refer:
        return _refer(assessment, label, request)
    prefs, selection, problem = _selection(assessment, person, library, request)

    def allowed(e: Exercise, side: str | None) -> bool:
        return exclusion_reason(e, assessment.precautions, prefs, side=side) is None

    progress = Progressor(library, allowed, prefs.minutes * 60, person.age)
    slots = _slots(selection.chosen, library)
    changes: list[Change] = []
    if previous is not None:
        changes = compare(previous.values, assessment.values, person=person, library=library)
        slots = _continue_previous(slots, previous, changes, progress, library)
    present = sorted({f.id for f in assessment.findings if f.id != "asymmetry"})
    covered = covered_findings(selection.chosen)
    weeks = _weeks(slots, request.weeks, progress)
    return Programme(
        refer=False,
        reason=_reason(present, covered, library),
        person=label,
        sessions_per_week=request.sessions_per_week,
        minutes=request.minutes,
        weeks=weeks,
        time_note=time_note(
            problem, selection, weeks[0].session.duration_s if weeks else 0, library
        ),
        retest_week=request.weeks,
        findings_addressed=tuple(f for f in present if f in covered),
        findings_not_addressed=tuple(f for f in present if f not in covered),
        precautions=tuple(describe_precaution(p) for p in shown(assessment.precautions)),
        changes=tuple(changes),
        solver=selection.report,
        block=1 if previous is None else previous.programme.block + 1,
        start_date=start_date,
        disclaimer=DISCLAIMER,
    )


IDLE_NOTE_S = 120
TIME_LIMIT_NOTE = (
    "The planner stopped at its {limit}-second limit: this is the best programme it found "
    "in that time, not one proven best, and planning again may choose differently"
)


def time_note(problem: Problem, selection: Selection, used_s: int, library: Library) -> str:
    """Say why part of the time budget is left free, when more than two minutes are.

    A finding that is still under-covered with time to spare is named with the reason
    (no safe exercise for it, or its exercises are already at their most sets); with
    everything covered the note says so. A required stretch that did not fit is named.
    """
    if selection.report.status == "time_limit" and not selection.chosen:
        return (
            f"The planner stopped at its {selection.time_limit_s:g}-second limit before it found a "
            "programme. Plan again; a shorter session is quicker to plan."
        )
    missed = [t for t in problem.targets if t.required and not _touched(t, selection)]
    parts = [f"{_target_words(t, library)} has no safe exercise that fits the time" for t in missed]
    if selection.report.status == "time_limit":
        parts.insert(0, TIME_LIMIT_NOTE.format(limit=f"{selection.time_limit_s:g}"))
    free = problem.budget_s - used_s
    if free > IDLE_NOTE_S:
        short = [t for t in problem.targets if t.mode != "surround" and _cover(t, selection) < 1]
        reason = (
            "every finding already has its full dose"
            if not short
            else "no other safe exercise adds to "
            + "; ".join(_target_words(t, library) for t in short)
        )
        parts.append(f"About {free // 60} min of week 1 are left free: {reason}")
    return ". ".join(parts) + ("." if parts else "")


def _cover(target: Target, selection: Selection) -> float:
    total = sum(o.cover.get(target.key, 0.0) * o.dose.sets for o in selection.chosen)
    return min(1.0, total)


def _touched(target: Target, selection: Selection) -> bool:
    return any(target.key in o.cover for o in selection.chosen)


def _target_words(target: Target, library: Library) -> str:
    spec = library.findings.get(target.finding)
    label = spec.label_in_sentence if spec else "general hip mobility and strength"
    side = f" on the {target.side}" if target.side else ""
    return f"{target.mode} work for {label}{side}"


def _reason(present: Sequence[str], covered: set[str], library: Library) -> str:
    if not present:
        return (
            "No findings outside the norms: a short maintenance block for hip mobility "
            "and glute strength."
        )
    missing = [f for f in present if f not in covered]
    if missing:
        return (
            "Targets the findings within the time budget; not covered (no allowed exercise or no "
            f"time left): {', '.join(_label(f, library) for f in missing)}."
        )
    return "Targets every finding within the time budget."


def _label(finding_id: str, library: Library) -> str:
    spec = library.findings.get(finding_id)
    return spec.label_in_sentence if spec else finding_id.replace("_", " ")
