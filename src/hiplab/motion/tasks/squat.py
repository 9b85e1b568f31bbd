"""Squat: repetitions with their peaks, depth against parallel, heel rise, tempo, asymmetry.

Conventions
-----------
* Side view: repetitions are cut (:mod:`hiplab.motion.tasks.reps`) from the
  mean of hip and knee flexion of the measured leg; the *bottom* is the frame
  where that mean peaks. Per repetition: peak hip, knee and ankle flexion in
  ``[start, end]``, trunk lean at the bottom, ``hip_knee_ratio`` = peak hip /
  peak knee flexion (> 1: hip-dominant), and the thigh angle at the bottom.
* Depth: ``thigh_angle`` is the thigh's elevation above horizontal (knee
  above hip positive), so the hip is at or below the knee — *at or below
  parallel* — when the thigh angle at the bottom is ≥ 0°.
* Only movements that pass the squat gate (:func:`~hiplab.motion.tasks.gates.check_squat`:
  both legs, feet planted, in place, one person) are repetitions; a clip
  without one is refused.
* Heel rise: per repetition, the heel's largest height above its standing
  height (median heel y over the standing frames next to the repetition,
  :data:`STANDING_WINDOW_S` on each side outside other repetitions), over the
  shank length (median knee–ankle distance). A heel cannot rise more than the
  foot is long (the toes stay down), nor sink below its standing height: a
  reading above the foot's length (median heel–toe distance; else
  :data:`FOOT_PER_SHANK` × shank), or readings below −:data:`HEEL_RISE_FRACTION`
  of the shank (their :data:`LOW_PERCENTILE` th percentile) mean
  the keypoints are not this foot standing, and the repetition's heel rise is
  *unmeasurable* (None, with a warning), never clipped. A repetition's heels
  *rise* when the reading exceeds :data:`HEEL_RISE_FRACTION` (5% of the
  shank, about 2 cm for an adult); the set's heels rise when they rose in
  every measured repetition (none was done heels-down). Side view only: from
  the front the foot hides the heel.
* Front view: repetitions are cut from leg shortening ``1 − (ankle y − hip
  y) / standing`` (mean of both legs); per repetition the peak knee FPPA and
  pelvic drop per side; the summary compares sides. A side difference counts
  only when it exceeds 1.96 × the combined uncertainty of both sides.
* Tempo: descent = bottom − start, ascent = end − bottom, in seconds.
* FMS deep squat (side view): the criteria the video can judge and the best
  score they allow (:mod:`hiplab.motion.tasks.fms`) — never an FMS score. Its
  heels criterion is the set's heel-rise result, so the two always agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field

from hiplab.motion.tasks import common as c
from hiplab.motion.tasks.filming import DISTANCE, FPS_30, HIP_HEIGHT
from hiplab.motion.tasks.fms import FmsDeepSquat, fms_deep_squat, rep_criteria
from hiplab.motion.tasks.gates import check_squat
from hiplab.motion.tasks.reps import RepFrames, segment_reps
from hiplab.motion.tasks.spec import Document, Metric, TaskOptions, TaskSpec, fmt

SAGITTAL_MIN_PROMINENCE_DEG = 25.0
FRONTAL_MIN_SHORTENING = 0.08
HEEL_RISE_FRACTION = 0.05
FOOT_PER_SHANK = 0.152 / 0.246
"""Foot (heel → toe) over shank length (Winter's table): the heel's bound if the toe is not seen."""
LOW_PERCENTILE = 5.0
"""Percentile of a repetition's heel readings taken as its lowest (one stray frame is not)."""
STANDING_WINDOW_S = 0.5
"""Standing frames read on each side of a repetition for the heel's standing height."""
SIGNIFICANT_Z = 1.96
DEPTH_RULE = "thigh angle at the bottom ≥ 0° (hip at or below the knee) = at or below parallel"
HEEL_RULE = (
    f"heels rise when the heel rose more than {HEEL_RISE_FRACTION:.0%} of the shank length above "
    "its standing height in every measured repetition (none was done heels-down); a reading "
    "beyond the foot's length is unmeasurable, not a heel rise"
)
SAGITTAL_KEYS = (
    "peak_hip_flexion_deg",
    "peak_knee_flexion_deg",
    "peak_ankle_dorsiflexion_deg",
    "trunk_lean_at_bottom_deg",
    "hip_knee_ratio",
    "summary.depth",
    "summary.heel_rise",
)


class SidePair(c.Model):
    """One value per side."""

    left: float | None = None
    right: float | None = None


class SquatRep(c.Model):
    """One repetition (frames are 0-based indices of the input)."""

    start_frame: int
    bottom_frame: int
    end_frame: int
    complete: bool
    peak_hip_flexion_deg: float | None = None
    peak_knee_flexion_deg: float | None = None
    peak_ankle_dorsiflexion_deg: float | None = None
    trunk_lean_at_bottom_deg: float | None = None
    ankle_dorsiflexion_at_bottom_deg: float | None = None
    hip_knee_ratio: float | None = None
    thigh_angle_at_bottom_deg: float | None = None
    at_or_below_parallel: bool | None = None
    heel_rise_fraction: float | None = None
    descent_s: float
    ascent_s: float
    peak_knee_fppa_deg: SidePair | None = None
    peak_pelvic_drop_deg: SidePair | None = None
    uncertainty: dict[str, float | None] = Field(default_factory=dict)


class Depth(c.Model):
    """Depth against parallel over the repetitions."""

    thigh_angle_at_bottom_deg: float | None
    reps_at_or_below_parallel: int
    reps_measured: int
    at_or_below_parallel: bool | None
    rule: str = DEPTH_RULE


class HeelRise(c.Model):
    """Heel rise over the measured repetitions: the largest, and in how many the heels rose."""

    max_fraction_of_shank: float | None
    max_px: float | None
    heels_rise: bool | None
    reps_heels_rise: int = 0
    reps_measured: int = 0
    reps_unmeasurable: int = 0
    rule: str = HEEL_RULE


@dataclass(frozen=True)
class HeelReading:
    """One repetition's heel rise: over the shank and in pixels (None: not measured).

    ``unmeasurable`` when the keypoints moved in a way a standing heel cannot.
    """

    fraction: float | None = None
    px: float | None = None
    unmeasurable: bool = False


class Tempo(c.Model):
    """Mean phase durations of the complete repetitions."""

    mean_descent_s: float | None
    mean_ascent_s: float | None
    mean_rep_s: float | None


class Asymmetry(c.Model):
    """Left/right comparison in a front view (means over repetitions)."""

    peak_knee_fppa_deg: SidePair
    knee_fppa_difference_deg: float | None
    more_valgus_side: Literal["left", "right"] | None
    peak_pelvic_drop_deg: SidePair
    rule: str = "a side difference counts when it exceeds 1.96 × its combined uncertainty"


class SquatSummary(c.Model):
    """Summary over all repetitions."""

    reps: int
    complete_reps: int
    depth: Depth | None
    heel_rise: HeelRise | None
    tempo: Tempo
    asymmetry: Asymmetry | None
    fms_deep_squat: FmsDeepSquat | None = None


class SquatResult(c.TaskResult):
    """The squat task's result."""

    task: str = "squat"
    reps: tuple[SquatRep, ...]
    summary: SquatSummary


def _composite(inp: c.TaskInput) -> c.FloatArray:
    hip, _ = c.sided(inp, "hip_flexion")
    knee, _ = c.sided(inp, "knee_flexion")
    stacked = np.stack([hip, knee])
    out = np.full(inp.frames, np.nan)
    some = np.isfinite(stacked).any(axis=0)
    out[some] = np.nanmean(stacked[:, some], axis=0)
    return out


def _leg_shortening(inp: c.TaskInput) -> c.FloatArray:
    lengths = []
    for side in c.SIDES:
        hip, ankle = c.point(inp.series, f"{side}_hip"), c.point(inp.series, f"{side}_ankle")
        lengths.append(ankle[:, 1] - hip[:, 1])
    stacked = np.stack(lengths)
    leg = np.full(inp.frames, np.nan)
    some = np.isfinite(stacked).any(axis=0)
    leg[some] = np.nanmean(stacked[:, some], axis=0)
    if not np.isfinite(leg).any():
        return leg
    standing = float(np.nanpercentile(leg, 95))
    return np.asarray(1.0 - leg / standing, dtype=np.float64)


def _standing_frames(n: int, rep: RepFrames, reps: list[RepFrames], fps: float) -> c.BoolArray:
    """Return the frames the subject stands in next to ``rep`` (its edges, and beside it)."""
    reach = max(1, round(STANDING_WINDOW_S * fps))
    mask = np.zeros(n, dtype=bool)
    mask[max(rep.start - reach, 0) : rep.start + 1] = True
    mask[rep.end : rep.end + reach + 1] = True
    for other in reps:
        if other is not rep:
            mask[other.start + 1 : other.end] = False  # inside another repetition
    mask[[rep.start, rep.end]] = True
    return mask


def _median(data: c.FloatArray) -> float | None:
    finite = data[np.isfinite(data)]
    return float(np.median(finite)) if finite.size else None


def _heel_reading(inp: c.TaskInput, rep: RepFrames, reps: list[RepFrames]) -> HeelReading:
    """Return the heel rise of one repetition, bounded by the foot (see the module conventions)."""
    standing = _standing_frames(inp.frames, rep, reps, inp.fps)
    window = slice(rep.start, rep.end + 1)
    highest = np.full(rep.end + 1 - rep.start, np.nan)
    shanks: list[c.FloatArray] = []
    feet: list[c.FloatArray] = []
    for side in c.SIDES:
        heel = c.point(inp.series, f"{side}_heel")
        base = _median(heel[standing, 1])
        if base is None:
            continue
        highest = np.fmax(highest, base - heel[window, 1])
        knee, ankle = c.point(inp.series, f"{side}_knee"), c.point(inp.series, f"{side}_ankle")
        shanks.append(np.linalg.norm(knee - ankle, axis=1)[window])
        toe = c.point(inp.series, f"{side}_foot_index")
        feet.append(np.linalg.norm(heel - toe, axis=1)[standing])
    shank = _median(np.concatenate(shanks)) if shanks else None
    if not np.isfinite(highest).any() or shank is None or shank <= 0:
        return HeelReading()
    top = float(np.nanmax(highest))
    sunk = float(np.nanpercentile(highest, LOW_PERCENTILE))  # robust to a stray frame
    foot = _median(np.concatenate(feet)) or FOOT_PER_SHANK * shank
    if top > foot or sunk < -HEEL_RISE_FRACTION * shank:
        return HeelReading(px=top, unmeasurable=True)
    return HeelReading(fraction=round(top / shank, 3), px=top)


def _sagittal_rep(inp: c.TaskInput, rep: RepFrames, heel: HeelReading) -> dict[str, object]:
    fps, lo, hi = inp.fps, rep.start, rep.end + 1
    out: dict[str, object] = {}
    sd: dict[str, float | None] = {}
    peaks: dict[str, float | None] = {}
    for angle in ("hip_flexion", "knee_flexion", "ankle_dorsiflexion"):
        data, side = c.sided(inp, angle)
        frame, value = c.peak(data, lo, hi)
        key = f"peak_{angle}_deg"
        peaks[angle] = value
        out[key] = c.rounded(value)
        sd[key] = c.rounded(c.sd_of_peak(c.sided_sd(inp, angle, side, frame), data, frame, fps))
    trunk = c.values(inp.series, "trunk_lean")
    out["trunk_lean_at_bottom_deg"] = c.rounded(c.at(trunk, rep.bottom))
    ankle, _ = c.sided(inp, "ankle_dorsiflexion")
    out["ankle_dorsiflexion_at_bottom_deg"] = c.rounded(c.at(ankle, rep.bottom))
    sd["trunk_lean_at_bottom_deg"] = c.rounded(c.channel_sd(inp.series, "trunk_lean"))
    hip, knee = peaks["hip_flexion"], peaks["knee_flexion"]
    if hip is not None and knee is not None and knee > 0:
        ratio = hip / knee
        out["hip_knee_ratio"] = round(ratio, 2)
        rel = math.hypot(
            (sd["peak_hip_flexion_deg"] or 0) / hip if hip else 0,
            (sd["peak_knee_flexion_deg"] or 0) / knee,
        )
        sd["hip_knee_ratio"] = round(abs(ratio) * rel, 2)
    thigh, side = c.sided(inp, "thigh_angle")
    at_bottom = c.at(thigh, rep.bottom)
    out["thigh_angle_at_bottom_deg"] = c.rounded(at_bottom)
    out["at_or_below_parallel"] = None if at_bottom is None else at_bottom >= 0.0
    sd["thigh_angle_at_bottom_deg"] = c.rounded(c.sided_sd(inp, "thigh_angle", side))
    out["heel_rise_fraction"] = heel.fraction
    return {**out, "uncertainty": sd}


def _frontal_rep(inp: c.TaskInput, rep: RepFrames) -> dict[str, object]:
    lo, hi = rep.start, rep.end + 1
    sd: dict[str, float | None] = {}
    pairs: dict[str, dict[str, float | None]] = {
        "peak_knee_fppa_deg": {},
        "peak_pelvic_drop_deg": {},
    }
    for key, angle in (
        ("peak_knee_fppa_deg", "knee_fppa"),
        ("peak_pelvic_drop_deg", "pelvic_drop"),
    ):
        for side in c.SIDES:
            name = f"{side}_{angle}"
            data = c.values(inp.series, name)
            frame, value = c.low_passed_peak(
                data, lo, hi, fps=inp.fps, cutoff_hz=c.SQUAT_PEAK_CUTOFF_HZ
            )
            pairs[key][side] = c.rounded(value)
            sd[f"{key}.{side}"] = c.rounded(
                c.sd_of_peak(c.channel_sd(inp.series, name, frame), data, frame, inp.fps)
            )
    return {
        "peak_knee_fppa_deg": SidePair(**pairs["peak_knee_fppa_deg"]),
        "peak_pelvic_drop_deg": SidePair(**pairs["peak_pelvic_drop_deg"]),
        "uncertainty": sd,
    }


def _rep(inp: c.TaskInput, rep: RepFrames, heel: HeelReading) -> SquatRep:
    fps = inp.fps
    timing = c.rounded(math.sqrt(2.0) * c.frame_sd_s(fps), 3)
    base: dict[str, object] = {
        "start_frame": rep.start,
        "bottom_frame": rep.bottom,
        "end_frame": rep.end,
        "complete": rep.complete,
        "descent_s": round((rep.bottom - rep.start) / fps, 3),
        "ascent_s": round((rep.end - rep.bottom) / fps, 3),
    }
    detail = _sagittal_rep(inp, rep, heel) if inp.view == "sagittal" else _frontal_rep(inp, rep)
    sd = dict(detail.pop("uncertainty"))  # type: ignore[call-overload]
    sd |= {"descent_s": timing, "ascent_s": timing}
    return SquatRep.model_validate({**base, **detail, "uncertainty": sd})


def _mean(items: list[float | None]) -> float | None:
    known = [v for v in items if v is not None]
    return float(np.mean(known)) if known else None


def _depth(reps: list[SquatRep]) -> Depth:
    measured = [r for r in reps if r.at_or_below_parallel is not None]
    below = sum(1 for r in measured if r.at_or_below_parallel)
    return Depth(
        thigh_angle_at_bottom_deg=c.rounded(_mean([r.thigh_angle_at_bottom_deg for r in reps])),
        reps_at_or_below_parallel=below,
        reps_measured=len(measured),
        at_or_below_parallel=None if not measured else below == len(measured),
    )


def _heel_rise(readings: list[HeelReading]) -> HeelRise | None:
    """Return the set's heel rise (None when no repetition's heel rise was measured)."""
    measured = [r for r in readings if r.fraction is not None]
    if not measured:
        return None
    top = max(measured, key=lambda r: r.fraction or 0.0)
    rose = sum(1 for r in measured if (r.fraction or 0.0) > HEEL_RISE_FRACTION)
    return HeelRise(
        max_fraction_of_shank=top.fraction,
        max_px=c.rounded(top.px),
        heels_rise=rose == len(measured),
        reps_heels_rise=rose,
        reps_measured=len(measured),
        reps_unmeasurable=sum(1 for r in readings if r.unmeasurable),
    )


def _tempo(reps: list[SquatRep]) -> Tempo:
    done = [r for r in reps if r.complete]
    return Tempo(
        mean_descent_s=c.rounded(_mean([r.descent_s for r in done]), 2),
        mean_ascent_s=c.rounded(_mean([r.ascent_s for r in done]), 2),
        mean_rep_s=c.rounded(_mean([r.descent_s + r.ascent_s for r in done]), 2),
    )


def _asymmetry(inp: c.TaskInput, reps: list[SquatRep]) -> Asymmetry | None:
    if inp.view != "frontal" or not reps:
        return None
    fppa = {
        s: _mean([getattr(r.peak_knee_fppa_deg, s) for r in reps if r.peak_knee_fppa_deg])
        for s in c.SIDES
    }
    drop = {
        s: _mean([getattr(r.peak_pelvic_drop_deg, s) for r in reps if r.peak_pelvic_drop_deg])
        for s in c.SIDES
    }
    difference = None
    worse: Literal["left", "right"] | None = None
    if fppa["left"] is not None and fppa["right"] is not None:
        difference = abs(fppa["left"] - fppa["right"])
        limit = SIGNIFICANT_Z * math.hypot(
            c.channel_sd(inp.series, "left_knee_fppa"), c.channel_sd(inp.series, "right_knee_fppa")
        )
        if difference > limit:
            worse = "left" if fppa["left"] > fppa["right"] else "right"
    return Asymmetry(
        peak_knee_fppa_deg=SidePair(left=c.rounded(fppa["left"]), right=c.rounded(fppa["right"])),
        knee_fppa_difference_deg=c.rounded(difference),
        more_valgus_side=worse,
        peak_pelvic_drop_deg=SidePair(left=c.rounded(drop["left"]), right=c.rounded(drop["right"])),
    )


def _signal(inp: c.TaskInput) -> tuple[c.FloatArray, float]:
    if inp.view == "sagittal":
        return _composite(inp), SAGITTAL_MIN_PROMINENCE_DEG
    return _leg_shortening(inp), FRONTAL_MIN_SHORTENING


def _heel_warning(readings: list[HeelReading]) -> list[c.TaskWarning]:
    odd = [i + 1 for i, r in enumerate(readings) if r.unmeasurable]
    if not odd:
        return []
    return [
        c.warning(
            "heel_rise_unmeasurable",
            f"heel rise is not reported for repetition(s) {', '.join(map(str, odd))}: the heel "
            "keypoints moved more than the foot is long, or below where the heel stood (the "
            "foot was not tracked)",
            applies_to=("heel_rise_fraction", "summary.heel_rise", "summary.fms_deep_squat"),
        )
    ]


def _warnings(inp: c.TaskInput, reps: list[SquatRep]) -> list[c.TaskWarning]:
    found: list[c.TaskWarning] = []
    cut = [i for i, r in enumerate(reps) if not r.complete]
    if cut:
        found.append(
            c.warning(
                "incomplete_rep",
                f"repetition(s) {', '.join(str(i + 1) for i in cut)} are cut by the start or "
                "end of the video",
                applies_to=("reps", "summary"),
            )
        )
    if inp.view == "frontal":
        found.append(c.wrong_view("squat", "sagittal", "frontal", SAGITTAL_KEYS))
    else:
        found.append(
            c.warning(
                "asymmetry_needs_front_view",
                "left/right asymmetry needs a front view; this video is a side view",
                applies_to=("summary.asymmetry",),
                severity="info",
            )
        )
    return found


def _fms(reps: list[SquatRep], heel: HeelRise | None) -> FmsDeepSquat | None:
    """Return the FMS view; its heels criterion is the set's heel-rise result for every rep."""
    heels = None if heel is None else heel.heels_rise
    return fms_deep_squat(
        [
            rep_criteria(
                thigh_at_bottom=r.thigh_angle_at_bottom_deg,
                trunk_at_bottom=r.trunk_lean_at_bottom_deg,
                ankle_at_bottom=r.ankle_dorsiflexion_at_bottom_deg,
                heel_rises=heels,
            )
            for r in reps
        ]
    )


def analyze_squat(inp: c.TaskInput) -> SquatResult:
    """Measure every squat repetition in the input (see the module conventions).

    Raises :class:`~hiplab.motion.tasks.gates.NotTheTaskError` when no movement
    in the input is a squat.
    """
    signal, prominence = _signal(inp)
    candidates = segment_reps(signal, fps=inp.fps, min_prominence=prominence)
    frames, gate_warnings = check_squat(inp, candidates, signal=signal)
    sagittal = inp.view == "sagittal"
    readings = [_heel_reading(inp, f, frames) if sagittal else HeelReading() for f in frames]
    reps = [_rep(inp, f, h) for f, h in zip(frames, readings, strict=True)]
    heel_rise = _heel_rise(readings) if sagittal else None
    summary = SquatSummary(
        reps=len(reps),
        complete_reps=sum(1 for r in reps if r.complete),
        depth=_depth(reps) if sagittal else None,
        heel_rise=heel_rise,
        tempo=_tempo(reps),
        asymmetry=_asymmetry(inp, reps),
        fms_deep_squat=_fms(reps, heel_rise) if sagittal else None,
    )
    warnings = (*inp.warnings, *gate_warnings, *_heel_warning(readings), *_warnings(inp, reps))
    return SquatResult(
        view=inp.view,
        partial=any(not r.complete for r in reps),
        uncertainty={
            "summary.depth.thigh_angle_at_bottom_deg": c.rounded(
                c.sided_sd(inp, "thigh_angle", None)
            )
            if sagittal
            else None
        },
        warnings=warnings,
        reps=tuple(reps),
        summary=summary,
    )


# --- the registry's entry -----------------------------------------------------------------------


def _largest(values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def key_metrics(doc: Document) -> dict[str, Metric]:
    """Return the numbers a summary shows of a squat: reps, depth, the deepest knee bend."""
    summary, depth = doc["summary"], doc["summary"].get("depth") or {}
    return {
        "reps": summary["reps"],
        "complete_reps": summary["complete_reps"],
        "reps_at_or_below_parallel": depth.get("reps_at_or_below_parallel"),
        "max_knee_flexion_deg": _largest([r["peak_knee_flexion_deg"] for r in doc["reps"]]),
    }


def _rep_line(i: int, rep: Document) -> str:
    rsd = rep["uncertainty"]
    knee = fmt(rep["peak_knee_flexion_deg"], "°", rsd.get("peak_knee_flexion_deg"))
    hip = fmt(rep["peak_hip_flexion_deg"], "°", rsd.get("peak_hip_flexion_deg"))
    return (
        f"rep {i}: frames {rep['start_frame']}–{rep['bottom_frame']}–{rep['end_frame']}"
        f"  knee {knee}  hip {hip}"
        f"  thigh at bottom {fmt(rep['thigh_angle_at_bottom_deg'], '°')}"
        f"{'' if rep['complete'] else '  (cut off)'}"
    )


def text_lines(doc: Document) -> list[str]:
    """Return the text summary's lines of a squat: each rep, depth, FMS, heels, valgus."""
    lines = [_rep_line(i, rep) for i, rep in enumerate(doc["reps"], start=1)]
    summary = doc["summary"]
    if summary.get("depth"):
        depth = summary["depth"]
        lines.append(
            f"depth: {depth['reps_at_or_below_parallel']} of {depth['reps_measured']} reps "
            "at or below parallel"
        )
    if summary.get("fms_deep_squat"):
        fms = summary["fms_deep_squat"]
        lines.append(
            f"FMS deep squat: at most {fms['best_possible_score']} from what was filmed "
            f"(rep {fms['best_rep']}; not judged: {'; '.join(fms['not_judged'])})"
        )
    if summary.get("heel_rise"):
        lines.append(f"heels rise: {'yes' if summary['heel_rise']['heels_rise'] else 'no'}")
    if summary.get("asymmetry"):
        a = summary["asymmetry"]
        fppa = a["peak_knee_fppa_deg"]
        lines.append(
            f"knee valgus (FPPA) left {fmt(fppa['left'], '°')}, right {fmt(fppa['right'], '°')}; "
            f"more valgus: {a['more_valgus_side'] or 'no clear side'}"
        )
    return lines


def _measure(inp: c.TaskInput, _options: TaskOptions) -> SquatResult:
    return analyze_squat(inp)


SETUP_STEPS: tuple[str, ...] = (
    "Film from the side, square to the person: depth, knee and hip bend, trunk lean and "
    "heel rise are measured from the side.",
    "For knees falling in (knee valgus) and left–right differences, film a second clip "
    "from the front.",
    HIP_HEIGHT,
    DISTANCE,
    FPS_30,
    "Do 3 to 5 squats at your usual pace, standing still for a second before the first "
    "and after the last; keep the heels and feet in view.",
)
"""How to film the task (before the set-up steps every task shares)."""

SPEC = TaskSpec(
    name="squat",
    title="Squat",
    summary="squat repetitions: depth, peaks, tempo, heel rise, asymmetry",
    choice="depth, tempo, heel rise, FMS deep-squat criteria",
    setup_steps=SETUP_STEPS,
    result_type=SquatResult,
    measure=_measure,
    key_metrics=key_metrics,
    text_lines=text_lines,
    measured_tests=("deep_squat_fms",),
    measured_words=(
        "deep_squat_fms, only when the filmed criteria cap it below 3 (the best score they "
        "allow; a video never confirms a 3)"
    ),
    stored_words="the deep squat score (at most 2 from a video)",
)
