"""A 3-D stick figure at set joint angles, filmed by an orthographic camera at a set yaw and pitch.

Conventions
-----------
* The figure is built in its own body axes ``a`` (anterior), ``r`` (the
  subject's right) and ``u`` (up), then placed in a right-handed world with z
  up, facing ``heading_deg`` (0: anterior along world +x; the right is then
  world −y, since ``a = u × r``).
* Angles (degrees, arrays over frames, per side where named): ``thigh_forward``
  swings the thigh forward from hanging straight down, ``thigh_lateral`` tilts
  it out to its own side, ``knee_flexion`` turns the shank back from the thigh
  line, ``shank_lateral`` tilts the shank out to its own side, ``foot_pitch``
  turns the foot (heel → toes) toes-down from the horizontal, ``trunk_forward``
  and ``trunk_side`` (toward the subject's right) lean the trunk, and
  ``pelvic_drop`` lowers the right hip (the hip line turns about the mid-hip).
* Proportions: the hip width over the torso length (mid-hip → mid-shoulder) is
  :data:`hiplab.motion.camera.FRONTAL_HIP_RATIO`, so the 2-D hip-width cue is
  exact for this figure at pitch 0.
* :func:`film` is an orthographic camera (:data:`PX_PER_M` pixels per metre)
  at yaw ``ψ`` and pitch ``θ`` from the subject's heading, in the conventions
  of :mod:`hiplab.motion.camera`: the camera sits along
  ``cos θ (cos ψ a + sin ψ r) + sin θ u`` from the mid-hip and looks back at
  it; image x right, y down. The track's ``world`` is MediaPipe's
  ``pose_world_landmarks`` for that camera: metres about the mid-hip in camera
  axes (x right, y down, z away from the camera).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.angles import Side
from hiplab.motion.camera import FRONTAL_HIP_RATIO
from hiplab.motion.keypoints import INDEX, KEYPOINTS, KeypointTrack

FloatArray = NDArray[np.float64]
PX_PER_M = 400.0
TRUNK_M = 0.5
HIP_HALF_M = 0.5 * FRONTAL_HIP_RATIO * TRUNK_M
SHOULDER_HALF_M = 0.18
THIGH_M = 0.45
SHANK_M = 0.43
HEEL_BACK_M = 0.05
FOOT_M = 0.2
FPS = 30.0


def _deg(value: FloatArray | float, frames: int) -> FloatArray:
    return np.radians(np.broadcast_to(np.asarray(value, dtype=np.float64), (frames,)))


Angle = FloatArray | float
SidedAngle = FloatArray | float | Mapping[Side, FloatArray | float]


def _sided(value: SidedAngle, side: Side, frames: int) -> FloatArray:
    return _deg(value[side] if isinstance(value, Mapping) else value, frames)


@dataclass(frozen=True)
class Pose:
    """Set angles of the figure (degrees; see the module conventions)."""

    frames: int
    thigh_forward: SidedAngle = 0.0
    thigh_lateral: SidedAngle = 0.0
    knee_flexion: SidedAngle = 0.0
    shank_lateral: SidedAngle = 0.0
    foot_pitch: SidedAngle = 0.0
    trunk_forward: Angle = 0.0
    trunk_side: Angle = 0.0
    pelvic_drop: Angle = 0.0
    supine: bool = False


def _body_points(pose: Pose) -> FloatArray:
    """Return (frames, K, 3) points in body axes ``(a, r, u)``, metres, mid-hip at the origin."""
    n = pose.frames
    zero, one = np.zeros(n), np.ones(n)

    def vec(a: FloatArray, r: FloatArray, u: FloatArray) -> FloatArray:
        return np.stack([a * one, r * one, u * one], axis=-1)

    drop = _deg(pose.pelvic_drop, n)
    hip_axis = vec(zero, np.cos(drop), -np.sin(drop))
    fwd, side = _deg(pose.trunk_forward, n), _deg(pose.trunk_side, n)
    trunk = vec(np.sin(fwd), np.cos(fwd) * np.sin(side), np.cos(fwd) * np.cos(side))
    shoulder_axis = vec(zero, np.cos(side), -np.sin(side))
    mid_shoulder = TRUNK_M * trunk
    points: dict[str, FloatArray] = {
        "nose": mid_shoulder + 0.22 * trunk + vec(0.1 * one, zero, zero)
    }
    for s, sign in (("right", 1.0), ("left", -1.0)):
        hip = sign * HIP_HALF_M * hip_axis
        shoulder = mid_shoulder + sign * SHOULDER_HALF_M * shoulder_axis
        flex = _sided(pose.thigh_forward, s, n)
        lat = _sided(pose.thigh_lateral, s, n)
        thigh = vec(np.sin(flex), sign * np.cos(flex) * np.sin(lat), -np.cos(flex) * np.cos(lat))
        knee = hip + THIGH_M * thigh
        shank_tilt = flex - _sided(pose.knee_flexion, s, n)
        slat = _sided(pose.shank_lateral, s, n)
        shank = vec(
            np.sin(shank_tilt),
            sign * np.cos(shank_tilt) * np.sin(slat),
            -np.cos(shank_tilt) * np.cos(slat),
        )
        ankle = knee + SHANK_M * shank
        toes = _sided(pose.foot_pitch, s, n)
        foot = vec(np.cos(toes), zero, -np.sin(toes))
        heel = ankle - HEEL_BACK_M * foot + vec(zero, zero, -0.05 * one)
        points |= {
            f"{s}_hip": hip,
            f"{s}_shoulder": shoulder,
            f"{s}_elbow": shoulder + vec(zero, 0.03 * sign * one, -0.3 * one),
            f"{s}_wrist": shoulder + vec(0.05 * one, 0.04 * sign * one, -0.55 * one),
            f"{s}_knee": knee,
            f"{s}_ankle": ankle,
            f"{s}_heel": heel,
            f"{s}_foot_index": heel + FOOT_M * foot,
        }
    return np.stack([points[name] for name in KEYPOINTS], axis=1)


@dataclass(frozen=True)
class Figure:
    """World points ``(N, K, 3)`` (z up) and the body axes used to place cameras (world)."""

    points: FloatArray
    anterior: FloatArray
    right: FloatArray
    up: FloatArray


def figure(pose: Pose, *, heading_deg: float = 25.0) -> Figure:
    """Return the figure in the world (see the module conventions).

    ``supine``: the body turned onto its back, as after falling backwards
    (anterior up, the head opposite the heading, the right side where it was);
    :func:`film` still measures its yaw from the heading, which then points
    from the head to the feet.
    """
    body = _body_points(pose)
    h = np.radians(heading_deg)
    anterior = np.array([np.cos(h), np.sin(h), 0.0])
    up = np.array([0.0, 0.0, 1.0])
    right = np.cross(anterior, up)  # a = u × r  ⇔  r = a × u
    # lying on the back (as after falling backwards): anterior up, the head behind the heading
    axes = np.stack([up, right, -anterior]) if pose.supine else np.stack([anterior, right, up])
    world = body @ axes + np.array([0.3, -0.2, 1.0])
    return Figure(world, anterior, right, up)


def camera_rotation(fig: Figure, yaw_deg: float, pitch_deg: float) -> FloatArray:
    """Return the world → camera rotation (rows: image right, image down, away from camera)."""
    psi, theta = np.radians(yaw_deg), np.radians(pitch_deg)
    toward = np.cos(theta) * (np.cos(psi) * fig.anterior + np.sin(psi) * fig.right)
    toward = toward + np.sin(theta) * fig.up
    forward = -toward
    x_axis = np.cross(forward, fig.up)
    x_axis /= np.linalg.norm(x_axis)
    return np.stack([x_axis, np.cross(forward, x_axis), forward])


def film(
    fig: Figure,
    yaw_deg: float,
    pitch_deg: float,
    *,
    world: bool = True,
    score: float = 0.9,
    fps: float = FPS,
) -> KeypointTrack:
    """Return the figure as an orthographic camera at ``(yaw, pitch)`` sees it (noise-free)."""
    rotation = camera_rotation(fig, yaw_deg, pitch_deg)
    mid_hip = 0.5 * (fig.points[:, INDEX["left_hip"]] + fig.points[:, INDEX["right_hip"]])
    camera = (fig.points - mid_hip[:, None, :]) @ rotation.T
    xy = PX_PER_M * camera[..., :2] + np.array([640.0, 360.0])
    n = fig.points.shape[0]
    return KeypointTrack(
        fps=fps,
        width=1280,
        height=720,
        xy=xy,
        score=np.full(xy.shape[:2], score),
        lost=np.zeros(n, dtype=bool),
        source=f"body3d yaw {yaw_deg:g} pitch {pitch_deg:g}",
        world=camera if world else None,
    )


def true_up(fig: Figure, yaw_deg: float, pitch_deg: float) -> FloatArray:
    """Return the world vertical in the camera's axes."""
    return np.asarray(camera_rotation(fig, yaw_deg, pitch_deg) @ fig.up, dtype=np.float64)


def squat_pose(frames: int = 60, *, depth_deg: float = 100.0) -> Pose:
    """Return a squat: standing for the first quarter, then down to ``depth_deg`` knee and back.

    The trunk leans forward and the ankles bend with the knees; the feet stay flat.
    """
    t = np.linspace(0.0, 1.0, frames)
    phase = np.clip(np.sin(np.pi * (t - 0.25) / 0.75), 0.0, None) * (t >= 0.25)
    knee = depth_deg * phase
    trunk = 0.35 * knee
    shank = 0.4 * knee  # forward tilt of the shank
    return Pose(
        frames=frames,
        thigh_forward=knee - shank,
        knee_flexion=knee,
        trunk_forward=trunk,
        foot_pitch=0.0 * knee,
    )


def wrapped(a: FloatArray | float, b: FloatArray | float) -> FloatArray:
    """Return ``|a − b|`` wrapped into [0, 180] degrees."""
    return np.asarray(np.abs((np.asarray(a) - b + 180.0) % 360.0 - 180.0), dtype=np.float64)
