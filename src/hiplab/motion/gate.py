"""Per-frame plausibility gate: angle samples a 2-D camera cannot have measured become unmeasured.

Conventions
-----------
Two rules, applied to the angle channels after :func:`hiplab.motion.angles.compute_angles`;
each is named in a :class:`~hiplab.motion.view.QualityWarning`, and the velocity
channel of an angle follows it:

* **Camera geometry per frame** (``angles_withheld``): an angle is not measured
  in a frame where the camera is too far from the angle's body plane
  (:mod:`hiplab.motion.projection`) — the subject faces the camera in a side
  analysis, or turns side-on in a frontal one, and a number projected from
  that frame is the camera's angle, not the joint's.
* **Physiological range** (``implausible_angles``): a joint-angle sample outside
  :data:`PLAUSIBLE_DEG` — the normal active range of the joint (Roaas &
  Andersson 1982 for the hip; textbook ranges for knee and ankle) widened by
  generous margins for 2-D projection — comes from a wrong keypoint, an
  inverted body (a somersault) or a mislabelled side, not from a joint. On the
  sports2d demo video (a jump and a somersault filmed obliquely) ungated
  channels reached ankle dorsiflexion −185° and hip flexion 194°. Pelvic drop
  is bounded by the stance hip's adduction and abduction (about 30° and 45°,
  Roaas & Andersson 1982), widened to ±50°: real single-leg stances reach 33°.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.series import TimeSeries
from hiplab.motion.view import QualityWarning, angle_name

BoolArray = NDArray[np.bool_]
PLAUSIBLE_DEG: dict[str, tuple[float, float]] = {
    "hip_flexion": (-45.0, 160.0),
    "knee_flexion": (-25.0, 165.0),
    "ankle_dorsiflexion": (-75.0, 55.0),
    "knee_fppa": (-60.0, 60.0),
    "pelvic_drop": (-50.0, 50.0),
}
"""Range (degrees, inclusive) of each joint angle; see the module docstring.

Segment angles (``thigh_angle``, ``trunk_lean``, ``trunk_lateral_lean``) are
orientations in the room, not joint angles: a supine trunk reads −90°, an
inverted one ±180°, so no range applies to them.
"""


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


def gate_withheld(series: TimeSeries, withheld: Mapping[str, BoolArray]) -> TimeSeries:
    """Unmeasure each channel in the frames its mask withholds (the camera's geometry).

    The warning is :func:`hiplab.motion.view.camera_warnings`'s ``angles_withheld``.
    """
    for channel, mask in withheld.items():
        if channel in series.data and mask.any():
            series = _drop(series, channel, mask)
    return series


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
