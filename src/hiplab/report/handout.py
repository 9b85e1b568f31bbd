"""A standalone, printable handout of a multi-week programme.

:func:`render_plan_html` turns a :class:`~hiplab.records.programme.Programme` into
small view records (plain strings and trusted SVG) and renders them with the
Jinja2 template ``templates/plan.html.j2`` (autoescaped). The page has no
external assets: CSS and stick figures are inline, so it can be saved, mailed,
opened on a phone or printed on A4 (see :func:`hiplab.report.pdf.render_pdf`).

A referral programme shows a red banner with the reason and no exercises:
no week table, no progression and no exercise cards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from hiplab.library.loader import Library
from hiplab.records.programme import Change, PlanItem, Programme, Week
from hiplab.report._format import humanise
from hiplab.report._plan_format import (
    PLAN_SIDE_WORDS,
    VERDICT_WORDS,
    budget_text,
    change_values,
    dose_text,
    fmt_duration,
    programme_names,
    progression_text,
    rest_text,
)
from hiplab.report.html import Picture, SourceView, pictures, template_environment


@dataclass(frozen=True)
class ItemRow:
    """One item of a week in words: a row of the handout's table (the plan page adds to it)."""

    name: str
    phase: str
    side: str
    dose: str
    rest: str
    time: str


@dataclass(frozen=True)
class WeekSummary:
    """A week's number, total time against the budget and progression in words."""

    number: int
    total: str
    over_budget: bool
    progression: tuple[str, ...]


@dataclass(frozen=True)
class WeekView(WeekSummary):
    """A week of the handout: its summary, its table rows and whether it is the re-test week."""

    rows: tuple[ItemRow, ...]
    retest: bool


@dataclass(frozen=True)
class ChangeView:
    """A re-planning note: a re-measured test against the previous block."""

    test: str
    side: str
    values: str
    verdict: str
    verdict_words: str
    text: str


@dataclass(frozen=True)
class DoseLine:
    """The doses of one exercise in one week, one per side when the sides differ."""

    week: str
    doses: tuple[str, ...]


@dataclass(frozen=True)
class PlanCard:
    """An exercise of the programme: pictures, how-to, doses and why it is there."""

    id: str
    name: str
    kind: str
    pictures: tuple[Picture, ...]
    steps: tuple[str, ...]
    mistakes: tuple[str, ...]
    doses: tuple[DoseLine, ...]
    why: tuple[str, ...]
    addresses: tuple[str, ...]
    evidence: str
    sources: tuple[SourceView, ...]


def _finding_label(finding_id: str, library: Library) -> str:
    meaning = library.findings.get(finding_id)
    return meaning.label if meaning else humanise(finding_id)


def item_row(item: PlanItem) -> ItemRow:
    """Return an item's name, phase, side, dose, rest and time in words."""
    return ItemRow(
        name=item.name,
        phase=humanise(item.phase),
        side=PLAN_SIDE_WORDS[item.side],
        dose=dose_text(item),
        rest=f"{item.rest_s} s" if item.rest_s else "none",
        time=fmt_duration(item.duration_s),
    )


def week_summary(week: Week, programme: Programme, names: Mapping[str, str]) -> WeekSummary:
    """Return a week's total against the budget and its progression in words."""
    total = week.session.duration_s
    return WeekSummary(
        number=week.week,
        total=budget_text(total, programme.minutes),
        over_budget=total > programme.minutes * 60,
        progression=tuple(progression_text(step, names) for step in week.progression),
    )


def week_view(week: Week, programme: Programme, names: Mapping[str, str]) -> WeekView:
    """Return one week's summary, table rows and whether it is the re-test week."""
    return WeekView(
        **asdict(week_summary(week, programme, names)),
        rows=tuple(item_row(item) for item in week.session.items),
        retest=week.week == programme.retest_week,
    )


def change_view(change: Change, library: Library) -> ChangeView:
    """Return a re-planning note with the test named as the library names it."""
    test = library.tests.get(change.test)
    return ChangeView(
        test=test.name if test else humanise(change.test),
        side=change.side or "",
        values=change_values(change),
        verdict=change.verdict.replace("_", "-"),
        verdict_words=VERDICT_WORDS[change.verdict],
        text=change.text,
    )


def _sources(source_ids: tuple[str, ...], library: Library) -> tuple[SourceView, ...]:
    out = []
    for source_id in source_ids:
        source = library.sources.get(source_id)
        view = (
            SourceView(source.citation, source.url, source.verified)
            if source
            else SourceView(source_id, None, False)
        )
        out.append(view)
    return tuple(out)


def _week_dose(week: Week, exercise_id: str) -> DoseLine:
    items = [i for i in week.session.items if i.exercise_id == exercise_id]
    parts = [
        (f"{PLAN_SIDE_WORDS[i.side]}: " if i.side else "") + f"{dose_text(i)}, {rest_text(i)}"
        for i in items
    ]
    return DoseLine(week=f"Week {week.week}", doses=tuple(dict.fromkeys(parts)))


def _doses(programme: Programme, exercise_id: str) -> tuple[DoseLine, ...]:
    weeks = [
        w for w in programme.weeks if any(i.exercise_id == exercise_id for i in w.session.items)
    ]
    if not weeks:
        return ()
    first, last = weeks[0], weeks[-1]
    lines = [_week_dose(first, exercise_id)]
    if last is not first:
        lines.append(_week_dose(last, exercise_id))
    return tuple(lines)


def plan_card(programme: Programme, exercise_id: str, library: Library) -> PlanCard:
    """Return the card of one exercise of the programme (library facts if it is known)."""
    items = [i for w in programme.weeks for i in w.session.items if i.exercise_id == exercise_id]
    exercise = library.exercises.get(exercise_id)
    addresses = dict.fromkeys(a for i in items for a in i.addresses)
    return PlanCard(
        id=exercise_id,
        name=exercise.name if exercise else items[0].name,
        kind=humanise(exercise.kind.value if exercise else items[0].kind),
        pictures=pictures(exercise) if exercise else (),
        steps=exercise.steps if exercise else (),
        mistakes=exercise.mistakes if exercise else (),
        doses=_doses(programme, exercise_id),
        why=tuple(dict.fromkeys(i.why for i in items if i.why)),
        addresses=tuple(_finding_label(a, library) for a in addresses),
        evidence=exercise.evidence if exercise else "",
        sources=_sources(exercise.sources, library) if exercise else (),
    )


def _facts(programme: Programme) -> list[tuple[str, str]]:
    facts = [("For", programme.person), ("Block", str(programme.block))]
    if programme.start_date:
        facts.append(("Starts", programme.start_date))
    if not programme.refer:
        facts += [
            ("Sessions a week", str(programme.sessions_per_week)),
            ("Minutes a session", f"up to {programme.minutes}"),
            ("Weeks", str(len(programme.weeks))),
        ]
        if programme.retest_week is not None:
            facts.append(("Re-test", f"week {programme.retest_week}"))
    return facts


def _context(programme: Programme, library: Library) -> dict[str, object]:
    names = {key: ex.name for key, ex in library.exercises.items()} | programme_names(programme)
    exercise_ids = dict.fromkeys(i.exercise_id for w in programme.weeks for i in w.session.items)
    show = not programme.refer
    return {
        "p": programme,
        "facts": _facts(programme),
        "changes": [change_view(c, library) for c in programme.changes],
        "weeks": [week_view(w, programme, names) for w in programme.weeks] if show else [],
        "cards": [plan_card(programme, e, library) for e in exercise_ids] if show else [],
        "not_addressed": [_finding_label(f, library) for f in programme.findings_not_addressed],
        "addressed": [_finding_label(f, library) for f in programme.findings_addressed],
    }


def render_plan_html(programme: Programme, *, library: Library) -> str:
    """Render a programme as a standalone, printable handout.

    Parameters
    ----------
    programme
        The programme to show.
    library
        Library used for the exercises' pictures, steps, mistakes, evidence and
        sources, and to name findings and tests.

    Returns
    -------
    str
        A complete HTML document with inline CSS and SVG: header, disclaimer,
        re-planning notes, precautions, a table per week with its progression,
        and one card per distinct exercise. When ``programme.refer`` is true a
        referral banner with ``programme.reason`` stands in place of every
        exercise.

    Examples
    --------
    >>> from hiplab.library.loader import default_library
    >>> from hiplab.records.programme import Programme, SolverReport
    >>> solver = SolverReport(name="none", status="not_run", objective=None, candidates=0)
    >>> page = render_plan_html(Programme(refer=True, reason="Night pain.", person="Sam",
    ...     sessions_per_week=3, minutes=20, weeks=(), retest_week=None, solver=solver),
    ...     library=default_library())
    >>> "See a clinician first" in page and "exercise-card" not in page
    True

    """
    template = template_environment().get_template("plan.html.j2")
    return template.render(_context(programme, library))
