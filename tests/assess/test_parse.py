import json
from pathlib import Path

import pytest

from hiplab.assess.parse import load_assessment_file, validate
from hiplab.errors import InputError

BASE = {"person": {"age": 30, "sex": "female"}}


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def message(data: object) -> str:
    with pytest.raises(InputError) as info:
        validate(data)
    return str(info.value)


def test_valid_minimal_input_parses() -> None:
    data = validate({**BASE, "tests": {"hip_internal_rotation_deg": {"left": 30, "right": 25}}})
    assert data.tests.hip_internal_rotation_deg is not None
    assert data.tests.hip_internal_rotation_deg.right == 25


def test_unknown_key_suggests_the_closest_known_key() -> None:
    msg = message({**BASE, "tests": {"hip_internal_rotaton_deg": {"left": 30}}})
    assert "tests.hip_internal_rotaton_deg" in msg
    assert "did you mean 'hip_internal_rotation_deg'" in msg


def test_unknown_nested_key_is_named_with_its_path() -> None:
    msg = message({**BASE, "tests": {"thomas": {"left": {"thigh_angel_deg": 5}}}})
    assert "tests.thomas.left.thigh_angel_deg" in msg
    assert "thigh_angle_deg" in msg


@pytest.mark.parametrize(
    ("tests", "field", "value"),
    [
        (
            {"hip_internal_rotation_deg": {"left": 400}},
            "tests.hip_internal_rotation_deg.left",
            "400",
        ),
        ({"knee_to_wall_cm": {"right": -3}}, "tests.knee_to_wall_cm.right", "-3"),
        ({"deep_squat_fms": 4}, "tests.deep_squat_fms", "4"),
    ],
)
def test_out_of_range_values_name_field_value_and_range(
    tests: dict, field: str, value: str
) -> None:
    msg = message({**BASE, "tests": tests})
    assert field in msg
    assert value in msg
    assert "allowed" in msg


def test_age_out_of_range() -> None:
    msg = message({"person": {"age": 200, "sex": "male"}})
    assert "person.age" in msg and "200" in msg and "at most 110" in msg


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"person": {"age": "thirty", "sex": "male"}}, "person.age"),
        ({"person": {"age": 30, "sex": "male"}, "screening": {"fever": "yes"}}, "screening.fever"),
        ({"person": {"age": 30, "sex": "robot"}}, "person.sex"),
        ({**BASE, "tests": {"hip_flexion_deg": {"left": "120"}}}, "tests.hip_flexion_deg.left"),
    ],
)
def test_wrong_types_are_refused(data: dict, field: str) -> None:
    assert field in message(data)


def test_missing_person_is_named() -> None:
    assert "missing required field 'person'" in message({"tests": {}})


def test_top_level_must_be_a_mapping() -> None:
    assert "expected a mapping" in message([1, 2, 3])


def test_pregnancy_weeks_without_pregnancy() -> None:
    msg = message({**BASE, "screening": {"pregnancy_weeks": 20}})
    assert "pregnancy_weeks" in msg


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.json", "", "empty"),
        ("blank.yaml", "   \n", "empty"),
        ("cut.json", '{"person": {"age": 3', "not valid JSON"),
        ("cut.yaml", "person: {age: 30, sex: [", "not valid YAML"),
        ("bin.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("latin.yaml", "person: {name: J\xe9r\xf4me}".encode("latin-1"), "UTF-8"),
        ("notes.txt", "hello", "unsupported file type"),
    ],
)
def test_bad_files_give_one_clear_message(
    tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(InputError, match=expected):
        load_assessment_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_assessment_file(tmp_path / "nope.json")


def test_yaml_and_json_give_the_same_input(tmp_path: Path) -> None:
    data = {**BASE, "tests": {"straight_leg_raise_deg": {"left": 70, "right": 75}}}
    j = load_assessment_file(write(tmp_path, "a.json", json.dumps(data)))
    y = load_assessment_file(
        write(
            tmp_path,
            "a.yaml",
            "person: {age: 30, sex: female}\n"
            "tests: {straight_leg_raise_deg: {left: 70, right: 75}}\n",
        )
    )
    assert j == y


def test_the_new_screening_and_symptom_fields_parse() -> None:
    data = validate(
        {
            **BASE,
            "screening": {
                "long_term_steroids": True,
                "iv_drug_use": False,
                "obligatory_external_rotation": True,
                "hip_impingement": True,
                "falls_or_poor_balance": True,
            },
            "symptoms": [
                {
                    "region": "thigh",
                    "pain": 2,
                    "timing": ["at_night", "with_activity"],
                    "trigger": "after football",
                }
            ],
            "tests": {"fadir": {"left": {"positive": True, "painful": True}}},
        }
    )
    assert data.screening.long_term_steroids and data.screening.obligatory_external_rotation
    assert [t.value for t in data.symptoms[0].timing] == ["at_night", "with_activity"]
    assert data.symptoms[0].trigger == "after football"  # free text kept for the clinician
    assert data.tests.fadir is not None and data.tests.fadir.left is not None
    assert data.tests.fadir.left.painful is True


def test_an_assessment_stored_before_the_new_fields_still_loads() -> None:
    old = {
        "person": {"age": 34, "sex": "female"},
        "screening": {"night_pain": False, "recent_trauma": False, "pregnant": False},
        "symptoms": [{"region": "lower_back", "side": None, "pain": 3, "trigger": "runs"}],
        "tests": {"faber": {"left": {"positive": False}}},
    }
    data = validate(old)
    assert data.screening.long_term_steroids is False
    assert data.screening.iv_drug_use is False
    assert data.screening.obligatory_external_rotation is False
    assert data.symptoms[0].timing == ()


@pytest.mark.parametrize(
    ("data", "needles"),
    [
        (
            {"symptoms": [{"region": "groin", "pain": 2, "timing": ["morning"]}]},
            ["'symptoms[0].timing[0]'", '"morning"', "'at_rest'", "'after_injury'"],
        ),
        (
            {"symptoms": [{"region": "thighs", "pain": 2}]},
            ["'symptoms[0].region'", '"thighs"', "'thigh'", "'down_the_leg'", "'shoulder'"],
        ),
        (
            {"symptoms": [{"region": "groin", "pain": 2, "timing": "at_rest"}]},
            ["'symptoms[0].timing'", '"at_rest"', "a list of values"],
        ),
        ({"screening": {"steroids": True}}, ["'screening.steroids'", "'long_term_steroids'"]),
        ({"screening": {"iv_drug_use": "yes"}}, ["'screening.iv_drug_use'", '"yes"']),
        (
            {"tests": {"faber": {"left": {"positive": False, "painful": True}}}},
            ["'tests.faber.left'", "a test that hurt is positive"],
        ),
    ],
)
def test_bad_new_fields_name_field_value_and_what_is_allowed(
    data: dict[str, object], needles: list[str]
) -> None:
    msg = message({**BASE, **data})
    for needle in needles:
        assert needle in msg, (needle, msg)
