"""Login, session cookie, CSRF and login rate limiting, through the real app."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI

from hiplab.settings import Settings
from hiplab.web.app import create_app
from hiplab.web.security import (
    SESSION_COOKIE,
    LoginLimiter,
    SessionCodec,
    SessionData,
    new_session,
)
from tests.web.conftest import (
    PASSWORD,
    SAMPLE_INPUT,
    TestClient,
    World,
    csrf_of_page,
    login,
    new_client,
)

GENERIC = "email or password is wrong"


def _post_login(browser: TestClient, email: str, password: str) -> object:
    token = csrf_of_page(browser.get("/login").text)
    return browser.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_login_success_sets_a_new_session_and_goes_home(client: TestClient, world: World) -> None:
    first = client.get("/login")
    before = client.cookies.get(SESSION_COOKIE)
    token = csrf_of_page(first.text)
    response = client.post(
        "/login",
        data={"email": "A@Coach.TEST ", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/coach"
    assert client.cookies.get(SESSION_COOKIE) != before
    assert client.get("/api/v1/me").json()["csrf_token"] != token  # rotated at login
    assert "Alice" in client.get("/coach").text


def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: TestClient, world: World
) -> None:
    wrong = _post_login(client, "a@coach.test", "not the password")
    unknown = _post_login(client, "nobody@coach.test", PASSWORD)
    malformed = _post_login(client, "not an address", PASSWORD)
    for response in (wrong, unknown, malformed):
        assert response.status_code == 401  # type: ignore[attr-defined]
        assert GENERIC in response.text  # type: ignore[attr-defined]
    assert client.get("/api/v1/me").status_code == 401


def test_cookie_flags(client: TestClient) -> None:
    response = client.get("/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Max-Age=43200" in cookie
    assert "Secure" not in cookie
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_secure_cookie_when_configured(tmp_path: Path, store_url: str) -> None:
    settings = Settings(database_url=store_url, data_dir=tmp_path / "d", cookie_secure=True)
    with TestClient(create_app(settings, run_jobs=False)) as browser:
        assert "Secure" in browser.get("/login").headers["set-cookie"]


def test_forged_or_foreign_cookies_are_anonymous(client: TestClient, world: World) -> None:
    login(client, "a@coach.test")
    genuine = client.cookies.get(SESSION_COOKIE)
    assert genuine
    other_key = SessionCodec("another secret key of at least 32 chars!", max_age_seconds=3600)
    for forged in (genuine[:-3] + "AAA", other_key.encode(SessionData(user_id=1, csrf="x")), ""):
        client.cookies.set(SESSION_COOKIE, forged)
        assert client.get("/api/v1/me").status_code == 401
        response = client.get("/coach", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Fcoach"


def test_expired_sessions_are_refused() -> None:
    codec = SessionCodec("k" * 40, max_age_seconds=3600)
    value = codec.encode(new_session(7))
    assert codec.decode(value) == SessionData(user_id=7, csrf=codec.decode(value).csrf)  # type: ignore[union-attr]
    expired = SessionCodec("k" * 40, max_age_seconds=-1)  # every cookie is older than that
    assert expired.decode(value) is None


def test_forms_without_the_csrf_token_are_refused(client: TestClient, world: World) -> None:
    login(client, "a@coach.test")
    form = {"name": "Carol", "age": "40", "sex": "male"}
    assert client.post("/coach/clients", data=form, follow_redirects=False).status_code == 403
    bad = client.post("/coach/clients", data={**form, "csrf_token": "guess"})
    assert bad.status_code == 403
    assert "reload the page" in bad.text
    page = client.get("/coach/clients/new").text
    good = client.post(
        "/coach/clients", data={**form, "csrf_token": csrf_of_page(page)}, follow_redirects=False
    )
    assert good.status_code == 303
    assert "Carol" in client.get("/coach").text


def test_api_writes_need_the_csrf_header(client: TestClient, world: World) -> None:
    csrf = login(client, "a@coach.test")
    url = f"/api/v1/people/{world.alice}/assessments"
    missing = client.post(url, json=SAMPLE_INPUT)
    assert missing.status_code == 403
    assert missing.json()["detail"].startswith("the form has expired")
    wrong = client.post(url, json=SAMPLE_INPUT, headers={"X-CSRF-Token": csrf + "x"})
    assert wrong.status_code == 403
    ok = client.post(url, json=SAMPLE_INPUT, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    assert len(client.get(url).json()) == 2


def test_a_token_of_another_session_is_refused(
    app: FastAPI, client: TestClient, world: World
) -> None:
    mine = login(client, "a@coach.test")
    other = new_client(app)
    login(other, "a@coach.test")  # same user, another session: another token
    response = other.post(
        f"/api/v1/people/{world.alice}/assessments",
        json=SAMPLE_INPUT,
        headers={"X-CSRF-Token": mine},
    )
    assert response.status_code == 403


def test_login_form_needs_its_token(client: TestClient, world: World) -> None:
    response = client.post("/login", data={"email": "a@coach.test", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/api/v1/me").status_code == 401


def test_logout_ends_the_session(client: TestClient, world: World) -> None:
    login(client, "a@coach.test")
    page = client.get("/coach").text
    response = client.post(
        "/logout", data={"csrf_token": csrf_of_page(page)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_next_is_kept_but_never_leaves_the_site(client: TestClient, world: World) -> None:
    for target, expected in (
        (f"/people/{world.alice}", f"/people/{world.alice}"),
        ("https://evil.example/", "/coach"),
        ("//evil.example/", "/coach"),
    ):
        client.cookies.clear()
        token = csrf_of_page(client.get("/login").text)
        response = client.post(
            "/login",
            data={
                "email": "a@coach.test",
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == expected


@pytest.fixture
def limited(tmp_path: Path, store_url: str) -> Settings:
    return Settings(
        database_url=store_url, data_dir=tmp_path / "d", login_attempts=3, login_window_minutes=1
    )


def test_login_is_rate_limited_per_address_and_email(limited: Settings) -> None:
    app = create_app(limited, run_jobs=False)
    with TestClient(app) as browser:
        from tests.web.conftest import make_world

        make_world(app.state.hiplab.store)
        for _ in range(3):
            assert _post_login(browser, "a@coach.test", "wrong password!").status_code == 401  # type: ignore[attr-defined]
        blocked = _post_login(browser, "a@coach.test", PASSWORD)
        assert blocked.status_code == 429  # type: ignore[attr-defined]
        assert "too many failed logins" in blocked.text  # type: ignore[attr-defined]
        assert 1 <= int(blocked.headers["retry-after"]) <= 60  # type: ignore[attr-defined]
        assert browser.get("/api/v1/me").status_code == 401
        # Another e-mail from the same address is not blocked.
        assert _post_login(browser, "b@coach.test", PASSWORD).status_code == 303  # type: ignore[attr-defined]


def test_limiter_window_slides() -> None:
    now = [0.0]
    limiter = LoginLimiter(attempts=2, window_seconds=60, clock=lambda: now[0])
    limiter.failed("k")
    now[0] = 30
    limiter.failed("k")
    assert limiter.retry_after("k") == 30
    now[0] = 61  # the first failure left the window
    assert limiter.retry_after("k") is None
    limiter.failed("k")
    assert limiter.retry_after("k") == 29
    limiter.succeeded("k")
    assert limiter.retry_after("k") is None


def test_secret_key_is_generated_once_private_and_never_shared(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path / "one")
    key = first.resolved_secret_key()
    path = tmp_path / "one" / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(key) >= 32
    assert first.resolved_secret_key() == key
    assert Settings(data_dir=tmp_path / "two").resolved_secret_key() != key
