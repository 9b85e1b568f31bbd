"""Camera view detection and quality warnings.

Conventions
-----------
* **View.** With the camera's yaw (:mod:`hiplab.motion.camera`, per frame) the
  view is ``"sagittal"`` when the mean yaw is nearer a side view (±90°) than
  the front or back, else ``"frontal"``; it is *oblique* (``uncertain``) when
  the mean yaw is more than :data:`~hiplab.motion.camera.PURE_VIEW_DEG` from
  the nearest pure view. Without a yaw, the width ratio decides: the width
  ratio of a frame is the mean of the shoulder width (left → right shoulder)
  and the hip width over the torso length (mid-hip → mid-shoulder), all in
  pixels. Its median over the *confident* frames (both
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
  - ``camera_oblique``: the camera is more than
    :data:`~hiplab.motion.camera.PURE_VIEW_DEG` off the view the angles need
    (the message says by how much and what it does to which angle).
  - ``camera_tilted``: the camera looks down (or up) at the subject by more
    than :data:`TILT_LIMIT_DEG`.
  - ``angles_withheld``: frames where the camera's angle makes an angle
    meaningless, left unmeasured (:mod:`hiplab.motion.projection`).
  - ``too_much_occlusion``: more than 20% of frames are lost or miss a
    keypoint the view's angles need (sagittal: every keypoint of at least one
    side; frontal: shoulders, hips, knees and ankles of both sides).
  - ``fps_too_low_for_landing``: below 60 fps ``warn`` (a frame is > 16 ms;
    domain.md §6 recommends ≥ 120 fps), below 30 fps ``refuse``.

* The uncertainty of the angles is :mod:`hiplab.motion.uncertainty`'s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from hiplab.errors import InputError
from hiplab.motion.angles import (
    ANGLE_LABELS,
    DEFAULT_MIN_SCORE,
    SIDES,
    Facing,
    Side,
    View,
    channel_label,
    estimate_facing,
    facing_per_frame,
)
from hiplab.motion.camera import PURE_VIEW_DEG, CameraGeometry, wrap_angle
from hiplab.motion.keypoints import INDEX, KEYPOINTS, KeypointTrack
from hiplab.motion.uncertainty import AngleUncertainty


def angle_name(channel: str) -> str:
    """Return the angle of a channel without its side.

    Examples
    --------
    >>> angle_name("left_knee_flexion"), angle_name("trunk_lean")
    ('knee_flexion', 'trunk_lean')

    """
    for side in ("left_", "right_"):
        if channel.startswith(side):
            return channel.removeprefix(side)
    return channel


FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Severity = Literal["info", "warn", "refuse"]
WarningCode = Literal[
    "subject_too_small",
    "wrong_view_for_task",
    "camera_oblique",
    "camera_tilted",
    "angles_withheld",
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
TILT_LIMIT_DEG = 15.0
PURE_VIEWS = (0.0, 90.0, 180.0, -90.0)
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
    yaw_deg: float | None = None
    yaw_sd_deg: float | None = None
    pitch_deg: float | None = None
    pitch_sd_deg: float | None = None
    camera_source: str | None = None


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


def _from_camera(estimate: ViewEstimate, camera: CameraGeometry | None) -> ViewEstimate:
    """Return ``estimate`` with its view decided by the camera's yaw, when there is one.

    Each frame votes side (nearer ±90°) or front/back; a subject who turns round
    (yaw +90 then −90) stays a side view. The yaw reported is the circular mean
    of the frames of the winning kind, folded onto one side.
    """
    if camera is None or not np.isfinite(camera.yaw_deg).any():
        return estimate
    yaw = camera.yaw_deg[np.isfinite(camera.yaw_deg)]
    rad = np.radians(yaw)
    side = np.abs(np.sin(rad)) >= np.abs(np.cos(rad))
    view: View = "sagittal" if side.mean() >= 0.5 else "frontal"
    offsets = np.array([min(abs(wrap_angle(float(y) - c)) for c in PURE_VIEWS) for y in yaw])
    offset = float(np.median(offsets))
    return replace(
        estimate,
        view=view,
        uncertain=offset > PURE_VIEW_DEG,
        yaw_deg=round(camera.median_yaw(), 1),
        yaw_sd_deg=round(float(np.nanmedian(camera.yaw_sd_deg)), 1),
        pitch_deg=round(camera.median_pitch(), 1),
        pitch_sd_deg=round(float(np.nanmedian(camera.pitch_sd_deg)), 1),
        camera_source=camera.source,
    )


def detect_view(
    track: KeypointTrack,
    *,
    camera: CameraGeometry | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> ViewEstimate:
    """Detect sagittal vs frontal view and the subject's orientation over a whole track.

    ``camera`` (the per-frame yaw and pitch) decides the view when given;
    otherwise the width ratio does.

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
    estimate = _from_camera(
        ViewEstimate(
            view=view,
            width_ratio=ratio,
            confident_frames=int(ratios.size),
            uncertain=SAGITTAL_RATIO <= ratio < FRONTAL_RATIO,
        ),
        camera,
    )
    if estimate.view == "frontal":
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
    """Warn when the view is not the one the task needs, or oblique without a measured yaw.

    With a measured yaw the camera's angle is judged per angle
    (:func:`camera_warnings`), so only the width ratio's oblique verdict is given here.
    """
    found: list[QualityWarning] = []
    if estimate.uncertain and estimate.yaw_deg is None:
        message = (
            f"the camera looks oblique (width ratio {estimate.width_ratio:.2f}); "
            "film square to the side or to the front"
        )
        found.append(
            QualityWarning("camera_oblique", "warn", message, estimate.width_ratio, VIEW_SPLIT)
        )
    if task_view is not None and estimate.view != task_view:
        message = f"the task needs a {task_view} view; the video looks {estimate.view}"
        found.append(QualityWarning("wrong_view_for_task", "warn", message, estimate.width_ratio))
    return found


def _angle_list(channels: Sequence[str]) -> str:
    """Return the plain names of angles without their sides, in order, joined with commas."""
    names = list(dict.fromkeys(ANGLE_LABELS[angle_name(c)] for c in channels))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def camera_warnings(
    camera: CameraGeometry, *, view: View, uncertainties: Mapping[str, AngleUncertainty]
) -> list[QualityWarning]:
    """Warn when the camera is oblique or tilted: by how much, and what it does to which angle.

    The effect is the largest median projection uncertainty over the view's
    angles (:mod:`hiplab.motion.uncertainty`); ``angles_withheld`` counts the
    frames where the geometry left angles unmeasured.
    """
    found: list[QualityWarning] = []
    measured = {c: u for c, u in uncertainties.items() if np.isfinite(u.projection).any()}
    if not measured:
        return found
    offset = float(np.nanmedian(np.concatenate([u.offset_deg for u in measured.values()])))
    worst = max(measured, key=lambda c: float(np.nanmedian(measured[c].projection)))
    effect = float(np.nanmedian(measured[worst].projection))
    target = "side" if view == "sagittal" else "front or back"
    if offset > PURE_VIEW_DEG:
        message = (
            f"the camera is {offset:.0f}° off a {target} view, so {_angle_list(list(measured))} "
            f"read less exactly (up to ±{effect:.0f}° for the {channel_label(worst)}); "
            f"film square to the {'side' if view == 'sagittal' else 'front'}"
        )
        found.append(QualityWarning("camera_oblique", "warn", message, offset, PURE_VIEW_DEG))
    pitch = camera.median_pitch()
    if math.isfinite(pitch) and abs(pitch) > TILT_LIMIT_DEG:
        direction = "down" if pitch > 0 else "up"
        message = (
            f"the camera looks {direction} {abs(pitch):.0f}° at the subject, which shortens "
            "upright segments and changes the angles between them; film from hip height"
        )
        found.append(QualityWarning("camera_tilted", "warn", message, pitch, TILT_LIMIT_DEG))
    return found + _withheld_warning(uncertainties, target=target)


def _withheld_warning(
    uncertainties: Mapping[str, AngleUncertainty], *, target: str
) -> list[QualityWarning]:
    withheld = {c: int(u.withheld.sum()) for c, u in uncertainties.items() if u.withheld.any()}
    if not withheld:
        return []
    frames = max(withheld.values())
    total = len(next(iter(uncertainties.values())).withheld)
    message = (
        f"in {frames} of {total} frames the camera is too far from a {target} view to measure "
        f"{_angle_list(list(withheld))}; they are not reported there"
    )
    return [QualityWarning("angles_withheld", "warn", message, float(frames))]


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
