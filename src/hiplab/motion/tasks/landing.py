"""Drop landing: initial contact, knee and hip flexion, time to peak, stiffness, FPPA, LESS items.

Conventions
-----------
* A clip without a flight and a landing after it is refused
  (:func:`~hiplab.motion.tasks.gates.check_landing`).
* Initial contact (IC) and the landing phase come from the feet
  (:mod:`hiplab.motion.tasks.contact`); peaks are taken over the landing
  phase. A knee-flexion peak on the last frame of the input means the landing
  was cut off: the result is ``partial``. When the feet's keypoints could not
  tell contact from a rebound for longer than the kinematics' gap fill, the
  phase is taken as contact and ``contact_unclear`` warns.
* Side view: knee and hip flexion of the leg nearer the camera
  (``measured_side``; see :mod:`hiplab.motion.tasks.common`).
  ``stiff_landing`` is peak knee flexion < 90° (soft > 90°, stiff < 90°:
  117° vs 77°; Devita & Skelly 1992).
* Front view: ``peak_knee_fppa_deg`` per side over the landing phase (valgus
  positive; drop-jump norms F 7–13°, M 3–8°; 2-D SEM 2–4°).
* LESS: the items this view shows (:mod:`hiplab.motion.tasks.less`).
* Uncertainty: an angle at IC adds ``|ω| / fps`` (IC found to ±1 frame); a
  peak angular velocity takes the random part ``σ_r`` of the angle's
  uncertainty (beyond the 3° 2-D floor, which does not change from frame to
  frame) times ``fps / √2``. The time from IC to the peak adds, to one frame
  for each event (``√2 / fps``), where the noise lets the peak fall: anywhere
  the curve comes within ``σ_r`` of its maximum, ``|t − t_peak| ≤ √(2 σ_r /
  |θ''|)``, taken as uniform (sd = that half-width / √3, at most the landing
  phase). ``θ''`` is the curvature of a parabola fitted to the measured
  samples within :data:`PEAK_FIT_S` of the peak (a second difference of noisy
  samples overstates it). With 2 px noise at 120 fps the peak frame falls −2…+4
  frames off: ~20 ms, not 12.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field

from hiplab.motion.tasks import common as c
from hiplab.motion.tasks.contact import UNCLEAR_LIMIT_S, Contact, find_contact
from hiplab.motion.tasks.filming import DISTANCE
from hiplab.motion.tasks.gates import check_landing
from hiplab.motion.tasks.less import Less, LessContext, score_items
from hiplab.motion.tasks.spec import Document, Metric, TaskOptions, TaskSpec, fmt

STIFF_KNEE_DEG = 90.0
STIFF_RULE = "peak knee flexion < 90° (Devita & Skelly 1992)"
RANDOM_FLOOR_DEG = 3.0
"""Systematic 2-D floor of an angle's uncertainty (see :mod:`hiplab.motion.view`)."""
PEAK_FIT_S = 0.05
"""Half-width of the window whose parabola gives the curvature at a peak (s)."""
SAGITTAL_KEYS = (
    "knee_flexion_at_contact_deg",
    "hip_flexion_at_contact_deg",
    "peak_knee_flexion_deg",
    "peak_hip_flexion_deg",
    "time_to_peak_knee_flexion_ms",
    "stiff_landing",
)


class SidePair(c.Model):
    """One value per side."""

    left: float | None = None
    right: float | None = None


class ContactFrames(c.Model):
    """Touch-down frame per foot."""

    left: int | None = None
    right: int | None = None


class LandingResult(c.TaskResult):
    """The landing task's result (frames are 0-based indices of the input)."""

    task: str = "landing"
    initial_contact_frame: int | None
    initial_contact_time_s: float | None
    contact_frames: ContactFrames = Field(default_factory=ContactFrames)
    measured_side: Literal["left", "right"] | None = None
    knee_flexion_at_contact_deg: float | None = None
    hip_flexion_at_contact_deg: float | None = None
    peak_knee_flexion_deg: float | None = None
    peak_knee_flexion_frame: int | None = None
    peak_hip_flexion_deg: float | None = None
    peak_hip_flexion_frame: int | None = None
    time_to_peak_knee_flexion_ms: float | None = None
    peak_knee_flexion_velocity_deg_s: float | None = None
    peak_hip_flexion_velocity_deg_s: float | None = None
    stiff_landing: bool | None = None
    stiff_landing_rule: str = STIFF_RULE
    peak_knee_fppa_deg: SidePair | None = None
    less: Less


Metrics = dict[str, object]
Sds = dict[str, float | None]


def _random_sd(inp: c.TaskInput, angle: str, side: c.Side | None) -> float:
    """Return the part of an angle's uncertainty that changes from frame to frame (deg)."""
    total = c.sided_sd(inp, angle, side)
    return math.sqrt(max(total**2 - RANDOM_FLOOR_DEG**2, 0.0))


def _velocity_sd(inp: c.TaskInput, angle: str, side: c.Side | None) -> float:
    return _random_sd(inp, angle, side) * inp.fps / math.sqrt(2.0)


def _curvature(data: c.FloatArray, frame: int, fps: float) -> float | None:
    """Return ``|θ''|`` (deg/s²) of a parabola through the measured samples near ``frame``.

    The samples within :data:`PEAK_FIT_S` (at least one frame) on each side; None
    without three of them, one on each side.
    """
    reach = max(1, round(PEAK_FIT_S * fps))
    frames = np.arange(max(frame - reach, 0), min(frame + reach + 1, data.shape[0]))
    seen = frames[np.isfinite(data[frames])]
    if seen.size < 3 or not (seen < frame).any() or not (seen > frame).any():
        return None
    a = np.polyfit((seen - frame) / fps, data[seen], 2)[0]
    return abs(2.0 * float(a))


def _peak_time_sd(inp: c.TaskInput, contact: Contact, frame: int, side: c.Side | None) -> float:
    """Return the timing uncertainty of the knee-flexion peak (s; see the conventions)."""
    data, _ = c.sided(inp, "knee_flexion")
    span = (contact.stop - (contact.frame or 0)) / inp.fps
    curvature = _curvature(data, frame, inp.fps)
    noise = _random_sd(inp, "knee_flexion", side)
    half = span if not curvature else min(math.sqrt(2.0 * noise / curvature), span)
    return math.hypot(c.frame_sd_s(inp.fps), half / math.sqrt(3.0))


def _joint(inp: c.TaskInput, contact: Contact, angle: str) -> tuple[Metrics, Sds, c.Side | None]:
    """Return one joint's value at IC, its peak (value, frame) and peak velocity."""
    out: Metrics = {}
    sd: Sds = {}
    ic, fps = contact.frame, inp.fps
    start = ic if ic is not None else 0
    data, side = c.sided(inp, angle)
    base = c.sided_sd(inp, angle, side)
    rate = c.velocity(inp.series, f"{side}_{angle}", data) if side else np.full_like(data, np.nan)
    at_ic = c.at(data, ic)
    out[f"{angle}_at_contact_deg"] = c.rounded(at_ic)
    if at_ic is not None:
        sd[f"{angle}_at_contact_deg"] = c.rounded(
            c.sd_at_event(base, c.at(rate, ic), c.frame_sd_s(fps))
        )
    frame, value = c.peak(data, start, contact.stop)
    out[f"peak_{angle}_deg"] = c.rounded(value)
    out[f"peak_{angle}_frame"] = frame
    if value is not None:
        sd[f"peak_{angle}_deg"] = c.rounded(c.sd_of_peak(base, data, frame, fps))
    end = frame + 1 if frame is not None else contact.stop
    _, top_rate = c.peak(rate, start, end)
    out[f"peak_{angle}_velocity_deg_s"] = c.rounded(top_rate, 0)
    if top_rate is not None:
        sd[f"peak_{angle}_velocity_deg_s"] = c.rounded(_velocity_sd(inp, angle, side), 0)
    return out, sd, side


def _sagittal(inp: c.TaskInput, contact: Contact) -> tuple[Metrics, Sds]:
    knee, sd_knee, side = _joint(inp, contact, "knee_flexion")
    hip, sd_hip, _ = _joint(inp, contact, "hip_flexion")
    out: Metrics = {**knee, **hip, "measured_side": side}
    sd: Sds = {**sd_knee, **sd_hip}
    peak_frame = knee["peak_knee_flexion_frame"]
    if contact.frame is not None and isinstance(peak_frame, int):
        out["time_to_peak_knee_flexion_ms"] = round(
            1000.0 * (peak_frame - contact.frame) / inp.fps, 1
        )
        timing = math.hypot(c.frame_sd_s(inp.fps), _peak_time_sd(inp, contact, peak_frame, side))
        sd["time_to_peak_knee_flexion_ms"] = round(1000.0 * timing, 1)
    peak = knee["peak_knee_flexion_deg"]
    if isinstance(peak, float):
        out["stiff_landing"] = peak < STIFF_KNEE_DEG
    return out, sd


def _frontal(inp: c.TaskInput, contact: Contact) -> tuple[Metrics, Sds]:
    start = contact.frame if contact.frame is not None else 0
    pair: dict[str, float | None] = {}
    sd: Sds = {}
    for side in c.SIDES:
        name = f"{side}_knee_fppa"
        data = c.values(inp.series, name)
        frame, value = c.low_passed_peak(
            data, start, contact.stop, fps=inp.fps, cutoff_hz=c.LANDING_PEAK_CUTOFF_HZ
        )
        pair[side] = c.rounded(value)
        if value is not None:
            sd[f"peak_knee_fppa_deg.{side}"] = c.rounded(
                c.sd_of_peak(c.channel_sd(inp.series, name, frame), data, frame, inp.fps)
            )
    return {"peak_knee_fppa_deg": SidePair(**pair)}, sd


def _warnings(inp: c.TaskInput, contact: Contact, metrics: Metrics, sd: Sds) -> list[c.TaskWarning]:
    found: list[c.TaskWarning] = []
    peak_frame = metrics.get("peak_knee_flexion_frame")
    if isinstance(peak_frame, int) and peak_frame >= inp.frames - 1:
        found.append(
            c.warning(
                "landing_cut_off",
                "knee flexion was still rising on the last frame: the video ends before the "
                "deepest point of the landing",
                applies_to=("peak_knee_flexion_deg", "time_to_peak_knee_flexion_ms"),
            )
        )
    peak, peak_sd = metrics.get("peak_knee_flexion_deg"), sd.get("peak_knee_flexion_deg")
    if isinstance(peak, float) and peak_sd and abs(peak - STIFF_KNEE_DEG) < 1.96 * peak_sd:
        found.append(
            c.warning(
                "stiff_landing_borderline",
                f"peak knee flexion {peak:g}° ± {peak_sd:g}° is within measurement error of "
                f"the {STIFF_KNEE_DEG:g}° cut-off",
                applies_to=("stiff_landing",),
                severity="info",
            )
        )
    found += _contact_warning(inp, contact)
    if inp.view == "frontal":
        found.append(c.wrong_view("landing", "sagittal", "frontal", SAGITTAL_KEYS))
    else:
        found.append(
            c.warning(
                "fppa_needs_front_view",
                "knee valgus (FPPA) needs a front view; this video is a side view",
                applies_to=("peak_knee_fppa_deg",),
                severity="info",
            )
        )
    return found


def _contact_warning(inp: c.TaskInput, contact: Contact) -> list[c.TaskWarning]:
    """Warn when the landing phase may hide a rebound the feet's keypoints did not show.

    A run of unclear frames (see :mod:`hiplab.motion.tasks.contact`) longer than
    the kinematics' gap fill is taken as contact, but could be a lift-off.
    """
    limit = max(1, round(UNCLEAR_LIMIT_S * inp.fps))
    if contact.unclear_frames <= limit:
        return []
    ms = 1000.0 * contact.unclear_frames / inp.fps
    message = (
        f"for {ms:.0f} ms after contact the keypoints of a foot that were on the floor were "
        "missing while the others were off it: whether the foot left the floor (a rebound) "
        "cannot be told; the landing phase assumes it stayed down"
    )
    keys = ("peak_knee_flexion_deg", "peak_hip_flexion_deg", "time_to_peak_knee_flexion_ms")
    return [c.warning("contact_unclear", message, applies_to=(*keys, "peak_knee_fppa_deg"))]


def analyze_landing(inp: c.TaskInput) -> LandingResult:
    """Measure a drop landing (see the module conventions).

    Raises :class:`~hiplab.motion.tasks.gates.NotTheTaskError` when the input
    shows no flight with a landing after it.
    """
    contact = find_contact(inp)
    gate_warnings = check_landing(inp, contact)
    if inp.view == "sagittal":
        metrics, sd = _sagittal(inp, contact)
    else:
        metrics, sd = _frontal(inp, contact)
    ic = contact.frame
    knee_peak = metrics.get("peak_knee_flexion_frame")
    hip_peak = metrics.get("peak_hip_flexion_frame")
    less = score_items(
        LessContext(
            inp=inp,
            contact=contact,
            side=metrics.get("measured_side"),  # type: ignore[arg-type]
            knee_peak_frame=knee_peak if isinstance(knee_peak, int) else None,
            hip_peak_frame=hip_peak if isinstance(hip_peak, int) else None,
        )
    )
    warnings = [*gate_warnings, *_warnings(inp, contact, metrics, sd)]
    if ic is not None:
        sd["initial_contact_frame"] = 1.0
        sd["initial_contact_time_s"] = round(c.frame_sd_s(inp.fps), 4)
    return LandingResult.model_validate(
        {
            **metrics,
            "view": inp.view,
            "partial": any(w.code == "landing_cut_off" for w in warnings),
            "uncertainty": sd,
            "warnings": (*inp.warnings, *warnings),
            "initial_contact_frame": ic,
            "initial_contact_time_s": None if ic is None else round(float(inp.series.time[ic]), 4),
            "contact_frames": ContactFrames(**contact.by_side),
            "less": less,
        }
    )


# --- the registry's entry -----------------------------------------------------------------------


def key_metrics(doc: Document) -> dict[str, Metric]:
    """Return the numbers a summary shows of a landing: knee bend, its timing, stiffness."""
    keys = ("peak_knee_flexion_deg", "knee_flexion_at_contact_deg", "time_to_peak_knee_flexion_ms")
    return {**{k: doc[k] for k in keys}, "stiff_landing": doc["stiff_landing"]}


def text_lines(doc: Document) -> list[str]:
    """Return the text summary's lines of a landing: contact, knee bend, stiffness, FPPA, LESS."""
    sd = doc.get("uncertainty") or {}
    at_ic = fmt(doc["knee_flexion_at_contact_deg"], "°", sd.get("knee_flexion_at_contact_deg"))
    peak = fmt(doc["peak_knee_flexion_deg"], "°", sd.get("peak_knee_flexion_deg"))
    ms = fmt(doc["time_to_peak_knee_flexion_ms"], " ms", sd.get("time_to_peak_knee_flexion_ms"))
    lines = [
        f"initial contact: frame {fmt(doc['initial_contact_frame'])}",
        f"knee flexion at contact {at_ic}, peak {peak} at frame "
        f"{fmt(doc['peak_knee_flexion_frame'])}, {ms} after contact",
    ]
    if doc["stiff_landing"] is not None:
        verdict = "stiff" if doc["stiff_landing"] else "not stiff"
        lines.append(f"landing: {verdict} (stiff when {doc['stiff_landing_rule']})")
    if doc.get("peak_knee_fppa_deg"):
        f = doc["peak_knee_fppa_deg"]
        lines.append(f"peak knee FPPA: left {fmt(f['left'], '°')}, right {fmt(f['right'], '°')}")
    less = doc["less"]
    lines.append(
        f"LESS items scored from this view: {less['scored_items']} of 17, "
        f"{less['errors']} error(s) of {less['max_errors_scored']} (not a LESS total)"
    )
    return lines


def _measure(inp: c.TaskInput, _options: TaskOptions) -> LandingResult:
    return analyze_landing(inp)


SETUP_STEPS: tuple[str, ...] = (
    "Film from the side, square to the person, for knee and hip bend at landing; film "
    "from the front for knees falling in (knee valgus).",
    "Put the camera at hip height of the person standing on the floor, level, with the "
    "box and the landing spot in view.",
    "Film at 120 frames per second (slow motion): the landing lasts about a tenth of a second.",
    "If the phone saves slow motion at normal speed, enter the real frame rate (120) in "
    "the frame rate field (--fps 120 on the command line).",
    DISTANCE,
    "Drop from a 30 cm box, land on both feet and stand still for a second after landing.",
)
"""How to film the task (before the set-up steps every task shares)."""

SPEC = TaskSpec(
    name="landing",
    title="Drop landing",
    summary="drop landing: contact, knee/hip flexion, stiffness, FPPA, LESS",
    choice="knee and hip flexion, stiffness, LESS",
    setup_steps=SETUP_STEPS,
    landing=True,
    result_type=LandingResult,
    measure=_measure,
    key_metrics=key_metrics,
    text_lines=text_lines,
    measured_tests=("landing_knee_flexion",),
    measured_words="landing_peak_knee_flexion_deg (peak knee flexion of the measured leg)",
    stored_words="the knee's most bend",
)
