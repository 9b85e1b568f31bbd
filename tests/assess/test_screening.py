import pytest

from hiplab.assess.parse import validate
from hiplab.assess.screening import red_flags

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
