"""What a video analysis's results page shows, in plain words: rows of text, no ids or codes.

Pure functions from a finished analysis
(:class:`~hiplab.services.videos.results.VideoResult` and its JSON document) to small
records the templates print as they are. They say what
``hiplab analyze`` prints (:mod:`hiplab.cli.analyze_cmd`): how the camera stood, the
analysis's verdict, each number with its standard uncertainty (``± sd`` in its unit,
from the document's uncertainty maps, a repetition's own included) and verdict, the
caveats (warning messages, never their codes) and what to do next.

Examples
--------
>>> unit_of("reps.0.descent_s"), unit_of("peak_knee_flexion_velocity_deg_s")
('s', '°/s')
>>> number_text(75.25, "°")
'75.2 °'

"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hiplab.motion.setup_guide import guide
from hiplab.motion.tasks.registry import MEASURING_TASKS, TASKS
from hiplab.motion.verdicts import (
    RELIABLE_DEG,
    RELIABLE_S,
    ROUGH_DEG,
    camera_text,
    metric_label,
    value_at,
)
from hiplab.services.videos.results import uncertainties

if TYPE_CHECKING:
    from hiplab.motion.analyze import Analysis
    from hiplab.motion.measured_tests import MeasuredTest
    from hiplab.motion.verdicts import Verdict
    from hiplab.services.videos.results import MetricRow, VideoResult

UNITS = (("_deg_s", "°/s"), ("_deg", "°"), ("_ms", "ms"), ("_s", "s"), ("_frame", "frames"))
"""Unit of a metric by the end of its key (angles without a suffix are in degrees)."""
VIEW_WORDS: Mapping[str, str] = {"sagittal": "the side", "frontal": "the front or the back"}
FRAME_VIEW_WORDS: Mapping[str, str] = {
    "front": "from the front",
    "right_side": "from the right side",
    "back": "from behind",
    "left_side": "from the left side",
    "oblique": "at a slant (between two views)",
    "unknown": "the view could not be judged",
}
SEVERITY_WORDS: Mapping[str, str] = {"info": "note", "warn": "caution", "refuse": "refused"}
NAME_WORDS: Mapping[str, str] = {
    "max_knee_flexion_deg": "deepest knee bend (of all repetitions)",
    "reps": "repetitions",
    "complete_reps": "complete repetitions",
    "reps_at_or_below_parallel": "repetitions at or below parallel",
    "stiff_landing": "stiff landing",
}
"""Key metrics whose plain name is not their key in words."""


@dataclass(frozen=True)
class Row:
    """A number as people read it: what it is, its value, ``± sd`` and its verdict."""

    label: str
    value: str
    uncertainty: str
    verdict: str
    level: str = ""


@dataclass(frozen=True)
class Note:
    """A caveat of the measurement: how serious, in a word, and the message."""

    severity: str
    level: str
    message: str


@dataclass(frozen=True)
class CameraView:
    """How the camera stood, in plain sentences."""

    view: str
    angle: str
    frames: tuple[str, ...]


@dataclass(frozen=True)
class Guide:
    """A task's camera set-up guide."""

    task: str
    title: str
    steps: tuple[str, ...]


def unit_of(path: str) -> str:
    """Return a metric's unit by the end of its key ("" for ratios, fractions and counts)."""
    return next((unit for suffix, unit in UNITS if path.endswith(suffix)), "")


def number_text(value: Any, unit: str = "") -> str:
    """Return a value as shown: at most one decimal, its unit after a space; yes/no in words."""
    if value is None:
        return "not measured"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = f"{round(value, 1):g}" if isinstance(value, float) else str(value)
    return f"{text} {unit}" if unit else text


def sd_text(sd: float | None, unit: str, value: Any = 0.0) -> str:
    """Return a standard uncertainty as ``± 4 °``, or why a number has none.

    A small uncertainty keeps two significant digits rather than rounding to 0.

    >>> sd_text(4.0, "°"), sd_text(0.0083, "s"), sd_text(None, "", True), sd_text(None, "", 3)
    ('± 4 °', '± 0.0083 s', 'none (a yes/no)', 'none (a count)')
    """
    if sd is not None:
        text = f"{sd:.2g}" if 0 < abs(sd) < 1 else number_text(float(sd))
        return f"± {text} {unit}" if unit else f"± {text}"
    if value is None:
        return "not measured"
    if isinstance(value, bool):
        return "none (a yes/no)"
    if isinstance(value, int):
        return "none (a count)"
    return "not known"


def _verdict(verdict: Verdict | Mapping[str, Any] | None) -> tuple[str, str]:
    if verdict is None:
        return "", ""
    if isinstance(verdict, Mapping):
        return str(verdict.get("text") or ""), str(verdict.get("level") or "")
    return verdict.text, verdict.level


def _key_label(row: MetricRow) -> str:
    if row.name in NAME_WORDS:
        return NAME_WORDS[row.name]
    return metric_label(row.name.replace("_range_deg", "_range"))


def key_rows(result: VideoResult) -> list[Row]:
    """Return the task's key numbers, each with its uncertainty and verdict."""
    rows = []
    for metric in result.metrics:
        unit = unit_of(metric.name) if not isinstance(metric.value, bool) else ""
        text, level = _verdict(metric.verdict)
        if metric.value is None and not text:
            text, level = "not measured", "not_measured"
        rows.append(
            Row(
                label=_key_label(metric),
                value=number_text(metric.value, unit),
                uncertainty=sd_text(metric.uncertainty, unit, metric.value),
                verdict=text,
                level=level,
            )
        )
    return rows


def measurement_rows(document: Mapping[str, Any]) -> list[Row]:
    """Return every number that has an uncertainty, in the document's order.

    An angle's range (task ``angles``) is shown with the angle's own uncertainty.
    """
    verdicts = document.get("verdicts") or {}
    angles = document.get("angles") or {}
    rows = []
    for path, sd in uncertainties(document).items():
        value, label, unit = value_at(document, path), metric_label(path), unit_of(path)
        if path in angles:
            value, label, unit = angles[path].get("range_deg"), f"{label} (range)", "°"
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        text, level = _verdict(verdicts.get(path))
        label = label.removeprefix("summary ")
        rows.append(Row(label, number_text(value, unit), sd_text(sd, unit, value), text, level))
    return rows


def stored_rows(measured: Sequence[MeasuredTest]) -> list[Row]:
    """Return the values "use these measurements" stores, as they will be stored."""
    return [
        Row(
            label=m.label[:1].upper() + m.label[1:],
            value=number_text(m.value, m.unit),
            uncertainty=sd_text(m.uncertainty, m.unit)
            if m.uncertainty is not None
            else "none (a score)",
            verdict=m.verdict.text,
            level=m.verdict.level,
        )
        for m in measured
    ]


def notes(document: Mapping[str, Any]) -> list[Note]:
    """Return the caveats: each warning's message with its severity in a word (never its code)."""
    return [
        Note(
            severity=SEVERITY_WORDS.get(str(w.get("severity")), "note"),
            level=str(w.get("severity") or "info"),
            message=str(w.get("message") or ""),
        )
        for w in document.get("warnings") or ()
    ]


def camera_view(camera: Mapping[str, Any]) -> CameraView:
    """Return how the camera stood: the view used, its angle to the body, frames per view."""
    near = camera.get("near_side")
    view = f"Measured as filmed from {VIEW_WORDS.get(str(camera.get('view')), 'the side')}"
    view += f", the {near} side nearer the camera." if near else "."
    counts = camera.get("frames_by_view") or {}
    frames = tuple(
        f"{count} {'frame' if count == 1 else 'frames'} {FRAME_VIEW_WORDS.get(name, name)}"
        for name, count in sorted(counts.items(), key=lambda item: -item[1])
    )
    angle = camera_text(camera)
    return CameraView(view=view, angle=angle[:1].upper() + angle[1:] + ".", frames=frames)


def guides() -> list[Guide]:
    """Return the camera set-up guide of every task, in the order of the upload form."""
    return [Guide(name, spec.title, guide(name)) for name, spec in TASKS.items()]


def task_choices() -> list[tuple[str, str]]:
    """Return each task and what a person choosing it reads, in the registry's order."""
    return [(name, f"{spec.title}: {spec.choice}") for name, spec in TASKS.items()]


def task_title(task: str) -> str:
    """Return a task in plain words (the task itself when it is unknown)."""
    spec = TASKS.get(task)
    return task if spec is None else spec.title


LIMITS = (
    f"Reliable: an uncertainty of at most {RELIABLE_DEG:g}° ({RELIABLE_S:g} s for a time), "
    f"stored when it is a test value; rough: up to {ROUGH_DEG:g}°, shown but never stored; "
    "not measured: wider, or not seen."
)
"""The verdict levels in plain words (:mod:`hiplab.motion.verdicts`)."""


def results_context(result: VideoResult) -> dict[str, Any]:
    """Return what the results page needs beyond the job: rows, notes, camera, advice, guide."""
    analysis: Analysis = result.analysis
    document = result.document
    return {
        "key_rows": key_rows(result),
        "measurement_rows": measurement_rows(document),
        "notes": notes(document),
        "camera": camera_view(document.get("camera") or {}),
        "verdict": analysis.verdict,
        "advice": [a[:1].upper() + a[1:] for a in analysis.advice],
        "stored_rows": stored_rows(analysis.measured),
        "left_out": list(analysis.measured_tests_left_out),
        "measuring": analysis.task in MEASURING_TASKS,
        "task_title": task_title(analysis.task),
        "guide": Guide(analysis.task, task_title(analysis.task), guide(analysis.task)),
        "limits": LIMITS,
    }
