"""Hold task: time inside an exercise pose's tolerance, per side, with the intervals."""

from __future__ import annotations

import numpy as np
import pytest

from hiplab.library.loader import default_library
from hiplab.library.models import Exercise
from hiplab.motion.tasks.hold import analyze_hold, hold_keyframe, targets_for
from hiplab.testing import synthetic

from .task_helpers import capture_input, task_input

FPS = 30.0
EDGE_S = 2 / FPS  # synthetic: each interval edge within two frames of the truth's


def exercise(exercise_id: str) -> Exercise:
    return default_library().exercises[exercise_id]


def channels_at(
    targets: dict[str, float], n: int, inside: slice, off: float = 40.0
) -> dict[str, np.ndarray]:
    out = {}
    for name, value in targets.items():
        data = np.full(n, value + off)
        data[inside] = value
        out[name] = data
    return out


def test_one_sided_exercise_counts_the_drawn_pose_as_right_and_its_mirror_as_left() -> None:
    ex = exercise("half_kneeling_hip_flexor_stretch")
    key = hold_keyframe(ex)
    drawn = {t.channel: t.angle for t in targets_for(key, mirrored=False, legs=("left", "right"))}
    n = 240  # 3 s of 8 s in the pose: more than a third, less than half (a warning)
    channels = channels_at(drawn, n, slice(30, 120))
    result = analyze_hold(task_input(channels), exercise=ex)
    assert "pose_held_briefly" in {w.code for w in result.warnings}
    assert result.sides["right"].time_in_pose_s == pytest.approx(3.0)
    assert result.sides["right"].intervals == ((1.0, 4.0),)
    assert result.sides["left"].time_in_pose_s == 0.0
    assert result.target_hold_s == 30.0
    assert result.sides["right"].holds_reaching_target == 0
    assert "trunk_lean" in result.compared


def test_intervals_split_when_the_pose_is_lost_and_short_flickers_merge() -> None:
    ex = exercise("deep_squat_hold")
    key = hold_keyframe(ex)
    targets = {t.channel: t.angle for t in targets_for(key, mirrored=False, legs=("left", "right"))}
    n = 600
    channels = channels_at(targets, n, slice(0, 0))
    for name, value in targets.items():
        channels[name][30:180] = value
        channels[name][100:103] = value + 40.0  # 0.1 s flicker: merged
        channels[name][300:450] = value
    result = analyze_hold(task_input(channels), exercise=ex)
    both = result.sides["both"]
    assert both.intervals == ((1.0, 6.0), (10.0, 15.0))
    assert both.time_in_pose_s == pytest.approx(10.0)
    assert both.longest_hold_s == pytest.approx(5.0)


def test_an_angle_measured_too_rarely_is_not_compared() -> None:
    ex = exercise("deep_squat_hold")
    key = hold_keyframe(ex)
    targets = {t.channel: t.angle for t in targets_for(key, mirrored=False, legs=("left", "right"))}
    channels = channels_at(targets, 90, slice(0, 90))
    channels["left_ankle_dorsiflexion"][20:] = np.nan
    result = analyze_hold(task_input(channels), exercise=ex)
    assert "left_ankle_dorsiflexion" not in result.compared
    reasons = {nc.angle: nc.reason for nc in result.not_compared}
    assert "measured in" in reasons["left_ankle_dorsiflexion"]
    assert "not measurable" in reasons["left_hip_abduction"]


def test_synthetic_hold_matches_the_truth_series() -> None:
    ex = exercise("deep_squat_hold")
    capture = synthetic.hold(
        synthetic.CaptureOptions(fps=FPS),
        facing="left",
        target_knee=140.0,
        target_ankle=35.0,
        target_trunk=25.0,
    )
    measured = analyze_hold(capture_input(capture), exercise=ex)
    truth = analyze_hold(task_input(dict(capture.truth.data), fps=FPS), exercise=ex)
    for side in ("left", "both"):
        got, want = measured.sides[side], truth.sides[side]
        assert len(got.intervals) == len(want.intervals) == 2
        for (a, b), (c, d) in zip(got.intervals, want.intervals, strict=True):
            assert a == pytest.approx(c, abs=EDGE_S)
            assert b == pytest.approx(d, abs=EDGE_S)
    # the truth is in the pose while held (7 s) and on the way in and out, within 15°
    assert truth.sides["both"].time_in_pose_s >= capture.parameters["held_s"]
