"""Multi-camera reference for hiplab's 2-D angles: the Pose2Sim single-person demo.

Data
----
The ``pose2sim`` wheel (0.10.49) ships ``Pose2Sim/Demo_SinglePerson/``: four
60 fps portrait videos (``videos/cam01.mp4`` … ``cam04.mp4``, 100 frames each)
and a Qualisys calibration (``calibration/Calib.qca.txt``).
:func:`pose2sim_demo` fetches the wheel with ``pip download --no-deps`` into
the test cache (:func:`tests.motion.demo_video.cache_dir`), extracts those five
files (sha256-pinned) and reuses them afterwards; nothing is committed.

In the clip a man in shorts walks forward (+x, about 0.75 m over the 1.6 s);
standing on his left leg he swings his right leg out to the side and up (the
ankle about 45 cm off the floor, 0.8 m to his right) with the right arm
overhead and the trunk leaning about 40° to his left, then steps forward onto
the right foot. cam01 and cam02 film him from the front (left and right of
his path), cam03 and cam04 from behind.

Measured on the data (hiplab's MediaPipe tracks):

* The frame counts agree (100), but cam03 runs 3 frames (50 ms) ahead: its
  frame ``i + 3`` matches the others' frame ``i`` (:func:`sync_offsets`
  lowers the median reprojection error from 12.8 to 11.6 px with it; the
  other cameras' best offsets are 0). :func:`demo_reference` puts the four
  tracks on that common timeline (97 frames).
* cam01 and cam02 are 1080 px wide, the calibration (all four) says 1088.
  Moving their principal points by up to 8 px changes their residuals by
  ±2 px one way or the other, within the pose model's own bias, so the crop
  cannot be located from these data: the calibrated principal point is used
  as it is (as Pose2Sim does) and only the width is taken from the video.
* MediaPipe exchanges left and right legs in cam02 for most of frames 41–77;
  :func:`fix_sides` undoes that by agreement between the views before
  triangulating (hiplab's own input keeps the raw tracks).

Qualisys calibration conventions (``.qca.txt``)
-----------------------------------------------
As Pose2Sim reads them (``Pose2Sim/calibration.py``, ``read_qca`` and
``calib_qca_fun``; ``world_to_camera_persp`` and ``rotate_cam`` in
``Pose2Sim/common.py``):

* ``transform``: ``x, y, z`` is the camera centre in the world, in mm. The
  matrix ``M`` written row by row ``r11 r12 r13 / r21 …`` maps world to
  camera (``Pose2Sim`` transposes it "by-column to by-line" and then inverts
  it), in Qualisys camera axes, whose y points up and z backwards out of
  the lens; a half turn about the camera x axis gives OpenCV's axes (y down,
  z forward): ``R = diag(1, -1, -1) M`` and ``t = -R C``.
* ``intrinsic``: ``focalLengthU/V`` and ``centerPointU/V`` are in 1/64 pixel
  (``sensorMaxU = 69568 = 1087 × 64``); the principal point is measured from
  the sensor corner, less ``fov_video`` ``left``/``top``. Pose2Sim also
  divides the distortion coefficients ``k1 k2 p1 p2`` by 64 (and drops
  ``k3``), which makes them negligible. Here they are used as written, in
  normalised coordinates (OpenCV's model): they move the image corners by
  4–9 px, the subject's keypoints by 0.2 px (median; at most 2.4 px), so the
  two readings cannot be told apart on these videos.
* ``fov_video`` gives the picture: width ``right - left + 1``, height
  ``bottom - top + 1``. ``viewrotation`` is 0 for all four cameras (the file
  was already turned to portrait: its source is
  ``calibration_qca_rotated.qca.txt``); Pose2Sim does not read it, and
  :func:`read_qualisys` refuses any other value rather than guess.
* The world is z up (head above feet), in metres after conversion.

Reference and truth
-------------------
Each camera's 2-D keypoints come from hiplab's own pipeline
(:func:`hiplab.motion.pose_extraction.extract_track`) with one of the three pose
models (``lite``, ``full`` or ``heavy``; :data:`DEFAULT_MODEL` unless told),
cached per video and model (:func:`track_cache_path`).
:func:`triangulate` gives the 3-D skeleton by a score-weighted DLT; with
``exclude`` it leaves one camera out, so that camera is compared with a
skeleton it did not help to build. :func:`pooled_reference` triangulates
every model's tracks together (one view per camera and model, on the
timeline :func:`pooled_sync_offsets` finds for them all), a reference common
to the models that none of them shapes more than another. The *truth* of an angle is hiplab's own
definition (:func:`hiplab.motion.angles.compute_angles`) applied to the
orthographic projection of that skeleton onto the subject's body plane
(:func:`truth_series`): what a perfect, infinitely distant camera square to
the subject would see. Virtual cameras (:func:`virtual_camera`,
:func:`virtual_track`) film the same skeleton from any yaw and pitch.

Body frame (per frame): ``up`` the world vertical; ``right`` the right hip
minus the left hip, made horizontal; ``anterior = up × right`` (so that
``right = anterior × up``), its sign checked against the toes (foot index
ahead of the heel). Camera yaw ψ = atan2(h·right, h·anterior) with ``h`` the
horizontal unit vector from the mid-hip toward the camera: 0 in front, +90 at
the subject's right side (the subject faces image right), -90 at the left,
±180 behind. Pitch θ: the camera → mid-hip ray below the horizontal, positive
when the camera looks down.
"""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.angles import compute_angles
from hiplab.motion.keypoints import INDEX, KEYPOINTS, KeypointTrack
from hiplab.motion.pose_models import POSE_MODELS, PoseModelName
from hiplab.motion.series import TimeSeries
from tests.motion.demo_video import cache_dir

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
View = Literal["sagittal", "frontal"]

POSE2SIM_VERSION = "0.10.49"
DEMO_PREFIX = "Pose2Sim/Demo_SinglePerson/"
DEMO_FILES: dict[str, str] = {
    "videos/cam01.mp4": "cf4f2816c86bea4bfbea255333d8626ff32a3ecabdab8b0fb147cea9167fde3a",
    "videos/cam02.mp4": "94ff87cf978b8406e8aa36ab3c5362e72848994e87652f0dc7a33c315e8e0442",
    "videos/cam03.mp4": "b8b329f832f178f27ecb78d024d5026b96c6adb36c387bfe2c0af85eab8a11ca",
    "videos/cam04.mp4": "b5c0e7863fd70d008e7178d3c556b045b0ea5f78fcd61ca548a0b2e807e641f7",
    "calibration/Calib.qca.txt": "fd90e4bbae3278ef1dc0cdd42a34ee06bf88286f628a02c00a29407aa39e34c5",
}
CAMERA_NAMES: tuple[str, ...] = ("cam01", "cam02", "cam03", "cam04")
FPS = 60.0
SUBPIXEL = 64.0
"""Qualisys intrinsic values are in 1/64 pixel."""
DEFAULT_MODEL: PoseModelName = "full"
"""The pose model whose tracks the tests and the benchmark use unless told otherwise."""
TRACK_VERSION = "2"
"""Part of the cached tracks' key: bump it when the pose pipeline changes."""
MIN_VIEW_SCORE = 0.5
"""A camera's keypoint below this score takes no part in triangulation."""
TRUTH_PX_PER_M = 500.0
"""Scale of the orthographic truth projections (angles do not depend on it)."""


# --- the demo files ------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wheel(cache: Path) -> Path | str:
    """Return the cached pose2sim wheel, downloading it if needed; or why that failed."""
    wheel = cache / f"pose2sim-{POSE2SIM_VERSION}-py3-none-any.whl"
    if wheel.is_file():
        return wheel
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
    command += [f"pose2sim=={POSE2SIM_VERSION}", "-d", str(cache)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0 or not wheel.is_file():
        return f"pip download pose2sim=={POSE2SIM_VERSION} failed: {done.stderr.strip()[-300:]}"
    return wheel


def pose2sim_demo() -> Path | str:
    """Return the folder with the demo's four videos and calibration, or why it is unavailable.

    The folder holds ``videos/cam01.mp4`` … ``cam04.mp4`` and
    ``calibration/Calib.qca.txt``, each checked against its pinned sha256.
    """
    cache = cache_dir()
    folder = cache / f"pose2sim-{POSE2SIM_VERSION}-demo"
    missing = {
        name: digest
        for name, digest in DEMO_FILES.items()
        if not (folder / name).is_file() or _sha256(folder / name) != digest
    }
    if not missing:
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    wheel = _wheel(cache)
    if isinstance(wheel, str):
        return wheel
    try:
        with zipfile.ZipFile(wheel) as archive:
            contents = {name: archive.read(DEMO_PREFIX + name) for name in missing}
    except (zipfile.BadZipFile, KeyError) as error:
        return f"{wheel} lacks the demo files: {error}"
    for name, data in contents.items():
        if hashlib.sha256(data).hexdigest() != missing[name]:
            return f"{DEMO_PREFIX}{name} in {wheel} is not the pinned file (sha256 differs)"
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(target)
    return folder


def video_paths(folder: Path) -> list[Path]:
    """Return the four demo videos in camera order."""
    return [folder / "videos" / f"{name}.mp4" for name in CAMERA_NAMES]


# --- cameras ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Camera:
    """A calibrated pinhole camera in OpenCV conventions.

    ``K`` (3, 3) pixels; ``dist`` (5,) ``k1 k2 p1 p2 k3``; ``R`` (3, 3) world →
    camera (camera x right, y down, z forward); ``t`` (3,) metres, so that a
    world point ``p`` is ``R p + t`` in camera axes; ``size`` ``(width, height)``.
    """

    name: str
    K: FloatArray
    dist: FloatArray
    R: FloatArray
    t: FloatArray
    size: tuple[int, int]

    @property
    def centre(self) -> FloatArray:
        """Return the camera centre in world coordinates (metres)."""
        return np.asarray(-self.R.T @ self.t, dtype=np.float64)

    def cropped(self, width: int, *, left_px: float = 0.0) -> Camera:
        """Return the camera of a picture cut to ``width`` columns from column ``left_px``."""
        K = self.K.copy()
        K[0, 2] -= left_px
        return Camera(self.name, K, self.dist, self.R, self.t, (width, self.size[1]))


def _floats(element: ET.Element, *names: str) -> list[float]:
    return [float(element.attrib[name]) for name in names]


def _qualisys_camera(element: ET.Element) -> Camera:
    """Return one ``<camera>`` element of a .qca.txt file as a :class:`Camera`."""
    name = element.attrib["serial"]
    rotation = element.attrib.get("viewrotation", "0")
    if float(rotation) != 0:
        raise ValueError(f"camera {name}: viewrotation must be 0; got {rotation}")
    fov = element.find("fov_video")
    transform = element.find("transform")
    intrinsic = element.find("intrinsic")
    if fov is None or transform is None or intrinsic is None:
        raise ValueError(f"camera {name}: needs fov_video, transform and intrinsic elements")
    left, top, right, bottom = _floats(fov, "left", "top", "right", "bottom")
    fu, fv, cu, cv = _floats(
        intrinsic, "focalLengthU", "focalLengthV", "centerPointU", "centerPointV"
    )
    K = np.array(
        [
            [fu / SUBPIXEL, 0.0, cu / SUBPIXEL - left],
            [0.0, fv / SUBPIXEL, cv / SUBPIXEL - top],
            [0.0, 0.0, 1.0],
        ]
    )
    k1, k2, k3, p1, p2 = _floats(
        intrinsic,
        "radialDistortion1",
        "radialDistortion2",
        "radialDistortion3",
        "tangentalDistortion1",
        "tangentalDistortion2",
    )
    matrix = np.array(_floats(transform, *(f"r{i}{j}" for i in (1, 2, 3) for j in (1, 2, 3))))
    # Qualisys camera axes are y up, z out of the back of the camera: turn half round x.
    R = np.diag([1.0, -1.0, -1.0]) @ matrix.reshape(3, 3)
    centre = np.array(_floats(transform, "x", "y", "z")) / 1000.0
    size = (round(right - left + 1), round(bottom - top + 1))
    return Camera(name, K, np.array([k1, k2, p1, p2, k3]), R, -R @ centre, size)


def read_qualisys(path: Path | str) -> list[Camera]:
    """Return the cameras of a Qualisys ``.qca.txt`` calibration, in file order.

    See the module docstring for the conventions (1/64 pixel intrinsics,
    world → camera matrix, camera centre in mm).
    """
    root = ET.parse(path).getroot()
    cameras = [_qualisys_camera(element) for element in root.iter("camera")]
    if not cameras:
        raise ValueError(f"{path}: no <camera> elements")
    return cameras


def demo_cameras(folder: Path) -> list[Camera]:
    """Return the demo's cameras with the videos' widths (principal points as calibrated)."""
    import cv2

    cameras = read_qualisys(folder / "calibration" / "Calib.qca.txt")
    fitted = []
    for camera, video in zip(cameras, video_paths(folder), strict=True):
        capture = cv2.VideoCapture(str(video))
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        capture.release()
        if width != camera.size[0]:
            camera = camera.cropped(width)
        fitted.append(camera)
    return fitted


def project(camera: Camera, points_3d: FloatArray) -> FloatArray:
    """Return the pixel positions ``(..., 2)`` of world points ``(..., 3)`` (NaN stays NaN).

    The OpenCV model: pinhole, then radial ``k1 k2 k3`` and tangential ``p1 p2``
    distortion in normalised coordinates.
    """
    cam = points_3d @ camera.R.T + camera.t
    x, y = cam[..., 0] / cam[..., 2], cam[..., 1] / cam[..., 2]
    k1, k2, p1, p2, k3 = camera.dist
    r2 = x * x + y * y
    radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
    xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
    yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
    K = camera.K
    return np.stack([K[0, 0] * xd + K[0, 1] * yd + K[0, 2], K[1, 1] * yd + K[1, 2]], axis=-1)


def undistort(camera: Camera, xy: FloatArray) -> FloatArray:
    """Return distorted pixels ``(..., 2)`` as ideal pinhole pixels (NaN stays NaN)."""
    import cv2

    flat = xy.reshape(-1, 2)
    out = np.full_like(flat, np.nan, dtype=np.float64)
    ok = np.isfinite(flat).all(axis=1)
    if ok.any():
        # OpenCV's default of 5 iterations leaves ~0.01 px near the corners; iterate to 1e-10.
        criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 100, 1e-10)
        found = cv2.undistortPointsIter(
            flat[ok].reshape(-1, 1, 2).astype(np.float64),
            camera.K,
            camera.dist,
            np.eye(3),
            camera.K,
            criteria,
        )
        out[ok] = found.reshape(-1, 2)
    return out.reshape(xy.shape)


# --- 2-D tracks ------------------------------------------------------------------------------


def _save_track(path: Path, track: KeypointTrack) -> None:
    partial = path.with_suffix(".part.npz")
    arrays = {"xy": track.xy, "score": track.score, "lost": track.lost, "time_s": track.time_s}
    if track.world is not None:
        arrays["world"] = track.world
    np.savez(partial, fps=track.fps, size=np.array([track.width, track.height]), **arrays)
    partial.replace(path)


def _load_track(path: Path, source: Path) -> KeypointTrack:
    with np.load(path) as data:
        width, height = (int(v) for v in data["size"])
        return KeypointTrack(
            fps=float(data["fps"]),
            width=width,
            height=height,
            xy=np.asarray(data["xy"], dtype=np.float64),
            score=np.asarray(data["score"], dtype=np.float64),
            lost=np.asarray(data["lost"], dtype=np.bool_),
            time_s=np.asarray(data["time_s"], dtype=np.float64),
            source=str(source),
            world=np.asarray(data["world"], dtype=np.float64) if "world" in data.files else None,
        )


def track_cache_path(video: Path, model: PoseModelName = DEFAULT_MODEL) -> Path:
    """Return where hiplab's track of one video with one pose model is cached.

    The key holds the video's sha256, :data:`TRACK_VERSION`, the MediaPipe
    version and the pose model's name and pinned sha256
    (:data:`hiplab.motion.pose_models.POSE_MODELS`).
    """
    pinned = POSE_MODELS[model]
    mediapipe = metadata.version("mediapipe")
    name = f"{_sha256(video)[:20]}-v{TRACK_VERSION}-mediapipe{mediapipe}"
    return cache_dir() / "pose2sim-tracks" / f"{name}-{model}-{pinned.sha256[:12]}.npz"


def camera_track(video: Path, model: PoseModelName = DEFAULT_MODEL) -> KeypointTrack:
    """Return hiplab's track of one video with one pose model, cached (:func:`track_cache_path`)."""
    from hiplab.motion.pose_extraction import extract_track

    if model not in POSE_MODELS:
        raise ValueError(f"model must be one of {sorted(POSE_MODELS)}; got {model!r}")
    cached = track_cache_path(video, model)
    if cached.is_file():
        return _load_track(cached, video)
    track = extract_track(video, model=model)
    cached.parent.mkdir(parents=True, exist_ok=True)
    _save_track(cached, track)
    return track


def demo_tracks(folder: Path, model: PoseModelName = DEFAULT_MODEL) -> list[KeypointTrack]:
    """Return the four cameras' tracks with one pose model (cached), of one frame count."""
    tracks = [camera_track(video, model) for video in video_paths(folder)]
    counts = {track.frames for track in tracks}
    if len(counts) != 1:
        raise ValueError(f"the demo videos differ in frame count: {sorted(counts)}")
    return tracks


# --- triangulation ---------------------------------------------------------------------------


def _normalised(camera: Camera, xy: FloatArray) -> FloatArray:
    """Return distorted pixels ``(..., 2)`` as normalised image coordinates ``(..., 2)``."""
    ideal = undistort(camera, xy)
    K = camera.K
    y = (ideal[..., 1] - K[1, 2]) / K[1, 1]
    x = (ideal[..., 0] - K[0, 2] - K[0, 1] * y) / K[0, 0]
    return np.stack([x, y], axis=-1)


def view_weights(track: KeypointTrack, *, min_score: float = MIN_VIEW_SCORE) -> FloatArray:
    """Return ``(N, K)`` DLT weights of one view: the score, 0 where below ``min_score``."""
    ok = (track.score >= min_score) & np.isfinite(track.xy).all(axis=-1) & ~track.lost[:, None]
    return np.where(ok, track.score, 0.0)


def _camera_index(cameras: Sequence[Camera], exclude: int | str | None) -> int | None:
    if exclude is None or isinstance(exclude, int):
        return exclude
    names = [camera.name for camera in cameras]
    if exclude not in names:
        raise ValueError(f"exclude must be a camera index or one of {names}; got {exclude!r}")
    return names.index(exclude)


def triangulate(
    tracks: Sequence[KeypointTrack],
    cameras: Sequence[Camera],
    exclude: int | str | None = None,
    *,
    min_score: float = MIN_VIEW_SCORE,
) -> FloatArray:
    """Return the ``(N, K, 3)`` world keypoints (metres) from two or more views.

    Each keypoint of each frame is a linear (DLT) solve over the views whose
    score is at least ``min_score``, each view's two equations weighted by its
    score, on undistorted normalised coordinates. NaN where fewer than two
    views remain. ``exclude`` (an index or a camera name) leaves that camera
    out, for a leave-one-out reference.
    """
    if len(tracks) != len(cameras):
        raise ValueError(f"need one track per camera; got {len(tracks)} and {len(cameras)}")
    skip = _camera_index(cameras, exclude)
    n = tracks[0].frames
    rows = []
    weights = []
    for c, (track, camera) in enumerate(zip(tracks, cameras, strict=True)):
        if c == skip:
            continue
        uv = _normalised(camera, track.xy)
        P = np.hstack([camera.R, camera.t[:, None]])
        w = view_weights(track, min_score=min_score)
        # x (P3 · X) - P1 · X = 0 and y (P3 · X) - P2 · X = 0, per frame and keypoint
        for axis in (0, 1):
            row = uv[..., axis, None] * P[2] - P[axis]
            rows.append(np.where(w[..., None] > 0, row * w[..., None], 0.0))
        weights.append(w > 0)
    A = np.stack(rows, axis=-2)  # (N, K, 2 C, 4)
    views = np.sum(weights, axis=0)
    A = np.nan_to_num(A)
    _, _, vt = np.linalg.svd(A.reshape(-1, A.shape[-2], 4))
    homogeneous = vt[:, -1, :].reshape(n, len(KEYPOINTS), 4)
    with np.errstate(divide="ignore", invalid="ignore"):
        points = homogeneous[..., :3] / homogeneous[..., 3:]
    return np.where((views >= 2)[..., None], points, np.nan)


def reprojection_errors(
    points_3d: FloatArray,
    track: KeypointTrack,
    camera: Camera,
    *,
    min_score: float = MIN_VIEW_SCORE,
) -> FloatArray:
    """Return ``(N, K)`` pixel distances between reprojected and detected keypoints.

    NaN where the point is missing or the view's score is below ``min_score``.
    """
    distance = np.linalg.norm(project(camera, points_3d) - track.xy, axis=-1)
    return np.where(view_weights(track, min_score=min_score) > 0, distance, np.nan)


def _swap_columns(group: Sequence[str]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    left = [INDEX[f"left_{part}"] for part in group]
    right = [INDEX[f"right_{part}"] for part in group]
    return np.array(left + right, dtype=np.intp), np.array(right + left, dtype=np.intp)


def _with_swaps(track: KeypointTrack, swap: BoolArray, group: Sequence[str]) -> KeypointTrack:
    """Return ``track`` with the group's left and right labels exchanged where ``swap`` (N,)."""
    columns, swapped = _swap_columns(group)
    frames = np.flatnonzero(swap)
    arrays = [track.xy, track.score] + ([] if track.world is None else [track.world])
    out = []
    for array in arrays:
        copy = array.copy()
        copy[np.ix_(frames, columns)] = array[np.ix_(frames, swapped)]
        out.append(copy)
    return replace(track, xy=out[0], score=out[1], world=out[2] if len(out) > 2 else None)


def _group_cost(
    tracks: Sequence[KeypointTrack], cameras: Sequence[Camera], group: Sequence[str]
) -> FloatArray:
    """Return per frame the median reprojection error (px) of a limb group over all views."""
    points = triangulate(tracks, cameras)
    columns, _ = _swap_columns(group)
    errors = [
        reprojection_errors(points, track, camera)[:, columns]
        for track, camera in zip(tracks, cameras, strict=True)
    ]
    stacked = np.concatenate(errors, axis=1)
    cost = np.full(stacked.shape[0], np.inf)
    seen = np.isfinite(stacked).any(axis=1)
    cost[seen] = np.nanmedian(stacked[seen], axis=1)
    return cost


def fix_sides(tracks: Sequence[KeypointTrack], cameras: Sequence[Camera]) -> list[KeypointTrack]:
    """Return the tracks with left/right label swaps undone by agreement between the views.

    The pose model sometimes exchanges a person's left and right limbs in one
    view. Per frame and limb group (:data:`hiplab.motion.kinematics.SIDE_GROUPS`),
    every combination of swapped views is triangulated; the one with the least
    median reprojection error wins, and of it and its mirror image (the same
    geometry with every label exchanged) the one that swaps fewer views.
    """
    from hiplab.motion.kinematics import SIDE_GROUPS

    fixed = list(tracks)
    count = len(tracks)
    for group in SIDE_GROUPS.values():
        patterns = list(itertools.product((False, True), repeat=count - 1))
        costs = []
        for pattern in patterns:  # the first view kept: its mirror image costs the same
            trial = [fixed[0]] + [
                _with_swaps(track, np.full(track.frames, flag), group)
                for track, flag in zip(fixed[1:], pattern, strict=True)
            ]
            costs.append(_group_cost(trial, cameras, group))
        best = np.argmin(np.stack(costs), axis=0)
        chosen = np.array([(False, *patterns[i]) for i in best])  # (N, count)
        mirror = chosen.sum(axis=1) > count / 2
        chosen[mirror] = ~chosen[mirror]
        fixed = [_with_swaps(track, chosen[:, c], group) for c, track in enumerate(fixed)]
    return fixed


# --- synchronisation -------------------------------------------------------------------------


def shifted(track: KeypointTrack, start: int, frames: int) -> KeypointTrack:
    """Return frames ``[start, start + frames)`` of a track, timed from 0."""
    stop = start + frames
    if start < 0 or stop > track.frames:
        raise ValueError(f"frames [{start}, {stop}) are outside the track's 0..{track.frames}")
    return replace(
        track,
        xy=track.xy[start:stop],
        score=track.score[start:stop],
        lost=track.lost[start:stop],
        time_s=np.arange(frames, dtype=np.float64) / track.fps,
        world=None if track.world is None else track.world[start:stop],
    )


def aligned(tracks: Sequence[KeypointTrack], offsets: Sequence[int]) -> list[KeypointTrack]:
    """Return the tracks on one timeline: common frame ``i`` is camera ``c``'s ``i + offset``."""
    low = min(offsets)
    starts = [offset - low for offset in offsets]
    frames = min(track.frames - start for track, start in zip(tracks, starts, strict=True))
    return [shifted(track, start, frames) for track, start in zip(tracks, starts, strict=True)]


def _sync_cost(tracks: Sequence[KeypointTrack], cameras: Sequence[Camera]) -> float:
    points = triangulate(tracks, cameras)
    errors = [reprojection_errors(points, t, c) for t, c in zip(tracks, cameras, strict=True)]
    return float(np.nanmedian(np.concatenate([e.ravel() for e in errors])))


def _descend(count: int, cost: Callable[[list[int]], float], *, max_shift: int) -> tuple[int, ...]:
    """Return the offsets (the first 0) a greedy descent on ``cost(offsets)`` settles on."""
    offsets = [0] * count
    current = cost(offsets)
    while True:
        trials = {
            (c, shift): cost([*offsets[:c], shift, *offsets[c + 1 :]])
            for c in range(count)
            for shift in range(-max_shift, max_shift + 1)
            if shift != offsets[c]
        }
        (camera, shift), best = min(trials.items(), key=lambda item: (item[1], abs(item[0][1])))
        if best >= current:
            break
        offsets[camera], current = shift, best
    return tuple(offset - offsets[0] for offset in offsets)


def sync_offsets(
    tracks: Sequence[KeypointTrack], cameras: Sequence[Camera], *, max_shift: int = 6
) -> tuple[int, ...]:
    """Return per camera the frame offset that best synchronises the views (the first is 0).

    Greedy descent on the median reprojection error of all views: each step
    makes the one change of one camera's offset (by up to ``max_shift``
    frames) that lowers it most, until none does; a camera that is off thus
    moves before the others compromise around it. Offsets are in
    :func:`aligned`'s sense.
    """
    return _descend(
        len(tracks),
        lambda offsets: _sync_cost(aligned(tracks, offsets), cameras),
        max_shift=max_shift,
    )


def pooled_sync_offsets(
    groups: Sequence[Sequence[KeypointTrack]], cameras: Sequence[Camera], *, max_shift: int = 6
) -> tuple[int, ...]:
    """Return :func:`sync_offsets` of several track sets of the same cameras triangulated together.

    ``groups`` holds one track per camera each (e.g. one set per pose
    model); a camera's offset moves all its tracks at once.
    """

    def cost(offsets: list[int]) -> float:
        tracks = [track for group in groups for track in aligned(group, offsets)]
        return _sync_cost(tracks, list(cameras) * len(groups))

    return _descend(len(cameras), cost, max_shift=max_shift)


# --- body frame, truth and camera geometry ---------------------------------------------------

_FEET = ("left_ankle", "right_ankle", "left_heel", "right_heel")


def _unit(v: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(v / np.linalg.norm(v, axis=-1, keepdims=True), dtype=np.float64)


def world_up(points_3d: FloatArray) -> FloatArray:
    """Return the world axis (signed unit vector) along which the nose is highest above the feet."""
    feet = points_3d[:, [INDEX[name] for name in _FEET]]
    rise = np.nanmedian(points_3d[:, INDEX["nose"], None] - feet, axis=(0, 1))
    axis = int(np.argmax(np.abs(rise)))
    up = np.zeros(3)
    up[axis] = np.sign(rise[axis])
    return up


@dataclass(frozen=True)
class BodyFrame:
    """The subject's axes per frame: ``right`` and ``anterior`` (N, 3), horizontal unit vectors.

    ``up`` (3,) is the world vertical; ``mid_hip`` (N, 3). ``toes_agree`` is
    False when the toes pointed along ``right × up`` rather than
    ``up × right`` (left/right labels mirrored), and ``anterior`` was turned
    round to follow the toes.
    """

    up: FloatArray
    right: FloatArray
    anterior: FloatArray
    mid_hip: FloatArray
    toes_agree: bool


def body_frame(points_3d: FloatArray) -> BodyFrame:
    """Return the subject's body axes (see the module docstring)."""
    up = world_up(points_3d)
    hips = points_3d[:, INDEX["right_hip"]] - points_3d[:, INDEX["left_hip"]]
    right = _unit(hips - (hips @ up)[:, None] * up)
    anterior = _unit(np.cross(up, right))
    toes = [
        points_3d[:, INDEX[f"{side}_foot_index"]] - points_3d[:, INDEX[f"{side}_heel"]]
        for side in ("left", "right")
    ]
    ahead = np.nanmedian(np.concatenate([np.einsum("nk,nk->n", toe, anterior) for toe in toes]))
    agree = bool(ahead >= 0)
    mid_hip = 0.5 * (points_3d[:, INDEX["left_hip"]] + points_3d[:, INDEX["right_hip"]])
    return BodyFrame(up, right, anterior if agree else -anterior, mid_hip, agree)


def body_plane_track(points_3d: FloatArray, view: View, *, fps: float = FPS) -> KeypointTrack:
    """Return the orthographic projection of the skeleton on its sagittal or frontal plane.

    Sagittal: a perfect right-side view, image x = anterior · p, image y =
    -up · p (the subject faces image right). Frontal: a perfect front view,
    image x = -right · p (the subject's right at image left), y = -up · p.
    Per frame, in :data:`TRUTH_PX_PER_M` pixels about the mid-hip.
    """
    frame = body_frame(points_3d)
    relative = points_3d - frame.mid_hip[:, None, :]
    across = frame.anterior if view == "sagittal" else -frame.right
    x = np.einsum("nkd,nd->nk", relative, across)
    y = -relative @ frame.up
    size = 4000
    xy = TRUTH_PX_PER_M * np.stack([x, y], axis=-1) + size / 2
    found = np.isfinite(xy).all(axis=-1)
    return KeypointTrack(
        fps=fps,
        width=size,
        height=size,
        xy=np.where(found[..., None], xy, np.nan),
        score=found.astype(np.float64),
        lost=~found.any(axis=1),
        source=f"body-plane {view}",
    )


def truth_series(points_3d: FloatArray, view: View, *, fps: float = FPS) -> TimeSeries:
    """Return the true angles of a view: hiplab's definitions on the body-plane projection.

    The truth is :func:`hiplab.motion.angles.compute_angles` applied to
    :func:`body_plane_track`, the skeleton projected orthographically onto the
    subject's sagittal plane (seen from the right, facing right) or frontal
    plane (seen from the front); NaN where a keypoint is missing.
    """
    track = body_plane_track(points_3d, view, fps=fps)
    return compute_angles(track, view=view, facing="right" if view == "sagittal" else None)


def camera_geometry(camera: Camera, points_3d: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return per frame the camera's yaw and pitch (degrees) relative to the subject.

    Yaw ψ = atan2(h · right, h · anterior), ``h`` the horizontal unit vector
    from the mid-hip toward the camera (0 front, +90 the subject's right, ±180
    behind); pitch θ is the camera → mid-hip ray below the horizontal.
    """
    frame = body_frame(points_3d)
    toward = camera.centre - frame.mid_hip
    height = toward @ frame.up
    h = _unit(toward - height[:, None] * frame.up)
    yaw = np.degrees(
        np.arctan2(np.einsum("nd,nd->n", h, frame.right), np.einsum("nd,nd->n", h, frame.anterior))
    )
    pitch = np.degrees(np.arcsin(height / np.linalg.norm(toward, axis=-1)))
    return np.asarray(yaw, dtype=np.float64), np.asarray(pitch, dtype=np.float64)


# --- virtual cameras -------------------------------------------------------------------------


def median_heading(frame: BodyFrame) -> tuple[FloatArray, FloatArray]:
    """Return the subject's median ``(anterior, right)`` over the clip, horizontal unit vectors."""
    helper = np.eye(3)[int(np.argmin(np.abs(frame.up)))]
    e1 = _unit(helper - (helper @ frame.up) * frame.up)
    e2 = np.cross(frame.up, e1)
    angle = np.arctan2(frame.anterior @ e2, frame.anterior @ e1)
    angle = angle[np.isfinite(angle)]
    mean = np.angle(np.mean(np.exp(1j * angle)))
    median = mean + np.median(np.angle(np.exp(1j * (angle - mean))))
    anterior = np.cos(median) * e1 + np.sin(median) * e2
    return anterior, np.cross(anterior, frame.up)


def virtual_camera(
    points_3d: FloatArray,
    yaw_deg: float,
    pitch_deg: float,
    distance_m: float = 3.5,
    size: tuple[int, int] = (1280, 720),
    focal_px: float = 1000.0,
) -> Camera:
    """Return a distortion-free camera at a yaw and pitch from the subject, aimed at the mid-hip.

    Placed ``distance_m`` from the median mid-hip, at ``yaw_deg`` from the
    subject's median heading over the clip and ``pitch_deg`` above the
    horizontal (conventions of :func:`camera_geometry`), with the image upright.
    """
    frame = body_frame(points_3d)
    anterior, right = median_heading(frame)
    target = np.nanmedian(frame.mid_hip, axis=0)
    yaw, pitch = np.radians(yaw_deg), np.radians(pitch_deg)
    h = np.cos(yaw) * anterior + np.sin(yaw) * right
    centre = target + distance_m * (np.cos(pitch) * h + np.sin(pitch) * frame.up)
    forward = _unit(target - centre)
    x_axis = _unit(np.cross(forward, frame.up))
    R = np.stack([x_axis, np.cross(forward, x_axis), forward])
    K = np.array([[focal_px, 0.0, size[0] / 2], [0.0, focal_px, size[1] / 2], [0.0, 0.0, 1.0]])
    name = f"virtual yaw {yaw_deg:g} pitch {pitch_deg:g}"
    return Camera(name, K, np.zeros(5), R, -R @ centre, size)


def world_landmarks(points_3d: FloatArray, camera: Camera) -> FloatArray:
    """Return the skeleton as MediaPipe's ``pose_world_landmarks`` would give it for a camera.

    Metres, origin between the hips, camera axes (x image right, y image
    down, z away from the camera): ``R (p - mid_hip)``.
    """
    mid_hip = 0.5 * (points_3d[:, INDEX["left_hip"]] + points_3d[:, INDEX["right_hip"]])
    return np.asarray((points_3d - mid_hip[:, None, :]) @ camera.R.T, dtype=np.float64)


def virtual_track(
    points_3d: FloatArray,
    camera: Camera,
    score: float = 0.9,
    noise_px: float = 0.0,
    seed: int = 0,
    *,
    fps: float = FPS,
    world: bool = False,
) -> KeypointTrack:
    """Return the skeleton as a camera sees it: projected keypoints, optional Gaussian noise.

    Missing 3-D points are NaN with score 0; a frame with no point is lost.
    ``noise_px`` is the standard deviation per image axis. ``world`` adds
    :func:`world_landmarks` (as a MediaPipe track has them), with noise of the
    same size in metres at the subject's median depth (``noise_px × depth / f``).
    """
    rng = np.random.default_rng(seed)
    xy = project(camera, points_3d)
    if noise_px > 0:
        xy = xy + rng.normal(0.0, noise_px, xy.shape)
    found = np.isfinite(xy).all(axis=-1)
    landmarks = None
    if world:
        landmarks = world_landmarks(points_3d, camera)
        if noise_px > 0:
            depth = float(np.nanmedian((points_3d @ camera.R.T + camera.t)[..., 2]))
            landmarks = landmarks + rng.normal(
                0.0, noise_px * depth / camera.K[0, 0], (*xy.shape[:2], 3)
            )
        landmarks = np.where(found[..., None], landmarks, np.nan)
    return KeypointTrack(
        fps=fps,
        width=camera.size[0],
        height=camera.size[1],
        xy=np.where(found[..., None], xy, np.nan),
        score=np.where(found, score, 0.0),
        lost=~found.any(axis=1),
        source=camera.name,
        world=landmarks,
    )


# --- the demo reference ----------------------------------------------------------------------


def smooth_points(points_3d: FloatArray, *, fps: float = FPS) -> FloatArray:
    """Return the skeleton low-passed as hiplab low-passes 2-D keypoints (zero-lag Butterworth).

    The same filter and default cutoff as
    :func:`hiplab.motion.kinematics.clean_keypoints`, so that the reference
    keeps the frequencies hiplab's angles keep.
    """
    from hiplab.motion.filters import ButterworthFilter

    usable = np.isfinite(points_3d).all(axis=-1)
    return np.asarray(ButterworthFilter().apply(points_3d, usable, fps=fps).values, np.float64)


@dataclass(frozen=True)
class DemoReference:
    """The demo on one timeline: cameras, hiplab's tracks and the 3-D reference.

    ``model`` is the pose model that made the tracks (and so the reference);
    ``tracks`` are the pipeline's tracks as they are (the input hiplab is
    tested on); ``fixed`` the same with left/right swaps undone by agreement
    between the views (:func:`fix_sides`), the triangulation input;
    ``offsets`` the frame offsets (:func:`sync_offsets`, or as given);
    ``points`` the skeleton triangulated from all four cameras.
    """

    model: PoseModelName
    cameras: tuple[Camera, ...]
    tracks: tuple[KeypointTrack, ...]
    fixed: tuple[KeypointTrack, ...]
    offsets: tuple[int, ...]
    points: FloatArray

    def leave_one_out(self, camera: int | str) -> FloatArray:
        """Return the skeleton triangulated without one camera (an index or a name)."""
        return triangulate(self.fixed, self.cameras, exclude=camera)

    def index(self, camera: int | str) -> int:
        """Return a camera's index from its index or name."""
        found = _camera_index(self.cameras, camera)
        assert found is not None
        return found


def demo_reference(
    folder: Path, model: PoseModelName = DEFAULT_MODEL, *, offsets: Sequence[int] | None = None
) -> DemoReference:
    """Return the demo's cameras, synchronised tracks and 3-D skeleton with one pose model.

    Tracks are cached (:func:`camera_track`). ``offsets`` puts the tracks on a
    given timeline instead of the one :func:`sync_offsets` finds in them.
    """
    cameras = demo_cameras(folder)
    raw = demo_tracks(folder, model)
    found = sync_offsets(fix_sides(raw, cameras), cameras) if offsets is None else tuple(offsets)
    tracks = aligned(raw, found)
    fixed = fix_sides(tracks, cameras)
    points = triangulate(fixed, cameras)
    return DemoReference(model, tuple(cameras), tuple(tracks), tuple(fixed), found, points)


@dataclass(frozen=True)
class PooledReference:
    """One skeleton triangulated from several pose models' tracks of the same cameras.

    ``references`` are the models' :class:`DemoReference`, all on the timeline
    ``offsets`` that :func:`pooled_sync_offsets` finds for their tracks
    together. Every camera contributes one view per model (each model's
    ``fixed`` tracks), so no model's own errors shape the reference more than
    another's; :meth:`leave_one_out` leaves out all views of one camera.
    """

    references: tuple[DemoReference, ...]
    offsets: tuple[int, ...]
    points: FloatArray

    @property
    def models(self) -> tuple[PoseModelName, ...]:
        """Return the pose models whose tracks make the reference."""
        return tuple(ref.model for ref in self.references)

    @property
    def cameras(self) -> tuple[Camera, ...]:
        """Return the cameras (each once)."""
        return self.references[0].cameras

    def _views(self, skip: str | None = None) -> tuple[list[KeypointTrack], list[Camera]]:
        tracks, cameras = [], []
        for ref in self.references:
            for track, camera in zip(ref.fixed, ref.cameras, strict=True):
                if camera.name != skip:
                    tracks.append(track)
                    cameras.append(camera)
        return tracks, cameras

    def leave_one_out(self, camera: int | str) -> FloatArray:
        """Return the skeleton triangulated without any model's view of one camera."""
        found = _camera_index(self.cameras, camera)
        assert found is not None
        return triangulate(*self._views(self.cameras[found].name))

    def reference(self, model: PoseModelName) -> DemoReference:
        """Return one model's :class:`DemoReference` on the pooled timeline."""
        for ref in self.references:
            if ref.model == model:
                return ref
        raise ValueError(f"model must be one of {list(self.models)}; got {model!r}")


def pooled_reference(folder: Path, models: Sequence[PoseModelName]) -> PooledReference:
    """Return the skeleton triangulated from every model's tracks of the demo (tracks cached)."""
    cameras = demo_cameras(folder)
    groups = [fix_sides(demo_tracks(folder, model), cameras) for model in models]
    offsets = pooled_sync_offsets(groups, cameras)
    references = tuple(demo_reference(folder, model, offsets=offsets) for model in models)
    pooled = PooledReference(references, offsets, np.empty((0, len(KEYPOINTS), 3)))
    return replace(pooled, points=triangulate(*pooled._views()))
