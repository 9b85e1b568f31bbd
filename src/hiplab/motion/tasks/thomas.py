"""Modified Thomas test: the hanging leg's thigh angle and knee flexion, and what they suggest.

Conventions
-----------
* Filmed from the side with the subject supine at a table edge, one knee
  hugged, the other leg hanging. A clip without a leg hanging still is
  refused (:func:`~hiplab.motion.tasks.gates.check_thomas`). A leg *hangs* in
  a frame as the gate defines it (:func:`~hiplab.motion.tasks.gates.hanging`):
  the subject lies (trunk at least
  :data:`~hiplab.motion.tasks.gates.LYING_MIN_TRUNK_DEG` from vertical), the
  hip is open (flexion below
  :data:`~hiplab.motion.tasks.gates.HANGING_MAX_HIP_FLEXION_DEG`; the hugged
  leg's is ~120°), the thigh is within the test's range
  (:data:`~hiplab.motion.tasks.gates.THIGH_RANGE_DEG`, as the assessment
  accepts) and the lower leg hangs down (at least
  :data:`~hiplab.motion.tasks.gates.MIN_SHANK_DROP_DEG` below horizontal: a
  leg lying straight on the table is not a hanging leg).
* Hanging and still are judged on measured and gap-filled samples (a dropout
  shorter than the kinematics' fill limit does not split a run); values are
  medians of measured samples only.
* The value of a hanging leg is the median over its longest *still* run
  (thigh angle changing slower than
  :data:`~hiplab.motion.tasks.gates.STILL_DEG_S` over ±0.25 s, lasting at
  least :data:`~hiplab.motion.tasks.gates.MIN_STILL_S`); a second leg that
  hangs but never still is measured over all its hanging frames (warning).
* ``thigh_angle_deg``: the thigh against horizontal, positive when the knee is
  above the hip (as the assessment's ``thomas.thigh_angle_deg``);
  ``knee_flexion_deg``: 0 = straight.
* Interpretation (domain.md §2): thigh above horizontal (> 0°) suggests short
  one-joint hip flexors (iliopsoas); knee flexion < 80° suggests a short
  rectus femoris (one protocol uses < 67°). A value within 1.96 standard
  uncertainties of its cut-off is *borderline*. Whether the thigh drifts out
  (TFL/ITB) needs a front view and is not measured.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from hiplab.motion.tasks import common as c
from hiplab.motion.tasks.filming import FPS_30
from hiplab.motion.tasks.gates import MIN_STILL_S, check_thomas, hanging, still_run
from hiplab.motion.tasks.spec import Document, Metric, TaskOptions, TaskSpec, fmt

ILIOPSOAS_CUTOFF_DEG = 0.0
RECTUS_CUTOFF_DEG = 80.0
Z95 = 1.96
Verdict = Literal["short", "normal", "borderline"]


class ThomasLeg(c.Model):
    """One hanging leg's values and their reading."""

    thigh_angle_deg: float
    knee_flexion_deg: float | None
    frames: int
    still: bool
    iliopsoas: Verdict
    rectus_femoris: Verdict | None
    interpretation: str


class ThomasResult(c.TaskResult):
    """The Thomas task's result: one entry per hanging leg found (None when that leg never hung)."""

    task: str = "thomas"
    left: ThomasLeg | None
    right: ThomasLeg | None
    rule: str = (
        "thigh above horizontal (> 0°) = short iliopsoas; knee flexion < 80° = short rectus "
        "femoris (one protocol: < 67°); within 1.96 × uncertainty of a cut-off = borderline"
    )


def _verdict(value: float, cutoff: float, sd: float, *, short_when_above: bool) -> Verdict:
    if abs(value - cutoff) <= Z95 * sd:
        return "borderline"
    beyond = value > cutoff if short_when_above else value < cutoff
    return "short" if beyond else "normal"


def _text(side: str, leg: ThomasLeg) -> str:
    words = {
        "short": "suggests short",
        "normal": "does not suggest short",
        "borderline": "is borderline for short",
    }
    parts = [
        f"{side} thigh {leg.thigh_angle_deg:+g}°: {words[leg.iliopsoas]} hip flexors (iliopsoas)"
    ]
    if leg.rectus_femoris is not None and leg.knee_flexion_deg is not None:
        parts.append(f"knee {leg.knee_flexion_deg:g}°: {words[leg.rectus_femoris]} rectus femoris")
    return "; ".join(parts)


def _leg(inp: c.TaskInput, side: c.Side) -> tuple[ThomasLeg | None, list[c.TaskWarning]]:
    series = inp.series
    # whether the leg hangs still is read from measured and gap-filled samples (a short
    # dropout must not split a still run); the reported values only from measured ones
    hangs = hanging(inp, side)
    thigh = c.values(series, f"{side}_thigh_angle", include_filled=True)
    measured_thigh = c.values(series, f"{side}_thigh_angle")
    knee = c.values(series, f"{side}_knee_flexion")
    if not hangs.any():
        return None, []
    warnings: list[c.TaskWarning] = []
    chosen = still_run(thigh, hangs, inp.fps)
    still = bool(chosen.any())
    if not still:
        chosen = hangs
        warnings.append(
            c.warning(
                "leg_never_still",
                f"the {side} leg never hung still for {MIN_STILL_S:g} s; values are medians over "
                "all its hanging frames",
                applies_to=(side,),
            )
        )
    if inp.near_side is not None and side != inp.near_side:
        warnings.append(
            c.warning(
                "far_leg",
                f"the {side} leg is the one away from the camera; a 2-D model guesses hidden legs",
                applies_to=(side,),
            )
        )
    thigh_known = measured_thigh[chosen][np.isfinite(measured_thigh[chosen])]
    thigh_value = float(np.median(thigh_known if thigh_known.size else thigh[chosen]))
    knee_known = knee[chosen][np.isfinite(knee[chosen])]
    knee_value = float(np.median(knee_known)) if knee_known.size else None
    thigh_sd = c.channel_sd(series, f"{side}_thigh_angle")
    knee_sd = c.channel_sd(series, f"{side}_knee_flexion")
    leg = ThomasLeg(
        thigh_angle_deg=round(thigh_value, 1),
        knee_flexion_deg=c.rounded(knee_value),
        frames=int(chosen.sum()),
        still=still,
        iliopsoas=_verdict(thigh_value, ILIOPSOAS_CUTOFF_DEG, thigh_sd, short_when_above=True),
        rectus_femoris=None
        if knee_value is None
        else _verdict(knee_value, RECTUS_CUTOFF_DEG, knee_sd, short_when_above=False),
        interpretation="",
    )
    return leg.model_copy(update={"interpretation": _text(side, leg)}), warnings


def analyze_thomas(inp: c.TaskInput) -> ThomasResult:
    """Measure the hanging leg(s) of a modified Thomas test (see the module conventions).

    Raises :class:`~hiplab.motion.tasks.gates.NotTheTaskError` (side view) when
    no leg of a supine subject hangs still.
    """
    legs: dict[str, ThomasLeg | None] = {}
    warnings: list[c.TaskWarning] = []
    sd: dict[str, float | None] = {}
    if inp.view == "sagittal":
        warnings += check_thomas(inp)
        for side in c.SIDES:
            leg, found = _leg(inp, side)
            legs[side] = leg
            warnings += found
            if leg is not None:
                sd[f"{side}.thigh_angle_deg"] = c.rounded(
                    c.channel_sd(inp.series, f"{side}_thigh_angle")
                )
                sd[f"{side}.knee_flexion_deg"] = c.rounded(
                    c.channel_sd(inp.series, f"{side}_knee_flexion")
                )
    else:
        warnings.append(c.wrong_view("thomas", "sagittal", inp.view, ("left", "right")))
    return ThomasResult(
        view=inp.view,
        partial=False,
        uncertainty=sd,
        warnings=(*inp.warnings, *warnings),
        left=legs.get("left"),
        right=legs.get("right"),
    )


# --- the registry's entry -----------------------------------------------------------------------


def key_metrics(doc: Document) -> dict[str, Metric]:
    """Return the numbers a summary shows of a Thomas test: each leg's thigh and knee angle."""
    return {
        f"{side}_{key}": (doc.get(side) or {}).get(key)
        for side in ("left", "right")
        for key in ("thigh_angle_deg", "knee_flexion_deg")
    }


def text_lines(doc: Document) -> list[str]:
    """Return the text summary's lines of a Thomas test: one per measured leg."""
    sd = doc.get("uncertainty") or {}
    lines = []
    for side in ("left", "right"):
        leg = doc.get(side)
        if leg:
            thigh = fmt(leg["thigh_angle_deg"], "°", sd.get(f"{side}.thigh_angle_deg"))
            knee = fmt(leg["knee_flexion_deg"], "°", sd.get(f"{side}.knee_flexion_deg"))
            lines.append(f"{side} leg: thigh {thigh}, knee {knee} — {leg['interpretation']}")
    return lines


def _measure(inp: c.TaskInput, _options: TaskOptions) -> ThomasResult:
    return analyze_thomas(inp)


SETUP_STEPS: tuple[str, ...] = (
    "Film from the side of the table, square to it, with the tested leg nearer the camera.",
    "Put the camera at hip height (the height of the table top), level, not looking down.",
    "Stand the camera 3–4 m away, so that the person and the table fill most of the frame.",
    FPS_30,
    "Hold the test position still for at least 3 seconds; then turn round (or move the "
    "camera) and film the other leg.",
    "Wear shorts, so that the thigh and the knee are visible.",
)
"""How to film the task (before the set-up steps every task shares)."""

SPEC = TaskSpec(
    name="thomas",
    title="Modified Thomas test",
    summary="modified Thomas test: hanging thigh and knee angles",
    choice="thigh and knee angles",
    setup_steps=SETUP_STEPS,
    view="sagittal",
    result_type=ThomasResult,
    measure=_measure,
    key_metrics=key_metrics,
    text_lines=text_lines,
    measured_tests=("thomas_thigh_angle", "thomas_knee_flexion"),
    measured_words="thomas.{side}.thigh_angle_deg and knee_flexion_deg",
    stored_words="the thigh angle and the knee bend",
)
