"""Each persona's programme, assigned through the coach's service and read back from the store.

No item breaks a precaution (position, flag, per-side demand, combined position) in any
week; what the persona needs is there every week on each side it is needed; doses meet
the reference's minimums; sessions keep to their time. Referrals have no exercises and are
never assigned.
"""

from __future__ import annotations

from hiplab.assess.parse import validate
from hiplab.plan.generate import recommended
from tests.scenarios.checks import programme_problems
from tests.scenarios.conftest import LIBRARY, Run, request_of


def test_programme_is_what_a_careful_therapist_would_write(run: Run) -> None:
    problems = programme_problems(run.persona, run.programme, LIBRARY)
    assert not problems, f"{run.persona.id} ({run.persona.about}):\n" + "\n".join(problems)


def test_stored_plan_is_the_planned_one(run: Run) -> None:
    """What the store gives back is what the planner makes from the same input, in process."""
    assert run.programme == run.direct


def test_referral_is_never_assigned(run: Run) -> None:
    if run.persona.refers:
        assert run.plan_id is None
        assert run.assign_refusal is not None
        want = run.persona.expect.must_refer
        assert want is not None
        missing = [w for w in want.words if w.lower() not in run.assign_refusal.lower()]
        assert not missing, f"the refusal does not say {missing}: {run.assign_refusal}"
    else:
        assert run.assign_refusal is None, run.assign_refusal
        assert run.plan_id is not None


def test_report_lists_what_the_plan_starts_with(run: Run) -> None:
    """The report's recommended exercises are the default programme's first week (one selection)."""
    if run.persona.refers:
        assert run.result.recommendations == ()
        return
    shown = run.result.recommendations
    if run.persona.request:  # the report's list for the time and equipment this plan was made for
        data = validate(run.persona.input)
        shown = tuple(recommended(run.result, data.person, LIBRARY, request_of(run.persona)))
    first_week = {i.exercise_id for i in run.programme.weeks[0].session.items}
    listed = {r.exercise_id for r in shown}
    assert listed == first_week, f"report: {sorted(listed)}; plan week 1: {sorted(first_week)}"
