"""Landing Error Scoring System (LESS) items measurable from one 2-D view.

Conventions
-----------
* LESS (Padua 2009) has 17 items, 15 scored 0/1 and 2 scored 0–2 (max 19
  errors), rated by eye from a front *and* a side video. Only the items the
  given view shows are scored here, each with the value it rests on and the
  rule used; the others are ``scored=False`` with the reason. A partial score
  is never a LESS total.
* LESS states its items in words; the cut-offs here (named constants)
  operationalise them and are this tool's choice, except knee flexion at
  initial contact (IC) < 30° and knee flexion displacement < 45°, which are
  LESS's own, and soft/stiff at 90° peak knee flexion (Devita & Skelly 1992).
* Values are read at IC and over the landing phase
  (:mod:`hiplab.motion.tasks.contact`), on the measured leg in a side view and
  on both legs (the worse one) in a front view.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from hiplab.motion.tasks import common as c
from hiplab.motion.tasks.contact import Contact

Scorer = Callable[["LessContext"], tuple[float | None, int | None]]

LESS_KNEE_AT_IC_DEG = 30.0
LESS_HIP_AT_IC_DEG = 10.0
LESS_TRUNK_AT_IC_DEG = 10.0
LESS_TOE_FIRST_PITCH_DEG = 10.0
LESS_KNEE_DISPLACEMENT_DEG = 45.0
LESS_HIP_DISPLACEMENT_DEG = 10.0
LESS_TRUNK_DISPLACEMENT_DEG = 10.0
LESS_KNEE_MEDIAL_FRACTION = 0.02
LESS_LATERAL_TRUNK_DEG = 10.0
LESS_STANCE_NARROW = 0.8
LESS_STANCE_WIDE = 1.2
LESS_VALGUS_DISPLACEMENT_DEG = 10.0
LESS_ASYMMETRIC_CONTACT_S = 0.02
LESS_SOFT_KNEE_DEG = 90.0
LESS_MAX_TOTAL = 19


class LessItem(c.Model):
    """One LESS item: scored from this view (with its value and error) or not, and why."""

    item: str
    view: Literal["sagittal", "frontal", "both"]
    scored: bool
    value: float | None = None
    unit: str | None = None
    error: int | None = None
    max_error: int = 1
    rule: str
    reason: str | None = None


class Less(c.Model):
    """The LESS items of this view; never a complete LESS score."""

    items: tuple[LessItem, ...]
    scored_items: int
    errors: int
    max_errors_scored: int
    complete: bool = False
    max_total: int = LESS_MAX_TOTAL
    note: str = (
        "LESS is rated from a front and a side video (17 items, max 19 errors); the errors "
        "here cover only the items this view shows and are not a LESS total"
    )


@dataclass(frozen=True)
class LessContext:
    """What the items read: the input, contact, measured side and peak frames."""

    inp: c.TaskInput
    contact: Contact
    side: str | None
    knee_peak_frame: int | None
    hip_peak_frame: int | None


@dataclass(frozen=True)
class ItemDef:
    """One LESS item as data."""

    item: str
    view: Literal["sagittal", "frontal", "both"]
    rule: str
    score: Scorer | None
    unit: str | None = "deg"
    max_error: int = 1
    reason: str | None = None


def _angle(ctx: LessContext, angle: str) -> c.FloatArray:
    if ctx.side is None:
        return np.full(ctx.inp.frames, np.nan)
    return c.values(ctx.inp.series, f"{ctx.side}_{angle}")


def _ic_value(ctx: LessContext, name: str, *, sided: bool = True) -> float | None:
    data = _angle(ctx, name) if sided else c.values(ctx.inp.series, name)
    return c.at(data, ctx.contact.frame)


def _below(value: float | None, limit: float) -> tuple[float | None, int | None]:
    return value, None if value is None else int(value < limit)


def _knee_ic(ctx: LessContext) -> tuple[float | None, int | None]:
    return _below(_ic_value(ctx, "knee_flexion"), LESS_KNEE_AT_IC_DEG)


def _hip_ic(ctx: LessContext) -> tuple[float | None, int | None]:
    return _below(_ic_value(ctx, "hip_flexion"), LESS_HIP_AT_IC_DEG)


def _trunk_ic(ctx: LessContext) -> tuple[float | None, int | None]:
    return _below(_ic_value(ctx, "trunk_lean", sided=False), LESS_TRUNK_AT_IC_DEG)


def _toe_first(ctx: LessContext) -> tuple[float | None, int | None]:
    ic = ctx.contact.frame
    if ctx.side is None or ic is None:
        return None, None
    heel = c.point(ctx.inp.series, f"{ctx.side}_heel")[ic]
    toe = c.point(ctx.inp.series, f"{ctx.side}_foot_index")[ic]
    if not (np.isfinite(heel).all() and np.isfinite(toe).all()):
        return None, None
    pitch = math.degrees(math.atan2(toe[1] - heel[1], abs(toe[0] - heel[0])))
    return pitch, int(pitch < LESS_TOE_FIRST_PITCH_DEG)


def _displacement(ctx: LessContext, name: str, *, sided: bool = True) -> float | None:
    data = _angle(ctx, name) if sided else c.values(ctx.inp.series, name)
    ic = ctx.contact.frame
    if ic is None:
        return None
    _, top = c.peak(data, ic, ctx.contact.stop)
    start = c.at(data, ic)
    return None if top is None or start is None else top - start


def _knee_disp(ctx: LessContext) -> tuple[float | None, int | None]:
    return _below(_displacement(ctx, "knee_flexion"), LESS_KNEE_DISPLACEMENT_DEG)


def _hip_disp(ctx: LessContext) -> tuple[float | None, int | None]:
    return _below(_displacement(ctx, "hip_flexion"), LESS_HIP_DISPLACEMENT_DEG)


def _trunk_disp(ctx: LessContext) -> tuple[float | None, int | None]:
    return _below(_displacement(ctx, "trunk_lean", sided=False), LESS_TRUNK_DISPLACEMENT_DEG)


def _joint_disp(ctx: LessContext) -> tuple[float | None, int | None]:
    displacement = _displacement(ctx, "knee_flexion")
    _, top = c.peak(_angle(ctx, "knee_flexion"), ctx.contact.frame or 0, ctx.contact.stop)
    if displacement is None or top is None:
        return top, None
    if top >= LESS_SOFT_KNEE_DEG:
        return top, 0
    return top, 2 if displacement < LESS_KNEE_DISPLACEMENT_DEG else 1


def _medial_sign(ctx: LessContext, side: str) -> float:
    other = "right" if side == "left" else "left"
    here = c.point(ctx.inp.series, f"{side}_hip")[:, 0]
    there = c.point(ctx.inp.series, f"{other}_hip")[:, 0]
    gap = there - here
    return float(np.sign(np.nanmedian(gap))) if np.isfinite(gap).any() else math.nan


def _knee_medial(ctx: LessContext) -> tuple[float | None, int | None]:
    ic, leg = ctx.contact.frame, ctx.contact.leg_px
    if ic is None or not leg:
        return None, None
    offsets = []
    for side in c.SIDES:
        knee = c.point(ctx.inp.series, f"{side}_knee")[ic, 0]
        feet = [
            c.point(ctx.inp.series, f"{side}_{p}")[ic, 0] for p in ("ankle", "heel", "foot_index")
        ]
        midfoot = np.nanmean(feet) if np.isfinite(feet).any() else math.nan
        offsets.append((knee - midfoot) * _medial_sign(ctx, side) / leg)
    known = [o for o in offsets if math.isfinite(o)]
    if not known:
        return None, None
    worst = max(known)
    return round(worst, 3), int(worst > LESS_KNEE_MEDIAL_FRACTION)


def _lateral_trunk(ctx: LessContext) -> tuple[float | None, int | None]:
    value = _ic_value(ctx, "trunk_lateral_lean", sided=False)
    return value, None if value is None else int(abs(value) > LESS_LATERAL_TRUNK_DEG)


def _stance_ratio(ctx: LessContext) -> float | None:
    ic = ctx.contact.frame
    if ic is None:
        return None
    series = ctx.inp.series
    feet = abs(c.point(series, "left_ankle")[ic, 0] - c.point(series, "right_ankle")[ic, 0])
    shoulders = abs(
        c.point(series, "left_shoulder")[ic, 0] - c.point(series, "right_shoulder")[ic, 0]
    )
    if not (math.isfinite(feet) and math.isfinite(shoulders)) or shoulders <= 0:
        return None
    return float(feet / shoulders)


def _wide(ctx: LessContext) -> tuple[float | None, int | None]:
    ratio = _stance_ratio(ctx)
    return ratio, None if ratio is None else int(ratio > LESS_STANCE_WIDE)


def _narrow(ctx: LessContext) -> tuple[float | None, int | None]:
    ratio = _stance_ratio(ctx)
    return ratio, None if ratio is None else int(ratio < LESS_STANCE_NARROW)


def _symmetric(ctx: LessContext) -> tuple[float | None, int | None]:
    left, right = ctx.contact.by_side["left"], ctx.contact.by_side["right"]
    if left is None or right is None:
        return None, None
    seconds = abs(left - right) / ctx.inp.fps
    asymmetric = abs(left - right) > 1 and seconds > LESS_ASYMMETRIC_CONTACT_S
    return round(1000.0 * seconds, 1), int(asymmetric)


def _valgus_disp(ctx: LessContext) -> tuple[float | None, int | None]:
    ic = ctx.contact.frame
    if ic is None:
        return None, None
    changes = []
    for side in c.SIDES:
        data = c.values(ctx.inp.series, f"{side}_knee_fppa")
        _, top = c.peak(data, ic, ctx.contact.stop)
        start = c.at(data, ic)
        if top is not None and start is not None:
            changes.append(top - start)
    if not changes:
        return None, None
    worst = max(changes)
    return worst, int(worst > LESS_VALGUS_DISPLACEMENT_DEG)


NOT_2D = (
    "foot rotation (toe-in/out) is a turn in the horizontal plane that 2-D keypoints cannot measure"
)
ITEMS: tuple[ItemDef, ...] = (
    ItemDef(
        "knee_flexion_at_contact",
        "sagittal",
        f"error when knee flexion at IC < {LESS_KNEE_AT_IC_DEG:g}°",
        _knee_ic,
    ),
    ItemDef(
        "hip_flexion_at_contact",
        "sagittal",
        f"error when the hips are not flexed at IC (< {LESS_HIP_AT_IC_DEG:g}°)",
        _hip_ic,
    ),
    ItemDef(
        "trunk_flexion_at_contact",
        "sagittal",
        f"error when the trunk is not flexed at IC (lean < {LESS_TRUNK_AT_IC_DEG:g}°)",
        _trunk_ic,
    ),
    ItemDef(
        "ankle_plantar_flexion_at_contact",
        "sagittal",
        f"error when the foot lands heel-first or flat "
        f"(toes < {LESS_TOE_FIRST_PITCH_DEG:g}° below the heel at IC)",
        _toe_first,
    ),
    ItemDef(
        "knee_valgus_at_contact",
        "frontal",
        f"error when a knee is medial to the midfoot at IC "
        f"(by > {LESS_KNEE_MEDIAL_FRACTION:.0%} of leg length)",
        _knee_medial,
        unit="fraction of leg length",
    ),
    ItemDef(
        "lateral_trunk_flexion_at_contact",
        "frontal",
        f"error when the trunk leans to the side at IC (> {LESS_LATERAL_TRUNK_DEG:g}°)",
        _lateral_trunk,
    ),
    ItemDef(
        "stance_width_wide",
        "frontal",
        f"error when the feet are wider than the shoulders at IC "
        f"(ankle/shoulder width > {LESS_STANCE_WIDE:g})",
        _wide,
        unit="ratio",
    ),
    ItemDef(
        "stance_width_narrow",
        "frontal",
        f"error when the feet are narrower than the shoulders at IC "
        f"(ankle/shoulder width < {LESS_STANCE_NARROW:g})",
        _narrow,
        unit="ratio",
    ),
    ItemDef(
        "foot_position_toe_out", "frontal", "error when a foot turns out > 30°", None, reason=NOT_2D
    ),
    ItemDef(
        "foot_position_toe_in", "frontal", "error when a foot turns in > 30°", None, reason=NOT_2D
    ),
    ItemDef(
        "symmetric_initial_foot_contact",
        "frontal",
        f"error when one foot lands more than one frame and "
        f"{1000 * LESS_ASYMMETRIC_CONTACT_S:g} ms before the other",
        _symmetric,
        unit="ms",
    ),
    ItemDef(
        "knee_flexion_displacement",
        "sagittal",
        f"error when the knee flexes < {LESS_KNEE_DISPLACEMENT_DEG:g}° from IC to its peak",
        _knee_disp,
    ),
    ItemDef(
        "hip_flexion_displacement",
        "sagittal",
        f"error when the hips flex < {LESS_HIP_DISPLACEMENT_DEG:g}° more after IC",
        _hip_disp,
    ),
    ItemDef(
        "trunk_flexion_displacement",
        "sagittal",
        f"error when the trunk flexes < {LESS_TRUNK_DISPLACEMENT_DEG:g}° more after IC",
        _trunk_disp,
    ),
    ItemDef(
        "knee_valgus_displacement",
        "frontal",
        f"error when a knee's FPPA grows > {LESS_VALGUS_DISPLACEMENT_DEG:g}° after IC",
        _valgus_disp,
    ),
    ItemDef(
        "joint_displacement",
        "sagittal",
        "0 soft (peak knee flexion ≥ 90°), 2 stiff (< 90° and knee displacement < 45°), "
        "1 otherwise; from the knee only",
        _joint_disp,
        max_error=2,
    ),
    ItemDef(
        "overall_impression",
        "both",
        "0 excellent, 1 average, 2 poor",
        None,
        unit=None,
        max_error=2,
        reason="a rater's overall impression of the landing; not measured",
    ),
)


def score_items(ctx: LessContext) -> Less:
    """Score every item the view shows; mark the others not scorable with the reason."""
    rows: list[LessItem] = []
    for item in ITEMS:
        base = {
            "item": item.item,
            "view": item.view,
            "rule": item.rule,
            "max_error": item.max_error,
            "unit": item.unit,
        }
        if item.score is None:
            rows.append(LessItem(**base, scored=False, reason=item.reason))
            continue
        if item.view != ctx.inp.view:
            rows.append(
                LessItem(
                    **base,
                    scored=False,
                    reason=f"needs a {item.view} view; this video is {ctx.inp.view}",
                )
            )
            continue
        value, error = item.score(ctx)
        if error is None:
            rows.append(
                LessItem(
                    **base,
                    scored=False,
                    value=c.rounded(value, 3),
                    reason="the keypoints it needs were not found at the moments it uses",
                )
            )
            continue
        rows.append(LessItem(**base, scored=True, value=c.rounded(value, 3), error=error))
    scored = [r for r in rows if r.scored]
    return Less(
        items=tuple(rows),
        scored_items=len(scored),
        errors=sum(r.error or 0 for r in scored),
        max_errors_scored=sum(r.max_error for r in scored),
    )
