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
* A second opinion (:func:`disagreement`): the same angle computed from the
  pose model's 3-D pose in its own body frame (no camera angle needed); half
  the gap between the two widens the uncertainty.
* An angle is *withheld* in a frame where the camera may be (its offset,
  averaged half and half with the clip's median offset, plus one yaw sd) more
  than :attr:`ProjectionModel.max_offset_deg` away from the angle's ideal
  camera, or its uncertainty exceeds :attr:`ProjectionModel.max_sd_deg`: the
  number would be the camera's angle, not the joint's. Calibrated on the four
  Pose2Sim cameras (``benchmarks/camera_validation.py``).
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
    """Parameters of the projection-error model (see the module conventions).

    ``world_depth_sd``: the pose model's depth share of a segment against the
    triangulated truth on the four Pose2Sim cameras: RMS 0.41 (correlation 0.65).
    """

    world_depth_sd: float = 0.4
    image_depth_floor: float = 0.2
    image_depth_cap: float = 0.5
    depth_margin: float = 0.25
    disagreement_weight: float = 0.5
    max_offset_deg: float = 40.0
    max_sd_deg: float = 25.0


@dataclass(frozen=True)
class ProjectionError:
    """Per-frame projection error of one angle: predicted bias, uncertainty and what is withheld."""

    bias: FloatArray
    sd: FloatArray
    offset_deg: FloatArray
    withheld: BoolArray
    disagreement: FloatArray


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


def foreshortening(points: PointSet, segment: Segment) -> FloatArray:
    """Return per frame ``√(1 − (L / L_ref)²)``: the depth share the image length implies.

    ``L_ref`` is the segment's 95th-percentile image length in the clip (about its
    full length, if it ever lies square to the camera).
    """
    length = np.linalg.norm(_image_vector(points, segment), axis=1)
    finite = length[np.isfinite(length)]
    reference = float(np.percentile(finite, 95)) if finite.size else np.nan
    with np.errstate(invalid="ignore"):
        fore: FloatArray = np.sqrt(np.clip(1.0 - (length / reference) ** 2, 0.0, 1.0))
    return fore


def segment_depth(
    track: KeypointTrack, points: PointSet, segment: Segment, model: ProjectionModel
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return per frame a segment's depth share ``d`` (away from the camera), its sd and bound.

    The bound is the foreshortening plus :attr:`ProjectionModel.depth_margin`: a
    segment seen at nearly its full length cannot point at the camera, whatever
    the pose model's depth says.
    """
    shortened = foreshortening(points, segment)
    bound = np.clip(shortened + model.depth_margin, 0.0, 0.98)
    if track.world is not None:
        vector = _world(track, segment.end) - _world(track, segment.start)
        with np.errstate(invalid="ignore", divide="ignore"):
            depth = vector[:, 2] / np.linalg.norm(vector, axis=1)
        if np.isfinite(depth).any():
            return np.clip(depth, -bound, bound), np.full(depth.shape, model.world_depth_sd), bound
    # Without a 3-D pose the sign is never known: zero ± the foreshortening, capped
    # (shortening also comes from keypoint noise and from the body moving in the image).
    magnitude = np.minimum(shortened, model.image_depth_cap)
    return np.zeros_like(shortened), np.hypot(magnitude, model.image_depth_floor), bound


def _lift(image: FloatArray, depth: FloatArray, yaw: FloatArray, pitch: FloatArray) -> FloatArray:
    """Return body-frame 3-D unit vectors ``(..., 3)`` from image directions and depth shares."""
    norm = np.linalg.norm(image, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = image / norm
    lateral = np.sqrt(1.0 - depth**2)[..., None]
    right, up = image_axes(yaw, pitch)
    # Away from the camera, as the depth share is. The body axes (anterior, right, up)
    # are left-handed, so the componentwise cross product is taken right × up.
    forward = np.cross(right, up)
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


def world_body_vectors(
    track: KeypointTrack, segment: Segment, pitch_deg: FloatArray
) -> FloatArray | None:
    """Return a segment of the pose model's 3-D pose in body coordinates ``(a, r, u)``, or None.

    The body frame is the 3-D pose's own: up from the camera's pitch (no roll),
    the right axis the hip line made horizontal, anterior ``u × r`` — so the
    result does not depend on the camera's yaw at all.
    """
    if track.world is None:
        return None
    theta = np.radians(pitch_deg)[:, None]
    up = np.concatenate([np.zeros_like(theta), -np.cos(theta), -np.sin(theta)], axis=1)
    hips = _world(track, "right_hip") - _world(track, "left_hip")
    right = hips - (hips * up).sum(1, keepdims=True) * up
    with np.errstate(invalid="ignore", divide="ignore"):
        right = right / np.linalg.norm(right, axis=1, keepdims=True)
    anterior = np.cross(up, right)
    vector = _world(track, segment.end) - _world(track, segment.start)
    frame: FloatArray = np.stack(
        [(vector * anterior).sum(1), (vector * right).sum(1), (vector * up).sum(1)], axis=1
    )
    return frame


def disagreement(
    row: AngleDefinition,
    points: PointSet,
    track: KeypointTrack,
    camera: CameraGeometry,
    *,
    factor: FloatArray | float,
) -> FloatArray:
    """Return per frame |2-D angle − the same angle of the pose model's 3-D pose| (deg).

    A second opinion that needs no camera angle: where the two disagree (a
    trunk leaning toward an oblique camera, a depth the geometry did not
    foresee) the 2-D number is not trusted more than the gap. Zero without a
    3-D pose. Smoothed by a 5-frame moving median (the 3-D pose jitters).
    """
    from hiplab.motion.filters import moving_median

    segments = [row.segment] + ([row.reference] if isinstance(row.reference, Segment) else [])
    ideal = ideal_yaw(row, camera.yaw_deg)
    bodies = [world_body_vectors(track, s, camera.pitch_deg) for s in segments]
    if any(b is None for b in bodies):
        return np.zeros(track.frames)
    images = [_ideal_image(b, ideal) for b in bodies if b is not None]
    measured = [_image_vector(points, s) for s in segments]
    gap = wrap_deg(_raw(row, *_pair(measured)) - _raw(row, *_pair(images)))
    gap = np.abs(np.asarray(gap, dtype=np.float64) * row.sign.polarity * factor)
    smooth = moving_median(gap[:, None], np.isfinite(gap)[:, None], window=5).values[:, 0]
    return np.asarray(np.where(np.isfinite(smooth), smooth, 0.0), dtype=np.float64)


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
        depth, depth_sd, bound = segment_depth(track, points, segment, model)
        drawn = np.clip(depth + draws[2 + k] * depth_sd, -bound, bound)
        truth.append(_ideal_image(_lift(image, drawn, yaw, pitch), ideal))
        measured.append(image)
    error = wrap_deg(_raw(row, *_pair(measured)) - _raw(row, *_pair(truth)))
    errors = np.asarray(error, dtype=np.float64) * row.sign.polarity * factor
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames stay NaN
        bias = np.nanmean(errors, axis=0)
        sd = np.sqrt(np.nanmean(errors**2, axis=0))
    gap = disagreement(row, points, track, camera, factor=factor)
    sd = np.sqrt(sd**2 + (model.disagreement_weight * gap) ** 2)
    offset = np.abs(np.asarray(wrap_deg(camera.yaw_deg - ideal[0]), dtype=np.float64))
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # A fixed camera's angle is judged half per frame (the subject turns) and half
        # over the clip (a frame whose estimate looks square by chance is not trusted alone).
        judged = 0.5 * (offset + np.nanmedian(offset))
        # The camera may be one yaw sd further off than estimated: a monocular pose cannot
        # tell a trunk leaning toward an oblique camera from one leaning back.
        withheld = (judged + camera.yaw_sd_deg > model.max_offset_deg) | (sd > model.max_sd_deg)
    return ProjectionError(bias=bias, sd=sd, offset_deg=offset, withheld=withheld, disagreement=gap)
