"""What a camera that is not square to an angle's plane does to that angle: error per frame.

Conventions
-----------
* An angle of :mod:`hiplab.motion.angles` is defined in one body plane: the
  sagittal rows as a perfect side view would show them, the frontal rows as a
  perfect front (or back) view would (the *ideal camera*: yaw ±90 or 0/180 on
  the side the real camera is, pitch 0; :mod:`hiplab.motion.camera`).
* A real camera at yaw ``ψ`` and pitch ``θ`` sees each segment's 3-D direction
  along its own line of sight. Each segment's image direction is measured; its
  *depth* component ``d`` (toward/away from the camera, as a share of its
  length) is not. It comes from the pose model's metric 3-D pose when there is
  one (± :attr:`ProjectionModel.world_depth_sd`), otherwise it is unknown:
  zero ± a spread of at least :attr:`ProjectionModel.image_depth_floor`, widened
  by the segment's foreshortening ``√(1 − (L / L_ref)²)`` (``L_ref`` its 90th
  percentile image length in the clip) up to :attr:`ProjectionModel.image_depth_cap`.
* For each frame the segment is lifted to 3-D (its image direction and ``d``),
  turned into body coordinates with the camera's yaw and pitch, and projected
  into the ideal camera; the angle computed there minus the angle measured is
  the projection error. Drawing ``ψ``, ``θ`` and each ``d`` from their
  uncertainties (:data:`SAMPLES` fixed draws, so results repeat exactly) gives
  its mean (``bias``: the error the geometry predicts) and spread.
* ``sd`` is the root mean square of the drawn errors (bias included: the
  angle is reported as measured, and the bias is part of its uncertainty).
* An angle is *withheld* in a frame where the camera is more than
  :attr:`ProjectionModel.max_offset_deg` away from the angle's ideal camera,
  or its projection uncertainty exceeds :attr:`ProjectionModel.max_sd_deg`:
  the number would be the camera's angle, not the joint's.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.angles import (
    MID_POINTS,
    AngleDefinition,
    PointSet,
    Segment,
    elevation,
    signed_angle,
)
from hiplab.motion.camera import CameraGeometry, image_axes, wrap_deg
from hiplab.motion.keypoints import INDEX, KeypointTrack

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
SAMPLES = 64
"""Draws of yaw, pitch and depths (stratified, fixed seed, shared by every frame)."""


@dataclass(frozen=True)
class ProjectionModel:
    """Parameters of the projection-error model (see the module conventions)."""

    world_depth_sd: float = 0.25
    image_depth_floor: float = 0.2
    image_depth_cap: float = 0.5
    max_offset_deg: float = 45.0
    max_sd_deg: float = 15.0


@dataclass(frozen=True)
class ProjectionError:
    """Per-frame projection error of one angle: predicted bias, uncertainty and what is withheld."""

    bias: FloatArray
    sd: FloatArray
    offset_deg: FloatArray
    withheld: BoolArray


def ideal_yaw(row: AngleDefinition, yaw: FloatArray) -> FloatArray:
    """Return the yaw of the ideal camera of a row on the real camera's side.

    Examples
    --------
    >>> from hiplab.motion.angles import DEFINITIONS
    >>> knee = next(r for r in DEFINITIONS if r.channel == "right_knee_flexion")
    >>> ideal_yaw(knee, np.array([60.0, -120.0])).tolist()
    [90.0, -90.0]

    """
    if row.view == "sagittal":
        return np.where(np.sin(np.radians(yaw)) >= 0, 90.0, -90.0)
    return np.where(np.cos(np.radians(yaw)) >= 0, 0.0, 180.0)


def _world(track: KeypointTrack, name: str) -> FloatArray:
    assert track.world is not None
    if name in MID_POINTS:
        a, b = MID_POINTS[name]
        return 0.5 * (track.world[:, INDEX[a]] + track.world[:, INDEX[b]])
    return np.asarray(track.world[:, INDEX[name]], dtype=np.float64)


def _image_vector(points: PointSet, segment: Segment) -> FloatArray:
    return np.asarray(points.xy[segment.end] - points.xy[segment.start], dtype=np.float64)


def segment_depth(
    track: KeypointTrack, points: PointSet, segment: Segment, model: ProjectionModel
) -> tuple[FloatArray, FloatArray]:
    """Return per frame the depth share ``d`` of a segment (away from the camera) and its sd."""
    if track.world is not None:
        vector = _world(track, segment.end) - _world(track, segment.start)
        with np.errstate(invalid="ignore", divide="ignore"):
            depth = vector[:, 2] / np.linalg.norm(vector, axis=1)
        if np.isfinite(depth).any():
            return np.clip(depth, -0.98, 0.98), np.full(depth.shape, model.world_depth_sd)
    length = np.linalg.norm(_image_vector(points, segment), axis=1)
    finite = length[np.isfinite(length)]
    reference = float(np.percentile(finite, 90)) if finite.size else np.nan
    with np.errstate(invalid="ignore"):
        shortened = np.sqrt(np.clip(1.0 - (length / reference) ** 2, 0.0, 1.0))
    # Shortening also comes from keypoint noise and from the body moving in the image,
    # so it only widens the prior up to a cap; its sign is never known.
    magnitude = np.minimum(shortened, model.image_depth_cap)
    return np.zeros_like(length), np.hypot(magnitude, model.image_depth_floor)


def _lift(image: FloatArray, depth: FloatArray, yaw: FloatArray, pitch: FloatArray) -> FloatArray:
    """Return body-frame 3-D unit vectors ``(..., 3)`` from image directions and depth shares."""
    norm = np.linalg.norm(image, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = image / norm
    lateral = np.sqrt(1.0 - depth**2)[..., None]
    right, up = image_axes(yaw, pitch)
    forward = np.cross(up, right)  # completes (right, up, forward) as the camera's axes
    return np.asarray(
        lateral * (unit[..., :1] * right + unit[..., 1:2] * up) + depth[..., None] * forward,
        dtype=np.float64,
    )


def _ideal_image(vector: FloatArray, yaw: FloatArray) -> FloatArray:
    right, up = image_axes(yaw, np.zeros_like(yaw))
    return np.stack([(vector * right).sum(-1), (vector * up).sum(-1)], axis=-1)


def _raw(row: AngleDefinition, target: FloatArray, reference: FloatArray | None) -> FloatArray:
    """Return a row's raw 2-D angle (before sign and zero) from its segment vectors."""
    if row.measure == "elevation":
        return elevation(target)
    if reference is None:
        reference = np.broadcast_to(np.array([0.0, 1.0]), target.shape)
    return signed_angle(reference, target)


def _pair(images: list[FloatArray]) -> tuple[FloatArray, FloatArray | None]:
    return images[0], (images[1] if len(images) > 1 else None)


def _draws(variables: int) -> FloatArray:
    """Return ``(variables, SAMPLES, 1)`` standard normal draws, the same for every frame.

    Stratified (one draw per equal-probability slice of each variable, the
    slices paired at random with a fixed seed) and shared by all frames, so
    the uncertainty changes from frame to frame only as the geometry does.
    """
    from statistics import NormalDist

    quantiles = (np.arange(SAMPLES) + 0.5) / SAMPLES
    normal = np.array([NormalDist().inv_cdf(float(q)) for q in quantiles])
    rng = np.random.default_rng(0)
    rows = [rng.permutation(normal) for _ in range(variables)]
    return np.asarray(np.stack(rows)[:, :, None], dtype=np.float64)


def projection_error(
    row: AngleDefinition,
    points: PointSet,
    track: KeypointTrack,
    camera: CameraGeometry,
    *,
    factor: FloatArray | float = 1.0,
    model: ProjectionModel | None = None,
) -> ProjectionError:
    """Return the per-frame projection error of one angle row (see the module conventions).

    ``factor`` is the row's orientation sign (:meth:`hiplab.motion.angles.Orientation.factor`),
    which gives the bias its sign.
    """
    model = model or ProjectionModel()
    segments = [row.segment] + ([row.reference] if isinstance(row.reference, Segment) else [])
    draws = _draws(2 + len(segments))
    yaw = camera.yaw_deg + draws[0] * camera.yaw_sd_deg
    pitch = camera.pitch_deg + draws[1] * camera.pitch_sd_deg
    ideal = np.broadcast_to(ideal_yaw(row, camera.yaw_deg), yaw.shape)
    measured, truth = [], []
    for k, segment in enumerate(segments):
        image = _image_vector(points, segment)
        depth, depth_sd = segment_depth(track, points, segment, model)
        drawn = np.clip(depth + draws[2 + k] * depth_sd, -0.98, 0.98)
        truth.append(_ideal_image(_lift(image, drawn, yaw, pitch), ideal))
        measured.append(image)
    error = wrap_deg(_raw(row, *_pair(measured)) - _raw(row, *_pair(truth)))
    errors = np.asarray(error, dtype=np.float64) * row.sign.polarity * factor
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames stay NaN
        bias = np.nanmean(errors, axis=0)
        sd = np.sqrt(np.nanmean(errors**2, axis=0))
    offset = np.abs(np.asarray(wrap_deg(camera.yaw_deg - ideal[0]), dtype=np.float64))
    with np.errstate(invalid="ignore"):
        withheld = (offset > model.max_offset_deg) | (sd > model.max_sd_deg)
    return ProjectionError(bias=bias, sd=sd, offset_deg=offset, withheld=withheld)
