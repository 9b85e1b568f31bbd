"""Any JSON-like value either validates or gives an InputError: never another exception."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hiplab.assess.parse import validate
from hiplab.errors import InputError

KEYS = st.sampled_from(
    [
        "person",
        "age",
        "sex",
        "tests",
        "screening",
        "left",
        "right",
        "thomas",
        "hip_internal_rotation_deg",
        "knee_to_wall_cm",
        "positive",
        "symptoms",
        "faber",
        "deep_squat_fms",
        "pain",
        "region",
        "timing",
        "painful",
        "long_term_steroids",
        "obligatory_external_rotation",
        "x",
    ]
)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_validate_never_raises_anything_but_input_error(data: dict[str, Any]) -> None:
    try:
        validate(data)
    except InputError as exc:
        assert str(exc)
        assert "Traceback" not in str(exc)


TIMINGS = st.lists(
    st.sampled_from(["at_rest", "at_night", "with_activity", "after_injury", "morning", 3]),
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(TIMINGS, st.integers(-2, 12), st.integers(5, 110))
def test_any_symptom_timing_validates_or_names_the_field(
    timing: list[Any], pain: int, age: int
) -> None:
    from hiplab.assess.screening import red_flags

    data = {
        "person": {"age": age, "sex": "male"},
        "symptoms": [{"region": "groin", "pain": pain, "timing": timing}],
    }
    try:
        parsed = validate(data)
    except InputError as exc:
        assert "symptoms[0]." in str(exc)
        assert "morning" in timing or 3 in timing or not 0 <= pain <= 10
        return
    flags = {f.id for f in red_flags(parsed)}  # never raises on valid input
    night = pain > 0 and bool({"at_rest", "at_night"} & set(timing))
    assert ("rest_or_night_pain" in flags) == night


@settings(max_examples=200, deadline=None)
@given(st.floats(-1e6, 1e6) | st.integers(-(10**6), 10**6))
def test_rotation_range_is_enforced(value: float) -> None:
    data = {
        "person": {"age": 30, "sex": "male"},
        "tests": {"hip_internal_rotation_deg": {"left": value}},
    }
    try:
        parsed = validate(data)
    except InputError as exc:
        assert not 0 <= value <= 90
        assert "tests.hip_internal_rotation_deg.left" in str(exc)
    else:
        assert parsed.tests.hip_internal_rotation_deg is not None
        assert 0 <= value <= 90
