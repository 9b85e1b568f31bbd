"""The account page and the password change: page form and API, on SQLite and PostgreSQL.

A change needs the current password, the rules of :mod:`hiplab.services.passwords` and (on the
page) the same new password twice; it logs every other browser out and keeps the one
that made it logged in; the old password stops working and the new one works.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from hiplab.services import passwords
from hiplab.web.security import CSRF_HEADER
from tests.web.conftest import (
    NEW_PASSWORD,
    PASSWORD,
    TestClient,
    World,
    csrf_of_page,
    login,
    new_client,
    post_password_change,
)

NEW = NEW_PASSWORD


def _logs_in(app: FastAPI, password: str) -> bool:
    browser = new_client(app)
    token = csrf_of_page(browser.get("/login").text)
    answer = browser.post(
        "/login",
        data={"email": "a@coach.test", "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    return answer.status_code == 303


def test_the_account_page_shows_the_login_and_a_labelled_form(
    client: TestClient, world: World
) -> None:
    login(client, "a@coach.test")
    page = client.get("/account")
    assert page.status_code == 200
    assert "a@coach.test" in page.text and "Coach A" in page.text
    for field in ("current_password", "new_password", "confirm_password"):
        assert f'<label for="{field}">' in page.text
    assert 'href="/account"' in client.get("/coach").text  # reachable from the menu


def test_a_refused_change_says_why_and_changes_nothing(
    app: FastAPI, client: TestClient, world: World
) -> None:
    login(client, "a@coach.test")
    cases = [
        ("not my password", NEW, None, "the current password is wrong"),
        (PASSWORD, NEW, NEW + "!", "differ"),
        (PASSWORD, "short", None, "allowed: 10 to"),
    ]
    for current, new, confirm, message in cases:
        answer = post_password_change(client, current, new, confirm)
        assert answer.status_code == 422
        assert message in answer.text
        assert 'role="alert"' in answer.text
    assert client.get("/api/v1/me").status_code == 200  # still logged in
    assert _logs_in(app, PASSWORD)


def test_a_change_logs_out_the_others_and_keeps_this_browser(
    app: FastAPI, client: TestClient, world: World
) -> None:
    login(client, "a@coach.test")
    elsewhere = new_client(app)
    login(elsewhere, "a@coach.test")
    answer = post_password_change(client, PASSWORD, NEW)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/account?changed=1"
    assert "Password changed" in client.get("/account?changed=1").text
    assert client.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert not _logs_in(app, PASSWORD)
    assert _logs_in(app, NEW)


def test_the_api_changes_the_password_with_its_csrf_header(
    app: FastAPI, client: TestClient, world: World
) -> None:
    csrf = login(client, "a@coach.test")
    elsewhere = new_client(app)
    login(elsewhere, "a@coach.test")
    url = "/api/v1/me/password"
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert client.post(url, json=body).status_code == 403  # no CSRF header
    wrong = client.post(url, json={**body, "current_password": "nope"}, headers={CSRF_HEADER: csrf})
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == "the current password is wrong"
    done = client.post(url, json=body, headers={CSRF_HEADER: csrf})
    assert done.status_code == 204
    assert client.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert _logs_in(app, NEW)


def test_a_browser_whose_session_ended_is_told_why(
    app: FastAPI, client: TestClient, world: World
) -> None:
    login(client, "a@coach.test")
    elsewhere = new_client(app)
    login(elsewhere, "a@coach.test")
    assert post_password_change(client, PASSWORD, NEW).status_code == 303
    page = elsewhere.get("/coach", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fcoach&ended=1"
    assert "Your session has ended" in elsewhere.get(page.headers["location"]).text
    assert elsewhere.get("/api/v1/me").json()["detail"] == "log in first"  # now anonymous


def test_the_api_says_the_session_ended(app: FastAPI, client: TestClient, world: World) -> None:
    login(client, "a@coach.test")
    elsewhere = new_client(app)
    login(elsewhere, "a@coach.test")
    assert post_password_change(client, PASSWORD, NEW).status_code == 303
    answer = elsewhere.get("/api/v1/me")
    assert answer.status_code == 401
    assert answer.json()["detail"].startswith("your session has ended")
    never = new_client(app).get("/coach", follow_redirects=False)
    assert never.headers["location"] == "/login?next=%2Fcoach"  # no notice for a plain visit


def test_a_change_checks_the_current_password_once(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, "a@coach.test")
    checks: list[str] = []
    verify = passwords.verify_password

    def counted(password_hash: str, password: str) -> bool:
        checks.append(password)
        return verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counted)
    assert post_password_change(client, PASSWORD, NEW).status_code == 303
    assert checks == [PASSWORD]  # one argon2 verification, where wrong tries are counted
