"""Web app fixtures: a real store (SQLite file or PostgreSQL), the app, logged-in clients.

``world`` holds two coaches, each with one client who has a login, an assessment per
client and a job about Alice, so every authorization case has real data behind it.
Log a client in with :func:`login`; send the returned CSRF token as ``X-CSRF-Token``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hiplab.services import clinic
from hiplab.settings import Settings
from hiplab.store import Store

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 fork for its TestClient; plain httpx still works.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from fastapi import FastAPI

from hiplab.web.app import create_app

PASSWORD = "correct horse battery"
SAMPLE_INPUT = {
    "person": {"age": 34, "sex": "female"},
    "tests": {"hip_internal_rotation_deg": {"left": 20, "right": 40}},
    "provenance": "clinician",
    "date": "2025-01-15",
}
CSRF_IN_PAGE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    return Settings(database_url=store_url, data_dir=tmp_path / "data")


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    built = create_app(settings, run_jobs=False)
    try:
        yield built
    finally:
        built.state.hiplab.store.close()  # also when no client ran the lifespan


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """The client that runs the app's lifespan (start-up and shutdown)."""
    with TestClient(app) as entered:
        yield entered


@pytest.fixture
def store(app: FastAPI, client: TestClient) -> Store:
    """The app's own store (open while ``client`` runs the app)."""
    opened: Store = app.state.hiplab.store
    return opened


def new_client(app: FastAPI) -> TestClient:
    """Another browser (its own cookies) on an app whose lifespan ``client`` runs."""
    return TestClient(app)


def csrf_of_page(html: str) -> str:
    found = CSRF_IN_PAGE.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def post_login(browser: TestClient, email: str, password: str) -> httpx.Response:
    """Post the login form (with its CSRF token); return the answer, not followed."""
    token = csrf_of_page(browser.get("/login").text)
    return browser.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


NEW_PASSWORD = "a brand new passphrase"


def post_password_change(
    browser: TestClient, current: str, new: str = NEW_PASSWORD, confirm: str | None = None
) -> httpx.Response:
    """Post the password-change form of ``/account``; return the answer, not followed."""
    token = csrf_of_page(browser.get("/account").text)
    return browser.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
        follow_redirects=False,
    )


def login(browser: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log in through the form; return the new session's CSRF token."""
    response = post_login(browser, email, password)
    assert response.status_code == 303, response.text
    me = browser.get("/api/v1/me")
    assert me.status_code == 200
    csrf: str = me.json()["csrf_token"]
    return csrf


@dataclass(frozen=True)
class World:
    """Ids of the test data: coach A looks after Alice, coach B after Bob."""

    coach_a: int
    coach_b: int
    alice: int
    bob: int
    alice_assessment: int
    bob_assessment: int
    alice_job: int


def make_world(store: Store) -> World:
    coach_a = clinic.create_login(
        store=store, email="a@coach.test", display_name="Coach A", role="coach", password=PASSWORD
    )
    coach_b = clinic.create_login(
        store=store, email="b@coach.test", display_name="Coach B", role="coach", password=PASSWORD
    )
    people = {}
    for coach, name in ((coach_a, "Alice"), (coach_b, "Bob")):
        people[name] = clinic.create_client(
            store=store,
            coach_id=coach.id,
            name=name,
            age=34,
            sex="female",
            email=f"{name.lower()}@client.test",
            password=PASSWORD,
        )
    data = clinic.parse_assessment(SAMPLE_INPUT)
    ids = {
        name: clinic.record_assessment(
            recorded_by="coach", store=store, person_id=person.id, data=data
        )
        for name, person in people.items()
    }
    job = store.jobs.enqueue(
        kind="test_job", payload={"n": 1}, owner_id=coach_a.id, person_id=people["Alice"].id
    )
    return World(
        coach_a=coach_a.id,
        coach_b=coach_b.id,
        alice=people["Alice"].id,
        bob=people["Bob"].id,
        alice_assessment=ids["Alice"],
        bob_assessment=ids["Bob"],
        alice_job=job.id,
    )


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)
