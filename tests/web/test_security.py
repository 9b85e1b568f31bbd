"""Login, session cookie, its revocation, CSRF and login rate limiting, through the real app."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from itsdangerous import URLSafeTimedSerializer

from hiplab.settings import Settings
from hiplab.store import Store
from hiplab.web.app import create_app
from hiplab.web.security import (
    SESSION_COOKIE,
    SessionCodec,
    SessionData,
    SlidingWindow,
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
    post_login,
)

GENERIC = "email or password is wrong"


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
    wrong = post_login(client, "a@coach.test", "not the password")
    unknown = post_login(client, "nobody@coach.test", PASSWORD)
    malformed = post_login(client, "not an address", PASSWORD)
    for response in (wrong, unknown, malformed):
        assert response.status_code == 401
        assert GENERIC in response.text
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
    session = new_session(7)
    value = codec.encode(session)
    assert codec.decode(value) == session
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
            assert post_login(browser, "a@coach.test", "wrong password!").status_code == 401
        blocked = post_login(browser, "a@coach.test", PASSWORD)
        assert blocked.status_code == 429
        assert "too many failed logins" in blocked.text
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        assert browser.get("/api/v1/me").status_code == 401
        # Another e-mail from the same address is not blocked.
        assert post_login(browser, "b@coach.test", PASSWORD).status_code == 303


def test_limiter_window_slides() -> None:
    now = [0.0]
    limiter = SlidingWindow(limit=2, window_seconds=60, clock=lambda: now[0])
    limiter.add("k")
    now[0] = 30
    limiter.add("k")
    assert limiter.retry_after("k") == 30
    now[0] = 61  # the first failure left the window
    assert limiter.retry_after("k") is None
    limiter.add("k")
    assert limiter.retry_after("k") == 29
    limiter.clear("k")
    assert limiter.retry_after("k") is None


def test_secret_key_is_generated_once_private_and_never_shared(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path / "one")
    key = first.resolved_secret_key()
    path = tmp_path / "one" / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(key) >= 32
    assert first.resolved_secret_key() == key
    assert Settings(data_dir=tmp_path / "two").resolved_secret_key() != key


# --- ending sessions before they expire -----------------------------------------------------------


def test_log_out_everywhere_ends_every_session_of_the_login(
    app: FastAPI, client: TestClient, world: World
) -> None:
    login(client, "a@coach.test")
    stolen = client.cookies.get(SESSION_COOKIE)
    laptop, phone, alice = new_client(app), new_client(app), new_client(app)
    login(laptop, "a@coach.test")
    login(alice, "alice@client.test")
    page = laptop.get("/coach").text
    assert 'action="/logout-all"' in page and "End all sessions" in page
    ended = laptop.post(
        "/logout-all", data={"csrf_token": csrf_of_page(page)}, follow_redirects=False
    )
    assert ended.status_code == 303 and ended.headers["location"] == "/login"
    assert laptop.get("/api/v1/me").status_code == 401
    # The other browser, and anyone holding a copy of its cookie, is logged out too.
    assert client.get("/api/v1/me").status_code == 401
    assert stolen
    phone.cookies.set(SESSION_COOKIE, stolen)
    to_login = phone.get("/coach", follow_redirects=False)
    assert to_login.status_code == 303
    assert to_login.headers["location"] == "/login?next=%2Fcoach&ended=1"
    replaced = to_login.headers["set-cookie"]  # by an anonymous session
    assert replaced.startswith(f"{SESSION_COOKIE}=") and stolen not in replaced
    # Other logins keep their sessions; logging in again works.
    assert alice.get("/api/v1/me").json()["email"] == "alice@client.test"
    login(client, "a@coach.test")
    assert client.get("/api/v1/me").json()["email"] == "a@coach.test"


def test_the_api_ends_every_session_with_its_csrf_header(
    app: FastAPI, client: TestClient, world: World
) -> None:
    csrf = login(client, "alice@client.test")
    other = new_client(app)
    login(other, "alice@client.test")
    assert client.post("/api/v1/me/logout-all").status_code == 403  # no CSRF token
    assert other.get("/api/v1/me").status_code == 200
    ended = client.post("/api/v1/me/logout-all", headers={"X-CSRF-Token": csrf})
    assert ended.status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    assert other.get("/api/v1/me").status_code == 401
    assert other.get(f"/api/v1/people/{world.alice}").status_code == 401
    anonymous = new_client(app)
    token = csrf_of_page(anonymous.get("/login").text)
    refused = anonymous.post("/api/v1/me/logout-all", headers={"X-CSRF-Token": token})
    assert refused.status_code == 401


def test_a_password_change_logs_out_the_other_browsers(
    app: FastAPI, client: TestClient, world: World, store: Store
) -> None:
    from hiplab.services.passwords import hash_password

    login(client, "b@coach.test")
    other = new_client(app)
    login(other, "b@coach.test")
    store.accounts.set_password_hash(
        user_id=world.coach_b, password_hash=hash_password("a new password!")
    )
    assert client.get("/api/v1/me").status_code == 401
    assert other.get("/coach", follow_redirects=False).status_code == 303
    assert post_login(client, "b@coach.test", PASSWORD).status_code == 401
    login(client, "b@coach.test", "a new password!")
    assert client.get("/api/v1/me").json()["email"] == "b@coach.test"


def test_a_rehash_at_login_keeps_the_other_sessions(
    app: FastAPI, client: TestClient, world: World, store: Store
) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    store.accounts.set_password_hash(user_id=world.coach_a, password_hash=weak, keep_sessions=True)
    login(client, "a@coach.test")
    other = new_client(app)
    login(other, "a@coach.test")  # re-hashes the weak hash: the same password
    found = store.accounts.login_record(email="a@coach.test")
    assert found is not None and found[1] != weak
    assert client.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 200


def test_the_epoch_is_signed_and_old_cookies_count_as_epoch_0(
    client: TestClient, world: World, store: Store
) -> None:
    codec = SessionCodec("k" * 40, max_age_seconds=3600)
    value = codec.encode(new_session(7, epoch=3))
    decoded = codec.decode(value)
    assert decoded is not None and (decoded.user_id, decoded.epoch) == (7, 3)
    serializer = URLSafeTimedSerializer("k" * 40, salt="hiplab-session-v1")
    legacy = codec.decode(serializer.dumps({"uid": 7, "csrf": "t"}))  # before epochs
    assert legacy == SessionData(user_id=7, csrf="t", epoch=0)
    assert codec.decode(serializer.dumps({"uid": 7, "csrf": "t", "ep": "3"})) is None
    # A session made at the login's current epoch (here 2) counts; any other does not.
    store.accounts.end_sessions(user_id=world.coach_a)
    store.accounts.end_sessions(user_id=world.coach_a)
    login(client, "a@coach.test")
    assert client.get("/api/v1/me").status_code == 200
    store.accounts.end_sessions(user_id=world.coach_a)
    assert client.get("/api/v1/me").status_code == 401
