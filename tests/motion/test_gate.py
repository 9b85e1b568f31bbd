"""The plausibility gate: frames the camera cannot measure and impossible angles are unmeasured."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hiplab.motion.camera import estimate_camera
from hiplab.motion.gate import PLAUSIBLE_DEG, gate_implausible
from hiplab.motion.keypoints import INDEX, KeypointTrack
from hiplab.motion.kinematics import track_to_series
from hiplab.motion.view import angle_name
from hiplab.testing import synthetic
from tests.motion.task_helpers import series_of


def test_angle_name_strips_only_the_side() -> None:
    assert angle_name("left_knee_flexion") == "knee_flexion"
    assert angle_name("right_hip_flexion") == "hip_flexion"
    assert angle_name("trunk_lean") == "trunk_lean"


@pytest.mark.parametrize("angle", sorted(PLAUSIBLE_DEG))
def test_samples_outside_the_range_are_unmeasured_and_named(angle: str) -> None:
    low, high = PLAUSIBLE_DEG[angle]
    values = np.full(20, 0.5 * (low + high))
    values[4], values[9] = high + 1.0, low - 1.0
    values[12] = high  # the limits themselves are plausible
    channel = f"left_{angle}"
    series = series_of({channel: values}, fps=30.0)
    series = series.with_channel(f"{channel}_velocity", np.zeros(20), "deg/s")
    gated, warnings = gate_implausible(series)
    assert np.flatnonzero(~gated.usable(channel)).tolist() == [4, 9]
    assert np.flatnonzero(~gated.usable(f"{channel}_velocity")).tolist() == [4, 9]
    assert [w.code for w in warnings] == ["implausible_angles"]
    assert f"{channel} 2" in warnings[0].message


def test_segment_orientations_are_not_gated() -> None:
    """A supine trunk (-90°) or an inverted one (180°) is a real orientation, not an error."""
    values = np.array([-90.0, -120.0, 180.0, 0.0])
    series = series_of({"trunk_lean": values, "left_thigh_angle": values}, fps=30.0)
    gated, warnings = gate_implausible(series)
    assert warnings == []
    assert gated.usable("trunk_lean").all()
    assert gated.usable("left_thigh_angle").all()


def test_nothing_to_gate_gives_no_warning() -> None:
    series = series_of({"left_knee_flexion": np.linspace(0.0, 120.0, 30)}, fps=30.0)
    gated, warnings = gate_implausible(series)
    assert warnings == []
    assert gated.usable("left_knee_flexion").all()


def _turned_to_camera(track: KeypointTrack, frames: slice) -> KeypointTrack:
    """Spread hips and shoulders sideways in ``frames``, as when the subject faces the camera."""
    xy = track.xy.copy()
    torso = np.linalg.norm(xy[:, INDEX["left_shoulder"]] - xy[:, INDEX["left_hip"]], axis=1)
    for name, shift in (("left", 0.35), ("right", -0.35)):
        for part in ("shoulder", "hip"):
            xy[frames, INDEX[f"{name}_{part}"], 0] += shift * torso[frames]
    return replace(track, xy=xy, world=None)  # the 2-D cues alone must see the turn


def test_frames_seen_from_the_front_measure_no_side_view_angle() -> None:
    capture = synthetic.squat(reps=1)
    turned = _turned_to_camera(capture.track, slice(10, 20))
    views = estimate_camera(turned).views()
    assert {views[i] for i in range(12, 18)} <= {"front", "back"}
    assert {views[i] for i in range(30, 40)} <= {"left_side", "right_side"}
    series, warnings = track_to_series(turned, view="sagittal")
    codes = {w.code for w in warnings}
    assert "angles_withheld" in codes
    for channel in ("left_knee_flexion", "right_hip_flexion", "trunk_lean"):
        usable = series.usable(channel, include_filled=True)
        # the gate sees the low-passed keypoints, which blur the edges of the turn
        assert not usable[11:19].any(), channel
        assert usable[30:40].all(), channel


def test_a_clean_side_view_is_not_gated() -> None:
    series, warnings = track_to_series(synthetic.squat(reps=1).track, view="sagittal")
    assert not {"angles_withheld", "implausible_angles"} & {w.code for w in warnings}
    assert series.usable("left_knee_flexion").sum() > 0.9 * series.frames
