import pytest

from hiplab.assess.evaluate import evaluate, select_norm, severity_of
from hiplab.assess.parse import validate
from hiplab.library import default_library
from hiplab.services.assessments import assess

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


@pytest.mark.parametrize(("sex", "tight"), [("female", True), ("male", False), ("other", False)])
def test_straight_leg_raise_is_judged_against_the_persons_sex(sex: str, tight: bool) -> None:
    # 80° is below the women's norm (about 8° above the men's) but within the men's
    found = findings_for({"straight_leg_raise_deg": {"left": 80}}, {"age": 40, "sex": sex})
    assert any(f.id == "hamstrings_tight" for f in found) is tight


def test_young_children_are_judged_against_childrens_hip_flexion() -> None:
    tests = {"hip_flexion_deg": {"left": 118}}
    assert findings_for(tests, {"age": 6, "sex": "male"})  # boys 2–8 average about 131°
    assert findings_for(tests, {"age": 30, "sex": "male"}) == []  # adults: textbook 110–120°


def test_sex_norms_for_hip_extension_apply_only_to_the_ages_measured() -> None:
    test = default_library().tests["hip_extension"]
    young = validate({"person": {"age": 30, "sex": "female"}}).person
    older = validate({"person": {"age": 60, "sex": "female"}}).person
    assert select_norm(test, young).sex == "any"  # type: ignore[union-attr]
    assert select_norm(test, older).sex == "female"  # type: ignore[union-attr]


def test_a_finding_says_where_its_norm_comes_from() -> None:
    (found,) = findings_for({"hip_internal_rotation_deg": {"left": 25}})
    norm = select_norm(
        default_library().tests["hip_internal_rotation"], validate({"person": PERSON}).person
    )
    assert norm is not None and norm.basis
    assert found.summary.endswith(f"({norm.basis})")


def test_asymmetry_cites_the_source_of_the_threshold_it_used() -> None:
    lib = default_library()
    wall = [
        f
        for f in findings_for({"knee_to_wall_cm": {"left": 12, "right": 9}})
        if f.id == "asymmetry"
    ]
    er = [
        f
        for f in findings_for({"hip_external_rotation_deg": {"left": 60, "right": 40}})
        if f.id == "asymmetry"
    ]
    wall_error, er_error = lib.tests["knee_to_wall"].error, lib.tests["hip_external_rotation"].error
    assert wall_error is not None and er_error is not None
    assert wall[0].norm is not None and wall[0].norm.source == wall_error.source
    assert wall[0].norm.limit == wall_error.side_difference
    assert er[0].norm is not None and er[0].norm.source == er_error.mdc_cited
    assert er[0].norm.limit == er_error.mdc
