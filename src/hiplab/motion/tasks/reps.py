"""Cut a 1-D movement signal into repetitions: start, bottom (deepest) and end frames.

Conventions
-----------
* The signal rises as the subject goes down (hip/knee flexion in a side view,
  leg shortening in a front view). A repetition is a peak of prominence at
  least ``min_prominence`` above the signal around it.
* Around each peak the signal crosses the half-depth level ``low + (peak −
  low) / 2`` on the way down and up (``low``: the signal's 5th percentile).
  From the crossing down, the *start* is found by walking back while the
  signal is still more than :data:`REST_FRACTION` of the depth above its
  resting level before the crossing (its :data:`LOW_PERCENTILE` th
  percentile there, not its minimum: one noisy or filter-edge sample does
  not set it), or still rises by more than :data:`ONSET_FRACTION` of the
  steepest per-frame rise of that descent over the next frame or the next
  two (one noisy sample going the other way does not stop the walk while the
  movement goes on); the *end* likewise forward. So a pause at the bottom
  never ends a repetition, and the start and end are where the movement
  begins and stops, not where a threshold is met.
* A repetition cut by the start or end of the input (no crossing) is kept
  and marked ``complete=False``; for the peak search the signal is padded
  with ``low`` at both ends so that such a repetition keeps its prominence.
* A peak with less than :data:`MIN_PHASE_FRAMES` of descent or ascent inside
  the input is a spike (tracking noise), not a repetition, and is dropped.
* Gaps (NaN) are bridged by linear interpolation for the search only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplab.motion.tasks.common import FloatArray, fill_for_search

ONSET_FRACTION = 0.05
REST_FRACTION = 0.05
MIN_REP_S = 0.5
LOW_PERCENTILE = 5.0
MIN_PHASE_FRAMES = 2


@dataclass(frozen=True)
class RepFrames:
    """One repetition's frames (0-based) and whether the input holds all of it."""

    start: int
    bottom: int
    end: int
    complete: bool


def _rate_limit(steps: FloatArray) -> float:
    finite = steps[np.isfinite(steps)]
    return float(ONSET_FRACTION * finite.max()) if finite.size else 0.0


def _walk_back(s: FloatArray, crossing: int, bottom: int, floor: int) -> int:
    limit = _rate_limit(np.diff(s[crossing : bottom + 1]))
    level = _level(s, floor, crossing, bottom)
    i = crossing
    while i > floor and (_moving(s[i], s[i - 1], s[max(i - 2, floor)], limit) or s[i - 1] > level):
        i -= 1
    return i


def _walk_forward(s: FloatArray, crossing: int, bottom: int, ceiling: int) -> int:
    limit = _rate_limit(-np.diff(s[bottom : crossing + 1]))
    level = _level(s, crossing, ceiling + 1, bottom)
    j = crossing
    while j < ceiling and (
        _moving(s[j], s[j + 1], s[min(j + 2, ceiling)], limit) or s[j + 1] > level
    ):
        j += 1
    return j


def _moving(here: float, next_: float, after: float, limit: float) -> bool:
    """Return True if the signal still falls away from ``here`` by more than ``limit`` a frame.

    Over the next frame or the next two: one noisy sample that goes the other
    way does not stop the walk while the movement goes on.
    """
    return here - next_ > limit or here - after > 2 * limit


def _level(s: FloatArray, start: int, stop: int, bottom: int) -> float:
    """Return the height below which the subject counts as back up: base + a share of depth.

    The base is the :data:`LOW_PERCENTILE` th percentile of the frames beside
    the repetition (as for the half-depth ``low``), not their minimum: one
    noisy sample, or the low-pass's transient on the input's last frame, would
    otherwise set it too low and the repetition would run on to the end of the
    input.
    """
    beside = s[start:stop]
    base = float(np.percentile(beside, LOW_PERCENTILE)) if beside.size else float(s[bottom])
    return base + REST_FRACTION * (float(s[bottom]) - base)


def segment_reps(
    signal: FloatArray, *, fps: float, min_prominence: float, min_rep_s: float = MIN_REP_S
) -> list[RepFrames]:
    """Return the repetitions in ``signal`` (see the module conventions).

    Examples
    --------
    >>> t = np.arange(100)
    >>> s = np.where((t >= 20) & (t <= 80), 50 * (1 - np.cos(2 * np.pi * (t - 20) / 60)), 0.0)
    >>> [(r.start, r.bottom, r.end, r.complete) for r in segment_reps(s, fps=30, min_prominence=20)]
    [(20, 50, 80, True)]

    """
    from scipy.signal import find_peaks

    finite = np.isfinite(signal)
    if finite.sum() < 3:
        return []
    s = fill_for_search(signal)
    low = float(np.percentile(s, LOW_PERCENTILE))
    distance = max(1, round(min_rep_s * fps))
    padded = np.concatenate(([low], s, [low]))
    found, _ = find_peaks(padded, prominence=min_prominence, distance=distance)
    peaks = found - 1
    reps: list[RepFrames] = []
    floor, n = 0, s.shape[0]
    for k, p in enumerate(int(x) for x in peaks):
        if p < floor:
            continue
        mid = low + 0.5 * (s[p] - low)
        ceiling = int(peaks[k + 1]) if k + 1 < len(peaks) else n - 1
        i = p
        while i > floor and s[i] > mid:
            i -= 1
        j = p
        while j < ceiling and s[j] > mid:
            j += 1
        complete = bool(s[i] <= mid and s[j] <= mid)
        start = _walk_back(s, i, p, floor) if s[i] <= mid else i
        end = _walk_forward(s, j, p, ceiling) if s[j] <= mid else j
        inner_start, inner_end = start > 0, end < n - 1
        if (inner_start and p - start < MIN_PHASE_FRAMES) or (
            inner_end and end - p < MIN_PHASE_FRAMES
        ):
            continue  # a spike, not a movement: no descent or no ascent inside the input
        reps.append(RepFrames(start=start, bottom=p, end=end, complete=complete))
        floor = end
    return reps
