"""Bad input never gives a 500 and errors leak nothing: one handler, the CLI's words.

Each test sends what once went wrong: a password over the length limit was echoed back
in FastAPI's 422; NaN and unpaired surrogates answered 500 with a traceback; page forms
answered raw JSON. The app runs with its real store (SQLite and PostgreSQL).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from starlette.formparsers import MultiPartParser

from hiplab.assess.parse import MAX_BYTES
from hiplab.web.authz import CSRF_MESSAGE, MAX_FORM_FIELDS
from hiplab.web.errors import FAILED, HTTP_WORDS
from hiplab.web.limits import (
    MAX_BODY_BYTES,
    NOT_JSON_NUMBER,
    NOT_UNICODE,
    TOO_LARGE,
    TOO_MANY_FIELDS,
)
from tests.web.conftest import TestClient, World, csrf_of_page, login, new_client

SECRET = "my secret password " * 120  # 2280 characters: over the limit of 2000


@pytest.fixture
def coach(app: FastAPI, client: TestClient, world: World) -> tuple[TestClient, str]:
    """Coach A's browser and CSRF token."""
    browser = new_client(app)
    return browser, login(browser, "a@coach.test")


def test_a_password_over_the_limit_is_named_not_echoed(coach: tuple[TestClient, str]) -> None:
    browser, csrf = coach
    body = {"name": "Cleo", "age": 30, "sex": "female", "email": "c@x.test", "password": SECRET}
    response = browser.post("/api/v1/people", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "field 'password' has a value that is not allowed; "
        "allowed: text of at most 2000 characters"
    }


def test_every_problem_is_listed_without_values(coach: tuple[TestClient, str]) -> None:
    browser, csrf = coach
    body = {"name": "Cleo", "age": "thirty", "sex": "female", "colour": "red"}
    response = browser.post("/api/v1/people", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("2 problems in the input:")
    assert "field 'age' has a value that is not allowed; allowed: a whole number" in detail
    assert "unknown key 'colour'; known keys: age, email, name, password, sex" in detail
    assert "thirty" not in detail and "red" not in detail


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"name": "Cleo", "age": NaN, "sex": "female"}', NOT_JSON_NUMBER),
        ('{"name": "Cleo", "age": -Infinity, "sex": "female"}', NOT_JSON_NUMBER),
        ('{"name": "\\ud800", "age": 30, "sex": "female"}', NOT_UNICODE),
        (b'{"name": "\xed\xa0\x80", "age": 30, "sex": "female"}', NOT_UNICODE),  # raw bytes
        ('{"name": "Cleo", "age": 30,', "the body is not valid JSON at character 28: "),
        ("[1, 2]", "the body is not what this address takes; allowed: JSON as the API"),
    ],
)
def test_json_that_is_not_json_is_422_in_plain_words(
    coach: tuple[TestClient, str], body: str | bytes, message: str
) -> None:
    browser, csrf = coach
    response = browser.post(
        "/api/v1/people",
        content=body.encode() if isinstance(body, str) else body,
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(message)


def test_a_page_form_gets_an_html_page_with_the_message(coach: tuple[TestClient, str]) -> None:
    browser, csrf = coach
    form = {"name": "Cleo", "age": "3" * 20, "sex": "female", "csrf_token": csrf}
    response = browser.post("/coach/clients", data=form)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "field &#39;age&#39; has a value that is not allowed" in response.text
    assert "3" * 20 not in response.text


def test_unknown_addresses_and_methods_in_plain_words(client: TestClient) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert client.get("/api/v1/no/such").json() == {"detail": "not found"}
    token = csrf_of_page(client.get("/login").text)
    wrong = client.put("/api/v1/people", headers={"X-CSRF-Token": token})
    assert wrong.status_code == 405
    assert wrong.json() == {"detail": "/api/v1/people does not take PUT; allowed: GET, POST"}


def test_a_crash_answers_500_without_a_traceback(app: FastAPI, client: TestClient) -> None:
    def boom() -> None:
        raise RuntimeError("secret internals at /srv/hiplab")

    app.add_api_route("/api/v1/boom", boom)
    answer = TestClient(app, raise_server_exceptions=False).get("/api/v1/boom")
    assert answer.status_code == 500
    assert answer.json() == {"detail": FAILED}


def test_a_post_without_a_session_is_refused_before_its_body(client: TestClient) -> None:
    """No cookie: no token can be right, so the body is not even read (nor its size)."""
    fresh = new_client(client.app)  # type: ignore[arg-type]
    response = fresh.post("/login", data={"email": "a@coach.test", "password": "x"})
    assert response.status_code == 403
    assert CSRF_MESSAGE in response.text
    assert response.headers["connection"] == "close"


def test_an_anonymous_write_to_a_login_route_is_refused_before_its_body(
    client: TestClient,
) -> None:
    token = csrf_of_page(client.get("/login").text)
    api = client.post("/api/v1/people", json={"name": "x"}, headers={"X-CSRF-Token": token})
    assert api.status_code == 401 and api.json() == {"detail": "log in first"}
    page = client.post("/coach/clients", data={"csrf_token": token}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fcoach%2Fclients"


def test_a_wrong_csrf_header_is_refused_before_the_body(coach: tuple[TestClient, str]) -> None:
    """The body is not read: its NaN would otherwise be the answer (422)."""
    browser, _csrf = coach
    response = browser.post(
        "/api/v1/people",
        content=b'{"age": NaN}',
        headers={"X-CSRF-Token": "no", "Content-Type": "application/json"},
    )
    assert response.status_code == 403 and response.json() == {"detail": CSRF_MESSAGE}


def test_a_body_over_the_limit_is_413(coach: tuple[TestClient, str]) -> None:
    browser, csrf = coach
    big = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = browser.post(
        "/api/v1/people",
        content=iter([big[:1000], big[1000:]]),  # chunked: no declared length
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json() == {"detail": TOO_LARGE}


@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
def test_a_form_with_too_many_fields_is_413(coach: tuple[TestClient, str], kind: str) -> None:
    browser, csrf = coach
    fields: dict[str, Any] = {f"f{n}": "1" for n in range(MAX_FORM_FIELDS)}
    fields["csrf_token"] = csrf
    if kind == "urlencoded":
        response = browser.post("/logout", data=fields)
    else:
        response = browser.post("/logout", files={k: (None, v) for k, v in fields.items()})
    assert response.status_code == 413
    assert "the form has too many fields; allowed: at most 500" in response.text
    assert TOO_MANY_FIELDS.endswith("at most 500")
    fields.pop("f0")  # exactly the limit passes
    assert browser.post("/logout", data=fields, follow_redirects=False).status_code == 303


PAGE_FORMS = [
    "/logout",
    "/people/{alice}/assessments",
    "/people/{alice}/videos",
    "/account/password",
]
"""Page form routes: read first by the CSRF check (the first three) or by FastAPI."""


@pytest.mark.parametrize("path", PAGE_FORMS)
@pytest.mark.parametrize("files", [2, 50])
def test_a_form_with_more_than_one_file_is_a_plain_4xx(
    coach: tuple[TestClient, str], world: World, path: str, files: int
) -> None:
    """At most one file is read (the video upload's); no 500, no file left open."""
    browser, csrf = coach
    parts = [("csrf_token", (None, csrf))]
    parts += [
        (f"f{n}", (f"f{n}.bin", b"x" * 100, "application/octet-stream")) for n in range(files)
    ]
    response = browser.post(path.format(alice=world.alice), files=parts, follow_redirects=False)
    assert 400 <= response.status_code < 500, response.text[:300]
    assert "<!doctype html>" in response.text.lower()  # the error page, not JSON
    if path == "/logout":  # its form is read only by the CSRF check
        assert response.status_code == 400
        assert HTTP_WORDS[400] in response.text


@pytest.mark.parametrize("path", PAGE_FORMS)
def test_a_multipart_form_with_too_many_fields_is_413(
    coach: tuple[TestClient, str], world: World, path: str
) -> None:
    browser, csrf = coach
    parts = [("csrf_token", (None, csrf))]
    parts += [(f"f{n}", (None, "1")) for n in range(MAX_FORM_FIELDS)]
    response = browser.post(path.format(alice=world.alice), files=parts, follow_redirects=False)
    if path.endswith("/videos"):  # the upload counts its bytes, not fields: the CSRF check's 400
        assert response.status_code == 400 and HTTP_WORDS[400] in response.text
    else:
        assert response.status_code == 413 and TOO_MANY_FIELDS in response.text


def test_the_limit_holds_the_clis_largest_file_and_never_spools() -> None:
    """The API takes what the CLI takes; a bounded form part stays in memory."""
    assert MAX_BYTES <= MAX_BODY_BYTES <= MultiPartParser.spool_max_size
