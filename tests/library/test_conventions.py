"""The library's safety facts agree with its own words.

* The data conventions (:mod:`hiplab.library.conventions`) hold for every exercise and test.
* Text never names a condition the structured fields do not cover: an exercise whose steps,
  mistakes or names warn about a condition (a hip replacement, impingement, sciatica, knee
  pain…) must be ruled out for it by its demands, flags or declared conditions. The reverse
  holds by construction: the "not suitable for" lines a person reads are written from the
  fields (:func:`hiplab.assess.safety.not_suitable_for`).
"""

from __future__ import annotations

import re

import pytest

from hiplab.assess.safety import ActiveCondition, precautions_for, violations
from hiplab.library import default_library
from hiplab.library.conventions import convention_problems
from hiplab.library.models import Condition, Movement

LIB = default_library()

WARNINGS: dict[Condition, str] = {
    Condition.posterior_tha: r"posterior[- ]approach|hip replacement \(posterior",
    Condition.anterior_tha: r"anterior[- ]approach",
    Condition.lateral_tha: r"lateral[- ]approach",
    Condition.pregnancy_after_first_trimester: r"(after|later|late) (in )?pregnan|first trimester",
    Condition.hip_impingement: r"impingement|pinch(ing)? at the front of the hip",
    Condition.hypermobility: r"hypermobil",
    Condition.poor_balance: r"poor balance",
    Condition.knee_pain: r"knee pain|pain in the knee|kneecap (hurts|pain)",
    Condition.groin_pain: r"groin strain|(with|if you have|have) (a )?groin pain",
    Condition.low_back_pain: r"back pain",
    Condition.leg_nerve_pain: r"sciatica|tingling",
    Condition.hamstring_pain: r"hamstring strain",
    Condition.calf_pain: r"achilles|calf pain",
    Condition.outer_hip_pain: r"gluteal tendon|pain on the outside of the hip",
    Condition.wrist_pain: r"wrist pain",
    Condition.shoulder_pain: r"shoulder pain",
}


def texts(movement: Movement) -> str:
    parts: list[str] = [c.why for c in movement.unsafe_for]
    for field in ("name", "aliases", "steps", "mistakes", "instructions"):
        value = getattr(movement, field, ())
        parts += [value] if isinstance(value, str) else list(value)
    return " ".join(parts).lower()


def blocked(movement: Movement, condition: Condition) -> bool:
    rules = precautions_for([ActiveCondition(condition, "both", "probe")])
    return bool(violations(movement, rules))


MOVEMENTS = [*LIB.exercises.values(), *LIB.tests.values()]


def test_the_data_keeps_its_conventions() -> None:
    assert convention_problems(LIB) == []


@pytest.mark.parametrize("condition", list(WARNINGS), ids=lambda c: c.value)
def test_text_that_warns_about_a_condition_is_backed_by_the_fields(condition: Condition) -> None:
    pattern = re.compile(WARNINGS[condition])
    unbacked = [
        getattr(m, "id", "?")
        for m in MOVEMENTS
        if pattern.search(texts(m)) and not blocked(m, condition)
    ]
    assert unbacked == [], f"text warns about {condition.value} but the fields allow it"


def test_the_warning_patterns_cover_every_condition_that_text_can_name() -> None:
    # Pregnancy in general and a painful FABER are named only by safe variants (room for
    # the bump) or by the test itself, so they are not warnings.
    assert set(WARNINGS) | {Condition.pregnancy, Condition.painful_faber} == set(Condition)
