"""The FMS deep-squat criteria a side-view video can judge, and the best score they allow.

Conventions
-----------
The Functional Movement Screen deep squat (domain.md §2, ref24) scores 3 when
the torso stays parallel to the tibia or more upright, the femur goes below
horizontal, the knees stay over the feet and the dowel over the feet; 2 when
that needs the heels raised; 1 when not even then; 0 with pain. A side-view
video judges, per repetition:

* ``femur_below_horizontal``: thigh angle at the bottom > 0° (hip below knee);
* ``torso_parallel_to_tibia``: trunk lean from vertical at the bottom at most
  the tibia's forward tilt plus :data:`TORSO_TIBIA_TOLERANCE_DEG` (the tibia's
  tilt is the ankle dorsiflexion, the foot being flat; the tolerance covers the
  ~4° standard uncertainty of each angle — a hiplab heuristic);
* ``heels_down``: the squat's heel-rise result (``summary.heel_rise``,
  :data:`~hiplab.motion.tasks.squat.HEEL_RULE`), the same for every
  repetition, so a result never says both "heels rise" and "heels down": the
  heels count as down when some measured repetition kept them down (the FMS
  scores the best attempt), and as unknown when no heel rise was measurable.

It cannot judge the knees over the feet (a front view), the dowel (not
tracked) or pain (ask), so it never gives a score — only the *best score the
filmed criteria allow* (``best_possible_score``), from the repetition that
meets most criteria: 3 when every filmed criterion holds with heels down; 2
when depth and torso hold but the heels rose (the FMS would retest with the
heels raised), or when heels stayed down and a criterion failed (the retest
might pass); 1 when a criterion failed with the heels up. Pain scores 0
whatever the video shows.
"""

from __future__ import annotations

from collections.abc import Sequence

from hiplab.motion.tasks import common as c

TORSO_TIBIA_TOLERANCE_DEG = 10.0
NOT_FILMED = (
    "knees over the feet (needs a front view)",
    "dowel over the feet (no dowel is tracked)",
    "pain during the squat (ask: pain scores 0)",
)


class FmsRepCriteria(c.Model):
    """The filmed FMS criteria of one repetition (None: not measured)."""

    femur_below_horizontal: bool | None
    torso_parallel_to_tibia: bool | None
    heels_down: bool | None


class FmsDeepSquat(c.Model):
    """What a side view can say about the FMS deep squat (see the module conventions)."""

    best_rep: int
    criteria: FmsRepCriteria
    best_possible_score: int
    not_judged: tuple[str, ...] = NOT_FILMED
    rule: str = (
        "an upper bound, not an FMS score: 3 if every filmed criterion holds with heels down; "
        "2 if depth and torso hold only with heels rising, or a criterion fails with heels "
        "down; 1 if a criterion fails with heels rising (heels as in summary.heel_rise)"
    )


def rep_criteria(
    *,
    thigh_at_bottom: float | None,
    trunk_at_bottom: float | None,
    ankle_at_bottom: float | None,
    heel_rises: bool | None,
) -> FmsRepCriteria:
    """Judge one repetition's filmed criteria from its angles at the bottom."""
    torso = None
    if trunk_at_bottom is not None and ankle_at_bottom is not None:
        torso = trunk_at_bottom <= ankle_at_bottom + TORSO_TIBIA_TOLERANCE_DEG
    return FmsRepCriteria(
        femur_below_horizontal=None if thigh_at_bottom is None else thigh_at_bottom > 0.0,
        torso_parallel_to_tibia=torso,
        heels_down=None if heel_rises is None else not heel_rises,
    )


def best_possible_score(criteria: FmsRepCriteria) -> int:
    """Return the best FMS deep-squat score the filmed criteria allow."""
    shape_ok = criteria.femur_below_horizontal is not False and (
        criteria.torso_parallel_to_tibia is not False
    )
    if criteria.heels_down is False:
        return 2 if shape_ok else 1
    return 3 if shape_ok else 2


def _met(criteria: FmsRepCriteria) -> int:
    return sum(bool(v) for v in criteria.model_dump().values())


def fms_deep_squat(reps: Sequence[FmsRepCriteria]) -> FmsDeepSquat | None:
    """Return the FMS view of the repetition that meets most filmed criteria (None: no reps)."""
    if not reps:
        return None
    best = max(range(len(reps)), key=lambda i: (best_possible_score(reps[i]), _met(reps[i])))
    return FmsDeepSquat(
        best_rep=best + 1,
        criteria=reps[best],
        best_possible_score=best_possible_score(reps[best]),
    )
