"""The synthetic generator: exact truth in the angle conventions, rendering, round trips."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from hiplab.motion.angles import angle_channels, compute_angles
from hiplab.motion.keypoints import INDEX
from hiplab.motion.kinematics import track_to_series
from hiplab.testing import synthetic
from hiplab.testing.synthetic import (
    Body,
    Capture,
    CaptureOptions,
    Dropout,
    accuracy_report,
    drop_landing,
    frontal_landing,
    frontal_squat,
    hold,
    mirror_track,
    squat,
    thomas_test,
)

# Tolerances of the round trip (measured vs set angles), degrees.
EXACT_DEG = 1e-6
"""Noise-free keypoints through compute_angles (no filter): the conventions agree exactly."""
MAE_NOISE_FREE_DEG = 0.2
"""Noise-free through the full kinematics: only the low-pass bends fast changes (landing)."""
MAE_AT_1PX_DEG = 1.0
"""1 px Gaussian keypoint noise, full kinematics, every angle of every scenario."""
PEAK_VALUE_DEG = 2.0
"""Peak knee flexion of a landing (120 fps, 1 px)."""
CONTACT_VALUE_DEG = 4.0
"""Knee flexion at initial contact (120 fps, 1 px): the zero-lag low-pass spreads the impact
kink (knee flexing at ~680 deg/s from contact) backwards, so it reads 2-3° high."""
PEAK_FRAME_TOLERANCE = 2
"""Frames (at 120 fps) between the measured and the set knee-flexion peak."""

NOISE_FREE = CaptureOptions(noise_px=0.0)
NOISE_FREE_FAST = CaptureOptions(fps=120.0, noise_px=0.0)


def noise_free_captures() -> dict[str, Capture]:
    return {
        "squat_right": squat(NOISE_FREE),
        "squat_left_heel_rise": squat(NOISE_FREE, facing="left", heel_rise_deg=15.0),
        "landing_right": drop_landing(NOISE_FREE_FAST),
        "landing_left": drop_landing(NOISE_FREE_FAST, facing="left"),
        "thomas_right": thomas_test(NOISE_FREE),
        "thomas_left_facing_left": thomas_test(NOISE_FREE, side="left", facing="left"),
        "thomas_above_horizontal": thomas_test(NOISE_FREE, thigh_angle=15.0, knee_flexion=60.0),
        "hold": hold(NOISE_FREE),
        "frontal_squat": frontal_squat(NOISE_FREE),
        "frontal_squat_back": frontal_squat(NOISE_FREE, toward_camera=False),
        "frontal_landing": frontal_landing(NOISE_FREE_FAST),
    }


CAPTURES = noise_free_captures()


def test_docstring_examples_run() -> None:
    assert doctest.testmod(synthetic, raise_on_error=True).attempted > 0


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_truth_has_the_channels_compute_angles_gives(name: str) -> None:
    capture = CAPTURES[name]
    assert set(capture.truth.data) == set(angle_channels(capture.view))
    assert capture.truth.fps == capture.track.fps
    assert capture.truth.frames == capture.track.frames


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_noise_free_angles_equal_the_set_angles_exactly(name: str) -> None:
    capture = CAPTURES[name]
    measured = compute_angles(capture.track, view=capture.view)
    for channel in angle_channels(capture.view):
        np.testing.assert_allclose(
            measured.channel(channel),
            capture.truth.channel(channel),
            atol=EXACT_DEG,
            err_msg=channel,
        )


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_noise_free_full_kinematics_is_within_the_filter_tolerance(name: str) -> None:
    capture = CAPTURES[name]
    series, _ = track_to_series(capture.track, view=capture.view)
    errors = synthetic.mean_absolute_errors(series, capture.truth)
    assert max(errors.values()) < MAE_NOISE_FREE_DEG, errors


def test_accuracy_report_at_1px_noise() -> None:
    report = accuracy_report(noise_px=1.0, seed=0)
    assert set(report) == {
        "squat_sagittal_30fps",
        "landing_sagittal_120fps",
        "thomas_sagittal_30fps",
        "hold_sagittal_30fps",
        "squat_frontal_30fps",
        "landing_frontal_120fps",
    }
    for scenario, errors in report.items():
        assert errors, scenario
        for channel, error in errors.items():
            assert error < MAE_AT_1PX_DEG, (scenario, channel, error)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_round_trip_holds_for_other_noise_draws(seed: int) -> None:
    capture = squat(CaptureOptions(noise_px=1.0, seed=seed), facing="left")
    series, _ = track_to_series(capture.track)
    errors = synthetic.mean_absolute_errors(series, capture.truth)
    assert max(errors.values()) < MAE_AT_1PX_DEG, errors


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_landing_events_and_values_at_1px(seed: int) -> None:
    capture = drop_landing(CaptureOptions(fps=120.0, noise_px=1.0, seed=seed))
    series, _ = track_to_series(capture.track, view="sagittal", landing=True)
    events = {e.name: e.frame for e in capture.truth.events}
    contact, peak = events["initial_contact"], events["peak_knee_flexion"]
    knee = series.channel("right_knee_flexion")
    at_contact = knee[contact] - capture.parameters["knee_at_contact"]
    assert 0.0 < at_contact < CONTACT_VALUE_DEG  # biased high by the filter, never low
    assert abs(int(np.nanargmax(knee)) - peak) <= PEAK_FRAME_TOLERANCE
    assert np.nanmax(knee) == pytest.approx(
        capture.parameters["peak_knee_flexion"], abs=PEAK_VALUE_DEG
    )


def test_landing_contact_is_the_first_frame_on_the_floor() -> None:
    capture = CAPTURES["landing_right"]
    contact = next(e.frame for e in capture.truth.events if e.name == "initial_contact")
    feet = [INDEX[f"{s}_{p}"] for s in ("left", "right") for p in ("heel", "foot_index")]
    lowest = capture.true_xy[:, feet, 1].max(axis=1)  # pixels, y down
    floor = lowest[contact]
    assert (lowest[:contact] < floor - 1e-9).all()
    np.testing.assert_allclose(lowest[contact:], floor, atol=1e-9)
    assert capture.parameters["time_to_peak_s"] == pytest.approx(0.15, abs=1 / 120)


def test_squat_events_mark_the_deepest_frames() -> None:
    capture = CAPTURES["squat_right"]
    knee = capture.truth.channel("right_knee_flexion")
    bottoms = [e.frame for e in capture.truth.events if e.name == "bottom"]
    assert len(bottoms) == 3
    for frame in bottoms:
        assert knee[frame] == pytest.approx(110.0)
    starts = [e.frame for e in capture.truth.events if e.name == "rep_start"]
    assert all(knee[f] == pytest.approx(3.0) for f in starts)


def test_squat_feet_stay_flat_unless_heels_rise() -> None:
    flat = CAPTURES["squat_right"]
    heel, toe = INDEX["right_heel"], INDEX["right_foot_index"]
    np.testing.assert_allclose(flat.true_xy[:, heel, 1], flat.true_xy[:, toe, 1], atol=1e-9)
    rising = CAPTURES["squat_left_heel_rise"]
    bottom = next(e.frame for e in rising.truth.events if e.name == "bottom")
    assert rising.true_xy[bottom, heel, 1] < rising.true_xy[bottom, toe, 1] - 5.0


def test_thomas_test_sets_the_hanging_leg() -> None:
    capture = CAPTURES["thomas_right"]
    thigh = capture.truth.channel("right_thigh_angle")
    assert np.mean(thigh) == pytest.approx(-10.0, abs=0.5)
    assert np.abs(thigh + 10.0).max() <= 1.0 + 1e-9
    assert np.mean(capture.truth.channel("right_knee_flexion")) == pytest.approx(80.0, abs=0.5)
    assert capture.truth.channel("left_hip_flexion")[0] == pytest.approx(125.0)
    assert capture.truth.channel("trunk_lean")[0] == pytest.approx(-90.0)
    other = CAPTURES["thomas_left_facing_left"]
    assert np.mean(other.truth.channel("left_thigh_angle")) == pytest.approx(-10.0, abs=0.5)


def test_frontal_squat_sets_valgus_and_pelvic_drop() -> None:
    capture = CAPTURES["frontal_squat"]
    assert np.max(capture.truth.channel("right_knee_fppa")) == pytest.approx(12.0)
    assert np.max(capture.truth.channel("left_knee_fppa")) == pytest.approx(4.0)
    assert np.max(capture.truth.channel("right_pelvic_drop")) == pytest.approx(5.0)
    # Facing the camera, the subject's right knee is at image left.
    assert capture.true_xy[0, INDEX["right_knee"], 0] < capture.true_xy[0, INDEX["left_knee"], 0]


def test_hold_events_and_sway() -> None:
    capture = CAPTURES["hold"]
    events = [(e.name, e.frame) for e in capture.truth.events]
    assert [n for n, _ in events] == ["pose_enter", "pose_leave", "pose_enter", "pose_leave"]
    knee = capture.truth.channel("right_knee_flexion")
    (_, a), (_, b) = events[0], events[1]
    assert np.abs(knee[a : b + 1] - 90.0).max() <= 1.5 + 1e-9
    assert knee[(b + events[2][1]) // 2] < 60.0  # left the pose in between
    assert capture.parameters["held_s"] == pytest.approx(7.0)


def test_mirror_track_swaps_sides_and_keeps_angles() -> None:
    capture = squat(CaptureOptions(noise_px=0.5, seed=4))
    before = compute_angles(capture.track, view="sagittal")
    after = compute_angles(mirror_track(capture.track), view="sagittal")
    for channel in angle_channels("sagittal"):
        other = channel.replace("right_", "L_").replace("left_", "right_").replace("L_", "left_")
        np.testing.assert_allclose(after.channel(other), before.channel(channel), atol=1e-9)


def test_noise_dropouts_and_lost_frames() -> None:
    options = CaptureOptions(
        noise_px=2.0,
        seed=7,
        dropouts=(Dropout(10, 13, ("right_knee", "right_ankle")), Dropout(20, 25)),
    )
    capture = squat(options)
    track = capture.track
    knee = INDEX["right_knee"]
    assert np.isnan(track.xy[10:13, knee]).all() and (track.score[10:13, knee] == 0).all()
    assert np.isfinite(track.xy[9, knee]).all() and track.score[9, knee] > 0.5
    assert track.lost[20:25].all() and not track.lost[:20].any()
    residual = (track.xy - capture.true_xy)[:10]
    assert np.std(residual) == pytest.approx(2.0, rel=0.15)


def test_distractor_person_and_subject_slot() -> None:
    options = CaptureOptions(distractor=True, dropouts=(Dropout(5, 7),), seed=3)
    capture = squat(options)
    assert len(capture.frames) == capture.track.frames
    slots = capture.subject_slot
    assert slots[5] is None and slots[6] is None
    assert {slots[i] for i in range(capture.track.frames) if i not in (5, 6)} == {0, 1}
    for frame, slot in zip(capture.frames, slots, strict=True):
        if slot is None:
            assert len(frame.people) == 1
            continue
        assert len(frame.people) == 2
        np.testing.assert_array_equal(frame.people[slot].xy, capture.track.xy[frame.index])
        other = frame.people[1 - slot]
        assert not np.allclose(other.xy, capture.track.xy[frame.index], equal_nan=True)
        assert frame.time_s == pytest.approx(frame.index / options.fps)


def test_scale_follows_the_body() -> None:
    small = squat(CaptureOptions(body=Body(height_px=200.0), noise_px=0.0))
    hip, ankle = INDEX["right_hip"], INDEX["right_ankle"]
    leg = np.linalg.norm(small.true_xy[0, hip] - small.true_xy[0, ankle])
    assert leg == pytest.approx(200.0 * (0.245 + 0.246), rel=0.01)


def test_same_seed_same_capture() -> None:
    a, b = squat(CaptureOptions(seed=5)), squat(CaptureOptions(seed=5))
    np.testing.assert_array_equal(a.track.xy, b.track.xy)
    c = squat(CaptureOptions(seed=6))
    assert not np.array_equal(a.track.xy, c.track.xy)


def test_distractor_can_be_the_largest_person_and_crosses_the_subject() -> None:
    capture = squat(CaptureOptions(distractor=True, distractor_scale=1.2, seed=2))
    first, middle = capture.frames[0], capture.frames[len(capture.frames) // 2]
    slot = capture.subject_slot[0]
    assert slot is not None
    subject, other = first.people[slot].box(), first.people[1 - slot].box()
    assert subject is not None and other is not None
    assert other[3] > subject[3]  # taller than the subject
    mid_slot = capture.subject_slot[middle.index]
    assert mid_slot is not None
    centres = [np.nanmean(p.xy[:, 0]) for p in middle.people]
    assert abs(centres[0] - centres[1]) < 0.1 * capture.track.width  # they overlap mid-way
