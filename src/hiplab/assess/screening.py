"""Red flags: the answers that mean "see a clinician first" (refer, don't treat).

Every flag says why (``reason``), whom to see (``who``) and how soon (``when``), in plain
words. Precautions (what may be done safely) live in :mod:`hiplab.assess.safety`.
docs/referral.md lists every rule below with its source.

Sources (ids as in the library's sources.yaml and the domain reference):

- ref49 (NICE/NBK52120 red flags, domain reference §5): refer for trauma, new pain under 20
  or over 50, cancer history, fever, weight loss, night or rest pain, steroids or IV drugs;
  saddle anaesthesia, a bladder or bowel change and progressive weakness are emergencies.
- ref01 (domain reference §5): painful or limited passive hip range (septic joint, Perthes,
  avascular necrosis) is a reason to refer.
- ref50 (Peck, Am Fam Physician; domain reference §5 and §8): SCFE at 8–15 years may show as
  hip, groin, thigh or only knee pain; a limp, lost internal rotation and obligatory external
  rotation in flexion mean urgent referral and no stretching, with or without pain.

How soon: the reference says *that* these need a clinician, and which are emergencies; the
time frames for the others follow common primary-care practice (same day for a suspected
infection, a slipped growth plate or a severe injury; within a few days otherwise) and are
hiplab's reading, stated as such in docs/referral.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from hiplab.records.assessment import RedFlag
from hiplab.records.intake import (
    REGION_WORDS,
    AssessmentInput,
    PainTiming,
    Region,
    Symptom,
)

SCFE_AGES = range(8, 16)
"""Slipped capital femoral epiphysis happens at 8–15 years (ref50, reference §5)."""

YOUNG_CHILD_AGES = range(5, 8)
"""Below the SCFE ages (hiplab starts at 5): Perthes disease and a septic hip (ref01)."""

CHILD_AGES = range(5, 16)

SCFE_IR_MIN_DEG = 20.0
"""Hip internal rotation below this, in a child, counts as *lost* rotation.

ref50 names lost internal rotation as the sign but gives no figure, so this is hiplab's
threshold: adult means are 30–38° (ref03: supine 29.6°, prone 35.2°, seated 37.9°) with an
adult "limited" cut-off of 30° in tests.yaml, children usually rotate further than adults,
and 20° is more than the 5–10° measurement noise below that cut-off (seated MDC 5.4°, ref12;
reference §1 heuristic). A mild slip may still rotate more than 20°, which is why the side
difference below counts too.
"""

SCFE_IR_SIDE_DIFF_DEG = 10.0
"""A side difference in hip internal rotation of at least this counts as lost rotation.

Most slips are one-sided when found (ref50: bilateral in 18–50%), so the other hip is the
child's own norm. 10° is about twice the seated MDC of 5.4° (ref12) and at the reference's
noise bound for two different raters (§1: changes under 10° between raters are noise).
"""

SEVERE_PAIN = 7
"""Pain of 7/10 or more is severe: the common cut-off of the 0–10 scale (1–4 mild, 5–6
moderate, 7–10 severe; Serlin et al. 1995, Pain 61:277–284, outside the domain reference)."""

CHILD_HIP_REGIONS = frozenset(
    {
        Region.front_of_hip,
        Region.groin,
        Region.outer_hip,
        Region.buttock,
        Region.thigh,
        Region.hamstring,
        Region.down_the_leg,
        Region.knee,
    }
)
"""Hip, groin, thigh or knee: where a slipped growth plate can hurt (ref50: knee pain only in
some children, because the hip's nerves also supply the thigh and knee)."""


@dataclass(frozen=True)
class Referral:
    """Whom to see and how soon, for one kind of red flag."""

    urgency: Literal["emergency", "urgent", "soon"]
    who: str
    when: str


EMERGENCY = Referral("emergency", "the emergency department (A&E or ER)", "now")
SAME_DAY = Referral(
    "urgent", "a doctor (your family doctor, an urgent care centre or A&E)", "the same day"
)
SCFE_SAME_DAY = Referral(
    "urgent",
    "a doctor who can arrange a hip X-ray of both hips (your family doctor, a children's "
    "doctor or a children's emergency department)",
    "the same day",
)
GP_SOON = Referral("soon", "your family doctor (GP)", "within a few days")
GP_OR_PHYSIO_SOON = Referral(
    "soon", "your family doctor (GP) or a physiotherapist", "within a few days"
)
CHILD_DOCTOR_SOON = Referral(
    "soon", "your family doctor (GP) or a children's doctor", "within a few days"
)


def _flag(flag_id: str, referral: Referral, reason: str) -> RedFlag:
    return RedFlag(
        id=flag_id, urgency=referral.urgency, reason=reason, who=referral.who, when=referral.when
    )


_SCREENING_FLAGS: tuple[tuple[str, Referral, str], ...] = (
    (
        "saddle_numbness",
        EMERGENCY,
        "Numbness around the groin, genitals or inner buttocks (the 'saddle' area) can mean "
        "that the nerves at the bottom of the spine are being squeezed (cauda equina "
        "syndrome), which needs treatment within hours.",
    ),
    (
        "bladder_bowel_change",
        EMERGENCY,
        "A new change in bladder or bowel control can mean that the nerves at the bottom of "
        "the spine are being squeezed (cauda equina syndrome), which needs treatment within "
        "hours.",
    ),
    (
        "progressive_weakness",
        EMERGENCY,
        "Leg weakness that keeps getting worse can mean that a nerve is being damaged.",
    ),
    (
        "unexplained_weight_loss",
        GP_SOON,
        "Losing weight without trying can be a sign of an illness elsewhere in the body that a "
        "doctor should look for before you exercise for the pain.",
    ),
    (
        "cancer_history",
        GP_SOON,
        "After cancer, new or unexplained pain in the back or hip should be checked by a doctor "
        "first, because it can rarely come from the cancer spreading to the bone.",
    ),
    (
        "long_term_steroids",
        GP_SOON,
        "Long-term steroid medicine can thin the bones and harm the blood supply of the hip "
        "joint (avascular necrosis), so hip or back pain should be checked for a bone or joint "
        "problem before stretching.",
    ),
    (
        "iv_drug_use",
        GP_SOON,
        "Injecting drugs raises the risk of an infection in a joint or in the spine, so hip or "
        "back pain should be checked by a doctor before you exercise.",
    ),
)


def _painful(data: AssessmentInput) -> list[Symptom]:
    return [s for s in data.symptoms if s.pain > 0]


def _words(items: list[str]) -> str:
    """``items`` as a phrase: "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _where(symptoms: Iterable[Symptom]) -> str:
    """Return the regions of ``symptoms`` in plain words, each once: "knee and groin"."""
    return _words(list(dict.fromkeys(REGION_WORDS[s.region] for s in symptoms)))


def _fever(data: AssessmentInput) -> RedFlag | None:
    if not data.screening.fever:
        return None
    age = data.person.age
    hip = [s for s in _painful(data) if s.region in CHILD_HIP_REGIONS]
    if age in CHILD_AGES and (data.screening.limp or hip):
        return _flag(
            "fever",
            EMERGENCY,
            f"At age {age}, a fever together with a limp or pain around the hip can mean an "
            "infected hip joint (septic arthritis), which can damage the joint within hours.",
        )
    return _flag(
        "fever",
        SAME_DAY,
        "A fever or feeling unwell together with hip or back pain can mean an infection, for "
        "example in a joint or in the spine.",
    )


def _rest_or_night(data: AssessmentInput) -> RedFlag | None:
    timed = [s for s in _painful(data) if {PainTiming.at_rest, PainTiming.at_night} & set(s.timing)]
    if data.screening.night_pain:
        return _flag(
            "night_pain",
            GP_SOON,
            "Pain at night or at rest that does not ease when you change position is not "
            "the usual pain of tight or tired muscles and should be checked by a doctor first.",
        )
    if timed:
        return _flag(
            "rest_or_night_pain",
            GP_SOON,
            f"The pain in the {_where(timed)} comes at rest or at night, not only with "
            "movement. That is not the usual pain of tight or tired muscles and should be "
            "checked by a doctor first.",
        )
    return None


def _injury(data: AssessmentInput) -> RedFlag | None:
    after = [s for s in _painful(data) if PainTiming.after_injury in s.timing]
    if not (data.screening.recent_trauma or after):
        return None
    severe = [s for s in (after or _painful(data)) if s.pain >= SEVERE_PAIN]
    referral = SAME_DAY if severe else GP_SOON
    flag_id = "recent_trauma" if data.screening.recent_trauma else "pain_after_injury"
    where = f"in the {_where(after)} " if after else ""
    worst = f" Pain of {max(s.pain for s in severe)}/10 makes it more urgent." if severe else ""
    return _flag(
        flag_id,
        referral,
        f"Pain {where}after a fall, accident or injury should be checked for a broken bone or "
        f"a torn muscle or tendon before any stretching.{worst}",
    )


def _severe(data: AssessmentInput, injury: RedFlag | None) -> RedFlag | None:
    severe = [s for s in _painful(data) if s.pain >= SEVERE_PAIN]
    if not severe or (injury is not None and injury.urgency == "urgent"):
        return None  # none, or the injury flag already says it and sends the person sooner
    parts = list(dict.fromkeys(f"{s.pain}/10 in the {REGION_WORDS[s.region]}" for s in severe))
    return _flag(
        "severe_pain",
        GP_OR_PHYSIO_SOON,
        f"Pain of {_words(parts)} is severe. Severe pain needs a diagnosis before an exercise "
        "programme, and stretching through it can make an injury worse.",
    )


def lost_internal_rotation(data: AssessmentInput) -> list[str]:
    """Return, in plain words, how the hip internal rotation counts as lost (empty if not).

    Lost means below :data:`SCFE_IR_MIN_DEG` on a side, or sides differing by at least
    :data:`SCFE_IR_SIDE_DIFF_DEG`.
    """
    ir = data.tests.hip_internal_rotation_deg
    if ir is None:
        return []
    out = [
        f"hip internal rotation of {value:g}° on the {side} (below {SCFE_IR_MIN_DEG:g}°)"
        for side, value in (("left", ir.left), ("right", ir.right))
        if value is not None and value < SCFE_IR_MIN_DEG
    ]
    if ir.left is not None and ir.right is not None:
        diff = abs(ir.left - ir.right)
        if diff >= SCFE_IR_SIDE_DIFF_DEG:
            out.append(
                f"a difference of {diff:g}° in hip internal rotation between the sides "
                f"({SCFE_IR_SIDE_DIFF_DEG:g}° or more)"
            )
    return out


def _signs(data: AssessmentInput, *, turn_out: bool) -> list[str]:
    """Return the child-hip warning signs present, in plain words."""
    signs = []
    if data.screening.limp:
        signs.append("a limp")
    hip = [s for s in _painful(data) if s.region in CHILD_HIP_REGIONS]
    if hip:
        signs.append(f"pain in the {_where(hip)}")
    signs.extend(lost_internal_rotation(data))
    if turn_out and data.screening.obligatory_external_rotation:
        signs.append("a hip that turns outward by itself when the knee is brought up")
    return signs


def _child_hip(data: AssessmentInput) -> RedFlag | None:
    age = data.person.age
    if age in SCFE_AGES:
        signs = _signs(data, turn_out=True)
        if not signs:
            return None
        return _flag(
            "possible_scfe",
            SCFE_SAME_DAY,
            f"At age {age}, {_words(signs)} can be a slipped growth plate at the top of the "
            "thigh bone (slipped capital femoral epiphysis, SCFE). It can show as knee pain "
            "only, or with no pain at all, and can get worse quickly: no stretching or sport "
            "until a doctor has ruled it out.",
        )
    if age in YOUNG_CHILD_AGES:
        signs = _signs(data, turn_out=False)
        if not signs:
            return None
        return _flag(
            "child_hip_problem",
            CHILD_DOCTOR_SOON,
            f"At age {age}, {_words(signs)} should be checked by a doctor for a hip problem of "
            "childhood (such as Perthes disease) before any stretching.",
        )
    return None


def _new_pain_age(data: AssessmentInput) -> RedFlag | None:
    age = data.person.age
    new = [s for s in _painful(data) if s.new]
    if not new or 20 <= age <= 50:
        return None
    return _flag(
        "new_pain_age",
        GP_SOON,
        f"New pain in the {_where(new)} at age {age} (under 20 or over 50) is more often than at "
        "other ages a sign of something other than tight muscles, so a doctor should check it "
        "first.",
    )


def _painful_squat(data: AssessmentInput) -> RedFlag | None:
    if data.tests.deep_squat_fms != 0:
        return None
    return _flag(
        "painful_squat",
        GP_OR_PHYSIO_SOON,
        "The deep squat hurt (FMS score 0): the pain should be assessed before you train "
        "through it.",
    )


JOINT_PAIN_REGIONS = frozenset({Region.front_of_hip, Region.groin, Region.buttock})
LIMITED_FLEXION_DEG = 90.0
"""Passive hip flexion below this (textbook norm 110–120°, ref01) counts as markedly limited."""


def _limited_passive_range(data: AssessmentInput) -> list[str]:
    out = lost_internal_rotation(data)
    flexion = data.tests.hip_flexion_deg
    if flexion is not None:
        out += [
            f"hip flexion of {value:g}° on the {side} (below {LIMITED_FLEXION_DEG:g}°)"
            for side, value in (("left", flexion.left), ("right", flexion.right))
            if value is not None and value < LIMITED_FLEXION_DEG
        ]
    return out


def _painful_limited_hip(data: AssessmentInput) -> RedFlag | None:
    """Hip-joint pain with markedly limited passive range (ref01), from age 16.

    The reference lists "painful or limited passive hip ROM" as a reason to refer; hiplab
    reads it as pain at the hip joint together with a marked limit (the same marks as for
    a child's lost rotation, or flexion below 90°): a limited range alone is what hiplab is
    for, and children are covered by the SCFE and Perthes rules.
    """
    if data.person.age <= max(SCFE_AGES):
        return None
    hip = [s for s in _painful(data) if s.region in JOINT_PAIN_REGIONS]
    limits = _limited_passive_range(data)
    if not hip or not limits:
        return None
    return _flag(
        "painful_limited_hip",
        GP_OR_PHYSIO_SOON,
        f"Pain in the {_where(hip)} together with {_words(limits)} can come from the hip "
        "joint itself (for example arthritis, or a problem with the blood supply to the top "
        "of the thigh bone) rather than from tight muscles: have the hip examined before "
        "stretching it.",
    )


def red_flags(data: AssessmentInput) -> list[RedFlag]:
    """Return every red flag raised by the screening answers, symptoms, tests and age."""
    flags = [
        _flag(name, referral, reason)
        for name, referral, reason in _SCREENING_FLAGS
        if getattr(data.screening, name)
    ]
    injury = _injury(data)
    derived = (
        _fever(data),
        _rest_or_night(data),
        injury,
        _severe(data, injury),
        _child_hip(data),
        _new_pain_age(data),
        _painful_squat(data),
        _painful_limited_hip(data),
    )
    flags.extend(flag for flag in derived if flag is not None)
    return flags
