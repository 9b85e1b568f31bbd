"""Initial contact of a landing from the feet's keypoints, and the landing phase after it.

Conventions
-----------
* Each foot keypoint (heel, toe, ankle; image y down) has its own *floor*
  level: its 90th percentile over the input, and a *height* above it. The
  keypoints are taken as detected, before the low-pass (which would round off
  the impact and put contact late), when the raw track is given.
* A keypoint is *down* within :data:`CONTACT_TOLERANCE` × leg length (hip →
  ankle, median over the input) of its floor and *high* more than
  :data:`AIRBORNE_HEIGHT` × leg length above it. A foot is *airborne* in a
  frame where every keypoint seen is high (on the box or in flight).
* A foot *touches down* at the first frame where one of its keypoints is down
  after the foot was airborne. Initial contact (IC) is the first foot's
  touch-down, to the nearest frame.
* A foot *lifts off* (a rebound) at the first frame after its touch-down where
  it is airborne *as seen by a keypoint that has been down since*: the same
  keypoint must be seen going up. When only keypoints that have not yet come
  down are seen (the toe of a toe-first contact missing while the heel is still
  above its floor), the frame says nothing about a lift-off; it is *unclear*.
* The landing phase runs from IC to the first of: a lift-off,
  :data:`LANDING_WINDOW_S` after IC, the end of the input. Unclear frames
  within it are counted (:attr:`Contact.unclear_frames`): a run longer than
  the gaps the kinematics fill (:data:`UNCLEAR_LIMIT_S`) may hide a rebound,
  and the landing task warns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.kinematics import DEFAULT_MAX_GAP_S
from hiplab.motion.tasks import common as c

CONTACT_TOLERANCE = 0.015
AIRBORNE_HEIGHT = 0.08
FLOOR_PERCENTILE = 90.0
LANDING_WINDOW_S = 1.0
FOOT_POINTS = ("heel", "foot_index", "ankle")
UNCLEAR_LIMIT_S = DEFAULT_MAX_GAP_S
"""Longest run of unclear frames taken as contact without a warning (the kinematics' gap fill)."""


@dataclass(frozen=True)
class Contact:
    """Touch-down frame per side, IC, the end of the landing phase (exclusive), leg length.

    ``unclear_frames`` is the longest run of frames in the landing phase where a
    foot that had touched down could not be told to be on the floor or off it.
    """

    by_side: dict[str, int | None]
    frame: int | None
    stop: int
    leg_px: float | None
    unclear_frames: int = 0


@dataclass(frozen=True)
class FootContact:
    """One foot: touch-down frame, lift-off frame, and which frames were unclear (N,)."""

    touch: int | None
    lift: int | None
    unclear: NDArray[np.bool_]


def foot_heights(inp: c.TaskInput, side: str) -> c.FloatArray:
    """Return (3, N) heights (pixels, up) of the heel, toe and ankle above their own floors."""
    ys = np.stack([c.raw_point(inp, f"{side}_{p}")[:, 1] for p in FOOT_POINTS])
    return _heights(ys)


def _heights(ys: c.FloatArray) -> c.FloatArray:
    out = np.full_like(ys, np.nan)
    for k, y in enumerate(ys):
        if np.isfinite(y).any():
            out[k] = np.nanpercentile(y, FLOOR_PERCENTILE) - y
    return out


def leg_length(inp: c.TaskInput) -> float | None:
    """Return the median hip → ankle distance over both legs (pixels), None if unknown."""
    lengths = [
        np.linalg.norm(c.point(inp.series, f"{s}_hip") - c.point(inp.series, f"{s}_ankle"), axis=1)
        for s in c.SIDES
    ]
    joined = np.concatenate(lengths)
    return float(np.nanmedian(joined)) if np.isfinite(joined).any() else None


def touch_down(y: c.FloatArray, leg: float) -> tuple[int | None, int | None]:
    """Return ``(touch-down frame, next lift-off frame)`` of one keypoint's image y.

    Examples
    --------
    >>> y = np.array([60.0, 60.0, 80.0, 99.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    >>> touch_down(y, leg=100.0)
    (3, None)

    """
    foot = foot_contact(_heights(np.asarray(y, dtype=np.float64)[None, :]), leg)
    return foot.touch, foot.lift


def foot_contact(heights: c.FloatArray, leg: float) -> FootContact:
    """Return one foot's touch-down, lift-off and unclear frames from its keypoints' heights.

    Parameters
    ----------
    heights
        (K, N) height of each foot keypoint above its own floor (pixels, up;
        NaN where not seen), as :func:`foot_heights` returns.
    leg
        Leg length in pixels, the unit of the tolerances.

    Examples
    --------
    A toe-first contact at frame 2; the toe goes missing at frame 3 while the
    heel is still up: not a lift-off, but unclear until the heel comes down.

    >>> nan = np.nan
    >>> heel = np.array([30.0, 30.0, 20.0, 20.0, 0.0, 0.0])
    >>> toe = np.array([20.0, 20.0, 0.0, nan, nan, 0.0])
    >>> foot = foot_contact(np.stack([heel, toe]), leg=100.0)
    >>> foot.touch, foot.lift, foot.unclear.nonzero()[0].tolist()
    (2, None, [3])

    """
    frames = heights.shape[1]
    none = FootContact(None, None, np.zeros(frames, dtype=bool))
    seen = np.isfinite(heights)
    high = seen & (heights > AIRBORNE_HEIGHT * leg)
    down = seen & (heights <= CONTACT_TOLERANCE * leg)
    airborne = seen.any(axis=0) & (high | ~seen).all(axis=0)
    flights = np.flatnonzero(airborne)
    if flights.size == 0:
        return none
    landed = np.flatnonzero(down.any(axis=0) & (np.arange(frames) > flights[0]))
    if landed.size == 0:
        return none
    touch = int(landed[0])
    been_down = np.logical_or.accumulate(down[:, touch:], axis=1)
    witnessed = (high[:, touch:] & been_down).any(axis=0)
    lifts = np.flatnonzero(airborne[touch:] & witnessed)
    lift = touch + int(lifts[0]) if lifts.size else None
    unclear = np.zeros(frames, dtype=bool)
    unclear[touch:] = airborne[touch:] & ~witnessed
    if lift is not None:
        unclear[lift:] = False
    return FootContact(touch, lift, unclear)


def longest_run(mask: NDArray[np.bool_]) -> int:
    """Return the length of the longest run of True in ``mask``.

    >>> longest_run(np.array([True, False, True, True, False]))
    2
    """
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return int((edges[1::2] - edges[::2]).max()) if edges.size else 0


def find_contact(inp: c.TaskInput) -> Contact:
    """Return the feet's touch-down frames, IC and the landing phase (see the conventions)."""
    leg = leg_length(inp)
    by_side: dict[str, int | None] = {"left": None, "right": None}
    feet: list[FootContact] = []
    if leg is not None and leg > 0:
        for side in c.SIDES:
            foot = foot_contact(foot_heights(inp, side), leg)
            by_side[side] = foot.touch
            feet.append(foot)
    touches = [f for f in by_side.values() if f is not None]
    frame = min(touches) if touches else None
    stop = inp.frames
    unclear = 0
    if frame is not None:
        window = max(2, round(LANDING_WINDOW_S * inp.fps))
        lifts = [f.lift for f in feet if f.lift is not None and f.lift > frame]
        stop = min([inp.frames, frame + window, *lifts])
        unclear = max((longest_run(f.unclear[frame:stop]) for f in feet), default=0)
    return Contact(by_side=by_side, frame=frame, stop=stop, leg_px=leg, unclear_frames=unclear)
