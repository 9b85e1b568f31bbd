"""A coach's edits of a programme: swap an exercise for a listed variant, change a dose.

Pure functions over typed values; the store and the person's precautions are brought
in by :mod:`hiplab.services.programmes`.

Conventions
-----------
* An edit names a week by its number (``week``) and an item by its 1-based position
  in that week's session (``item``), as the plan pages number them.
* ``scope="week"`` changes that week only; ``scope="following"`` also changes every
  later week that has the same exercise (a dose change: the same exercise on the same
  side). Later weeks keep their own doses when an exercise is swapped.
* A swap replaces the exercise on every side it is done in that week: an item split
  into a tighter side with an extra set and the other side is one exercise on two
  items. The new exercise must be one of the old one's ``regressions`` or
  ``progressions`` in the library. It starts at its library dose for the person's
  age, keeping each item's sets; a two-legged exercise replacing one done on each
  side takes the fewer sets; a one-legged one replacing a two-legged one is done on
  each side.
* A dose change sets ``sets`` and the work of one set: ``hold_s`` for an exercise
  the library doses as a hold, ``reps`` for one dosed in repetitions. The allowed
  ranges are the library's (the field limits of
  :class:`hiplab.library.models.Dosage`): see :data:`DOSE_LIMITS`.
* Safety: every exercise an edit leaves in the items it touches is checked with
  :func:`hiplab.assess.safety.violations` against the person's precautions; a
  refused edit names them and changes nothing. A referral is never edited.
* Item and session durations are recomputed with the planner's timing model
  (:mod:`hiplab.plan.dosage`), so a session's duration stays the sum of its items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from annotated_types import Ge, Le

from hiplab.assess.safety import violations
from hiplab.errors import InputError
from hiplab.library.loader import Library
from hiplab.library.models import Dosage, Exercise
from hiplab.plan.dosage import PHASES, SETUP_S, SWITCH_S, base_dose, side_seconds
from hiplab.records.assessment import Precaution
from hiplab.records.programme import Dose, ItemSide, PlanItem, Programme, Session, Week

Scope = Literal["week", "following"]
SCOPES: tuple[Scope, ...] = ("week", "following")
Direction = Literal["easier", "harder"]


def _limits(field: str) -> tuple[int, int]:
    metadata = Dosage.model_fields[field].metadata
    low = next(m.ge for m in metadata if isinstance(m, Ge))
    high = next(m.le for m in metadata if isinstance(m, Le))
    assert isinstance(low, int) and isinstance(high, int)  # the model's limits are whole
    return low, high


DOSE_LIMITS: dict[str, tuple[int, int]] = {
    name: _limits(name) for name in ("sets", "hold_s", "reps")
}
"""Allowed ``sets``, ``hold_s`` (seconds) and ``reps``, from the library's dosage model."""


@dataclass(frozen=True)
class Swap:
    """Replace the exercise of item ``item`` in week ``week`` by ``exercise_id``."""

    week: int
    item: int
    exercise_id: str
    scope: Scope = "week"


@dataclass(frozen=True)
class DoseChange:
    """Set the dose of item ``item`` in week ``week``; None leaves a value as it is."""

    week: int
    item: int
    sets: int | None = None
    hold_s: int | None = None
    reps: int | None = None
    scope: Scope = "week"


Edit = Swap | DoseChange


@dataclass(frozen=True)
class SwapChoice:
    """A variant an item may be swapped for, and why it is refused (empty: allowed)."""

    exercise: Exercise
    direction: Direction
    refused: tuple[str, ...]


def apply_edit(
    programme: Programme,
    edit: Edit,
    *,
    library: Library,
    precautions: Sequence[Precaution],
    age: int,
) -> Programme:
    """Return ``programme`` with ``edit`` applied (see the module conventions).

    Raises
    ------
    InputError
        If the programme is a referral, the week, item, exercise, scope or a dose
        value is not allowed (the message names the field, the value and what is
        allowed), or the result would break a precaution (named).

    """
    if programme.refer:
        raise InputError(
            f"this plan is a referral and has no exercises to edit: {programme.reason}"
        )
    if edit.scope not in SCOPES:
        raise InputError(f"scope {edit.scope!r} is not allowed; allowed: {', '.join(SCOPES)}")
    week, index = locate(programme, week=edit.week, item=edit.item)
    if isinstance(edit, Swap):
        change = _swap_week(week, index, edit, library=library, age=age)
        later = _swap_later(edit, week.session.items[index].exercise_id, library, age)
    else:
        change = _dose_week(week, index, edit, library=library)
        later = _dose_later(edit, week.session.items[index], library)
    weeks = []
    for each in programme.weeks:
        touched: _Touched | None = None
        if each.week == edit.week:
            touched = change
        elif edit.scope == "following" and each.week > edit.week:
            touched = later(each)
        if touched is not None:
            _check_safe(touched.new_items, library, precautions)
            each = each.model_copy(update={"session": _session(touched.items, library)})
        weeks.append(each)
    return programme.model_copy(update={"weeks": tuple(weeks)})


def locate(programme: Programme, *, week: int, item: int) -> tuple[Week, int]:
    """Return the week numbered ``week`` and the 0-based index of its item ``item`` (1-based).

    Raises
    ------
    InputError
        If the week or item does not exist (the allowed range is named).

    """
    weeks = {w.week: w for w in programme.weeks}
    if week not in weeks:
        allowed = f"{min(weeks)} to {max(weeks)}" if weeks else "none (the plan has no weeks)"
        raise InputError(f"week {week} is not in this plan; allowed: {allowed}")
    found = weeks[week]
    count = len(found.session.items)
    if not 1 <= item <= count:
        raise InputError(f"item {item} is not in week {week}; allowed: 1 to {count}")
    return found, item - 1


def swap_choices(
    exercise: Exercise,
    *,
    library: Library,
    precautions: Sequence[Precaution],
    side: ItemSide = None,
) -> list[SwapChoice]:
    """Return the library's easier and harder variants of ``exercise`` with any refusal.

    ``side`` is the side the item is done on: a one-sided variant is judged on it.
    """
    variants: tuple[tuple[Direction, tuple[str, ...]], ...] = (
        ("easier", exercise.regressions),
        ("harder", exercise.progressions),
    )
    out = []
    for direction, ids in variants:
        for exercise_id in ids:
            variant = library.exercises[exercise_id]
            refused = tuple(violations(variant, precautions, side=side))
            out.append(SwapChoice(exercise=variant, direction=direction, refused=refused))
    return out


# --------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class _Touched:
    """A week's items after an edit, and the items the edit made or changed."""

    items: tuple[PlanItem, ...]
    new_items: tuple[PlanItem, ...]


_Later: TypeAlias = Callable[[Week], _Touched | None]
"""Applies an edit to a later week (None: the week has nothing to change)."""


def _pair(first: PlanItem, second: PlanItem) -> bool:
    """Whether ``second`` is ``first``'s exercise on the other side (a split item)."""
    return first.exercise_id == second.exercise_id and {first.side, second.side} == {
        "left",
        "right",
    }


def _group(items: Sequence[PlanItem], index: int) -> range:
    """Return the indices of the exercise at ``index`` in its week (one or two items)."""
    start, stop = index, index + 1
    if index > 0 and _pair(items[index - 1], items[index]):
        start -= 1
    elif index + 1 < len(items) and _pair(items[index], items[index + 1]):
        stop += 1
    return range(start, stop)


def _variant(current: Exercise, exercise_id: str, library: Library) -> Exercise:
    allowed = current.regressions + current.progressions
    if exercise_id not in allowed:
        listed = ", ".join(allowed) or "none (the library lists no variants of it)"
        raise InputError(
            f"exercise_id {exercise_id!r} is not an easier or harder variant of "
            f"{current.name} in the library; allowed: {listed}"
        )
    return library.exercises[exercise_id]


def _swap_items(old: Sequence[PlanItem], new: Exercise, age: int) -> list[PlanItem]:
    dose = base_dose(new, age=age)
    why = f"Coach's choice in place of {old[0].name}. {old[0].why}".strip()

    def made(side: ItemSide, sets: int) -> PlanItem:
        return PlanItem(
            exercise_id=new.id,
            name=new.name,
            kind=new.kind.value,
            phase=PHASES[new.kind],
            position=new.position.value,
            side=side,
            sets=sets,
            hold_s=dose.hold_s,
            reps=dose.reps,
            rest_s=dose.rest_s,
            duration_s=1,  # set by _session
            addresses=old[0].addresses,
            why=why,
        )

    if not new.unilateral:
        return [made(None, min(i.sets for i in old))]
    if len(old) == 2:
        return [made(i.side, i.sets) for i in old]
    side: ItemSide = old[0].side if old[0].side in ("left", "right") else "both"
    return [made(side, old[0].sets)]


def _replace(
    items: Sequence[PlanItem], where: range, new: Sequence[PlanItem], week: int
) -> _Touched:
    others = [i for n, i in enumerate(items) if n not in where]
    for other in others:
        if other.exercise_id == new[0].exercise_id:
            raise InputError(
                f"week {week} already has {other.name}; swap that item instead "
                "(an exercise appears once per session)"
            )
    out = [*items[: where.start], *new, *items[where.stop :]]
    return _Touched(items=tuple(out), new_items=tuple(new))


def _swap_week(week: Week, index: int, edit: Swap, *, library: Library, age: int) -> _Touched:
    items = week.session.items
    new = _variant(library.exercises[items[index].exercise_id], edit.exercise_id, library)
    where = _group(items, index)
    return _replace(items, where, _swap_items(items[where.start : where.stop], new, age), week.week)


def _swap_later(edit: Swap, old_id: str, library: Library, age: int) -> _Later:
    new = library.exercises[edit.exercise_id]  # checked on the edited week first

    def later(week: Week) -> _Touched | None:
        items = week.session.items
        index = next((n for n, i in enumerate(items) if i.exercise_id == old_id), None)
        if index is None:
            return None
        where = _group(items, index)
        return _replace(
            items, where, _swap_items(items[where.start : where.stop], new, age), week.week
        )

    return later


def _checked_dose(item: PlanItem, edit: DoseChange, exercise: Exercise) -> Dose:
    holds = exercise.dosage.hold_s is not None
    if edit.reps is not None and holds:
        raise InputError(
            f"reps: {exercise.name} is dosed as a hold; give hold_s "
            f"({_range('hold_s')} s) instead of reps"
        )
    if edit.hold_s is not None and not holds:
        raise InputError(
            f"hold_s: {exercise.name} is dosed in repetitions; give reps "
            f"({_range('reps')}) instead of hold_s"
        )
    values = {"sets": edit.sets, "hold_s": edit.hold_s, "reps": edit.reps}
    if all(v is None for v in values.values()):
        raise InputError("give at least one of sets, hold_s or reps to change the dose")
    for name, value in values.items():
        low, high = DOSE_LIMITS[name]
        if value is not None and not low <= value <= high:
            raise InputError(f"{name} {value} is outside the allowed range {low} to {high}")
    return Dose(
        sets=edit.sets if edit.sets is not None else item.sets,
        hold_s=edit.hold_s if edit.hold_s is not None else item.hold_s,
        reps=edit.reps if edit.reps is not None else item.reps,
        rest_s=item.rest_s,
    )


def _range(name: str) -> str:
    low, high = DOSE_LIMITS[name]
    return f"{low} to {high}"


def _dosed(item: PlanItem, dose: Dose) -> PlanItem:
    return item.model_copy(update={"sets": dose.sets, "hold_s": dose.hold_s, "reps": dose.reps})


def _dose_week(week: Week, index: int, edit: DoseChange, *, library: Library) -> _Touched:
    items = week.session.items
    item = items[index]
    dose = _checked_dose(item, edit, library.exercises[item.exercise_id])
    new = _dosed(item, dose)
    return _Touched(items=(*items[:index], new, *items[index + 1 :]), new_items=(new,))


def _dose_later(edit: DoseChange, target: PlanItem, library: Library) -> _Later:
    exercise = library.exercises[target.exercise_id]

    def later(week: Week) -> _Touched | None:
        items = list(week.session.items)
        hits = [
            n
            for n, i in enumerate(items)
            if i.exercise_id == target.exercise_id and i.side == target.side
        ]
        if not hits:
            return None
        changed = []
        for n in hits:
            items[n] = _dosed(items[n], _checked_dose(items[n], edit, exercise))
            changed.append(items[n])
        return _Touched(items=tuple(items), new_items=tuple(changed))

    return later


def _check_safe(
    items: Iterable[PlanItem], library: Library, precautions: Sequence[Precaution]
) -> None:
    for item in items:
        reasons = violations(library.exercises[item.exercise_id], precautions, side=item.side)
        if reasons:
            where = f" on the {item.side} side" if item.side in ("left", "right") else ""
            raise InputError(
                f"{item.name}{where} would break this person's precautions: {'; '.join(reasons)}"
            )


def item_seconds(item: PlanItem, previous: PlanItem | None, exercise: Exercise) -> int:
    """Return an item's seconds in the planner's timing model (:mod:`hiplab.plan.dosage`)."""
    dose = Dose(sets=item.sets, hold_s=item.hold_s, reps=item.reps, rest_s=item.rest_s)
    one_side = side_seconds(exercise, dose)
    if item.side is None:
        return SETUP_S + one_side
    if item.side == "both":
        return SETUP_S + 2 * one_side + SWITCH_S
    if previous is not None and _pair(previous, item):
        return SWITCH_S + one_side
    return SETUP_S + one_side


def _session(items: Sequence[PlanItem], library: Library) -> Session:
    timed = []
    for n, item in enumerate(items):
        previous = items[n - 1] if n > 0 else None
        seconds = item_seconds(item, previous, library.exercises[item.exercise_id])
        timed.append(item.model_copy(update={"duration_s": seconds}))
    return Session(duration_s=sum(i.duration_s for i in timed), items=tuple(timed))
