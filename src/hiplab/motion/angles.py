"""2-D joint and segment angles from a keypoint track, with written conventions.

Conventions
-----------
* Degrees. Image pixels have y *down*; every angle here is computed after
  flipping to y *up* (``x, -y``), where a positive signed angle turns
  counter-clockwise.
* Left/right are the *subject's* sides. Sided channels are ``{side}_{name}``
  (``right_knee_flexion``); whole-body channels are plain (``trunk_lean``).
* 0 is anatomical neutral (standing upright, feet flat); flexion and
  dorsiflexion are positive.
* ``facing`` (sagittal view): ``"right"`` when the subject, turned upright,
  faces image right. In general it is the handedness of the figure: the
  cross product anterior × superior is positive (out of the image) for
  ``"right"``; so a subject lying supine with the head at image left also
  counts as ``"right"``, and ``"right"`` means the subject's right side is the
  one nearer the camera. It is estimated from the toes (the direction heel →
  foot index against ankle → knee, which holds in any body orientation),
  falling back to the nose ahead of the shoulders, with hysteresis: the
  per-frame votes are summed over a centred one-second window and a facing
  must hold for at least one second (:data:`FACING_MIN_RUN_S`), so sides
  never flicker; a subject who really turns round is followed after the turn.
* Sagittal angles (``view="sagittal"``), per side unless noted:

  - ``hip_flexion``: from the trunk line (same-side shoulder → hip) to the
    thigh (hip → knee); 0 standing straight, positive when the thigh comes
    forward of the trunk line, negative in extension.
  - ``knee_flexion``: from the shank (knee → ankle) to the thigh (hip → knee);
    0 straight, positive bent, negative in hyperextension.
  - ``ankle_dorsiflexion``: the shank (knee → ankle) to foot (heel → foot
    index) angle minus 90; positive when the toes come toward the shin.
  - ``thigh_angle``: thigh (hip → knee) against the horizontal, positive when
    the knee is above the hip, in [-90, 90] (-90 standing; a hanging thigh in
    the Thomas test is negative).
  - ``trunk_lean`` (plain): trunk (mid-hip → mid-shoulder) from the vertical,
    positive forward.

* Frontal angles (``view="frontal"``); the medial direction of a side is
  taken from its hip toward the other hip, once per track:

  - ``knee_fppa``: frontal-plane projection angle, 180 minus the
    hip-knee-ankle angle; positive in valgus (knee toward the midline),
    negative in varus.
  - ``pelvic_drop``: the hip-to-hip line against the horizontal, positive when
    the named side's hip is lower (``left_pelvic_drop == -right_pelvic_drop``).
  - ``trunk_lateral_lean`` (plain): trunk from the vertical, positive toward
    the subject's right.

* Each angle is a typed row (:class:`AngleDefinition`): the signed angle from
  ``reference`` to ``segment`` (``measure="between"``) or the elevation of
  ``segment`` (``measure="elevation"``), times the orientation named by
  ``sign``, minus ``zero``. Left rows are the right rows mirrored
  (:func:`mirror_definition`).
* Mirror symmetry: mirroring the image left-right and swapping the left/right
  keypoint labels exchanges every ``left_`` and ``right_`` channel, keeps
  ``trunk_lean`` and negates ``trunk_lateral_lean`` (a lean toward the right
  becomes one toward the left).
* No wraps: each contiguous run of samples is unwrapped and shifted by a
  multiple of 360 so that its median lies in ``[wrap, wrap + 360)``.
* A sample is valid when every keypoint the row uses has a score of at least
  ``min_score``, finite coordinates, and the frame is not ``lost``. Samples
  whose keypoints were filled over a short gap (``filled``) carry a value and
  are marked filled, not valid. Angular velocities ``{channel}_velocity`` are
  in deg/s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from hiplab.errors import InputError
from hiplab.motion.filters import angular_velocity, runs
from hiplab.motion.keypoints import INDEX, KeypointTrack
from hiplab.motion.series import TimeSeries

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Side = Literal["left", "right"]
View = Literal["sagittal", "frontal"]
Facing = Literal["left", "right"]
Measure = Literal["between", "elevation"]
Basis = Literal["facing", "medial", "subject_right", "none"]
VERTICAL: Literal["vertical"] = "vertical"
SIDES: tuple[Side, Side] = ("right", "left")
MID_POINTS: Mapping[str, tuple[str, str]] = {
    "mid_hip": ("left_hip", "right_hip"),
    "mid_shoulder": ("left_shoulder", "right_shoulder"),
}
DEFAULT_MIN_SCORE = 0.3
FACING_MIN_RUN_S = 1.0


@dataclass(frozen=True)
class Segment:
    """A directed segment from keypoint ``start`` to keypoint ``end``."""

    start: str
    end: str


@dataclass(frozen=True)
class Sign:
    """How an angle's sign is fixed: an orientation ``basis`` times ``polarity``.

    ``facing`` is +1 for a subject facing right (see the module conventions),
    ``medial`` is +1 when the row side's medial direction is image right,
    ``subject_right`` is +1 when the subject's right hip is at image right,
    ``none`` is +1.
    """

    basis: Basis
    polarity: Literal[1, -1] = 1


@dataclass(frozen=True)
class AngleDefinition:
    """One angle as data; see the module docstring for the formula."""

    name: str
    side: Side | None
    view: View
    measure: Measure
    segment: Segment
    reference: Segment | Literal["vertical"] | None
    sign: Sign
    zero: float = 0.0
    wrap: float = -180.0

    @property
    def channel(self) -> str:
        """Return the channel name: ``{side}_{name}`` or ``name``."""
        return self.name if self.side is None else f"{self.side}_{self.name}"

    @property
    def points(self) -> tuple[str, ...]:
        """Return the keypoints (or mid points) the row uses, without repeats."""
        names = [self.segment.start, self.segment.end]
        if isinstance(self.reference, Segment):
            names += [self.reference.start, self.reference.end]
        return tuple(dict.fromkeys(names))


def _swap_side(name: str) -> str:
    """Return a keypoint name with ``left_`` and ``right_`` exchanged."""
    for a, b in (("left_", "right_"), ("right_", "left_")):
        if name.startswith(a):
            return b + name[len(a) :]
    return name


def _mirror_segment(segment: Segment) -> Segment:
    return Segment(_swap_side(segment.start), _swap_side(segment.end))


def mirror_definition(row: AngleDefinition) -> AngleDefinition:
    """Return the same angle for the other side (points and side swapped)."""
    other: Side | None = None if row.side is None else ("left" if row.side == "right" else "right")
    reference = row.reference
    if isinstance(reference, Segment):
        reference = _mirror_segment(reference)
    return replace(row, side=other, segment=_mirror_segment(row.segment), reference=reference)


RIGHT_DEFINITIONS: tuple[AngleDefinition, ...] = (
    AngleDefinition(
        name="hip_flexion",
        side="right",
        view="sagittal",
        measure="between",
        segment=Segment("right_hip", "right_knee"),
        reference=Segment("right_shoulder", "right_hip"),
        sign=Sign("facing"),
    ),
    AngleDefinition(
        name="knee_flexion",
        side="right",
        view="sagittal",
        measure="between",
        segment=Segment("right_hip", "right_knee"),
        reference=Segment("right_knee", "right_ankle"),
        sign=Sign("facing"),
    ),
    AngleDefinition(
        name="ankle_dorsiflexion",
        side="right",
        view="sagittal",
        measure="between",
        segment=Segment("right_heel", "right_foot_index"),
        reference=Segment("right_knee", "right_ankle"),
        sign=Sign("facing"),
        zero=90.0,
    ),
    AngleDefinition(
        name="thigh_angle",
        side="right",
        view="sagittal",
        measure="elevation",
        segment=Segment("right_hip", "right_knee"),
        reference=None,
        sign=Sign("none"),
    ),
    AngleDefinition(
        name="knee_fppa",
        side="right",
        view="frontal",
        measure="between",
        segment=Segment("right_knee", "right_ankle"),
        reference=Segment("right_hip", "right_knee"),
        sign=Sign("medial", polarity=-1),
    ),
    AngleDefinition(
        name="pelvic_drop",
        side="right",
        view="frontal",
        measure="elevation",
        segment=Segment("left_hip", "right_hip"),
        reference=None,
        sign=Sign("none", polarity=-1),
    ),
)
BODY_DEFINITIONS: tuple[AngleDefinition, ...] = (
    AngleDefinition(
        name="trunk_lean",
        side=None,
        view="sagittal",
        measure="between",
        segment=Segment("mid_hip", "mid_shoulder"),
        reference=VERTICAL,
        sign=Sign("facing", polarity=-1),
    ),
    AngleDefinition(
        name="trunk_lateral_lean",
        side=None,
        view="frontal",
        measure="between",
        segment=Segment("mid_hip", "mid_shoulder"),
        reference=VERTICAL,
        sign=Sign("subject_right", polarity=-1),
    ),
)
DEFINITIONS: tuple[AngleDefinition, ...] = (
    *RIGHT_DEFINITIONS,
    *(mirror_definition(row) for row in RIGHT_DEFINITIONS),
    *BODY_DEFINITIONS,
)


ANGLE_LABELS: Mapping[str, str] = {
    "hip_flexion": "hip flexion",
    "knee_flexion": "knee flexion",
    "ankle_dorsiflexion": "ankle dorsiflexion",
    "thigh_angle": "thigh angle",
    "knee_fppa": "knee valgus angle",
    "pelvic_drop": "pelvic drop",
    "trunk_lean": "forward trunk lean",
    "trunk_lateral_lean": "sideways trunk lean",
}
"""The plain name of every angle, for what people read."""


def channel_label(channel: str) -> str:
    """Return the plain name of an angle channel.

    Examples
    --------
    >>> channel_label("right_knee_fppa"), channel_label("trunk_lean")
    ('right knee valgus angle', 'forward trunk lean')

    """
    for side in SIDES:
        if channel.startswith(f"{side}_"):
            return f"{side} {ANGLE_LABELS[channel.removeprefix(f'{side}_')]}"
    return ANGLE_LABELS[channel]


def definitions_for(view: View) -> tuple[AngleDefinition, ...]:
    """Return the angle rows measured in a view."""
    return tuple(row for row in DEFINITIONS if row.view == view)


def angle_channels(view: View) -> tuple[str, ...]:
    """Return the angle channel names measured in a view (velocities not included)."""
    return tuple(row.channel for row in definitions_for(view))


# --- geometry (y-up vectors, degrees) ---------------------------------------------------------


def y_up(xy: FloatArray) -> FloatArray:
    """Return image points ``(..., 2)`` with y flipped to point up."""
    return np.stack([xy[..., 0], -xy[..., 1]], axis=-1)


def signed_angle(a: FloatArray, b: FloatArray) -> FloatArray:
    """Return the counter-clockwise angle from vectors ``a`` to ``b`` (y up), in (-180, 180].

    Examples
    --------
    >>> float(signed_angle(np.array([1.0, 0.0]), np.array([0.0, 1.0])))
    90.0

    """
    cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    dot = a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1]
    return np.asarray(np.degrees(np.arctan2(cross, dot)), dtype=np.float64)


def elevation(v: FloatArray) -> FloatArray:
    """Return the angle of vectors ``v`` (y up) above the horizontal, in [-90, 90].

    Examples
    --------
    >>> float(elevation(np.array([-1.0, 1.0])))
    45.0

    """
    return np.asarray(np.degrees(np.arctan2(v[..., 1], np.abs(v[..., 0]))), dtype=np.float64)


def joint_angle(proximal: FloatArray, joint: FloatArray, distal: FloatArray) -> FloatArray:
    """Return the unsigned inner angle proximal-joint-distal in [0, 180] degrees.

    Examples
    --------
    >>> float(joint_angle(np.array([0.0, 1.0]), np.zeros(2), np.array([1.0, 0.0])))
    90.0

    """
    return np.abs(signed_angle(proximal - joint, distal - joint))


def unwrap_runs(values: FloatArray, usable: BoolArray, *, wrap: float = -180.0) -> FloatArray:
    """Unwrap each usable run and put its median in ``[wrap, wrap + 360)``.

    Examples
    --------
    >>> unwrap_runs(np.array([170.0, 179.0, -172.0]), np.ones(3, bool)).tolist()
    [170.0, 179.0, 188.0]

    """
    out = np.where(usable, values, np.nan)
    for start, stop in runs(usable):
        run = np.unwrap(out[start:stop], period=360.0)
        shift = 360.0 * np.floor((np.median(run) - wrap) / 360.0)
        out[start:stop] = run - shift
    return out


# --- orientation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Orientation:
    """Signs per track: ``facing`` per frame (sagittal), ``medial`` per side, ``subject_right``.

    Each is +1 or -1, or NaN when it could not be determined.
    """

    facing: FloatArray
    medial: Mapping[Side, float]
    subject_right: float

    def factor(self, row: AngleDefinition) -> FloatArray | float:
        """Return the orientation sign a row's ``sign.basis`` names."""
        if row.sign.basis == "facing":
            return self.facing
        if row.sign.basis == "medial":
            return self.medial[row.side] if row.side is not None else np.nan
        if row.sign.basis == "subject_right":
            return self.subject_right
        return 1.0


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0], dtype=np.float64)


def _vote(cross: FloatArray, weight: FloatArray) -> FloatArray:
    ok = np.isfinite(cross) & (weight > 0)
    return np.where(ok, np.sign(np.where(ok, cross, 0.0)) * weight, 0.0)


def facing_votes(track: KeypointTrack) -> FloatArray:
    """Return per frame a signed facing vote (positive: facing right; 0: no evidence).

    The feet vote with the sign of (heel → foot index) × (ankle → knee), each
    weighted by the smallest score of its four keypoints; a frame without feet
    votes with (mid-shoulder → nose) × (mid-hip → mid-shoulder).
    """
    xy, score = y_up(track.xy), track.score
    feet = np.zeros(track.frames)
    for side in SIDES:
        heel, toe, ankle, knee = (
            INDEX[f"{side}_{p}"] for p in ("heel", "foot_index", "ankle", "knee")
        )
        cross = _cross(xy[:, toe] - xy[:, heel], xy[:, knee] - xy[:, ankle])
        feet += _vote(cross, score[:, [heel, toe, ankle, knee]].min(axis=1))
    shoulder = _mid(xy, "mid_shoulder")
    cross = _cross(xy[:, INDEX["nose"]] - shoulder, shoulder - _mid(xy, "mid_hip"))
    weight = score[:, [INDEX["nose"], INDEX["left_shoulder"], INDEX["right_shoulder"]]]
    return np.where(feet != 0, feet, _vote(cross, weight.min(axis=1)))


def estimate_facing(track: KeypointTrack) -> float:
    """Return the dominant facing of a track: +1 (right), -1 (left) or NaN if unknown."""
    total = float(facing_votes(track).sum())
    return float(np.sign(total)) if total != 0 else np.nan


def _fill_zeros(signs: FloatArray) -> FloatArray:
    """Carry the last non-zero sign forward (the first one backward) over zeros."""
    index = np.where(signs != 0, np.arange(signs.size), 0)
    index = np.maximum.accumulate(index)
    out = np.asarray(signs[index], dtype=np.float64)
    first = np.flatnonzero(signs != 0)[0]
    out[:first] = signs[first]
    return out


def facing_per_frame(track: KeypointTrack, *, min_run_s: float | None = None) -> FloatArray:
    """Return the facing (+1 right, -1 left) of every frame, all NaN without any evidence.

    Votes are summed over a centred window of ``min_run_s`` seconds (default
    :data:`FACING_MIN_RUN_S`); runs of one facing shorter than the window take
    the facing of the run before them (the first run: the one after it).
    """
    votes = facing_votes(track)
    if not votes.any():
        return np.full(track.frames, np.nan)
    run_s = FACING_MIN_RUN_S if min_run_s is None else min_run_s
    width = int(np.clip(round(run_s * track.fps), 1, track.frames))
    signs = _fill_zeros(np.sign(np.convolve(votes, np.ones(width), mode="same")))
    spans = runs_of_values(signs)
    if len(spans) > 1:
        for i, (start, stop) in enumerate(spans):
            if stop - start < width:
                neighbour = spans[i - 1] if i > 0 else spans[i + 1]
                signs[start:stop] = signs[neighbour[0]]
    return np.asarray(signs, dtype=np.float64)


def runs_of_values(values: FloatArray) -> list[tuple[int, int]]:
    """Return the ``[start, stop)`` runs of equal consecutive values.

    Examples
    --------
    >>> runs_of_values(np.array([1.0, 1.0, -1.0, 1.0]))
    [(0, 2), (2, 3), (3, 4)]

    """
    if values.size == 0:
        return []
    edges = np.flatnonzero(np.diff(values) != 0) + 1
    bounds = [0, *edges.tolist(), int(values.size)]
    return list(pairwise(bounds))


def _mid(xy: FloatArray, name: str) -> FloatArray:
    a, b = MID_POINTS[name]
    return np.asarray(0.5 * (xy[:, INDEX[a]] + xy[:, INDEX[b]]), dtype=np.float64)


def estimate_orientation(track: KeypointTrack, *, facing: Facing | None = None) -> Orientation:
    """Return the orientation signs (``facing`` given for the whole track, or per frame)."""
    if facing is None:
        sign = facing_per_frame(track)
    else:
        sign = np.full(track.frames, 1.0 if facing == "right" else -1.0)
    right_minus_left = track.xy[:, INDEX["right_hip"], 0] - track.xy[:, INDEX["left_hip"], 0]
    finite = right_minus_left[np.isfinite(right_minus_left)]
    subject_right = float(np.sign(np.median(finite))) if finite.size else np.nan
    if subject_right == 0:
        subject_right = np.nan
    return Orientation(
        facing=sign,
        medial={"right": -subject_right, "left": subject_right},
        subject_right=subject_right,
    )


# --- evaluation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointSet:
    """Keypoints in y-up coordinates with per-point measured and filled masks."""

    xy: Mapping[str, FloatArray]
    measured: Mapping[str, BoolArray]
    filled: Mapping[str, BoolArray]


def point_set(
    track: KeypointTrack, *, min_score: float = DEFAULT_MIN_SCORE, filled: BoolArray | None = None
) -> PointSet:
    """Return every keypoint and mid point of a track with its masks.

    ``measured``: score ≥ ``min_score``, finite and the frame not lost;
    ``filled``: given as filled (``(N, K)``), finite and not measured.
    """
    xy = y_up(track.xy)
    finite = np.isfinite(xy).all(axis=-1)
    measured = (track.score >= min_score) & finite & ~track.lost[:, None]
    was_filled = np.zeros_like(measured) if filled is None else filled & finite & ~measured
    points = {name: xy[:, i] for name, i in INDEX.items()}
    meas = {name: measured[:, i] for name, i in INDEX.items()}
    fill = {name: was_filled[:, i] for name, i in INDEX.items()}
    for mid, (a, b) in MID_POINTS.items():
        points[mid] = 0.5 * (points[a] + points[b])
        meas[mid] = meas[a] & meas[b]
        fill[mid] = (meas[a] | fill[a]) & (meas[b] | fill[b]) & ~meas[mid]
    return PointSet(xy=points, measured=meas, filled=fill)


def _vector(points: PointSet, segment: Segment) -> FloatArray:
    return np.asarray(points.xy[segment.end] - points.xy[segment.start], dtype=np.float64)


def evaluate(row: AngleDefinition, points: PointSet, orientation: Orientation) -> FloatArray:
    """Return one angle row's raw values (degrees, before unwrapping), NaN where undefined."""
    target = _vector(points, row.segment)
    if row.measure == "elevation":
        raw = elevation(target)
    else:
        if row.reference is None:
            raise ValueError(f"angle row {row.channel!r} measures 'between' without a reference")
        if isinstance(row.reference, Segment):
            reference = _vector(points, row.reference)
        else:
            reference = np.broadcast_to(np.array([0.0, 1.0]), target.shape)
        raw = signed_angle(reference, target)
    return np.asarray(
        row.sign.polarity * orientation.factor(row) * raw - row.zero, dtype=np.float64
    )


def row_masks(row: AngleDefinition, points: PointSet) -> tuple[BoolArray, BoolArray]:
    """Return ``(valid, filled)`` for a row: all points measured / all usable, some filled."""
    valid = np.logical_and.reduce([points.measured[p] for p in row.points])
    usable = np.logical_and.reduce([points.measured[p] | points.filled[p] for p in row.points])
    return valid, usable & ~valid


def compute_angles(
    track: KeypointTrack,
    *,
    view: View,
    facing: Facing | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    filled: BoolArray | None = None,
) -> TimeSeries:
    """Compute every angle of a view, with its angular velocity, as a :class:`TimeSeries`.

    Parameters
    ----------
    track
        Keypoints in pixels (y down).
    view
        ``"sagittal"`` or ``"frontal"``: which rows of :data:`DEFINITIONS` to use.
    facing
        Sagittal only: ``"left"`` or ``"right"``; estimated from the toes if None.
    min_score
        Keypoint score from which a keypoint counts as measured.
    filled
        ``(N, K)`` mask of keypoints filled over a short gap (values usable, not measured).

    Returns
    -------
    TimeSeries
        Channels ``{side}_{name}`` and plain names in ``"deg"``, plus
        ``{channel}_velocity`` in ``"deg/s"``; valid and filled masks per channel.

    """
    if view not in ("sagittal", "frontal"):
        raise InputError(f"view must be 'sagittal' or 'frontal'; got {view!r}")
    points = point_set(track, min_score=min_score, filled=filled)
    orientation = estimate_orientation(track, facing=facing)
    series = TimeSeries(time=track.time_s, fps=track.fps)
    for row in definitions_for(view):
        raw = evaluate(row, points, orientation)
        valid, was_filled = row_masks(row, points)
        usable = (valid | was_filled) & np.isfinite(raw)
        valid, was_filled = valid & usable, was_filled & usable
        values = unwrap_runs(raw, usable, wrap=row.wrap)
        series = series.with_channel(row.channel, values, "deg", valid, filled=was_filled)
        velocity, moving = angular_velocity(values, usable, track.time_s)
        series = series.with_channel(
            f"{row.channel}_velocity", velocity, "deg/s", moving & valid, filled=moving & was_filled
        )
    return series
