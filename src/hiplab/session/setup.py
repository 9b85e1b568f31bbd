"""Which week of a programme to run, and everything the session screen needs for it.

Pure functions over typed values: the store is read by :mod:`hiplab.session.service`.

Conventions
-----------
* The default week is the one the person has reached with this plan:
  ``sessions already logged against the plan // sessions_per_week + 1``, capped at
  the last week. So with 3 sessions a week, logs 0–2 give week 1, logs 3–5 week 2.
* A referral programme (``programme.refer``) has no exercises and is never run.

Examples
--------
>>> default_week(logged=4, sessions_per_week=3, last_week=4)
2
>>> default_week(logged=40, sessions_per_week=3, last_week=4)
4

"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hiplab.errors import InputError
from hiplab.records.programme import PlanItem, Programme, Week


@dataclass(frozen=True)
class GuidedSession:
    """One week's session of a stored plan, ready to run.

    Attributes
    ----------
    person : str
        Whose plan it is (the log is stored under this name).
    plan_id : int or None
        The stored plan's id.
    week : int
        The week being run.
    last_week : int
        The programme's last week number.
    items : tuple of PlanItem
        The session's items, in order.
    instructions : Mapping of str to tuple of str
        The library's steps for each exercise id (missing ids have none).

    """

    person: str
    plan_id: int | None
    week: int
    last_week: int
    items: tuple[PlanItem, ...]
    instructions: Mapping[str, tuple[str, ...]]

    @property
    def title(self) -> str:
        """A heading such as ``"Alex · week 2 of 4"``."""
        return f"{self.person} · week {self.week} of {self.last_week}"


def default_week(*, logged: int, sessions_per_week: int, last_week: int) -> int:
    """Return the week reached after ``logged`` sessions, capped at ``last_week``."""
    return min(last_week, logged // sessions_per_week + 1)


def pick_week(programme: Programme, *, week: int | None, logged: int) -> Week:
    """Return the week to run: ``week`` if given, else the week reached so far.

    Raises
    ------
    InputError
        If the programme is a referral (with its reason), has no weeks, or ``week``
        is outside the programme's weeks (the allowed range is named).

    """
    if programme.refer:
        raise InputError(
            "this plan is a referral, not an exercise programme: "
            f"{programme.reason or 'see a clinician first'}"
        )
    weeks = {w.week: w for w in programme.weeks}
    if not weeks:
        raise InputError("this plan has no weeks to run")
    first, last = min(weeks), max(weeks)
    if week is None:
        week = max(
            first,
            default_week(
                logged=logged, sessions_per_week=programme.sessions_per_week, last_week=last
            ),
        )
    if week not in weeks:
        raise InputError(f"--week {week} is out of range; allowed: {first}–{last}")
    return weeks[week]


def guided_session(
    programme: Programme,
    *,
    person: str,
    plan_id: int | None,
    week: Week,
    steps: Mapping[str, tuple[str, ...]],
) -> GuidedSession:
    """Bundle one week's items with their exercise steps.

    Raises
    ------
    InputError
        If the week's session has no items.

    """
    items = week.session.items
    if not items:
        raise InputError(f"week {week.week} of this plan has no exercises to guide")
    return GuidedSession(
        person=person,
        plan_id=plan_id,
        week=week.week,
        last_week=max(w.week for w in programme.weeks),
        items=items,
        instructions={i.exercise_id: steps[i.exercise_id] for i in items if i.exercise_id in steps},
    )
