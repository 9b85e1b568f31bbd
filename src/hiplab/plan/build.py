"""Lay chosen exercises out as ordered session items and progress them week by week.

Order: dynamic warm-up first, then activation and strength, static and PNF
holds last (long holds before power work cost performance, ref41/ref42);
within a phase, positions flow from standing to the floor so the person
gets down once. A unilateral item whose tighter side needs more work is
split into that side (one extra set) followed by the other side.

Progression rules (typed :class:`ProgressionStep`), applied each week only if
the session still fits the budget: holds +10 s up to 60 s; repetitions +2 up
to 15, then an extra set up to 4; strength work from week 3 moves to the
library's harder variant when that variant is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from hiplab.assess.safety import Side
from hiplab.library.loader import Library
from hiplab.library.models import Exercise, ExerciseKind
from hiplab.plan.dosage import (
    MAX_HOLD_S,
    MAX_REPS,
    MAX_SETS,
    PHASE_ORDER,
    PHASES,
    SETUP_S,
    SWITCH_S,
    base_dose,
    describe,
    side_seconds,
)
from hiplab.records.programme import Dose, PlanItem, ProgressionStep, Session

POSITION_FLOW = (
    "standing",
    "lunge",
    "half_kneeling",
    "kneeling",
    "quadruped",
    "seated",
    "side_lying",
    "prone",
    "supine",
)
HOLD_STEP_S = 10
REP_STEP = 2
HARDER_FROM_WEEK = 3


@dataclass(frozen=True)
class Slot:
    """One exercise in the session with its dose, tighter side and purpose."""

    exercise: Exercise
    dose: Dose
    extra_side: str | None
    addresses: tuple[str, ...]
    why: str
    swapped: bool = False
    only_side: Side | None = None


def _order(slot: Slot) -> tuple[int, int, str]:
    e = slot.exercise
    return (PHASE_ORDER.index(PHASES[e.kind]), POSITION_FLOW.index(e.position.value), e.id)


def _item(slot: Slot, *, side: str | None, sets: int, seconds: int) -> PlanItem:
    e, d = slot.exercise, slot.dose
    return PlanItem(
        exercise_id=e.id,
        name=e.name,
        kind=e.kind.value,
        phase=PHASES[e.kind],
        position=e.position.value,
        side=side,
        sets=sets,
        hold_s=d.hold_s,
        reps=d.reps,
        rest_s=d.rest_s,
        duration_s=seconds,
        addresses=slot.addresses,
        why=slot.why,
    )


def slot_items(slot: Slot) -> list[PlanItem]:
    """Return the session items of one slot (two when one side gets an extra set)."""
    e, d = slot.exercise, slot.dose
    if not e.unilateral:
        return [_item(slot, side=None, sets=d.sets, seconds=SETUP_S + side_seconds(e, d))]
    if slot.only_side is not None:
        seconds = SETUP_S + side_seconds(e, d)
        return [_item(slot, side=slot.only_side, sets=d.sets, seconds=seconds)]
    if slot.extra_side is None:
        seconds = SETUP_S + 2 * side_seconds(e, d) + SWITCH_S
        return [_item(slot, side="both", sets=d.sets, seconds=seconds)]
    other = "left" if slot.extra_side == "right" else "right"
    first = SETUP_S + side_seconds(e, d, sets=d.sets + 1)
    return [
        _item(slot, side=slot.extra_side, sets=d.sets + 1, seconds=first),
        _item(slot, side=other, sets=d.sets, seconds=SWITCH_S + side_seconds(e, d)),
    ]


def make_session(slots: Sequence[Slot]) -> Session:
    """Return the ordered session for ``slots``; its duration is the sum of its items."""
    items = [item for slot in sorted(slots, key=_order) for item in slot_items(slot)]
    return Session(duration_s=sum(i.duration_s for i in items), items=tuple(items))


def _more_work(exercise: Exercise, dose: Dose) -> tuple[str, Dose] | None:
    if dose.hold_s is not None and dose.hold_s < MAX_HOLD_S:
        return "longer_hold", dose.model_copy(
            update={"hold_s": min(MAX_HOLD_S, dose.hold_s + HOLD_STEP_S)}
        )
    step = 1 if exercise.kind is ExerciseKind.pnf else REP_STEP
    if dose.reps is not None and dose.reps < MAX_REPS:
        return "more_reps", dose.model_copy(update={"reps": min(MAX_REPS, dose.reps + step)})
    if dose.sets < MAX_SETS:
        return "extra_set", dose.model_copy(update={"sets": dose.sets + 1})
    return None


def harder_variant(
    slot: Slot, library: Library, allowed: Callable[[Exercise, str | None], bool], age: int
) -> Slot | None:
    """Return the slot moved to its first harder variant allowed on the slot's sides."""
    for candidate_id in slot.exercise.progressions:
        candidate = library.exercises[candidate_id]
        one_side_only = candidate.unilateral and slot.only_side is not None
        side = slot.only_side if one_side_only else None
        if candidate.kind == slot.exercise.kind and allowed(candidate, side):
            dose = base_dose(candidate, age=age).model_copy(update={"sets": slot.dose.sets})
            return replace(slot, exercise=candidate, dose=dose, swapped=True, only_side=side)
    return None


@dataclass(frozen=True)
class Progressor:
    """Applies one week's progression to every slot that still fits the budget."""

    library: Library
    allowed: Callable[[Exercise, str | None], bool]
    budget_s: int
    age: int

    def _proposal(self, slot: Slot, week: int) -> tuple[str, Slot] | None:
        strength = slot.exercise.kind is ExerciseKind.strength
        if strength and week >= HARDER_FROM_WEEK and not slot.swapped:
            harder = harder_variant(slot, self.library, self.allowed, self.age)
            if harder is not None:
                return "harder_variant", harder
        more = _more_work(slot.exercise, slot.dose)
        return None if more is None else (more[0], replace(slot, dose=more[1]))

    def week(
        self, slots: list[Slot], week: int, *, steps: int | None = None
    ) -> tuple[list[Slot], list[ProgressionStep]]:
        """Return next week's slots and the steps taken.

        At most ``steps`` slots progress, taken in turn (a different starting slot
        each week), so the load rises steadily over the block.
        """
        out: list[Slot] = list(slots)
        taken: list[ProgressionStep] = []
        limit = len(slots) if steps is None else steps
        for offset in range(len(slots)):
            if len(taken) >= limit:
                break
            i = (week - 2 + offset) % len(slots)
            proposal = self._proposal(out[i], week)
            if proposal is None:
                continue
            rule, new = proposal
            trial = [*out[:i], new, *out[i + 1 :]]
            if make_session(trial).duration_s > self.budget_s:
                continue
            taken.append(_step(out[i], new, rule))
            out = trial
        return out, taken


def _step(old: Slot, new: Slot, rule: str) -> ProgressionStep:
    return ProgressionStep(
        exercise_id=old.exercise.id,
        rule=rule,
        before=f"{old.exercise.name}: {describe(old.dose)}",
        after=f"{new.exercise.name}: {describe(new.dose)}",
    )
