"""Per-frame plausibility gate: angle samples a 2-D camera cannot have measured become unmeasured.

Conventions
-----------
Two rules, applied to the angle channels after :func:`hiplab.motion.angles.compute_angles`;
each names what it removed in a :class:`~hiplab.motion.view.QualityWarning`, and the
velocity channel of an angle follows it:

* **View per frame** (``frames_off_view``): a sagittal analysis measures no
  angle in a frame whose width ratio (:func:`hiplab.motion.view.width_ratios`)
  is at or above :data:`~hiplab.motion.view.FRONTAL_RATIO` — the subject faces
  or turns its back to the camera there, and side-view angles projected from
  that frame are not joint angles. A frontal analysis measures nothing in
  frames below :data:`~hiplab.motion.view.SAGITTAL_RATIO` (seen from the side).
  A frame whose ratio cannot be computed keeps its angles.
* **Physiological range** (``implausible_angles``): a joint-angle sample outside
  :data:`PLAUSIBLE_DEG` — the normal active range of the joint (Roaas &
  Andersson 1982 for the hip; textbook ranges for knee and ankle) widened by
  generous margins for 2-D projection — comes from a wrong keypoint, an
  inverted body (a somersault) or a mislabelled side, not from a joint. On the
  sports2d demo video (a jump and a somersault filmed obliquely) ungated
  channels reached ankle dorsiflexion −185° and hip flexion 194°.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.angles import View
from hiplab.motion.keypoints import KeypointTrack
from hiplab.motion.series import TimeSeries
from hiplab.motion.view import FRONTAL_RATIO, SAGITTAL_RATIO, QualityWarning, width_ratios

BoolArray = NDArray[np.bool_]
PLAUSIBLE_DEG: dict[str, tuple[float, float]] = {
    "hip_flexion": (-45.0, 160.0),
    "knee_flexion": (-25.0, 165.0),
    "ankle_dorsiflexion": (-75.0, 55.0),
    "knee_fppa": (-60.0, 60.0),
    "pelvic_drop": (-30.0, 30.0),
}
"""Range (degrees, inclusive) of each joint angle; see the module docstring.

Segment angles (``thigh_angle``, ``trunk_lean``, ``trunk_lateral_lean``) are
orientations in the room, not joint angles: a supine trunk reads −90°, an
inverted one ±180°, so no range applies to them.
"""


def angle_name(channel: str) -> str:
    """Return the angle of a channel without its side (``left_knee_flexion`` → ``knee_flexion``)."""
    for side in ("left_", "right_"):
        if channel.startswith(side):
            return channel.removeprefix(side)
    return channel


def off_view_frames(track: KeypointTrack, view: View) -> BoolArray:
    """Return the frames whose own width ratio says the other view (see the module docstring)."""
    ratios = width_ratios(track)
    with np.errstate(invalid="ignore"):
        if view == "sagittal":
            return np.asarray(ratios >= FRONTAL_RATIO, dtype=np.bool_)
        return np.asarray(ratios < SAGITTAL_RATIO, dtype=np.bool_)


def _drop(series: TimeSeries, channel: str, drop: BoolArray) -> TimeSeries:
    """Return ``series`` with ``drop`` removed from the channel's and its velocity's masks."""
    valid, filled = dict(series.valid), dict(series.filled)
    for name in (channel, f"{channel}_velocity"):
        if name in series.data:
            valid[name] = series.usable(name) & ~drop
            if name in filled:
                filled[name] = filled[name] & ~drop
    return replace(series, valid=valid, filled=filled)


def _angle_channels(series: TimeSeries, *, joints_only: bool) -> list[str]:
    angles = [c for c in series.data if series.units[c] == "deg"]
    return [c for c in angles if angle_name(c) in PLAUSIBLE_DEG] if joints_only else angles


def gate_off_view(
    series: TimeSeries, track: KeypointTrack, view: View
) -> tuple[TimeSeries, list[QualityWarning]]:
    """Unmeasure every angle in frames seen from the other view; warn with the count."""
    off = off_view_frames(track, view)
    if not off.any():
        return series, []
    for channel in _angle_channels(series, joints_only=False):
        series = _drop(series, channel, off)
    other = "front or back" if view == "sagittal" else "side"
    message = (
        f"{int(off.sum())} of {off.size} frames show the subject from the {other}, not in the "
        f"{view} view the angles need; no angle is reported there"
    )
    threshold = FRONTAL_RATIO if view == "sagittal" else SAGITTAL_RATIO
    return series, [QualityWarning("frames_off_view", "warn", message, float(off.sum()), threshold)]


def gate_implausible(series: TimeSeries) -> tuple[TimeSeries, list[QualityWarning]]:
    """Unmeasure samples outside :data:`PLAUSIBLE_DEG`; warn naming channels and counts."""
    removed: dict[str, int] = {}
    for channel in _angle_channels(series, joints_only=True):
        low, high = PLAUSIBLE_DEG[angle_name(channel)]
        values = series.data[channel]
        usable = series.usable(channel, include_filled=True)
        with np.errstate(invalid="ignore"):
            outside = usable & ((values < low) | (values > high))
        if outside.any():
            removed[channel] = int(outside.sum())
            series = _drop(series, channel, outside)
    if not removed:
        return series, []
    listed = ", ".join(f"{c} {n}" for c, n in removed.items())
    message = (
        f"{sum(removed.values())} angle samples outside the range a joint can show were left "
        f"unmeasured (a wrong keypoint, an inverted body or an oblique camera): {listed}"
    )
    warning = QualityWarning("implausible_angles", "warn", message, float(sum(removed.values())))
    return series, [warning]
