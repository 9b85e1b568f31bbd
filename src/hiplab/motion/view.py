"""Camera view detection, quality warnings and the uncertainty of 2-D angles.

Conventions
-----------
* **View.** The width ratio of a frame is the mean of the shoulder width
  (left → right shoulder) and the hip width over the torso length (mid-hip →
  mid-shoulder), all in pixels. Its median over the *confident* frames (both
  shoulders and both hips scored at least ``min_score``, frame not lost) is
  below ~0.1–0.2 for a side view and ~0.6–0.8 for a front or back view of an
  adult. The view is ``"sagittal"`` below :data:`VIEW_SPLIT` (0.35) and
  ``"frontal"`` at or above it; between :data:`SAGITTAL_RATIO` (0.25) and
  :data:`FRONTAL_RATIO` (0.45) the estimate is flagged uncertain (an oblique
  camera).
* **Sides.** In sagittal view ``facing`` is the dominant facing from the toes
  (:func:`hiplab.motion.angles.estimate_facing`) and ``facing_changes`` the
  frames where the subject turned round for at least a second
  (:func:`hiplab.motion.angles.facing_per_frame`); the side nearer the camera
  is the one whose keypoints score higher on average (pose models score the
  hidden side lower) when the difference is at least 0.05, otherwise the side
  the figure's handedness gives (facing right ⇒ right side near). In frontal
  view ``toward_camera`` is True when the subject's right hip is at image left.
* **Warnings** are typed :class:`QualityWarning` rows with a stable ``code``,
  a ``severity`` (``"info"``, ``"warn"``, ``"refuse"``), the measured
  ``value`` and the ``limit`` it broke:

  - ``subject_too_small``: the subject's extent (the larger of box height over
    frame height and box width over frame width, median over frames) is below
    20% (``warn``).
  - ``wrong_view_for_task``: the detected view is not the one the task needs.
  - ``view_uncertain``: oblique camera (see above).
  - ``too_much_occlusion``: more than 20% of frames are lost or miss a
    keypoint the view's angles need (sagittal: every keypoint of at least one
    side; frontal: shoulders, hips, knees and ankles of both sides).
  - ``fps_too_low_for_landing``: below 60 fps ``warn`` (a frame is > 16 ms;
    domain.md §6 recommends ≥ 120 fps), below 30 fps ``refuse``.

* **Uncertainty model** (standard uncertainty, degrees) of an angle built
  from segments of pixel lengths ``L_i``:

  - keypoint noise ``σ_p = noise_fraction · S · (2 − score)`` pixels, with
    ``S`` the subject's extent in pixels and ``score`` the median keypoint
    score (1% of stature at full confidence, doubling toward score 0 — an
    assumption, not a calibration);
  - each segment direction ``σ_i = atan(√2 · σ_p / L_i)`` (two endpoints);
    angles from two segments add in quadrature;
  - the zero-lag low-pass keeps the fraction ``√(2 f_c / fps)`` of white
    noise (cutoff ``f_c``);
  - a floor for 2-D vs 3-D out-of-plane error: 3° when the camera view is
    right for the angle (domain.md §6: 2-D FPPA SEM 2–4°, r = 0.64–0.78
    against 3-D), 10° when it is not;
  - for a value read at an event frame, sampling adds ``|ω| / (fps · √12)``
    (uniform timing error of one frame at angular velocity ``ω``).

  The total is the root sum of squares.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from hiplab.errors import InputError
from hiplab.motion.angles import (
    DEFAULT_MIN_SCORE,
    SIDES,
    AngleDefinition,
    Facing,
    Segment,
    Side,
    View,
    definitions_for,
    estimate_facing,
    facing_per_frame,
    point_set,
)
from hiplab.motion.keypoints import INDEX, KEYPOINTS, KeypointTrack

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Severity = Literal["info", "warn", "refuse"]
WarningCode = Literal[
    "subject_too_small",
    "wrong_view_for_task",
    "view_uncertain",
    "too_much_occlusion",
    "fps_too_low_for_landing",
    "facing_unknown",
    "unfiltered_segments",
    "long_gaps",
    "sides_swapped",
    "facing_changed",
    "frames_off_view",
    "implausible_angles",
]
SAGITTAL_RATIO = 0.25
FRONTAL_RATIO = 0.45
VIEW_SPLIT = 0.35
NEAR_SCORE_MARGIN = 0.05
SAGITTAL_KEYPOINTS = ("shoulder", "hip", "knee", "ankle", "heel", "foot_index")
FRONTAL_KEYPOINTS = ("shoulder", "hip", "knee", "ankle")


@dataclass(frozen=True)
class QualityWarning:
    """A named finding about the input that limits or forbids the measurement."""

    code: WarningCode
    severity: Severity
    message: str
    value: float | None = None
    limit: float | None = None


@dataclass(frozen=True)
class QualityLimits:
    """Thresholds of the quality checks."""

    min_subject_fraction: float = 0.20
    max_occluded_fraction: float = 0.20
    landing_warn_fps: float = 60.0
    landing_refuse_fps: float = 30.0


@dataclass(frozen=True)
class ViewEstimate:
    """The detected camera view and which way the subject is turned."""

    view: View
    width_ratio: float
    confident_frames: int
    uncertain: bool
    facing: Facing | None = None
    near_side: Side | None = None
    toward_camera: bool | None = None
    facing_changes: tuple[int, ...] = ()


# --- view -------------------------------------------------------------------------------------


def _columns(side: Side | None, parts: Sequence[str]) -> list[int]:
    sides: Sequence[Side] = SIDES if side is None else (side,)
    return [INDEX[f"{s}_{p}"] for s in sides for p in parts]


def _confident(track: KeypointTrack, columns: Sequence[int], min_score: float) -> BoolArray:
    ok = (track.score[:, columns] >= min_score) & np.isfinite(track.xy[:, columns]).all(axis=-1)
    return np.asarray(ok.all(axis=1) & ~track.lost, dtype=np.bool_)


def width_ratios(track: KeypointTrack) -> FloatArray:
    """Return per frame (shoulder width + hip width) / 2 over the torso length."""
    p = {
        name: track.point(name)
        for name in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    }
    shoulders = np.linalg.norm(p["left_shoulder"] - p["right_shoulder"], axis=1)
    hips = np.linalg.norm(p["left_hip"] - p["right_hip"], axis=1)
    mid_s = 0.5 * (p["left_shoulder"] + p["right_shoulder"])
    mid_h = 0.5 * (p["left_hip"] + p["right_hip"])
    torso = np.linalg.norm(mid_s - mid_h, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(0.5 * (shoulders + hips) / torso, dtype=np.float64)


def _near_side(track: KeypointTrack, frames: BoolArray, facing: float) -> Side | None:
    left = track.score[frames][:, [i for i, k in enumerate(KEYPOINTS) if k.startswith("left_")]]
    right = track.score[frames][:, [i for i, k in enumerate(KEYPOINTS) if k.startswith("right_")]]
    difference = float(np.mean(right) - np.mean(left)) if frames.any() else 0.0
    if abs(difference) >= NEAR_SCORE_MARGIN:
        return "right" if difference > 0 else "left"
    if np.isfinite(facing):
        return "right" if facing > 0 else "left"
    return None


def detect_view(track: KeypointTrack, *, min_score: float = DEFAULT_MIN_SCORE) -> ViewEstimate:
    """Detect sagittal vs frontal view and the subject's orientation over a whole track.

    Raises
    ------
    InputError
        When no frame shows both shoulders and both hips with ``min_score``.

    """
    frames = _confident(track, _columns(None, ("shoulder", "hip")), min_score)
    ratios = width_ratios(track)[frames]
    ratios = ratios[np.isfinite(ratios)]
    if ratios.size == 0:
        raise InputError(
            f"cannot detect the view: no frame has both shoulders and hips at score >= {min_score}"
        )
    ratio = float(np.median(ratios))
    view: View = "sagittal" if ratio < VIEW_SPLIT else "frontal"
    estimate = ViewEstimate(
        view=view,
        width_ratio=ratio,
        confident_frames=int(ratios.size),
        uncertain=SAGITTAL_RATIO <= ratio < FRONTAL_RATIO,
    )
    if view == "frontal":
        right_minus_left = track.point("right_hip")[frames, 0] - track.point("left_hip")[frames, 0]
        return replace(estimate, toward_camera=bool(np.median(right_minus_left) < 0))
    facing = estimate_facing(track)
    named: Facing | None = None if not np.isfinite(facing) else ("right" if facing > 0 else "left")
    per_frame = facing_per_frame(track)
    changes = tuple(int(i) + 1 for i in np.flatnonzero(np.diff(per_frame) != 0))
    return replace(
        estimate,
        facing=named,
        near_side=_near_side(track, frames, facing),
        facing_changes=changes,
    )


# --- quality ----------------------------------------------------------------------------------


def subject_boxes(track: KeypointTrack, *, min_score: float = DEFAULT_MIN_SCORE) -> FloatArray:
    """Return per frame the ``(width, height)`` in pixels of the confident keypoints' box.

    NaN in frames that are lost or have fewer than two confident keypoints.
    """
    ok = (track.score >= min_score) & np.isfinite(track.xy).all(axis=-1) & ~track.lost[:, None]
    low = np.where(ok[..., None], track.xy, np.inf).min(axis=1)
    high = np.where(ok[..., None], track.xy, -np.inf).max(axis=1)
    enough = ok.sum(axis=1) >= 2
    return np.where(enough[:, None], high - low, np.nan)


def subject_size_px(track: KeypointTrack, *, min_score: float = DEFAULT_MIN_SCORE) -> float:
    """Return the median larger side of the subject's box over frames (pixels), NaN if none."""
    boxes = subject_boxes(track, min_score=min_score)
    sizes = boxes.max(axis=1)
    sizes = sizes[np.isfinite(sizes)]
    return float(np.median(sizes)) if sizes.size else math.nan


def check_subject_size(
    track: KeypointTrack, *, limits: QualityLimits, min_score: float
) -> list[QualityWarning]:
    """Warn when the subject fills less than ``min_subject_fraction`` of the frame.

    Skipped when the frame size is unknown (OpenPose JSON: ``width == height == 0``).
    """
    if track.width <= 0 or track.height <= 0:
        return []
    boxes = subject_boxes(track, min_score=min_score)
    fractions = np.maximum(boxes[:, 0] / track.width, boxes[:, 1] / track.height)
    fractions = fractions[np.isfinite(fractions)]
    if fractions.size == 0:
        return []
    fraction = float(np.median(fractions))
    if fraction >= limits.min_subject_fraction:
        return []
    message = (
        f"the subject fills {fraction:.0%} of the frame (at least "
        f"{limits.min_subject_fraction:.0%} needed); film closer"
    )
    return [
        QualityWarning("subject_too_small", "warn", message, fraction, limits.min_subject_fraction)
    ]


def occluded_frames(track: KeypointTrack, *, view: View, min_score: float) -> BoolArray:
    """Return the frames that are lost or miss a keypoint the view's angles need."""
    if view == "frontal":
        return ~_confident(track, _columns(None, FRONTAL_KEYPOINTS), min_score)
    complete = [_confident(track, _columns(side, SAGITTAL_KEYPOINTS), min_score) for side in SIDES]
    return ~(complete[0] | complete[1])


def check_occlusion(
    track: KeypointTrack, *, view: View, limits: QualityLimits, min_score: float
) -> list[QualityWarning]:
    """Warn when too many frames are lost or incomplete."""
    if track.frames == 0:
        return []
    fraction = float(occluded_frames(track, view=view, min_score=min_score).mean())
    if fraction <= limits.max_occluded_fraction:
        return []
    message = (
        f"{fraction:.0%} of frames are lost or miss keypoints needed in {view} view "
        f"(at most {limits.max_occluded_fraction:.0%})"
    )
    return [
        QualityWarning(
            "too_much_occlusion", "warn", message, fraction, limits.max_occluded_fraction
        )
    ]


def check_landing_fps(fps: float, *, limits: QualityLimits) -> list[QualityWarning]:
    """Warn below ``landing_warn_fps`` and refuse below ``landing_refuse_fps``."""
    if fps >= limits.landing_warn_fps:
        return []
    refuse = fps < limits.landing_refuse_fps
    limit = limits.landing_refuse_fps if refuse else limits.landing_warn_fps
    message = (
        f"{fps:g} fps is too slow for a landing ({1000 / fps:.0f} ms per frame); "
        f"{'at least' if refuse else 'film at'} {limit:g} fps"
        f"{' is needed' if refuse else ' or more (120 recommended)'}"
    )
    severity: Severity = "refuse" if refuse else "warn"
    return [QualityWarning("fps_too_low_for_landing", severity, message, fps, limit)]


def check_view(estimate: ViewEstimate, *, task_view: View | None) -> list[QualityWarning]:
    """Warn when the view is oblique or not the one the task needs."""
    found: list[QualityWarning] = []
    if estimate.uncertain:
        message = (
            f"the camera looks oblique (width ratio {estimate.width_ratio:.2f}); "
            "film square to the side or to the front"
        )
        found.append(
            QualityWarning("view_uncertain", "warn", message, estimate.width_ratio, VIEW_SPLIT)
        )
    if task_view is not None and estimate.view != task_view:
        message = f"the task needs a {task_view} view; the video looks {estimate.view}"
        found.append(QualityWarning("wrong_view_for_task", "warn", message, estimate.width_ratio))
    return found


def quality_checks(
    track: KeypointTrack,
    *,
    estimate: ViewEstimate | None,
    task_view: View | None = None,
    landing: bool = False,
    min_score: float = DEFAULT_MIN_SCORE,
    limits: QualityLimits | None = None,
) -> list[QualityWarning]:
    """Run every quality check; ``estimate`` None skips the view checks."""
    limits = limits or QualityLimits()
    view = task_view or (estimate.view if estimate else "sagittal")
    found = check_subject_size(track, limits=limits, min_score=min_score)
    if estimate is not None:
        found += check_view(estimate, task_view=task_view)
    found += check_occlusion(track, view=view, limits=limits, min_score=min_score)
    if landing:
        found += check_landing_fps(track.fps, limits=limits)
    return found


# --- uncertainty --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UncertaintyModel:
    """Parameters of the angle uncertainty model (see the module conventions)."""

    noise_fraction: float = 0.01
    view_floor_deg: float = 3.0
    wrong_view_deg: float = 10.0


def keypoint_sd_px(
    *, subject_px: float, score: float, model: UncertaintyModel | None = None
) -> float:
    """Return the assumed keypoint standard deviation in pixels.

    Examples
    --------
    >>> keypoint_sd_px(subject_px=500.0, score=1.0)
    5.0

    """
    model = model or UncertaintyModel()
    return model.noise_fraction * subject_px * (2.0 - min(max(score, 0.0), 1.0))


def segment_sd_deg(point_sd_px: float, length_px: float) -> float:
    """Return the direction uncertainty of a segment, ``atan(√2 σ / L)`` in degrees.

    Examples
    --------
    >>> round(segment_sd_deg(1.0, 100.0), 3)
    0.81

    """
    return math.degrees(math.atan(math.sqrt(2.0) * point_sd_px / length_px))


def angle_uncertainty(
    *,
    point_sd_px: float,
    segment_lengths_px: Sequence[float],
    fps: float,
    cutoff_hz: float | None,
    view_matches: bool,
    angular_velocity_deg_s: float = 0.0,
    model: UncertaintyModel | None = None,
) -> float:
    """Return the standard uncertainty (deg) of one 2-D angle (see the module conventions).

    Examples
    --------
    >>> round(angle_uncertainty(point_sd_px=1.0, segment_lengths_px=[100.0, 100.0],
    ...                         fps=30.0, cutoff_hz=6.0, view_matches=True), 2)
    3.09

    """
    model = model or UncertaintyModel()
    keypoints = math.sqrt(
        sum(segment_sd_deg(point_sd_px, length) ** 2 for length in segment_lengths_px)
    )
    if cutoff_hz is not None:
        keypoints *= math.sqrt(min(1.0, 2.0 * cutoff_hz / fps))
    floor = model.view_floor_deg if view_matches else model.wrong_view_deg
    timing = abs(angular_velocity_deg_s) / (fps * math.sqrt(12.0))
    return math.sqrt(keypoints**2 + floor**2 + timing**2)


def _segments(row: AngleDefinition) -> list[Segment]:
    return [row.segment] + ([row.reference] if isinstance(row.reference, Segment) else [])


def channel_uncertainties(
    track: KeypointTrack,
    *,
    view: View,
    view_matches: bool,
    cutoff_hz: float | None,
    min_score: float = DEFAULT_MIN_SCORE,
    model: UncertaintyModel | None = None,
) -> dict[str, float]:
    """Return the standard uncertainty (deg) of every angle channel of a view for this track.

    Uses the median segment lengths and keypoint scores over the frames where
    the angle is measured; NaN for an angle never measured.
    """
    points = point_set(track, min_score=min_score)
    subject_px = subject_size_px(track, min_score=min_score)
    scores = {name: track.score[:, i] for name, i in INDEX.items()}
    scores |= {
        "mid_hip": np.minimum(scores["left_hip"], scores["right_hip"]),
        "mid_shoulder": np.minimum(scores["left_shoulder"], scores["right_shoulder"]),
    }
    out: dict[str, float] = {}
    for row in definitions_for(view):
        valid = np.logical_and.reduce([points.measured[p] for p in row.points])
        if not valid.any() or not np.isfinite(subject_px):
            out[row.channel] = math.nan
            continue
        lengths = [
            float(np.median(np.linalg.norm(points.xy[s.end] - points.xy[s.start], axis=1)[valid]))
            for s in _segments(row)
        ]
        score = float(np.median(np.min([scores[p][valid] for p in row.points], axis=0)))
        sd = keypoint_sd_px(subject_px=subject_px, score=score, model=model)
        out[row.channel] = angle_uncertainty(
            point_sd_px=sd,
            segment_lengths_px=lengths,
            fps=track.fps,
            cutoff_hz=cutoff_hz,
            view_matches=view_matches,
            model=model,
        )
    return out
