"""Angles: the joint-angle series themselves, with the range each angle covered.

For every angle channel (``deg``) of the view: minimum, maximum, range and
mean over the measured frames, the frames of the extremes, the share of frames
measured and the channel's standard uncertainty. Velocities and keypoints are
left out (they are in ``angles.csv`` / ``keypoints.csv``).
"""

from __future__ import annotations

import numpy as np

from hiplab.motion.tasks import common as c
from hiplab.motion.tasks.filming import DISTANCE, FPS_30, HIP_HEIGHT
from hiplab.motion.tasks.spec import Document, Metric, TaskOptions, TaskSpec


class AngleRange(c.Model):
    """The range one angle covered."""

    min_deg: float | None
    max_deg: float | None
    range_deg: float | None
    mean_deg: float | None
    min_frame: int | None
    max_frame: int | None
    measured_fraction: float
    uncertainty_deg: float


class AnglesResult(c.TaskResult):
    """The angles task's result: one range per angle channel."""

    task: str = "angles"
    angles: dict[str, AngleRange]


def angle_channels(inp: c.TaskInput) -> list[str]:
    """Return the angle channels of a series (unit ``deg``), in their order."""
    return [name for name, unit in inp.series.units.items() if unit == "deg"]


def _range(inp: c.TaskInput, name: str) -> AngleRange:
    data = c.values(inp.series, name)
    finite = np.isfinite(data)
    sd = round(c.channel_sd(inp.series, name), 1)
    if not finite.any():
        return AngleRange(
            min_deg=None,
            max_deg=None,
            range_deg=None,
            mean_deg=None,
            min_frame=None,
            max_frame=None,
            measured_fraction=0.0,
            uncertainty_deg=sd,
        )
    low, high = int(np.nanargmin(data)), int(np.nanargmax(data))
    return AngleRange(
        min_deg=c.rounded(float(data[low])),
        max_deg=c.rounded(float(data[high])),
        range_deg=c.rounded(float(data[high] - data[low])),
        mean_deg=c.rounded(float(np.nanmean(data))),
        min_frame=low,
        max_frame=high,
        measured_fraction=round(float(finite.mean()), 3),
        uncertainty_deg=sd,
    )


def analyze_angles(inp: c.TaskInput) -> AnglesResult:
    """Summarise every angle channel's range."""
    angles = {name: _range(inp, name) for name in angle_channels(inp)}
    warnings = [
        c.warning(
            "never_measured", f"{name} was never measured", applies_to=(name,), severity="info"
        )
        for name, r in angles.items()
        if r.measured_fraction == 0
    ]
    return AnglesResult(
        view=inp.view,
        uncertainty={name: r.uncertainty_deg for name, r in angles.items()},
        warnings=(*inp.warnings, *warnings),
        angles=angles,
    )


# --- the registry's entry -----------------------------------------------------------------------

KEY_ANGLES = tuple(f"{s}_{a}" for a in ("hip_flexion", "knee_flexion") for s in ("left", "right"))
"""The angles whose range a summary shows."""


def key_metrics(doc: Document) -> dict[str, Metric]:
    """Return the numbers a summary shows of the angles: the hip and knee ranges."""
    return {
        f"{name}_range_deg": doc["angles"][name]["range_deg"]
        for name in KEY_ANGLES
        if name in doc["angles"]
    }


def text_lines(doc: Document) -> list[str]:
    """Return the text summary's lines of the angles: each measured angle's range."""
    from hiplab.motion.angles import channel_label

    return [
        f"{channel_label(name)}: {r['min_deg']:g}° to {r['max_deg']:g}° "
        f"(± {r['uncertainty_deg']:g}°)"
        for name, r in doc["angles"].items()
        if r["max_deg"] is not None
    ]


def _measure(inp: c.TaskInput, _options: TaskOptions) -> AnglesResult:
    return analyze_angles(inp)


SETUP_STEPS: tuple[str, ...] = (
    "Film from the side, square to the person, for hip, knee and ankle bend; film from "
    "the front for knees falling in (knee valgus).",
    HIP_HEIGHT,
    DISTANCE,
    FPS_30,
)
"""How to film the task (before the set-up steps every task shares)."""

SPEC = TaskSpec(
    name="angles",
    title="Joint angles only",
    summary="joint-angle series and the range of each angle",
    choice="the range of each angle",
    setup_steps=SETUP_STEPS,
    result_type=AnglesResult,
    measure=_measure,
    key_metrics=key_metrics,
    text_lines=text_lines,
)
