import pytest

from hiplab.assess.parse import validate
from hiplab.assess.result import JointLimit, PositionAvoid, PracticeAvoid
from hiplab.assess.screening import exercise_allowed, precautions, red_flags, violations
from hiplab.library.models import Exercise

PERSON = {"age": 40, "sex": "female"}


def screen(screening: dict | None = None, person: dict | None = None, **extra: object):
    return validate({"person": person or PERSON, "screening": screening or {}, **extra})


@pytest.mark.parametrize(
    "flag",
    [
        "night_pain",
        "unexplained_weight_loss",
        "fever",
        "saddle_numbness",
        "recent_trauma",
        "bladder_bowel_change",
        "progressive_weakness",
        "cancer_history",
    ],
)
def test_each_screening_red_flag_is_raised_with_a_reason(flag: str) -> None:
    flags = red_flags(screen({flag: True}))
    assert [f.id for f in flags] == [flag]
    assert len(flags[0].reason) > 20


def test_no_answers_no_flags() -> None:
    assert red_flags(screen()) == []


def test_saddle_numbness_is_an_emergency() -> None:
    assert red_flags(screen({"saddle_numbness": True}))[0].urgency == "emergency"


def test_child_with_limp_raises_scfe() -> None:
    flags = red_flags(screen({"limp": True}, person={"age": 12, "sex": "male"}))
    assert [f.id for f in flags] == ["possible_scfe"]


def test_adult_limp_alone_is_not_scfe() -> None:
    assert red_flags(screen({"limp": True}, person={"age": 35, "sex": "male"})) == []


def test_new_pain_over_fifty_is_flagged() -> None:
    data = screen(
        person={"age": 62, "sex": "male"},
        symptoms=[{"region": "groin", "side": "left", "pain": 4, "new": True}],
    )
    assert [f.id for f in red_flags(data)] == ["new_pain_age"]


def test_painful_squat_is_flagged() -> None:
    data = screen(tests={"deep_squat_fms": 0})
    assert [f.id for f in red_flags(data)] == ["painful_squat"]


def limits(approach: str) -> set[tuple[str, float, bool]]:
    data = screen({"hip_replacement": {"side": "left", "approach": approach, "months_ago": 6}})
    rules = precautions(data)
    assert all(isinstance(r, JointLimit) and r.side == "left" for r in rules)
    return {(r.motion, r.max_deg, r.active_only) for r in rules if isinstance(r, JointLimit)}


def test_posterior_approach_precautions() -> None:
    assert limits("posterior") == {
        ("hip_flexion", 90, False),
        ("hip_adduction", 0, False),
        ("hip_internal_rotation", 0, False),
    }


def test_anterior_approach_precautions() -> None:
    assert limits("anterior") == {("hip_extension", 0, False), ("hip_external_rotation", 0, False)}


def test_lateral_approach_is_posterior_plus_no_active_abduction() -> None:
    assert limits("lateral") == limits("posterior") | {("hip_abduction", 0, True)}


def test_pregnancy_after_first_trimester_avoids_supine_and_forcing() -> None:
    rules = precautions(screen({"pregnant": True, "pregnancy_weeks": 20}))
    assert any(isinstance(r, PositionAvoid) and r.position == "supine" for r in rules)
    assert any(isinstance(r, PracticeAvoid) and r.practice == "end_range_forcing" for r in rules)


def test_first_trimester_allows_supine() -> None:
    rules = precautions(screen({"pregnant": True, "pregnancy_weeks": 10}))
    assert not any(isinstance(r, PositionAvoid) for r in rules)


def exercise(**changes: object) -> Exercise:
    base = {
        "id": "demo_stretch",
        "name": "Demo stretch",
        "kind": "static_stretch",
        "targets": {"primary": ["iliopsoas"]},
        "position": "kneeling",
        "unilateral": True,
        "joint_demands": {"hip_extension": 15},
        "dosage": {"sets": 2, "hold_s": 30},
        "steps": ["one", "two"],
        "mistakes": ["x"],
        "evidence": "static stretching helps ROM",
        "pose": {"keyframes": [{"label": "hold"}]},
    }
    return Exercise.model_validate({**base, **changes})


def test_joint_limit_excludes_exercise_past_the_limit() -> None:
    rule = JointLimit(joint="hip", side="right", motion="hip_extension", max_deg=0, reason="THA")
    assert not exercise_allowed(exercise(), [rule])
    assert "hip_extension 15" in violations(exercise(), [rule])[0]
    assert exercise_allowed(exercise(joint_demands={"hip_extension": 0}), [rule])


def test_active_only_limit_spares_passive_abduction() -> None:
    rule = JointLimit(
        joint="hip",
        side="left",
        motion="hip_abduction",
        max_deg=0,
        active_only=True,
        reason="lateral THA",
    )
    assert exercise_allowed(exercise(joint_demands={"hip_abduction": 40}), [rule])
    assert not exercise_allowed(exercise(active_abduction=True, kind="activation"), [rule])


def test_position_and_end_range_rules() -> None:
    supine = PositionAvoid(position="supine", reason="pregnancy")
    forcing = PracticeAvoid(practice="end_range_forcing", reason="pregnancy")
    assert not exercise_allowed(exercise(position="supine"), [supine])
    assert exercise_allowed(exercise(position="prone"), [supine])
    assert not exercise_allowed(exercise(end_range=True), [forcing])
    assert exercise_allowed(exercise(end_range=False), [forcing])


def test_exercise_listed_as_unsuitable_for_an_approach_is_excluded() -> None:
    data = screen({"hip_replacement": {"side": "right", "approach": "posterior", "months_ago": 3}})
    rules = precautions(data)
    ex = exercise(joint_demands={"hip_flexion": 90}, excluded_for=["posterior_tha"])
    assert not exercise_allowed(ex, rules)
    assert len(violations(ex, rules)) == 1
    assert exercise_allowed(exercise(joint_demands={"hip_flexion": 90}), rules)


def test_no_library_exercise_breaks_any_precaution_it_is_allowed_under() -> None:
    from hiplab.library import default_library

    lib = default_library()
    cases = [
        {"hip_replacement": {"side": s, "approach": a, "months_ago": 2}}
        for s in ("left", "right")
        for a in ("posterior", "anterior", "lateral")
    ] + [{"pregnant": True, "pregnancy_weeks": 24}, {"hypermobility": True}]
    for case in cases:
        rules = precautions(screen(case))
        for ex in lib.exercises.values():
            if not exercise_allowed(ex, rules):
                continue
            for rule in rules:
                if isinstance(rule, JointLimit) and not rule.active_only:
                    assert ex.joint_demands.get(rule.motion, 0) <= rule.max_deg, (ex.id, rule)
                    assert rule.condition not in ex.excluded_for
                elif isinstance(rule, JointLimit):
                    assert not ex.active_abduction, ex.id
                elif isinstance(rule, PositionAvoid):
                    assert ex.position.value != rule.position, ex.id
                else:
                    assert not ex.end_range, ex.id
    assert not exercise_allowed(lib.exercises["pigeon_stretch"], precautions(screen(cases[0])))
