"""The standard uncertainty of every 2-D angle, per frame, from what causes its error.

Conventions
-----------
Three independent terms, added in quadrature (degrees):

* **Keypoints**: a keypoint's position scatters by
  ``σ_p = noise_fraction · S · (2 − score)`` pixels (``S`` the subject's extent in
  pixels, ``score`` the frame's lowest score of the angle's keypoints: 1 % of
  stature at full confidence, doubling toward score 0); a segment of image
  length ``L`` then points within ``atan(√2 σ_p / L)`` (two endpoints); the
  zero-lag low-pass keeps ``√(2 f_c / fps)`` of white noise. A short segment
  (a foreshortened shank, the foot) is less certain than a long one, per frame.
* **Projection**: the camera's angle to the body plane the angle is defined in
  (:mod:`hiplab.motion.projection`, from :mod:`hiplab.motion.camera`'s yaw and
  pitch with their uncertainties): the root mean square of the error it
  predicts. Frames where that geometry makes the angle meaningless are
  *withheld*.
* **Model**: a floor of :attr:`UncertaintyModel.model_floor_deg` for what
  neither term sees: the pose model's keypoints are not the joint centres.

A value read at an event adds the timing term ``|ω| / (fps √12)`` (uniform
timing error of one frame at angular velocity ``ω``; see
:mod:`hiplab.motion.tasks.common`). The figures are checked against real
cameras and virtual ones in ``benchmarks/camera_validation.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.angles import AngleDefinition, Orientation, PointSet, Segment, View
from hiplab.motion.angles import definitions_for as _definitions_for
from hiplab.motion.camera import CameraGeometry
from hiplab.motion.keypoints import INDEX, KeypointTrack
from hiplab.motion.projection import ProjectionModel, projection_error

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class UncertaintyModel:
    """Parameters of the angle uncertainty model (see the module conventions)."""

    noise_fraction: float = 0.013
    model_floor_deg: float = 2.0
    projection: ProjectionModel = field(default_factory=ProjectionModel)


@dataclass(frozen=True)
class AngleUncertainty:
    """One angle's per-frame uncertainty and what the camera's geometry withholds."""

    sd: FloatArray
    keypoints: FloatArray
    projection: FloatArray
    bias: FloatArray
    offset_deg: FloatArray
    withheld: BoolArray


def keypoint_sd_px(
    *,
    subject_px: float | FloatArray,
    score: float | FloatArray,
    model: UncertaintyModel | None = None,
) -> FloatArray:
    """Return the assumed keypoint standard deviation in pixels.

    Examples
    --------
    >>> float(keypoint_sd_px(subject_px=500.0, score=1.0))
    5.0

    """
    model = model or UncertaintyModel()
    return np.asarray(
        model.noise_fraction * np.asarray(subject_px) * (2.0 - np.clip(score, 0.0, 1.0)),
        dtype=np.float64,
    )


def segment_sd_deg(point_sd_px: float | FloatArray, length_px: float | FloatArray) -> FloatArray:
    """Return the direction uncertainty of a segment, ``atan(√2 σ / L)`` in degrees.

    Examples
    --------
    >>> round(float(segment_sd_deg(1.0, 100.0)), 3)
    0.81

    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(
            np.degrees(np.arctan(math.sqrt(2.0) * np.asarray(point_sd_px) / length_px)),
            dtype=np.float64,
        )


def filter_factor(fps: float, cutoff_hz: float | None) -> float:
    """Return the share of white keypoint noise a zero-lag low-pass at ``cutoff_hz`` keeps.

    Examples
    --------
    >>> round(filter_factor(30.0, 6.0), 3)
    0.632

    """
    if cutoff_hz is None or fps <= 0:
        return 1.0
    return math.sqrt(min(1.0, 2.0 * cutoff_hz / fps))


def _segments(row: AngleDefinition) -> list[Segment]:
    return [row.segment] + ([row.reference] if isinstance(row.reference, Segment) else [])


def _scores(track: KeypointTrack) -> dict[str, FloatArray]:
    scores = {name: track.score[:, i] for name, i in INDEX.items()}
    scores["mid_hip"] = np.minimum(scores["left_hip"], scores["right_hip"])
    scores["mid_shoulder"] = np.minimum(scores["left_shoulder"], scores["right_shoulder"])
    return scores


def keypoint_term(
    row: AngleDefinition,
    points: PointSet,
    scores: dict[str, FloatArray],
    *,
    subject_px: float,
    keep: float,
    model: UncertaintyModel,
) -> FloatArray:
    """Return the per-frame keypoint-noise term of one angle (deg)."""
    score = np.min([scores[p] for p in row.points], axis=0)
    point_sd = keypoint_sd_px(subject_px=subject_px, score=score, model=model)
    terms = [
        segment_sd_deg(point_sd, np.linalg.norm(points.xy[s.end] - points.xy[s.start], axis=1))
        for s in _segments(row)
    ]
    return np.asarray(np.sqrt(np.sum(np.square(terms), axis=0)) * keep, dtype=np.float64)


def frame_uncertainties(
    track: KeypointTrack,
    points: PointSet,
    camera: CameraGeometry,
    orientation: Orientation,
    *,
    view: View,
    subject_px: float,
    cutoff_hz: float | None,
    model: UncertaintyModel | None = None,
) -> dict[str, AngleUncertainty]:
    """Return every angle channel of ``view`` with its per-frame uncertainty (deg).

    ``track`` gives the scores and the pose model's 3-D pose, ``points`` the
    (cleaned, y-up) keypoints the angles were computed from.
    """
    model = model or UncertaintyModel()
    scores = _scores(track)
    keep = filter_factor(track.fps, cutoff_hz)
    out: dict[str, AngleUncertainty] = {}
    for row in _definitions_for(view):
        keypoints = keypoint_term(
            row, points, scores, subject_px=subject_px, keep=keep, model=model
        )
        geometry = projection_error(
            row, points, track, camera, factor=orientation.factor(row), model=model.projection
        )
        total = np.sqrt(keypoints**2 + geometry.sd**2 + model.model_floor_deg**2)
        out[row.channel] = AngleUncertainty(
            sd=np.asarray(total, dtype=np.float64),
            keypoints=keypoints,
            projection=geometry.sd,
            bias=geometry.bias,
            offset_deg=geometry.offset_deg,
            withheld=geometry.withheld,
        )
    return out
