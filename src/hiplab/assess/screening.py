"""Safety rules in one place: red flags (refer, don't treat) and precautions.

Every edge — CLI, web, planner — gets these rules from here. Precautions are
hard constraints: :func:`exercise_allowed` says whether an exercise respects
all of them, judged on its ``joint_demands`` (the more demanding side, so a
limit on one side excludes the exercise for both), its ``position``, whether
it abducts the hip actively and whether it is taken to end range.

Sources: red flags NICE/NBK52120 (ref49), SCFE (ref50), THA precautions by
approach (ref51, ref52), pregnancy (ref53–ref56).
"""

from __future__ import annotations

from collections.abc import Iterable

from hiplab.assess.result import JointLimit, PositionAvoid, PracticeAvoid, Precaution, RedFlag
from hiplab.assess.schema import AssessmentInput, HipReplacement
from hiplab.library.models import Exercise, Position

FIRST_TRIMESTER_WEEKS = 13
SCFE_AGES = range(8, 16)

_SCREENING_FLAGS: tuple[tuple[str, str, str], ...] = (
    (
        "saddle_numbness",
        "emergency",
        "Numbness around the saddle area can mean nerve compression "
        "(cauda equina): seek emergency care now.",
    ),
    (
        "bladder_bowel_change",
        "emergency",
        "A new change in bladder or bowel control with back or hip "
        "pain needs emergency assessment.",
    ),
    (
        "progressive_weakness",
        "emergency",
        "Leg weakness that is getting worse needs urgent medical assessment.",
    ),
    (
        "fever",
        "urgent",
        "Fever with hip or back pain can mean infection (for example a septic joint): "
        "see a doctor before exercising.",
    ),
    (
        "unexplained_weight_loss",
        "urgent",
        "Unexplained weight loss with pain should be checked by a doctor.",
    ),
    (
        "night_pain",
        "soon",
        "Pain at night or at rest that does not ease with position should be "
        "checked by a clinician.",
    ),
    (
        "recent_trauma",
        "soon",
        "Pain after a recent fall or injury should be checked for a fracture or "
        "tear before stretching.",
    ),
    (
        "cancer_history",
        "soon",
        "New pain with a history of cancer should be checked by your doctor.",
    ),
)


def red_flags(data: AssessmentInput) -> list[RedFlag]:
    """Return every red flag raised by the screening answers, symptoms and age."""
    flags = [
        RedFlag(id=name, urgency=urgency, reason=reason)
        for name, urgency, reason in _SCREENING_FLAGS
        if getattr(data.screening, name)
    ]
    age = data.person.age
    painful = [s for s in data.symptoms if s.pain > 0]
    if age in SCFE_AGES and (data.screening.limp or any(s.region == "knee" for s in painful)):
        flags.append(
            RedFlag(
                id="possible_scfe",
                urgency="urgent",
                reason=f"At age {age}, a limp or knee/hip pain can be a slipped capital femoral "
                "epiphysis: see a doctor urgently and do not stretch until it is ruled out.",
            )
        )
    if any(s.new for s in painful) and (age < 20 or age > 50):
        flags.append(
            RedFlag(
                id="new_pain_age",
                urgency="soon",
                reason=f"New pain at age {age} (under 20 or over 50) should be checked by a "
                "clinician before starting an exercise programme.",
            )
        )
    if data.tests.deep_squat_fms == 0:
        flags.append(
            RedFlag(
                id="painful_squat",
                urgency="soon",
                reason="The deep squat was painful (FMS score 0): have the pain assessed first.",
            )
        )
    return flags


def _replacement_limits(thr: HipReplacement) -> list[JointLimit]:
    why = f"{thr.approach} hip replacement ({thr.side}); your surgeon's rules come first"
    posterior = [
        ("hip_flexion", 90.0, False),
        ("hip_adduction", 0.0, False),
        ("hip_internal_rotation", 0.0, False),
    ]
    by_approach = {
        "posterior": posterior,
        "anterior": [("hip_extension", 0.0, False), ("hip_external_rotation", 0.0, False)],
        "lateral": [*posterior, ("hip_abduction", 0.0, True)],
    }
    return [
        JointLimit(
            joint="hip",
            side=thr.side,
            motion=motion,
            max_deg=limit,
            active_only=active,
            condition=f"{thr.approach}_tha",
            reason=why,
        )
        for motion, limit, active in by_approach[thr.approach]
    ]


def precautions(data: AssessmentInput) -> list[Precaution]:
    """Return the hard constraints that apply to this person."""
    out: list[Precaution] = []
    s = data.screening
    if s.hip_replacement is not None:
        out += _replacement_limits(s.hip_replacement)
    if s.pregnant and (s.pregnancy_weeks or 0) > FIRST_TRIMESTER_WEEKS:
        why = f"pregnancy, week {s.pregnancy_weeks}: after the first trimester"
        out.append(
            PositionAvoid(position=Position.supine.value, reason=f"{why}, avoid lying on your back")
        )
        out.append(
            PracticeAvoid(
                practice="end_range_forcing",
                reason=f"{why}, ligaments are looser: no forcing or bouncing at end range",
            )
        )
    elif s.pregnant:
        out.append(
            PracticeAvoid(
                practice="end_range_forcing",
                reason="pregnancy: ligaments are looser, no forcing or bouncing at end range",
            )
        )
    if s.hypermobility:
        out.append(
            PracticeAvoid(
                practice="end_range_forcing",
                reason="joint hypermobility: favour strength and control over end-range stretching",
            )
        )
    return out


def violations(exercise: Exercise, constraints: Iterable[Precaution]) -> list[str]:
    """Return why ``exercise`` breaks any of ``constraints`` (empty when allowed)."""
    out: list[str] = []
    for rule in constraints:
        if isinstance(rule, JointLimit) and rule.condition in exercise.excluded_for:
            out.append(f"listed as unsuitable after a {rule.reason}")
        elif isinstance(rule, JointLimit) and rule.active_only:
            if exercise.active_abduction:
                out.append(f"active {rule.motion} ({rule.reason})")
        elif isinstance(rule, JointLimit):
            needed = exercise.joint_demands.get(rule.motion, 0.0)
            if needed > rule.max_deg:
                out.append(f"needs {rule.motion} {needed:g}° > {rule.max_deg:g}° ({rule.reason})")
        elif isinstance(rule, PositionAvoid):
            if exercise.position.value == rule.position:
                out.append(f"position {rule.position} ({rule.reason})")
        elif exercise.end_range:
            out.append(f"end-range stretch ({rule.reason})")
    return list(dict.fromkeys(out))


def exercise_allowed(exercise: Exercise, constraints: Iterable[Precaution]) -> bool:
    """Return True when ``exercise`` respects every precaution."""
    return not violations(exercise, constraints)
