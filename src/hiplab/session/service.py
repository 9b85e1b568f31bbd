"""Session use-cases over the store: load the session to run, save what was done.

Keyword-only functions taking an open :class:`~hiplab.store.store.Store`; the caller
opens and closes it (the CLI keeps no connection open while the session runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiplab.errors import InputError
from hiplab.records.refs import PersonRef
from hiplab.session.setup import GuidedSession, guided_session, pick_week

if TYPE_CHECKING:
    from hiplab.library.loader import Library
    from hiplab.records.programme import SessionLog
    from hiplab.store.models import StoredPlan
    from hiplab.store.store import Store


def prepare_session(
    *,
    store: Store,
    library: Library,
    person: str | None,
    plan_id: int | None,
    week: int | None,
) -> GuidedSession:
    """Load a person's latest plan (or plan ``plan_id``) and pick the week to run.

    Parameters
    ----------
    store : Store
        An open store.
    library : Library
        Gives each exercise's steps.
    person : str or None
        Whose latest plan to run; with ``plan_id`` it must be that plan's owner.
    plan_id : int or None
        A stored plan id; None takes the person's latest plan.
    week : int or None
        The week to run; None picks the week reached with this plan (see
        :func:`hiplab.session.setup.default_week`).

    Returns
    -------
    GuidedSession
        The week's items, ready to run.

    Raises
    ------
    NotFoundError
        If the person or plan does not exist.
    InputError
        If neither a person nor a plan is given, the plan is someone else's, the
        plan is a referral, or the week is out of range.

    """
    stored = _find_plan(store=store, person=person, plan_id=plan_id)
    return session_of_plan(store=store, library=library, stored=stored, week=week)


def session_of_plan(
    *, store: Store, library: Library, stored: StoredPlan, week: int | None
) -> GuidedSession:
    """Pick the week to run of a stored plan (as :func:`prepare_session`, plan in hand).

    Raises
    ------
    InputError
        If the plan is a referral or the week is out of range.

    """
    logged = sum(
        1
        for entry in store.logs.of_person(person=PersonRef.by_id(stored.person_id))
        if entry.log.plan_id == stored.id
    )
    chosen = pick_week(stored.programme, week=week, logged=logged)
    steps = {key: exercise.steps for key, exercise in library.exercises.items()}
    return guided_session(
        stored.programme, person=stored.person_name, plan_id=stored.id, week=chosen, steps=steps
    )


def _find_plan(*, store: Store, person: str | None, plan_id: int | None) -> StoredPlan:
    if plan_id is not None:
        stored = store.plans.get(plan_id=plan_id)
        if person is not None and person.strip() != stored.person_name:
            raise InputError(
                f"plan {plan_id} belongs to {stored.person_name!r}, not {person.strip()!r}"
            )
        return stored
    if person is not None:
        return store.plans.latest(person=PersonRef.named(person))
    raise InputError("give a PERSON (their latest plan is used) or --plan ID")


def record_session(*, store: Store, log: SessionLog, person_id: int | None = None) -> int:
    """Save a session log and return its id (:meth:`~hiplab.store.logs.SessionLogRepository.save`).

    ``person_id`` names whose log it is (the web app); without it ``log.person`` does.
    """
    person = PersonRef.named(log.person) if person_id is None else PersonRef.by_id(person_id)
    return store.logs.save(log=log, person=person)
