"""Each persona's assessment, as stored and read back on SQLite and PostgreSQL.

Referrals (who, how urgently, why), the findings the input must produce, findings that
must not be stretched where a precaution limits the motion, and the tests hiplab may ask
for: none that breaks the persona's precautions on a side it is suggested for.
"""

from __future__ import annotations

from tests.scenarios.checks import (
    finding_problems,
    movement_breaches,
    referral_problems,
    suggested_test_problems,
)
from tests.scenarios.conftest import LIBRARY, Run


def test_referral_is_what_a_clinician_expects(run: Run) -> None:
    problems = referral_problems(run.persona, run.result)
    assert not problems, f"{run.persona.id} ({run.persona.about}):\n" + "\n".join(problems)


def test_findings_and_what_is_not_stretched(run: Run) -> None:
    problems = finding_problems(run.persona, run.result)
    assert not problems, f"{run.persona.id}:\n" + "\n".join(problems)


def test_no_suggested_test_breaks_a_precaution(run: Run) -> None:
    problems = suggested_test_problems(run.persona, run.result, LIBRARY)
    assert not problems, f"{run.persona.id}:\n" + "\n".join(problems)


def test_recommended_exercises_keep_the_precautions(run: Run) -> None:
    """The report's recommended exercises, on the side(s) they are for, break no rule."""
    problems = []
    for rec in run.result.recommendations:
        exercise = LIBRARY.exercises[rec.exercise_id]
        side = rec.only_side or ("both" if exercise.unilateral else None)
        for rule, how in movement_breaches(exercise, side, run.persona.expect.must_not_contain):
            problems.append(f"{rec.name} (side {side}) breaks '{rule.text}': {how}")
    assert not problems, f"{run.persona.id}:\n" + "\n".join(problems)
