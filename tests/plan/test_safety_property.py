"""Whole library × every condition × both sides: nothing reaches a person against a precaution.

For each condition (on the left, on the right, or both sides where it has no side):

* every swap a coach may pick (:func:`swap_choices` says allowed) leaves items that are
  safe on the side they are done, and every refused one is refused by the edit itself;
* a dose edit on an item that a precaution now forbids is refused;
* the programme made for a varied set of findings holds only items safe on their side;
* every test hiplab still suggests is safe on a side it is suggested for.

The coach's CLI, web pages and API all edit plans through :func:`apply_edit` (via
``programmes.edit_plan``), so judging it judges them; tests/web and
tests/cli check that those edges answer with its refusal.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiplab.assess.parse import validate
from hiplab.assess.safety import (
    SIDED_CONDITIONS,
    ActiveCondition,
    allowed_sides,
    precautions_for,
    violations,
)
from hiplab.errors import InputError
from hiplab.library import default_library
from hiplab.library.models import Condition, Exercise
from hiplab.plan.build import Slot, make_session
from hiplab.plan.dosage import base_dose
from hiplab.plan.edit import DoseChange, Swap, apply_edit, swap_choices
from hiplab.plan.generate import PlanRequest, make_programme
from hiplab.records.assessment import Precaution
from hiplab.records.programme import Programme, SolverReport, Week
from hiplab.services.assessments import assess

LIB = default_library()
CASES = [
    (condition, side)
    for condition in Condition
    for side in (("left", "right") if condition in SIDED_CONDITIONS else ("both",))
]


@cache
def rules_for(condition: Condition, side: str) -> tuple[Precaution, ...]:
    return tuple(precautions_for([ActiveCondition(condition, side, f"{condition.value} {side}")]))  # type: ignore[arg-type]


def one_item_plan(exercise: Exercise, side: str | None) -> Programme:
    dose = base_dose(exercise, age=40)
    only = side if side in ("left", "right") else None
    slot = Slot(exercise, dose, None, ("hip_flexors_tight",), "why", only_side=only)
    return Programme(
        refer=False,
        reason="test",
        person="P",
        sessions_per_week=3,
        minutes=60,
        weeks=(Week(week=1, session=make_session([slot])),),
        retest_week=None,
        solver=SolverReport(name="none", status="not_run", objective=None, candidates=0),
    )


def each_item() -> Iterator[tuple[Exercise, str | None, Programme]]:
    """Yield every library exercise on every side it can be planned, as a one-item plan."""
    for exercise in LIB.exercises.values():
        for side in ("left", "right", "both") if exercise.unilateral else (None,):
            yield exercise, side, one_item_plan(exercise, side)


@pytest.mark.parametrize(("condition", "side"), CASES, ids=lambda v: str(getattr(v, "value", v)))
def test_no_swap_breaks_a_precaution(condition: Condition, side: str) -> None:
    rules = rules_for(condition, side)
    for exercise, item_side, plan in each_item():
        choices = swap_choices(exercise, library=LIB, precautions=rules, side=item_side)
        for choice in choices:
            swap = Swap(week=1, item=1, exercise_id=choice.exercise.id)
            if choice.refused:
                with pytest.raises(InputError):
                    apply_edit(plan, swap, library=LIB, precautions=rules, age=40)
                continue
            after = apply_edit(plan, swap, library=LIB, precautions=rules, age=40)
            for item in after.weeks[0].session.items:
                moved = LIB.exercises[item.exercise_id]
                assert violations(moved, rules, side=item.side) == [], (exercise.id, item)


@pytest.mark.parametrize(("condition", "side"), CASES, ids=lambda v: str(getattr(v, "value", v)))
def test_a_dose_edit_never_keeps_a_forbidden_item(condition: Condition, side: str) -> None:
    rules = rules_for(condition, side)
    for exercise, _, plan in each_item():
        item = plan.weeks[0].session.items[0]
        edit = DoseChange(week=1, item=1, sets=min(4, item.sets + 1))
        if violations(exercise, rules, side=item.side):
            with pytest.raises(InputError):
                apply_edit(plan, edit, library=LIB, precautions=rules, age=40)
        else:
            changed = apply_edit(plan, edit, library=LIB, precautions=rules, age=40)
            assert changed.weeks[0].session.items[0].sets == edit.sets


@pytest.mark.parametrize(("condition", "side"), CASES, ids=lambda v: str(getattr(v, "value", v)))
def test_suggested_tests_are_safe(condition: Condition, side: str) -> None:
    rules = rules_for(condition, side)
    for test in LIB.tests.values():
        safe = allowed_sides(test, rules)
        for s in safe:
            assert violations(test, rules, side=s if test.unilateral else None) == []


SCREENINGS = st.sampled_from(
    [
        {"hip_replacement": {"side": s, "approach": a, "months_ago": m}}
        for s in ("left", "right")
        for a in ("posterior", "anterior", "lateral")
        for m in (2, 60)
    ]
    + [{"pregnant": True, "pregnancy_weeks": w} for w in (8, 20, 36)]
    + [{"hypermobility": True}, {"hip_impingement": True}, {"falls_or_poor_balance": True}]
)
SYMPTOMS = st.lists(
    st.fixed_dictionaries(
        {
            "region": st.sampled_from(
                ["knee", "groin", "lower_back", "outer_hip", "hamstring", "calf", "wrist"]
            ),
            "pain": st.integers(1, 5),
        }
    ),
    max_size=2,
)
SIDED_NUMBER = st.fixed_dictionaries(
    {}, optional={"left": st.integers(0, 60), "right": st.integers(0, 60)}
)
PROVOCATION = st.fixed_dictionaries(
    {},
    optional={
        side: st.builds(
            lambda p, hurt: {"positive": p, "painful": p and hurt}, st.booleans(), st.booleans()
        )
        for side in ("left", "right")
    },
)
TESTS = st.fixed_dictionaries(
    {},
    optional={
        "thomas": st.fixed_dictionaries(
            {},
            optional={
                s: st.fixed_dictionaries({"thigh_angle_deg": st.integers(-15, 20)})
                for s in ("left", "right")
            },
        ),
        "hip_internal_rotation_deg": SIDED_NUMBER,
        "hip_external_rotation_deg": SIDED_NUMBER,
        "straight_leg_raise_deg": SIDED_NUMBER,
        "single_leg_bridge_s": SIDED_NUMBER,
        "knee_to_wall_cm": st.fixed_dictionaries(
            {}, optional={"left": st.integers(2, 14), "right": st.integers(2, 14)}
        ),
        "faber": PROVOCATION,
        "fadir": PROVOCATION,
        "trendelenburg": st.fixed_dictionaries(
            {}, optional={"left": st.builds(lambda p: {"positive": p}, st.booleans())}
        ),
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    screening=SCREENINGS,
    symptoms=SYMPTOMS,
    tests=TESTS,
    age=st.integers(20, 80),
    minutes=st.integers(5, 40),
)
def test_no_programme_item_breaks_a_precaution(
    screening: dict, symptoms: list, tests: dict, age: int, minutes: int
) -> None:
    data = validate(
        {
            "person": {"age": age, "sex": "female"},
            "screening": screening,
            "symptoms": symptoms,
            "tests": tests,
        }
    )
    result = assess(data, LIB)
    if result.refer:
        return
    programme = make_programme(
        assessment=result,
        person=data.person,
        library=LIB,
        request=PlanRequest(minutes=minutes, weeks=4),
        label="P",
    )
    for week in programme.weeks:
        assert week.session.duration_s <= minutes * 60
        for item in week.session.items:
            exercise = LIB.exercises[item.exercise_id]
            assert violations(exercise, result.precautions, side=item.side) == [], item
    for rec in result.recommendations:
        assert allowed_sides(LIB.exercises[rec.exercise_id], result.precautions)
