from __future__ import annotations

import pytest

from hiplab.assess.parse import validate
from hiplab.assess.safety import precautions, violations
from hiplab.library import default_library
from hiplab.plan.dosage import PHASE_ORDER
from hiplab.plan.generate import PreviousBlock
from hiplab.records.programme import Programme
from hiplab.services.assessments import assess

from .conftest import SAMPLE_TESTS, MakePlan

LIB = default_library()


def all_items(programme: Programme):  # type: ignore[no-untyped-def]
    return [item for week in programme.weeks for item in week.session.items]


def test_same_input_gives_byte_identical_programme(make_plan: MakePlan) -> None:
    first = make_plan(weeks=6).model_dump_json()
    second = make_plan(weeks=6).model_dump_json()
    assert first == second


def test_solver_reports_optimal_with_objective(make_plan: MakePlan) -> None:
    solver = make_plan().solver
    assert solver.status == "optimal"
    assert solver.objective is not None and solver.objective > 0
    assert solver.candidates > 20


@pytest.mark.parametrize(("minutes", "weeks"), [(5, 1), (10, 4), (15, 4), (20, 8), (30, 12)])
def test_every_session_fits_the_budget_and_sums_its_items(
    make_plan: MakePlan, minutes: int, weeks: int
) -> None:
    programme = make_plan(minutes=minutes, weeks=weeks)
    assert len(programme.weeks) == weeks and programme.retest_week == weeks
    for week in programme.weeks:
        assert week.session.duration_s <= minutes * 60
        assert week.session.duration_s == sum(i.duration_s for i in week.session.items)


def test_tighter_side_gets_at_least_the_dose_of_the_other(make_plan: MakePlan) -> None:
    items = make_plan(minutes=20).weeks[0].session.items
    split = {}
    for item in items:
        if item.side in ("left", "right"):
            split.setdefault(item.exercise_id, {})[item.side] = item
    assert split, "a right-sided finding should split at least one unilateral item"
    for sides in split.values():
        assert set(sides) == {"left", "right"}
        assert sides["right"].sets == sides["left"].sets + 1  # the right side is tighter
    for item in items:
        ex = LIB.exercises[item.exercise_id]
        assert (item.side is None) == (not ex.unilateral)


def test_tight_hip_flexors_are_paired_with_glute_work(make_plan: MakePlan) -> None:
    tests = {"thomas": {"left": {"thigh_angle_deg": 10}, "right": {"thigh_angle_deg": 10}}}
    items = make_plan(tests, minutes=20).weeks[0].session.items
    stretches = [i for i in items if "hip_flexors_tight" in i.addresses and i.phase == "stretch"]
    glute_work = [
        i
        for i in items
        if i.kind in ("activation", "strength")
        and "glute_max" in LIB.exercises[i.exercise_id].targets.primary
    ]
    assert stretches and glute_work


def test_findings_pull_in_the_surrounding_muscles(make_plan: MakePlan) -> None:
    tests = {"thomas": {"left": {"thigh_angle_deg": 10}, "right": {"thigh_angle_deg": 10}}}
    items = make_plan(tests, minutes=30).weeks[0].session.items
    loaded = {
        m
        for i in items
        for m in LIB.exercises[i.exercise_id].targets.primary
        + LIB.exercises[i.exercise_id].targets.secondary
    }
    assert loaded & {"adductors", "hamstrings", "lumbar_erectors", "tfl_itb"}


def test_warm_up_first_holds_last(make_plan: MakePlan) -> None:
    for week in make_plan(minutes=20).weeks:
        phases = [PHASE_ORDER.index(i.phase) for i in week.session.items]
        assert phases == sorted(phases)
    assert make_plan(minutes=20).weeks[0].session.items[0].phase == "warm_up"


def test_progression_never_lowers_the_dose_and_is_typed(make_plan: MakePlan) -> None:
    programme = make_plan(minutes=20, weeks=6)
    assert any(w.progression for w in programme.weeks[1:])
    for before, after in zip(programme.weeks, programme.weeks[1:], strict=False):
        old = {(i.exercise_id, i.side): i for i in before.session.items}
        for item in after.session.items:
            prev = old.get((item.exercise_id, item.side))
            if prev is None:
                continue
            work = (item.sets, item.hold_s or 0, item.reps or 0)
            assert work >= (prev.sets, prev.hold_s or 0, prev.reps or 0)
        for step in after.progression:
            assert step.rule in ("longer_hold", "more_reps", "extra_set", "harder_variant")


def test_equipment_and_positions_are_respected(make_plan: MakePlan) -> None:
    programme = make_plan(
        minutes=20, avoid_positions=frozenset({"supine", "kneeling", "half_kneeling"})
    )
    for item in all_items(programme):
        ex = LIB.exercises[item.exercise_id]
        assert ex.position.value not in {"supine", "kneeling", "half_kneeling"}
        assert not set(ex.equipment) & {
            "strap",
            "band",
            "mini_band",
            "dumbbell",
            "kettlebell",
            "bench",
            "box",
        }
    with_gear = make_plan(
        minutes=30, equipment=frozenset({"strap", "mini_band", "dumbbell", "bench", "box"})
    )
    assert {i.exercise_id for i in all_items(with_gear)}


def test_red_flags_refer_with_no_items(make_plan: MakePlan) -> None:
    programme = make_plan(screening={"night_pain": True})
    assert programme.refer and programme.weeks == () and programme.retest_week is None
    assert "night" in programme.reason.lower()


PRECAUTION_CASES = [
    {"hip_replacement": {"side": side, "approach": approach, "months_ago": 4}}
    for side in ("left", "right")
    for approach in ("posterior", "anterior", "lateral")
] + [{"pregnant": True, "pregnancy_weeks": 22}, {"hypermobility": True}]


@pytest.mark.parametrize("screening", PRECAUTION_CASES)
def test_no_item_breaks_a_precaution(make_plan: MakePlan, screening: dict) -> None:
    programme = make_plan(screening=screening, minutes=25, weeks=5)
    rules = precautions(validate({"person": {"age": 34, "sex": "female"}, "screening": screening}))
    assert rules and programme.precautions
    assert all_items(programme)
    for item in all_items(programme):
        assert violations(LIB.exercises[item.exercise_id], rules, side=item.side) == [], (
            item.exercise_id
        )


def test_maintenance_block_when_nothing_is_found(make_plan: MakePlan) -> None:
    programme = make_plan({"hip_internal_rotation_deg": {"left": 40, "right": 40}})
    assert not programme.refer and all_items(programme)
    assert "maintenance" in programme.reason


def test_replan_progresses_what_improved_and_reduces_what_normalised(make_plan: MakePlan) -> None:
    first = make_plan(minutes=20)
    data = validate({"person": {"age": 34, "sex": "female"}, "tests": SAMPLE_TESTS})
    before = assess(data, LIB).values
    retest = {
        **SAMPLE_TESTS,
        "hip_internal_rotation_deg": {"left": 31, "right": 31},
        "straight_leg_raise_deg": {"left": 73, "right": 70},
    }
    second = make_plan(retest, minutes=20, previous=PreviousBlock(first, before))
    assert second.block == 2
    texts = {(c.test, c.side): c for c in second.changes}
    ir = texts[("hip_internal_rotation", "right")]
    assert ir.verdict == "improved_to_norm"
    assert ir.text.startswith("right hip IR 22° → 31°")
    assert "now within norm" in ir.text
    assert texts[("straight_leg_raise", "left")].verdict == "no_real_change"
    assert "hip_internal_rotation_limited" in first.findings_addressed
    assert (
        "hip_internal_rotation_limited"
        not in second.findings_addressed + second.findings_not_addressed
    )
