"""Building the progress report from a real store filled with literal assessments."""

from __future__ import annotations

import doctest
from datetime import date, timedelta

import pytest

import hiplab.progress._axes
import hiplab.progress._format
import hiplab.progress.build
import hiplab.progress.charts
import hiplab.progress.html
import hiplab.web.progress_view
from hiplab.errors import NotFoundError
from hiplab.library.loader import default_library
from hiplab.progress.build import build_progress, classify, gather_progress, progress_of_test
from hiplab.progress.models import ProgressReport, TestProgress
from hiplab.records.intake import Person, Sex
from hiplab.store import PersonRef, StoredTestResult
from tests.progress.conftest import PERSON, Filled, at, save_visits
from tests.store.builders import make_log

LIBRARY = default_library()


def report_of(filled: Filled, as_of: date) -> ProgressReport:
    return gather_progress(store=filled.store, person_name=PERSON, library=LIBRARY, as_of=as_of)


def by_id(report: ProgressReport, test_id: str) -> TestProgress:
    [test] = [t for t in report.tests if t.test == test_id]
    return test


def verdicts(test: TestProgress, side: str) -> list[tuple[float, str, str | None]]:
    [series] = [s for s in test.sides if s.side == side]
    return [(c.delta, c.verdict, c.trend) for c in series.changes]


def test_changes_are_judged_against_the_mdc(filled: Filled) -> None:
    report = report_of(filled, filled.start + timedelta(days=17))

    assert [t.test for t in report.tests] == [
        "thomas_thigh_angle",
        "hip_internal_rotation",
        "hip_external_rotation",
        "knee_to_wall",
    ]
    assert report.skipped_tests == ("thomas_thigh_abduction",)
    internal = by_id(report, "hip_internal_rotation")
    assert verdicts(internal, "left") == [
        (3.0, "no real change", "better"),  # 3° < MDC 5.4°
        (6.0, "real change", "better"),  # 6° > 5.4°
    ]
    assert verdicts(internal, "right") == [
        (0.0, "no real change", None),
        (1.0, "no real change", "better"),
    ]
    assert verdicts(by_id(report, "hip_external_rotation"), "left") == [
        (9.0, "real change", "better"),
        (1.0, "no real change", "better"),
    ]
    thomas = by_id(report, "thomas_thigh_angle")
    assert verdicts(thomas, "left") == [
        (-4.0, "no real change", "better"),  # lower is better; 4° < 5°
        (-6.0, "real change", "better"),
    ]
    [left] = [s for s in thomas.sides if s.side == "left"]
    assert left.overall is not None
    assert (left.overall.delta, left.overall.verdict) == (-10.0, "real change")
    assert verdicts(by_id(report, "knee_to_wall"), "left") == [
        (2.5, "real change", "better"),
        (0.5, "no real change", "better"),
    ]


def test_norm_band_and_error_come_from_the_library(filled: Filled) -> None:
    report = report_of(filled, filled.start)
    internal = by_id(report, "hip_internal_rotation")
    assert (internal.limit, internal.typical, internal.mdc, internal.unit) == (
        30.0,
        35.2,
        5.4,
        "deg",
    )
    assert internal.direction == "higher_is_better"
    thomas = by_id(report, "thomas_thigh_angle")
    assert (thomas.limit, thomas.typical, thomas.mdc, thomas.direction) == (
        0.0,
        -10.0,
        5.0,
        "lower_is_better",
    )
    wall = by_id(report, "knee_to_wall")
    assert (wall.mdc, wall.side_threshold) == (1.9, 1.5)
    [left] = [s for s in internal.sides if s.side == "left"]
    assert [(p.taken_on, p.value) for p in left.points] == [
        (date(2024, 1, 10), 28.0),
        (date(2024, 2, 20), 31.0),
        (date(2024, 4, 2), 37.0),
    ]
    assert [p.assessment_id for p in left.points] == filled.assessment_ids


@pytest.mark.parametrize(
    ("test_id", "before", "after", "verdict", "trend"),
    [
        ("hip_internal_rotation", 30.0, 35.4, "no real change", "better"),  # exactly the MDC
        ("hip_internal_rotation", 30.0, 35.5, "real change", "better"),
        ("hip_internal_rotation", 36.0, 30.0, "real change", "worse"),
        ("thomas_thigh_angle", 10.0, -10.0, "real change", "better"),  # 20° > 5°
        ("thomas_thigh_angle", -10.0, -6.0, "no real change", "worse"),  # 4° < 5°
        ("deep_squat_fms", 1.0, 3.0, "no error estimate", "better"),
    ],
)
def test_classify(test_id: str, before: float, after: float, verdict: str, trend: str) -> None:
    change = classify(before=before, after=after, test=LIBRARY.tests[test_id])
    assert (change.verdict, change.trend) == (verdict, trend)
    assert change.delta == pytest.approx(after - before)


@pytest.mark.parametrize(("sex", "typical"), [(Sex.female, 16.7), (Sex.male, 13.5)])
def test_norm_follows_the_persons_sex(sex: Sex, typical: float) -> None:
    rows = [
        StoredTestResult(
            assessment_id=1,
            taken_on=date(2024, 1, 1),
            test="hip_extension",
            side="right",
            value=8.0,
            unit="deg",
            provenance="self",
        )
    ]
    # the sex-specific norms come from adults aged 45–69
    test = progress_of_test(LIBRARY.tests["hip_extension"], rows, Person(age=50, sex=sex))
    assert (test.limit, test.typical) == (10.0, typical)
    assert test.sides[0].changes == ()
    assert test.sides[0].overall is None


@pytest.mark.parametrize(
    ("day", "elapsed", "planned", "done", "streak", "weeks"),
    [
        (6, 0, 0, 0, 1, [(3, False)]),  # week 1 not over, but its target is met
        (7, 1, 3, 3, 1, [(3, True), (0, False)]),
        (17, 2, 6, 5, 0, [(3, True), (2, True), (2, False)]),  # week 2 missed
        (100, 4, 12, 7, 0, [(3, True), (2, True), (2, True), (0, True)]),  # capped at 4 weeks
    ],
)
def test_adherence_as_of(
    filled: Filled, day: int, elapsed: int, planned: int, done: int, streak: int, weeks: list
) -> None:
    adherence = report_of(filled, filled.start + timedelta(days=day)).adherence

    assert adherence is not None
    assert adherence.plan_id == filled.plan_id
    assert (adherence.sessions_per_week, adherence.plan_weeks) == (3, 4)
    assert (adherence.weeks_elapsed, adherence.planned, adherence.done) == (elapsed, planned, done)
    assert adherence.ratio == (done / planned if planned else None)
    assert adherence.streak_weeks == streak
    assert [(w.done, w.finished) for w in adherence.weeks] == weeks
    assert adherence.weeks[0].start == filled.start


def test_mean_completion_and_sessions_without_a_plan(filled: Filled) -> None:
    # A session logged without a plan id inside the plan's weeks counts for the plan.
    extra = filled.start + timedelta(days=15)
    filled.store.logs.save(
        log=make_log(person=PERSON, started_at=at(extra), finished_at=at(extra, 19), done_s=60),
        person=PersonRef.named(PERSON),
    )

    adherence = report_of(filled, filled.start + timedelta(days=17)).adherence

    assert adherence is not None
    assert [w.done for w in adherence.weeks] == [3, 2, 3]
    assert adherence.streak_weeks == 1  # week 3 already met, week 2 missed
    # Sessions 1 and 5 did 45 of 60 s; the other six were complete.
    assert adherence.mean_completion == pytest.approx((2 * 0.75 + 6 * 1.0) / 8)


def test_no_adherence_before_the_plan_exists(filled: Filled) -> None:
    assert report_of(filled, filled.start - timedelta(days=1)).adherence is None


def test_pain_trend(filled: Filled) -> None:
    pain = report_of(filled, filled.start + timedelta(days=9)).pain

    assert [(p.on, p.pain) for p in pain.assessments] == [
        (date(2024, 1, 10), 5),
        (date(2024, 2, 20), 3),
        (date(2024, 4, 2), 0),  # no symptoms: pain 0
    ]
    days = [(p.on - filled.start).days for p in pain.sessions]
    assert days == [0, 2, 4, 8]  # later sessions are after as_of
    assert [p.pain for p in pain.sessions] == [4, 4, 3, 3]


def test_as_of_leaves_later_assessments_out(filled: Filled) -> None:
    report = report_of(filled, date(2024, 2, 1))

    internal = by_id(report, "hip_internal_rotation")
    assert [len(s.points) for s in internal.sides] == [1, 1]
    assert all(s.changes == () and s.overall is None for s in internal.sides)
    assert [p.on for p in report.pain.assessments] == [date(2024, 1, 10)]
    assert report.adherence is None


def test_unknown_person_suggests_a_name(filled: Filled) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'Alice Example'"):
        gather_progress(
            store=filled.store, person_name="Alice Exampel", library=LIBRARY, as_of=date.today()
        )


def test_a_person_without_plan_or_symptoms(sqlite_url: str) -> None:
    from hiplab.store import open_store

    with open_store(sqlite_url) as store:
        save_visits(store, [{"date": "2024-01-10", "ir": (30.0, 31.0), "er": (40.0, 40.0),
                             "thomas": (0.0, 0.0), "ktw": (10.0, 10.0), "pain": []}])  # fmt: skip
        report = gather_progress(
            store=store, person_name=PERSON, library=LIBRARY, as_of=date(2024, 6, 1)
        )
    assert report.adherence is None
    assert [(p.on, p.pain) for p in report.pain.assessments] == [(date(2024, 1, 10), 0)]
    assert report.pain.sessions == ()
    assert all(len(s.points) == 1 for t in report.tests for s in t.sides)


@pytest.mark.parametrize(
    "module",
    [
        hiplab.progress.build,
        hiplab.progress._format,
        hiplab.progress._axes,
        hiplab.progress.charts,
        hiplab.progress.html,
        hiplab.web.progress_view,
    ],
)
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0


def test_the_light_read_gives_the_report_the_full_assessments_give(filled: Filled) -> None:
    store = filled.store
    as_of = filled.start + timedelta(days=17)
    full = build_progress(
        person_name=PERSON,
        results=store.assessments.test_results(person=PersonRef.named(PERSON)),
        assessments=store.assessments.of_person(person=PersonRef.named(PERSON)),
        plans=store.plans.of_person(person=PersonRef.named(PERSON)),
        logs=store.logs.of_person(person=PersonRef.named(PERSON)),
        library=LIBRARY,
        as_of=as_of,
    )
    assert report_of(filled, as_of) == full
    inputs = store.assessments.inputs(person=PersonRef.named(f"  {PERSON} "))
    stored = store.assessments.of_person(person=PersonRef.named(PERSON))
    assert [(a.id, a.taken_on, a.data) for a in inputs] == [
        (a.id, a.taken_on, a.data) for a in stored
    ]
    assert store.assessments.inputs(person=PersonRef.named("Nobody")) == []
