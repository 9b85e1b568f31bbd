"""Turn an assessment into the data of the selection problem.

Targets are finding instances (finding id, side) weighted by severity. Each
allowed exercise (every precaution, the equipment at hand and the positions to
avoid are hard filters applied here) contributes to the stretch and strength
targets of the findings whose muscle groups it loads as a primary target, and
to the *surrounding* muscle groups the library's relations name (synergists
of the groups a finding stretches or strengthens, and the lower back where
the chain graph links the finding to it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from hiplab.assess.result import Assessment, Finding, Precaution
from hiplab.assess.safety import allowed as exercise_allowed
from hiplab.library.loader import Library
from hiplab.library.models import Exercise, ExerciseKind
from hiplab.plan.dosage import (
    MAX_PLANNED_SETS,
    ROM_EFFECT,
    SideDose,
    extra_set_seconds,
    item_seconds,
    one_set,
    stretch_seconds,
)
from hiplab.plan.models import Dose

SEVERITY_WEIGHT = {"mild": 1.0, "moderate": 2.0, "severe": 3.0}
STRETCH_KINDS = frozenset(ROM_EFFECT)
STRENGTH_KINDS = frozenset({ExerciseKind.activation, ExerciseKind.strength})
HOUSEHOLD = frozenset({"mat", "wall", "chair", "pillow", "towel", "doorframe", "step"})
FULL_STRETCH_S = 60.0  # ≈ 60 s per muscle group per session (ref39)
FULL_STRENGTH_SETS = 2.0
LOWER_BACK = "lumbar_erectors"


@dataclass(frozen=True)
class Target:
    """One thing the programme should cover, with its weight."""

    key: str
    finding: str
    side: str | None
    mode: str  # "stretch", "strength" or "surround"
    muscles: frozenset[str]
    weight: float


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
    cover: dict[str, float] = field(default_factory=dict)
    max_sets: int = MAX_PLANNED_SETS

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
        if f.id == "asymmetry" or spec is None:
            continue
        weight = SEVERITY_WEIGHT[f.severity]
        for mode, muscles in (("stretch", spec.stretch), ("strength", spec.strengthen)):
            if muscles:
                key = f"{mode}:{f.id}:{f.side or '-'}"
                out.append(Target(key, f.id, f.side, mode, frozenset(muscles), weight))
    return _dedupe(out)


def _dedupe(targets: Iterable[Target]) -> list[Target]:
    best: dict[str, Target] = {}
    for t in targets:
        if t.key not in best or t.weight > best[t.key].weight:
            best[t.key] = t
    return list(best.values())


MAINTENANCE = (
    ("stretch", frozenset({"iliopsoas", "glute_max", "hamstrings", "adductors"})),
    ("strength", frozenset({"glute_max", "glute_med_min"})),
)


def maintenance_targets() -> list[Target]:
    """Return half-weight targets for general hip mobility and glute strength."""
    return [
        Target(f"{mode}:maintenance:-", "maintenance", None, mode, muscles, 0.5)
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
        Target(f"surround:{m}", "surrounding", None, "surround", frozenset({m}), w)
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
    if exercise.kind in STRETCH_KINDS:
        return min(1.0, stretch_seconds(exercise, dose) / FULL_STRETCH_S)
    return min(1.0, dose.sets / FULL_STRENGTH_SETS)


def coverage(exercise: Exercise, dose: Dose, target: Target) -> float:
    """Return the fraction (0–1) of ``target`` this exercise at this dose covers.

    Stretch targets count only stretching kinds, strength targets only
    activation/strength kinds, both through primary targets; surrounding
    targets count any kind through primary or secondary targets.
    """
    primary = set(exercise.targets.primary)
    if target.mode == "surround":
        loads = primary | set(exercise.targets.secondary)
        return _per_set_cover(exercise, dose) if loads & target.muscles else 0.0
    kinds = STRETCH_KINDS if target.mode == "stretch" else STRENGTH_KINDS
    if primary & target.muscles and exercise.kind in kinds:
        return _per_set_cover(exercise, dose)
    return 0.0


@dataclass(frozen=True)
class Preferences:
    """What the person has and wants: time, equipment, positions to avoid."""

    minutes: int
    equipment: frozenset[str] = frozenset()
    avoid_positions: frozenset[str] = frozenset()
    age: int = 40


def exclusion_reason(
    exercise: Exercise, precautions: Sequence[Precaution], prefs: Preferences
) -> str | None:
    """Return why an exercise may not be used, or None when it may."""
    if not exercise_allowed(exercise, precautions):
        return "breaks a precaution"
    if exercise.position.value in prefs.avoid_positions:
        return f"position {exercise.position.value} is avoided"
    missing = set(exercise.equipment) - HOUSEHOLD - prefs.equipment
    if missing:
        return f"needs {', '.join(sorted(missing))}"
    return None


def _option_for(
    exercise: Exercise, targets: Sequence[Target], sides: dict[str, str], age: int
) -> Option | None:
    dose = one_set(exercise, age=age)
    cover = {t.key: c for t in targets if (c := coverage(exercise, dose, t)) > 0}
    if not any(not k.startswith("surround:") for k in cover):
        return None
    extra = _extra_side(exercise, targets, cover, sides)
    seconds = item_seconds(exercise, dose, SideDose(extra))
    return Option(exercise, dose, extra, seconds, extra_set_seconds(exercise, dose), cover)


def _extra_side(
    exercise: Exercise, targets: Sequence[Target], cover: dict[str, float], sides: dict[str, str]
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
        reason = exclusion_reason(exercise, assessment.precautions, prefs)
        if reason:
            excluded[exercise.id] = reason
            continue
        option = _option_for(exercise, targets, sides, prefs.age)
        if option is not None:
            options.append(option)
    budget = prefs.minutes * 60 if budget_s is None else budget_s
    return Problem(tuple(targets), tuple(options), budget, excluded)
