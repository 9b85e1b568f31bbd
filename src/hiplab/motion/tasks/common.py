"""What every task shares: its input, result base, warnings, side choice and uncertainty.

Conventions
-----------
* A task reads one :class:`~hiplab.motion.series.TimeSeries` from
  :func:`hiplab.motion.kinematics.track_to_series`: angle channels in ``deg``
  (0 at neutral, flexion positive, see :mod:`hiplab.motion.angles`), their
  ``{name}_velocity`` in ``deg/s``, the cleaned keypoints ``{name}_x`` and
  ``{name}_y`` in pixels (y *down*) and ``series.uncertainty`` (standard
  uncertainty in deg per angle channel). Frames are 0-based indices of the
  input; times are ``series.time`` in seconds.
* Only *measured* samples are used (``series.channel(name)``: NaN where a
  keypoint was missing or filled over a gap), so no metric rests on an
  interpolated value.
* Sides: in a side (sagittal) view the leg nearer the camera is measured
  (:attr:`TaskInput.near_side`) and the far leg is used only where the near
  one is not measured, because a 2-D pose model guesses the hidden leg.
* Uncertainty: every metric has a standard uncertainty in its own unit in the
  result's ``uncertainty`` map under the metric's key. An angle read at a frame
  takes the channel's uncertainty (keypoint noise, view, filter; see
  :mod:`hiplab.motion.view`); read at a detected event it adds the timing term
  ``|ω| · σ_t`` (``σ_t`` the event's timing uncertainty); a peak adds the
  sampling term ``|α| Δt² / 8`` (``α`` the angular acceleration at the peak,
  ``Δt = 1/fps``). An event frame found to the nearest frame has ``σ_t =
  1/fps``; a time between two events adds the two in quadrature.
* Warnings are typed rows (:class:`TaskWarning`) with a stable ``code``, a
  ``severity`` and the metric keys they apply to (empty: the whole result).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from hiplab.motion.keypoints import INDEX, KeypointTrack
from hiplab.motion.series import TimeSeries

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Side = Literal["left", "right"]
View = Literal["sagittal", "frontal"]
Severity = Literal["info", "warn", "refuse"]
SIDES: tuple[Side, Side] = ("left", "right")
DEFAULT_ANGLE_SD_DEG = 3.0
"""Fallback standard uncertainty of a 2-D angle (domain.md §6: 2-D SEM 2–4°)."""
DEG_DECIMALS = 1
RAW_MIN_SCORE = 0.3


class Model(BaseModel):
    """Frozen result model: unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class TaskWarning(Model):
    """A named limit of a measurement: code, severity, message and the metrics it touches."""

    code: str
    severity: Severity = "warn"
    message: str
    applies_to: tuple[str, ...] = ()
    value: float | None = None


class TaskResult(Model):
    """Fields every task result has; tasks add their metrics beside them."""

    task: str
    view: View
    partial: bool = False
    uncertainty: dict[str, float | None] = Field(default_factory=dict)
    warnings: tuple[TaskWarning, ...] = ()


@dataclass(frozen=True)
class TaskInput:
    """One subject's kinematics and how they were filmed."""

    series: TimeSeries
    view: View
    near_side: Side | None = None
    warnings: tuple[TaskWarning, ...] = ()
    raw: KeypointTrack | None = None

    @property
    def fps(self) -> float:
        """Return the frame rate."""
        return float(self.series.fps) if self.series.fps > 0 else _fps_from_time(self.series)

    @property
    def frames(self) -> int:
        """Return the number of frames."""
        return self.series.frames

    def sides(self) -> tuple[Side, Side]:
        """Return both sides, the measured (near) one first."""
        if self.near_side == "right":
            return ("right", "left")
        return ("left", "right")


def _fps_from_time(series: TimeSeries) -> float:
    if series.frames < 2:
        return 0.0
    step = float(np.median(np.diff(series.time)))
    return 1.0 / step if step > 0 else 0.0


# --- reading channels -----------------------------------------------------------------------------


def has(series: TimeSeries, name: str) -> bool:
    """Return True when ``name`` exists and has at least one measured sample."""
    return name in series.data and bool(np.isfinite(series.channel(name)).any())


def values(series: TimeSeries, name: str, *, include_filled: bool = False) -> FloatArray:
    """Return a channel's measured samples (NaN elsewhere, all NaN if it does not exist).

    ``include_filled`` also keeps the samples interpolated over short gaps.
    """
    if name not in series.data:
        return np.full(series.frames, np.nan)
    return np.asarray(series.channel(name, include_filled=include_filled), dtype=np.float64)


def sided(inp: TaskInput, angle: str) -> tuple[FloatArray, Side | None]:
    """Return one angle for the measured side: near side, far side only where near is missing.

    The side returned is the one that gives most samples (None when neither has any).
    """
    first, second = inp.sides()
    a, b = values(inp.series, f"{first}_{angle}"), values(inp.series, f"{second}_{angle}")
    if not np.isfinite(a).any() and not np.isfinite(b).any():
        return a, None
    if inp.near_side is None and np.isfinite(b).sum() > np.isfinite(a).sum():
        first, a, b = second, b, a
    merged = np.where(np.isfinite(a), a, b)
    return merged, first


def point(series: TimeSeries, name: str) -> FloatArray:
    """Return the ``(N, 2)`` cleaned pixel track of a keypoint (y down), NaN where missing."""
    return np.stack([values(series, f"{name}_x"), values(series, f"{name}_y")], axis=1)


def raw_point(inp: TaskInput, name: str, *, min_score: float = RAW_MIN_SCORE) -> FloatArray:
    """Return a keypoint as detected (unfiltered; NaN below ``min_score`` or lost).

    Events at impacts (a foot touching down) are sharper before the low-pass;
    without a raw track the cleaned keypoint is returned.
    """
    if inp.raw is None:
        return point(inp.series, name)
    track = inp.raw
    xy = track.point(name).copy()
    bad = (track.score[:, INDEX[name]] < min_score) | track.lost
    xy[bad] = np.nan
    return np.asarray(xy, dtype=np.float64)


def velocity(series: TimeSeries, name: str, data: FloatArray | None = None) -> FloatArray:
    """Return ``{name}_velocity`` if present, else the time derivative of ``data``."""
    if f"{name}_velocity" in series.data:
        return values(series, f"{name}_velocity")
    if data is None:
        data = values(series, name)
    return derivative(data, series.time)


def derivative(data: FloatArray, time: FloatArray) -> FloatArray:
    """Return the central-difference derivative per finite run (NaN elsewhere)."""
    out = np.full_like(data, np.nan)
    for start, stop in finite_runs(data):
        if stop - start >= 2:
            out[start:stop] = np.gradient(data[start:stop], time[start:stop])
    return out


def finite_runs(data: FloatArray) -> list[tuple[int, int]]:
    """Return the ``[start, stop)`` runs where ``data`` is finite."""
    padded = np.concatenate(([False], np.isfinite(data), [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def at(data: FloatArray, frame: int | None) -> float | None:
    """Return ``data[frame]`` as a float, None when the frame is None or the value missing."""
    if frame is None or not 0 <= frame < data.shape[0]:
        return None
    value = float(data[frame])
    return value if math.isfinite(value) else None


PEAK_MIN_MEASURED = 0.6
"""Share of a window's frames that must be measured for its peak to be reported: where the
camera's angle withheld (or the pose model lost) most of a repetition, its largest measured
value is not the repetition's peak."""


def peak(data: FloatArray, start: int, stop: int) -> tuple[int | None, float | None]:
    """Return ``(frame, value)`` of the largest finite value in ``[start, stop)``.

    None when fewer than :data:`PEAK_MIN_MEASURED` of the window's frames are measured.
    """
    window = data[start:stop]
    if window.size == 0 or np.isfinite(window).mean() < PEAK_MIN_MEASURED:
        return None, None
    index = int(np.nanargmax(window))
    return start + index, float(window[index])


SQUAT_PEAK_CUTOFF_HZ = 2.0
"""Low-pass cutoff for reading a squat's frontal-plane peaks (a rep lasts 1–4 s)."""

LANDING_PEAK_CUTOFF_HZ = 6.0
"""Low-pass cutoff for reading a landing's frontal-plane peaks (reached 0.1–0.2 s after
contact: a quarter period of 0.15 s is below 2 Hz, so 6 Hz keeps its shape)."""


def low_passed_peak(
    data: FloatArray, start: int, stop: int, *, fps: float, cutoff_hz: float
) -> tuple[int | None, float | None]:
    """Return ``(frame, value)`` of the peak in ``[start, stop)`` of ``data`` low-passed again.

    Why: the default filter (6 Hz at 30 fps, 12 Hz at 120 fps) leaves keypoint noise in,
    and the largest of many noisy frames overshoots the true peak. Read from a copy
    low-passed at the movement's own band it overshoots much less (synthetic truth,
    2 px noise: squat FPPA +4.0° → +1.4°, pelvic drop +2.3° → +0.8°, landing FPPA
    +1.9° → +0.9°; :mod:`benchmarks.motion_accuracy`).

    Short dropouts are bridged by straight lines for the filter only: unmeasured
    frames are never the peak. A frame rate too low for the cutoff leaves ``data``
    as it is.
    """
    from hiplab.errors import InputError
    from hiplab.motion.filters import butterworth

    usable = np.isfinite(data)
    if not usable.any():
        return None, None
    try:
        smooth = butterworth(
            fill_for_search(data), np.ones_like(usable), fps=fps, cutoff_hz=cutoff_hz
        ).values
    except InputError:  # fps too low for the cutoff: nothing to gain
        smooth = data
    return peak(np.where(usable, smooth, np.nan), start, stop)


def fill_for_search(data: FloatArray) -> FloatArray:
    """Return ``data`` with NaN interpolated (for event search only, never for reporting)."""
    ok = np.isfinite(data)
    if ok.all() or not ok.any():
        return data.copy()
    index = np.arange(data.shape[0])
    return np.asarray(np.interp(index, index[ok], data[ok]), dtype=np.float64)


def rounded(value: float | None, digits: int = DEG_DECIMALS) -> float | None:
    """Return ``value`` rounded for reporting (None stays None, NaN becomes None)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


# --- uncertainty ----------------------------------------------------------------------------------


def channel_sd(series: TimeSeries, name: str, frame: int | None = None) -> float:
    """Return a channel's standard uncertainty (deg) at ``frame``, or its summary.

    The per-frame value (:meth:`~hiplab.motion.series.TimeSeries.frame_sd`: the camera's
    angle changes it frame by frame) where known; the channel's summary otherwise; the
    2-D fallback when neither is given.
    """
    if frame is not None and name in series.sd and 0 <= frame < series.frames:
        at_frame = float(series.sd[name][frame])
        if math.isfinite(at_frame):
            return at_frame
    value = series.uncertainty.get(name)
    if value is None or not math.isfinite(value):
        return DEFAULT_ANGLE_SD_DEG
    return float(value)


def sided_sd(inp: TaskInput, angle: str, side: Side | None, frame: int | None = None) -> float:
    """Return the uncertainty of a sided angle (the larger of both sides when side is None)."""
    if side is not None:
        return channel_sd(inp.series, f"{side}_{angle}", frame)
    return max(channel_sd(inp.series, f"{s}_{angle}", frame) for s in SIDES)


def frame_sd_s(fps: float) -> float:
    """Return the timing uncertainty of an event found to the nearest frame (s)."""
    return 1.0 / fps if fps > 0 else math.nan


def sd_at_event(base_sd: float, rate: float | None, timing_sd_s: float) -> float:
    """Return the uncertainty of a value read at an event: base ⊕ ``|rate| · σ_t``."""
    term = 0.0 if rate is None or not math.isfinite(rate) else abs(rate) * timing_sd_s
    return math.hypot(base_sd, term)


def sd_of_peak(base_sd: float, data: FloatArray, frame: int | None, fps: float) -> float:
    """Return the uncertainty of a sampled peak: base ⊕ ``|α| Δt² / 8``."""
    if frame is None or fps <= 0 or not 0 < frame < data.shape[0] - 1:
        return base_sd
    curvature = (data[frame - 1] - 2 * data[frame] + data[frame + 1]) * fps**2
    if not math.isfinite(curvature):
        return base_sd
    return math.hypot(base_sd, abs(curvature) / (8 * fps**2))


def combine(*terms: float | None) -> float | None:
    """Return the root sum of squares of the terms (None if any is None)."""
    if any(t is None or not math.isfinite(t) for t in terms):
        return None
    return math.sqrt(sum(float(t) ** 2 for t in terms if t is not None))


# --- warnings -------------------------------------------------------------------------------------


def warning(
    code: str, message: str, *, applies_to: Sequence[str] = (), severity: Severity = "warn"
) -> TaskWarning:
    """Return a task warning."""
    return TaskWarning(code=code, severity=severity, message=message, applies_to=tuple(applies_to))


def wrong_view(task: str, needed: View, have: View, keys: Sequence[str]) -> TaskWarning:
    """Return the warning for metrics that cannot be measured in this view."""
    return warning(
        "not_measurable_in_view",
        f"{task}: {', '.join(keys)} need a {needed} view; this video is {have}",
        applies_to=keys,
    )
