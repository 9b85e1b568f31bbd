"""Helpers for task tests: analytic series built by hand, and synthetic captures run end to end."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hiplab.motion.kinematics import track_to_series
from hiplab.motion.series import TimeSeries
from hiplab.motion.tasks.common import Side, TaskInput, View
from hiplab.motion.view import detect_view
from hiplab.testing import synthetic
from hiplab.testing.synthetic import Capture


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


def physical_landing(fps: float, *, peak_knee: float = 85.0, seed: int = 0) -> synthetic.Capture:
    """A drop from 30 cm in free fall: the foot hits the floor at ~2.4 m/s.

    ``synthetic.drop_landing`` lowers the foot as ``½ g (t_contact − t)²``, i.e. it
    decelerates to rest at contact; a real foot accelerates until it hits. The joint
    curves are the generator's own.
    """
    options = synthetic.CaptureOptions(fps=fps, seed=seed)
    timing = synthetic.landing_timing(options)
    knee = synthetic.landing_curve(timing, start=10.0, contact=20.0, peak=peak_knee, settle=40.0)
    ankle = synthetic.landing_curve(timing, start=-30.0, contact=-25.0, peak=25.0, settle=10.0)
    trunk = synthetic.landing_curve(timing, start=5.0, contact=8.0, peak=30.0, settle=15.0)
    heel_down = timing.contact + max(1, round(0.06 * fps))
    pitch = synthetic.ramp(timing.frames, [(timing.contact, -30.0), (heel_down, 0.0)])
    hip = synthetic.grounded_hip_flexion(knee=knee, ankle=ankle, trunk_lean=trunk, foot_pitch=pitch)
    t = np.arange(timing.frames) / fps
    t_contact, box = timing.contact / fps, 0.30
    t_drop = t_contact - np.sqrt(2 * box / synthetic.GRAVITY)
    height = box - 0.5 * synthetic.GRAVITY * np.clip(t - t_drop, 0.0, None) ** 2
    height = np.where(t >= t_contact, 0.0, np.clip(height, 0.0, box))
    pose = synthetic.SagittalPose(
        hip_flexion={"right": hip, "left": hip.copy()},
        knee_flexion={"right": knee, "left": knee.copy()},
        ankle_dorsiflexion={"right": ankle, "left": ankle.copy()},
        trunk_lean=trunk,
        rotation=np.zeros(timing.frames),
    )
    events = [("initial_contact", timing.contact), ("peak_knee_flexion", timing.peak)]
    return synthetic.render_sagittal(
        pose,
        options,
        lift=height * options.body.px_per_metre,
        events=events,
        parameters={"peak_knee_flexion": peak_knee, "peak_hip_flexion": float(hip.max())},
    )


def assert_sided_within_uncertainty(
    sided: object, uncertainty: Mapping[str, float | None], key: str, truth: Mapping[str, float]
) -> None:
    """Assert each side's value is within 2 stated sd of the truth, where it is reported at all.

    ``sided`` has ``left``/``right`` attributes (or is None: nothing reported);
    the sd of a side is ``uncertainty[f"{key}.{side}"]``.
    """
    for side, expected in truth.items():
        value = None if sided is None else getattr(sided, side)
        if value is not None:
            sd = uncertainty[f"{key}.{side}"]
            assert sd is not None and abs(value - expected) <= 2 * sd, (side, value, sd)
