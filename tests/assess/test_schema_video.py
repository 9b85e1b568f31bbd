"""Video measurements in the assessment input: validated, tied to the tests, optional."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from hiplab.records.intake import AssessmentInput, VideoMeasurement

THIGH = {
    "test": "thomas.right.thigh_angle_deg",
    "label": "Thomas test, right thigh angle",
    "value": -9.6,
    "unit": "°",
    "uncertainty": 4.0,
    "verdict": "reliable",
}


def video_input(**changes: Any) -> dict[str, Any]:
    """A video assessment with one Thomas value and its video measurement."""
    return {
        "person": {"age": 34, "sex": "female"},
        "tests": {"thomas": {"right": {"thigh_angle_deg": -9.6}}},
        "provenance": "video",
        "video_measurements": [THIGH],
        **changes,
    }


def test_a_video_measurement_keeps_uncertainty_and_verdict() -> None:
    data = AssessmentInput.model_validate(video_input())
    [kept] = data.video_measurements
    assert (kept.value, kept.uncertainty, kept.verdict) == (-9.6, 4.0, "reliable")
    again = AssessmentInput.model_validate(data.model_dump(mode="json"))
    assert again == data


def test_old_stored_input_without_the_field_still_loads() -> None:
    old = {"person": {"age": 34, "sex": "female"}, "tests": {}, "provenance": "video"}
    assert AssessmentInput.model_validate(old).video_measurements == ()


def test_the_verdict_object_of_metrics_json_is_kept_as_its_text() -> None:
    measured = {**THIGH, "verdict": {"level": "reliable", "reason": "", "text": "reliable"}}
    assert VideoMeasurement.model_validate(measured).verdict == "reliable"


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"provenance": "clinician"}, "provenance is 'clinician'"),
        ({"tests": {}}, "is no test value given in tests"),
        ({"tests": {"thomas": {"right": {"thigh_angle_deg": 5.0}}}}, "tests give 5"),
        ({"video_measurements": [THIGH, THIGH]}, "given twice"),
        ({"video_measurements": [{**THIGH, "test": "thomas.right"}]}, "no test value"),
        ({"video_measurements": [{**THIGH, "test": "../etc"}]}, "string_pattern_mismatch"),
        ({"video_measurements": [{**THIGH, "uncertainty": -1}]}, "greater than or equal to 0"),
        ({"video_measurements": [{**THIGH, "value": float("nan")}]}, "finite number"),
        ({"video_measurements": [{**THIGH, "unit": "deg"}]}, "'°' or 'points'"),
        ({"video_measurements": [{**THIGH, "verdict": ""}]}, "at least 1 character"),
    ],
)
def test_bad_video_measurements_are_refused_by_name(changes: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AssessmentInput.model_validate(video_input(**changes))
    text = str(caught.value)
    assert needle in text or needle in repr(caught.value.errors()), text
