"""Synthetic keypoint captures with exact truth: planar stick figures built from set angles.

Conventions
-----------
* A figure is built in a y-up plane from joint angles in the conventions of
  :mod:`hiplab.motion.angles` (degrees, 0 = anatomical neutral, flexion and
  dorsiflexion positive), then placed in the image (pixels, y down) and
  rendered to a :class:`~hiplab.motion.keypoints.KeypointTrack` with Gaussian
  pixel noise, dropouts and optionally a distractor person.
* Segment lengths are fractions of stature for an adult (after Winter's
  anthropometric table): trunk (hip → shoulder) 0.288, thigh 0.245, shank
  0.246, foot (heel → toes) 0.152; ``Body.height_px`` sets the scale.
* Sagittal figures are built facing right and mirrored for ``facing="left"``;
  ``rotation`` turns the whole figure counter-clockwise (90 = supine with the
  head toward the back, i.e. at image left for ``facing="right"``). The truth
  is the set angle for joint angles, ``trunk_lean - rotation`` for the trunk,
  and the elevation of the rotated thigh for ``thigh_angle``.
* With ``anchor="feet"`` the lowest heel or toe point sits ``lift`` pixels
  above the floor and the ankles stay at one x; ``anchor="hip"`` pins the
  mid-hip.
* Frontal figures face the camera (subject's right at image left) unless
  ``toward_camera=False``; the truth is the set FPPA per side, the set pelvic
  drop (right side down positive, left = -right) and the lateral trunk lean.
* World points (``KeypointTrack.world``, as MediaPipe's metric 3-D pose): the
  image points in metres (``METRES_PER_STATURE`` over ``Body.height_px``) about
  the mid-hip, with the depth the planar figure implies: in a side view each
  side sits half a hip width nearer (the near side) or farther; in a front
  view the foreshortened thigh comes toward the camera by the length it lost,
  the shank goes back by its own, and the toes point at the camera (mirrored
  when the figure is seen from behind). They carry no noise.
* Scores: 0.95 on the near side and 0.8 on the far side in sagittal view, 0.9
  in frontal view; a dropout sets score 0 and NaN coordinates, a whole-subject
  dropout also marks the frames ``lost`` (the subject is then missing from the
  per-frame detections too).
* Every capture returns the truth as a :class:`~hiplab.motion.series.TimeSeries`
  with the same channel names as :func:`~hiplab.motion.angles.compute_angles`
  and the task events (``initial_contact``, ``peak_knee_flexion``,
  ``rep_start``/``bottom``/``rep_end``, ``pose_enter``/``pose_leave``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.angles import SIDES, Facing, Side, View
from hiplab.motion.keypoints import INDEX, KEYPOINTS, Detection, FramePoses, KeypointTrack
from hiplab.motion.series import TimeSeries

FloatArray = NDArray[np.float64]
Anchor = Literal["feet", "hip"]
Points = dict[str, FloatArray]
METRES_PER_STATURE = 1.75
GRAVITY = 9.81
NEAR_SCORE = 0.95
FAR_SCORE = 0.8
FRONTAL_SCORE = 0.9


@dataclass(frozen=True)
class Body:
    """Segment lengths as fractions of stature, and the stature in pixels."""

    height_px: float = 500.0
    trunk: float = 0.288
    thigh: float = 0.245
    shank: float = 0.246
    foot: float = 0.152
    heel_back: float = 0.039
    ankle_height: float = 0.039
    head: float = 0.11
    upper_arm: float = 0.186
    forearm: float = 0.146
    shoulder_width: float = 0.23
    hip_width: float = 0.17

    def px(self, fraction: float) -> float:
        """Return a stature fraction in pixels."""
        return fraction * self.height_px

    @property
    def px_per_metre(self) -> float:
        """Return the image scale for a 1.75 m adult."""
        return self.height_px / METRES_PER_STATURE


@dataclass(frozen=True)
class Dropout:
    """Frames ``[start, stop)`` where keypoints are missing (all of them: subject lost)."""

    start: int
    stop: int
    keypoints: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaptureOptions:
    """How a figure is filmed: frame rate and size, noise, dropouts, a distractor."""

    fps: float = 30.0
    width: int = 1280
    height: int = 720
    body: Body = field(default_factory=Body)
    noise_px: float = 1.0
    dropouts: tuple[Dropout, ...] = ()
    distractor: bool = False
    distractor_scale: float = 0.85
    seed: int = 0


@dataclass(frozen=True)
class SagittalPose:
    """Set angles per frame (degrees) of a sagittal figure; per-side arrays."""

    hip_flexion: Mapping[Side, FloatArray]
    knee_flexion: Mapping[Side, FloatArray]
    ankle_dorsiflexion: Mapping[Side, FloatArray]
    trunk_lean: FloatArray
    rotation: FloatArray

    @property
    def frames(self) -> int:
        """Return the number of frames."""
        return int(self.trunk_lean.shape[0])


@dataclass(frozen=True)
class FrontalPose:
    """Set angles per frame of a frontal figure; ``leg_scale`` foreshortens the legs."""

    fppa: Mapping[Side, FloatArray]
    pelvic_drop: FloatArray
    trunk_lateral_lean: FloatArray
    leg_scale: FloatArray
    stance_deg: float = 4.0

    @property
    def frames(self) -> int:
        """Return the number of frames."""
        return int(self.pelvic_drop.shape[0])


@dataclass(frozen=True)
class Capture:
    """A rendered synthetic capture and its exact truth."""

    track: KeypointTrack
    frames: tuple[FramePoses, ...]
    subject_slot: tuple[int | None, ...]
    truth: TimeSeries
    true_xy: FloatArray
    view: View
    facing: Facing | None
    parameters: Mapping[str, float]


# --- small helpers ------------------------------------------------------------------------------


def _dir(angle_deg: FloatArray | float) -> FloatArray:
    """Return unit vectors (y up) at ``angle_deg`` counter-clockwise from +x."""
    a = np.radians(np.asarray(angle_deg, dtype=np.float64))
    return np.stack([np.cos(a), np.sin(a)], axis=-1)


def _scale(fraction: float, body: Body, angle_deg: FloatArray) -> FloatArray:
    return body.px(fraction) * _dir(angle_deg)


def ramp(frames: int, knots: Sequence[tuple[int, float]]) -> FloatArray:
    """Return a curve through ``(frame, value)`` knots with cosine easing between them.

    Before the first knot and after the last the value is held.

    Examples
    --------
    >>> np.round(ramp(5, [(0, 0.0), (4, 2.0)]), 3).tolist()
    [0.0, 0.293, 1.0, 1.707, 2.0]

    """
    t = np.arange(frames, dtype=np.float64)
    out = np.full(frames, knots[0][1])
    for (f0, v0), (f1, v1) in pairwise(knots):
        inside = (t >= f0) & (t <= f1)
        u = (t[inside] - f0) / max(f1 - f0, 1)
        out[inside] = v0 + (v1 - v0) * 0.5 * (1 - np.cos(np.pi * u))
    out[t > knots[-1][0]] = knots[-1][1]
    return out


def grounded_hip_flexion(
    *, knee: FloatArray, ankle: FloatArray, trunk_lean: FloatArray, foot_pitch: FloatArray
) -> FloatArray:
    """Return the hip flexion that puts the foot at ``foot_pitch`` (0 flat, toes down negative).

    For an upright figure: foot angle = thigh − knee + 90 + ankle, thigh = −90 − trunk + hip.
    """
    return np.asarray(knee - ankle + trunk_lean + foot_pitch, dtype=np.float64)


def _both(values: FloatArray) -> dict[Side, FloatArray]:
    return {"right": values, "left": values.copy()}


def _wrap180(values: FloatArray) -> FloatArray:
    return np.asarray((values + 180.0) % 360.0 - 180.0, dtype=np.float64)


# --- figures ------------------------------------------------------------------------------------


def _sagittal_leg(pose: SagittalPose, body: Body, side: Side, hip: FloatArray) -> Points:
    thigh = -90.0 - pose.trunk_lean + pose.hip_flexion[side]
    shank = thigh - pose.knee_flexion[side]
    foot = shank + 90.0 + pose.ankle_dorsiflexion[side]
    knee = hip + _scale(body.thigh, body, thigh)
    ankle = knee + _scale(body.shank, body, shank)
    heel = ankle - _scale(body.heel_back, body, foot) + _scale(body.ankle_height, body, foot - 90)
    return {
        f"{side}_hip": hip,
        f"{side}_knee": knee,
        f"{side}_ankle": ankle,
        f"{side}_heel": heel,
        f"{side}_foot_index": heel + _scale(body.foot, body, foot),
    }


def sagittal_points(pose: SagittalPose, body: Body, *, yaw_deg: float = 8.0) -> Points:
    """Return y-up keypoints of a figure facing right, mid-hip at the origin.

    ``yaw_deg`` turns the body slightly out of the plane so left and right
    points do not coincide (the right side is shifted forward).
    """
    up = 90.0 - pose.trunk_lean
    points: Points = {}
    for side in SIDES:
        shift = 1.0 if side == "right" else -1.0
        offset = _dir(0.0) * shift * np.sin(np.radians(yaw_deg))
        hip = np.broadcast_to(offset * body.px(body.hip_width) / 2, (pose.frames, 2)).copy()
        points |= _sagittal_leg(pose, body, side, hip)
        shoulder = hip + _scale(body.trunk, body, up)
        elbow = shoulder + _scale(body.upper_arm, body, up - 180 + 20)
        points |= {
            f"{side}_shoulder": shoulder,
            f"{side}_elbow": elbow,
            f"{side}_wrist": elbow + _scale(body.forearm, body, up - 180 + 60),
        }
    mid_shoulder = 0.5 * (points["left_shoulder"] + points["right_shoulder"])
    points["nose"] = mid_shoulder + _scale(body.head, body, up - 20)
    return _rotate(points, pose.rotation)


def _rotate(points: Points, rotation_deg: FloatArray) -> Points:
    c, s = np.cos(np.radians(rotation_deg)), np.sin(np.radians(rotation_deg))
    return {
        name: np.stack([c * p[:, 0] - s * p[:, 1], s * p[:, 0] + c * p[:, 1]], axis=-1)
        for name, p in points.items()
    }


def _frontal_leg(pose: FrontalPose, body: Body, side: Side, hip: FloatArray) -> Points:
    medial = 1.0 if side == "right" else -1.0  # facing the camera: right side at image left
    fppa = pose.fppa[side]
    thigh = -90.0 + medial * (fppa / 2 - pose.stance_deg)
    shank = thigh - medial * fppa
    scale = pose.leg_scale[:, None]
    knee = hip + scale * _scale(body.thigh, body, thigh)
    ankle = knee + scale * _scale(body.shank, body, shank)
    heel = ankle + np.array([0.0, -body.px(body.ankle_height)])
    toe = ankle + np.array([-medial * body.px(0.03), -body.px(body.ankle_height + 0.01)])
    return {
        f"{side}_hip": hip,
        f"{side}_knee": knee,
        f"{side}_ankle": ankle,
        f"{side}_heel": heel,
        f"{side}_foot_index": toe,
    }


def frontal_points(pose: FrontalPose, body: Body) -> Points:
    """Return y-up keypoints of a figure facing the camera, mid-hip at the origin."""
    drop = np.radians(pose.pelvic_drop)[:, None]
    half = body.px(body.hip_width) / 2
    tilt = np.concatenate([np.cos(drop), np.sin(drop)], axis=1)
    hips: dict[Side, FloatArray] = {"right": -half * tilt, "left": half * tilt}
    up = 90.0 + pose.trunk_lateral_lean
    mid_shoulder = _scale(body.trunk, body, up)
    points: Points = {"nose": mid_shoulder + _scale(body.head, body, up)}
    for side in SIDES:
        lateral = 180.0 if side == "right" else 0.0
        points |= _frontal_leg(pose, body, side, hips[side])
        shoulder = mid_shoulder + _scale(body.shoulder_width / 2, body, up - 90 + lateral)
        elbow = shoulder + _scale(body.upper_arm, body, up - 180 + (5 if lateral else -5))
        points |= {
            f"{side}_shoulder": shoulder,
            f"{side}_elbow": elbow,
            f"{side}_wrist": elbow + _scale(body.forearm, body, up - 180),
        }
    return points


# --- placement and rendering --------------------------------------------------------------------


def _place(
    points: Points, options: CaptureOptions, *, anchor: Anchor, lift: FloatArray
) -> FloatArray:
    """Return (N, K, 2) image pixels (y down) of y-up points."""
    xy = np.stack([points[name] for name in KEYPOINTS], axis=1)
    feet = [INDEX[f"{s}_{p}"] for s in ("left", "right") for p in ("heel", "foot_index")]
    ankles = [INDEX["left_ankle"], INDEX["right_ankle"]]
    if anchor == "feet":
        tx = 0.5 * options.width - xy[:, ankles, 0].mean(axis=1)
        ty = -0.92 * options.height + lift - xy[:, feet, 1].min(axis=1)
    else:
        tx = np.full(xy.shape[0], 0.45 * options.width)
        ty = np.full(xy.shape[0], -0.45 * options.height)
    xy = xy + np.stack([tx, ty], axis=-1)[:, None, :]
    return np.stack([xy[..., 0], -xy[..., 1]], axis=-1)


def _mirror_x(points: Points) -> Points:
    return {name: p * np.array([-1.0, 1.0]) for name, p in points.items()}


def _scores(n: int, view: View, near: Side, rng: np.random.Generator) -> FloatArray:
    base = np.full(len(KEYPOINTS), FRONTAL_SCORE)
    if view == "sagittal":
        far = "left" if near == "right" else "right"
        base = np.array(
            [FAR_SCORE if k.startswith(far) else NEAR_SCORE for k in KEYPOINTS], dtype=np.float64
        )
    jitter = rng.uniform(-0.03, 0.03, (n, len(KEYPOINTS)))
    return np.asarray(np.clip(base + jitter, 0.0, 1.0), dtype=np.float64)


def sagittal_depth(body: Body, near: Side, frames: int) -> Points:
    """Return per keypoint the depth (pixels, away from the camera) of a side-view figure."""
    half = body.px(body.hip_width) / 2
    depth: Points = {}
    for name in KEYPOINTS:
        side = name.split("_", 1)[0]
        z = 0.0 if side not in SIDES else (-half if side == near else half)
        depth[name] = np.full(frames, z)
    return depth


def frontal_depth(pose: FrontalPose, body: Body, *, toward_camera: bool) -> Points:
    """Return per keypoint the depth (pixels, away from the camera) of a front-view figure."""
    toward = -1.0 if toward_camera else 1.0  # the subject's front is nearer when facing us
    lost = np.sqrt(np.clip(1.0 - pose.leg_scale**2, 0.0, 1.0))
    zero = np.zeros(pose.frames)
    depth: Points = {name: zero for name in KEYPOINTS}
    for side in SIDES:
        knee = toward * lost * body.px(body.thigh)
        ankle = knee - toward * lost * body.px(body.shank)
        depth |= {
            f"{side}_knee": knee,
            f"{side}_ankle": ankle,
            f"{side}_heel": ankle - toward * body.px(body.heel_back),
            f"{side}_foot_index": ankle + toward * body.px(body.foot - body.heel_back),
        }
    return depth


def world_points(true_xy: FloatArray, depth: Points, body: Body) -> FloatArray:
    """Return (N, K, 3) metres about the mid-hip, camera axes (x right, y down, z away)."""
    mid_hip = 0.5 * (true_xy[:, INDEX["left_hip"]] + true_xy[:, INDEX["right_hip"]])
    z = np.stack([depth[name] for name in KEYPOINTS], axis=1)
    xyz = np.concatenate([true_xy - mid_hip[:, None, :], z[..., None]], axis=-1)
    return np.asarray(xyz * METRES_PER_STATURE / body.height_px, dtype=np.float64)


def _render(
    true_xy: FloatArray,
    options: CaptureOptions,
    *,
    view: View,
    near: Side,
    world: FloatArray | None = None,
) -> tuple[KeypointTrack, np.random.Generator]:
    rng = np.random.default_rng(options.seed)
    n = true_xy.shape[0]
    xy = true_xy + rng.normal(0.0, options.noise_px, true_xy.shape)
    score = _scores(n, view, near, rng)
    lost = np.zeros(n, dtype=bool)
    for drop in options.dropouts:
        frames = slice(drop.start, drop.stop)
        if drop.keypoints:
            columns = [INDEX[k] for k in drop.keypoints]
            xy[frames, columns] = np.nan
            score[frames, columns] = 0.0
        else:
            xy[frames], score[frames], lost[frames] = np.nan, 0.0, True
    if world is not None:
        world = np.where(np.isfinite(xy).all(axis=-1)[..., None], world, np.nan)
    track = KeypointTrack(
        fps=options.fps,
        width=options.width,
        height=options.height,
        xy=xy,
        score=score,
        lost=lost,
        source="synthetic",
        world=world,
    )
    return track, rng


def _distractor(n: int, options: CaptureOptions) -> FloatArray:
    """Return (N, K, 2) pixels of a person walking across the frame, past the subject.

    Their stature is ``distractor_scale`` times the subject's (larger than 1 makes the
    distractor the biggest person in view).
    """
    t = np.arange(n) / options.fps
    swing = 25.0 * np.sin(2 * np.pi * 0.9 * t)
    pose = SagittalPose(
        hip_flexion={"right": swing, "left": -swing},
        knee_flexion={
            "right": 10 + 20 * np.clip(np.sin(2 * np.pi * 0.9 * t), 0, None),
            "left": 10 + 20 * np.clip(-np.sin(2 * np.pi * 0.9 * t), 0, None),
        },
        ankle_dorsiflexion=_both(np.zeros(n)),
        trunk_lean=np.full(n, 3.0),
        rotation=np.zeros(n),
    )
    body = Body(height_px=options.distractor_scale * options.body.height_px)
    xy = _place(sagittal_points(pose, body), options, anchor="feet", lift=np.zeros(n))
    walk = np.linspace(-0.35, 0.35, n) * options.width
    shift = np.stack([walk, np.full(n, -0.02 * options.height)], axis=-1)
    return np.asarray(xy + shift[:, None, :], dtype=np.float64)


def _frame_poses(
    track: KeypointTrack, options: CaptureOptions, rng: np.random.Generator
) -> tuple[tuple[FramePoses, ...], tuple[int | None, ...]]:
    """Return per-frame detections (subject, distractor in random order) and the subject slot."""
    other = _distractor(track.frames, options) if options.distractor else None
    frames: list[FramePoses] = []
    slots: list[int | None] = []
    for i in range(track.frames):
        people: list[Detection] = []
        slot: int | None = None
        if not track.lost[i]:
            world = None if track.world is None else track.world[i].copy()
            people.append(
                Detection(xy=track.xy[i].copy(), score=track.score[i].copy(), world=world)
            )
            slot = 0
        if other is not None:
            noisy = other[i] + rng.normal(0.0, options.noise_px, other[i].shape)
            at = int(rng.integers(0, len(people) + 1))
            people.insert(at, Detection(xy=noisy, score=np.full(len(KEYPOINTS), 0.9)))
            slot = None if slot is None else (1 if at == 0 else 0)
        slots.append(slot)
        frames.append(FramePoses(index=i, time_s=float(track.time_s[i]), people=tuple(people)))
    return tuple(frames), tuple(slots)


def _capture(
    true_xy: FloatArray,
    truth: TimeSeries,
    options: CaptureOptions,
    *,
    view: View,
    facing: Facing | None,
    parameters: Mapping[str, float],
    depth: Points | None = None,
) -> Capture:
    near: Side = "left" if facing == "left" else "right"
    world = None if depth is None else world_points(true_xy, depth, options.body)
    track, rng = _render(true_xy, options, view=view, near=near, world=world)
    frames, slots = _frame_poses(track, options, rng)
    return Capture(
        track=track,
        frames=frames,
        subject_slot=slots,
        truth=truth,
        true_xy=true_xy,
        view=view,
        facing=facing,
        parameters=dict(parameters),
    )


# --- truth --------------------------------------------------------------------------------------


def _truth_series(
    channels: Mapping[str, FloatArray], options: CaptureOptions, events: Sequence[tuple[str, int]]
) -> TimeSeries:
    n = next(iter(channels.values())).shape[0]
    series = TimeSeries(time=np.arange(n, dtype=np.float64) / options.fps, fps=options.fps)
    for name, values in channels.items():
        series = series.with_channel(name, np.asarray(values, dtype=np.float64), "deg")
    for name, frame in events:
        series = series.with_event(name, frame)
    return series


def sagittal_truth(pose: SagittalPose) -> dict[str, FloatArray]:
    """Return the exact angle channels of a sagittal pose (see the module conventions)."""
    out: dict[str, FloatArray] = {"trunk_lean": _wrap180(pose.trunk_lean - pose.rotation)}
    for side in SIDES:
        thigh = _wrap180(-90.0 - pose.trunk_lean + pose.hip_flexion[side] + pose.rotation)
        elevation = np.where(np.abs(thigh) <= 90.0, thigh, np.sign(thigh) * 180.0 - thigh)
        out |= {
            f"{side}_hip_flexion": pose.hip_flexion[side],
            f"{side}_knee_flexion": pose.knee_flexion[side],
            f"{side}_ankle_dorsiflexion": pose.ankle_dorsiflexion[side],
            f"{side}_thigh_angle": np.asarray(elevation, dtype=np.float64),
        }
    return out


def frontal_truth(pose: FrontalPose) -> dict[str, FloatArray]:
    """Return the exact angle channels of a frontal pose."""
    out = {
        "right_knee_fppa": pose.fppa["right"],
        "left_knee_fppa": pose.fppa["left"],
        "right_pelvic_drop": pose.pelvic_drop,
        "left_pelvic_drop": -pose.pelvic_drop,
        "trunk_lateral_lean": pose.trunk_lateral_lean,
    }
    return out


def render_sagittal(
    pose: SagittalPose,
    options: CaptureOptions,
    *,
    facing: Facing = "right",
    anchor: Anchor = "feet",
    lift: FloatArray | None = None,
    events: Sequence[tuple[str, int]] = (),
    parameters: Mapping[str, float] | None = None,
) -> Capture:
    """Render a sagittal pose to a capture with its truth."""
    points = sagittal_points(pose, options.body)
    points = _mirror_x(points) if facing == "left" else points
    height = np.zeros(pose.frames) if lift is None else lift
    true_xy = _place(points, options, anchor=anchor, lift=height)
    truth = _truth_series(sagittal_truth(pose), options, events)
    near: Side = "left" if facing == "left" else "right"
    return _capture(
        true_xy,
        truth,
        options,
        view="sagittal",
        facing=facing,
        parameters=parameters or {},
        depth=sagittal_depth(options.body, near, pose.frames),
    )


def render_frontal(
    pose: FrontalPose,
    options: CaptureOptions,
    *,
    toward_camera: bool = True,
    lift: FloatArray | None = None,
    events: Sequence[tuple[str, int]] = (),
    parameters: Mapping[str, float] | None = None,
) -> Capture:
    """Render a frontal pose to a capture with its truth."""
    points = frontal_points(pose, options.body)
    points = points if toward_camera else _mirror_x(points)
    height = np.zeros(pose.frames) if lift is None else lift
    true_xy = _place(points, options, anchor="feet", lift=height)
    truth = _truth_series(frontal_truth(pose), options, events)
    return _capture(
        true_xy,
        truth,
        options,
        view="frontal",
        facing=None,
        parameters=parameters or {},
        depth=frontal_depth(pose, options.body, toward_camera=toward_camera),
    )


# --- scenarios ----------------------------------------------------------------------------------


def _frames(seconds: float, fps: float) -> int:
    return max(1, round(seconds * fps))


def squat(
    options: CaptureOptions | None = None,
    *,
    reps: int = 3,
    facing: Facing = "right",
    rep_s: float = 2.0,
    peak_knee: float = 110.0,
    peak_ankle: float = 30.0,
    peak_trunk: float = 40.0,
    heel_rise_deg: float = 0.0,
) -> Capture:
    """Return bodyweight squats in sagittal view, feet flat (heels rising by ``heel_rise_deg``).

    Events per rep: ``rep_start``, ``bottom`` (deepest frame), ``rep_end``.
    """
    options = options or CaptureOptions()
    rep = 2 * _frames(rep_s / 2, options.fps)
    still = _frames(0.5, options.fps)
    n = 2 * still + reps * rep
    phase = np.zeros(n)
    events: list[tuple[str, int]] = []
    for r in range(reps):
        start = still + r * rep
        phase[start : start + rep + 1] = 0.5 * (1 - np.cos(2 * np.pi * np.arange(rep + 1) / rep))
        events += [("rep_start", start), ("bottom", start + rep // 2), ("rep_end", start + rep)]
    knee, ankle = 3.0 + (peak_knee - 3.0) * phase, peak_ankle * phase
    trunk, pitch = 5.0 + (peak_trunk - 5.0) * phase, -heel_rise_deg * phase
    hip = grounded_hip_flexion(knee=knee, ankle=ankle, trunk_lean=trunk, foot_pitch=pitch)
    pose = SagittalPose(
        hip_flexion=_both(hip),
        knee_flexion=_both(knee),
        ankle_dorsiflexion=_both(ankle),
        trunk_lean=trunk,
        rotation=np.zeros(n),
    )
    parameters = {
        "peak_knee_flexion": peak_knee,
        "peak_ankle_dorsiflexion": peak_ankle,
        "peak_trunk_lean": peak_trunk,
        "peak_hip_flexion": float(hip.max()),
        "heel_rise_deg": heel_rise_deg,
    }
    return render_sagittal(pose, options, facing=facing, events=events, parameters=parameters)


@dataclass(frozen=True)
class LandingTiming:
    """Frames of a drop landing: ``contact`` (initial contact) and ``peak`` (knee flexion peak)."""

    frames: int
    contact: int
    peak: int
    settle: int
    lift: FloatArray


def landing_timing(
    options: CaptureOptions, *, contact_s: float = 0.4, peak_after_s: float = 0.15
) -> LandingTiming:
    """Return the timing of a drop from a 30 cm box: free fall, then contact at ``contact_s``."""
    n = _frames(contact_s + peak_after_s + 0.6, options.fps)
    contact = _frames(contact_s, options.fps)
    peak = contact + _frames(peak_after_s, options.fps)
    fall = np.clip(contact - np.arange(n), 0, None) / options.fps
    box = 0.30 * options.body.px_per_metre
    lift = np.minimum(box, 0.5 * GRAVITY * fall**2 * options.body.px_per_metre)
    return LandingTiming(
        frames=n, contact=contact, peak=peak, settle=peak + _frames(0.3, options.fps), lift=lift
    )


def landing_curve(
    timing: LandingTiming, *, start: float, contact: float, peak: float, settle: float
) -> FloatArray:
    """Return a joint curve: drift to ``contact``, quarter sine to ``peak``, ease to ``settle``.

    The curve is continuous with a kink at contact (the joint starts moving
    fast at impact) and a smooth maximum at ``timing.peak``.
    """
    f = np.arange(timing.frames, dtype=np.float64)
    out = start + (contact - start) * f / timing.contact
    rise = (f > timing.contact) & (f <= timing.peak)
    u = (f[rise] - timing.contact) / (timing.peak - timing.contact)
    out[rise] = contact + (peak - contact) * np.sin(0.5 * np.pi * u)
    after = f > timing.peak
    out[after] = ramp(timing.frames, [(timing.peak, peak), (timing.settle, settle)])[after]
    return np.asarray(out, dtype=np.float64)


BOX_M = 0.30
"""Height of the box of the drop landings (m)."""


def landing_events(timing: LandingTiming) -> list[tuple[str, int]]:
    """Return a drop landing's truth events: initial contact and peak knee flexion."""
    return [("initial_contact", timing.contact), ("peak_knee_flexion", timing.peak)]


def free_fall_lift(timing: LandingTiming, options: CaptureOptions) -> FloatArray:
    """Return the feet's height (px) in a free fall from the box that hits the floor at contact.

    Unlike ``timing.lift`` (the foot decelerating to rest at contact), the feet
    reach the floor at full speed (~2.4 m/s): a touch-down with an impact.
    """
    t = np.arange(timing.frames) / options.fps
    t_contact = timing.contact / options.fps
    t_drop = t_contact - math.sqrt(2 * BOX_M / GRAVITY)
    height = BOX_M - 0.5 * GRAVITY * np.clip(t - t_drop, 0.0, None) ** 2
    height = np.where(t >= t_contact, 0.0, np.clip(height, 0.0, BOX_M))
    return np.asarray(height * options.body.px_per_metre, dtype=np.float64)


def _landing_pose(
    timing: LandingTiming, fps: float, *, knee_at_contact: float, peak_knee: float
) -> SagittalPose:
    """Return a drop landing's joints: toes first (foot 30° toes down), heel down in 60 ms."""
    knee = landing_curve(timing, start=10.0, contact=knee_at_contact, peak=peak_knee, settle=40.0)
    ankle = landing_curve(timing, start=-30.0, contact=-25.0, peak=25.0, settle=10.0)
    trunk = landing_curve(timing, start=5.0, contact=8.0, peak=30.0, settle=15.0)
    heel_down = timing.contact + _frames(0.06, fps)
    pitch = ramp(timing.frames, [(timing.contact, -30.0), (heel_down, 0.0)])
    hip = grounded_hip_flexion(knee=knee, ankle=ankle, trunk_lean=trunk, foot_pitch=pitch)
    return SagittalPose(
        hip_flexion=_both(hip),
        knee_flexion=_both(knee),
        ankle_dorsiflexion=_both(ankle),
        trunk_lean=trunk,
        rotation=np.zeros(timing.frames),
    )


def drop_landing(
    options: CaptureOptions | None = None,
    *,
    facing: Facing = "right",
    knee_at_contact: float = 20.0,
    peak_knee: float = 85.0,
    peak_after_s: float = 0.15,
) -> Capture:
    """Return a sagittal drop landing with ``initial_contact`` and ``peak_knee_flexion`` events.

    Toes touch first (foot pitched 30° toes down) and the heel comes down within 60 ms.
    """
    options = options or CaptureOptions(fps=120.0)
    timing = landing_timing(options, peak_after_s=peak_after_s)
    pose = _landing_pose(timing, options.fps, knee_at_contact=knee_at_contact, peak_knee=peak_knee)
    hip = pose.hip_flexion["right"]
    parameters = {
        "knee_at_contact": knee_at_contact,
        "peak_knee_flexion": peak_knee,
        "hip_at_contact": float(hip[timing.contact]),
        "peak_hip_flexion": float(hip.max()),
        "time_to_peak_s": (timing.peak - timing.contact) / options.fps,
    }
    events = landing_events(timing)
    return render_sagittal(
        pose, options, facing=facing, lift=timing.lift, events=events, parameters=parameters
    )


def free_fall_landing(options: CaptureOptions, facing: Facing = "right") -> Capture:
    """Return :func:`drop_landing`'s joint curves with the feet in free fall until contact."""
    timing = landing_timing(options)
    pose = _landing_pose(timing, options.fps, knee_at_contact=20.0, peak_knee=85.0)
    lift = free_fall_lift(timing, options)
    return render_sagittal(pose, options, facing=facing, lift=lift, events=landing_events(timing))


def frontal_landing(
    options: CaptureOptions | None = None,
    *,
    peak_fppa: Mapping[Side, float] | None = None,
    toward_camera: bool = True,
    free_fall: bool = False,
) -> Capture:
    """Return a drop landing in frontal view with the knees going into valgus to ``peak_fppa``.

    ``free_fall`` drops the feet as :func:`free_fall_lift` does and records no
    parameters (the accuracy benchmark's frontal landing).
    """
    options = options or CaptureOptions(fps=120.0)
    peaks: dict[Side, float] = {"right": 12.0, "left": 8.0}
    peaks |= peak_fppa or {}
    timing = landing_timing(options)
    fppa = {
        side: landing_curve(timing, start=2.0, contact=3.0, peak=peaks[side], settle=6.0)
        for side in SIDES
    }
    knee = landing_curve(timing, start=10.0, contact=20.0, peak=85.0, settle=40.0)
    pose = FrontalPose(
        fppa=fppa,
        pelvic_drop=np.zeros(timing.frames),
        trunk_lateral_lean=np.zeros(timing.frames),
        leg_scale=1.0 - 0.25 * (knee - 10.0) / 75.0,
    )
    fppa_peaks = {"right_peak_fppa": peaks["right"], "left_peak_fppa": peaks["left"]}
    return render_frontal(
        pose,
        options,
        toward_camera=toward_camera,
        lift=free_fall_lift(timing, options) if free_fall else timing.lift,
        events=landing_events(timing),
        parameters={} if free_fall else fppa_peaks,
    )


def frontal_squat(
    options: CaptureOptions | None = None,
    *,
    reps: int = 2,
    peak_fppa: Mapping[Side, float] | None = None,
    peak_pelvic_drop: float = 5.0,
    toward_camera: bool = True,
) -> Capture:
    """Return squats in frontal view with set valgus (FPPA) and pelvic drop (right side down)."""
    options = options or CaptureOptions()
    peaks: dict[Side, float] = {"right": 12.0, "left": 4.0}
    peaks |= peak_fppa or {}
    rep, still = 2 * _frames(1.0, options.fps), _frames(0.5, options.fps)
    knots: list[tuple[int, float]] = [(0, 0.0)]
    events: list[tuple[str, int]] = []
    for r in range(reps):
        start = still + r * rep
        knots += [(start, 0.0), (start + rep // 2, 1.0), (start + rep, 0.0)]
        events += [("rep_start", start), ("bottom", start + rep // 2), ("rep_end", start + rep)]
    phase = ramp(2 * still + reps * rep, knots)
    pose = FrontalPose(
        fppa={side: peaks[side] * phase for side in SIDES},
        pelvic_drop=peak_pelvic_drop * phase,
        trunk_lateral_lean=3.0 * phase,
        leg_scale=1.0 - 0.3 * phase,
    )
    parameters = {
        "right_peak_fppa": peaks["right"],
        "left_peak_fppa": peaks["left"],
        "peak_pelvic_drop": peak_pelvic_drop,
    }
    return render_frontal(
        pose, options, toward_camera=toward_camera, events=events, parameters=parameters
    )


def thomas_test(
    options: CaptureOptions | None = None,
    *,
    side: Side = "right",
    thigh_angle: float = -10.0,
    knee_flexion: float = 80.0,
    facing: Facing = "right",
    seconds: float = 3.0,
) -> Capture:
    """Return a modified Thomas test: supine at a table edge, ``side`` leg hanging, other hugged.

    The hanging thigh sways ±1° around ``thigh_angle`` (negative = below the
    horizontal); the truth follows the sway exactly.
    """
    options = options or CaptureOptions()
    n = _frames(seconds, options.fps)
    sway = np.sin(2 * np.pi * 0.3 * np.arange(n) / options.fps)
    other: Side = "left" if side == "right" else "right"
    rotation, trunk = np.full(n, 90.0), np.zeros(n)
    hanging_hip = thigh_angle + sway + 90.0 + trunk - rotation
    pose = SagittalPose(
        hip_flexion={side: hanging_hip, other: np.full(n, 125.0)},
        knee_flexion={side: knee_flexion - 0.5 * sway, other: np.full(n, 130.0)},
        ankle_dorsiflexion={side: np.full(n, -15.0), other: np.zeros(n)},
        trunk_lean=trunk,
        rotation=rotation,
    )
    parameters = {"thigh_angle": thigh_angle, "knee_flexion": knee_flexion}
    return render_sagittal(pose, options, facing=facing, anchor="hip", parameters=parameters)


HOLD_PLAN: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (1.0, 0.0),
    (2.0, 1.0),
    (6.0, 1.0),
    (7.0, 0.4),
    (8.0, 0.4),
    (9.0, 1.0),
    (12.0, 1.0),
    (13.0, 0.0),
    (14.0, 0.0),
)
HOLD_EVENTS: tuple[tuple[str, float], ...] = (
    ("pose_enter", 2.0),
    ("pose_leave", 6.0),
    ("pose_enter", 9.0),
    ("pose_leave", 12.0),
)


def hold(
    options: CaptureOptions | None = None,
    *,
    facing: Facing = "right",
    target_knee: float = 90.0,
    target_ankle: float = 20.0,
    target_trunk: float = 25.0,
) -> Capture:
    """Return a squat hold that is entered, left halfway, re-entered and left.

    Events ``pose_enter``/``pose_leave`` mark the frames where the set angles
    reach and leave the target (the knee sways ±1.5° while held); ``parameters``
    holds the targets and the held seconds (7 s).
    """
    options = options or CaptureOptions()
    fps = options.fps
    n = _frames(HOLD_PLAN[-1][0], fps)
    phase = ramp(n, [(round(t * fps), v) for t, v in HOLD_PLAN])
    frame = np.arange(n)
    enter = [round(t * fps) for name, t in HOLD_EVENTS if name == "pose_enter"]
    leave = [round(t * fps) for name, t in HOLD_EVENTS if name == "pose_leave"]
    held = np.zeros(n, dtype=bool)
    for a, b in zip(enter, leave, strict=True):
        held |= (frame >= a) & (frame <= b)
    sway = 1.5 * np.sin(np.pi * 0.8 * frame / fps) * held
    knee, ankle = 3.0 + (target_knee - 3.0) * phase + sway, target_ankle * phase
    trunk = 5.0 + (target_trunk - 5.0) * phase
    hip = grounded_hip_flexion(knee=knee, ankle=ankle, trunk_lean=trunk, foot_pitch=np.zeros(n))
    pose = SagittalPose(
        hip_flexion=_both(hip),
        knee_flexion=_both(knee),
        ankle_dorsiflexion=_both(ankle),
        trunk_lean=trunk,
        rotation=np.zeros(n),
    )
    parameters = {
        "target_knee_flexion": target_knee,
        "target_ankle_dorsiflexion": target_ankle,
        "target_trunk_lean": target_trunk,
        "target_hip_flexion": target_knee - target_ankle + target_trunk,
        "held_s": sum(b - a for a, b in zip(enter, leave, strict=True)) / fps,
    }
    events = [(name, round(t * fps)) for name, t in HOLD_EVENTS]
    return render_sagittal(pose, options, facing=facing, events=events, parameters=parameters)


# --- tools for tests and benchmarks -------------------------------------------------------------


def burst_dropouts(
    frames: int, fps: float, *, seed: int, fraction: float = 0.05
) -> tuple[Dropout, ...]:
    """Return per-keypoint dropouts in bursts of 1–3 frames at 30 fps (33–100 ms).

    Bursts are drawn (seeded by ``10_000 + seed``) for each keypoint until
    ``fraction`` of its frames are missing; the accuracy benchmark's capture
    condition and the regression tests that rebuild its failures use this draw.
    """
    rng = np.random.default_rng(10_000 + seed)
    unit = max(1, round(fps / 30.0))
    out: list[Dropout] = []
    for name in KEYPOINTS:
        missing = np.zeros(frames, dtype=bool)
        while missing.mean() < fraction:
            length = int(rng.integers(1, 4)) * unit
            start = int(rng.integers(0, max(1, frames - length)))
            missing[start : start + length] = True
        edges = np.flatnonzero(np.diff(np.concatenate(([0], missing.astype(int), [0]))))
        out += [
            Dropout(int(a), int(b), (name,)) for a, b in zip(edges[::2], edges[1::2], strict=True)
        ]
    return tuple(out)


def mirror_track(track: KeypointTrack) -> KeypointTrack:
    """Return the track mirrored left-right in the image, with left/right keypoints swapped."""
    order = [INDEX[_swap(name)] for name in KEYPOINTS]
    xy = track.xy[:, order].copy()
    xy[..., 0] = track.width - xy[..., 0]
    world = None if track.world is None else track.world[:, order].copy()
    if world is not None:
        world[..., 0] = -world[..., 0]
    return KeypointTrack(
        fps=track.fps,
        width=track.width,
        height=track.height,
        xy=xy,
        score=track.score[:, order].copy(),
        lost=track.lost.copy(),
        time_s=track.time_s.copy(),
        source=track.source,
        world=world,
    )


def _swap(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[5:]
    if name.startswith("right_"):
        return "left_" + name[6:]
    return name


def mean_absolute_errors(measured: TimeSeries, truth: TimeSeries) -> dict[str, float]:
    """Return the mean absolute error per truth channel over the measured valid samples."""
    out: dict[str, float] = {}
    for name in truth.data:
        if name not in measured.data:
            continue
        error = measured.channel(name) - truth.channel(name)
        finite = error[np.isfinite(error)]
        out[name] = float(np.mean(np.abs(finite))) if finite.size else float("nan")
    return out


def accuracy_scenarios(noise_px: float = 1.0, seed: int = 0) -> dict[str, Capture]:
    """Return the synthetic captures :func:`accuracy_report` measures."""
    slow = CaptureOptions(fps=30.0, noise_px=noise_px, seed=seed)
    fast = CaptureOptions(fps=120.0, noise_px=noise_px, seed=seed)
    return {
        "squat_sagittal_30fps": squat(slow),
        "landing_sagittal_120fps": drop_landing(fast),
        "thomas_sagittal_30fps": thomas_test(slow),
        "hold_sagittal_30fps": hold(slow, facing="left"),
        "squat_frontal_30fps": frontal_squat(slow),
        "landing_frontal_120fps": frontal_landing(fast),
    }


def accuracy_report(noise_px: float = 1.0, seed: int = 0) -> dict[str, dict[str, float]]:
    """Run the full kinematics on synthetic tasks; return scenario → channel → MAE (deg).

    Each capture goes through :func:`hiplab.motion.kinematics.track_to_series`
    (gap fill, low-pass, angles) in its own view; errors are over valid samples.
    """
    from hiplab.motion.kinematics import track_to_series

    report: dict[str, dict[str, float]] = {}
    for name, capture in accuracy_scenarios(noise_px, seed).items():
        series, _ = track_to_series(capture.track, view=capture.view)
        report[name] = mean_absolute_errors(series, capture.truth)
    return report


def standing(options: CaptureOptions | None = None, *, seconds: float = 6.0) -> Capture:
    """Return a side view of a person standing still (hips 5°, knees 3°, trunk 2°)."""
    options = options or CaptureOptions()
    n = round(seconds * options.fps)
    pose = SagittalPose(
        hip_flexion={"right": np.full(n, 5.0), "left": np.full(n, 5.0)},
        knee_flexion={"right": np.full(n, 3.0), "left": np.full(n, 3.0)},
        ankle_dorsiflexion={"right": np.zeros(n), "left": np.zeros(n)},
        trunk_lean=np.full(n, 2.0),
        rotation=np.zeros(n),
    )
    return render_sagittal(pose, options)


def walking(options: CaptureOptions | None = None, *, seconds: float = 5.0) -> Capture:
    """Return a side view of a walk across the frame at 1.3 m/s (hips ±25°, swing knee to 60°)."""
    options = options or CaptureOptions()
    n = round(seconds * options.fps)
    swing = np.sin(2 * np.pi * 0.9 * np.arange(n) / options.fps)
    pose = SagittalPose(
        hip_flexion={"right": 25 * swing, "left": -25 * swing},
        knee_flexion={
            "right": 5 + 55 * np.clip(swing, 0, None),
            "left": 5 + 55 * np.clip(-swing, 0, None),
        },
        ankle_dorsiflexion={"right": np.zeros(n), "left": np.zeros(n)},
        trunk_lean=np.full(n, 3.0),
        rotation=np.zeros(n),
    )
    capture = render_sagittal(pose, options)
    step = 1.3 * options.body.px_per_metre / options.fps
    xy = capture.track.xy.copy()
    xy[..., 0] += (step * (np.arange(n) - n / 2))[:, None]
    return replace(capture, track=replace(capture.track, xy=xy))
