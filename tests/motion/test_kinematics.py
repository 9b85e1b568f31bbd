"""The kinematics stage end to end and stage by stage."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from hiplab.errors import InputError
from hiplab.motion import kinematics
from hiplab.motion.angles import angle_channels
from hiplab.motion.filters import NoFilter
from hiplab.motion.keypoints import INDEX, KEYPOINTS, KeypointTrack
from hiplab.motion.kinematics import (
    clean_keypoints,
    default_max_gap,
    measured_keypoints,
    track_to_series,
)
from hiplab.testing.synthetic import (
    CaptureOptions,
    Dropout,
    drop_landing,
    frontal_squat,
    hold,
    mean_absolute_errors,
    squat,
    thomas_test,
)

FILLED_ANGLE_DEG = 2.0
"""Angle error allowed on samples filled over a 2-frame dropout (1 px noise)."""
VELOCITY_MAE_DEG_S = 15.0
"""Mean absolute knee angular-velocity error (squat, 30 fps, 1 px noise); peaks reach ~170 deg/s."""


def codes(warnings: list[kinematics.QualityWarning]) -> list[str]:
    return [w.code for w in warnings]


def test_docstring_examples_run() -> None:
    assert doctest.testmod(kinematics, raise_on_error=True).attempted > 0


def test_series_holds_angles_velocities_keypoints_and_uncertainty() -> None:
    capture = squat()
    series, warnings = track_to_series(capture.track)
    assert warnings == []
    assert series.fps == 30.0
    np.testing.assert_allclose(series.time, capture.track.time_s)
    for name in angle_channels("sagittal"):
        assert series.units[name] == "deg"
        assert series.units[f"{name}_velocity"] == "deg/s"
        assert 3.0 <= series.uncertainty[name] < 10.0
        error = np.abs(series.channel(name) - capture.truth.channel(name))
        measured = np.isfinite(error)
        assert measured.mean() > 0.9, name
        assert np.mean(error[measured] <= 2 * series.frame_sd(name)[measured]) >= 0.95, name
    for name in KEYPOINTS:
        assert series.units[f"{name}_x"] == "px" and series.units[f"{name}_y"] == "px"
    assert set(series.uncertainty) == set(angle_channels("sagittal"))


def test_detected_view_decides_the_angles() -> None:
    series, _ = track_to_series(frontal_squat().track)
    assert "right_knee_fppa" in series.data and "right_knee_flexion" not in series.data


def test_stated_view_wins_but_a_mismatch_is_warned_and_withheld() -> None:
    series, warnings = track_to_series(frontal_squat().track, view="sagittal")
    assert "right_knee_flexion" in series.data
    assert {"wrong_view_for_task", "angles_withheld"} <= set(codes(warnings))
    # a side-view angle seen from the front is the camera's angle: never reported
    assert not np.isfinite(series.channel("right_knee_flexion")).any()


def test_undetectable_view_is_an_input_error_unless_stated() -> None:
    track = squat().track
    track.score[:, INDEX["right_shoulder"]] = 0.0
    with pytest.raises(InputError, match="cannot detect the view"):
        track_to_series(track)
    series, _ = track_to_series(track, view="sagittal")
    assert np.isfinite(series.channel("left_knee_flexion")).all()


def test_short_dropouts_are_filled_and_marked() -> None:
    options = CaptureOptions(dropouts=(Dropout(40, 42, ("right_knee",)),))
    capture = squat(options)
    series, _ = track_to_series(capture.track)
    name = "right_knee_flexion"
    assert not series.valid[name][40:42].any()
    assert series.filled[name][40:42].all()
    assert np.isnan(series.channel(name)[40:42]).all()
    filled = series.channel(name, include_filled=True)[40:42]
    truth = capture.truth.channel(name)[40:42]
    np.testing.assert_allclose(filled, truth, atol=FILLED_ANGLE_DEG)
    assert series.filled["right_knee_x"][40:42].all()


def test_long_dropouts_stay_empty_and_are_reported() -> None:
    options = CaptureOptions(dropouts=(Dropout(40, 50, ("right_knee",)),))
    series, warnings = track_to_series(squat(options).track)
    name = "right_knee_flexion"
    assert np.isnan(series.channel(name, include_filled=True)[40:50]).all()
    assert not series.filled[name][40:50].any()
    assert np.isfinite(series.channel("left_knee_flexion")[40:50]).all()
    long_gaps = [w for w in warnings if w.code == "long_gaps"]
    assert long_gaps and long_gaps[0].severity == "info" and long_gaps[0].value == 10


def test_lost_frames_are_filled_only_when_short() -> None:
    options = CaptureOptions(dropouts=(Dropout(30, 32), Dropout(60, 70)))
    series, _ = track_to_series(squat(options).track)
    usable = series.usable("trunk_lean", include_filled=True)
    assert usable[30:32].all() and not series.valid["trunk_lean"][30:32].any()
    assert not usable[60:70].any()


def test_max_gap_is_configurable() -> None:
    options = CaptureOptions(dropouts=(Dropout(40, 45, ("right_knee",)),))
    track = squat(options).track
    assert default_max_gap(30.0) == 3
    series, _ = track_to_series(track, max_gap=5)
    assert series.filled["right_knee_flexion"][40:45].all()


def test_landing_fps_refusal_is_a_warning_with_refuse_severity() -> None:
    series, warnings = track_to_series(drop_landing(CaptureOptions(fps=25.0)).track, landing=True)
    refusals = [w for w in warnings if w.severity == "refuse"]
    assert codes(refusals) == ["fps_too_low_for_landing"]
    assert series.frames > 0


def test_unknown_facing_is_warned() -> None:
    track = squat().track
    for name in ("nose", "left_heel", "right_heel"):
        track.score[:, INDEX[name]] = 0.0
        track.xy[:, INDEX[name]] = np.nan
    series, warnings = track_to_series(track, view="sagittal")
    assert "facing_unknown" in codes(warnings)
    assert not np.isfinite(series.channel("right_knee_flexion")).any()
    series, warnings = track_to_series(track, view="sagittal", facing="right")
    assert "facing_unknown" not in codes(warnings)
    assert np.isfinite(series.channel("right_knee_flexion")).all()


def test_cleaning_reduces_keypoint_noise() -> None:
    capture = squat(CaptureOptions(noise_px=2.0, seed=11))
    cleaned = clean_keypoints(capture.track)
    raw_error = np.sqrt(np.mean((capture.track.xy - capture.true_xy) ** 2))
    clean_error = np.sqrt(np.mean((cleaned.track.xy - capture.true_xy) ** 2))
    assert clean_error < 0.75 * raw_error  # white noise kept: about sqrt(2 * 6 / 30) = 0.63
    assert cleaned.measured.all() and not cleaned.filled.any()
    assert cleaned.track.score is capture.track.score


def test_cleaning_stage_with_another_filter() -> None:
    capture = squat(CaptureOptions(dropouts=(Dropout(10, 11, ("nose",)),)))
    cleaned = clean_keypoints(capture.track, keypoint_filter=NoFilter())
    nose = INDEX["nose"]
    assert cleaned.filled[10, nose]
    np.testing.assert_array_equal(cleaned.track.xy[:10], capture.track.xy[:10])
    assert measured_keypoints(capture.track)[10, nose] == np.False_


def test_short_runs_are_left_unfiltered_and_reported() -> None:
    options = CaptureOptions(
        dropouts=(Dropout(40, 45, ("right_knee",)), Dropout(50, 55, ("right_knee",)))
    )
    _, warnings = track_to_series(squat(options).track)
    unfiltered = [w for w in warnings if w.code == "unfiltered_segments"]
    assert unfiltered and unfiltered[0].value == 5


def test_a_higher_cutoff_smooths_less() -> None:
    capture = squat(CaptureOptions(noise_px=2.0, seed=12))
    default, _ = track_to_series(capture.track)
    loose, _ = track_to_series(capture.track, cutoff_hz=12.0)
    error = mean_absolute_errors(default, capture.truth)["right_knee_flexion"]
    assert mean_absolute_errors(loose, capture.truth)["right_knee_flexion"] > error


def test_angular_velocity_follows_the_truth() -> None:
    capture = squat(CaptureOptions(noise_px=1.0, seed=13))
    series, _ = track_to_series(capture.track)
    truth = np.gradient(capture.truth.channel("right_knee_flexion"), capture.truth.time)
    measured = series.channel("right_knee_flexion_velocity")
    assert np.nanmean(np.abs(measured - truth)) < VELOCITY_MAE_DEG_S
    assert np.nanmax(np.abs(truth)) > 100.0


def test_run_kinematics_keeps_the_view_estimate() -> None:
    result = kinematics.run_kinematics(squat(facing="left").track)
    assert result.view == "sagittal"
    assert result.estimate is not None and result.estimate.near_side == "left"
    assert result.warnings == ()
    assert "left_knee_flexion" in result.series.data


def swap_labels(track: KeypointTrack, frames: slice, parts: tuple[str, ...]) -> None:
    for part in parts:
        left, right = INDEX[f"left_{part}"], INDEX[f"right_{part}"]
        track.xy[frames, [left, right]] = track.xy[frames, [right, left]]
        track.score[frames, [left, right]] = track.score[frames, [right, left]]


LEG = ("hip", "knee", "ankle", "heel", "foot_index")


@pytest.mark.parametrize(
    "make", [lambda: thomas_test(), lambda: frontal_squat(), lambda: drop_landing()]
)
def test_pose_model_side_swaps_are_undone(make: object) -> None:
    capture = make()  # type: ignore[operator]
    track = capture.track
    original = track.xy.copy()
    swap_labels(track, slice(20, 25), LEG)
    swaps = kinematics.unswap_sides(track)
    np.testing.assert_array_equal(swaps.track.xy, original)
    assert swaps.swapped["legs"].tolist() == [20 <= i < 25 for i in range(track.frames)]
    assert not swaps.swapped["arms"].any()
    _, warnings = track_to_series(track, view=capture.view)
    assert any(w.code == "sides_swapped" and w.value == 5 for w in warnings)


def test_overlapping_legs_are_never_swapped() -> None:
    for capture in (squat(CaptureOptions(noise_px=3.0)), hold(), drop_landing()):
        swaps = kinematics.unswap_sides(capture.track)
        assert swaps.frames == 0
        np.testing.assert_array_equal(swaps.track.xy, capture.track.xy)


@pytest.mark.parametrize("frames", [0, 1, 2])
def test_very_short_tracks_give_a_series_without_crashing(frames: int) -> None:
    full = squat().track
    track = KeypointTrack(
        fps=30.0,
        width=full.width,
        height=full.height,
        xy=full.xy[:frames].copy(),
        score=full.score[:frames].copy(),
        lost=full.lost[:frames].copy(),
    )
    series, warnings = track_to_series(track, view="sagittal")
    assert series.frames == frames
    assert np.isfinite(series.channel("right_knee_flexion")).sum() == frames
    if frames:
        assert "unfiltered_segments" in codes(warnings)


def joined(*tracks: KeypointTrack) -> KeypointTrack:
    first = tracks[0]
    return KeypointTrack(
        fps=first.fps,
        width=first.width,
        height=first.height,
        xy=np.concatenate([t.xy for t in tracks]),
        score=np.concatenate([t.score for t in tracks]),
        lost=np.concatenate([t.lost for t in tracks]),
    )


def test_a_subject_who_turns_round_is_followed_after_the_turn() -> None:
    first, second = squat(reps=2), squat(CaptureOptions(seed=1), reps=2, facing="left")
    track = joined(first.track, second.track)
    result = kinematics.run_kinematics(track)
    turn = first.track.frames
    assert result.estimate is not None and result.estimate.facing_changes == (turn,)
    assert any(w.code == "facing_changed" and w.severity == "info" for w in result.warnings)
    truth = np.concatenate(
        [first.truth.channel("right_knee_flexion"), second.truth.channel("right_knee_flexion")]
    )
    measured = result.series.channel("right_knee_flexion")
    away = np.abs(np.arange(track.frames) - turn) > 5  # the filter blurs the cut itself
    assert np.nanmean(np.abs(measured - truth)[away]) < 1.0


def test_facing_does_not_flicker_on_a_few_wrong_frames() -> None:
    from hiplab.motion.angles import facing_per_frame

    track = squat().track
    for side in ("left", "right"):
        heel, toe = INDEX[f"{side}_heel"], INDEX[f"{side}_foot_index"]
        track.xy[50:60, [heel, toe]] = track.xy[50:60, [toe, heel]]  # feet read backwards
    assert (facing_per_frame(track) == 1.0).all()
    assert facing_per_frame(track, min_run_s=0.1)[55] == -1.0
