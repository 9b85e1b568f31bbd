"""Reliability verdicts (hiplab.motion.verdicts): levels, reasons, nested results and advice."""

from __future__ import annotations

import math
import re
from dataclasses import asdict
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplab.motion import verdicts as v
from hiplab.motion.angles import View
from hiplab.motion.kinematics import run_kinematics
from hiplab.motion.verdicts import (
    ADVICE,
    REASONS,
    ROUGH_DEG,
    ROUGH_S,
    Verdict,
    advice,
    analysis_verdict,
    camera_reason,
    metric_verdicts,
    verdict_of,
)
from hiplab.motion.view import WarningCode
from tests.motion import body3d as b

SNAKE = re.compile(r"[A-Za-z0-9]+_[A-Za-z0-9_]+")
TASK_CODES = ("not_measurable_in_view", "frames_lost", "not_the_task")
"""Warning codes the tasks emit besides :data:`hiplab.motion.view.WarningCode`."""
CODES = (*get_args(WarningCode), *TASK_CODES)


def _warning(
    code: str, message: str = "", value: float | None = None, **extra: Any
) -> dict[str, Any]:
    return {"code": code, "severity": "warn", "message": message, "value": value, **extra}


# --- levels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "sd", "level"),
    [
        ("peak_knee_flexion_deg", 0.0, "reliable"),
        ("peak_knee_flexion_deg", v.RELIABLE_DEG, "reliable"),
        ("peak_knee_flexion_deg", v.RELIABLE_DEG + 0.01, "rough"),
        ("peak_knee_flexion_deg", ROUGH_DEG, "rough"),
        ("peak_knee_flexion_deg", ROUGH_DEG + 0.01, "not_measured"),
        ("reps.2.peak_knee_flexion_deg", 3.0, "reliable"),
        ("time_to_stability_s", v.RELIABLE_S, "reliable"),
        ("time_to_stability_s", v.RELIABLE_S + 0.001, "rough"),
        ("time_to_stability_s", ROUGH_S, "rough"),
        ("time_to_stability_s", ROUGH_S + 0.001, "not_measured"),
        ("contact_time_ms", 1000 * v.RELIABLE_S, "reliable"),
        ("contact_time_ms", 1000 * v.RELIABLE_S + 1, "rough"),
        ("contact_time_ms", 1000 * ROUGH_S, "rough"),
        ("contact_time_ms", 1000 * ROUGH_S + 1, "not_measured"),
    ],
)
def test_levels_at_and_around_the_limits(key: str, sd: float, level: str) -> None:
    found = verdict_of(key, 10.0, sd, reason="")
    assert found is not None and found.level == level
    assert (found.reason == "") == (level == "reliable")


@pytest.mark.parametrize("key", ["peak_knee_velocity_deg_s", "reps", "fms_score", "ratio"])
def test_metrics_that_are_not_angles_or_times_get_no_verdict(key: str) -> None:
    assert verdict_of(key, 10.0, 1.0, reason="r") is None


def test_no_value_is_not_measured() -> None:
    assert verdict_of("a_deg", None, 1.0, reason="") == Verdict(
        level="not_measured", reason="it was not seen"
    )
    found = verdict_of("a_deg", None, 1.0, reason="the camera is 30° off a side view")
    assert found == Verdict(level="not_measured", reason="the camera is 30° off a side view")


@pytest.mark.parametrize("sd", [None, math.nan, math.inf])
def test_an_unknown_uncertainty_is_rough(sd: float | None) -> None:
    found = verdict_of("a_deg", 12.0, sd, reason="")
    assert found == Verdict(level="rough", reason="its uncertainty is not known")
    assert verdict_of("a_deg", 12.0, sd, reason="why") == Verdict(level="rough", reason="why")


def test_a_warning_that_names_the_metric_makes_it_rough() -> None:
    found = verdict_of("a_deg", 12.0, 1.0, reason="general", applied=["subject_too_small"])
    assert found == Verdict(level="rough", reason=REASONS["subject_too_small"])
    # a code without a reason of its own does not demote it
    assert verdict_of("a_deg", 12.0, 1.0, reason="", applied=["camera_oblique"]) == Verdict(
        level="reliable"
    )


def test_the_verdict_text() -> None:
    assert Verdict(level="reliable").text == "reliable"
    rough = Verdict(level="rough", reason="the camera is 30° off a side view")
    assert rough.text == "rough — the camera is 30° off a side view"
    assert Verdict(level="not_measured").text == "not measured"
    assert rough.model_dump()["text"] == rough.text


def test_a_verdict_reads_its_own_dump_and_recomputes_the_text() -> None:
    rough = Verdict(level="rough", reason="the camera is 30° off a side view")
    assert Verdict.model_validate(rough.model_dump(mode="json")) == rough
    stale = {**rough.model_dump(mode="json"), "text": "reliable"}
    assert Verdict.model_validate(stale).text == rough.text


# --- reasons from the camera warnings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "yaw", "pitch", "reason"),
    [
        ("sagittal", 60, 0, "the camera is 30° off a side view"),
        ("frontal", 30, 0, "the camera is 30° off a front view"),
        ("sagittal", 90, 25, REASONS["camera_tilted"]),
    ],
)
def test_the_reason_of_real_camera_warnings(view: View, yaw: int, pitch: int, reason: str) -> None:
    kinematics = run_kinematics(b.film(b.figure(b.squat_pose(40)), yaw, pitch), view=view)
    warnings = [asdict(w) for w in kinematics.warnings]
    assert camera_reason(warnings) == reason


@settings(deadline=None, database=None)
@given(st.floats(min_value=0.0, max_value=180.0))
def test_an_oblique_camera_is_named_by_its_degrees(offset: float) -> None:
    side = _warning("camera_oblique", f"the camera is {offset:.0f}° off a side view, so …", offset)
    front = _warning("camera_oblique", "the camera is off a front or back view, so …", offset)
    assert camera_reason([side]) == f"the camera is {offset:.0f}° off a side view"
    assert camera_reason([front]) == f"the camera is {offset:.0f}° off a front view"


def test_camera_reasons_in_order() -> None:
    small, hidden = _warning("subject_too_small"), _warning("too_much_occlusion")
    withheld, tilted = _warning("angles_withheld"), _warning("camera_tilted")
    wrong = _warning("wrong_view_for_task")
    assert camera_reason([]) == ""
    assert camera_reason([_warning("fps_too_low_for_landing")]) == ""
    assert camera_reason([hidden, small]) == REASONS["subject_too_small"]
    assert camera_reason([small, tilted]) == REASONS["camera_tilted"]
    assert camera_reason([tilted, wrong]) == REASONS["wrong_view_for_task"]
    assert camera_reason([tilted, wrong, withheld]) == REASONS["angles_withheld"]
    # an oblique warning without degrees (the width-ratio one) gives way to the others
    assert (
        camera_reason([_warning("camera_oblique", "looks oblique"), tilted])
        == (REASONS["camera_tilted"])
    )


# --- whole results ----------------------------------------------------------------------------

RESULT: dict[str, Any] = {
    "warnings": [_warning("too_much_occlusion", applies_to=["left"])],
    "uncertainty": {
        "mean_knee_flexion_deg": 3.0,
        "mean_rep_s": 0.2,
        "left.thigh_angle_deg": 4.0,
        "right.thigh_angle_deg": 4.0,
        "peak_knee_velocity_deg_s": 5.0,
        "complete_reps": 0.0,
    },
    "mean_knee_flexion_deg": 95.0,
    "mean_rep_s": 1.8,
    "complete_reps": 2,
    "peak_knee_velocity_deg_s": 300.0,
    "left": {"thigh_angle_deg": -8.0, "knee_flexion_deg": 80.0},
    "right": {"thigh_angle_deg": None},
    "reps": [
        {"uncertainty": {"peak_knee_flexion_deg": 5.0}, "peak_knee_flexion_deg": 100.0},
        {"uncertainty": {"peak_knee_flexion_deg": 9.0}, "peak_knee_flexion_deg": 90.0},
        {"uncertainty": {"peak_knee_flexion_deg": 40.0}, "peak_knee_flexion_deg": 80.0},
    ],
}


def test_metric_verdicts_walk_nested_uncertainty_maps() -> None:
    found = metric_verdicts(RESULT)
    hidden = REASONS["too_much_occlusion"]
    assert found == {
        "mean_knee_flexion_deg": Verdict(level="reliable"),
        "mean_rep_s": Verdict(level="not_measured", reason=hidden),
        "left.thigh_angle_deg": Verdict(level="rough", reason=hidden),  # the warning names it
        "right.thigh_angle_deg": Verdict(level="not_measured", reason=hidden),
        "reps.0.peak_knee_flexion_deg": Verdict(level="reliable"),
        "reps.1.peak_knee_flexion_deg": Verdict(level="rough", reason=hidden),
        "reps.2.peak_knee_flexion_deg": Verdict(level="not_measured", reason=hidden),
    }


def test_metric_verdicts_fall_back_to_the_given_reason() -> None:
    quiet = {**RESULT, "warnings": []}
    found = metric_verdicts(quiet, fallback=v.FLAT_REASON)
    assert found["reps.1.peak_knee_flexion_deg"] == Verdict(level="rough", reason=v.FLAT_REASON)
    assert found["left.thigh_angle_deg"] == Verdict(level="reliable")
    assert metric_verdicts(quiet)["right.thigh_angle_deg"].reason == "it was not seen"


def test_the_analysis_verdict_is_the_worst_measured_one() -> None:
    reliable, rough = Verdict(level="reliable"), Verdict(level="rough", reason="r")
    unseen = Verdict(level="not_measured", reason="n")
    assert analysis_verdict({"a": reliable, "b": rough, "c": unseen}, []) == rough
    assert analysis_verdict({"a": reliable, "c": unseen}, []) == reliable
    assert analysis_verdict({"c": unseen}, []) == unseen
    assert analysis_verdict({}, []) == Verdict(level="reliable")
    assert analysis_verdict({}, [_warning("camera_tilted")]) == Verdict(
        level="rough", reason=REASONS["camera_tilted"]
    )
    assert analysis_verdict(metric_verdicts(RESULT), RESULT["warnings"]).level == "rough"


# --- advice and plain words -------------------------------------------------------------------


def test_advice_is_given_once_in_order() -> None:
    warnings = [
        _warning("wrong_view_for_task"),
        _warning("camera_oblique"),
        _warning("not_measurable_in_view"),  # the same advice as the wrong view
        _warning("sides_swapped"),  # nothing to do
        _warning("camera_oblique"),
    ]
    assert advice(warnings) == [ADVICE["wrong_view_for_task"], ADVICE["camera_oblique"]]
    assert advice([]) == []


def _texts() -> list[str]:
    return [
        *ADVICE.values(),
        *REASONS.values(),
        *v.LABELS.values(),
        *v.VIEW_PHRASES.values(),
        v.FLAT_REASON,
        v.FLAT_ADVICE,
        v.STORE_ADVICE,
        v.RETEST_ADVICE,
    ]


@pytest.mark.parametrize("text", _texts())
def test_every_text_people_read_is_plain(text: str) -> None:
    assert text.strip() == text and text
    assert not SNAKE.search(text), text
    assert not any(code.replace("_", " ") in text for code in CODES), text


def test_advice_and_reasons_are_keyed_by_real_codes() -> None:
    assert set(ADVICE) <= set(CODES)
    assert set(REASONS) <= set(CODES)
    for code in ("camera_oblique", "camera_tilted", "angles_withheld"):
        assert code in ADVICE  # every camera warning says what to do
