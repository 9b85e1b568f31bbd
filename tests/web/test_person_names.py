"""Client names are per coach (issue 11 §5): coach B may have an "Alice" as coach A has.

Creating one reveals nothing about the other coach's client; each Alice's pages,
records and exports are her own. A login e-mail stays unique in the whole store, and
its refusal does not say that someone has it.
"""

from __future__ import annotations

import csv
import io
import re

from fastapi import FastAPI

from hiplab.store import PersonRef, Store
from tests.web.conftest import (
    PASSWORD,
    SAMPLE_INPUT,
    TestClient,
    World,
    csrf_of_page,
    login,
    new_client,
)

NEUTRAL_EMAIL = (
    "the e-mail 'alice@client.test' cannot be used for a new login; ask the client whether "
    "they already have a hiplab login, or use another address"
)


def coach_b(app: FastAPI) -> tuple[TestClient, str]:
    browser = new_client(app)
    return browser, login(browser, "b@coach.test")


def create_alice(browser: TestClient, csrf: str, **login: str) -> int:
    """Create coach B's own "Alice" through the API (with a login if given); her id."""
    body = {"name": "Alice", "age": 40, "sex": "male", **login}
    made = browser.post("/api/v1/people", json=body, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    identity: int = made.json()["id"]
    return identity


def create_on_page(browser: TestClient, **fields: str) -> object:
    token = csrf_of_page(browser.get("/coach/clients/new").text)
    return browser.post(
        "/coach/clients",
        data={"csrf_token": token, "age": "40", "sex": "male", **fields},
        follow_redirects=False,
    )


def test_coach_b_creates_an_alice_of_their_own_on_the_page(
    app: FastAPI, store: Store, world: World
) -> None:
    browser, _ = coach_b(app)
    response = create_on_page(browser, name="Alice")
    assert response.status_code == 303, response.text
    [mine] = [p for p in store.people.of_coach(coach_id=world.coach_b) if p.name == "Alice"]
    assert response.headers["location"] == f"/people/{mine.id}"
    assert mine.id != world.alice
    again = create_on_page(browser, name="Alice")
    assert again.status_code == 422
    assert "you already have a client named &#39;Alice&#39;" in again.text
    assert "another coach" not in again.text


def test_each_alice_sees_only_her_own_records(app: FastAPI, store: Store, world: World) -> None:
    browser, csrf = coach_b(app)
    mine = create_alice(browser, csrf)
    recorded = browser.post(
        f"/api/v1/people/{mine}/assessments", json=SAMPLE_INPUT, headers={"X-CSRF-Token": csrf}
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["person_id"] == mine
    page = browser.get(f"/people/{mine}")
    assert page.status_code == 200
    history = browser.get(f"/api/v1/people/{mine}/assessments").json()
    assert [h["id"] for h in history] == [recorded.json()["id"]]
    exported = browser.get(f"/api/v1/people/{mine}/export?format=csv").text
    ids = {row["assessment_id"] for row in csv.DictReader(io.StringIO(exported, newline=""))}
    assert ids == {str(recorded.json()["id"])}
    document = browser.get(f"/api/v1/people/{mine}/export?format=json").json()
    assert [a["id"] for a in document["assessments"]] == [recorded.json()["id"]]
    assert browser.get(f"/api/v1/people/{mine}/export.fhir.json").status_code == 200
    assert browser.get(f"/api/v1/people/{world.alice}").status_code == 404  # A's Alice
    assert [h.id for h in store.assessments.history(person=PersonRef.by_id(world.alice))] == [
        world.alice_assessment
    ]


def test_a_taken_login_e_mail_is_refused_in_words_that_reveal_nothing(
    app: FastAPI, store: Store, world: World
) -> None:
    browser, csrf = coach_b(app)
    before = store.people.of_coach(coach_id=world.coach_b)
    body = {"name": "Alicia", "age": 40, "sex": "male", "email": "Alice@Client.test"}
    api = browser.post(
        "/api/v1/people", json={**body, "password": "x" * 12}, headers={"X-CSRF-Token": csrf}
    )
    assert api.status_code == 422
    assert api.json()["detail"] == NEUTRAL_EMAIL
    page = create_on_page(browser, name="Alicia", email="alice@client.test", password="x" * 12)
    assert page.status_code == 422
    assert "cannot be used for a new login; ask the client whether" in page.text
    assert "registered" not in page.text and "taken" not in page.text
    assert store.people.of_coach(coach_id=world.coach_b) == before


def test_each_alice_has_her_own_progress_page(app: FastAPI, store: Store, world: World) -> None:
    browser, csrf = coach_b(app)
    mine = create_alice(browser, csrf)
    empty = browser.get(f"/api/v1/people/{mine}/progress")
    assert empty.status_code == 200, empty.text
    assert empty.json()["person"] == "Alice"
    assert empty.json()["tests"] == []  # coach A's Alice has measured tests; this one none
    page = browser.get(f"/people/{mine}/progress")
    assert page.status_code == 200, page.text
    assert "Progress of Alice" in page.text


def test_the_second_alice_runs_her_own_session_and_sees_her_progress(
    app: FastAPI, world: World
) -> None:
    browser, csrf = coach_b(app)
    headers = {"X-CSRF-Token": csrf}
    mine = create_alice(browser, csrf, email="alice2@client.test", password=PASSWORD)
    browser.post(f"/api/v1/people/{mine}/assessments", json=SAMPLE_INPUT, headers=headers)
    assigned = browser.post(f"/api/v1/people/{mine}/plans", json={}, headers=headers)
    assert assigned.status_code == 201, assigned.text
    alice2 = new_client(app)
    login(alice2, "alice2@client.test")
    page = alice2.get("/me/session")
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    assert fields["plan_id"] == str(assigned.json()["id"])
    logged = alice2.post(
        "/me/session", data={**fields, "done": ["1"], "effort": "4"}, follow_redirects=False
    )
    assert logged.status_code == 303, logged.text
    progress = alice2.get("/me/progress")
    assert progress.status_code == 200, progress.text
    assert "Progress of Alice" in progress.text or "Your progress" in progress.text
