"""View detection and quality warnings."""

from __future__ import annotations

import doctest

import pytest

from hiplab.errors import InputError
from hiplab.motion import view as view_module
from hiplab.motion.keypoints import INDEX, KEYPOINTS
from hiplab.motion.view import (
    QualityLimits,
    check_landing_fps,
    detect_view,
    quality_checks,
)
from hiplab.testing.synthetic import (
    Body,
    CaptureOptions,
    Dropout,
    drop_landing,
    frontal_squat,
    squat,
    thomas_test,
)


def codes(warnings: list[view_module.QualityWarning]) -> list[str]:
    return [w.code for w in warnings]


def test_docstring_examples_run() -> None:
    assert doctest.testmod(view_module, raise_on_error=True).attempted > 0


@pytest.mark.parametrize("facing", ["left", "right"])
def test_side_view_is_sagittal_with_facing_and_near_side(facing: str) -> None:
    estimate = detect_view(squat(facing=facing).track)  # type: ignore[arg-type]
    assert estimate.view == "sagittal"
    assert estimate.width_ratio < view_module.SAGITTAL_RATIO
    assert not estimate.uncertain
    assert estimate.facing == facing
    assert estimate.near_side == facing  # facing right ⇒ right side toward the camera
    assert estimate.toward_camera is None


def test_supine_side_view_is_sagittal() -> None:
    estimate = detect_view(thomas_test().track)
    assert estimate.view == "sagittal"
    assert estimate.facing == "right"


@pytest.mark.parametrize("toward", [True, False])
def test_front_and_back_views_are_frontal(toward: bool) -> None:
    estimate = detect_view(frontal_squat(toward_camera=toward).track)
    assert estimate.view == "frontal"
    assert estimate.width_ratio > view_module.FRONTAL_RATIO
    assert estimate.toward_camera is toward
    assert estimate.facing is None and estimate.near_side is None


def test_near_side_follows_scores_when_they_differ() -> None:
    track = squat(facing="right").track
    for i, name in enumerate(KEYPOINTS):
        if name.startswith("right_"):
            track.score[:, i] = 0.6  # the right side now looks hidden
    assert detect_view(track).near_side == "left"


def test_oblique_camera_is_flagged() -> None:
    narrow = Body(shoulder_width=0.10, hip_width=0.08)
    estimate = detect_view(frontal_squat(CaptureOptions(body=narrow)).track)
    assert estimate.uncertain
    warnings = quality_checks(frontal_squat(CaptureOptions(body=narrow)).track, estimate=estimate)
    assert "camera_oblique" in codes(warnings)


def test_no_torso_no_view() -> None:
    track = squat().track
    track.score[:, INDEX["left_hip"]] = 0.0
    with pytest.raises(InputError, match="no frame has both shoulders and hips"):
        detect_view(track)


def test_a_good_capture_has_no_warnings() -> None:
    track = squat().track
    assert quality_checks(track, estimate=detect_view(track), task_view="sagittal") == []


def test_subject_too_small() -> None:
    track = squat(CaptureOptions(body=Body(height_px=100.0))).track
    warnings = quality_checks(track, estimate=detect_view(track))
    assert codes(warnings) == ["subject_too_small"]
    assert warnings[0].severity == "warn"
    assert warnings[0].value is not None and warnings[0].value < 0.2
    assert warnings[0].limit == 0.2


def test_wrong_view_for_task() -> None:
    track = frontal_squat().track
    warnings = quality_checks(track, estimate=detect_view(track), task_view="sagittal")
    assert codes(warnings) == ["wrong_view_for_task", "too_much_occlusion"] or codes(warnings) == [
        "wrong_view_for_task"
    ]
    assert "sagittal view" in warnings[0].message


def test_too_much_occlusion() -> None:
    n = squat().track.frames
    track = squat(CaptureOptions(dropouts=(Dropout(0, int(0.3 * n)),))).track
    warnings = quality_checks(track, estimate=detect_view(track))
    assert codes(warnings) == ["too_much_occlusion"]
    assert warnings[0].value == pytest.approx(0.3, abs=0.01)


def test_one_hidden_side_is_not_occlusion_in_side_view() -> None:
    n = squat().track.frames
    far = tuple(k for k in KEYPOINTS if k.startswith("left_"))
    track = squat(CaptureOptions(dropouts=(Dropout(0, n, far),))).track
    assert "too_much_occlusion" not in codes(quality_checks(track, estimate=None))
    assert "too_much_occlusion" in codes(quality_checks(track, estimate=None, task_view="frontal"))


@pytest.mark.parametrize(
    ("fps", "severity"), [(25.0, "refuse"), (29.97, "refuse"), (30.0, "warn"), (50.0, "warn")]
)
def test_fps_too_low_for_landing(fps: float, severity: str) -> None:
    warnings = check_landing_fps(fps, limits=QualityLimits())
    assert codes(warnings) == ["fps_too_low_for_landing"]
    assert warnings[0].severity == severity
    assert warnings[0].value == fps


def test_fast_enough_landing_and_non_landing_tasks_pass() -> None:
    assert check_landing_fps(60.0, limits=QualityLimits()) == []
    slow = drop_landing(CaptureOptions(fps=25.0)).track
    assert "fps_too_low_for_landing" not in codes(quality_checks(slow, estimate=None))
    assert codes(quality_checks(slow, estimate=None, landing=True)) == ["fps_too_low_for_landing"]
