"""One time-series container for kinematics: time-first arrays, units, events, masks.

A :class:`TimeSeries` holds a 1-D ``time`` (seconds, increasing) and named
channels whose first axis is time. Every channel has a unit and a boolean
``valid`` mask (False where the value was not measured or was filled in).
Methods return new objects; nothing is changed in place.

Samples interpolated over a short dropout carry a value but stay invalid; the
optional ``filled`` mask marks them (``valid`` and ``filled`` never overlap), so
``channel(name)`` gives measured samples only and
``channel(name, include_filled=True)`` adds the filled ones. ``uncertainty``
holds an optional standard uncertainty per channel, in the channel's unit (a
summary: the median over its measured samples), and ``sd`` the per-sample
standard uncertainty where it is known (:meth:`TimeSeries.frame_sd`).

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
    filled: dict[str, BoolArray] = field(default_factory=dict)
    uncertainty: dict[str, float] = field(default_factory=dict)
    sd: dict[str, FloatArray] = field(default_factory=dict)

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
        self,
        name: str,
        values: FloatArray,
        unit: str,
        valid: BoolArray | None = None,
        *,
        filled: BoolArray | None = None,
    ) -> TimeSeries:
        """Return a copy with one channel added or replaced.

        ``filled`` marks samples interpolated over a short gap; they are removed
        from ``valid``.
        """
        mask = np.isfinite(values) if valid is None else valid
        filled_masks = dict(self.filled)
        if filled is None:
            filled_masks.pop(name, None)
        else:
            mask = mask & ~filled
            filled_masks[name] = filled
        return replace(
            self,
            data={**self.data, name: values},
            units={**self.units, name: unit},
            valid={**self.valid, name: mask},
            filled=filled_masks,
        )

    def with_uncertainty(self, name: str, standard_uncertainty: float) -> TimeSeries:
        """Return a copy with the standard uncertainty of one channel set."""
        if name not in self.data:
            raise KeyError(f"channel {name!r} does not exist; have {sorted(self.data)}")
        return replace(self, uncertainty={**self.uncertainty, name: standard_uncertainty})

    def with_frame_sd(self, name: str, sd: FloatArray) -> TimeSeries:
        """Return a copy with the per-sample standard uncertainty of one channel.

        The channel's summary ``uncertainty`` becomes the median over its valid samples.
        """
        if name not in self.data:
            raise KeyError(f"channel {name!r} does not exist; have {sorted(self.data)}")
        if sd.shape != (self.frames,):
            raise ValueError(f"sd of {name!r} has shape {sd.shape}; expected ({self.frames},)")
        measured = sd[self.usable(name) & np.isfinite(sd)]
        summary = float(np.median(measured)) if measured.size else float("nan")
        return replace(
            self,
            sd={**self.sd, name: sd},
            uncertainty={**self.uncertainty, name: summary},
        )

    def frame_sd(self, name: str) -> FloatArray:
        """Return the per-sample standard uncertainty of a channel.

        Where only a summary is known it is broadcast; NaN where the channel is
        not valid or nothing is known.
        """
        if name in self.sd:
            values = self.sd[name]
        else:
            values = np.full(self.frames, self.uncertainty.get(name, np.nan), dtype=np.float64)
        return np.where(self.usable(name), values, np.nan)

    def with_event(self, name: str, frame: int) -> TimeSeries:
        """Return a copy with an event added (events stay sorted by frame)."""
        event = Event(name=name, frame=frame, time_s=float(self.time[frame]))
        return replace(self, events=tuple(sorted((*self.events, event), key=lambda e: e.frame)))

    def usable(self, name: str, *, include_filled: bool = False) -> BoolArray:
        """Return the mask of valid samples, plus the filled ones if asked."""
        values = self.data[name]
        mask = self.valid.get(name)
        valid = np.isfinite(values) if mask is None else mask
        filled = self.filled.get(name)
        if include_filled and filled is not None:
            return np.asarray(valid | filled, dtype=np.bool_)
        return np.asarray(valid, dtype=np.bool_)

    def channel(self, name: str, *, include_filled: bool = False) -> FloatArray:
        """Return one channel, NaN where it is not valid (nor filled, if asked)."""
        values = self.data[name]
        if name not in self.valid and not include_filled:
            return values
        mask = self.usable(name, include_filled=include_filled)
        if mask.ndim < values.ndim:
            mask = mask.reshape(mask.shape + (1,) * (values.ndim - mask.ndim))
        return np.where(mask, values, np.nan)
