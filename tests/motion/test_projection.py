"""Projection error of each angle (hiplab.motion.projection) for a 3-D figure at known angles.

The truth of an angle is what its ideal camera sees (a pure side view for the
sagittal rows, a pure front or back view for the frontal rows, pitch 0), here
the same noise-free figure filmed by that camera (:mod:`tests.motion.body3d`).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hiplab.motion.angles import (
    AngleDefinition,
    Segment,
    View,
    definitions_for,
    estimate_orientation,
    evaluate,
    point_set,
)
from hiplab.motion.camera import CameraGeometry, wrap_deg
from hiplab.motion.keypoints import KeypointTrack
from hiplab.motion.kinematics import run_kinematics
from hiplab.motion.projection import (
    ProjectionError,
    ProjectionModel,
    foreshortening,
    ideal_yaw,
    projection_error,
)
from tests.motion import body3d as b

FRAMES = 40
EXACT = ProjectionModel(world_depth_sd=0.0, depth_margin=1.0)
"""The pose model's depth taken as exact and never bounded by the image length."""
SIDE_YAWS = (60, 75, 120, -60, -105)
FRONT_YAWS = (20, -30, 150, -160)
SD_DEG = 5.0


def _phase() -> b.FloatArray:
    t = np.linspace(0.0, 1.0, FRAMES)
    wave = np.clip(np.sin(np.pi * (t - 0.25) / 0.75), 0.0, None) * (t >= 0.25)
    return np.asarray(wave, dtype=np.float64)


def _figure(view: View) -> b.Figure:
    """Return a squat: plain for the sagittal rows; with valgus, pelvic drop and a side lean."""
    if view == "sagittal":
        return b.figure(b.squat_pose(FRAMES, depth_deg=110.0))
    p = _phase()
    return b.figure(
        b.Pose(
            frames=FRAMES,
            thigh_forward=50 * p,
            knee_flexion=80 * p,
            thigh_lateral={"right": -8 * p, "left": -3 * p},
            shank_lateral={"right": 10 * p, "left": 4 * p},
            pelvic_drop=15 * p,
            trunk_side=10 * p,
            trunk_forward=20 * p,
        )
    )


def _geometry(
    yaw: float, pitch: float, *, sd: float = 0.0, pitch_sd: float | None = None
) -> CameraGeometry:
    """Return a fixed camera at ``(yaw, pitch)``, sd ``sd`` (pitch: ``pitch_sd`` if given)."""
    return CameraGeometry(
        yaw_deg=np.full(FRAMES, float(yaw)),
        yaw_sd_deg=np.full(FRAMES, sd),
        pitch_deg=np.full(FRAMES, float(pitch)),
        pitch_sd_deg=np.full(FRAMES, sd if pitch_sd is None else pitch_sd),
        source="world",
    )


def _measured(row: AngleDefinition, track: KeypointTrack) -> b.FloatArray:
    return np.asarray(evaluate(row, point_set(track), estimate_orientation(track)), np.float64)


def _error(row: AngleDefinition, fig: b.Figure, yaw: float, pitch: float) -> b.FloatArray:
    """Return the angle the camera sees minus the one its ideal camera sees (deg)."""
    ideal = float(ideal_yaw(row, np.array([float(yaw)]))[0])
    seen = _measured(row, b.film(fig, yaw, pitch))
    return np.asarray(wrap_deg(seen - _measured(row, b.film(fig, ideal, 0.0))), np.float64)


def _projection(
    row: AngleDefinition,
    track: KeypointTrack,
    geometry: CameraGeometry,
    model: ProjectionModel | None = None,
) -> ProjectionError:
    orientation = estimate_orientation(track)
    factor = orientation.factor(row)
    return projection_error(row, point_set(track), track, geometry, factor=factor, model=model)


def _median_sd(view: View, yaw: float, pitch: float) -> dict[str, float]:
    track = b.film(_figure(view), yaw, pitch)
    geometry = _geometry(yaw, pitch, sd=SD_DEG)
    return {
        row.channel: float(np.median(_projection(row, track, geometry).sd))
        for row in definitions_for(view)
    }


# --- the ideal camera and the exact correction ---------------------------------------------


@pytest.mark.parametrize(("view", "yaw"), [("sagittal", 90), ("sagittal", -90), ("frontal", 0)])
def test_the_ideal_camera_has_no_projection_error(view: View, yaw: int) -> None:
    fig = _figure(view)
    track = b.film(fig, yaw, 0)
    for row in definitions_for(view):
        np.testing.assert_allclose(_error(row, fig, yaw, 0), 0.0, atol=1e-9)
        found = _projection(row, track, _geometry(yaw, 0), EXACT)
        np.testing.assert_allclose(found.bias, 0.0, atol=1e-9)
        np.testing.assert_allclose(found.offset_deg, 0.0, atol=1e-9)
        assert not found.withheld.any(), row.channel


@pytest.mark.parametrize("pitch", [0, 10, 20, 30])
@pytest.mark.parametrize(("view", "yaws"), [("sagittal", SIDE_YAWS), ("frontal", FRONT_YAWS)])
def test_exact_geometry_and_depth_remove_the_projection_error(
    view: View, yaws: tuple[int, ...], pitch: int
) -> None:
    fig = _figure(view)
    largest = 0.0
    for yaw in yaws:
        track = b.film(fig, yaw, pitch)
        for row in definitions_for(view):
            error = _error(row, fig, yaw, pitch)
            found = _projection(row, track, _geometry(yaw, pitch), EXACT)
            residual = np.abs(wrap_deg(error - found.bias))
            assert residual.max() < 0.1, f"{row.channel} at yaw {yaw}: {residual.max():.1f}°"
            largest = max(largest, float(np.abs(error).max()))
    assert largest > 5.0  # there was an error to remove


SQUARE_SOMETIMES = ("knee_flexion", "thigh_angle", "trunk_lean", "knee_fppa", "trunk_lateral_lean")
"""Angles whose segments all lie square to these cameras at some time in the clip."""


@pytest.mark.parametrize(
    ("view", "yaw", "pitch"),
    [
        ("sagittal", 60, 0),
        ("sagittal", 120, 0),
        ("sagittal", -60, 0),
        ("sagittal", 60, 20),
        ("frontal", 20, 0),
        ("frontal", -30, 0),
        ("frontal", 150, 10),
        ("frontal", 30, 20),
    ],
)
def test_the_predicted_bias_has_the_sign_of_the_error(view: View, yaw: int, pitch: int) -> None:
    """The default model, with the pose model's (here exact) depth and the exact camera angle."""
    fig = _figure(view)
    track = b.film(fig, yaw, pitch)
    checked = 0
    for row in definitions_for(view):
        if row.name not in SQUARE_SOMETIMES:
            continue
        error = _error(row, fig, yaw, pitch)
        bias = _projection(row, track, _geometry(yaw, pitch)).bias
        clear = np.abs(error) > 2.0
        if clear.sum() < 5:
            continue
        agree = float(np.mean(np.sign(bias[clear]) == np.sign(error[clear])))
        assert agree >= 0.9, f"{row.channel}: {agree:.0%} of {clear.sum()} frames"
        checked += 1
    assert checked >= 2


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason=(
        "limitation: segment_depth bounds |d| by the foreshortening + depth_margin, the "
        "foreshortening measured against the clip's 95th-percentile image length; a segment "
        "never square to the camera (the hip line 30° off a front view, the foot seen from a "
        "pitched oblique camera) has its true depth clipped, and the correction misses"
    ),
)
@pytest.mark.parametrize(
    ("view", "channel", "yaw", "pitch"),
    [
        ("frontal", "right_pelvic_drop", -30, 0),
        ("frontal", "right_pelvic_drop", 30, 20),
        ("sagittal", "right_ankle_dorsiflexion", 60, 20),
    ],
)
def test_the_depth_bound_keeps_the_depth_of_a_segment_never_seen_square(
    view: View, channel: str, yaw: int, pitch: int
) -> None:
    fig = _figure(view)
    row = next(r for r in definitions_for(view) if r.channel == channel)
    exact_depth = ProjectionModel(world_depth_sd=0.0)
    error = _error(row, fig, yaw, pitch)
    found = _projection(row, b.film(fig, yaw, pitch), _geometry(yaw, pitch), exact_depth)
    assert np.abs(error).max() > 2.0
    assert np.abs(wrap_deg(error - found.bias)).max() < 0.5


# --- the uncertainty ------------------------------------------------------------------------


def _assert_growing(rows: list[dict[str, float]]) -> None:
    """Assert every channel's sd never shrinks along ``rows`` and ends clearly wider."""
    for channel in rows[0]:
        series = [row[channel] for row in rows]
        steps = np.diff(series)
        assert (steps >= -0.1).all() and series[-1] > series[0] + 0.5, (channel, series)


@pytest.mark.parametrize(
    ("view", "ideal", "toward"), [("sagittal", 90, -1), ("sagittal", -90, 1), ("frontal", 0, 1)]
)
def test_the_sd_grows_with_the_yaw_offset(view: View, ideal: int, toward: int) -> None:
    _assert_growing([_median_sd(view, ideal + toward * off, 0) for off in (0, 10, 20, 30)])


@pytest.mark.parametrize(("view", "yaw"), [("sagittal", 90), ("sagittal", -90)])
def test_the_sd_grows_with_the_pitch(view: View, yaw: int) -> None:
    _assert_growing([_median_sd(view, yaw, pitch) for pitch in (0, 10, 20, 30)])


@pytest.mark.parametrize("yaw", [0, 180])
def test_the_frontal_sd_grows_with_the_pitch(yaw: int) -> None:
    """A frontal angle is little moved by pitch (the knee angle hardly at all), never less sure."""
    rows = [_median_sd("frontal", yaw, pitch) for pitch in (0, 10, 20, 30)]
    for channel in rows[0]:
        assert rows[-1][channel] > rows[0][channel], (channel, [r[channel] for r in rows])
    means = [float(np.mean(list(r.values()))) for r in rows]
    assert (np.diff(means) > 0).all(), means


def test_the_sd_includes_the_camera_uncertainty() -> None:
    fig = _figure("sagittal")
    track = b.film(fig, 70, 10)
    for row in definitions_for("sagittal"):
        tight = _projection(row, track, _geometry(70, 10, sd=1.0)).sd
        loose = _projection(row, track, _geometry(70, 10, sd=10.0)).sd
        assert np.median(loose) > np.median(tight), row.channel


# --- withholding -----------------------------------------------------------------------------

OFFSET_ONLY = ProjectionModel(max_sd_deg=math.inf)
"""Withholding by the camera's offset alone."""


@pytest.mark.parametrize(
    ("view", "ideal", "side"), [("sagittal", 90, -1), ("sagittal", -90, 1), ("frontal", 180, 1)]
)
def test_angles_are_withheld_beyond_the_largest_offset(view: View, ideal: int, side: int) -> None:
    limit = OFFSET_ONLY.max_offset_deg
    fig = _figure(view)
    for row in definitions_for(view):
        for offset, sd, withheld in (
            (limit - 1, 0.0, False),
            (limit + 1, 0.0, True),
            (limit - 12, 10.0, False),
            (limit - 8, 10.0, True),  # the camera may be one sd further off
        ):
            yaw = ideal + side * offset
            geometry = _geometry(yaw, 0, sd=sd, pitch_sd=0.0)
            found = _projection(row, b.film(fig, yaw, 0), geometry, OFFSET_ONLY)
            np.testing.assert_allclose(found.offset_deg, offset, atol=1e-9)
            assert (found.withheld == withheld).all(), (row.channel, offset, sd)


def test_one_frame_off_in_a_square_clip_is_judged_with_the_clip() -> None:
    """The offset judged is half the frame's and half the clip's median."""
    fig = _figure("sagittal")
    track = b.film(fig, 90, 0)
    yaw = np.full(FRAMES, 90.0)
    yaw[10] = 90.0 - 50.0
    geometry = CameraGeometry(yaw, np.zeros(FRAMES), np.zeros(FRAMES), np.zeros(FRAMES), "world")
    row = next(r for r in definitions_for("sagittal") if r.channel == "right_knee_flexion")
    found = _projection(row, track, geometry, OFFSET_ONLY)
    assert found.offset_deg[10] == pytest.approx(50.0)
    assert not found.withheld.any()  # judged 25° off
    everywhere = _projection(row, track, _geometry(40.0, 0), OFFSET_ONLY)
    assert everywhere.withheld.all()


def test_angles_are_withheld_where_the_sd_is_too_wide() -> None:
    fig = _figure("frontal")
    track = b.film(fig, 15, 10)
    for row in definitions_for("frontal"):
        sd = _projection(row, track, _geometry(15, 10, sd=SD_DEG)).sd
        cap = float(np.median(sd))
        strict = ProjectionModel(max_sd_deg=cap)
        found = _projection(row, track, _geometry(15, 10, sd=SD_DEG), strict)
        np.testing.assert_array_equal(found.withheld, sd > cap)


# --- without the pose model's 3-D pose -------------------------------------------------------


@pytest.mark.parametrize("yaw", [60, 120, -60])
def test_without_3d_depth_a_foreshortened_segment_is_less_sure(yaw: int) -> None:
    """Frames where the thigh points at or away from the camera: only 3-D depth has the sign."""
    fig = _figure("sagittal")
    geometry = _geometry(yaw, 0, sd=SD_DEG)
    with_depth, flat = b.film(fig, yaw, 0), b.film(fig, yaw, 0, world=False)
    side = "right" if yaw > 0 else "left"
    thigh = Segment(f"{side}_hip", f"{side}_knee")
    shortened = foreshortening(point_set(flat), thigh) > 0.4
    assert shortened.sum() >= 5
    for name in ("hip_flexion", "knee_flexion", "thigh_angle"):
        row = next(r for r in definitions_for("sagittal") if r.channel == f"{side}_{name}")
        deep = _projection(row, with_depth, geometry).sd[shortened]
        image = _projection(row, flat, geometry).sd[shortened]
        assert (image > deep).all(), (row.channel, np.round(image - deep, 1))


def _assert_flat_is_less_sure(yaw: int, pitch: int) -> None:
    fig = _figure("frontal")
    deep = run_kinematics(b.film(fig, yaw, pitch), view="frontal")
    flat = run_kinematics(b.film(fig, yaw, pitch, world=False), view="frontal")
    assert deep.camera is not None and flat.camera is not None
    assert (deep.camera.source, flat.camera.source) == ("world", "image")
    assert np.median(flat.camera.yaw_sd_deg) > np.median(deep.camera.yaw_sd_deg)
    for channel, found in deep.uncertainties.items():
        wide = float(np.nanmedian(flat.uncertainties[channel].sd))
        assert wide > float(np.nanmedian(found.sd)), channel


@pytest.mark.parametrize("yaw", [0, 180])
def test_without_3d_pose_a_frontal_view_is_less_sure(yaw: int) -> None:
    """From the front the 2-D hip width hardly tells the camera's angle; the 3-D hip line does."""
    _assert_flat_is_less_sure(yaw, 0)


@pytest.mark.parametrize("yaw", [0, 180])
def test_without_3d_pose_a_tilted_frontal_view_is_less_sure(yaw: int) -> None:
    _assert_flat_is_less_sure(yaw, 30)
