"""Rate limits through the real app (SQLite and PostgreSQL): logins, password checks, writes.

Each test plays the attack the limit stops: guessing one account's password from many
addresses, guessing the password with a stolen session through the password change,
flooding the store with writes from one login. The back-off's arithmetic is checked
with a fake clock (no waiting, no timing thresholds).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from hiplab.settings import Settings
from hiplab.store import PersonRef, Store
from hiplab.web.app import create_app
from hiplab.web.security import CSRF_HEADER, Backoff, LoginLimiter, wait_in_words
from tests.web.conftest import (
    PASSWORD,
    SAMPLE_INPUT,
    TestClient,
    World,
    csrf_of_page,
    login,
    make_world,
    post_login,
    post_password_change,
)

WRONG = "not the password at all"


def _app(tmp_path: Path, store_url: str, **limits: int) -> Iterator[tuple[FastAPI, World]]:
    settings = Settings(database_url=store_url, data_dir=tmp_path / "data", **limits)
    app = create_app(settings, run_jobs=False)
    with TestClient(app):
        yield app, make_world(app.state.hiplab.store)


@pytest.fixture
def limited(tmp_path: Path, store_url: str) -> Iterator[tuple[FastAPI, World]]:
    """An app with small login limits: 2 failures per address, 3 per account."""
    yield from _app(tmp_path, store_url, login_attempts=2, login_account_attempts=3)


@pytest.fixture
def few_writes(tmp_path: Path, store_url: str) -> Iterator[tuple[FastAPI, World]]:
    """An app that allows 3 writes a minute per login."""
    yield from _app(tmp_path, store_url, writes_per_minute=3)


def _from(app: FastAPI, address: str) -> TestClient:
    """A browser whose connection comes from ``address``."""
    return TestClient(app, client=(address, 40000))


# --- logins: per account, across addresses ------------------------------------------------------


def test_guessing_one_account_from_many_addresses_meets_the_back_off(
    limited: tuple[FastAPI, World],
) -> None:
    app, _world = limited
    first, second, owner = (_from(app, f"198.51.100.{n}") for n in (1, 2, 3))
    assert [post_login(first, "a@coach.test", WRONG).status_code for _ in range(3)] == [
        401,
        401,
        429,  # the per-address limit (2) still holds
    ]
    assert post_login(second, "a@coach.test", WRONG).status_code == 401  # failure 3 of the account
    refused = post_login(owner, "a@coach.test", PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "30"
    assert "too many failed logins; try again in 30 seconds" in refused.text
    assert owner.get("/api/v1/me").status_code == 401
    # Another account from the same addresses is not held back.
    assert post_login(second, "b@coach.test", PASSWORD).status_code == 303


def test_an_unknown_account_is_held_back_alike(limited: tuple[FastAPI, World]) -> None:
    """The answer must not tell whether an account exists."""
    app, _world = limited
    answers = [
        post_login(_from(app, f"198.51.100.{n}"), "nobody@coach.test", WRONG).status_code
        for n in range(4)
    ]
    assert answers == [401, 401, 401, 429]


def test_the_back_off_doubles_is_capped_and_refused_tries_do_not_count() -> None:
    now = [0.0]
    backoff = Backoff(free=2, first_wait=30, max_wait=300, forget_seconds=900, clock=lambda: now[0])
    waits = []
    for _ in range(7):
        backoff.failed("k")
        waits.append(backoff.retry_after("k") or 0)
        backoff.failed("k")  # during the wait: refused, not counted
        now[0] += waits[-1]
    assert waits == [0, 30, 60, 120, 240, 300, 300]
    assert backoff.retry_after("k") is None  # the wait never outlasts max_wait
    now[0] += 900  # quiet for forget_seconds: the failures no longer count
    backoff.failed("k")
    assert backoff.retry_after("k") is None
    backoff.failed("k")
    assert backoff.retry_after("k") == 30
    backoff.succeeded("k")
    assert backoff.retry_after("k") is None


def test_the_login_limiter_counts_per_address_and_per_account() -> None:
    now = [0.0]
    limiter = LoginLimiter(
        attempts=2,
        window_seconds=60,
        account_attempts=3,
        max_wait_seconds=600,
        clock=lambda: now[0],
    )
    for _ in range(2):
        limiter.failed(address="a", email="X@Example.org ")
    assert limiter.retry_after(address="a", email="x@example.org") == 60
    assert limiter.retry_after(address="b", email="x@example.org") is None
    limiter.failed(address="b", email="x@example.org")
    assert limiter.retry_after(address="c", email="x@example.org") == 30
    limiter.succeeded(address="a", email="x@example.org")
    assert limiter.retry_after(address="c", email="x@example.org") is None


def test_waits_are_said_in_plain_words() -> None:
    assert [wait_in_words(s) for s in (1, 59, 60, 61, 900)] == [
        "1 second",
        "59 seconds",
        "1 minute",
        "2 minutes",
        "15 minutes",
    ]


# --- the current password of a password change ---------------------------------------------------


def test_guessing_the_current_password_is_held_back(limited: tuple[FastAPI, World]) -> None:
    app, _world = limited
    thief = _from(app, "198.51.100.9")
    csrf = login(thief, "a@coach.test")  # a stolen session, without the password
    assert [post_password_change(thief, WRONG).status_code for _ in range(2)] == [422, 422]
    refused = post_password_change(thief, WRONG)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "30"
    assert "too many wrong current passwords; try again in 30 seconds" in refused.text
    # not even the right one gets through
    assert post_password_change(thief, PASSWORD).status_code == 429
    api = thief.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "another passphrase"},
        headers={CSRF_HEADER: csrf},
    )
    assert api.status_code == 429
    assert api.json()["detail"] == "too many wrong current passwords; try again in 30 seconds"
    assert api.headers["retry-after"] == "30"
    # Nothing changed: the old password still logs in.
    assert post_login(_from(app, "198.51.100.10"), "a@coach.test", PASSWORD).status_code == 303


# --- writes per login ---------------------------------------------------------------------------


def _count(store: Store, name: str) -> int:
    return len(store.assessments.of_person(person=PersonRef.named(name)))


def test_one_login_cannot_flood_the_store_with_writes(few_writes: tuple[FastAPI, World]) -> None:
    app, world = few_writes
    store: Store = app.state.hiplab.store
    coach, other_coach = TestClient(app), TestClient(app)
    csrf = login(coach, "a@coach.test")
    login(other_coach, "b@coach.test")
    url = f"/api/v1/people/{world.alice}/assessments"
    answers = [coach.post(url, json=SAMPLE_INPUT, headers={CSRF_HEADER: csrf}) for _ in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    refused = answers[-1]
    assert refused.json()["detail"].startswith(
        "too many changes in a short time: at most 3 a minute per login; try again in "
    )
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert _count(store, "Alice") == 1 + 3  # the fixture's one and three accepted
    page = coach.get("/coach/clients/new").text
    form = coach.post(
        "/coach/clients",
        data={"name": "Carol", "age": "40", "sex": "male", "csrf_token": csrf_of_page(page)},
        follow_redirects=False,
    )
    assert form.status_code == 429  # the page forms count too, with a page that says why
    assert "too many changes in a short time" in form.text and "<html" in form.text
    assert "Carol" not in coach.get("/coach").text
    # Another login is not held back, and logging out always works.
    bob = other_coach.post(
        f"/api/v1/people/{world.bob}/assessments",
        json=SAMPLE_INPUT,
        headers={CSRF_HEADER: other_coach.get("/api/v1/me").json()["csrf_token"]},
    )
    assert bob.status_code == 201
    out = coach.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
