"""Turn an assessment into the data of the selection problem.

Targets are finding instances (finding id, side) weighted by severity. Each
allowed exercise (every precaution, the equipment at hand and the positions to
avoid are hard filters applied here) contributes to the stretch and strength
targets of the findings whose muscle groups it loads as a primary target, and
to the *surrounding* muscle groups the library's relations name (synergists
of the groups a finding stretches or strengthens, and the lower back where
the chain graph links the finding to it).

Rules that make the programme one a physical therapist would sign:

* A stretch covers a finding only when it moves the worked hip into the motion the
  finding is short in (``stretches_into``: a quad stretch with the hip at neutral does
  not cover short one-joint hip flexors); strengthening covers a finding only when it
  trains the finding's ``strengthen_through`` motion (glute work in hip extension).
* A finding that a precaution forbids stretching on its side
  (``Finding.stretch_withheld``) gets no target there: the limit protects the hip.
* A one-sided exercise that is safe on one side only is offered for that side only,
  and covers only that side's targets.
* The person's measured range decides what they can get into: an exercise whose
  demand on a measured motion exceeds the person's range by more than
  :data:`REACH_MARGIN_DEG` is left out (a deep squat hold for a knee-to-wall of
  6 cm), except the hip motion a stretch is meant to work into.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from hiplab.assess.safety import SIDES, ItemSide, Side, allowed_sides, hip_demands
from hiplab.library.loader import Library
from hiplab.library.models import Exercise, ExerciseKind
from hiplab.plan.dosage import (
    MAX_PLANNED_SETS,
    ROM_EFFECT,
    SideDose,
    extra_set_seconds,
    item_seconds,
    starting_dose,
    stretch_seconds,
)
from hiplab.records.assessment import Assessment, Finding, Precaution
from hiplab.records.programme import Dose

SEVERITY_WEIGHT = {"mild": 1.0, "moderate": 2.0, "severe": 3.0}
STRETCH_KINDS = frozenset(ROM_EFFECT)
STRENGTH_KINDS = frozenset({ExerciseKind.activation, ExerciseKind.strength})
HOUSEHOLD = frozenset({"mat", "wall", "chair", "pillow", "towel", "doorframe", "step"})
FULL_STRETCH_S = 60.0  # ≈ 60 s per muscle group per session (ref39)
FULL_STRENGTH_SETS = 2.0
LOWER_BACK = "lumbar_erectors"
REACH_MARGIN_DEG = 10.0
DEG_PER_CM_KNEE_TO_WALL = 3.6
SEVERITY_ORDER = ("mild", "moderate", "severe")


TargetMode = Literal["stretch", "strength", "surround"]


@dataclass(frozen=True)
class TargetKey:
    """What a target is: its mode, what it is about, and on which side.

    ``subject`` is a finding id (or ``"maintenance"``) for stretch and strength
    targets and a muscle group for surrounding ones; ``side`` is ``"left"``,
    ``"right"`` or ``None`` (both sides, or a target without a side). Keys order by
    (mode, subject, side) so that the optimiser builds its variables in a fixed order.
    """

    mode: TargetMode
    subject: str
    side: str | None = None

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, TargetKey):
            return NotImplemented
        return self._order() < other._order()

    def _order(self) -> tuple[str, str, str]:
        return (self.mode, self.subject, self.side or "")


@dataclass(frozen=True)
class Target:
    """One thing the programme should cover, with its weight."""

    key: TargetKey
    finding: str
    side: str | None
    mode: TargetMode
    muscles: frozenset[str]
    weight: float
    motion: str | None = None  # stretch: the motion it must move into; strength: must train
    required: bool = False


@dataclass(frozen=True)
class Option:
    """One exercise: time and coverage of one set, and what each further set adds.

    Time and coverage are linear in the number of sets (the optimiser caps each
    target's coverage at 1), so sets are an integer variable, not dose copies.
    """

    exercise: Exercise
    dose: Dose
    extra_side: str | None
    seconds: int
    set_seconds: int
    cover: dict[TargetKey, float] = field(default_factory=dict)
    max_sets: int = MAX_PLANNED_SETS
    only_side: Side | None = None

    @property
    def more_sets(self) -> int:
        """Return how many sets the optimiser may add to the starting dose."""
        return max(0, self.max_sets - self.dose.sets)

    def with_sets(self, sets: int) -> Option:
        """Return this option at ``sets`` sets."""
        return replace(self, dose=self.dose.model_copy(update={"sets": sets}))

    def total_seconds(self) -> int:
        """Return the item's seconds at its current number of sets."""
        return self.seconds + (self.dose.sets - 1) * self.set_seconds


@dataclass(frozen=True)
class Problem:
    """Everything the optimiser needs."""

    targets: tuple[Target, ...]
    options: tuple[Option, ...]
    budget_s: int
    excluded: dict[str, str]


def finding_targets(findings: Sequence[Finding], library: Library) -> list[Target]:
    """Return stretch and strength targets per finding instance (asymmetry excluded)."""
    out: list[Target] = []
    for f in findings:
        spec = library.findings.get(f.id)
        if f.id == "asymmetry" or spec is None or f.stretch_withheld:
            continue  # a limit a precaution protects is not something to fix on that side
        weight = SEVERITY_WEIGHT[f.severity]
        must = spec.must_treat_from is not None and SEVERITY_ORDER.index(
            f.severity
        ) >= SEVERITY_ORDER.index(spec.must_treat_from)
        modes: tuple[tuple[TargetMode, Sequence[str], str | None], ...] = (
            ("stretch", spec.stretch, spec.stretches_into),
            ("strength", spec.strengthen, spec.strengthen_through),
        )
        for mode, muscles, motion in modes:
            if muscles:
                key = TargetKey(mode, f.id, f.side)
                required = must and mode == "stretch"
                out.append(
                    Target(key, f.id, f.side, mode, frozenset(muscles), weight, motion, required)
                )
    return _dedupe(out)


def _dedupe(targets: Iterable[Target]) -> list[Target]:
    best: dict[TargetKey, Target] = {}
    for t in targets:
        kept = best.get(t.key)
        if kept is None:
            best[t.key] = t
            continue
        heavier = t if t.weight > kept.weight else kept
        best[t.key] = replace(heavier, required=t.required or kept.required)
    return list(best.values())


MAINTENANCE: tuple[tuple[TargetMode, frozenset[str]], ...] = (
    ("stretch", frozenset({"iliopsoas", "glute_max", "hamstrings", "adductors"})),
    ("strength", frozenset({"glute_max", "glute_med_min"})),
)


def maintenance_targets() -> list[Target]:
    """Return half-weight targets for general hip mobility and glute strength."""
    return [
        Target(TargetKey(mode, "maintenance"), "maintenance", None, mode, muscles, 0.5)
        for mode, muscles in MAINTENANCE
    ]


def surrounding_targets(targets: Sequence[Target], library: Library) -> list[Target]:
    """Return targets for the muscle groups around each finding, at a quarter weight."""
    weights: dict[str, float] = {}
    for t in targets:
        around = {s for m in t.muscles for s in library.muscles[m].synergists}
        if _links_to_lower_back(t.finding, library):
            around.add(LOWER_BACK)
        for m in around - t.muscles:
            weights[m] = max(weights.get(m, 0.0), 0.25 * t.weight)
    return [
        Target(TargetKey("surround", m), "surrounding", None, "surround", frozenset({m}), w)
        for m, w in sorted(weights.items())
    ]


def _links_to_lower_back(finding: str, library: Library) -> bool:
    nodes = {n.id for n in library.chains.nodes if finding in n.findings}
    return any(
        e.source in nodes and e.target == "lumbar_overcompensation" for e in library.chains.edges
    )


def tighter_sides(findings: Sequence[Finding], library: Library) -> dict[str, str]:
    """Return, per finding id, the side that is tighter or weaker (if one is)."""
    rank = {"mild": 1, "moderate": 2, "severe": 3}
    by_id: dict[str, dict[str, int]] = {}
    for f in findings:
        if f.side in ("left", "right") and f.id != "asymmetry":
            by_id.setdefault(f.id, {})[f.side] = rank[f.severity]
    out = {}
    for fid, sides in by_id.items():
        left, right = sides.get("left", 0), sides.get("right", 0)
        if left != right:
            out[fid] = "left" if left > right else "right"
    for f in findings:
        test = library.tests.get(f.test)
        if f.id == "asymmetry" and test and test.finding and f.side in ("left", "right"):
            out[test.finding] = f.side
    return out


def _per_set_cover(exercise: Exercise, dose: Dose) -> float:
    """Return what one set of ``dose`` covers of a target (0–1)."""
    one = dose.model_copy(update={"sets": 1})
    if exercise.kind in STRETCH_KINDS:
        return min(1.0, stretch_seconds(exercise, one) / FULL_STRETCH_S)
    return min(1.0, 1 / FULL_STRENGTH_SETS)


def _on_side(target: Target, only_side: Side | None) -> bool:
    return only_side is None or target.side in (None, only_side)


def _moves(exercise: Exercise, target: Target) -> bool:
    """Whether the exercise trains or stretches the target's motion on the worked side."""
    if target.motion is None:
        return True
    demand = exercise.joint_demands.get(target.motion)
    if target.mode == "stretch":
        return demand is not None and demand.deg > 0
    return demand is not None


def coverage(
    exercise: Exercise, dose: Dose, target: Target, *, only_side: Side | None = None
) -> float:
    """Return the fraction (0–1) of ``target`` one set of this exercise covers.

    Stretch targets count only stretching kinds that move into the target's motion,
    strength targets only activation/strength kinds that train its motion, both
    through primary targets; surrounding targets count any kind through primary or
    secondary targets. An exercise done on one side only covers that side's targets.
    """
    if not _on_side(target, only_side):
        return 0.0
    primary = set(exercise.targets.primary)
    if target.mode == "surround":
        loads = primary | set(exercise.targets.secondary)
        return _per_set_cover(exercise, dose) if loads & target.muscles else 0.0
    kinds = STRETCH_KINDS if target.mode == "stretch" else STRENGTH_KINDS
    if primary & target.muscles and exercise.kind in kinds and _moves(exercise, target):
        return _per_set_cover(exercise, dose)
    return 0.0


Reach = Mapping[tuple[str, str], float]
"""(side, motion) → the degrees the person was measured to reach."""


@dataclass(frozen=True)
class Preferences:
    """What the person has and wants: time, equipment, positions to avoid, measured range."""

    minutes: int
    equipment: frozenset[str] = frozenset()
    avoid_positions: frozenset[str] = frozenset()
    age: int = 40
    reach: Reach = field(default_factory=dict)


def exclusion_reason(
    exercise: Exercise,
    precautions: Sequence[Precaution],
    prefs: Preferences,
    *,
    side: str | None = None,
) -> str | None:
    """Return why an exercise may not be used (on ``side``, if given), or None when it may."""
    return _unsafe(allowed_sides(exercise, precautions), side) or _unwanted(exercise, prefs)


def _unsafe(sides: Sequence[Side], side: str | None = None) -> str | None:
    if not sides or (side in SIDES and side not in sides):
        return "breaks a precaution"
    return None


def _unwanted(exercise: Exercise, prefs: Preferences) -> str | None:
    """Return why the person's equipment or chosen positions leave ``exercise`` out."""
    if exercise.position.value in prefs.avoid_positions:
        return f"position {exercise.position.value} is avoided"
    missing = set(exercise.equipment) - HOUSEHOLD - prefs.equipment
    if missing:
        return f"needs {', '.join(sorted(missing))}"
    return None


def out_of_reach(
    exercise: Exercise, reach: Reach, *, only_side: Side | None, exempt: Iterable[str] = ()
) -> str | None:
    """Return why the person cannot get into ``exercise`` with their measured range, or None.

    ``exempt`` motions are the ones a stretch works into: it is done only as far as the
    range allows, so a short range there is the reason for the stretch, not against it.
    """
    skip = set(exempt)
    worked: ItemSide = only_side or "both"
    for hip in SIDES:
        needed = hip_demands(exercise, worked=worked, hip=hip, floor=False)
        for motion, deg in sorted(needed.items()):
            have = reach.get((hip, motion))
            if motion in skip or have is None or deg <= have + REACH_MARGIN_DEG:
                continue
            return (
                f"needs {motion.replace('_', ' ')} of {deg:g}° on the {hip} side; "
                f"the person reaches {have:g}°"
            )
    return None


def _exempt(
    exercise: Exercise, targets: Sequence[Target], cover: Mapping[TargetKey, float]
) -> set[str]:
    if not exercise.is_stretch:
        return set()
    return {
        t.motion
        for t in targets
        if t.key in cover and t.mode == "stretch" and t.motion and t.motion.startswith("hip_")
    }


def _option_for(
    exercise: Exercise,
    targets: Sequence[Target],
    sides: dict[str, str],
    prefs: Preferences,
    only_side: Side | None,
) -> Option | str | None:
    dose = starting_dose(exercise, age=prefs.age)
    cover = {
        t.key: c for t in targets if (c := coverage(exercise, dose, t, only_side=only_side)) > 0
    }
    if not any(k.mode != "surround" for k in cover):
        return None
    why_not = out_of_reach(
        exercise, prefs.reach, only_side=only_side, exempt=_exempt(exercise, targets, cover)
    )
    if why_not:
        return why_not
    extra = None if only_side else _extra_side(exercise, targets, cover, sides)
    seconds = item_seconds(exercise, dose, SideDose(extra, only=only_side))
    set_s = extra_set_seconds(exercise, dose, one_side=only_side is not None)
    return Option(exercise, dose, extra, seconds, set_s, cover, only_side=only_side)


def _extra_side(
    exercise: Exercise,
    targets: Sequence[Target],
    cover: dict[TargetKey, float],
    sides: dict[str, str],
) -> str | None:
    if not exercise.unilateral:
        return None
    covered = sorted(
        (t for t in targets if t.key in cover and t.finding in sides),
        key=lambda t: (-t.weight, t.key),
    )
    return sides[covered[0].finding] if covered else None


def build_problem(
    assessment: Assessment, library: Library, prefs: Preferences, *, budget_s: int | None = None
) -> Problem:
    """Return the selection problem; ``budget_s`` defaults to the full session time."""
    targets = finding_targets(assessment.findings, library) or maintenance_targets()
    targets += surrounding_targets(targets, library)
    sides = tighter_sides(assessment.findings, library)
    excluded: dict[str, str] = {}
    options: list[Option] = []
    for exercise in sorted(library.exercises.values(), key=lambda e: e.id):
        safe = allowed_sides(exercise, assessment.precautions)
        reason = _unsafe(safe) or _unwanted(exercise, prefs)
        if reason:
            excluded[exercise.id] = reason
            continue
        only = safe[0] if exercise.unilateral and len(safe) == 1 else None
        option = _option_for(exercise, targets, sides, prefs, only)
        if isinstance(option, str):
            excluded[exercise.id] = option
        elif option is not None:
            options.append(option)
    budget = prefs.minutes * 60 if budget_s is None else budget_s
    return Problem(tuple(targets), tuple(options), budget, excluded)


def measured_reach(assessment: Assessment, library: Library) -> dict[tuple[str, str], float]:
    """Return (side, motion) → degrees from the tests that measure a joint's range.

    Tests of a joint's own range (``TestDef.joint_range``) give their motion directly; the
    knee-to-wall distance is turned into ankle dorsiflexion at about 3.6° per cm (domain
    reference §1, ref05).
    """
    out: dict[tuple[str, str], float] = {}
    for value in assessment.values:
        test = library.tests.get(value.test)
        if test is None or not test.joint_range or test.motion is None or value.side is None:
            continue
        if test.unit == "cm":
            out[(value.side, test.motion)] = round(value.value * DEG_PER_CM_KNEE_TO_WALL, 1)
        else:
            out[(value.side, test.motion)] = value.value
    return out
