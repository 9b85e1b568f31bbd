"""One time-series container for kinematics: time-first arrays, units, events, masks.

A :class:`TimeSeries` holds a 1-D ``time`` (seconds, increasing) and named
channels whose first axis is time. Every channel has a unit and a boolean
``valid`` mask (False where the value was not measured or was filled in).
Methods return new objects; nothing is changed in place.

Channel names: sided angles are ``{side}_{angle}`` (``left_knee_flexion``),
others plain (``trunk_lean``); units are ``"deg"``, ``"deg/s"``, ``"px"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Event:
    """A named moment, e.g. ``initial_contact`` at frame 41."""

    name: str
    frame: int
    time_s: float


@dataclass(frozen=True)
class TimeSeries:
    """Time-first channels with units, validity masks and events."""

    time: FloatArray
    data: dict[str, FloatArray] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    valid: dict[str, BoolArray] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    fps: float = 0.0

    def __post_init__(self) -> None:
        n = self.time.shape[0]
        for name, values in self.data.items():
            if values.shape[0] != n:
                raise ValueError(f"channel {name!r} has {values.shape[0]} samples; time has {n}")
            if name not in self.units:
                raise ValueError(f"channel {name!r} has no unit")

    @property
    def frames(self) -> int:
        """Return the number of samples."""
        return int(self.time.shape[0])

    def with_channel(
        self, name: str, values: FloatArray, unit: str, valid: BoolArray | None = None
    ) -> TimeSeries:
        """Return a copy with one channel added or replaced."""
        mask = np.isfinite(values) if valid is None else valid
        return replace(
            self,
            data={**self.data, name: values},
            units={**self.units, name: unit},
            valid={**self.valid, name: mask},
        )

    def with_event(self, name: str, frame: int) -> TimeSeries:
        """Return a copy with an event added (events stay sorted by frame)."""
        event = Event(name=name, frame=frame, time_s=float(self.time[frame]))
        return replace(self, events=tuple(sorted((*self.events, event), key=lambda e: e.frame)))

    def channel(self, name: str) -> FloatArray:
        """Return one channel, NaN where it is not valid."""
        values = self.data[name]
        mask = self.valid.get(name)
        return values if mask is None else np.where(mask, values, np.nan)
