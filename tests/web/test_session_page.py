"""The client's session in the browser: the page, its script data, and logging it.

Logged sessions must be what ``hiplab session`` stores: the same items, the same
planned seconds and the same done/skipped/partial rules as the CLI's timer engine.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from hiplab.plan.edit import DoseChange
from hiplab.records.programme import ItemLog
from hiplab.services import programmes
from hiplab.session.engine import Event
from hiplab.session.ui import plan_engine
from hiplab.session.voice import cue_text
from hiplab.store import PersonRef, Store
from tests.web.conftest import TestClient, World, csrf_of_page, login

SCRIPT_DATA = re.compile(
    r'<script type="application/json" id="session-data">(.*?)</script>', re.DOTALL
)
STARTED = re.compile(r'name="started_at" value="([^"]+)"')


@pytest.fixture
def alice_plan(store: Store, world: World) -> int:
    request = programmes.plan_request(
        minutes=15, sessions_per_week=3, weeks=4, equipment=None, avoid_positions=None
    )
    return programmes.assign(store=store, person_id=world.alice, request=request).id


@pytest.fixture
def alice(app: Any, client: TestClient, world: World) -> tuple[TestClient, str]:
    """Alice logged in (her own browser) and her CSRF token."""
    browser = TestClient(app)
    return browser, login(browser, "alice@client.test")


def week_items(store: Store, plan_id: int, week: int = 1) -> Any:
    return store.plans.get(plan_id=plan_id).programme.weeks[week - 1].session.items


def test_the_page_has_the_controls_and_loads_session_js(
    alice: tuple[TestClient, str], alice_plan: int, store: Store
) -> None:
    browser, _ = alice
    page = browser.get("/me/session")
    assert page.status_code == 200
    html = page.text
    assert '<script src="/static/session.js" defer></script>' in html
    for button in ("start", "pause", "skip", "end", "mute"):
        assert re.search(rf'<button type="button" id="session-{button}" data-testid=', html)
    assert 'id="session-pause" data-testid="session-pause" aria-pressed="false"' in html
    assert re.search(r'id="session-timer"[^>]*role="timer" aria-live="polite"', html)
    for field in ("session-discomfort", "session-effort"):
        assert f'<input id="{field}"' in html and f'<label for="{field}">' in html
    assert 'data-speed="1.0"' in html
    assert 'data-api="/api/v1/people/' in html and 'data-csrf="' in html
    # Without JavaScript: the checklist form with one box per item.
    items = week_items(store, alice_plan)
    assert html.count('name="done" value="') == len(items)
    assert 'action="/me/session"' in html
    # No inline script: the only one without src is the JSON data block.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)


def test_the_script_data_is_the_cli_engine_session(
    alice: tuple[TestClient, str], alice_plan: int, store: Store
) -> None:
    browser, _ = alice
    found = SCRIPT_DATA.search(browser.get("/me/session").text)
    assert found
    data = json.loads(found.group(1))
    items = week_items(store, alice_plan)
    engine = plan_engine(items)
    assert (data["plan_id"], data["week"]) == (alice_plan, 1)
    assert [s["seconds"] for s in data["steps"]] == [s.duration_s for s in engine.steps]
    assert [s["kind"] for s in data["steps"]] == [s.kind for s in engine.steps]
    assert [s["cue"] for s in data["steps"]] == [
        cue_text(Event("step_started", n, s), items) for n, s in enumerate(engine.steps)
    ]
    # The planner's timing model: the steps add up to the planned session time.
    assert sum(s["seconds"] for s in data["steps"]) == sum(i.duration_s for i in items)
    assert [i["planned_s"] for i in data["items"]] == [round(s) for s in engine.planned_s]
    assert all(i["how"] for i in data["items"])  # the library's steps for each exercise
    assert any(s["kind"] == "switch" for s in data["steps"])  # a side switch cue


def test_speed_and_week_queries(
    alice: tuple[TestClient, str], alice_plan: int, store: Store
) -> None:
    browser, _ = alice
    assert 'data-speed="20.0"' in browser.get("/me/session?speed=20").text
    bad = browser.get("/me/session?speed=fast")
    assert bad.status_code == 422
    assert "speed &#39;fast&#39; is not allowed; allowed: a number from 0.01 to 1000" in bad.text
    week2 = SCRIPT_DATA.search(browser.get("/me/session?week=2").text)
    assert week2 and json.loads(week2.group(1))["week"] == 2
    outside = browser.get("/me/session?week=9")
    assert "out of range; allowed: 1–4" in outside.text


def test_session_js_is_served_and_documents_its_hooks(client: TestClient) -> None:
    response = client.get("/static/session.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    text = response.text
    for hook in ("#session-timer", "#session-start", "#session-mute", "?speed=N", "data-state"):
        assert hook in text.split("*/", 1)[0]  # documented in the header comment
    for api in ("speechSynthesis", "localStorage", "X-CSRF-Token", "hiplab.voiceMuted"):
        assert api in text


def test_no_plan_yet(app: Any, client: TestClient, world: World) -> None:
    bob = TestClient(app)
    login(bob, "bob@client.test")
    page = bob.get("/me/session")
    assert page.status_code == 200
    assert "You have no programme yet" in page.text
    assert "session-player" not in page.text


def test_the_checklist_logs_like_the_cli(
    app: Any, alice: tuple[TestClient, str], alice_plan: int, store: Store, world: World
) -> None:
    browser, _ = alice
    page = browser.get("/me/session").text
    started = STARTED.search(page)
    assert started
    response = browser.post(
        "/me/session",
        data={
            "csrf_token": csrf_of_page(page),
            "plan_id": str(alice_plan),
            "week": "1",
            "started_at": started.group(1),
            "done": ["1", "3"],
            "discomfort": "2",
            "effort": "6",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/me/session?logged=")

    [stored] = store.logs.of_person(person=PersonRef.named("Alice"))
    items = week_items(store, alice_plan)
    planned = [round(s) for s in plan_engine(items).planned_s]
    assert stored.log.items == tuple(
        ItemLog(
            exercise_id=item.exercise_id,
            side=item.side,
            planned_s=planned[n],
            done_s=planned[n] if n in (0, 2) else 0,
            status="done" if n in (0, 2) else "skipped",
        )
        for n, item in enumerate(items)
    )
    assert (stored.log.plan_id, stored.log.week, stored.log.person) == (alice_plan, 1, "Alice")
    assert (stored.log.discomfort, stored.log.effort, stored.log.quit_early) == (2, 6, False)
    assert "Session saved." in browser.get(response.headers["location"]).text

    # Visible in the session log and the adherence, for the client and the coach.
    completion = f"mean completion {stored.log.completion:.0%}"
    mine = browser.get(f"/people/{world.alice}/plans").text
    assert completion in mine and 'data-testid="session-log"' in mine
    coach = TestClient(app)
    login(coach, "a@coach.test")
    assert completion in coach.get(f"/people/{world.alice}/plans").text
    assert completion in coach.get("/coach").text
    api = coach.get(f"/api/v1/people/{world.alice}/sessions").json()
    assert api["adherence"].endswith(completion)
    assert [(s["done"], s["skipped"], s["discomfort"]) for s in api["sessions"]] == [
        (2, len(items) - 2, 2)
    ]


def test_a_bad_checklist_is_shown_again_with_the_message(
    alice: tuple[TestClient, str], alice_plan: int, store: Store
) -> None:
    browser, _ = alice
    page = browser.get("/me/session").text
    started = STARTED.search(page)
    assert started
    form = {
        "csrf_token": csrf_of_page(page),
        "plan_id": str(alice_plan),
        "week": "1",
        "started_at": started.group(1),
    }
    response = browser.post("/me/session", data={**form, "discomfort": "11"})
    assert response.status_code == 422
    assert "discomfort &#39;11&#39; is not allowed; allowed: a whole number 0 to 10" in (
        response.text
    )
    assert 'data-testid="session-checklist"' in response.text
    other = browser.post("/me/session", data={**form, "done": ["99"]})
    assert other.status_code == 422
    assert "done 99 is not an item of week 1; allowed: 1 to" in other.text
    assert store.logs.of_person(person=PersonRef.named("Alice")) == []


def _engine_run(items: Any) -> tuple[Any, list[dict[str, Any]]]:
    """Run the CLI engine: first item in full, skip the second part-way, quit in the third."""
    engine = plan_engine(items)
    engine.tick(engine.steps[0].duration_s)  # get ready for item 1
    while engine.current_step is not None and engine.current_step.item_index == 0:
        engine.tick(1.0)
    engine.tick(engine.steps[engine.step_index].duration_s + 7.3)  # into item 2's work
    engine.skip()
    engine.tick(engine.current_step.duration_s + 4.6 if engine.current_step else 0)
    engine.quit()
    sent = [{"status": engine.status(n), "done_s": done} for n, done in enumerate(engine.done_s)]
    return engine, sent


def test_the_api_log_is_the_cli_engine_log(
    alice: tuple[TestClient, str], alice_plan: int, store: Store, world: World
) -> None:
    """What session.js posts (status, float seconds per item) stores the engine's log."""
    browser, csrf = alice
    items = week_items(store, alice_plan)
    engine, sent = _engine_run(items)
    body = {
        "plan_id": alice_plan,
        "week": 1,
        "started_at": "2030-01-06T18:00:00+01:00",
        "finished_at": "2030-01-06T18:09:00+01:00",
        "items": sent,
        "discomfort": None,
        "effort": 4,
        "quit_early": True,
    }
    response = browser.post(
        f"/api/v1/people/{world.alice}/sessions", json=body, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 201, response.text
    [stored] = store.logs.of_person(person=PersonRef.named("Alice"))
    assert stored.log.items == engine.log()
    assert {i.status for i in stored.log.items} >= {"done", "skipped"}
    assert response.json()["completion"] == pytest.approx(stored.log.completion)
    assert response.json()["id"] == stored.id
    assert (stored.log.effort, stored.log.discomfort, stored.log.quit_early) == (4, None, True)


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"week": 9}, 422, "week 9 is not in plan {plan}; allowed: 1 to 4"),
        ({"items": []}, 422, "items has 0 entries; week 1 of plan {plan} has {n} items"),
        ({"started_at": "yesterday"}, 422, "started_at 'yesterday' is not an ISO 8601 time"),
        (
            {"finished_at": "2030-01-06T17:00:00+01:00"},
            422,
            "finished_at '2030-01-06T17:00:00+01:00' is before started_at",
        ),
    ],
)
def test_bad_session_logs_are_refused(
    alice: tuple[TestClient, str],
    alice_plan: int,
    store: Store,
    world: World,
    change: dict[str, Any],
    status: int,
    message: str,
) -> None:
    browser, csrf = alice
    items = week_items(store, alice_plan)
    body = {
        "plan_id": alice_plan,
        "week": 1,
        "started_at": "2030-01-06T18:00:00+01:00",
        "finished_at": "2030-01-06T18:09:00+01:00",
        "items": [{"status": "done", "done_s": 1} for _ in items],
        **change,
    }
    response = browser.post(
        f"/api/v1/people/{world.alice}/sessions", json=body, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == status
    assert response.json()["detail"].startswith(message.format(plan=alice_plan, n=len(items)))
    assert store.logs.of_person(person=PersonRef.named("Alice")) == []


def test_scores_outside_0_to_10_and_unknown_statuses_are_422(
    alice: tuple[TestClient, str], alice_plan: int, world: World, store: Store
) -> None:
    browser, csrf = alice
    items = week_items(store, alice_plan)
    body = {
        "plan_id": alice_plan,
        "week": 1,
        "started_at": "2030-01-06T18:00:00+01:00",
        "finished_at": "2030-01-06T18:09:00+01:00",
        "items": [{"status": "done", "done_s": 1} for _ in items],
    }
    url = f"/api/v1/people/{world.alice}/sessions"
    for change in ({"effort": 11}, {"items": [{"status": "half", "done_s": 1}] * len(items)}):
        response = browser.post(url, json={**body, **change}, headers={"X-CSRF-Token": csrf})
        assert response.status_code == 422
        # One sentence naming the field and what is allowed (never the value sent).
        detail = response.json()["detail"]
        assert (
            "field 'effort' has a value that is not allowed; allowed: a number at most 10" in detail
            or (
                "field 'items[0].status' has a value that is not allowed; allowed: one of 'done'"
                in detail
            )
        )
        assert "half" not in detail
    assert browser.post(url, json=body).status_code == 403  # no CSRF header
    assert store.logs.of_person(person=PersonRef.named("Alice")) == []


def test_a_plan_of_someone_else_is_not_found(
    app: Any,
    alice: tuple[TestClient, str],
    alice_plan: int,
    store: Store,
    world: World,
) -> None:
    request = programmes.plan_request(
        minutes=15, sessions_per_week=3, weeks=4, equipment=None, avoid_positions=None
    )
    bobs = programmes.assign(store=store, person_id=world.bob, request=request)
    browser, csrf = alice
    items = bobs.programme.weeks[0].session.items
    response = browser.post(
        f"/api/v1/people/{world.alice}/sessions",
        json={
            "plan_id": bobs.id,
            "week": 1,
            "started_at": "2030-01-06T18:00:00+01:00",
            "finished_at": "2030-01-06T18:09:00+01:00",
            "items": [{"status": "done", "done_s": 1} for _ in items],
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 404
    assert response.json() == {"detail": f"no plan with id {bobs.id}"}
    assert "Bob" not in response.text
    assert store.logs.of_person(person=PersonRef.named("Alice")) == []
    assert store.logs.of_person(person=PersonRef.named("Bob")) == []


def test_an_edit_keeps_the_sessions_and_the_week_reached(
    alice: tuple[TestClient, str], alice_plan: int, store: Store, world: World
) -> None:
    browser, csrf = alice
    items = week_items(store, alice_plan)
    for day in range(6, 9):  # three sessions: week 2 is reached (3 sessions a week)
        response = browser.post(
            f"/api/v1/people/{world.alice}/sessions",
            json={
                "plan_id": alice_plan,
                "week": 1,
                "started_at": f"2030-01-0{day}T18:00:00Z",
                "finished_at": f"2030-01-0{day}T18:09:00Z",
                "items": [{"status": "done", "done_s": 0} for _ in items],
            },
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 201
    programmes.edit_plan(store=store, plan_id=alice_plan, edit=DoseChange(week=2, item=1, sets=2))
    found = SCRIPT_DATA.search(browser.get("/me/session").text)
    assert found and json.loads(found.group(1))["week"] == 2
    assert [s.log.plan_id for s in store.logs.of_person(person=PersonRef.named("Alice"))] == [
        alice_plan
    ] * 3
