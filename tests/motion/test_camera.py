"""Camera yaw and pitch (hiplab.motion.camera) of a 3-D figure filmed at known angles."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hiplab.motion import camera as cam
from hiplab.motion.camera import (
    IMAGE_YAW_SD_DEG,
    PITCH_PRIOR_SD_DEG,
    PURE_VIEW_DEG,
    WORLD_PITCH_SD_DEG,
    circular_mean,
    circular_median,
    estimate_camera,
    frame_view,
    fuse_yaw,
    image_offset,
    image_yaw,
    pitch_from_vertical,
    smooth_yaw,
    world_vertical,
    world_yaw,
)
from tests.motion import body3d as b

YAWS = tuple(range(-180, 181, 30))
PITCHES = (0, 10, 20, 30)
FRAMES = 40
YAW_TOLERANCE_DEG = 5.0
"""How far trunk lean or pelvic obliquity may move the yaw estimate of a noise-free figure."""


def _angle_between(u: b.FloatArray, v: b.FloatArray) -> float:
    return float(np.degrees(np.arccos(np.clip(float(u @ v), -1.0, 1.0))))


def _standing() -> b.Figure:
    return b.figure(b.Pose(frames=FRAMES))


def _squat() -> b.Figure:
    return b.figure(b.squat_pose(FRAMES))


FIGURES = {"standing": _standing, "squat": _squat}


def _ramp(peak: float) -> b.FloatArray:
    """Return 0 → ``peak`` → 0 over the clip (a lean or a drop that comes and goes)."""
    return np.asarray(peak * np.sin(np.linspace(0.0, np.pi, FRAMES)), dtype=np.float64)


# --- from the 3-D pose ----------------------------------------------------------------------


@pytest.mark.parametrize("pitch", PITCHES)
@pytest.mark.parametrize("shape", sorted(FIGURES))
def test_world_yaw_and_pitch_recover_the_camera(shape: str, pitch: int) -> None:
    fig = FIGURES[shape]()
    for yaw in YAWS:
        track = b.film(fig, yaw, pitch)
        found = world_vertical(track)
        assert found is not None, (yaw, pitch)
        up, sd = found
        assert _angle_between(up, b.true_up(fig, yaw, pitch)) < 0.1, (yaw, pitch)
        assert pitch_from_vertical(up) == pytest.approx(pitch, abs=0.1)
        # noise-free: only the model error of straight legs is left
        assert sd == pytest.approx(WORLD_PITCH_SD_DEG, abs=0.01)
        assert b.wrapped(world_yaw(track, up), yaw).max() < 0.1, (yaw, pitch)


def test_world_yaw_is_nan_where_a_hip_is_missing() -> None:
    fig = _standing()
    track = b.film(fig, 60, 10)
    track.score[5, cam.INDEX["left_hip"]] = 0.0
    found = world_vertical(track)
    assert found is not None
    yaw = world_yaw(track, found[0])
    assert np.isnan(yaw[5])
    assert np.isfinite(np.delete(yaw, 5)).all()


def test_a_subject_who_never_stands_straight_gives_no_3d_vertical() -> None:
    """The vertical comes from straight legs; a held squat has none, so the 2-D cues decide."""
    held = b.figure(b.Pose(frames=FRAMES, thigh_forward=60.0, knee_flexion=100.0))
    track = b.film(held, 90, 10)
    assert world_vertical(track) is None
    geometry = estimate_camera(track)
    assert geometry.source == "image"
    assert (geometry.pitch_sd_deg == PITCH_PRIOR_SD_DEG).all()


@pytest.mark.parametrize("yaw", [90, -90, 60, -120, 0])
def test_a_supine_subject_gives_the_vertical_from_trunk_and_hips(yaw: int) -> None:
    """Thomas test: lying on the back, one knee hugged, the other leg hanging off the table."""
    lying = b.figure(
        b.Pose(
            frames=FRAMES,
            supine=True,
            thigh_forward={"right": -10.0, "left": 120.0},
            knee_flexion={"right": 80.0, "left": 130.0},
        )
    )
    for pitch in (0, 10, 20):
        track = b.film(lying, yaw, pitch)
        found = world_vertical(track)
        assert found is not None, (yaw, pitch)
        up, sd = found
        assert _angle_between(up, b.true_up(lying, yaw, pitch)) < 0.1, (yaw, pitch)
        assert pitch_from_vertical(up) == pytest.approx(pitch, abs=0.1)
        assert sd >= 2 * WORLD_PITCH_SD_DEG  # the lying fallback is the less sure source


# --- from 2-D cues --------------------------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(FIGURES))
def test_image_yaw_is_exact_for_a_level_camera(shape: str) -> None:
    """The figure has the frontal hip ratio the cue assumes, so at pitch 0 it is exact."""
    fig = FIGURES[shape]()
    for yaw in YAWS:
        track = b.film(fig, yaw, 0, world=False)
        offset, _ = image_offset(track)
        np.testing.assert_allclose(offset, min(abs(yaw), 180 - abs(yaw)), atol=0.1)
        found, _ = image_yaw(track)
        assert b.wrapped(found, yaw).max() < 0.1, yaw


@pytest.mark.parametrize("pitch", PITCHES)
def test_image_yaw_folds_onto_the_offset(pitch: int) -> None:
    """The 2-D cue measures the angle from the frontal axis; the facing and hips pick the image."""
    fig = _squat()
    for yaw in YAWS:
        track = b.film(fig, yaw, pitch, world=False)
        offset, _ = image_offset(track)
        found, _ = image_yaw(track)
        folded = np.minimum(np.abs(found), 180.0 - np.abs(found))
        np.testing.assert_allclose(folded, offset, atol=1e-9)
        if 0 < abs(yaw) < 180:  # the side the camera is on
            assert (np.sign(found) == np.sign(yaw)).all(), (yaw, pitch)


def test_the_image_cue_is_least_sure_near_the_front() -> None:
    fig = _standing()
    sds = [float(np.median(image_offset(b.film(fig, yaw, 0))[1])) for yaw in (0, 30, 60, 90)]
    assert all(sd >= IMAGE_YAW_SD_DEG for sd in sds)
    assert sds == sorted(sds, reverse=True)
    assert sds[0] > sds[-1] + 5.0


def test_fuse_yaw_picks_the_mirror_image_nearest_the_3d_yaw() -> None:
    world = np.array([100.0, -100.0, 20.0, -160.0, 170.0, np.nan, 45.0])
    offset = np.array([70.0, 70.0, 10.0, 30.0, 5.0, 30.0, np.nan])
    image_sd = np.full(7, 10.0)
    fused, sd = fuse_yaw(world, 10.0, offset, image_sd)
    # equal weights: half way between the 3-D yaw and the chosen mirror image
    np.testing.assert_allclose(fused[:5], [105.0, -105.0, 15.0, -155.0, 172.5], atol=1e-9)
    np.testing.assert_allclose(sd[:5], 10.0 / math.sqrt(2.0))
    assert fused[5] == pytest.approx(30.0) and sd[5] == pytest.approx(10.0)  # 2-D alone
    assert fused[6] == pytest.approx(45.0) and sd[6] == pytest.approx(10.0)  # 3-D alone


def test_fuse_yaw_weighs_by_inverse_variance() -> None:
    fused, sd = fuse_yaw(np.array([80.0]), 20.0, np.array([60.0]), np.array([10.0]))
    # weights 1/400 and 1/100 on the circle
    w = np.array([1 / 400, 1 / 100])
    rad = np.radians([80.0, 60.0])
    expected = math.degrees(math.atan2(w @ np.sin(rad), w @ np.cos(rad)))
    assert fused[0] == pytest.approx(expected)
    assert 60.0 < fused[0] < 70.0
    assert sd[0] == pytest.approx(1 / math.sqrt(w.sum()))


def test_smooth_yaw_does_not_jump_across_the_back() -> None:
    raw = np.array([179.0, -179.0, 178.0, -178.0, np.nan, 179.5, -179.5, 180.0, -179.0])
    smoothed, scatter = smooth_yaw(raw, window=5)
    assert b.wrapped(smoothed, 180.0).max() < 2.0
    assert np.isfinite(smoothed).all()
    assert (scatter < 2.0).all()
    empty, spread = smooth_yaw(np.full(4, np.nan), window=3)
    assert np.isnan(empty).all() and np.isnan(spread).all()


# --- views and the whole estimate -----------------------------------------------------------


@pytest.mark.parametrize(
    ("yaw", "view"),
    [
        (0.0, "front"),
        (PURE_VIEW_DEG, "front"),
        (-PURE_VIEW_DEG, "front"),
        (PURE_VIEW_DEG + 0.1, "oblique"),
        (90.0, "right_side"),
        (90.0 - PURE_VIEW_DEG, "right_side"),
        (90.0 + PURE_VIEW_DEG, "right_side"),
        (90.0 - PURE_VIEW_DEG - 0.1, "oblique"),
        (-90.0, "left_side"),
        (-90.0 + PURE_VIEW_DEG + 0.1, "oblique"),
        (180.0, "back"),
        (-180.0, "back"),
        (180.0 - PURE_VIEW_DEG, "back"),
        (-180.0 + PURE_VIEW_DEG, "back"),
        (180.0 - PURE_VIEW_DEG - 0.1, "oblique"),
        (45.0, "oblique"),
        (math.nan, "unknown"),
    ],
)
def test_frame_view_classes(yaw: float, view: str) -> None:
    assert frame_view(yaw) == view


@pytest.mark.parametrize(
    ("yaw", "view"),
    [
        (0, "front"),
        (PURE_VIEW_DEG - 2, "front"),
        (PURE_VIEW_DEG + 2, "oblique"),
        (90, "right_side"),
        (90 - PURE_VIEW_DEG + 2, "right_side"),
        (90 - PURE_VIEW_DEG - 2, "oblique"),
        (-90, "left_side"),
        (-90 - PURE_VIEW_DEG - 2, "oblique"),
        (180, "back"),
        (-180 + PURE_VIEW_DEG - 2, "back"),
        (45, "oblique"),
        (-135, "oblique"),
    ],
)
def test_estimated_views_of_a_level_camera(yaw: float, view: str) -> None:
    geometry = estimate_camera(b.film(_squat(), yaw, 0))
    assert set(geometry.views()) == {view}


@pytest.mark.parametrize("world", [True, False])
def test_estimate_camera_states_a_finite_positive_uncertainty(world: bool) -> None:
    fig = _squat()
    for pitch in PITCHES:
        for yaw in YAWS:
            geometry = estimate_camera(b.film(fig, yaw, pitch, world=world))
            assert geometry.source == ("world" if world else "image")
            assert geometry.frames == FRAMES
            for sd in (geometry.yaw_sd_deg, geometry.pitch_sd_deg):
                assert np.isfinite(sd).all() and (sd > 0).all(), (yaw, pitch)
            if world:
                assert b.wrapped(geometry.yaw_deg, yaw).max() < YAW_TOLERANCE_DEG, (yaw, pitch)
                np.testing.assert_allclose(geometry.pitch_deg, pitch, atol=0.1)
            else:
                np.testing.assert_array_equal(geometry.pitch_sd_deg, PITCH_PRIOR_SD_DEG)


# --- trunk lean and pelvic obliquity stay out of the yaw --------------------------------------

LEANS = {
    "lean right 40 deg held": b.Pose(frames=FRAMES, trunk_side=40.0),
    "lean left 40 deg held": b.Pose(frames=FRAMES, trunk_side=-40.0),
    "lean right 40 deg and back": b.Pose(frames=FRAMES, trunk_side=_ramp(40.0)),
    "lean forward 40 deg held": b.Pose(frames=FRAMES, trunk_forward=40.0),
}
DROPS = {
    "pelvic drop 30 deg held": b.Pose(frames=FRAMES, pelvic_drop=30.0),
    "pelvic drop 30 deg and back": b.Pose(frames=FRAMES, pelvic_drop=_ramp(30.0)),
}


def _worst_shift(pose: b.Pose, *, pitches: tuple[int, ...] = PITCHES) -> tuple[float, int, int]:
    """Return the largest change of the yaw estimate against the upright figure, and where."""
    upright, moved = _standing(), b.figure(pose)
    worst = (0.0, 0, 0)
    for pitch in pitches:
        for yaw in YAWS:
            before = estimate_camera(b.film(upright, yaw, pitch)).yaw_deg
            after = estimate_camera(b.film(moved, yaw, pitch)).yaw_deg
            shift = float(b.wrapped(after, before).max())
            worst = max(worst, (shift, yaw, pitch))
    return worst


@pytest.mark.parametrize("name", sorted(LEANS | DROPS))
def test_the_3d_yaw_ignores_trunk_lean_and_pelvic_obliquity(name: str) -> None:
    fig = b.figure((LEANS | DROPS)[name])
    for pitch in PITCHES:
        for yaw in YAWS:
            track = b.film(fig, yaw, pitch)
            found = world_vertical(track)
            assert found is not None
            assert pitch_from_vertical(found[0]) == pytest.approx(pitch, abs=0.1)
            assert b.wrapped(world_yaw(track, found[0]), yaw).max() < 0.1, (yaw, pitch)


def test_a_passing_trunk_lean_does_not_move_the_yaw_estimate() -> None:
    """The torso length is the clip's 90th percentile: a lean that comes and goes leaves it."""
    shift, yaw, pitch = _worst_shift(LEANS["lean right 40 deg and back"])
    assert shift < YAW_TOLERANCE_DEG, f"moved {shift:.1f}° at yaw {yaw}, pitch {pitch}"


def test_a_forward_trunk_lean_does_not_move_the_yaw_estimate() -> None:
    shift, yaw, pitch = _worst_shift(LEANS["lean forward 40 deg held"])
    assert shift < YAW_TOLERANCE_DEG, f"moved {shift:.1f}° at yaw {yaw}, pitch {pitch}"


@pytest.mark.parametrize("name", ["lean right 40 deg held", "lean left 40 deg held"])
def test_a_held_sideways_trunk_lean_does_not_move_the_yaw_estimate(name: str) -> None:
    shift, yaw, pitch = _worst_shift(LEANS[name])
    assert shift < YAW_TOLERANCE_DEG, f"moved {shift:.1f}° at yaw {yaw}, pitch {pitch}"


@pytest.mark.parametrize("name", sorted(DROPS))
def test_pelvic_obliquity_does_not_move_the_yaw_estimate(name: str) -> None:
    shift, yaw, pitch = _worst_shift(DROPS[name], pitches=(0, 10))
    assert shift < YAW_TOLERANCE_DEG, f"moved {shift:.1f}° at yaw {yaw}, pitch {pitch}"


@pytest.mark.parametrize(("yaw", "pitch"), [(0, 0), (60, 20), (-120, 10), (180, 30), (90, 15)])
def test_the_figure_camera_follows_the_multicam_conventions(yaw: int, pitch: int) -> None:
    """The orthographic camera here is the Pose2Sim reference's virtual camera, far away."""
    from tests.motion import multicam as mc

    fig = _squat()
    far = mc.virtual_camera(fig.points, yaw, pitch, distance_m=1e4, focal_px=b.PX_PER_M * 1e4)
    seen = mc.virtual_track(fig.points, far, world=True)
    mine = b.film(fig, yaw, pitch)
    assert seen.world is not None and mine.world is not None
    np.testing.assert_allclose(mine.world, seen.world, atol=1e-9)
    offset = seen.xy[:, :1] - mine.xy[:, :1]  # the same picture, shifted
    np.testing.assert_allclose(seen.xy - offset, mine.xy, atol=0.05)
    found_yaw, found_pitch = mc.camera_geometry(far, fig.points)
    assert b.wrapped(found_yaw, yaw).max() < 0.01
    np.testing.assert_allclose(found_pitch, pitch, atol=0.01)


def test_the_median_yaw_resists_a_turn_and_wraps_behind() -> None:
    """A quarter of the frames turning away moves a mean yaw, not the median; ±180° is one view."""
    steady = np.full(30, 80.0)
    turning = np.linspace(0.0, -90.0, 10)
    geometry_yaw = np.concatenate([steady, turning])
    assert circular_median(geometry_yaw) == pytest.approx(80.0)
    assert abs(circular_mean(geometry_yaw) - 80.0) > 10.0
    behind = np.array([178.0, 179.0, -179.0, -178.0, -177.0])
    assert circular_median(behind) == pytest.approx(-179.0)
