"""Property: whatever the findings, preferences and precautions, no planned item breaks one."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiplab.assess.parse import validate
from hiplab.assess.safety import precautions, violations
from hiplab.library import default_library

from .conftest import MakePlan

LIB = default_library()
SIDED = st.fixed_dictionaries(
    {}, optional={"left": st.integers(0, 90), "right": st.integers(0, 90)}
)
TESTS = st.fixed_dictionaries(
    {},
    optional={
        "hip_internal_rotation_deg": SIDED,
        "hip_external_rotation_deg": SIDED,
        "straight_leg_raise_deg": SIDED,
        "single_leg_bridge_s": SIDED,
        "thomas": st.fixed_dictionaries(
            {},
            optional={
                "left": st.fixed_dictionaries({"thigh_angle_deg": st.integers(-20, 20)}),
                "right": st.fixed_dictionaries({"thigh_angle_deg": st.integers(-20, 20)}),
            },
        ),
        "deep_squat_fms": st.integers(1, 3),
    },
)
SCREENING = st.one_of(
    st.builds(
        lambda s, a: {"hip_replacement": {"side": s, "approach": a, "months_ago": 3}},
        st.sampled_from(["left", "right"]),
        st.sampled_from(["posterior", "anterior", "lateral"]),
    ),
    st.builds(lambda w: {"pregnant": True, "pregnancy_weeks": w}, st.integers(14, 40)),
    st.just({"hypermobility": True}),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tests=TESTS, screening=SCREENING, minutes=st.integers(5, 40), weeks=st.integers(1, 6))
def test_no_plan_breaks_a_precaution(
    make_plan: MakePlan, tests: dict, screening: dict, minutes: int, weeks: int
) -> None:
    programme = make_plan(tests, screening=screening, minutes=minutes, weeks=weeks)
    rules = precautions(validate({"person": {"age": 34, "sex": "female"}, "screening": screening}))
    for week in programme.weeks:
        assert week.session.duration_s <= minutes * 60
        for item in week.session.items:
            assert violations(LIB.exercises[item.exercise_id], rules, side=item.side) == []
