"""Conventions of the exercise and test data, checked on every library load.

These are the rules that keep the safety facts of a movement (see
:class:`hiplab.library.models.Movement`) honest against its own steps:

* every joint demand names its basis (no placeholders);
* a two-sided movement has no ``other_side_demands``;
* kneeling, half-kneeling, all-fours and lunge positions start on the floor
  (``floor_transfer``); a lying or seated movement starts on the floor unless its
  steps name a bed, chair, bench, table or sofa to do it on;
* in side-lying the top leg rests across the midline (hip adduction of at least
  :data:`SIDE_LYING_ADDUCTION_DEG`) unless the steps say "pillow between the knees";
* strengthening a muscle group whose prime action is hip abduction is active
  abduction, open or closed chain (a lateral step-down counts as a side-lying lift does);
* a stretch of the hamstrings also tensions the sciatic nerve, so it is declared unsafe
  with pain or tingling down the leg.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from hiplab.library.models import Condition, ExerciseKind, Movement, Position

if TYPE_CHECKING:
    from hiplab.library.loader import Library

SIDE_LYING_ADDUCTION_DEG = 10.0
FLOOR_POSITIONS = frozenset(
    {Position.kneeling, Position.half_kneeling, Position.quadruped, Position.lunge}
)
RAISED_SURFACE = re.compile(r"\b(bed|chair|bench|table|sofa)\b", re.IGNORECASE)
PILLOW = "pillow between the knees"
PLACEHOLDER = re.compile(r"\bTODO\b")
STRENGTH_KINDS = frozenset({ExerciseKind.activation, ExerciseKind.strength})


def _demand_problems(where: str, movement: Movement) -> list[str]:
    out = []
    for group, demands in (
        ("joint_demands", movement.joint_demands),
        ("other_side_demands", movement.other_side_demands),
    ):
        for motion, demand in demands.items():
            if PLACEHOLDER.search(demand.basis):
                out.append(f"{where}: {group}.{motion} has no basis yet ({demand.basis!r})")
    if not movement.unilateral and movement.other_side_demands:
        out.append(f"{where}: a two-sided movement lists other_side_demands")
    return out


def _floor_problems(where: str, movement: Movement, text: str) -> list[str]:
    if movement.position in FLOOR_POSITIONS and not movement.floor_transfer:
        return [f"{where}: position {movement.position.value} starts on the floor"]
    lying = movement.position not in FLOOR_POSITIONS | {Position.standing}
    if lying and not movement.floor_transfer and not RAISED_SURFACE.search(text):
        return [f"{where}: no floor transfer, but the steps name no bed, chair or bench"]
    return []


def _side_lying_problems(where: str, movement: Movement, text: str) -> list[str]:
    if movement.position is not Position.side_lying or PILLOW in text.lower():
        return []
    adduction = movement.joint_demands.get("hip_adduction")
    if adduction is None or adduction.deg < SIDE_LYING_ADDUCTION_DEG:
        return [
            f"{where}: side-lying without a pillow between the knees needs hip_adduction "
            f"≥ {SIDE_LYING_ADDUCTION_DEG:g}° (the top leg rests across the midline)"
        ]
    return []


def _abductors(lib: Library) -> frozenset[str]:
    return frozenset(
        m.id
        for m in lib.muscles.values()
        if any(a.motion == "hip_abduction" and a.role == "prime" for a in m.actions)
    )


def _abduction_problems(lib: Library) -> list[str]:
    abductors = _abductors(lib)
    return [
        f"exercise {e.id}: strengthens the side glutes, so active_abduction must be true"
        for e in lib.exercises.values()
        if e.kind in STRENGTH_KINDS
        and abductors & set(e.targets.primary)
        and not e.active_abduction
    ]


def _nerve_problems(lib: Library) -> list[str]:
    return [
        f"exercise {e.id}: stretches the hamstrings, so it is unsafe_for leg_nerve_pain"
        for e in lib.exercises.values()
        if e.is_stretch
        and "hamstrings" in e.targets.primary
        and Condition.leg_nerve_pain not in {c.condition for c in e.unsafe_for}
    ]


def _movements(lib: Library) -> Iterable[tuple[str, Movement, str]]:
    for e in lib.exercises.values():
        yield f"exercise {e.id}", e, " ".join(e.steps)
    for t in lib.tests.values():
        yield f"test {t.id}", t, " ".join(t.instructions)


def convention_problems(lib: Library) -> list[str]:
    """Return every breach of the module's conventions (empty when the data keeps them)."""
    out: list[str] = []
    for where, movement, text in _movements(lib):
        out += _demand_problems(where, movement)
        out += _floor_problems(where, movement, text)
        out += _side_lying_problems(where, movement, text)
    return out + _abduction_problems(lib) + _nerve_problems(lib)
