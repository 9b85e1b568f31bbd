"""Accuracy of the video-analysis kinematics and task metrics against exact synthetic truth.

Synthetic stick figures (:mod:`hiplab.testing.synthetic`, a body 400 px tall in a
1280 × 720 frame) are rendered as keypoint tracks and run through the same
stages as ``hiplab analyze``: :func:`hiplab.motion.analyze.kinematics` in the
task's view, then the task (:func:`hiplab.motion.tasks.get_task`). Each output
is compared with the generator's exact truth.

Capture conditions:

* ``clean``: keypoints exactly on the figure (no noise);
* ``noise 2px``: Gaussian keypoint noise σ = 2 px (0.5 % of the body height);
* ``noise+drop``: σ = 2 px and 5 % of every keypoint's samples missing (score
  0, NaN) in bursts of 1–3 frames at 30 fps (33–100 ms at any rate);
* ``noise+drop+dist``: the same plus a second person (0.85 × the subject's
  size) walking across the frame past the subject. The subject is then chosen
  and followed by :class:`hiplab.motion.track.MultiPersonTracker` (as for
  OpenPose JSON or a multi-person model); ``wrong-id`` is the share of frames
  it gave to the other person, ``wrong-view`` the share of runs whose view was
  detected wrong.

Tasks (sagittal figures face right on even seeds and left on odd ones):

* squat, side view, 30 fps: 3 reps of 2 s to 110° knee flexion;
* drop landing, side view, 60 and 120 fps, from a 30 cm box in free fall (the
  foot hits the floor at ~2.4 m/s; the joint curves are
  :func:`~hiplab.testing.synthetic.drop_landing`'s). ``landing sag 120 gen`` is
  the generator's own :func:`~hiplab.testing.synthetic.drop_landing`, whose
  foot decelerates to rest at contact (``½ g (t_contact − t)²``): a touch-down
  with no impact, where initial contact has no sharp frame;
* landing and squat, front view (120 / 30 fps): valgus (FPPA) 12°/8° and
  12°/4° right/left, pelvic drop 5° in the squat;
* modified Thomas test, 30 fps: near leg hanging at −10° thigh, 80° knee;
* a held deep squat (library exercise ``deep_squat_hold``, 30 fps), entered,
  left, re-entered and left.

Printed, one line per task × condition × group; each figure is ``mean/max``:
the mean over 5 seeds of each run's mean |error|, and the largest |error| of
any run.

* ``angles``: every angle channel (both sides pooled) over the frames where it
  was measured (degrees), then the share of frames measured; ``≤2sd`` is the
  lowest share, over the channels, of frames whose error is within twice the
  channel's reported standard uncertainty (``TimeSeries.uncertainty``);
* ``events``: squat rep start/bottom/end and landing initial contact (IC) and
  peak knee flexion frames (``|Δ|`` in frames; ``reps±`` = |reps found − reps
  done|), hold interval edges (s);
* ``metrics``: task metrics against the truth (peaks over the true rep or
  landing phase, values at the true event, Thomas values against the median of
  the true angle), with the signed bias (measured − truth) in brackets and
  ``cov``, the share of reported values whose |error| ≤ 2 × the uncertainty
  the result reports for it (``result.uncertainty`` / ``rep.uncertainty``; a
  value reported without one counts as not covered). ``never-still`` is the
  share of Thomas runs where the task found no still run of the hanging leg.

A figure found in fewer than all runs or reps shows its share (``found``).
Hold truth is the hold task run on the exact angle series (its intervals are
the task's definition applied to the truth). Python warnings raised inside
hiplab are collected and listed at the end. Nothing is asserted; the whole run
takes about 10 s.

Use :func:`accuracy_rows` for the figures as data (:class:`Row` / :class:`Stat`)
and :func:`main` to print them (``from benchmarks.motion_accuracy import main``).

Usage: ``.venv/bin/python benchmarks/motion_accuracy.py``.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.analyze import kinematics
from hiplab.motion.angles import Facing, Side
from hiplab.motion.keypoints import Detection, KeypointTrack
from hiplab.motion.tasks import TaskInput, TaskOptions, TaskResult, get_task
from hiplab.motion.track import MultiPersonTracker, TrackParams
from hiplab.testing import synthetic as syn

if TYPE_CHECKING:
    from hiplab.library.models import Exercise
    from hiplab.motion.series import TimeSeries

FloatArray = NDArray[np.float64]
SEEDS = (0, 1, 2, 3, 4)
BODY = syn.Body(height_px=400.0)
COVER_SD = 2.0
SIDES: tuple[Side, Side] = ("left", "right")
SAGITTAL_ANGLES = ("hip_flexion", "knee_flexion", "ankle_dorsiflexion", "thigh_angle", "trunk_lean")
FRONTAL_ANGLES = ("knee_fppa", "pelvic_drop", "trunk_lateral_lean")
SHORT = {
    "hip_flexion": "hip",
    "knee_flexion": "knee",
    "ankle_dorsiflexion": "ankle",
    "thigh_angle": "thigh",
    "trunk_lean": "trunk",
    "knee_fppa": "fppa",
    "pelvic_drop": "pelvis",
    "trunk_lateral_lean": "trunk-lat",
}
HOLD_EXERCISE = "deep_squat_hold"


# --- conditions and scenarios -------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """How the figure is filmed: keypoint noise, dropouts, a distractor person."""

    name: str
    noise_px: float
    dropout_fraction: float = 0.0
    distractor: bool = False


CONDITIONS = (
    Condition("clean", 0.0),
    Condition("noise 2px", 2.0),
    Condition("noise+drop", 2.0, dropout_fraction=0.05),
    Condition("noise+drop+dist", 2.0, dropout_fraction=0.05, distractor=True),
)


@dataclass(frozen=True)
class Run:
    """One analysed capture: the capture, the task result and its input."""

    capture: syn.Capture
    result: Any
    inp: TaskInput


@dataclass
class Errors:
    """One figure of one run: |errors|, signed errors, which were within 2 sd, share found."""

    unit: str
    errors: list[float] = field(default_factory=list)
    covered: list[bool] | None = None
    found: float = 1.0
    signed: list[float] = field(default_factory=list)


Scores = dict[tuple[str, str], Errors]
Pair = tuple[float | None, float, float | None]
"""A measured value (None: not reported), its truth and its reported sd (None: none)."""
Builder = Callable[[syn.CaptureOptions, Facing], syn.Capture]


@dataclass(frozen=True)
class Scenario:
    """One task filmed one way: how to build it and how to score the task's result."""

    name: str
    task: str
    fps: float
    angles: tuple[str, ...]
    build: Builder
    score: Callable[[Run], Scores]


@dataclass(frozen=True)
class Stat:
    """One figure over seeds: mean |error|, max |error|, bias, coverage by 2 sd, share found.

    ``mean`` and ``bias`` are means over seeds of each run's mean |error| and mean
    signed error (measured − truth); ``worst`` is the largest |error| of any run;
    ``coverage`` is the share of values within 2 reported sd (None: no sd reported).
    """

    name: str
    unit: str
    mean: float
    worst: float
    bias: float | None
    coverage: float | None
    found: float


@dataclass(frozen=True)
class Row:
    """One printed line: task × condition × group."""

    task: str
    condition: str
    group: str
    stats: tuple[Stat, ...]


# --- captures -----------------------------------------------------------------------------------


def frontal_landing(options: syn.CaptureOptions, _facing: Facing) -> syn.Capture:
    """Return frontal_landing's curves (FPPA 12°/8° right/left) with the feet in free fall."""
    return syn.frontal_landing(options, free_fall=True)


def hold_capture(options: syn.CaptureOptions, facing: Facing) -> syn.Capture:
    """Return the synthetic hold at deep_squat_hold's targets (knee 140, ankle 35, trunk 25)."""
    return syn.hold(options, facing=facing, target_knee=140.0, target_ankle=35.0, target_trunk=25.0)


def capture_for(scenario: Scenario, condition: Condition, seed: int, facing: Facing) -> syn.Capture:
    options = syn.CaptureOptions(
        fps=scenario.fps,
        body=BODY,
        noise_px=condition.noise_px,
        distractor=condition.distractor,
        seed=seed,
    )
    capture = scenario.build(options, facing)
    if not condition.dropout_fraction:
        return capture
    holes = syn.burst_dropouts(
        capture.track.frames, scenario.fps, seed=seed, fraction=condition.dropout_fraction
    )
    return scenario.build(replace(options, dropouts=holes), facing)


def tracked(capture: syn.Capture) -> tuple[KeypointTrack, int]:
    """Return the subject as the multi-person tracker follows them, and frames on someone else."""
    tracker = MultiPersonTracker(TrackParams())
    decisions: dict[int, Detection | None] = {}
    for poses in capture.frames:
        decisions.update(tracker.push(poses))
    decisions.update(tracker.finish())
    source = capture.track
    xy, score = np.full_like(source.xy, np.nan), np.zeros_like(source.score)
    lost = np.ones(source.frames, dtype=bool)
    wrong = 0
    for i, det in decisions.items():
        if det is None:
            continue
        xy[i], score[i], lost[i] = det.xy, det.score, False
        slot = capture.subject_slot[i]
        subject = None if slot is None else capture.frames[i].people[slot]
        wrong += subject is None or not np.allclose(det.xy, subject.xy, equal_nan=True)
    track = replace(source, xy=xy, score=score, lost=lost, source="synthetic+tracker")
    return track, wrong


@cache
def hold_exercise() -> Exercise:
    from hiplab.library.loader import default_library

    return default_library().exercises[HOLD_EXERCISE]


# --- scoring helpers ----------------------------------------------------------------------------


def compare(unit: str, pairs: Sequence[Pair], *, with_sd: bool = True) -> Errors:
    """Return the errors of ``(measured or None, truth, reported sd or None)`` pairs."""
    found = [(v, t, s) for v, t, s in pairs if v is not None]
    errors = [abs(v - t) for v, t, _ in found]
    covered = [s is not None and abs(v - t) <= COVER_SD * s for v, t, s in found]
    return Errors(
        unit=unit,
        errors=errors,
        covered=covered if with_sd else None,
        found=len(found) / len(pairs) if pairs else 0.0,
        signed=[v - t for v, t, _ in found],
    )


def flag(value: bool) -> Errors:
    """Return a yes/no figure of one run (its mean over runs is the share of runs with it)."""
    return Errors("share", [float(value)])


def angle_scores(series: TimeSeries, truth: TimeSeries, angles: Sequence[str]) -> Scores:
    """Return per-angle errors over measured frames (both sides pooled)."""
    out: Scores = {}
    for angle in angles:
        names = [angle] if angle in truth.data else [f"{side}_{angle}" for side in SIDES]
        errors: list[FloatArray] = []
        covered: list[FloatArray] = []
        frames = 0
        for name in names:
            frames += truth.frames
            if name not in series.data:
                continue
            diff = (series.channel(name) - truth.channel(name) + 180.0) % 360.0 - 180.0
            error = np.abs(diff[np.isfinite(diff)])
            errors.append(error)
            covered.append(error <= COVER_SD * series.uncertainty.get(name, math.nan))
        flat = np.concatenate(errors) if errors else np.zeros(0)
        hits = np.concatenate(covered) if covered else np.zeros(0, dtype=bool)
        out["angles", SHORT[angle]] = Errors(
            "deg", flat.tolist(), hits.tolist(), flat.size / max(frames, 1)
        )
    return out


def truth_events(capture: syn.Capture, name: str) -> list[int]:
    return [e.frame for e in capture.truth.events if e.name == name]


def measured_side(run: Run) -> str:
    return run.inp.near_side or "right"


def truth_peak(run: Run, name: str, start: int, end: int) -> float:
    return float(np.max(run.capture.truth.channel(name)[start : end + 1]))


# --- per task scores ----------------------------------------------------------------------------


def match_reps(run: Run) -> list[tuple[Any, int, int, int]]:
    """Return ``(rep or None, true start, bottom, end)``: each true rep with its nearest bottom."""
    starts, bottoms = truth_events(run.capture, "rep_start"), truth_events(run.capture, "bottom")
    ends = truth_events(run.capture, "rep_end")
    reps = list(run.result.reps)
    out = []
    for s, b, e in zip(starts, bottoms, ends, strict=True):
        near = [r for r in reps if s <= r.bottom_frame <= e]
        rep = min(near, key=lambda r: abs(r.bottom_frame - b)) if near else None
        out.append((rep, s, b, e))
    return out


def rep_events(run: Run) -> Scores:
    matched = match_reps(run)
    out: Scores = {}
    for index, key in enumerate(("start", "bottom", "end"), start=1):
        pairs = [
            (None if m[0] is None else float(getattr(m[0], f"{key}_frame")), float(m[index]), None)
            for m in matched
        ]
        out["events", key] = compare("frames", pairs, with_sd=False)
    extra = abs(len(run.result.reps) - len(matched))
    out["events", "reps±"] = Errors("reps", [float(extra)])
    return out


def squat_sagittal(run: Run) -> Scores:
    side = measured_side(run)
    truth = run.capture.truth
    knee, hip, thigh = [], [], []
    for rep, s, b, e in match_reps(run):
        sd = {} if rep is None else rep.uncertainty
        knee.append(
            (
                rep and rep.peak_knee_flexion_deg,
                truth_peak(run, f"{side}_knee_flexion", s, e),
                sd.get("peak_knee_flexion_deg"),
            )
        )
        hip.append(
            (
                rep and rep.peak_hip_flexion_deg,
                truth_peak(run, f"{side}_hip_flexion", s, e),
                sd.get("peak_hip_flexion_deg"),
            )
        )
        thigh.append(
            (
                rep and rep.thigh_angle_at_bottom_deg,
                float(truth.channel(f"{side}_thigh_angle")[b]),
                sd.get("thigh_angle_at_bottom_deg"),
            )
        )
    return rep_events(run) | {
        ("metrics", "peak knee"): compare("deg", knee),
        ("metrics", "peak hip"): compare("deg", hip),
        ("metrics", "thigh@bottom"): compare("deg", thigh),
    }


def squat_frontal(run: Run) -> Scores:
    fppa: list[Pair] = []
    drop: list[Pair] = []
    for rep, s, _, e in match_reps(run):
        sd = {} if rep is None else rep.uncertainty
        for side in SIDES:
            for pairs, key, angle in (
                (fppa, "peak_knee_fppa_deg", "knee_fppa"),
                (drop, "peak_pelvic_drop_deg", "pelvic_drop"),
            ):
                pair = None if rep is None else getattr(rep, key)
                got = None if pair is None else getattr(pair, side)
                want = truth_peak(run, f"{side}_{angle}", s, e)
                pairs.append((got, want, sd.get(f"{key}.{side}")))
    return rep_events(run) | {
        ("metrics", "peak fppa"): compare("deg", fppa),
        ("metrics", "peak pelvis"): compare("deg", drop),
    }


def landing_ic(run: Run) -> tuple[int, Scores]:
    (ic,) = truth_events(run.capture, "initial_contact")
    result = run.result
    got = None if result.initial_contact_frame is None else float(result.initial_contact_frame)
    sd = result.uncertainty.get("initial_contact_frame")
    return ic, {("events", "IC"): compare("frames", [(got, float(ic), sd)])}


def landing_sagittal(run: Run) -> Scores:
    ic, out = landing_ic(run)
    (peak,) = truth_events(run.capture, "peak_knee_flexion")
    result, fps = run.result, run.inp.fps
    side = measured_side(run)
    knee = run.capture.truth.channel(f"{side}_knee_flexion")
    hip = run.capture.truth.channel(f"{side}_hip_flexion")
    sd = result.uncertainty
    frame = result.peak_knee_flexion_frame
    out["events", "peak"] = compare(
        "frames", [(None if frame is None else float(frame), float(peak), None)], with_sd=False
    )
    end = len(knee)
    return out | {
        ("metrics", "knee@IC"): compare(
            "deg",
            [(result.knee_flexion_at_contact_deg, knee[ic], sd.get("knee_flexion_at_contact_deg"))],
        ),
        ("metrics", "peak knee"): compare(
            "deg",
            [(result.peak_knee_flexion_deg, knee[ic:end].max(), sd.get("peak_knee_flexion_deg"))],
        ),
        ("metrics", "peak hip"): compare(
            "deg",
            [(result.peak_hip_flexion_deg, hip[ic:end].max(), sd.get("peak_hip_flexion_deg"))],
        ),
        ("metrics", "t→peak"): compare(
            "ms",
            [
                (
                    result.time_to_peak_knee_flexion_ms,
                    1000.0 * (peak - ic) / fps,
                    sd.get("time_to_peak_knee_flexion_ms"),
                )
            ],
        ),
    }


def landing_frontal(run: Run) -> Scores:
    ic, out = landing_ic(run)
    result = run.result
    pairs = []
    for side in SIDES:
        truth = run.capture.truth.channel(f"{side}_knee_fppa")[ic:].max()
        got = (
            None if result.peak_knee_fppa_deg is None else getattr(result.peak_knee_fppa_deg, side)
        )
        pairs.append((got, float(truth), result.uncertainty.get(f"peak_knee_fppa_deg.{side}")))
    return out | {("metrics", "peak fppa"): compare("deg", pairs)}


def thomas(run: Run) -> Scores:
    side = measured_side(run)
    truth = run.capture.truth
    leg = getattr(run.result, side)
    sd = run.result.uncertainty
    out: Scores = {}
    for key, name in (("thigh", "thigh_angle"), ("knee", "knee_flexion")):
        got = None if leg is None else getattr(leg, f"{name}_deg")
        want = float(np.median(truth.channel(f"{side}_{name}")))
        out["metrics", key] = compare("deg", [(got, want, sd.get(f"{side}.{name}_deg"))])
    out["metrics", "never-still"] = flag(leg is None or not leg.still)
    return out


def nearest_interval(
    intervals: Sequence[tuple[float, float]], start: float
) -> tuple[float, float] | None:
    return min(intervals, key=lambda g: abs(g[0] - start)) if intervals else None


def hold(run: Run) -> Scores:
    """Score the hold against the hold task run on the exact angles (left, right, both)."""
    from hiplab.motion.tasks.hold import analyze_hold

    exact = TaskInput(series=run.capture.truth, view="sagittal", near_side=run.inp.near_side)
    truth = analyze_hold(exact, exercise=hold_exercise())
    result = run.result
    edges, times, longest = [], [], []
    for key, want in truth.sides.items():
        got = result.sides.get(key)
        sd = result.uncertainty.get(f"time_in_pose_s.{key}")
        times.append((None if got is None else got.time_in_pose_s, want.time_in_pose_s, sd))
        longest.append((None if got is None else got.longest_hold_s, want.longest_hold_s, None))
        for interval in want.intervals:
            match = nearest_interval(() if got is None else got.intervals, interval[0])
            edges += [(None if match is None else match[k], interval[k], None) for k in (0, 1)]
    return {
        ("events", "edges"): compare("s", edges, with_sd=False),
        ("metrics", "time in pose"): compare("s", times),
        ("metrics", "longest hold"): compare("s", longest, with_sd=False),
    }


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "squat sag 30",
        "squat",
        30.0,
        SAGITTAL_ANGLES,
        lambda o, f: syn.squat(o, facing=f),
        squat_sagittal,
    ),
    Scenario(
        "landing sag 60", "landing", 60.0, SAGITTAL_ANGLES, syn.free_fall_landing, landing_sagittal
    ),
    Scenario(
        "landing sag 120",
        "landing",
        120.0,
        SAGITTAL_ANGLES,
        syn.free_fall_landing,
        landing_sagittal,
    ),
    Scenario(
        "landing sag 120 gen",
        "landing",
        120.0,
        SAGITTAL_ANGLES,
        lambda o, f: syn.drop_landing(o, facing=f),
        landing_sagittal,
    ),
    Scenario(
        "landing front 120", "landing", 120.0, FRONTAL_ANGLES, frontal_landing, landing_frontal
    ),
    Scenario(
        "squat front 30",
        "squat",
        30.0,
        FRONTAL_ANGLES,
        lambda o, _f: syn.frontal_squat(o),
        squat_frontal,
    ),
    Scenario(
        "thomas 30",
        "thomas",
        30.0,
        SAGITTAL_ANGLES,
        lambda o, f: syn.thomas_test(o, side=f, facing=f),
        thomas,
    ),
    Scenario("hold 30", "hold", 30.0, SAGITTAL_ANGLES, hold_capture, hold),
)


# --- running ------------------------------------------------------------------------------------


def analyse(track: KeypointTrack, task: str) -> tuple[TaskResult, TaskInput]:
    """Run the kinematics and the task exactly as ``hiplab analyze`` does."""
    spec = get_task(task)
    series, camera, notes = kinematics(track, spec)
    inp = TaskInput(
        series=series, view=camera.view, near_side=camera.near_side, warnings=notes, raw=track
    )
    exercise = hold_exercise() if spec.needs_exercise else None
    return spec.measure(inp, TaskOptions(exercise=exercise)), inp


@dataclass
class SourceWarnings:
    """Python warnings raised inside hiplab while analysing: where, what, and in which runs."""

    runs: dict[str, list[str]] = field(default_factory=dict)

    def add(self, caught: Sequence[warnings.WarningMessage], run: str) -> None:
        for w in caught:
            key = f"{Path(w.filename).name}:{w.lineno} {w.category.__name__}: {w.message}"
            self.runs.setdefault(key, []).append(run)


def run_once(scenario: Scenario, condition: Condition, seed: int, found: SourceWarnings) -> Scores:
    """Analyse one capture and score it (angles, plus the scenario's events and metrics)."""
    facing: Facing = "right" if seed % 2 == 0 else "left"
    capture = capture_for(scenario, condition, seed, facing)
    track, wrong = tracked(capture) if condition.distractor else (capture.track, 0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result, inp = analyse(track, scenario.task)
        scores = angle_scores(inp.series, capture.truth, scenario.angles)
        scores |= scenario.score(Run(capture=capture, result=result, inp=inp))
    found.add(caught, f"{scenario.name} / {condition.name} / seed {seed}")
    if condition.distractor:
        scores["angles", "wrong-id"] = Errors("share", [wrong / track.frames])
    scores["angles", "wrong-view"] = flag(inp.view != capture.view)
    return scores


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if values else math.nan


def summarise(name: str, runs: Sequence[Errors]) -> Stat:
    """Return one figure over the runs (see :class:`Stat`)."""
    hits = [h for r in runs if r.covered is not None for h in r.covered]
    signed = [float(np.mean(r.signed)) for r in runs if r.signed]
    return Stat(
        name=name,
        unit=runs[0].unit,
        mean=_mean([float(np.mean(r.errors)) for r in runs if r.errors]),
        worst=max((max(r.errors) for r in runs if r.errors), default=math.nan),
        bias=_mean(signed) if signed else None,
        coverage=_mean([float(h) for h in hits])
        if any(r.covered is not None for r in runs)
        else None,
        found=_mean([r.found for r in runs]),
    )


def scenario_rows(
    scenario: Scenario, condition: Condition, seeds: Sequence[int], found: SourceWarnings
) -> list[Row]:
    """Return the rows of one scenario under one condition, over the seeds."""
    runs = [run_once(scenario, condition, seed, found) for seed in seeds]
    keys = list(dict.fromkeys(k for r in runs for k in r))
    rows: list[Row] = []
    for group in ("angles", "events", "metrics"):
        stats = tuple(
            summarise(name, [r[g, name] for r in runs if (g, name) in r])
            for g, name in keys
            if g == group
        )
        if stats:
            rows.append(Row(scenario.name, condition.name, group, stats))
    return rows


def accuracy_report(seeds: Sequence[int] = SEEDS) -> tuple[list[Row], SourceWarnings]:
    """Return the rows of every scenario under every condition, and hiplab's warnings."""
    found = SourceWarnings()
    rows = [
        row
        for scenario in SCENARIOS
        for condition in CONDITIONS
        for row in scenario_rows(scenario, condition, seeds, found)
    ]
    return rows, found


def accuracy_rows(seeds: Sequence[int] = SEEDS) -> list[Row]:
    """Return the accuracy rows as data (see the module docstring and :class:`Stat`)."""
    return accuracy_report(seeds)[0]


# --- printing -----------------------------------------------------------------------------------


def number(value: float, unit: str) -> str:
    """Return a figure for print: shares in %, ms whole, degrees to 2 significant decimals."""
    if not math.isfinite(value):
        return "—"
    if unit == "share":
        return f"{value:.0%}"
    if unit == "ms" or round(abs(value)) >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if round(abs(value), 1) >= 10 else f"{value:.2f}"


def cell(stat: Stat, group: str) -> str:
    """Return one figure as ``name mean/max [unit] [(bias)] [share] [cov]``."""
    text = f"{stat.name} {number(stat.mean, stat.unit)}/{number(stat.worst, stat.unit)}"
    if stat.unit in ("s", "ms"):
        text += stat.unit
    if stat.bias is not None:
        text += f" ({'+' if stat.bias >= 0 else '-'}{number(abs(stat.bias), stat.unit)})"
    if group == "angles" and stat.unit == "deg":
        text += f" {stat.found:.0%}"
    elif stat.found < 0.995:
        text += f" found {stat.found:.0%}"
    if group != "angles" and stat.coverage is not None:
        text += f" cov {number(stat.coverage, 'share')}"
    return text


def line(row: Row) -> str:
    """Return one printed row; a wrong view is shown only when it happened."""
    stats = [s for s in row.stats if not (s.name == "wrong-view" and s.worst == 0)]
    cells = [cell(s, row.group) for s in stats]
    if row.group == "angles":
        hits = [s.coverage for s in stats if s.unit == "deg" and s.coverage is not None]
        cells.append(f"≤2sd {number(min(hits), 'share')}" if hits else "")
    return f"{row.task:<19} {row.condition:<15} {row.group:<7} " + "  ".join(cells).rstrip()


HEADER = """\
Accuracy on synthetic truth: stick figure {body:.0f} px tall in 1280x720, {seeds} seeds (sagittal
figures face right / left on even / odd seeds). Each figure: name mean/max |error|, the mean over
seeds of each run's mean |error| / the largest |error| of any run.
  angles : degrees, over the frames where the channel was measured (both sides pooled), then the
           share of frames measured; ≤2sd = the lowest share, over channels, of frames whose error
           is within 2 x the channel's reported sd; wrong-id = share of frames on the wrong person
  events : |Δ| in frames (hold: interval edges in s), found = share of true events matched
  metrics: degrees unless marked, (signed bias measured - truth), cov = share of reported values
           with |error| <= 2 x the sd the result reports for them
Conditions: clean = no noise; noise 2px = Gaussian sigma 2 px; noise+drop = 2 px and 5 % of each
keypoint's samples missing in 33-100 ms bursts; noise+drop+dist = that plus a person walking past
(0.85 x size), the subject followed by the multi-person tracker. Landings: free fall from 30 cm
("gen": synthetic.drop_landing as is; its foot slows to rest at contact: no impact frame)."""


def main() -> None:
    start = time.perf_counter()
    rows, found = accuracy_report()
    print(HEADER.format(body=BODY.height_px, seeds=len(SEEDS)))
    previous = ""
    for row in rows:
        if row.task != previous:
            print()
            previous = row.task
        print(line(row))
    for key, runs in found.runs.items():
        print(f"warning from hiplab in {len(runs)} runs (first: {runs[0]}): {key}")
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
