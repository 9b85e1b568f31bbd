"""Initial contact of a landing from the feet's keypoints, and the landing phase after it.

Conventions
-----------
* Each foot's lowest point (heel or toe, image y down; the ankle when both are
  missing) has a *floor* level: its 90th percentile over the input. The
  keypoints are taken as detected, before the low-pass (which would round off
  the impact and put contact late), when the raw track is given.
* A foot *touches down* at the first frame where its lowest point comes within
  :data:`CONTACT_TOLERANCE` × leg length (hip → ankle, median over the input)
  of the floor after having been at least :data:`AIRBORNE_HEIGHT` × leg length
  above it (on the box or in flight). Initial contact (IC) is the first foot's
  touch-down, to the nearest frame.
* The landing phase runs from IC to the first of: a foot leaving the floor
  again (a rebound), :data:`LANDING_WINDOW_S` after IC, the end of the input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplab.motion.tasks import common as c

CONTACT_TOLERANCE = 0.015
AIRBORNE_HEIGHT = 0.08
FLOOR_PERCENTILE = 90.0
LANDING_WINDOW_S = 1.0


@dataclass(frozen=True)
class Contact:
    """Touch-down frame per side, IC, the end of the landing phase (exclusive), leg length."""

    by_side: dict[str, int | None]
    frame: int | None
    stop: int
    leg_px: float | None


def lowest_foot(inp: c.TaskInput, side: str) -> c.FloatArray:
    """Return the image y (pixels, down) of one foot's lowest point per frame."""
    ys = np.stack([c.raw_point(inp, f"{side}_{p}")[:, 1] for p in ("heel", "foot_index")])
    lowest = np.full(inp.frames, np.nan)
    some = np.isfinite(ys).any(axis=0)
    lowest[some] = np.nanmax(ys[:, some], axis=0)
    ankle = c.raw_point(inp, f"{side}_ankle")[:, 1]
    return np.asarray(np.where(np.isfinite(lowest), lowest, ankle), dtype=np.float64)


def leg_length(inp: c.TaskInput) -> float | None:
    """Return the median hip → ankle distance over both legs (pixels), None if unknown."""
    lengths = [
        np.linalg.norm(c.point(inp.series, f"{s}_hip") - c.point(inp.series, f"{s}_ankle"), axis=1)
        for s in c.SIDES
    ]
    joined = np.concatenate(lengths)
    return float(np.nanmedian(joined)) if np.isfinite(joined).any() else None


def touch_down(y: c.FloatArray, leg: float) -> tuple[int | None, int | None]:
    """Return ``(touch-down frame, next lift-off frame)`` of one foot's lowest point.

    Examples
    --------
    >>> y = np.array([60.0, 60.0, 80.0, 99.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    >>> touch_down(y, leg=100.0)
    (3, None)

    """
    if not np.isfinite(y).any():
        return None, None
    floor = float(np.nanpercentile(y, FLOOR_PERCENTILE))
    high = np.flatnonzero(y < floor - AIRBORNE_HEIGHT * leg)
    if high.size == 0:
        return None, None
    frames = np.arange(y.size)
    down = np.flatnonzero((y >= floor - CONTACT_TOLERANCE * leg) & (frames > high[0]))
    if down.size == 0:
        return None, None
    touch = int(down[0])
    later = high[high > touch]
    return touch, (int(later[0]) if later.size else None)


def find_contact(inp: c.TaskInput) -> Contact:
    """Return the feet's touch-down frames, IC and the landing phase (see the conventions)."""
    leg = leg_length(inp)
    by_side: dict[str, int | None] = {"left": None, "right": None}
    lift_offs: list[int] = []
    if leg is not None and leg > 0:
        for side in c.SIDES:
            touch, lift = touch_down(lowest_foot(inp, side), leg)
            by_side[side] = touch
            if lift is not None:
                lift_offs.append(lift)
    touches = [f for f in by_side.values() if f is not None]
    frame = min(touches) if touches else None
    stop = inp.frames
    if frame is not None:
        window = max(2, round(LANDING_WINDOW_S * inp.fps))
        stop = min([inp.frames, frame + window, *(f for f in lift_offs if f > frame)])
    return Contact(by_side=by_side, frame=frame, stop=stop, leg_px=leg)
