"""Logout ends its session on the server, through the real app, on SQLite and PostgreSQL.

The attack: a copy of the session cookie taken before logout (a shared computer, a
stolen backup, a proxy log) used to keep reading and writing until the cookie expired.
Each browser now has its own session row; logout ends that row only.
"""

from __future__ import annotations

from fastapi import FastAPI

from hiplab.store import PersonRef, Store
from hiplab.web.security import CSRF_HEADER, SESSION_COOKIE, SessionData, new_session
from tests.web.conftest import SAMPLE_INPUT, TestClient, World, csrf_of_page, login, new_client


def _logout(browser: TestClient) -> None:
    page = browser.get("/coach").text
    answer = browser.post(
        "/logout", data={"csrf_token": csrf_of_page(page)}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def _assessments(store: Store, person_id: int) -> int:
    return len(store.assessments.of_person(person=PersonRef.by_id(person_id)))


def test_a_cookie_copied_before_logout_neither_reads_nor_writes(
    app: FastAPI, client: TestClient, world: World, store: Store
) -> None:
    csrf = login(client, "a@coach.test")
    copied = client.cookies.get(SESSION_COOKIE)
    assert copied
    _logout(client)
    thief = new_client(app)
    thief.cookies.set(SESSION_COOKIE, copied)
    before = _assessments(store, world.alice)
    assert thief.get("/api/v1/me").status_code == 401
    thief.cookies.clear()  # the answer replaced it with an anonymous one; replay the copy
    thief.cookies.set(SESSION_COOKIE, copied)
    written = thief.post(
        f"/api/v1/people/{world.alice}/assessments",
        json=SAMPLE_INPUT,
        headers={CSRF_HEADER: csrf},
    )
    assert written.status_code == 401
    assert "your session has ended" in written.json()["detail"]
    thief.cookies.clear()
    thief.cookies.set(SESSION_COOKIE, copied)
    page = thief.get(f"/people/{world.alice}", follow_redirects=False)
    assert page.status_code == 303
    assert (
        page.headers["location"].startswith("/login?next=")
        and "ended=1" in page.headers["location"]
    )
    assert _assessments(store, world.alice) == before


def test_logging_out_on_the_phone_keeps_the_laptop_signed_in(
    app: FastAPI, client: TestClient, world: World, store: Store
) -> None:
    phone, laptop = client, new_client(app)
    login(phone, "a@coach.test")
    laptop_csrf = login(laptop, "a@coach.test")
    _logout(phone)
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").json()["email"] == "a@coach.test"
    before = _assessments(store, world.alice)
    written = laptop.post(
        f"/api/v1/people/{world.alice}/assessments",
        json=SAMPLE_INPUT,
        headers={CSRF_HEADER: laptop_csrf},
    )
    assert written.status_code == 201
    assert _assessments(store, world.alice) == before + 1


def test_log_out_everywhere_ends_the_copies_of_every_session(
    app: FastAPI, client: TestClient, world: World
) -> None:
    phone, laptop, thief = client, new_client(app), new_client(app)
    login(phone, "a@coach.test")
    laptop_csrf = login(laptop, "a@coach.test")
    copied = phone.cookies.get(SESSION_COOKIE)
    assert copied
    ended = laptop.post("/api/v1/me/logout-all", headers={CSRF_HEADER: laptop_csrf})
    assert ended.status_code == 204
    thief.cookies.set(SESSION_COOKIE, copied)
    for browser in (phone, laptop, thief):
        assert browser.get("/api/v1/me").status_code == 401


def test_a_signed_cookie_naming_no_stored_session_is_logged_out(
    app: FastAPI, client: TestClient, world: World
) -> None:
    """A cookie signed with the right key but whose session was never started here.

    Cookies issued before sessions were stored look like this (no session id), and so
    would a cookie made by anyone holding the key: neither logs anybody in.
    """
    login(client, "a@coach.test")  # the login exists and has a running session
    codec = app.state.hiplab.codec
    for forged in (
        SessionData(user_id=world.coach_a, csrf="t", epoch=0, sid=None),
        new_session(world.coach_a, epoch=0),  # a session id the store never saw
    ):
        other = new_client(app)
        other.cookies.set(SESSION_COOKIE, codec.encode(forged))
        assert other.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 200
