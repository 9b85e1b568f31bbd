"""Stated uncertainties against the truth on the Pose2Sim cameras (a small camera_validation).

As ``benchmarks/camera_validation.py`` does: each real camera's own MediaPipe
track through :func:`hiplab.motion.kinematics.run_kinematics`, against the
truth of the skeleton triangulated *without* that camera (smoothed as hiplab
smooths its keypoints); virtual cameras film the four-camera skeleton.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from hiplab.motion.angles import View, angle_channels
from hiplab.motion.camera import circular_mean
from hiplab.motion.kinematics import Kinematics, run_kinematics
from hiplab.motion.series import TimeSeries
from tests.motion import multicam as mc
from tests.motion.pose2sim_reference import demo

VIEWS: tuple[View, View] = ("sagittal", "frontal")
MIN_FRAMES = 10
"""A channel reported in fewer frames than this is not judged."""
MIN_COVERAGE = 0.9
CALIBRATED_YAW = {"cam01": 26.0, "cam02": -24.0, "cam03": -146.0, "cam04": 143.0}
"""Median yaw of each real camera from the calibration (tests/motion/test_multicam.py)."""
YAW_TOLERANCE_DEG = 25.0


@dataclass(frozen=True)
class Run:
    """One camera in one view: hiplab's kinematics and the truth it is judged against."""

    kinematics: Kinematics
    truth: TimeSeries


def _coverage(run: Run, channel: str) -> tuple[int, float]:
    """Return the frames reported (where the truth exists) and the share within 2 sd."""
    series = run.kinematics.series
    measured, true = series.channel(channel), run.truth.channel(channel)
    both = np.isfinite(measured) & np.isfinite(true)
    if not both.any():
        return 0, float("nan")
    error = np.abs(measured - true)[both]
    return int(both.sum()), float(np.mean(error <= 2 * series.frame_sd(channel)[both]))


@pytest.fixture(scope="session")
def reference() -> mc.DemoReference:
    return demo()


@pytest.fixture(scope="session")
def real_runs(reference: mc.DemoReference) -> dict[tuple[str, View], Run]:
    """Every real camera in both views, against its leave-one-out truth."""
    runs = {}
    for k, camera in enumerate(reference.cameras):
        truth_points = mc.smooth_points(reference.leave_one_out(k))
        track = reference.tracks[k]
        for view in VIEWS:
            runs[camera.name, view] = Run(
                run_kinematics(track, view=view), mc.truth_series(truth_points, view, fps=track.fps)
            )
    return runs


@pytest.fixture(scope="session")
def side_run(reference: mc.DemoReference) -> Run:
    """A virtual camera square to the subject's right side, level, noise-free, with 3-D pose."""
    points = mc.smooth_points(reference.points)
    track = mc.virtual_track(points, mc.virtual_camera(points, 90.0, 0.0), world=True)
    kinematics = run_kinematics(track, view="sagittal")
    return Run(kinematics, mc.truth_series(points, "sagittal", fps=track.fps))


@pytest.mark.parametrize("camera", sorted(CALIBRATED_YAW))
@pytest.mark.parametrize("view", VIEWS)
def test_reported_angles_cover_the_truth_on_the_real_cameras(
    real_runs: dict[tuple[str, View], Run], camera: str, view: View
) -> None:
    run = real_runs[camera, view]
    for channel in angle_channels(view):
        frames, covered = _coverage(run, channel)
        if frames >= MIN_FRAMES:
            assert covered >= MIN_COVERAGE, f"{camera} {channel}: {covered:.0%} of {frames}"


def test_the_real_cameras_report_enough_to_judge(
    real_runs: dict[tuple[str, View], Run],
) -> None:
    judged = [
        (camera, channel)
        for (camera, view), run in real_runs.items()
        for channel in angle_channels(view)
        if _coverage(run, channel)[0] >= MIN_FRAMES
    ]
    assert len(judged) >= 3, judged


@pytest.mark.parametrize(
    ("joint", "limit"), [("knee_flexion", 3.0), ("hip_flexion", 6.0), ("ankle_dorsiflexion", 6.0)]
)
def test_a_square_side_camera_measures_the_sagittal_angles(
    side_run: Run, joint: str, limit: float
) -> None:
    series = side_run.kinematics.series
    for side in ("right", "left"):
        channel = f"{side}_{joint}"
        measured, true = series.channel(channel), side_run.truth.channel(channel)
        both = np.isfinite(measured) & np.isfinite(true)
        assert both.sum() >= 0.5 * np.isfinite(true).sum(), channel
        mae = float(np.mean(np.abs(measured - true)[both]))
        assert mae <= limit, f"{channel}: MAE {mae:.1f}°"


def test_a_square_side_camera_is_a_side_view(side_run: Run) -> None:
    camera = side_run.kinematics.camera
    assert camera is not None and camera.source == "world"
    assert side_run.kinematics.estimate is not None
    assert not side_run.kinematics.estimate.uncertain
    assert camera.views().count("right_side") >= 0.9 * camera.frames
    codes = {w.code for w in side_run.kinematics.warnings}
    assert not codes & {"camera_oblique", "camera_tilted"}


@pytest.mark.parametrize("camera", sorted(CALIBRATED_YAW))
def test_the_real_oblique_cameras_are_not_taken_for_pure_views(
    reference: mc.DemoReference, real_runs: dict[tuple[str, View], Run], camera: str
) -> None:
    k = reference.index(camera)
    true_yaw, _ = mc.camera_geometry(reference.cameras[k], reference.points)
    truth = circular_mean(true_yaw)
    assert abs(truth - CALIBRATED_YAW[camera]) < 5.0
    found = real_runs[camera, "frontal"].kinematics
    assert found.camera is not None and found.estimate is not None
    assert found.estimate.uncertain, f"{camera} taken for a pure view"
    estimate = found.camera.median_yaw()
    gap = abs((estimate - truth + 180.0) % 360.0 - 180.0)
    assert gap <= YAW_TOLERANCE_DEG, f"{camera}: yaw {estimate:.0f}° against {truth:.0f}°"
    views = found.camera.views()
    pure = sum(views.count(name) for name in ("front", "back", "right_side", "left_side"))
    assert pure < 0.5 * len(views), {name: views.count(name) for name in set(views)}
    assert "camera_oblique" in {w.code for w in found.warnings}
