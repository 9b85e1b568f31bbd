"""The safety model: conditions → precautions → side-aware judgements of movements."""

from __future__ import annotations

from typing import Any

import pytest

from hiplab.assess.parse import validate
from hiplab.assess.safety import (
    _DESCRIBE,
    _JUDGES,
    FLOOR_TRANSFER_FLEXION_DEG,
    RULES,
    ActiveCondition,
    active_conditions,
    allowed_sides,
    describe,
    hip_demands,
    not_suitable_for,
    precautions,
    precautions_for,
    violations,
)
from hiplab.library import default_library
from hiplab.library.models import Condition, Exercise
from hiplab.records.assessment import (
    CombinedPositionAvoid,
    ConditionAvoid,
    FallRiskAvoid,
    JointLimit,
    PositionAvoid,
    PracticeAvoid,
    Precaution,
)
from hiplab.services.assessments import assess

LIB = default_library()


def person(screening: dict[str, Any] | None = None, **extra: Any) -> Any:
    return validate({"person": {"age": 40, "sex": "female"}, "screening": screening or {}, **extra})


def movement(**changes: Any) -> Exercise:
    """A one-sided stretch with explicit demands (the library's data stays untouched)."""
    base: dict[str, Any] = {
        "id": "probe",
        "name": "Probe stretch",
        "kind": "static_stretch",
        "targets": {"primary": ["iliopsoas"]},
        "position": "standing",
        "unilateral": True,
        "floor_transfer": False,
        "joint_demands": {"hip_extension": {"deg": 15, "basis": "the probe's worked leg"}},
        "dosage": {"sets": 2, "hold_s": 30},
        "steps": ["one", "two"],
        "mistakes": ["none"],
        "evidence": "a probe, not an exercise",
        "pose": {"keyframes": [{"label": "hold"}]},
    }
    return Exercise.model_validate({**base, **changes})


def demand(deg: float) -> dict[str, Any]:
    return {"deg": deg, "basis": "set by the test"}


# ------------------------------------------------------------------ registries
def test_every_condition_has_a_rule_and_a_plain_label() -> None:
    assert set(RULES) == set(Condition)
    assert set(LIB.conditions) == {c.value for c in Condition}
    for definition in LIB.conditions.values():
        assert "_" not in definition.label


def test_every_precaution_type_has_a_judge_and_words() -> None:
    types = set(Precaution.__args__)  # type: ignore[attr-defined]
    assert set(_JUDGES) == types
    assert set(_DESCRIBE) == types


@pytest.mark.parametrize("condition", list(Condition))
def test_each_condition_says_plainly_what_it_asks(condition: Condition) -> None:
    rules = precautions_for([ActiveCondition(condition, "left", "because")])
    assert rules
    for rule in rules:
        text = describe(rule)
        assert text and "_" not in text, text


# ------------------------------------------------------------------ conditions
def test_tha_limits_by_approach_and_side() -> None:
    def limits(approach: str) -> set[tuple[str, float, bool]]:
        thr = {"side": "left", "approach": approach, "months_ago": 30}
        rules = precautions(person({"hip_replacement": thr}))
        return {
            (r.motion, r.max_deg, r.active_only)
            for r in rules
            if isinstance(r, JointLimit) and r.side == "left"
        }

    posterior = {
        ("hip_flexion", 90.0, False),
        ("hip_adduction", 0.0, False),
        ("hip_internal_rotation", 0.0, False),
    }
    assert limits("posterior") == posterior
    assert limits("anterior") == {
        ("hip_extension", 0.0, False),
        ("hip_external_rotation", 0.0, False),
    }
    assert limits("lateral") == posterior | {("hip_abduction", 0.0, True)}


def test_tha_precautions_stay_years_after_the_operation() -> None:
    late = person({"hip_replacement": {"side": "right", "approach": "posterior", "months_ago": 60}})
    assert any(isinstance(r, JointLimit) for r in precautions(late))


def test_pregnancy_rules_by_trimester() -> None:
    early = precautions(person({"pregnant": True, "pregnancy_weeks": 10}))
    later = precautions(person({"pregnant": True, "pregnancy_weeks": 20}))
    for rules in (early, later):
        assert any(isinstance(r, PracticeAvoid) for r in rules)
        assert any(isinstance(r, FallRiskAvoid) for r in rules)
    assert not any(isinstance(r, PositionAvoid) for r in early)
    assert {r.position for r in later if isinstance(r, PositionAvoid)} == {"supine", "prone"}


def test_a_painful_fadir_is_impingement_on_that_side() -> None:
    data = person(tests={"fadir": {"right": {"positive": True}}})
    found = [(a.condition, a.side) for a in active_conditions(data)]
    assert found == [(Condition.hip_impingement, "right")]
    rules = precautions(data)
    combined = [r for r in rules if isinstance(r, CombinedPositionAvoid)]
    assert combined and all(r.side == "right" for r in combined)


def test_a_faber_that_did_not_hurt_brings_no_impingement_rule() -> None:
    data = person(tests={"faber": {"left": {"positive": True}}})
    assert active_conditions(data) == []


def test_a_painful_faber_forbids_stretching_into_the_figure_four() -> None:
    data = person(tests={"faber": {"left": {"positive": True, "painful": True}}})
    figure_four = movement(
        joint_demands={
            "hip_flexion": demand(90),
            "hip_external_rotation": demand(40),
            "hip_abduction": demand(30),
        }
    )
    rules = precautions(data)
    assert violations(figure_four, rules, side="left")
    assert violations(figure_four, rules, side="right") == []


def test_symptoms_become_conditions_only_with_pain() -> None:
    data = person(symptoms=[{"region": "knee", "pain": 3}, {"region": "wrist", "pain": 0}])
    assert [a.condition for a in active_conditions(data)] == [Condition.knee_pain]


def test_declared_unsafe_conditions_are_enforced() -> None:
    kneeling = movement(unsafe_for=[{"condition": "knee_pain", "why": "kneeling loads the knee"}])
    rules = precautions(person(symptoms=[{"region": "knee", "pain": 4}]))
    assert violations(kneeling, rules) == ["kneeling loads the knee (pain at the knee (4/10))"]
    assert violations(movement(), rules) == []


# ------------------------------------------------------------------ sides and demands
ANTERIOR_LEFT = precautions_for([ActiveCondition(Condition.anterior_tha, "left", "anterior")])


def test_a_one_sided_stretch_is_judged_on_the_side_it_is_done() -> None:
    flexor = movement(other_side_demands={"hip_flexion": demand(90)})
    assert violations(flexor, ANTERIOR_LEFT, side="left")
    assert violations(flexor, ANTERIOR_LEFT, side="right") == []
    assert violations(flexor, ANTERIOR_LEFT, side="both")
    assert violations(flexor, ANTERIOR_LEFT) != []
    assert allowed_sides(flexor, ANTERIOR_LEFT) == ("right",)


def test_the_other_leg_is_judged_too() -> None:
    # Stretching the right leg puts the left (operated) hip into the front-leg position.
    flexor = movement(other_side_demands={"hip_flexion": demand(100)})
    posterior = precautions_for([ActiveCondition(Condition.posterior_tha, "left", "posterior")])
    assert violations(flexor, posterior, side="right")
    assert violations(flexor, posterior, side="left") == []


def test_a_floor_transfer_counts_as_deep_flexion_on_both_hips() -> None:
    on_floor = movement(floor_transfer=True)
    for hip in ("left", "right"):
        demands = hip_demands(on_floor, worked="left", hip=hip)
        assert demands["hip_flexion"] == FLOOR_TRANSFER_FLEXION_DEG
    posterior = precautions_for([ActiveCondition(Condition.posterior_tha, "right", "posterior")])
    reasons = violations(on_floor, posterior, side="left")
    assert reasons and "getting down to the floor" in reasons[0]
    assert violations(on_floor, ANTERIOR_LEFT, side="right") == []


def test_active_abduction_is_refused_on_the_operated_side_only() -> None:
    lateral = precautions_for([ActiveCondition(Condition.lateral_tha, "left", "lateral")])
    abductor = movement(
        active_abduction=True, kind="activation", joint_demands={"hip_abduction": demand(20)}
    )
    assert violations(abductor, lateral, side="left")
    assert violations(abductor, lateral, side="right") == []


@pytest.mark.parametrize(
    ("flags", "rule"),
    [
        ({"position": "supine"}, PositionAvoid(position="supine", reason="r")),
        ({"fall_risk": True}, FallRiskAvoid(condition="poor_balance", reason="r")),
        ({"end_range": True}, PracticeAvoid(practice="end_range_forcing", reason="r")),
        (
            {"unsafe_for": [{"condition": "wrist_pain", "why": "weight on the hands"}]},
            ConditionAvoid(avoid_condition="wrist_pain", reason="r"),
        ),
    ],
)
def test_each_flag_meets_its_rule(flags: dict[str, Any], rule: Precaution) -> None:
    assert violations(movement(**flags), [rule])
    assert violations(movement(), [rule]) == []


# ------------------------------------------------------------------ findings and tests
def test_limited_rotation_on_the_operated_side_is_not_stretched() -> None:
    data = person(
        {"hip_replacement": {"side": "left", "approach": "posterior", "months_ago": 4}},
        tests={"hip_internal_rotation_deg": {"left": 10, "right": 12}},
    )
    result = assess(data, LIB)
    by_side = {f.side: f for f in result.findings if f.id == "hip_internal_rotation_limited"}
    assert "not treated" in by_side["left"].stretch_withheld
    assert by_side["right"].stretch_withheld == ""


def test_no_hip_flexor_stretch_into_extension_on_an_anterior_operated_side() -> None:
    data = person(
        {"hip_replacement": {"side": "right", "approach": "anterior", "months_ago": 2}},
        tests={"thomas": {"left": {"thigh_angle_deg": 10}, "right": {"thigh_angle_deg": 10}}},
    )
    result = assess(data, LIB)
    withheld = {f.side: f.stretch_withheld for f in result.findings if f.id == "hip_flexors_tight"}
    assert withheld["right"] and not withheld["left"]


def test_after_a_posterior_replacement_fadir_and_flexion_range_are_not_asked() -> None:
    data = person({"hip_replacement": {"side": "left", "approach": "posterior", "months_ago": 4}})
    result = assess(data, LIB)
    withheld = {w.test: w.sides for w in result.tests_not_suggested}
    assert "left" in withheld["fadir"]
    assert "left" in withheld["hip_flexion"]
    # Each test suggested is safe on at least one side.
    for test_id in result.missing_tests:
        assert allowed_sides(LIB.tests[test_id], result.precautions), test_id


def test_later_pregnancy_is_not_asked_to_lie_down_or_drop_from_a_box() -> None:
    result = assess(person({"pregnant": True, "pregnancy_weeks": 24}), LIB)
    for test_id in result.missing_tests:
        test = LIB.tests[test_id]
        assert test.position.value not in ("supine", "prone") and not test.fall_risk, test_id


# ------------------------------------------------------------------ words from fields
def test_not_suitable_text_is_written_from_the_fields() -> None:
    labels = {c.id.value: c.label for c in LIB.conditions.values()}
    lying = movement(position="supine", end_range=True)
    found = dict(not_suitable_for(lying, labels))
    assert labels["pregnancy_after_first_trimester"] in found
    assert labels["hypermobility"] in found
    assert labels["posterior_tha"] not in found
    for why in found.values():
        assert "_" not in why


@pytest.mark.parametrize(
    "module",
    ["hiplab.assess.safety", "hiplab.explain.chains", "hiplab.library.models"],
)
def test_docstring_examples(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0
