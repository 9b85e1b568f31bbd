"""Helpers for task tests: analytic series built by hand, and synthetic captures run end to end."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hiplab.motion.kinematics import track_to_series
from hiplab.motion.series import TimeSeries
from hiplab.motion.synthetic import Capture
from hiplab.motion.tasks.common import Side, TaskInput, View
from hiplab.motion.view import detect_view


def series_of(
    channels: Mapping[str, np.ndarray], *, fps: float, sd: float = 3.0, unit: str = "deg"
) -> TimeSeries:
    """Return a TimeSeries of the given channels (all measured), each with uncertainty ``sd``."""
    n = len(next(iter(channels.values())))
    series = TimeSeries(time=np.arange(n, dtype=np.float64) / fps, fps=fps)
    for name, values in channels.items():
        data = np.asarray(values, dtype=np.float64)
        series = series.with_channel(name, data, "px" if name.endswith(("_x", "_y")) else unit)
        if series.units[name] == "deg":
            series = series.with_uncertainty(name, sd)
    return series


def task_input(
    channels: Mapping[str, np.ndarray],
    *,
    fps: float = 30.0,
    view: View = "sagittal",
    near: Side | None = "right",
) -> TaskInput:
    """Return a task input over hand-built channels."""
    return TaskInput(series=series_of(channels, fps=fps), view=view, near_side=near)


def capture_input(capture: Capture, *, landing: bool = False) -> TaskInput:
    """Run the real kinematics on a synthetic capture and return the task input."""
    series, _ = track_to_series(capture.track, view=capture.view, landing=landing)
    estimate = detect_view(capture.track)
    return TaskInput(
        series=series, view=capture.view, near_side=estimate.near_side, raw=capture.track
    )


def truth_frames(capture: Capture, name: str) -> list[int]:
    """Return the frames of a truth event."""
    return [e.frame for e in capture.truth.events if e.name == name]


def raised_cosine(n: int, start: int, length: int, peak: float, base: float = 0.0) -> np.ndarray:
    """Return ``base`` with one raised-cosine bump of ``peak`` from ``start`` over ``length``."""
    out = np.full(n, base, dtype=np.float64)
    k = np.arange(length + 1)
    out[start : start + length + 1] = base + peak * 0.5 * (1 - np.cos(2 * np.pi * k / length))
    return out
