"""Pure functions that build a :class:`~hiplab.progress.models.ProgressReport`.

Each function takes plain typed values (store read models, library definitions)
and an ``as_of`` date; nothing here reads the clock, the disk or the store, so
every step is testable with literal values. :func:`gather_progress` is the one
place that reads the store.

Examples
--------
>>> from hiplab.library import default_library
>>> test = default_library().tests["hip_internal_rotation"]
>>> classify(before=30.0, after=33.0, test=test).verdict  # 3° < MDC 5.4°
'no real change'
>>> classify(before=30.0, after=36.0, test=test).verdict
'real change'

"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise
from statistics import fmean
from typing import TYPE_CHECKING, Protocol

from hiplab.assess.evaluate import select_norm
from hiplab.assess.run import DISCLAIMER
from hiplab.progress.models import (
    Adherence,
    PainPoint,
    PainTrend,
    Point,
    ProgressReport,
    SideName,
    SideSeries,
    TestProgress,
    Trend,
    ValueChange,
    Verdict,
    WeekAdherence,
)
from hiplab.records.refs import PersonRef

if TYPE_CHECKING:
    from hiplab.library.loader import Library
    from hiplab.library.models import TestDef
    from hiplab.records.intake import AssessmentInput, Person
    from hiplab.store.models import (
        StoredPlan,
        StoredSessionLog,
        StoredTestResult,
    )
    from hiplab.store.store import Store

DAYS_PER_WEEK = 7
DAY = timedelta(days=1)
_SIDE_ORDER = {"left": 0, "right": 1, None: 2}


class Assessed(Protocol):
    """What progress reads of an assessment: its date and its input (never its result).

    A :class:`~hiplab.store.models.StoredAssessment` is one, and so is the lighter
    :class:`~hiplab.store.AssessedInput` that :func:`gather_progress` reads.
    """

    @property
    def taken_on(self) -> date:
        """The day of the assessment."""

    @property
    def data(self) -> AssessmentInput:
        """The assessment's input: the person and the symptoms are used."""


def classify(
    *, before: float, after: float, test: TestDef, start: date = date.min, end: date = date.min
) -> ValueChange:
    """Judge one change of a test's value against its measurement error.

    Parameters
    ----------
    before, after : float
        The earlier and the later value.
    test : TestDef
        The library test: its ``error.mdc`` and ``direction`` are used.
    start, end : date
        The days of the two values (``date.min`` when they do not matter).

    Returns
    -------
    ValueChange
        The change, its verdict and its trend.

    """
    delta = round(after - before, 6)
    verdict: Verdict
    if test.error is None:
        verdict = "no error estimate"
    else:
        verdict = "real change" if abs(delta) > test.error.mdc else "no real change"
    trend: Trend | None = None
    if delta != 0:
        improved = delta > 0 if test.direction == "higher_is_better" else delta < 0
        trend = "better" if improved else "worse"
    return ValueChange(
        start=start,
        end=end,
        before=before,
        after=after,
        delta=delta,
        verdict=verdict,
        trend=trend,
    )


def change_between(first: Point, second: Point, test: TestDef) -> ValueChange:
    """Return the classified change from ``first`` to ``second``.

    Parameters
    ----------
    first, second : Point
        Two measurements of the same test and side, ``first`` the earlier.
    test : TestDef
        The library test.

    Returns
    -------
    ValueChange
        The change with its dates, verdict and trend.

    """
    return classify(
        before=first.value,
        after=second.value,
        test=test,
        start=first.taken_on,
        end=second.taken_on,
    )


def side_series(side: SideName | None, points: Sequence[Point], test: TestDef) -> SideSeries:
    """Build one side's series: its points, consecutive changes and overall change.

    Parameters
    ----------
    side : {"left", "right"} or None
        The side, None for unsided tests.
    points : sequence of Point
        The measurements, oldest first.
    test : TestDef
        The library test.

    Returns
    -------
    SideSeries
        The series.

    """
    changes = tuple(change_between(a, b, test) for a, b in pairwise(points))
    overall = change_between(points[0], points[-1], test) if len(points) > 1 else None
    return SideSeries(side=side, points=tuple(points), changes=changes, overall=overall)


def progress_of_test(
    test: TestDef, results: Iterable[StoredTestResult], person: Person | None
) -> TestProgress:
    """Build one test's progress from its stored values.

    Parameters
    ----------
    test : TestDef
        A numeric library test (direction not ``"flag"``).
    results : iterable of StoredTestResult
        The person's values of this test, oldest first.
    person : Person or None
        Whose norm to use (latest age and sex); None gives no norm band.

    Returns
    -------
    TestProgress
        The norm band, the error and one series per measured side.

    """
    if test.direction == "flag":
        raise ValueError(f"test {test.id!r} is a yes/no sign; it has no series")
    by_side: dict[SideName | None, list[Point]] = defaultdict(list)
    for row in results:
        point = Point(taken_on=row.taken_on, value=row.value, assessment_id=row.assessment_id)
        by_side[row.side].append(point)
    norm = select_norm(test, person) if person is not None else None
    sides = sorted(by_side, key=lambda side: _SIDE_ORDER[side])
    return TestProgress(
        test=test.id,
        name=test.name,
        unit=test.unit,
        direction=test.direction,
        limit=norm.limit if norm else None,
        typical=norm.typical if norm else None,
        mdc=test.error.mdc if test.error else None,
        side_threshold=test.error.side_threshold if test.error else None,
        sides=tuple(side_series(side, by_side[side], test) for side in sides),
    )


def progress_of_tests(
    results: Sequence[StoredTestResult], library: Library, person: Person | None
) -> tuple[tuple[TestProgress, ...], tuple[str, ...]]:
    """Build the progress of every measured numeric test, in library order.

    Parameters
    ----------
    results : sequence of StoredTestResult
        Every stored value of the person, oldest first.
    library : Library
        The test definitions.
    person : Person or None
        Whose norms to use.

    Returns
    -------
    tuple
        The tests' progress, and the ids of measured tests left out (yes/no signs
        and ids unknown to the library), sorted.

    """
    by_test: dict[str, list[StoredTestResult]] = defaultdict(list)
    for row in results:
        by_test[row.test].append(row)
    numeric = [t for t in library.tests.values() if t.direction != "flag" and t.id in by_test]
    skipped = sorted(set(by_test) - {t.id for t in numeric})
    return tuple(progress_of_test(t, by_test[t.id], person) for t in numeric), tuple(skipped)


def session_day(stored: StoredSessionLog) -> date:
    """Return the calendar day a session started, in the time zone it was logged in.

    Parameters
    ----------
    stored : StoredSessionLog
        A saved log (its ``started_at`` is ISO 8601, checked when it was saved).

    Returns
    -------
    date
        The local date of ``started_at``.

    """
    return datetime.fromisoformat(stored.log.started_at).date()


def plan_start_day(plan: StoredPlan) -> date:
    """Return the local calendar day a plan was created on: the first day of its week 1.

    Parameters
    ----------
    plan : StoredPlan
        The plan; ``created_at`` is stored in UTC.

    Returns
    -------
    date
        ``created_at`` in the computer's local time zone, as a date (session days
        are local days too).

    """
    return plan.created_at.astimezone().date()


def plan_sessions(
    plan: StoredPlan, logs: Iterable[StoredSessionLog], *, as_of: date
) -> list[StoredSessionLog]:
    """Return the sessions that count for a plan, up to ``as_of``.

    Parameters
    ----------
    plan : StoredPlan
        The plan.
    logs : iterable of StoredSessionLog
        The person's logs.
    as_of : date
        Later sessions are left out.

    Returns
    -------
    list of StoredSessionLog
        Logs stored against this plan, or against no plan, that started within the
        plan's weeks and on or before ``as_of``.

    """
    start = plan_start_day(plan)
    end = min(start + timedelta(days=DAYS_PER_WEEK * len(plan.programme.weeks)), as_of + DAY)
    return [
        stored
        for stored in logs
        if stored.log.plan_id in (plan.id, None) and start <= session_day(stored) < end
    ]


def week_counts(plan: StoredPlan, days: Sequence[date], *, as_of: date) -> list[WeekAdherence]:
    """Count sessions per plan week, from week 1 to the week holding ``as_of``.

    Parameters
    ----------
    plan : StoredPlan
        The plan; its length caps the weeks.
    days : sequence of date
        The day of every counted session.
    as_of : date
        The day the counting stops.

    Returns
    -------
    list of WeekAdherence
        One entry per started week, the unfinished one last.

    """
    start = plan_start_day(plan)
    elapsed_days = (as_of - start).days
    if elapsed_days < 0:
        return []
    started = min(elapsed_days // DAYS_PER_WEEK + 1, len(plan.programme.weeks))
    weeks = []
    for number in range(1, started + 1):
        first = start + timedelta(days=DAYS_PER_WEEK * (number - 1))
        last = first + timedelta(days=DAYS_PER_WEEK)
        weeks.append(
            WeekAdherence(
                week=number,
                start=first,
                done=sum(1 for day in days if first <= day < last),
                target=plan.programme.sessions_per_week,
                finished=last <= as_of,
            )
        )
    return weeks


def streak(weeks: Sequence[WeekAdherence]) -> int:
    """Return the current run of weeks that met their target.

    Parameters
    ----------
    weeks : sequence of WeekAdherence
        Weeks in order; an unfinished week can only add to the run, not break it.

    Returns
    -------
    int
        The number of latest consecutive weeks that met the target.

    """
    run = 0
    for week in reversed(weeks):
        if week.met:
            run += 1
        elif week.finished:
            break
    return run


def adherence(
    plan: StoredPlan, logs: Iterable[StoredSessionLog], *, as_of: date
) -> Adherence | None:
    """Compare the sessions done with the sessions a plan asked for.

    Parameters
    ----------
    plan : StoredPlan
        The plan (its ``created_at`` day starts week 1).
    logs : iterable of StoredSessionLog
        The person's session logs.
    as_of : date
        The day to count up to (today in the CLI).

    Returns
    -------
    Adherence or None
        None when the plan was created after ``as_of``.

    """
    if as_of < plan_start_day(plan):
        return None
    sessions = plan_sessions(plan, logs, as_of=as_of)
    weeks = week_counts(plan, [session_day(s) for s in sessions], as_of=as_of)
    finished = [week for week in weeks if week.finished]
    per_week = plan.programme.sessions_per_week
    return Adherence(
        plan_id=plan.id,
        block=plan.block,
        created_on=plan_start_day(plan),
        sessions_per_week=per_week,
        plan_weeks=len(plan.programme.weeks),
        weeks_elapsed=len(finished),
        planned=per_week * len(finished),
        done=sum(week.done for week in finished),
        streak_weeks=streak(weeks),
        mean_completion=fmean(s.log.completion for s in sessions) if sessions else None,
        weeks=tuple(weeks),
    )


def _daily_max(pairs: Iterable[tuple[date, int]]) -> tuple[PainPoint, ...]:
    highest: dict[date, int] = {}
    for day, pain in pairs:
        highest[day] = max(pain, highest.get(day, pain))
    return tuple(PainPoint(on=day, pain=highest[day]) for day in sorted(highest))


def pain_trend(
    assessments: Iterable[Assessed], logs: Iterable[StoredSessionLog], *, as_of: date
) -> PainTrend:
    """Collect the highest pain per assessment day and the discomfort per session day.

    Parameters
    ----------
    assessments : iterable of Assessed
        Their symptoms' ``pain`` (0–10); no symptoms counts as 0.
    logs : iterable of StoredSessionLog
        Their ``discomfort`` (0–10) when it was given.
    as_of : date
        Later days are left out.

    Returns
    -------
    PainTrend
        Both series, oldest first, one point per day (the day's highest value).

    """
    assessed = (
        (a.taken_on, max((s.pain for s in a.data.symptoms), default=0))
        for a in assessments
        if a.taken_on <= as_of
    )
    sessions = (
        (session_day(s), s.log.discomfort)
        for s in logs
        if s.log.discomfort is not None and session_day(s) <= as_of
    )
    return PainTrend(assessments=_daily_max(assessed), sessions=_daily_max(sessions))


def latest_plan_as_of(plans: Sequence[StoredPlan], as_of: date) -> StoredPlan | None:
    """Return the newest plan created on or before ``as_of``, or None.

    Parameters
    ----------
    plans : sequence of StoredPlan
        The person's plans, oldest first.
    as_of : date
        The reference day.

    Returns
    -------
    StoredPlan or None
        The plan in force on ``as_of``.

    """
    current = [plan for plan in plans if plan_start_day(plan) <= as_of]
    return current[-1] if current else None


def build_progress(
    *,
    person_name: str,
    results: Sequence[StoredTestResult],
    assessments: Sequence[Assessed],
    plans: Sequence[StoredPlan],
    logs: Sequence[StoredSessionLog],
    library: Library,
    as_of: date,
) -> ProgressReport:
    """Build a person's progress report from their stored data.

    Parameters
    ----------
    person_name : str
        The name shown in the report.
    results, assessments, plans, logs : sequences
        The person's stored test values, assessments, plans and session logs,
        each oldest first (as the store returns them).
    library : Library
        The test definitions (names, units, norms, measurement error).
    as_of : date
        The day the report is made for; anything later is left out.

    Returns
    -------
    ProgressReport
        The typed report the renderers draw.

    """
    assessed = [a for a in assessments if a.taken_on <= as_of]
    person = assessed[-1].data.person if assessed else None
    tests, skipped = progress_of_tests([r for r in results if r.taken_on <= as_of], library, person)
    plan = latest_plan_as_of(plans, as_of)
    return ProgressReport(
        person=person_name,
        as_of=as_of,
        tests=tests,
        skipped_tests=skipped,
        adherence=adherence(plan, logs, as_of=as_of) if plan is not None else None,
        pain=pain_trend(assessed, logs, as_of=as_of),
        disclaimer=DISCLAIMER,
    )


def gather_progress(
    *,
    store: Store,
    library: Library,
    as_of: date,
    person_name: str | None = None,
    person_id: int | None = None,
) -> ProgressReport:
    """Read a person's data from the store and build their progress report.

    Parameters
    ----------
    store : Store
        An open store.
    library : Library
        The test definitions.
    as_of : date
        The day the report is made for.
    person_name : str, optional
        The person's name, as saved (the command line's way).
    person_id : int, optional
        The person's id (the web app's way); give this or ``person_name``.

    Returns
    -------
    ProgressReport
        The report.

    Raises
    ------
    NotFoundError
        If there is no such person (for a name the message suggests close names).
    InputError
        If several people have the name (clients of different coaches).

    """
    # a name is resolved by the store: close names on a miss, refused when shared
    with store.reading() as uow:  # one snapshot for every read
        person = store.people.get(person=PersonRef.of(id=person_id, name=person_name), uow=uow)
        who = PersonRef.by_id(person.id)
        results = store.assessments.test_results(person=who, uow=uow)
        assessments = store.assessments.inputs(person=who, uow=uow)
        plans = store.plans.of_person(person=who, uow=uow)
        logs = store.logs.of_person(person=who, uow=uow)
    return build_progress(
        person_name=person.name,
        results=results,
        assessments=assessments,
        plans=plans,
        logs=logs,
        library=library,
        as_of=as_of,
    )
