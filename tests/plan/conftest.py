from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hiplab.assess.parse import validate
from hiplab.library import default_library
from hiplab.plan.generate import PlanRequest, PreviousBlock, make_programme
from hiplab.records.programme import Programme
from hiplab.services.assessments import assess

MakePlan = Callable[..., Programme]

SAMPLE_TESTS: dict[str, Any] = {
    "thomas": {
        "left": {"thigh_angle_deg": 2, "knee_flexion_deg": 85},
        "right": {"thigh_angle_deg": 9},
    },
    "hip_internal_rotation_deg": {"left": 31, "right": 22},
    "straight_leg_raise_deg": {"left": 72, "right": 70},
    "single_leg_bridge_s": {"left": 35, "right": 18},
}


@pytest.fixture
def make_plan() -> MakePlan:
    def build(
        tests: dict[str, Any] | None = None,
        *,
        screening: dict[str, Any] | None = None,
        age: int = 34,
        previous: PreviousBlock | None = None,
        **request: Any,
    ) -> Programme:
        data = validate(
            {
                "person": {"age": age, "sex": "female"},
                "screening": screening or {},
                "tests": SAMPLE_TESTS if tests is None else tests,
            }
        )
        result = assess(data, default_library())
        return make_programme(
            assessment=result,
            person=data.person,
            library=default_library(),
            request=PlanRequest(**request),
            label="Test Person",
            previous=previous,
        )

    return build
