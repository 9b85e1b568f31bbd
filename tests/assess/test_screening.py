"""Red flags: every referral rule, its urgency, whom to see and how soon (docs/referral.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hiplab.assess.parse import validate
from hiplab.assess.screening import SCFE_IR_MIN_DEG, SCFE_IR_SIDE_DIFF_DEG, red_flags
from hiplab.records.assessment import RedFlag
from hiplab.records.intake import Screening

PERSON = {"age": 40, "sex": "female"}
CHILD = {"age": 12, "sex": "male"}


def screen(
    screening: dict[str, Any] | None = None, person: dict[str, Any] | None = None, **extra: Any
) -> list[RedFlag]:
    return red_flags(validate({"person": person or PERSON, "screening": screening or {}, **extra}))


def ids(flags: list[RedFlag]) -> list[str]:
    return [f.id for f in flags]


def symptom(region: str = "groin", pain: int = 3, **more: Any) -> dict[str, Any]:
    return {"region": region, "pain": pain, **more}


SCREENING_RULES = [
    ("saddle_numbness", "emergency", "emergency department", "now"),
    ("bladder_bowel_change", "emergency", "emergency department", "now"),
    ("progressive_weakness", "emergency", "emergency department", "now"),
    ("fever", "urgent", "doctor", "the same day"),
    ("unexplained_weight_loss", "soon", "family doctor", "within a few days"),
    ("night_pain", "soon", "family doctor", "within a few days"),
    ("recent_trauma", "soon", "family doctor", "within a few days"),
    ("cancer_history", "soon", "family doctor", "within a few days"),
    ("long_term_steroids", "soon", "family doctor", "within a few days"),
    ("iv_drug_use", "soon", "family doctor", "within a few days"),
]


@pytest.mark.parametrize(("flag", "urgency", "who", "when"), SCREENING_RULES)
def test_each_screening_answer_refers_with_why_who_and_when(
    flag: str, urgency: str, who: str, when: str
) -> None:
    flags = screen({flag: True})
    assert ids(flags) == [flag]
    assert flags[0].urgency == urgency
    assert who in flags[0].who
    assert flags[0].when == when
    assert len(flags[0].reason) > 40
    assert "_" not in flags[0].reason + flags[0].who + flags[0].when  # plain words, no ids


def test_every_red_flag_question_of_the_schema_has_a_rule() -> None:
    not_red_flags = {"limp", "obligatory_external_rotation", "pregnant", "pregnancy_weeks",
                     "hypermobility", "hip_impingement", "falls_or_poor_balance",
                     "hip_replacement"}  # fmt: skip
    assert set(Screening.model_fields) - not_red_flags == {rule[0] for rule in SCREENING_RULES}


def test_no_answers_no_flags() -> None:
    assert screen() == []


def test_precaution_answers_alone_do_not_refer() -> None:
    answers = {"hypermobility": True, "hip_impingement": True, "falls_or_poor_balance": True}
    assert screen(answers) == []


def test_the_advice_is_one_plain_sentence() -> None:
    (flag,) = screen({"saddle_numbness": True})
    assert flag.advice == "Go to the emergency department (A&E or ER) now."
    (flag,) = screen({"cancer_history": True})
    assert flag.advice == "See your family doctor (GP) within a few days."


def test_who_and_when_are_in_the_json() -> None:
    (flag,) = screen({"fever": True})
    data = json.loads(flag.model_dump_json())
    assert set(data) == {"id", "urgency", "reason", "who", "when"}
    assert data["when"] == "the same day"


def test_a_result_stored_before_who_and_when_still_loads() -> None:
    old = RedFlag.model_validate_json('{"id": "night_pain", "urgency": "soon", "reason": "x"}')
    assert (old.who, old.when) == ("your family doctor (GP)", "within a few days")
    emergency = RedFlag.model_validate({"id": "a", "urgency": "emergency", "reason": "x"})
    assert emergency.when == "now"


# --- SCFE (ages 8-15) ------------------------------------------------------------------


@pytest.mark.parametrize("region", ["front_of_hip", "groin", "thigh", "knee", "outer_hip"])
def test_scfe_hip_groin_thigh_or_knee_pain_in_a_child(region: str) -> None:
    flags = screen(person=CHILD, symptoms=[symptom(region, 2)])
    assert ids(flags) == ["possible_scfe"]
    assert flags[0].urgency == "urgent"
    assert flags[0].when == "the same day"
    assert "X-ray" in flags[0].who
    assert "no stretching" in flags[0].reason


@pytest.mark.parametrize("region", ["lower_back", "calf", "wrist", "shoulder"])
def test_pain_away_from_the_hip_is_not_scfe(region: str) -> None:
    assert screen(person=CHILD, symptoms=[symptom(region, 2)]) == []


def test_scfe_limp_and_obligatory_external_rotation() -> None:
    assert ids(screen({"limp": True}, person=CHILD)) == ["possible_scfe"]
    flags = screen({"obligatory_external_rotation": True}, person=CHILD)
    assert ids(flags) == ["possible_scfe"]
    assert "turns outward by itself" in flags[0].reason


@pytest.mark.parametrize(
    ("left", "right", "refer"),
    [
        (SCFE_IR_MIN_DEG - 1, 40, True),  # low on one side
        (SCFE_IR_MIN_DEG - 1, None, True),  # one side measured, low
        (SCFE_IR_MIN_DEG, SCFE_IR_MIN_DEG, False),  # at the threshold, symmetric
        (35, 35 - SCFE_IR_SIDE_DIFF_DEG, True),  # side difference at the threshold
        (35, 35 - SCFE_IR_SIDE_DIFF_DEG + 1, False),  # just under it: measurement noise
        (40, 38, False),
    ],
)
def test_scfe_lost_internal_rotation_without_pain(
    left: float, right: float | None, refer: bool
) -> None:
    rotation = {"left": left} if right is None else {"left": left, "right": right}
    flags = screen(person=CHILD, tests={"hip_internal_rotation_deg": rotation})
    assert ids(flags) == (["possible_scfe"] if refer else [])
    if refer:
        assert "internal rotation" in flags[0].reason


@pytest.mark.parametrize("age", [8, 15])
def test_scfe_age_range_is_inclusive(age: int) -> None:
    assert ids(screen({"limp": True}, person={"age": age, "sex": "female"})) == ["possible_scfe"]


def test_scfe_signs_in_an_adult_are_not_a_red_flag() -> None:
    adult = {"age": 35, "sex": "male"}
    assert screen({"limp": True, "obligatory_external_rotation": True}, person=adult) == []
    assert (
        screen(person=adult, tests={"hip_internal_rotation_deg": {"left": 10, "right": 30}}) == []
    )
    assert screen(person={"age": 16, "sex": "male"}, symptoms=[symptom("knee", 3)]) == []


def test_the_reason_names_every_sign_found() -> None:
    (flag,) = screen(
        {"limp": True},
        person=CHILD,
        symptoms=[symptom("knee", 2)],
        tests={"hip_internal_rotation_deg": {"left": 12, "right": 36}},
    )
    for words in ("At age 12", "a limp", "pain in the knee", "12° on the left", "24°"):
        assert words in flag.reason


def test_a_young_child_with_a_limp_or_lost_rotation_sees_a_doctor() -> None:
    young = {"age": 6, "sex": "female"}
    (flag,) = screen({"limp": True}, person=young)
    assert (flag.id, flag.urgency) == ("child_hip_problem", "soon")
    assert "children's doctor" in flag.who
    assert ids(screen(person=young, tests={"hip_internal_rotation_deg": {"left": 15}})) == [
        "child_hip_problem"
    ]
    assert screen({"obligatory_external_rotation": True}, person=young) == []  # an SCFE sign


def test_a_child_with_fever_and_a_limp_is_an_emergency() -> None:
    flags = screen({"fever": True, "limp": True}, person=CHILD)
    fever = next(f for f in flags if f.id == "fever")
    assert fever.urgency == "emergency"
    assert "septic arthritis" in fever.reason
    assert ids(flags) == ["fever", "possible_scfe"]
    adult = screen({"fever": True, "limp": True})
    assert [(f.id, f.urgency) for f in adult] == [("fever", "urgent")]


# --- pain: timing, injury, severity ----------------------------------------------------


@pytest.mark.parametrize("timing", ["at_rest", "at_night"])
def test_rest_or_night_pain_from_the_symptom_timing(timing: str) -> None:
    flags = screen(symptoms=[symptom("buttock", 3, timing=[timing])])
    assert ids(flags) == ["rest_or_night_pain"]
    assert flags[0].urgency == "soon"
    assert "buttock" in flags[0].reason


def test_activity_pain_and_painless_timing_are_not_flags() -> None:
    assert screen(symptoms=[symptom("groin", 4, timing=["with_activity"])]) == []
    assert screen(symptoms=[symptom("groin", 0, timing=["at_night", "after_injury"])]) == []


def test_night_pain_is_one_flag_when_answered_twice() -> None:
    flags = screen({"night_pain": True}, symptoms=[symptom("groin", 3, timing=["at_night"])])
    assert ids(flags) == ["night_pain"]


def test_pain_after_an_injury_from_the_symptom_timing() -> None:
    flags = screen(symptoms=[symptom("outer_hip", 4, timing=["after_injury"])])
    assert ids(flags) == ["pain_after_injury"]
    assert (flags[0].urgency, flags[0].when) == ("soon", "within a few days")
    assert "broken bone" in flags[0].reason


def test_severe_pain_after_an_injury_is_the_same_day() -> None:
    flags = screen({"recent_trauma": True}, symptoms=[symptom("groin", 8, timing=["after_injury"])])
    assert [(f.id, f.urgency, f.when) for f in flags] == [
        ("recent_trauma", "urgent", "the same day")
    ]  # the severe pain is said in the trauma flag, not twice
    assert "8/10" in flags[0].reason


@pytest.mark.parametrize(("pain", "flagged"), [(6, False), (7, True), (10, True)])
def test_severe_pain_is_seven_or_more(pain: int, flagged: bool) -> None:
    flags = screen(symptoms=[symptom("front_of_hip", pain)])
    assert ids(flags) == (["severe_pain"] if flagged else [])
    if flagged:
        assert f"{pain}/10 in the front of the hip" in flags[0].reason
        assert "physiotherapist" in flags[0].who


def test_new_pain_over_fifty_or_under_twenty_is_flagged() -> None:
    older = screen(person={"age": 62, "sex": "male"}, symptoms=[symptom(new=True)])
    assert ids(older) == ["new_pain_age"]
    assert "groin" in older[0].reason
    assert ids(screen(person={"age": 18, "sex": "male"}, symptoms=[symptom(new=True)])) == [
        "new_pain_age"
    ]
    assert screen(person={"age": 50, "sex": "male"}, symptoms=[symptom(new=True)]) == []
    assert screen(person={"age": 62, "sex": "male"}, symptoms=[symptom(new=False)]) == []


def test_painful_squat_is_flagged() -> None:
    flags = screen(tests={"deep_squat_fms": 0})
    assert ids(flags) == ["painful_squat"]
    assert flags[0].urgency == "soon"


def test_a_symptom_without_timing_still_loads() -> None:
    data = validate({"person": PERSON, "symptoms": [{"region": "groin", "pain": 2}]})
    assert data.symptoms[0].timing == ()
