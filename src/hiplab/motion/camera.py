"""Where the camera stands relative to the subject's body, per frame: yaw, pitch and the view.

Conventions
-----------
* **Yaw** ``ψ`` (degrees, in (−180, 180]) is the direction of the camera seen
  from the subject's pelvis, in the horizontal plane: 0 in front of the
  subject (a frontal view), +90 at the subject's right side (the right side is
  near and the subject faces image right), −90 at the left side, ±180 behind.
  It is measured from the *pelvis* (the hip line), so a trunk that leans or
  twists does not move it, and from the hip line made horizontal, so pelvic
  obliquity does not either.
* **Pitch** ``θ`` (degrees) is how far the camera looks down at the subject
  (positive: camera above the hips looking down). A fixed camera is assumed,
  so pitch is one value per clip, given for every frame.
* **Body frame**: ``u`` up, ``r`` the subject's right (hip line made
  horizontal), ``a = u × r`` anterior. A camera at ``(ψ, θ)`` sees a
  segment ``s`` (body coordinates, orthographic near the subject) at image
  ``X = s_a sin ψ − s_r cos ψ`` (right) and
  ``Y = s_u cos θ − sin θ (s_a cos ψ + s_r sin ψ)`` (up)
  (:func:`image_axes`).
* **Sources**. With the pose model's metric 3-D pose (MediaPipe
  ``pose_world_landmarks``, camera axes: x right, y down, z away from the
  camera) the vertical comes from the frames where the body stands straight
  (ankles → shoulders) or, for a subject lying down, from the normal of the
  trunk and hip line; yaw from the hip line against the line of sight. Without
  one (OpenPose JSON) yaw comes from 2-D cues: the *horizontal* hip width
  against the clip's torso length gives ``|cos ψ|``, the toes and nose give the
  side, and which hip is at image left gives front or back; pitch is then
  unknown (0 ± :data:`PITCH_PRIOR_SD_DEG`). With both, the 2-D angle from the
  frontal axis (precise near a side view) and the 3-D yaw are fused by their
  uncertainties (:func:`fuse_yaw`).
* **Uncertainty**: each estimate carries a standard uncertainty (deg): the
  source's model error (calibrated on the four cameras of the Pose2Sim lab
  trial, ``benchmarks/camera_validation.py``) ⊕ the frame-to-frame scatter
  of the raw estimate around its smoothed value.
* **View** of a frame: the nearest of ``front`` (0), ``right_side`` (+90),
  ``back`` (180) and ``left_side`` (−90) when the yaw is within
  :data:`PURE_VIEW_DEG` of it, else ``oblique``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.keypoints import INDEX, KeypointTrack

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
FrameView = Literal["front", "right_side", "back", "left_side", "oblique", "unknown"]
Source = Literal["world", "image"]

PURE_VIEW_DEG = 20.0
"""A frame whose yaw is this close to a pure view (front, side, back) is classed as that view."""
WORLD_YAW_SD_DEG = 20.0
"""Error of yaw from the pose model's 3-D hip line: RMS 22.6° on the four cameras of the
Pose2Sim lab trial (per-camera median errors +8, +19, +17, −17°)."""
IMAGE_YAW_SD_DEG = 10.0
"""Error of the 2-D hip-width cue where it is best (near a side view)."""
WORLD_PITCH_SD_DEG = 7.0
"""Error of pitch from the pose model's 3-D vertical of straight legs: errors −2.6, +7.8,
+7.7, −4.8° on the four Pose2Sim cameras (RMS 6.2°)."""
PITCH_PRIOR_SD_DEG = 12.0
"""Uncertainty of pitch when nothing measures it (a phone held by hand is within ±12° of level)."""
UNKNOWN_YAW_SD_DEG = 25.0
"""Uncertainty of a yaw assumed (the view the task needs) where nothing measures it."""
FRONTAL_HIP_RATIO = 0.32
"""Horizontal hip width over the torso length of MediaPipe's hip keypoints seen from the
front: 0.26–0.33 (medians) on the four Pose2Sim cameras, corrected for their yaw."""
FRONTAL_HIP_RATIO_SD = 0.06
"""Spread of that ratio between people and poses."""
TORSO_PER_LEG_FLOOR = 0.55
"""Torso length per leg length (thigh + shank) at the low end of adults (the Pose2Sim
subject's triangulated skeleton: 0.70; hiplab's 3-D test figure: 0.57). The legs' length
times this is a floor under the torso length the hip width is compared with, so a trunk
leaning sideways for the whole clip (which shortens the torso in the picture) does not
make the camera look turned."""
MAX_OBLIQUITY_SHARE = 0.8
"""The most of the hip width its vertical part may take (a pelvic drop of ~53°)."""
UPRIGHT_STRAIGHTNESS = 0.97
"""Ankle-to-hip distance over thigh + shank length of a straight leg (the knee bent < ~28°)."""
MIN_SCORE = 0.5
SMOOTH_S = 0.25
"""Window of the yaw's smoothing: shorter than a turn of the body (about half a second)."""


@dataclass(frozen=True)
class CameraGeometry:
    """Per-frame yaw and pitch of the camera relative to the subject, with uncertainties."""

    yaw_deg: FloatArray
    yaw_sd_deg: FloatArray
    pitch_deg: FloatArray
    pitch_sd_deg: FloatArray
    source: Source

    @property
    def frames(self) -> int:
        """Return the number of frames."""
        return int(self.yaw_deg.shape[0])

    def views(self) -> list[FrameView]:
        """Return each frame's view (see the module conventions)."""
        return [frame_view(float(y)) for y in self.yaw_deg]

    def median_yaw(self) -> float:
        """Return the circular median yaw over the frames (NaN if none)."""
        return circular_median(self.yaw_deg)

    def filled(self, default_yaw: FloatArray) -> CameraGeometry:
        """Return a copy where frames without a yaw take ``default_yaw`` (± a wide uncertainty).

        Used when the body's orientation cannot be seen (no hips): the analysis
        then assumes the view it needs, with an uncertainty that says so.
        """
        missing = ~np.isfinite(self.yaw_deg)
        if not missing.any():
            return self
        return CameraGeometry(
            yaw_deg=np.where(missing, default_yaw, self.yaw_deg),
            yaw_sd_deg=np.where(missing, UNKNOWN_YAW_SD_DEG, self.yaw_sd_deg),
            pitch_deg=np.where(np.isfinite(self.pitch_deg), self.pitch_deg, 0.0),
            pitch_sd_deg=np.where(
                np.isfinite(self.pitch_sd_deg), self.pitch_sd_deg, PITCH_PRIOR_SD_DEG
            ),
            source=self.source,
        )

    def median_pitch(self) -> float:
        """Return the median pitch (NaN if none)."""
        finite = self.pitch_deg[np.isfinite(self.pitch_deg)]
        return float(np.median(finite)) if finite.size else math.nan


def frame_view(yaw: float) -> FrameView:
    """Return the view a yaw gives (see the module conventions).

    Examples
    --------
    >>> frame_view(85.0), frame_view(-170.0), frame_view(40.0)
    ('right_side', 'back', 'oblique')

    """
    if not math.isfinite(yaw):
        return "unknown"
    for centre, name in (
        (0.0, "front"),
        (90.0, "right_side"),
        (180.0, "back"),
        (-90.0, "left_side"),
    ):
        if abs(wrap_angle(yaw - centre)) <= PURE_VIEW_DEG:
            return name  # type: ignore[return-value]
    return "oblique"


def wrap_deg(angle: FloatArray) -> FloatArray:
    """Return angles wrapped into [−180, 180).

    Examples
    --------
    >>> wrap_deg(np.array([190.0, -180.0])).tolist()
    [-170.0, -180.0]

    """
    return np.asarray((np.asarray(angle) + 180.0) % 360.0 - 180.0, dtype=np.float64)


def wrap_angle(angle: float) -> float:
    """Return one angle wrapped into [−180, 180).

    Examples
    --------
    >>> wrap_angle(190.0)
    -170.0

    """
    return (angle + 180.0) % 360.0 - 180.0


def circular_mean(angles: FloatArray) -> float:
    """Return the circular mean of angles in degrees (NaN when none is finite)."""
    finite = angles[np.isfinite(angles)]
    if finite.size == 0:
        return math.nan
    rad = np.radians(finite)
    return float(np.degrees(np.arctan2(np.sin(rad).mean(), np.cos(rad).mean())))


def circular_median(angles: FloatArray) -> float:
    """Return the median of angles in degrees about their circular mean (NaN when none is finite).

    The angles are unwrapped to ±180° around the circular mean, so a few frames
    of a turn do not pull the result as they pull a mean, and a view near ±180°
    (from behind) does not split into two halves.

    Examples
    --------
    >>> round(circular_median(np.array([170.0, 175.0, -178.0, -175.0, 90.0])), 6)
    175.0

    """
    centre = circular_mean(angles)
    if math.isnan(centre):
        return math.nan
    finite = angles[np.isfinite(angles)]
    offset = float(np.median((finite - centre + 180.0) % 360.0 - 180.0))
    return (centre + offset + 180.0) % 360.0 - 180.0


def image_axes(yaw_deg: FloatArray, pitch_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the camera's image-right and image-up unit vectors in body coordinates ``(a, r, u)``.

    Shapes broadcast; the result has a trailing axis of 3.

    Examples
    --------
    >>> right, up = image_axes(np.array(90.0), np.array(0.0))
    >>> np.round(right, 6).tolist(), np.round(up, 6).tolist()
    ([1.0, -0.0, 0.0], [-0.0, -0.0, 1.0])

    """
    psi, theta = np.radians(yaw_deg), np.radians(pitch_deg)
    right = np.stack([np.sin(psi), -np.cos(psi), np.zeros_like(psi * theta)], axis=-1)
    up = np.stack(
        [-np.sin(theta) * np.cos(psi), -np.sin(theta) * np.sin(psi), np.cos(theta) + 0 * psi],
        axis=-1,
    )
    return right, up


# --- from the pose model's 3-D pose -------------------------------------------------------------


def _unit(v: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(v / np.linalg.norm(v, axis=-1, keepdims=True), dtype=np.float64)


def _world_point(track: KeypointTrack, name: str) -> FloatArray:
    assert track.world is not None
    xyz = track.world[:, INDEX[name]].copy()
    xyz[(track.score[:, INDEX[name]] < MIN_SCORE) | track.lost] = np.nan
    return np.asarray(xyz, dtype=np.float64)


def _mid_world(track: KeypointTrack, part: str) -> FloatArray:
    return 0.5 * (_world_point(track, f"left_{part}") + _world_point(track, f"right_{part}"))


def _leg_straightness(track: KeypointTrack) -> FloatArray:
    """Return per frame the ankle-to-hip distance over the summed thigh and shank lengths."""
    hip, knee, ankle = (_mid_world(track, part) for part in ("hip", "knee", "ankle"))
    chain = np.linalg.norm(knee - ankle, axis=-1) + np.linalg.norm(hip - knee, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.linalg.norm(hip - ankle, axis=-1) / chain, dtype=np.float64)


def world_vertical(track: KeypointTrack) -> tuple[FloatArray, float] | None:
    """Return the up direction in camera axes and its uncertainty (deg), or None.

    From the frames where the legs stand straight (mid-ankle → mid-hip: a trunk
    leaning sideways toward the camera would look like a tilted camera), or,
    when the subject never stands, from the normal of the trunk and hip line
    of the frames where the trunk lies level in the image (a subject lying on
    a table or the floor).
    """
    if track.world is None:
        return None
    hip, ankle = _mid_world(track, "hip"), _mid_world(track, "ankle")
    legs = _unit(hip - ankle)
    with np.errstate(invalid="ignore"):
        upright = (_leg_straightness(track) >= UPRIGHT_STRAIGHTNESS) & (legs[:, 1] < -0.7)
    if upright.sum() >= 3:
        return _median_direction(legs[upright], WORLD_PITCH_SD_DEG)
    shoulder = _mid_world(track, "shoulder")
    trunk = _unit(shoulder - hip)
    hips = _world_point(track, "right_hip") - _world_point(track, "left_hip")
    normal = _unit(np.cross(trunk, hips))
    normal = np.where(normal[:, 1:2] > 0, -normal, normal)  # y is down: up has y < 0
    with np.errstate(invalid="ignore"):
        lying = np.abs(trunk[:, 1]) < 0.5
    if lying.sum() >= 3:
        return _median_direction(normal[lying], 2 * WORLD_PITCH_SD_DEG)
    return None


def _median_direction(vectors: FloatArray, model_sd: float) -> tuple[FloatArray, float] | None:
    ok = np.isfinite(vectors).all(axis=1)
    if ok.sum() < 3:
        return None
    mean = _unit(np.median(vectors[ok], axis=0))
    spread = np.degrees(np.arccos(np.clip(vectors[ok] @ mean, -1.0, 1.0)))
    scatter = float(np.median(spread)) / math.sqrt(float(ok.sum()))
    return mean, math.hypot(model_sd, scatter)


def pitch_from_vertical(up: FloatArray) -> float:
    """Return the camera's downward pitch (deg) from the up direction in camera axes.

    Examples
    --------
    >>> t = np.radians(20.0)
    >>> round(pitch_from_vertical(np.array([0.0, -np.cos(t), -np.sin(t)])), 6)
    20.0

    """
    return float(-np.degrees(np.arcsin(np.clip(up[2], -1.0, 1.0))))


def world_yaw(track: KeypointTrack, up: FloatArray) -> FloatArray:
    """Return the raw per-frame yaw (deg) from the 3-D hip line; NaN where the hips are missing."""
    hips = _world_point(track, "right_hip") - _world_point(track, "left_hip")
    right = _unit(hips - (hips @ up)[:, None] * up)
    anterior = np.cross(up, right)
    toward = np.array([0.0, 0.0, -1.0])
    toward = _unit(toward - (toward @ up) * up)
    return np.asarray(np.degrees(np.arctan2(right @ toward, anterior @ toward)), dtype=np.float64)


# --- from 2-D cues --------------------------------------------------------------------------------


def _image_point(track: KeypointTrack, name: str) -> FloatArray:
    xy = track.point(name).copy()
    xy[(track.score[:, INDEX[name]] < MIN_SCORE) | track.lost] = np.nan
    return np.asarray(xy, dtype=np.float64)


def _distance(
    track: KeypointTrack, start: str | tuple[str, str], end: str | tuple[str, str]
) -> FloatArray:
    """Return per frame the picture distance between two keypoints (or midpoints of pairs)."""

    def point(name: str | tuple[str, str]) -> FloatArray:
        if isinstance(name, tuple):
            return 0.5 * (_image_point(track, name[0]) + _image_point(track, name[1]))
        return _image_point(track, name)

    return np.asarray(np.linalg.norm(point(end) - point(start), axis=1), dtype=np.float64)


def _percentile_90(values: FloatArray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.percentile(finite, 90)) if finite.size else math.nan


def reference_torso(track: KeypointTrack) -> float:
    """Return the clip's torso length in the picture, held up by the legs' length (pixels).

    The torso's 90th-percentile length, but at least :data:`TORSO_PER_LEG_FLOOR`
    times the legs' (thigh + shank, each its 90th percentile, mean of both sides):
    a trunk leaning sideways for the whole clip shortens the first, not the second.
    """
    shoulders, hips = ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")
    torso = _percentile_90(_distance(track, hips, shoulders))
    legs = [
        _percentile_90(_distance(track, f"{side}_hip", f"{side}_knee"))
        + _percentile_90(_distance(track, f"{side}_knee", f"{side}_ankle"))
        for side in ("left", "right")
    ]
    leg = float(np.nanmean(legs)) if np.isfinite(legs).any() else math.nan
    if not math.isfinite(leg):
        return torso
    return (
        max(torso, TORSO_PER_LEG_FLOOR * leg) if math.isfinite(torso) else TORSO_PER_LEG_FLOOR * leg
    )


def image_offset(track: KeypointTrack, pitch_deg: float = 0.0) -> tuple[FloatArray, FloatArray]:
    """Return per frame the camera's angle from the subject's frontal axis (0–90°) and its sd.

    From the hip line in the picture against the clip's torso length
    (:func:`reference_torso`): a hip width ``W`` (:data:`FRONTAL_HIP_RATIO` of
    it) dropped by a pelvic obliquity θ shows a vertical part ``dy = W sin θ``
    and a horizontal part ``dx = W cos θ |cos ψ|``, so
    ``|cos ψ| = dx / √(W² − dy²)`` — the drop is taken out, whichever the view.
    A camera looking down by ``pitch_deg`` also shows the hip line's depth part
    (about ``√(W² − dx²)``) as a vertical one, ``sin pitch`` of it; that share is
    not a drop and is taken off ``dy`` first. Near a side view the width is
    small and tells the angle well; near the front it changes little with the
    angle, and the sd grows.
    """
    left, right = _image_point(track, "left_hip"), _image_point(track, "right_hip")
    dx, dy = np.abs(left[:, 0] - right[:, 0]), np.abs(left[:, 1] - right[:, 1])
    width = FRONTAL_HIP_RATIO * reference_torso(track)
    depth_part = np.sqrt(np.clip(width**2 - dx**2, 0.0, None))
    drop = np.clip(dy - abs(math.sin(math.radians(pitch_deg))) * depth_part, 0.0, None)
    level = np.sqrt(width**2 - np.minimum(drop, MAX_OBLIQUITY_SHARE * width) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_abs = np.clip(dx / level, 0.0, 1.0)
    offset = np.degrees(np.arccos(cos_abs))
    # d|ψ| = d(ratio) / (R sin ψ): the spread of R between people, worst near the front.
    sin_term = np.maximum(np.sin(np.radians(offset)), 0.2)
    spread = np.degrees(FRONTAL_HIP_RATIO_SD / FRONTAL_HIP_RATIO * cos_abs / sin_term)
    return np.asarray(offset, dtype=np.float64), np.hypot(IMAGE_YAW_SD_DEG, spread)


def image_yaw(track: KeypointTrack) -> tuple[FloatArray, FloatArray]:
    """Return the raw per-frame yaw (deg) from 2-D cues alone and its uncertainty (deg).

    The angle from the frontal axis is :func:`image_offset`'s; the sign of
    ``sin ψ`` is the facing (toes, nose); the sign of ``cos ψ`` is front (the
    right hip at image left) or back.
    """
    from hiplab.motion.angles import facing_per_frame

    offset, sd = image_offset(track)
    facing = facing_per_frame(track)
    right_minus_left = (
        _image_point(track, "right_hip")[:, 0] - _image_point(track, "left_hip")[:, 0]
    )
    front = np.where(np.isfinite(right_minus_left), np.sign(-right_minus_left), 1.0)
    front = np.where(front == 0, 1.0, front)
    side = np.where(np.isfinite(facing), facing, 1.0)
    yaw = np.where(front > 0, offset, 180.0 - offset) * side
    return np.asarray(yaw, dtype=np.float64), sd


def fuse_yaw(
    world: FloatArray, world_sd: float, offset: FloatArray, offset_sd: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return per frame the inverse-variance fusion of the 3-D and the 2-D yaw, and its sd.

    The 2-D cue gives only the angle from the frontal axis; the 3-D yaw picks
    which of its four mirror images (front or back, left or right side) it is.
    Where either is missing the other is used alone.
    """
    candidates = np.stack([offset, -offset, 180.0 - offset, offset - 180.0])
    nearest = np.argmin(np.abs(wrap_deg(candidates - world[None, :])), axis=0)
    image = np.take_along_axis(candidates, nearest[None, :], axis=0)[0]
    w_world = np.where(np.isfinite(world), 1.0 / world_sd**2, 0.0)
    w_image = np.where(np.isfinite(image) & np.isfinite(offset_sd), 1.0 / offset_sd**2, 0.0)
    total = w_world + w_image
    sin = w_world * np.sin(np.radians(np.nan_to_num(world))) + w_image * np.sin(
        np.radians(np.nan_to_num(image))
    )
    cos = w_world * np.cos(np.radians(np.nan_to_num(world))) + w_image * np.cos(
        np.radians(np.nan_to_num(image))
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        fused = np.where(total > 0, np.degrees(np.arctan2(sin, cos)), np.nan)
        sd = np.where(total > 0, 1.0 / np.sqrt(total), np.nan)
    return np.asarray(fused, dtype=np.float64), np.asarray(sd, dtype=np.float64)


# --- smoothing and assembly -----------------------------------------------------------------------


def smooth_yaw(raw: FloatArray, *, window: int) -> tuple[FloatArray, FloatArray]:
    """Return the yaw smoothed by a centred moving median and the scatter around it (deg).

    A median keeps a real turn of the body sharp where a mean would smear it.
    The raw values are unwrapped first, so a yaw crossing ±180 is not a jump.
    The scatter is the window's median absolute deviation (as a standard
    deviation) over the square root of its size. Frames without a raw value
    take the nearest smoothed one (NaN if the clip has none).
    """
    n = raw.shape[0]
    ok = np.isfinite(raw)
    if not ok.any():
        return np.full(n, np.nan), np.full(n, np.nan)
    unwrapped = np.full(n, np.nan)
    unwrapped[ok] = np.unwrap(raw[ok], period=360.0)
    half = max(window, 1) // 2
    padded = np.concatenate([np.full(half, np.nan), unwrapped, np.full(half, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # windows without any value stay NaN
        median = np.nanmedian(windows, axis=1)
        spread = 1.4826 * np.nanmedian(np.abs(windows - median[:, None]), axis=1)
    count = np.isfinite(windows).sum(axis=1)
    scatter = spread / np.sqrt(np.maximum(count, 1))
    return _nearest_fill(wrap_deg(median)), _nearest_fill(scatter)


def _nearest_fill(values: FloatArray) -> FloatArray:
    ok = np.isfinite(values)
    if ok.all() or not ok.any():
        return values
    index = np.arange(values.shape[0])
    nearest = index[ok][np.clip(np.searchsorted(index[ok], index), 0, ok.sum() - 1)]
    before = index[ok][np.clip(np.searchsorted(index[ok], index) - 1, 0, ok.sum() - 1)]
    pick = np.where(np.abs(before - index) <= np.abs(nearest - index), before, nearest)
    return np.asarray(values[pick], dtype=np.float64)


def estimate_camera(track: KeypointTrack) -> CameraGeometry:
    """Return the camera's yaw and pitch per frame (see the module conventions)."""
    window = max(1, round(SMOOTH_S * track.fps)) if track.fps > 0 else 1
    n = track.frames
    vertical = world_vertical(track)
    if vertical is not None:
        up, pitch_sd = vertical
        offset, offset_sd = image_offset(track, pitch_from_vertical(up))
        raw, raw_sd = fuse_yaw(world_yaw(track, up), WORLD_YAW_SD_DEG, offset, offset_sd)
        yaw, scatter = smooth_yaw(raw, window=window)
        if np.isfinite(yaw).any():
            return CameraGeometry(
                yaw_deg=yaw,
                yaw_sd_deg=np.hypot(_nearest_fill(raw_sd), scatter),
                pitch_deg=np.full(n, pitch_from_vertical(up)),
                pitch_sd_deg=np.full(n, pitch_sd),
                source="world",
            )
    raw, model_sd = image_yaw(track)
    yaw, scatter = smooth_yaw(raw, window=window)
    return CameraGeometry(
        yaw_deg=yaw,
        yaw_sd_deg=np.hypot(_nearest_fill(np.where(np.isfinite(raw), model_sd, np.nan)), scatter),
        pitch_deg=np.zeros(n),
        pitch_sd_deg=np.full(n, PITCH_PRIOR_SD_DEG),
        source="image",
    )
