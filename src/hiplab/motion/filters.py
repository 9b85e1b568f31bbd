"""Cleaning of time-first signals: gap filling, zero-lag low-pass, angular velocity.

Conventions
-----------
* Signals are time-first arrays ``values`` of shape ``(N, ...)`` with a boolean
  mask ``usable`` whose shape is a prefix of ``values.shape`` (``(N,)`` for a
  channel, ``(N, K)`` for keypoints ``(N, K, 2)``): one mask per column, shared
  by the trailing axes (x and y of a keypoint are usable together).
* Nothing is filtered or interpolated across an unusable sample except by
  :func:`fill_gaps`, and only over *interior* gaps of at most ``max_gap``
  samples (gaps at the start or end are never extrapolated). Longer gaps stay
  NaN and unusable; filled samples are reported in a separate mask.
* :func:`butterworth` is a zero-lag low-pass: a Butterworth filter of ``order``
  (default 2) run forwards and backwards (``scipy.signal.filtfilt``), so the
  effective order is twice that (4th by default) and the phase lag is zero. The
  design cutoff is corrected for the double pass (Winter, *Biomechanics and
  Motor Control of Human Movement*, 4th ed., §3.4.4.3:
  ``C = (2 ** (1 / 2) - 1) ** (1 / (2 * order))``, 0.802 for order 2) so the
  -3 dB point of the whole operation is at ``cutoff_hz``. It runs on each
  contiguous usable segment separately; a segment no longer than the
  ``filtfilt`` padding (``3 * (order + 1)`` samples) is left unfiltered and
  reported.
* Default cutoff (:func:`default_cutoff`): 6 Hz up to 60 fps (ordinary movement
  such as squats and holds), 12 Hz above (landings filmed fast), never above
  ``0.3 * fps``.
* :func:`angular_velocity` differentiates over time with central differences
  (``numpy.gradient`` with the sample times), per contiguous usable segment;
  the unit is the signal's unit per second (deg → deg/s).
* Filters are looked up by name in :data:`FILTERS` (``"butterworth"``,
  ``"median"``, ``"none"``); each is a frozen parameter class with an
  ``apply`` method, built with :func:`make_filter`.

Examples
--------
>>> import numpy as np
>>> values = np.array([0.0, 1.0, np.nan, 3.0, 4.0])
>>> result = fill_gaps(values, np.isfinite(values), max_gap=2)
>>> result.values.tolist(), result.filled.tolist()
([0.0, 1.0, 2.0, 3.0, 4.0], [False, False, True, False, False])

"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import ClassVar, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from hiplab.errors import InputError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
GapMethod = Literal["linear", "cubic"]

WINTER_PASSES = 2
NORMAL_MOVEMENT_CUTOFF_HZ = 6.0
FAST_MOVEMENT_CUTOFF_HZ = 12.0
FAST_FPS = 60.0
MAX_CUTOFF_FRACTION_OF_FPS = 0.3
MIN_CUBIC_POINTS = 4


@dataclass(frozen=True)
class Segment:
    """A run of samples ``[start, stop)`` in one mask column (flat index over trailing axes)."""

    column: int
    start: int
    stop: int

    @property
    def length(self) -> int:
        """Return the number of samples."""
        return self.stop - self.start


@dataclass(frozen=True)
class GapFill:
    """Result of :func:`fill_gaps`: values, the filled mask and the gaps left open."""

    values: FloatArray
    filled: BoolArray
    open_gaps: tuple[Segment, ...]


@dataclass(frozen=True)
class FilterResult:
    """Result of a filter: the filtered values and the segments left unfiltered."""

    values: FloatArray
    unfiltered: tuple[Segment, ...] = ()


def runs(mask: BoolArray) -> list[tuple[int, int]]:
    """Return the ``[start, stop)`` runs where a 1-D mask is True.

    Examples
    --------
    >>> runs(np.array([True, True, False, True]))
    [(0, 2), (3, 4)]

    """
    padded = np.concatenate(([False], np.asarray(mask, dtype=bool), [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _columns(values: FloatArray, usable: BoolArray) -> tuple[FloatArray, BoolArray]:
    """Reshape to ``(N, M, R)`` values and ``(N, M)`` masks (M mask columns)."""
    if values.shape[: usable.ndim] != usable.shape:
        raise ValueError(
            f"usable mask shape {usable.shape} must be a prefix of values shape {values.shape}"
        )
    n, columns = values.shape[0], int(np.prod(usable.shape[1:]))
    trailing = int(np.prod(values.shape[usable.ndim :]))
    return values.reshape(n, columns, trailing), usable.reshape(n, columns)


def _fill_column(
    column: FloatArray, ok: BoolArray, gaps: list[tuple[int, int]], method: GapMethod
) -> FloatArray:
    """Interpolate ``column`` (N, R) at the given gaps from the usable samples."""
    known = np.flatnonzero(ok)
    wanted = np.concatenate([np.arange(a, b) for a, b in gaps])
    out = column.copy()
    if method == "cubic" and known.size >= MIN_CUBIC_POINTS:
        from scipy.interpolate import CubicSpline

        out[wanted] = CubicSpline(known, column[known], axis=0)(wanted)
        return out
    for r in range(column.shape[1]):
        out[wanted, r] = np.interp(wanted, known, column[known, r])
    return out


def fill_gaps(
    values: FloatArray, usable: BoolArray, *, max_gap: int, method: GapMethod = "linear"
) -> GapFill:
    """Fill interior gaps of at most ``max_gap`` samples by interpolation.

    Parameters
    ----------
    values
        ``(N, ...)`` signal; unusable samples may hold anything (they are ignored).
    usable
        Mask whose shape is a prefix of ``values.shape``.
    max_gap
        Longest gap (in samples) that is filled; 0 fills nothing.
    method
        ``"linear"`` or ``"cubic"`` (cubic spline through the usable samples;
        linear when a column has fewer than 4 of them).

    Returns
    -------
    GapFill
        ``values`` with gaps filled and NaN in every other unusable sample,
        ``filled`` (shape of ``usable``) and the gaps left open.

    """
    if max_gap < 0:
        raise InputError(f"max_gap must be >= 0 samples; got {max_gap}")
    cols, ok = _columns(np.asarray(values, dtype=np.float64), usable)
    out = np.where(ok[..., None], cols, np.nan)
    filled = np.zeros_like(ok)
    open_gaps: list[Segment] = []
    n = ok.shape[0]
    for m in range(ok.shape[1]):
        gaps = runs(~ok[:, m])
        short = [(a, b) for a, b in gaps if a > 0 and b < n and b - a <= max_gap]
        open_gaps += [Segment(m, a, b) for a, b in gaps if (a, b) not in short]
        if short:
            out[:, m] = _fill_column(out[:, m], ok[:, m], short, method)
            for a, b in short:
                filled[a:b, m] = True
    return GapFill(
        values=out.reshape(values.shape),
        filled=filled.reshape(usable.shape),
        open_gaps=tuple(open_gaps),
    )


def default_cutoff(fps: float) -> float:
    """Return the default low-pass cutoff in Hz for a frame rate.

    Examples
    --------
    >>> default_cutoff(30.0), default_cutoff(120.0), default_cutoff(10.0)
    (6.0, 12.0, 3.0)

    """
    base = NORMAL_MOVEMENT_CUTOFF_HZ if fps <= FAST_FPS else FAST_MOVEMENT_CUTOFF_HZ
    return min(base, MAX_CUTOFF_FRACTION_OF_FPS * fps)


def butterworth_design(
    *, fps: float, cutoff_hz: float, order: int
) -> tuple[FloatArray, FloatArray]:
    """Return ``(b, a)`` of the low-pass whose forward-backward pass is -3 dB at ``cutoff_hz``."""
    if fps <= 0:
        raise InputError(f"fps must be > 0; got {fps}")
    if order < 1:
        raise InputError(f"order must be >= 1; got {order}")
    correction = (2 ** (1 / WINTER_PASSES) - 1) ** (1 / (2 * order))
    normalised = cutoff_hz / correction / (fps / 2)
    if not 0 < normalised < 1:
        limit = 0.5 * fps * correction
        raise InputError(
            f"cutoff_hz must be > 0 and < {limit:.2f} Hz at {fps:g} fps; got {cutoff_hz}"
        )
    from scipy.signal import butter

    b, a = butter(order, normalised, btype="low")
    return np.asarray(b, dtype=np.float64), np.asarray(a, dtype=np.float64)


def butterworth(
    values: FloatArray,
    usable: BoolArray,
    *,
    fps: float,
    cutoff_hz: float | None = None,
    order: int = 2,
) -> FilterResult:
    """Low-pass ``values`` without lag on each contiguous usable segment.

    Unusable samples come back NaN; segments too short for ``filtfilt`` come
    back unfiltered and are listed in ``unfiltered``.
    """
    from scipy.signal import filtfilt

    cutoff = default_cutoff(fps) if cutoff_hz is None else cutoff_hz
    b, a = butterworth_design(fps=fps, cutoff_hz=cutoff, order=order)
    padlen = 3 * max(len(a), len(b))
    cols, ok = _columns(np.asarray(values, dtype=np.float64), usable)
    out = np.where(ok[..., None], cols, np.nan)
    short: list[Segment] = []
    for m in range(ok.shape[1]):
        for start, stop in runs(ok[:, m]):
            if stop - start <= padlen:
                short.append(Segment(m, start, stop))
                continue
            out[start:stop, m] = filtfilt(b, a, out[start:stop, m], axis=0)
    return FilterResult(values=out.reshape(values.shape), unfiltered=tuple(short))


def moving_median(values: FloatArray, usable: BoolArray, *, window: int = 5) -> FilterResult:
    """Replace each usable sample by the median of a centred window of usable samples.

    The window shrinks at segment ends; it never reaches across a gap.
    """
    if window < 1 or window % 2 == 0:
        raise InputError(f"window must be an odd number >= 1; got {window}")
    half = window // 2
    cols, ok = _columns(np.asarray(values, dtype=np.float64), usable)
    out = np.where(ok[..., None], cols, np.nan)
    source = out.copy()
    for m in range(ok.shape[1]):
        for start, stop in runs(ok[:, m]):
            for i in range(start, stop):
                lo, hi = max(start, i - half), min(stop, i + half + 1)
                out[i, m] = np.median(source[lo:hi, m], axis=0)
    return FilterResult(values=out.reshape(values.shape))


def angular_velocity(
    values: FloatArray, usable: BoolArray, time: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Differentiate over time per contiguous usable segment (unit per second).

    Returns the derivative (NaN outside segments of at least 2 samples) and its
    usable mask.

    Examples
    --------
    >>> t = np.arange(4) / 10.0
    >>> velocity, ok = angular_velocity(np.array([0.0, 1.0, 2.0, 3.0]), np.ones(4, bool), t)
    >>> np.round(velocity, 6).tolist()
    [10.0, 10.0, 10.0, 10.0]

    """
    cols, ok = _columns(np.asarray(values, dtype=np.float64), usable)
    out = np.full_like(cols, np.nan)
    done = np.zeros_like(ok)
    for m in range(ok.shape[1]):
        for start, stop in runs(ok[:, m]):
            if stop - start >= 2:
                out[start:stop, m] = np.gradient(cols[start:stop, m], time[start:stop], axis=0)
                done[start:stop, m] = True
    return out.reshape(values.shape), done.reshape(usable.shape)


class Filter(Protocol):
    """A filter: frozen typed parameters plus ``apply``."""

    name: ClassVar[str]

    def apply(self, values: FloatArray, usable: BoolArray, *, fps: float) -> FilterResult:
        """Filter ``values`` where ``usable``."""
        ...


@dataclass(frozen=True)
class ButterworthFilter:
    """Zero-lag Butterworth low-pass (see the module conventions)."""

    name: ClassVar[str] = "butterworth"
    cutoff_hz: float | None = None
    order: int = 2

    def apply(self, values: FloatArray, usable: BoolArray, *, fps: float) -> FilterResult:
        """Filter ``values`` where ``usable``."""
        return butterworth(values, usable, fps=fps, cutoff_hz=self.cutoff_hz, order=self.order)


@dataclass(frozen=True)
class MedianFilter:
    """Moving median over ``window`` samples (spike removal)."""

    name: ClassVar[str] = "median"
    window: int = 5

    def apply(self, values: FloatArray, usable: BoolArray, *, fps: float) -> FilterResult:
        """Filter ``values`` where ``usable``."""
        return moving_median(values, usable, window=self.window)


@dataclass(frozen=True)
class NoFilter:
    """Leave the signal as it is (NaN where unusable)."""

    name: ClassVar[str] = "none"

    def apply(self, values: FloatArray, usable: BoolArray, *, fps: float) -> FilterResult:
        """Return ``values`` with unusable samples set to NaN."""
        cols, ok = _columns(np.asarray(values, dtype=np.float64), usable)
        return FilterResult(values=np.where(ok[..., None], cols, np.nan).reshape(values.shape))


FILTERS: Mapping[str, type[ButterworthFilter | MedianFilter | NoFilter]] = {
    cls.name: cls for cls in (ButterworthFilter, MedianFilter, NoFilter)
}


def make_filter(name: str, **params: float | int | None) -> Filter:
    """Build a filter from its registry name and typed parameters.

    Examples
    --------
    >>> make_filter("butterworth", cutoff_hz=8.0)
    ButterworthFilter(cutoff_hz=8.0, order=2)

    """
    cls = FILTERS.get(name)
    if cls is None:
        raise InputError(f"filter must be one of {sorted(FILTERS)}; got {name!r}")
    allowed = {f.name for f in fields(cls)}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InputError(
            f"filter {name!r} takes parameters {sorted(allowed)}; got unknown {unknown}"
        )
    return cls(**params)  # type: ignore[arg-type]
