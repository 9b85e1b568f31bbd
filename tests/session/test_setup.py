"""Choosing the week, and loading a session from the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from hiplab.errors import InputError, NotFoundError
from hiplab.records.programme import SessionLog
from hiplab.session.service import prepare_session, record_session
from hiplab.session.setup import default_week, guided_session, pick_week
from hiplab.store import open_store

from .conftest import PERSON, SHORT_ITEMS, programme, seed


@pytest.mark.parametrize(
    ("logged", "week"), [(0, 1), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 3), (99, 3)]
)
def test_default_week_follows_logged_sessions_and_stops_at_the_last_week(
    logged: int, week: int
) -> None:
    assert default_week(logged=logged, sessions_per_week=2, last_week=3) == week


def test_pick_week_takes_the_given_week_or_the_one_reached() -> None:
    plan = programme(weeks=3)
    assert pick_week(plan, week=3, logged=0).week == 3
    assert pick_week(plan, week=None, logged=2).week == 2


@pytest.mark.parametrize("week", [0, 4, -1])
def test_pick_week_names_the_allowed_range(week: int) -> None:
    with pytest.raises(InputError, match=f"--week {week} is out of range; allowed: 1–3"):
        pick_week(programme(weeks=3), week=week, logged=0)


def test_pick_week_refuses_a_referral_with_its_reason() -> None:
    with pytest.raises(InputError, match=r"referral.*night pain"):
        pick_week(programme(refer=True), week=None, logged=0)


def test_guided_session_keeps_the_items_and_their_library_steps() -> None:
    plan = programme()
    steps = {"clamshell": ("Lie on your side.", "Open the knee.")}
    guided = guided_session(plan, person=PERSON, plan_id=7, week=plan.weeks[1], steps=steps)
    assert guided.items == SHORT_ITEMS
    assert guided.instructions == steps
    assert guided.title == f"{PERSON} · week 2 of 2"


def log_for(plan_id: int | None, week: int = 1) -> SessionLog:
    return SessionLog(
        person=PERSON,
        plan_id=plan_id,
        week=week,
        started_at="2025-01-01T10:00:00+00:00",
        finished_at="2025-01-01T10:05:00+00:00",
        items=(),
    )


def test_prepare_session_moves_on_a_week_after_sessions_per_week_logs(store_url: str) -> None:
    from hiplab.library import default_library

    plan_id = seed(store_url)
    with open_store(store_url) as store:
        prepare = {"store": store, "library": default_library(), "plan_id": None, "week": None}
        first = prepare_session(person=PERSON, **prepare)
        assert (first.week, first.plan_id, first.items) == (1, plan_id, SHORT_ITEMS)
        assert first.instructions["clamshell"] == default_library().exercise("clamshell").steps
        record_session(store=store, log=log_for(plan_id))
        assert prepare_session(person=PERSON, **prepare).week == 1
        record_session(store=store, log=log_for(plan_id))
        assert prepare_session(person=PERSON, **prepare).week == 2
        record_session(store=store, log=log_for(None))  # not against this plan: not counted
        assert prepare_session(person=PERSON, **prepare).week == 2
        by_id = {**prepare, "plan_id": plan_id}
        assert prepare_session(person=None, **by_id).person == PERSON


def test_prepare_session_needs_a_person_or_a_plan(store_url: str) -> None:
    from hiplab.library import default_library

    with (
        open_store(store_url) as store,
        pytest.raises(InputError, match="give a PERSON"),
    ):
        prepare_session(store=store, library=default_library(), person=None, plan_id=None, week=1)


def test_prepare_session_for_an_unknown_person_is_not_found(store_url: str) -> None:
    from hiplab.library import default_library

    with open_store(store_url) as store, pytest.raises(NotFoundError):
        prepare_session(
            store=store, library=default_library(), person="Nobody", plan_id=None, week=None
        )
