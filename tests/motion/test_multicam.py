"""The multi-camera reference (tests/motion/multicam.py): geometry, truth and the real demo."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from hiplab.motion.angles import estimate_facing
from hiplab.motion.keypoints import INDEX, KEYPOINTS, KeypointTrack
from hiplab.motion.pose_models import PoseModelName
from tests.motion import multicam as mc
from tests.motion.pose2sim_reference import demo

FloatArray = NDArray[np.float64]

# A standing person in body axes (right, anterior, up), metres.
STANDING: dict[str, tuple[float, float, float]] = {
    "nose": (0.0, 0.1, 1.6),
    "shoulder": (0.2, 0.0, 1.4),
    "elbow": (0.25, 0.0, 1.1),
    "wrist": (0.25, 0.0, 0.85),
    "hip": (0.1, 0.0, 0.9),
    "knee": (0.1, 0.0, 0.5),
    "ankle": (0.1, 0.0, 0.1),
    "heel": (0.1, -0.05, 0.05),
    "foot_index": (0.1, 0.15, 0.03),
}


def body_points(
    frames: int = 10, *, heading_deg: float = 37.0, at: tuple[float, float] = (0.5, -0.3)
) -> FloatArray:
    """Return (frames, K, 3) world points (z up) of the standing person facing ``heading_deg``."""
    rows = []
    for name in KEYPOINTS:
        part = name.split("_", 1)[1] if name != "nose" else "nose"
        x, y, z = STANDING[part]
        side = -1.0 if name.startswith("left") else 1.0
        rows.append((side * x if name != "nose" else 0.0, y, z))
    local = np.array(rows)
    h = np.radians(heading_deg)
    anterior = np.array([np.cos(h), np.sin(h), 0.0])
    right = np.cross(anterior, [0.0, 0.0, 1.0])
    world = local[:, :1] * right + local[:, 1:2] * anterior + local[:, 2:] * [0, 0, 1.0]
    world += [at[0], at[1], 0.0]
    return np.repeat(world[None], frames, axis=0)


def moving_points(frames: int = 60) -> FloatArray:
    """Return the standing person walking forward, knees and arms swinging (60 fps)."""
    points = body_points(frames)
    t = np.arange(frames) / 60.0
    swing = 0.15 * np.sin(2 * np.pi * 1.5 * t)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        for part, gain in (("knee", 1.0), ("ankle", 1.6), ("heel", 1.6), ("foot_index", 1.6)):
            points[:, INDEX[f"{side}_{part}"], 0] += sign * gain * swing
        points[:, INDEX[f"{side}_wrist"], 0] -= sign * swing
    points[..., 0] += 0.8 * t[:, None]
    return points


def ring_cameras() -> list[mc.Camera]:
    """Return four distorted cameras around the origin, like the demo's."""
    cameras = []
    for i, yaw in enumerate((30.0, -40.0, 150.0, -140.0)):
        base = mc.virtual_camera(body_points(2, heading_deg=0.0, at=(0.0, 0.0)), yaw, 15.0)
        K = np.array([[1680.0, 0.0, 540.0], [0.0, 1680.0, 960.0], [0.0, 0.0, 1.0]])
        dist = np.array([-0.046, 0.14, 0.0006, 0.0007, 0.0])
        cameras.append(replace(base, name=f"ring{i}", K=K, dist=dist, size=(1088, 1920)))
    return cameras


def tracks_of(points: FloatArray, cameras: list[mc.Camera]) -> list[KeypointTrack]:
    return [mc.virtual_track(points, camera, score=0.9) for camera in cameras]


def wrapped(a: FloatArray, b: float) -> FloatArray:
    return np.asarray(np.abs((a - b + 180.0) % 360.0 - 180.0), dtype=np.float64)


# --- calibration ---------------------------------------------------------------------------

QCA = """<?xml version='1.0' encoding='ASCII'?>
<calibration><cameras>
<camera serial="camA" viewrotation="0">
<fov_video bottom="1919" left="0" right="1087" top="0"/>
<transform r11="0" r12="1" r13="0" r21="0" r22="0" r23="1" r31="1" r32="0" r33="0"
 x="2000" y="-500" z="1500"/>
<intrinsic centerPointU="34816" centerPointV="61440" focalLengthU="102400" focalLengthV="102464"
 radialDistortion1="-0.05" radialDistortion2="0.1" radialDistortion3="0.01"
 tangentalDistortion1="0.001" tangentalDistortion2="0.002"/>
</camera></cameras></calibration>
"""


def test_read_qualisys_conventions(tmp_path: Path) -> None:
    path = tmp_path / "calib.qca.txt"
    path.write_text(QCA)
    (camera,) = mc.read_qualisys(path)
    assert camera.name == "camA"
    assert camera.size == (1088, 1920)
    # 1/64 pixel intrinsics
    np.testing.assert_allclose(camera.K, [[1600, 0, 544], [0, 1601, 960], [0, 0, 1]])
    np.testing.assert_allclose(camera.dist, [-0.05, 0.1, 0.001, 0.002, 0.01])
    # x, y, z (mm) is the camera centre; the rows map world to camera, y and z turned round
    np.testing.assert_allclose(camera.centre, [2.0, -0.5, 1.5], atol=1e-12)
    np.testing.assert_allclose(camera.R, [[0, 1, 0], [0, 0, -1], [-1, 0, 0]])
    in_front = camera.centre + np.array([-1.0, 0.0, 0.0])  # along -r3: the OpenCV optical axis
    np.testing.assert_allclose(mc.project(camera, in_front), camera.K[:2, 2], atol=1e-9)


def test_read_qualisys_refuses_a_view_rotation(tmp_path: Path) -> None:
    path = tmp_path / "calib.qca.txt"
    path.write_text(QCA.replace('viewrotation="0"', 'viewrotation="90"'))
    with pytest.raises(ValueError, match="viewrotation must be 0; got 90"):
        mc.read_qualisys(path)


def test_undistort_inverts_the_projection() -> None:
    camera = ring_cameras()[0]
    points = body_points(3, at=(0.0, 0.0))
    pinhole = replace(camera, dist=np.zeros(5))
    ideal = mc.undistort(camera, mc.project(camera, points))
    np.testing.assert_allclose(ideal, mc.project(pinhole, points), atol=1e-6)
    assert np.isnan(mc.undistort(camera, np.full((2, 2), np.nan))).all()


# --- triangulation -----------------------------------------------------------------------------


def test_triangulation_recovers_a_synthetic_skeleton() -> None:
    cameras = ring_cameras()
    points = moving_points(20)
    tracks = tracks_of(points, cameras)
    assert np.abs(mc.triangulate(tracks, cameras) - points).max() < 1e-6
    for k in range(4):  # leave one out: three views are enough
        assert np.abs(mc.triangulate(tracks, cameras, exclude=k) - points).max() < 1e-6
    assert np.abs(mc.triangulate(tracks, cameras, exclude="ring2") - points).max() < 1e-6


def test_triangulation_needs_two_confident_views() -> None:
    cameras = ring_cameras()
    points = body_points(4, at=(0.0, 0.0))
    tracks = tracks_of(points, cameras)
    nose = INDEX["nose"]
    for track in tracks[1:]:
        track.score[0, nose] = 0.4  # below MIN_VIEW_SCORE: not used
    tracks[0].score[1, nose] = 0.0
    found = mc.triangulate(tracks, cameras)
    assert np.isnan(found[0, nose]).all()
    np.testing.assert_allclose(found[1, nose], points[1, nose], atol=1e-6)
    two = mc.triangulate(tracks[:2], cameras[:2], exclude=0)
    assert np.isnan(two).all()


def test_fix_sides_undoes_a_leg_swap_in_one_view() -> None:
    cameras = ring_cameras()
    points = moving_points(30)
    tracks = tracks_of(points, cameras)
    legs = [(INDEX[f"left_{p}"], INDEX[f"right_{p}"]) for p in ("hip", "knee", "ankle", "heel")]
    legs += [(INDEX["left_foot_index"], INDEX["right_foot_index"])]
    swapped = tracks[1].xy.copy()
    for left, right in legs:
        swapped[10:20, [left, right]] = tracks[1].xy[10:20, [right, left]]
    broken = [tracks[0], replace(tracks[1], xy=swapped), *tracks[2:]]
    assert np.abs(mc.triangulate(broken, cameras) - points)[10:20].max() > 0.05
    fixed = mc.fix_sides(broken, cameras)
    np.testing.assert_allclose(fixed[1].xy, tracks[1].xy)
    assert np.abs(mc.triangulate(fixed, cameras) - points).max() < 1e-6


def test_sync_offsets_find_a_late_camera() -> None:
    cameras = ring_cameras()
    points = moving_points(60)
    tracks = tracks_of(points, cameras)
    late = np.clip(np.arange(60) - 2, 0, 59)  # camera 2 started 2 frames early
    tracks[2] = replace(tracks[2], xy=tracks[2].xy[late])
    offsets = mc.sync_offsets(tracks, cameras)
    assert offsets == (0, 0, 2, 0)
    synced = mc.aligned(tracks, offsets)
    assert {track.frames for track in synced} == {58}
    assert np.abs(mc.triangulate(synced, cameras) - points[:58]).max() < 1e-6


def test_pooled_sync_offsets_move_every_model_of_a_camera() -> None:
    cameras = ring_cameras()
    points = moving_points(60)
    late = np.clip(np.arange(60) - 2, 0, 59)  # camera 2 started 2 frames early
    groups = []
    for seed in (1, 2):  # two "models": the same views with different keypoint noise
        tracks = [
            mc.virtual_track(points, camera, score=0.9, noise_px=0.5, seed=seed + 10 * k)
            for k, camera in enumerate(cameras)
        ]
        tracks[2] = replace(tracks[2], xy=tracks[2].xy[late])
        groups.append(tracks)
    assert mc.pooled_sync_offsets(groups, cameras) == (0, 0, 2, 0)


def _demo_reference(model: PoseModelName, tracks: list[KeypointTrack]) -> mc.DemoReference:
    cameras = tuple(ring_cameras())
    points = mc.triangulate(tracks, cameras)
    return mc.DemoReference(model, cameras, tuple(tracks), tuple(tracks), (0,) * 4, points)


def test_pooled_reference_leaves_out_every_model_view_of_a_camera() -> None:
    cameras = ring_cameras()
    points = moving_points(20)
    lite, full = tracks_of(points, cameras), tracks_of(points, cameras)
    for tracks in (lite, full):  # camera 2 wrong in both models: its leave-one-out ignores it
        tracks[2] = replace(tracks[2], xy=tracks[2].xy + 80.0)
    refs = (_demo_reference("lite", lite), _demo_reference("full", full))
    pooled = mc.PooledReference(refs, (0,) * 4, mc.triangulate(lite + full, cameras * 2))
    assert pooled.models == ("lite", "full")
    assert [c.name for c in pooled.cameras] == ["ring0", "ring1", "ring2", "ring3"]
    assert np.abs(pooled.leave_one_out("ring2") - points).max() < 1e-6
    assert np.abs(pooled.leave_one_out(1) - points).max() > 0.01  # camera 2 is in this one
    assert pooled.reference("full") is refs[1]
    with pytest.raises(ValueError, match="model must be one of"):
        pooled.reference("heavy")


def test_track_cache_key_names_the_pose_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hiplab.motion.pose_models import POSE_MODELS
    from tests.motion.demo_video import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not really a video")
    paths = {model: mc.track_cache_path(video, model) for model in POSE_MODELS}
    assert len(set(paths.values())) == 3
    for model, path in paths.items():
        assert path.parent == tmp_path / "pose2sim-tracks"
        assert path.name.endswith(f"-{model}-{POSE_MODELS[model].sha256[:12]}.npz")
    assert mc.track_cache_path(video) == paths["full"]  # the default stays full
    with pytest.raises(ValueError, match="model must be one of"):
        mc.camera_track(video, "huge")  # type: ignore[arg-type]


# --- body frame, truth, camera geometry ------------------------------------------------------


@pytest.mark.parametrize("yaw", [0.0, 30.0, 60.0, 90.0, -90.0, 180.0])
@pytest.mark.parametrize("pitch", [0.0, 20.0])
def test_virtual_camera_geometry_round_trip(yaw: float, pitch: float) -> None:
    points = body_points()
    camera = mc.virtual_camera(points, yaw, pitch)
    found_yaw, found_pitch = mc.camera_geometry(camera, points)
    assert wrapped(found_yaw, yaw).max() < 1.0
    assert np.abs(found_pitch - pitch).max() < 1.0
    mid_hip = points[0, [INDEX["left_hip"], INDEX["right_hip"]]].mean(axis=0)
    np.testing.assert_allclose(np.linalg.norm(camera.centre - mid_hip), 3.5)
    np.testing.assert_allclose(mc.project(camera, mid_hip), [640.0, 360.0], atol=1e-9)


def test_yaw_convention_matches_hiplab_facing() -> None:
    points = body_points()
    right_side = mc.virtual_track(points, mc.virtual_camera(points, 90.0, 0.0))
    left_side = mc.virtual_track(points, mc.virtual_camera(points, -90.0, 0.0))
    assert estimate_facing(right_side) == 1.0  # the subject faces image right
    assert estimate_facing(left_side) == -1.0
    front = mc.virtual_track(points, mc.virtual_camera(points, 0.0, 0.0))
    right_hip, left_hip = front.xy[0, INDEX["right_hip"], 0], front.xy[0, INDEX["left_hip"], 0]
    assert right_hip < left_hip  # seen from the front, the subject's right is at image left


def test_body_frame_of_a_standing_person() -> None:
    points = body_points(heading_deg=37.0)
    frame = mc.body_frame(points)
    np.testing.assert_allclose(frame.up, [0.0, 0.0, 1.0])
    h = np.radians(37.0)
    np.testing.assert_allclose(frame.anterior, np.tile([np.cos(h), np.sin(h), 0.0], (10, 1)))
    assert frame.toes_agree
    upside_down = points.copy()
    upside_down[..., 2] *= -1
    np.testing.assert_allclose(mc.world_up(upside_down), [0.0, 0.0, -1.0])


def test_body_plane_truth_of_standing_straight_is_neutral() -> None:
    points = body_points()
    sagittal = mc.truth_series(points, "sagittal")
    for side in ("left", "right"):
        for name in ("hip_flexion", "knee_flexion"):
            np.testing.assert_allclose(sagittal.channel(f"{side}_{name}"), 0.0, atol=1e-9)
        np.testing.assert_allclose(sagittal.channel(f"{side}_thigh_angle"), -90.0, atol=1e-9)
    np.testing.assert_allclose(sagittal.channel("trunk_lean"), 0.0, atol=1e-9)
    frontal = mc.truth_series(points, "frontal")
    for channel in ("right_knee_fppa", "left_knee_fppa", "right_pelvic_drop"):
        np.testing.assert_allclose(frontal.channel(channel), 0.0, atol=1e-9)
    np.testing.assert_allclose(frontal.channel("trunk_lateral_lean"), 0.0, atol=1e-9)


def test_body_plane_truth_sees_a_forward_thigh_as_hip_flexion() -> None:
    points = body_points(heading_deg=-20.0)
    frame = mc.body_frame(points)
    hip, knee = INDEX["right_hip"], INDEX["right_knee"]
    thigh = points[:, knee] - points[:, hip]
    length = np.linalg.norm(thigh, axis=1, keepdims=True)
    a = np.radians(30.0)
    bent = np.cos(a) * -frame.up + np.sin(a) * frame.anterior
    shift = points[:, hip] + length * bent - points[:, knee]
    for name in ("right_knee", "right_ankle", "right_heel", "right_foot_index"):
        points[:, INDEX[name]] += shift
    sagittal = mc.truth_series(points, "sagittal")
    np.testing.assert_allclose(sagittal.channel("right_hip_flexion"), 30.0, atol=1e-9)
    np.testing.assert_allclose(sagittal.channel("right_knee_flexion"), 30.0, atol=1e-9)
    np.testing.assert_allclose(sagittal.channel("left_hip_flexion"), 0.0, atol=1e-9)


def test_virtual_track_marks_missing_points_and_seeds_noise() -> None:
    points = body_points(5)
    points[2, INDEX["nose"]] = np.nan
    points[3] = np.nan
    camera = mc.virtual_camera(body_points(5), 45.0, 10.0)
    track = mc.virtual_track(points, camera)
    assert track.fps == 60.0 and (track.width, track.height) == (1280, 720)
    assert np.isnan(track.xy[2, INDEX["nose"]]).all() and track.score[2, INDEX["nose"]] == 0.0
    assert track.lost.tolist() == [False, False, False, True, False]
    assert (track.score[0] == 0.9).all()
    noisy = mc.virtual_track(points, camera, noise_px=2.0, seed=3)
    again = mc.virtual_track(points, camera, noise_px=2.0, seed=3)
    np.testing.assert_array_equal(noisy.xy, again.xy)
    spread = np.nanstd(noisy.xy - track.xy)
    assert 1.0 < spread < 3.0
    assert track.world is None


def test_virtual_world_landmarks_are_in_camera_axes() -> None:
    points = body_points(3)
    camera = mc.virtual_camera(points, 90.0, 0.0)  # at the subject's right side
    track = mc.virtual_track(points, camera, world=True)
    assert track.world is not None
    mid = 0.5 * (track.world[:, INDEX["left_hip"]] + track.world[:, INDEX["right_hip"]])
    np.testing.assert_allclose(mid, 0.0, atol=1e-12)
    nose, toe, heel = (track.world[0, INDEX[n]] for n in ("nose", "right_foot_index", "right_heel"))
    assert nose[1] < 0  # the head is up: image y down
    assert toe[0] > heel[0]  # facing image right
    right_hip, left_hip = track.world[0, INDEX["right_hip"]], track.world[0, INDEX["left_hip"]]
    assert right_hip[2] < left_hip[2]  # the right side is nearer the camera


# --- the real demo ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pose2sim_folder() -> Path:
    """Return the Pose2Sim demo; skip (or fail with HIPLAB_REQUIRE_VIDEO) if unavailable."""
    from tests.motion.demo_video import REQUIRE_ENV

    found = mc.pose2sim_demo()
    if isinstance(found, Path):
        return found
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{REQUIRE_ENV} is set but the Pose2Sim demo is unavailable: {found}")
    pytest.skip(f"Pose2Sim demo unavailable: {found}")


@pytest.fixture(scope="session")
def reference(pose2sim_folder: Path) -> mc.DemoReference:
    """The demo's synchronised tracks and skeleton (MediaPipe tracks cached in the test cache).

    The one reference of the session (tests/motion/pose2sim_reference.py), which
    test_camera_coverage and test_gate_limits read too: built once, not once here as well.
    """
    return demo()


def test_demo_files_and_calibration(pose2sim_folder: Path) -> None:
    cameras = mc.read_qualisys(pose2sim_folder / "calibration" / "Calib.qca.txt")
    assert [c.name for c in cameras] == list(mc.CAMERA_NAMES)
    assert {c.size for c in cameras} == {(1088, 1920)}
    np.testing.assert_allclose(cameras[0].K[0, 0], 107599.671875 / 64)
    np.testing.assert_allclose(cameras[0].centre, [1.4602324, -1.9091590, 1.8965059], atol=1e-6)
    for camera in cameras:
        np.testing.assert_allclose(camera.R @ camera.R.T, np.eye(3), atol=1e-9)
        assert np.linalg.det(camera.R) > 0
        # every camera looks down and toward the middle of the room
        assert camera.R[2, 2] < 0
        assert np.dot(camera.R[2, :2], -camera.centre[:2]) > 0
    assert mc.pose2sim_demo() == pose2sim_folder  # reused from the cache


def test_demo_tracks_are_synchronised(reference: mc.DemoReference) -> None:
    spread = max(reference.offsets) - min(reference.offsets)
    assert {track.frames for track in reference.tracks} == {100 - spread}
    assert {track.fps for track in reference.tracks} == {60.0}
    # cam03's frame i + 3 matches the others' frame i (measured: (0, 0, 3, 0))
    assert reference.offsets[:2] == (0, 0)
    assert 2 <= reference.offsets[2] <= 4 and abs(reference.offsets[3]) <= 1
    widths = [
        (c.size[0], t.width) for c, t in zip(reference.cameras, reference.tracks, strict=True)
    ]
    assert widths == [(1080, 1080), (1080, 1080), (1088, 1088), (1088, 1088)]


def test_demo_reprojection(reference: mc.DemoReference) -> None:
    for k, (camera, track) in enumerate(zip(reference.cameras, reference.fixed, strict=True)):
        own = np.nanmedian(mc.reprojection_errors(reference.points, track, camera))
        alone = np.nanmedian(mc.reprojection_errors(reference.leave_one_out(k), track, camera))
        # measured 9–15 px with all four views, 16–25 px leaving the camera out
        assert own < 18.0, camera.name
        assert own < alone < 30.0, camera.name


def test_demo_skeleton_and_camera_geometry(reference: mc.DemoReference) -> None:
    frame = mc.body_frame(reference.points)
    np.testing.assert_allclose(frame.up, [0.0, 0.0, 1.0])  # Qualisys world: z up
    assert frame.toes_agree
    nose = reference.points[:, INDEX["nose"], 2]
    assert 1.2 < np.nanmedian(nose) < 1.8
    expected = {"cam01": (26, 18), "cam02": (-24, 12), "cam03": (-146, 20), "cam04": (143, 18)}
    for camera in reference.cameras:
        yaw, pitch = mc.camera_geometry(camera, reference.points)
        want_yaw, want_pitch = expected[camera.name]
        assert wrapped(np.array([np.nanmedian(yaw)]), want_yaw)[0] < 5.0, camera.name
        assert abs(np.nanmedian(pitch) - want_pitch) < 3.0, camera.name
