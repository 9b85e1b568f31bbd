"""The plausibility limits (hiplab.motion.gate) admit what real bodies do.

A true 33° pelvic drop (a real single-leg stance reaches it) is measured, not
gated out; and no true angle of the Pose2Sim subject, triangulated from four
cameras, falls outside its joint's range.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from hiplab.motion.angles import View
from hiplab.motion.gate import PLAUSIBLE_DEG
from hiplab.motion.kinematics import run_kinematics, track_to_series
from hiplab.motion.view import QualityWarning, angle_name
from hiplab.testing import synthetic
from tests.motion import multicam as mc
from tests.motion.pose2sim_reference import demo

DROP_DEG = 33.0


def _gated(warnings: Sequence[QualityWarning]) -> str:
    """Return the message of the implausible-angles warning, or ''."""
    return next((w.message for w in warnings if w.code == "implausible_angles"), "")


@pytest.mark.parametrize("toward_camera", [True, False])
def test_a_true_33_degree_pelvic_drop_is_measured(toward_camera: bool) -> None:
    capture = synthetic.frontal_squat(peak_pelvic_drop=DROP_DEG, toward_camera=toward_camera)
    series, warnings = track_to_series(capture.track, view="frontal")
    assert "pelvic_drop" not in _gated(warnings)
    for channel in ("right_pelvic_drop", "left_pelvic_drop"):
        true = capture.truth.channel(channel)
        peak = np.abs(true) > DROP_DEG - 3.0
        assert peak.sum() >= 5
        measured = series.channel(channel)[peak]
        assert np.isfinite(measured).all(), channel
        np.testing.assert_allclose(measured, true[peak], atol=3.0)


@pytest.fixture(scope="module")
def reference() -> mc.DemoReference:
    return demo()


@pytest.mark.parametrize("smoothed", [True, False])
def test_every_true_angle_of_the_real_subject_is_within_its_range(
    reference: mc.DemoReference, smoothed: bool
) -> None:
    points = mc.smooth_points(reference.points) if smoothed else reference.points
    checked = set()
    for view in ("sagittal", "frontal"):
        truth = mc.truth_series(points, view)
        for channel, unit in truth.units.items():
            name = angle_name(channel)
            if unit != "deg" or name not in PLAUSIBLE_DEG:
                continue
            low, high = PLAUSIBLE_DEG[name]
            values = truth.channel(channel)
            values = values[np.isfinite(values)]
            assert values.size > 0.9 * points.shape[0], channel
            assert low <= values.min() and values.max() <= high, (
                channel,
                values.min(),
                values.max(),
            )
            checked.add(name)
    assert checked == set(PLAUSIBLE_DEG)
    drop = mc.truth_series(points, "frontal").channel("left_pelvic_drop")
    assert np.nanmax(np.abs(drop)) > 30.0  # the peak the widened pelvic range is for


@pytest.mark.parametrize(
    ("view", "yaw"), [("frontal", 0.0), ("frontal", 180.0), ("sagittal", 90.0)]
)
def test_a_square_camera_on_the_real_subject_gates_nothing(
    reference: mc.DemoReference, view: View, yaw: float
) -> None:
    points = mc.smooth_points(reference.points)
    track = mc.virtual_track(points, mc.virtual_camera(points, yaw, 0.0), world=True)
    kinematics = run_kinematics(track, view=view)
    assert _gated(kinematics.warnings) == ""
    if view == "frontal":
        truth = mc.truth_series(points, "frontal")
        for channel in ("right_pelvic_drop", "left_pelvic_drop"):
            peak = np.abs(truth.channel(channel)) > 25.0
            assert peak.sum() >= 5
            measured = kinematics.series.channel(channel)[peak]
            assert np.isfinite(measured).all(), channel
            assert np.abs(measured).max() > 30.0
