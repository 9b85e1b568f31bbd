import pytest

from hiplab.assess import assess
from hiplab.assess.evaluate import evaluate, select_norm, severity_of
from hiplab.assess.parse import validate
from hiplab.library import default_library

PERSON = {"age": 35, "sex": "female"}


def findings_for(tests: dict, person: dict | None = None):
    findings, _ = evaluate(
        validate({"person": person or PERSON, "tests": tests}), default_library()
    )
    return findings


def ids(tests: dict) -> set[tuple[str, str | None]]:
    return {(f.id, f.side) for f in findings_for(tests)}


@pytest.mark.parametrize(
    ("tests", "finding", "side"),
    [
        ({"thomas": {"left": {"thigh_angle_deg": 8}}}, "hip_flexors_tight", "left"),
        ({"thomas": {"right": {"knee_flexion_deg": 60}}}, "rectus_femoris_tight", "right"),
        ({"thomas": {"left": {"thigh_abducts": True}}}, "tfl_itb_tight", "left"),
        ({"ober": {"right": {"positive": True}}}, "tfl_itb_tight", "right"),
        ({"hip_internal_rotation_deg": {"left": 20}}, "hip_internal_rotation_limited", "left"),
        ({"hip_external_rotation_deg": {"right": 25}}, "hip_external_rotation_limited", "right"),
        ({"hip_flexion_deg": {"left": 95}}, "hip_flexion_limited", "left"),
        ({"hip_extension_deg": {"left": 2}}, "hip_extension_limited", "left"),
        ({"straight_leg_raise_deg": {"right": 60}}, "hamstrings_tight", "right"),
        ({"knee_to_wall_cm": {"left": 6}}, "ankle_dorsiflexion_limited", "left"),
        ({"single_leg_bridge_s": {"right": 12}}, "glute_endurance_low", "right"),
        ({"single_leg_bridge_reps": {"right": 12}}, "glute_endurance_low", "right"),
        ({"trendelenburg": {"left": {"positive": True}}}, "glute_med_weak", "left"),
        ({"faber": {"left": {"positive": True}}}, "faber_positive", "left"),
        ({"fadir": {"right": {"positive": True}}}, "fadir_positive", "right"),
        ({"deep_squat_fms": 1}, "squat_pattern_limited", None),
        ({"landing_peak_knee_flexion_deg": {"left": 70}}, "stiff_landing", "left"),
    ],
)
def test_each_deficit_produces_its_finding(tests: dict, finding: str, side: str | None) -> None:
    assert ids(tests) == {(finding, side)}


@pytest.mark.parametrize(
    "tests",
    [
        {
            "thomas": {
                "left": {"thigh_angle_deg": -10, "knee_flexion_deg": 90, "thigh_abducts": False}
            }
        },
        {"hip_internal_rotation_deg": {"left": 35, "right": 36}},
        {"hip_external_rotation_deg": {"left": 45, "right": 44}},
        {"straight_leg_raise_deg": {"left": 85, "right": 88}},
        {"knee_to_wall_cm": {"left": 12, "right": 12.5}},
        {"single_leg_bridge_s": {"left": 40, "right": 42}},
        {"faber": {"left": {"positive": False}}},
        {"deep_squat_fms": 3},
        {"landing_peak_knee_flexion_deg": {"left": 110, "right": 112}},
    ],
)
def test_normal_values_produce_no_finding(tests: dict) -> None:
    assert findings_for(tests) == []


def test_value_at_the_limit_is_normal() -> None:
    assert findings_for({"hip_internal_rotation_deg": {"left": 30}}) == []


@pytest.mark.parametrize(
    ("value", "severity"), [(28, "mild"), (24, "moderate"), (19, "severe"), (0, "severe")]
)
def test_severity_grows_by_step(value: float, severity: str) -> None:
    (finding,) = findings_for({"hip_internal_rotation_deg": {"left": value}})
    assert finding.severity == severity
    assert finding.value == value and finding.unit == "deg"
    assert finding.norm is not None and finding.norm.limit == 30
    assert finding.test == "hip_internal_rotation"


def test_asymmetry_beyond_measurement_error_names_the_worse_side() -> None:
    found = findings_for({"hip_internal_rotation_deg": {"left": 38, "right": 31}})
    (asym,) = [f for f in found if f.id == "asymmetry"]
    assert asym.side == "right" and asym.value == 7 and asym.test == "hip_internal_rotation"


def test_asymmetry_within_measurement_error_is_no_finding() -> None:
    assert findings_for({"hip_internal_rotation_deg": {"left": 36, "right": 31}}) == []


def test_asymmetry_for_lower_is_better_test_points_at_the_higher_side() -> None:
    found = findings_for({"knee_to_wall_cm": {"left": 12, "right": 10}})
    (asym,) = [f for f in found if f.id == "asymmetry"]
    assert asym.side == "right"


def test_norm_selection_prefers_sex_specific_norm() -> None:
    test = default_library().tests["hip_extension"]
    female = validate({"person": {"age": 50, "sex": "female"}}).person
    other = validate({"person": {"age": 50, "sex": "other"}}).person
    assert select_norm(test, female).typical == 16.7  # type: ignore[union-attr]
    assert select_norm(test, other).sex == "any"  # type: ignore[union-attr]


def test_severity_of_lower_is_better() -> None:
    norm = default_library().tests["thomas_thigh_angle"].norms[0]
    assert severity_of(-5, norm, "lower_is_better") is None
    assert severity_of(4, norm, "lower_is_better") == "mild"
    assert severity_of(14, norm, "lower_is_better") == "severe"


def test_missing_tests_are_listed() -> None:
    _, missing = evaluate(
        validate({"person": PERSON, "tests": {"deep_squat_fms": 3}}), default_library()
    )
    assert "deep_squat_fms" not in missing
    assert "hip_internal_rotation" in missing and "thomas_thigh_angle" in missing


def test_values_keep_every_entry_for_history() -> None:
    result = assess(
        validate(
            {
                "person": PERSON,
                "tests": {
                    "knee_to_wall_cm": {"left": 10, "right": 8},
                    "ober": {"left": {"positive": True}},
                },
            }
        ),
        default_library(),
    )
    assert {(v.test, v.side, v.value) for v in result.values} == {
        ("knee_to_wall", "left", 10),
        ("knee_to_wall", "right", 8),
        ("ober", "left", 1.0),
    }
