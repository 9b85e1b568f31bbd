"""The one safety model: conditions → precautions → whether a movement may be done.

Every edge — report, planner, swap and dose edits, suggested tests — asks this
module, and it reads only structured data: the assessment's answers, and each
movement's (exercise's or test's) position, joint demands per side and flags
(see :class:`hiplab.library.models.Movement`).

1. :func:`active_conditions` reads the conditions a person has from the
   screening, the symptoms and the provocation tests (each with its side).
2. :data:`RULES` turns each condition into precautions (one function per
   condition; a test checks every :class:`~hiplab.library.models.Condition` has one).
3. :func:`violations` judges one movement, done on one side, against the
   precautions: a one-sided movement done on the left puts its ``joint_demands`` on
   the left hip and its ``other_side_demands`` on the right; done on both sides, or
   a two-sided movement, puts the larger of the two on each hip. Getting down to the
   floor and up counts as :data:`FLOOR_TRANSFER_FLEXION_DEG` of hip flexion on both
   sides (domain reference §8).

Sources: THA precautions by approach (ref51, ref52), pregnancy (ref53–ref56,
ACOG 804 ref55 on falls), impingement (ref57), hypermobility (ref58).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hiplab.library.models import Condition, FindingDef, Movement, Position, TestDef
from hiplab.records.assessment import (
    CombinedPositionAvoid,
    ConditionAvoid,
    FallRiskAvoid,
    Finding,
    JointLimit,
    PositionAvoid,
    PracticeAvoid,
    Precaution,
    WithheldTest,
)
from hiplab.records.intake import AssessmentInput, Region

Side = Literal["left", "right"]
HipSide = Literal["left", "right", "both"]
ItemSide = Literal["left", "right", "both"] | None
SIDES: tuple[Side, Side] = ("left", "right")

FIRST_TRIMESTER_WEEKS = 13
FLOOR_TRANSFER_FLEXION_DEG = 110.0
IMPINGEMENT_FLEXION_LIMIT_DEG = 100.0
NEUTRAL_DEG = 5.0
"""A demand below this many degrees counts as near neutral in a combined position."""

SYMPTOM_CONDITIONS: dict[Region, Condition] = {
    Region.knee: Condition.knee_pain,
    Region.groin: Condition.groin_pain,
    Region.lower_back: Condition.low_back_pain,
    Region.outer_hip: Condition.outer_hip_pain,
    Region.hamstring: Condition.hamstring_pain,
    Region.down_the_leg: Condition.leg_nerve_pain,
    Region.calf: Condition.calf_pain,
    Region.wrist: Condition.wrist_pain,
    Region.shoulder: Condition.shoulder_pain,
}


SIDED_CONDITIONS = frozenset(
    {
        Condition.posterior_tha,
        Condition.anterior_tha,
        Condition.lateral_tha,
        Condition.hip_impingement,
        Condition.painful_faber,
    }
)
"""Conditions of one hip (the operated one, the one that hurt in a test)."""


@dataclass(frozen=True)
class ActiveCondition:
    """A condition the person has, on which side, and what told hiplab."""

    condition: Condition
    side: HipSide
    because: str


# ------------------------------------------------------------------ conditions
def _tha_conditions(data: AssessmentInput) -> list[ActiveCondition]:
    thr = data.screening.hip_replacement
    if thr is None:
        return []
    because = (
        f"{thr.approach} hip replacement on the {thr.side}, {thr.months_ago} months ago; "
        "hiplab keeps the precautions until your surgeon lifts them"
    )
    return [ActiveCondition(Condition(f"{thr.approach}_tha"), thr.side, because)]


def _pregnancy_conditions(data: AssessmentInput) -> list[ActiveCondition]:
    s = data.screening
    if not s.pregnant:
        return []
    week = f"week {s.pregnancy_weeks}" if s.pregnancy_weeks is not None else "week not given"
    out = [ActiveCondition(Condition.pregnancy, "both", f"pregnancy ({week})")]
    # An unknown week gets the later-pregnancy rules too: the safer reading.
    if s.pregnancy_weeks is None or s.pregnancy_weeks > FIRST_TRIMESTER_WEEKS:
        out.append(
            ActiveCondition(
                Condition.pregnancy_after_first_trimester,
                "both",
                f"pregnancy, {week}: after the first trimester"
                if s.pregnancy_weeks is not None
                else "pregnancy, week not given: treated as after the first trimester",
            )
        )
    return out


def _provocation_sides(data: AssessmentInput, test: str) -> list[Side]:
    sided = getattr(data.tests, test)
    if sided is None:
        return []
    out: list[Side] = []
    for side in SIDES:
        entry = getattr(sided, side)
        # FADIR is positive only when it brings on the familiar groin pain (ref20).
        if entry is not None and entry.positive and (entry.painful or test == "fadir"):
            out.append(side)
    return out


def _joint_conditions(data: AssessmentInput) -> list[ActiveCondition]:
    s = data.screening
    out: list[ActiveCondition] = []
    if s.hip_impingement:
        out.append(
            ActiveCondition(
                Condition.hip_impingement, "both", "hip impingement (told by a clinician)"
            )
        )
    for side in _provocation_sides(data, "fadir"):
        out.append(
            ActiveCondition(Condition.hip_impingement, side, f"the FADIR test hurt on the {side}")
        )
    for side in _provocation_sides(data, "faber"):
        out.append(
            ActiveCondition(Condition.painful_faber, side, f"the FABER test hurt on the {side}")
        )
    if s.hypermobility:
        out.append(ActiveCondition(Condition.hypermobility, "both", "joint hypermobility"))
    if s.falls_or_poor_balance:
        out.append(ActiveCondition(Condition.poor_balance, "both", "falls or poor balance"))
    return out


def _symptom_conditions(data: AssessmentInput) -> list[ActiveCondition]:
    out: dict[Condition, ActiveCondition] = {}
    for symptom in data.symptoms:
        condition = SYMPTOM_CONDITIONS.get(symptom.region)
        if condition is None or symptom.pain <= 0 or condition in out:
            continue
        where = symptom.region.value.replace("_", " ")
        side: HipSide = symptom.side if symptom.side in SIDES else "both"
        out[condition] = ActiveCondition(
            condition, side, f"pain at the {where} ({symptom.pain}/10)"
        )
    return list(out.values())


def active_conditions(data: AssessmentInput) -> list[ActiveCondition]:
    """Return every condition the answers show, in a stable order."""
    return [
        *_tha_conditions(data),
        *_pregnancy_conditions(data),
        *_joint_conditions(data),
        *_symptom_conditions(data),
    ]


# ------------------------------------------------------------------ rules
def _limits(active: ActiveCondition, limits: Iterable[tuple[str, float, bool]]) -> list[Precaution]:
    return [
        JointLimit(
            joint="hip",
            side=active.side,
            motion=motion,
            max_deg=limit,
            active_only=active_only,
            condition=active.condition.value,
            reason=active.because,
        )
        for motion, limit, active_only in limits
    ]


_POSTERIOR = (("hip_flexion", 90.0, False), ("hip_adduction", 0.0, False))
_POSTERIOR_IR = (("hip_internal_rotation", 0.0, False),)


def _posterior(active: ActiveCondition) -> list[Precaution]:
    return _limits(active, (*_POSTERIOR, *_POSTERIOR_IR))


def _anterior(active: ActiveCondition) -> list[Precaution]:
    return _limits(active, (("hip_extension", 0.0, False), ("hip_external_rotation", 0.0, False)))


def _lateral(active: ActiveCondition) -> list[Precaution]:
    return _limits(active, (*_POSTERIOR, *_POSTERIOR_IR, ("hip_abduction", 0.0, True)))


def _pregnancy(active: ActiveCondition) -> list[Precaution]:
    why = f"{active.because}: ligaments are looser"
    return [
        PracticeAvoid(
            practice="end_range_forcing",
            condition=active.condition.value,
            reason=f"{why}, so no forcing or bouncing at the end of the range",
        ),
        FallRiskAvoid(
            condition=active.condition.value,
            reason=f"{active.because}: avoid a fall or a sudden load on the belly (ACOG)",
        ),
    ]


def _later_pregnancy(active: ActiveCondition) -> list[Precaution]:
    return [
        PositionAvoid(
            position=position.value,
            condition=active.condition.value,
            reason=f"{active.because}, avoid lying {words}",
        )
        for position, words in ((Position.supine, "on your back"), (Position.prone, "face down"))
    ]


def _impingement_rules(active: ActiveCondition) -> list[Precaution]:
    why = f"{active.because}: stay in the pain-free range"
    combined = [
        CombinedPositionAvoid(
            side=active.side,
            at_least=(("hip_flexion", 70.0), (other, NEUTRAL_DEG)),
            name=f"hip bent with the knee {words}",
            condition=active.condition.value,
            reason=f"{active.because}: no forced bending with the knee {words}",
        )
        for other, words in (
            ("hip_adduction", "across the body"),
            ("hip_internal_rotation", "turned in"),
        )
    ]
    limit = JointLimit(
        joint="hip",
        side=active.side,
        motion="hip_flexion",
        max_deg=IMPINGEMENT_FLEXION_LIMIT_DEG,
        condition=active.condition.value,
        reason=why,
    )
    return [*combined, limit]


def _faber_stretch(active: ActiveCondition) -> CombinedPositionAvoid:
    return CombinedPositionAvoid(
        side=active.side,
        at_least=(("hip_flexion", 30.0), ("hip_external_rotation", 20.0)),
        stretches_only=True,
        name="the figure-4 position (hip bent and turned out)",
        condition=active.condition.value,
        reason=f"{active.because}: no stretching into the position that brought on the pain",
    )


def _painful_faber(active: ActiveCondition) -> list[Precaution]:
    return [*_impingement_rules(active), _faber_stretch(active)]


def _forcing(active: ActiveCondition) -> list[Precaution]:
    return [
        PracticeAvoid(
            practice="end_range_forcing",
            condition=active.condition.value,
            reason=f"{active.because}: favour strength and control over end-range stretching",
        )
    ]


def _balance(active: ActiveCondition) -> list[Precaution]:
    return [
        FallRiskAvoid(
            condition=active.condition.value,
            reason=f"{active.because}: no movement with a real chance of falling",
        )
    ]


def _only_declared(active: ActiveCondition) -> list[Precaution]:
    return []


def _outer_hip(active: ActiveCondition) -> list[Precaution]:
    # Sore gluteal tendons are squeezed when the thigh crosses the midline (hiplab's rule
    # of thumb: no crossing the legs or hanging on one hip).
    return _limits(active, (("hip_adduction", 0.0, False),))


RULES: dict[Condition, Callable[[ActiveCondition], list[Precaution]]] = {
    Condition.posterior_tha: _posterior,
    Condition.anterior_tha: _anterior,
    Condition.lateral_tha: _lateral,
    Condition.pregnancy: _pregnancy,
    Condition.pregnancy_after_first_trimester: _later_pregnancy,
    Condition.hip_impingement: _impingement_rules,
    Condition.painful_faber: _painful_faber,
    Condition.hypermobility: _forcing,
    Condition.poor_balance: _balance,
    Condition.outer_hip_pain: _outer_hip,
    **{c: _only_declared for c in SYMPTOM_CONDITIONS.values() if c is not Condition.outer_hip_pain},
}
"""Condition → the precautions it brings (besides the exercises that declare it unsafe)."""


def precautions_for(conditions: Iterable[ActiveCondition]) -> list[Precaution]:
    """Return the precautions of ``conditions``, each followed by its declared-unsafe rule."""
    out: list[Precaution] = []
    for active in conditions:
        out += RULES[active.condition](active)
        out.append(ConditionAvoid(avoid_condition=active.condition.value, reason=active.because))
    return list(dict.fromkeys(out))


def precautions(data: AssessmentInput) -> list[Precaution]:
    """Return the hard constraints that apply to this person."""
    return list(
        dict.fromkeys([*precautions_for(active_conditions(data)), *faber_stretch_rules(data)])
    )


def faber_stretch_rules(data: AssessmentInput) -> list[Precaution]:
    """Return "no stretching into FABER" for every side where FABER was positive.

    A positive FABER, painful or not, never leads to stretching into the figure 4.
    """
    faber = data.tests.faber
    if faber is None:
        return []
    return [
        _faber_stretch(
            ActiveCondition(Condition.painful_faber, side, f"FABER positive on the {side}")
        )
        for side in SIDES
        if (entry := getattr(faber, side)) is not None and entry.positive
    ]


# ------------------------------------------------------------------ judging
def hip_demands(
    movement: Movement, *, worked: ItemSide, hip: Side, floor: bool = True
) -> dict[str, float]:
    """Return the degrees the ``hip`` side needs per motion when done on ``worked``.

    ``floor=False`` leaves out the hip flexion of getting down to the floor.
    """
    own = {m: d.deg for m, d in movement.joint_demands.items()}
    other = {m: d.deg for m, d in movement.other_side_demands.items()}
    if not movement.unilateral or worked in (None, "both"):
        out = {m: max(own.get(m, 0.0), other.get(m, 0.0)) for m in own.keys() | other.keys()}
    else:
        out = own if worked == hip else other
    if floor and movement.floor_transfer:
        out = {**out, "hip_flexion": max(out.get("hip_flexion", 0.0), FLOOR_TRANSFER_FLEXION_DEG)}
    return out


def _hips(side: HipSide) -> tuple[Side, ...]:
    return SIDES if side == "both" else (side,)


def _words(motion: str) -> str:
    return motion.replace("_", " ")


def _joint_limit(movement: Movement, rule: JointLimit, worked: ItemSide) -> str | None:
    if rule.active_only:
        if not movement.active_abduction:
            return None
        if movement.unilateral and worked in SIDES and rule.side not in ("both", worked):
            return None
        return f"it works the side glutes ({_words(rule.motion)})"
    for hip in _hips(rule.side):
        needed = hip_demands(movement, worked=worked, hip=hip).get(rule.motion, 0.0)
        if needed > rule.max_deg:
            floor_only = _floor_only(movement, rule, hip, worked)
            floor = " (getting down to the floor)" if floor_only else ""
            return (
                f"it needs {_words(rule.motion)} of {needed:g}° on the {hip} side{floor}, "
                f"more than {rule.max_deg:g}°"
            )
    return None


def _floor_only(movement: Movement, rule: JointLimit, hip: Side, worked: ItemSide) -> bool:
    if not movement.floor_transfer or rule.motion != "hip_flexion":
        return False
    bare = hip_demands(movement, worked=worked, hip=hip, floor=False)
    return bare.get("hip_flexion", 0.0) <= rule.max_deg


def _combined(movement: Movement, rule: CombinedPositionAvoid, worked: ItemSide) -> str | None:
    if rule.stretches_only and not movement.is_stretch:
        return None
    for hip in _hips(rule.side):
        needed = hip_demands(movement, worked=worked, hip=hip)
        if all(needed.get(m, 0.0) >= deg for m, deg in rule.at_least):
            verb = "stretches into" if rule.stretches_only else "takes the hip into"
            return f"it {verb} {rule.name} on the {hip} side"
    return None


def _declared(movement: Movement, rule: ConditionAvoid, side: ItemSide) -> str | None:
    for caution in movement.unsafe_for:
        if caution.condition.value == rule.avoid_condition:
            return caution.why
    return None


POSITION_WORDS: dict[str, str] = {
    Position.supine.value: "lying on your back",
    Position.prone.value: "lying face down",
    Position.side_lying.value: "lying on your side",
}


def _position(movement: Movement, rule: PositionAvoid, side: ItemSide) -> str | None:
    if movement.position.value != rule.position:
        return None
    return f"it is done {POSITION_WORDS.get(rule.position, rule.position)}"


def _fall(movement: Movement, rule: FallRiskAvoid, side: ItemSide) -> str | None:
    return "it carries a risk of falling" if movement.fall_risk else None


def _practice(movement: Movement, rule: PracticeAvoid, side: ItemSide) -> str | None:
    return "it is taken to the end of the range" if movement.end_range else None


_JUDGES: dict[type, Callable[[Movement, Any, ItemSide], str | None]] = {
    JointLimit: _joint_limit,
    CombinedPositionAvoid: _combined,
    ConditionAvoid: _declared,
    PositionAvoid: _position,
    FallRiskAvoid: _fall,
    PracticeAvoid: _practice,
}
"""Precaution type → the judge of one movement on one side (one per type, tested).

A judge returns the cause in the movement's own terms ("it is done lying face down");
:func:`violation` adds the person's reason.
"""


def _cause(movement: Movement, rule: Precaution, side: ItemSide) -> str | None:
    return _JUDGES[type(rule)](movement, rule, side)


def violation(movement: Movement, rule: Precaution, *, side: ItemSide = None) -> str | None:
    """Return why ``movement`` done on ``side`` breaks ``rule``, or None when it does not."""
    cause = _cause(movement, rule, side)
    if cause is None:
        return None
    # A declared caution is already a sentence of why; the person's reason goes after it.
    return (
        f"{cause} ({rule.reason})"
        if isinstance(rule, ConditionAvoid)
        else f"{cause}: {rule.reason}"
    )


def violations(
    movement: Movement, constraints: Iterable[Precaution], *, side: ItemSide = None
) -> list[str]:
    """Return why ``movement`` done on ``side`` breaks any of ``constraints`` (empty: allowed).

    ``side`` is the side a one-sided movement is done on (``"both"`` or None: each side).
    """
    found = (violation(movement, rule, side=side) for rule in constraints)
    return list(dict.fromkeys(v for v in found if v is not None))


def allowed(
    movement: Movement, constraints: Sequence[Precaution], *, side: ItemSide = None
) -> bool:
    """Return True when ``movement`` done on ``side`` respects every precaution."""
    return not violations(movement, constraints, side=side)


def allowed_sides(movement: Movement, constraints: Sequence[Precaution]) -> tuple[Side, ...]:
    """Return the sides a one-sided movement may be done on (both sides: ``("left", "right")``)."""
    if not movement.unilateral:
        return SIDES if allowed(movement, constraints) else ()
    return tuple(s for s in SIDES if allowed(movement, constraints, side=s))


# ------------------------------------------------------------------ findings and tests
def _limits_motion(rule: Precaution, motion: str, side: str | None) -> bool:
    return (
        isinstance(rule, JointLimit)
        and not rule.active_only
        and rule.motion == motion
        and (side is None or rule.side in ("both", side))
    )


def stretch_withheld(
    finding: Finding, spec: FindingDef, test: TestDef | None, constraints: Sequence[Precaution]
) -> str:
    """Return why ``finding`` must not be stretched on its side ("" when it may be).

    A precaution that forbids the motion the finding's stretches move into (a limit at
    neutral), or stops it short of the test's norm, means the limited range is left
    alone there: after a posterior hip replacement, limited internal rotation on the
    operated side is protection, not something to fix.
    """
    motion = spec.stretches_into
    if motion is None:
        return ""
    norm = max((n.limit for n in test.norms), default=0.0) if test else 0.0
    in_degrees = test is not None and test.motion == motion and test.unit == "deg"
    for rule in constraints:
        if not _limits_motion(rule, motion, finding.side):
            continue
        assert isinstance(rule, JointLimit)
        if rule.max_deg <= NEUTRAL_DEG or (in_degrees and norm > rule.max_deg):
            return (
                f"not treated on this side: {_words(motion)} is limited to {rule.max_deg:g}° "
                f"on the {rule.side if rule.side != 'both' else finding.side or 'each'} side "
                f"({rule.reason})"
            )
    return ""


def withheld_test(test: TestDef, constraints: Sequence[Precaution]) -> WithheldTest | None:
    """Return the sides ``test`` must not be done on and why, or None when it is safe."""
    sides: tuple[Side, ...] = SIDES if test.unilateral else ("left",)
    refused = {s: violations(test, constraints, side=s if test.unilateral else None) for s in sides}
    bad = [s for s in sides if refused[s]]
    if not bad:
        return None
    return WithheldTest(
        test=test.id,
        sides=tuple(bad) if test.unilateral else (),
        reason=refused[bad[0]][0],
    )


# ------------------------------------------------------------------ plain words
PRACTICE_WORDS: dict[str, str] = {
    "end_range_forcing": "Do not force any stretch at the end of your range",
    "bouncing": "Do not bounce in stretches",
}


def _side_words(side: HipSide) -> str:
    return "both sides" if side == "both" else f"{side} side"


def _describe_limit(rule: JointLimit, motion_name: str | None = None) -> str:
    name = motion_name or _words(rule.motion).capitalize()
    where = _side_words(rule.side)
    if rule.active_only:
        return f"{name} ({where}): no exercise that works the side glutes"
    if rule.max_deg > 0:
        return f"{name} ({where}): no more than {rule.max_deg:g}°"
    limit = "across the midline" if rule.motion == "hip_adduction" else "past neutral"
    return f"{name} ({where}): not {limit}"


def _describe_combined(rule: CombinedPositionAvoid) -> str:
    verb = "No stretching into" if rule.stretches_only else "Avoid"
    return f"{verb} {rule.name} ({_side_words(rule.side)})"


_DESCRIBE: dict[type, Callable[[Any], str]] = {
    JointLimit: _describe_limit,
    CombinedPositionAvoid: _describe_combined,
    PositionAvoid: lambda r: f"Avoid exercises done {POSITION_WORDS.get(r.position, r.position)}",
    FallRiskAvoid: lambda r: "Avoid exercises with a risk of falling or a sudden load",
    ConditionAvoid: lambda r: "Leave out the exercises marked unsafe with this",
    PracticeAvoid: lambda r: PRACTICE_WORDS[r.practice],
}


def describe(rule: Precaution, *, motion_name: str | None = None) -> str:
    """Say what a precaution asks, in plain words (its reason is kept apart).

    A joint limit names its motion ``motion_name`` when given (the library's name).

    Examples
    --------
    >>> describe(PracticeAvoid(practice="bouncing", reason="irritable hip"))
    'Do not bounce in stretches'

    """
    if isinstance(rule, JointLimit):
        return _describe_limit(rule, motion_name)
    return _DESCRIBE[type(rule)](rule)


def shown(rules: Sequence[Precaution]) -> list[Precaution]:
    """Return the precautions worth listing to a person: a condition's own rules.

    The "exercises marked unsafe with this" rule is listed only for a condition that
    brings no other rule (a symptom), so each condition reads once.
    """
    reasons = {r.reason for r in rules if not isinstance(r, ConditionAvoid)}
    return [r for r in rules if not (isinstance(r, ConditionAvoid) and r.reason in reasons)]


def _without_side(cause: str) -> str:
    return cause.replace(" on the left side", "").replace(" on the right side", "")


def not_suitable_for(movement: Movement, labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return (condition label, why) for every condition that rules ``movement`` out.

    Written from the structured facts alone: each condition's precautions (taken on
    both sides) judge the movement, so the text a person reads can never disagree
    with what the planner enforces. ``labels`` maps condition ids to plain labels.
    """
    out = []
    for condition in Condition:
        label = labels.get(condition.value, _words(condition.value))
        rules = precautions_for([ActiveCondition(condition, "both", label)])
        causes = (_cause(movement, rule, None) for rule in rules)
        found = next((c for c in causes if c is not None), None)
        if found is not None:
            out.append((label, _without_side(found)))
    return out
