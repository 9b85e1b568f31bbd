"""Red flags: the answers that mean "see a clinician first" (refer, don't treat).

Precautions (what may be done safely) live in :mod:`hiplab.assess.safety`.

Sources: red flags NICE/NBK52120 (ref49), SCFE (ref50).
"""

from __future__ import annotations

from hiplab.assess.result import RedFlag
from hiplab.assess.schema import AssessmentInput

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
