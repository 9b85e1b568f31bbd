"""Dose options and the time an item takes.

Timing model (seconds): a set of a hold lasts ``hold_s``; a set of repetitions
lasts ``reps × REP_SECONDS[kind]``; sets on one side are separated by
``rest_s``; a unilateral item done on both sides adds ``SWITCH_S``; every item
adds ``SETUP_S`` to get into position. These make an item's ``duration_s`` and
a session's budget check exact.

Dosage guidance (domain reference §4, ACSM ref39/ref40): holds of 10–30 s
(older adults 30–60 s) repeated to about 60 s per muscle group; no
dose–response beyond that (ref44, ref46). PNF counts as a 6 s contraction plus
a 10 s stretch per repetition (ref43).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hiplab.library.models import Exercise, ExerciseKind
from hiplab.records.programme import Dose, Phase

SETUP_S = 10
SWITCH_S = 5
OLDER_ADULT_AGE = 65
OLDER_ADULT_MIN_HOLD_S = 30
MAX_HOLD_S = 60
MAX_REPS = 15
MAX_SETS = 4
MAX_PLANNED_SETS = 3
MIN_STRETCH_S = 60
MIN_STRENGTH_SETS = 2

REP_SECONDS: dict[ExerciseKind, int] = {
    ExerciseKind.dynamic_mobility: 2,
    ExerciseKind.activation: 3,
    ExerciseKind.strength: 4,
    ExerciseKind.pnf: 16,
    ExerciseKind.static_stretch: 3,
}

PHASES: dict[ExerciseKind, Phase] = {
    ExerciseKind.dynamic_mobility: "warm_up",
    ExerciseKind.activation: "activation",
    ExerciseKind.strength: "strength",
    ExerciseKind.static_stretch: "stretch",
    ExerciseKind.pnf: "stretch",
}
PHASE_ORDER: tuple[Phase, ...] = ("warm_up", "activation", "strength", "stretch")

# Relative effect on range of motion by stretching type, from the 77-study
# meta-analysis (ref44): PNF 1.28 ≈ static 1.0 > dynamic 0.55.
ROM_EFFECT: dict[ExerciseKind, float] = {
    ExerciseKind.static_stretch: 1.0,
    ExerciseKind.pnf: 1.28,
    ExerciseKind.dynamic_mobility: 0.55,
}


def base_dose(exercise: Exercise, *, age: int) -> Dose:
    """Return the exercise's default dose, with holds lengthened for older adults."""
    d = exercise.dosage
    hold = d.hold_s
    if hold is not None and age >= OLDER_ADULT_AGE:
        hold = max(hold, OLDER_ADULT_MIN_HOLD_S)
    return Dose(sets=d.sets, hold_s=hold, reps=d.reps, rest_s=d.rest_s)


def min_sets(exercise: Exercise, dose: Dose) -> int:
    """Return the fewest sets that make a dose count.

    A static stretch holds at least :data:`MIN_STRETCH_S` per side per session (about
    60 s per muscle group, ACSM ref39); strength and activation work is at least
    :data:`MIN_STRENGTH_SETS` sets. Other kinds start at one set.
    """
    if exercise.kind is ExerciseKind.static_stretch and dose.hold_s:
        return min(MAX_PLANNED_SETS, math.ceil(MIN_STRETCH_S / dose.hold_s))
    if exercise.kind in (ExerciseKind.strength, ExerciseKind.activation):
        return MIN_STRENGTH_SETS
    return 1


def starting_dose(exercise: Exercise, *, age: int) -> Dose:
    """Return the base dose at its fewest useful sets; the optimiser may add sets."""
    dose = base_dose(exercise, age=age)
    return dose.model_copy(update={"sets": min_sets(exercise, dose)})


def set_seconds(exercise: Exercise, dose: Dose) -> int:
    """Return the working seconds of one set."""
    if dose.hold_s is not None:
        return dose.hold_s
    return (dose.reps or 0) * REP_SECONDS[exercise.kind]


def side_seconds(exercise: Exercise, dose: Dose, *, sets: int | None = None) -> int:
    """Return the seconds one side takes: all sets and the rests between them."""
    n = dose.sets if sets is None else sets
    return n * set_seconds(exercise, dose) + (n - 1) * dose.rest_s


@dataclass(frozen=True)
class SideDose:
    """Sides of a unilateral item.

    ``extra`` names the side with one more set, ``only`` the one side it is done on
    (a precaution rules the other out).
    """

    extra: str | None
    only: str | None = None


def extra_set_seconds(exercise: Exercise, dose: Dose, *, one_side: bool = False) -> int:
    """Return what one more set (on every side done) adds to an item: the set and a rest."""
    per_side = set_seconds(exercise, dose) + dose.rest_s
    return 2 * per_side if exercise.unilateral and not one_side else per_side


def item_seconds(exercise: Exercise, dose: Dose, sides: SideDose) -> int:
    """Return the whole item's seconds (setup, every side, switch)."""
    if not exercise.unilateral or sides.only is not None:
        return SETUP_S + side_seconds(exercise, dose)
    first = side_seconds(exercise, dose, sets=dose.sets + (1 if sides.extra else 0))
    return SETUP_S + first + SWITCH_S + side_seconds(exercise, dose)


def stretch_seconds(exercise: Exercise, dose: Dose) -> float:
    """Return effective stretch seconds per side, weighted by stretching type."""
    return ROM_EFFECT.get(exercise.kind, 0.0) * dose.sets * set_seconds(exercise, dose)


def describe(dose: Dose) -> str:
    """Return a dose as plain text, e.g. ``2 × 30 s`` or ``3 × 10 reps``."""
    work = f"{dose.hold_s} s" if dose.hold_s is not None else f"{dose.reps} reps"
    return f"{dose.sets} × {work}"
