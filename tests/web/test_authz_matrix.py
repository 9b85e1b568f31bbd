"""The authorization matrix: every route of the app, every kind of viewer.

The routes come from the app itself (``app.routes``), so a new route is covered the
moment it exists: it fails here unless it declares exactly one rule, and the guard is
then checked to enforce that rule for an anonymous visitor, Alice's coach, another
coach, Alice herself and another client. Path parameters are filled with Alice's data
from :data:`SAMPLES`; a route with a parameter missing there fails until one is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from hiplab.settings import Settings
from hiplab.store import Store
from hiplab.web.authz import (
    PERSON_RULES,
    CoachViewer,
    RouteRule,
    Rule,
    route_problems,
    route_rules,
)
from tests.web.conftest import TestClient, World, login, new_client

ROLES = ("anonymous", "own_coach", "other_coach", "self_client", "other_client")
EMAILS = {
    "own_coach": "a@coach.test",
    "other_coach": "b@coach.test",
    "self_client": "alice@client.test",
    "other_client": "bob@client.test",
}
SESSION_ENDING = {("POST", "/logout"), ("POST", "/logout-all"), ("POST", "/api/v1/me/logout-all")}
"""Routes that end the caller's session; tested on their own in test_security.py."""


def samples(world: World) -> dict[str, str]:
    """A value of Alice's for every path parameter the app uses."""
    return {
        "person_id": str(world.alice),
        "assessment_id": str(world.alice_assessment),
        "job_id": str(world.alice_job),
        "fmt": "html",
        "path": "app.css",
        "file": "metrics.json",
    }


@pytest.fixture
def alice_video_job(store: Store, settings: Settings, world: World, tmp_path: Path) -> int:
    """A finished video analysis of Alice's, for the routes with a ``file`` (its outputs)."""
    from tests.web.video_helpers import finished_analysis_job

    return finished_analysis_job(
        store, settings, person_id=world.alice, owner_id=world.coach_a, workdir=tmp_path
    ).id


@dataclass
class Browser:
    """A logged-in (or anonymous) browser and its CSRF token."""

    client: TestClient
    csrf: str


@pytest.fixture
def browsers(app: FastAPI, client: TestClient, world: World) -> dict[str, Browser]:
    out = {}
    for role in ROLES:
        browser = new_client(app)
        if role == "anonymous":
            page = browser.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert token
            out[role] = Browser(browser, token.group(1))
        else:
            out[role] = Browser(browser, login(browser, EMAILS[role]))
    return out


def allowed(rule: Rule, role: str) -> bool:
    """Who the rule lets in, for a route about Alice."""
    return {
        Rule.public: True,
        Rule.authenticated: role != "anonymous",
        Rule.coach: role in ("own_coach", "other_coach"),
        Rule.client: role in ("self_client", "other_client"),
        Rule.person_access: role in ("own_coach", "self_client"),
        Rule.coach_of_person: role == "own_coach",
    }[rule]


def refused_status(rule: Rule, role: str, *, api: bool) -> set[int]:
    """The answer a refused role gets: 401 (or the login redirect), 403 or 404."""
    if role == "anonymous":
        return {401} if api else {303}
    if rule in PERSON_RULES:
        return {404}
    return {403}


def url_of(route: RouteRule, values: dict[str, str]) -> str:
    missing = route.params - set(values)
    assert not missing, f"{route.path}: add a sample value for {sorted(missing)} in SAMPLES"
    url = route.path
    for name in route.params:
        url = re.sub(r"\{" + name + r"(:[^}]*)?\}", values[name], url)
    return url + ("/app.css" if route.path == "/static" else "")


def test_every_route_declares_exactly_one_proper_rule(app: FastAPI) -> None:
    rules = route_rules(app)
    assert len(rules) > 20
    assert route_problems(app) == []
    assert all(len(r.rules) == 1 for r in rules)


@pytest.fixture
def alice_plan(store: Store, world: World) -> int:
    """A plan of Alice's, for the routes with a ``plan_id``."""
    from hiplab.services import programmes

    request = programmes.plan_request(
        minutes=15, sessions_per_week=3, weeks=4, equipment=None, avoid_positions=None
    )
    return programmes.assign(store=store, person_id=world.alice, request=request).id


def test_the_matrix(
    app: FastAPI,
    world: World,
    browsers: dict[str, Browser],
    alice_plan: int,
    alice_video_job: int,
) -> None:
    values = {**samples(world), "plan_id": str(alice_plan)}
    checked = 0
    for route in route_rules(app):
        methods = sorted(route.methods - {"HEAD"}) or ["GET"]
        for method in methods:
            if (method, route.path) in SESSION_ENDING:
                continue
            # A file needs a finished analysis; the world's job is queued and of another kind.
            job = {"job_id": str(alice_video_job)} if "file" in route.params else {}
            url = url_of(route, {**values, **job})
            for role in ROLES:
                _check(route, method, url, role, browsers[role])
                checked += 1
    assert checked >= 5 * 20


def _check(route: RouteRule, method: str, url: str, role: str, browser: Browser) -> None:
    rule = route.rules[0]
    api = route.path.startswith("/api/v1/") and route.path != "/api/v1/docs"
    response = browser.client.request(
        method,
        url,
        headers={"X-CSRF-Token": browser.csrf},
        json={} if method != "GET" and api else None,
        data={} if method != "GET" and not api else None,
        follow_redirects=False,
    )
    where = f"{method} {url} as {role} (rule {rule.value}): {response.status_code}"
    to_login = response.status_code == 303 and response.headers["location"].startswith("/login?")
    if allowed(rule, role):
        assert response.status_code not in (401, 403, 404), where
        assert not to_login, where
        if method == "GET" and rule in PERSON_RULES:
            assert response.status_code == 200, where
    else:
        assert response.status_code in refused_status(rule, role, api=api), where
        if role == "anonymous" and not api:
            assert to_login, where
        assert "Alice" not in response.text, where


def test_other_people_data_is_indistinguishable_from_missing(
    world: World, browsers: dict[str, Browser]
) -> None:
    coach = browsers["own_coach"].client
    # Bob is coach B's: coach A gets exactly what an id that does not exist gets.
    theirs = coach.get(f"/api/v1/people/{world.bob}")
    missing = coach.get("/api/v1/people/999999")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    listed = coach.get("/api/v1/people").json()
    assert [p["name"] for p in listed] == ["Alice"]
    alice = browsers["self_client"].client.get("/api/v1/people").json()
    assert [p["id"] for p in alice] == [world.alice]


def test_a_client_cannot_reach_another_through_a_nested_id(
    world: World, browsers: dict[str, Browser]
) -> None:
    alice = browsers["self_client"].client
    assert alice.get(f"/assessments/{world.bob_assessment}/report.html").status_code == 404
    assert alice.get(f"/api/v1/assessments/{world.bob_assessment}").status_code == 404
    assert alice.get(f"/api/v1/assessments/{world.alice_assessment}").status_code == 200


def test_an_app_with_a_route_without_rule_is_refused(app: FastAPI) -> None:
    from hiplab.web.authz import check_routes

    @app.get("/sneaky")
    def sneaky() -> dict[str, str]:
        return {"secret": "everyone's data"}

    problems = route_problems(app)
    assert any("/sneaky" in p and "declares 0 rules" in p for p in problems)
    with pytest.raises(RuntimeError, match="/sneaky"):
        check_routes(app)


def test_a_person_parameter_needs_a_person_rule(app: FastAPI) -> None:
    @app.get("/api/v1/people/{person_id}/leak")
    def leak(person_id: int, _viewer: CoachViewer) -> dict[str, int]:
        return {"person": person_id}

    @app.get("/things/{thing_id}")
    def thing(thing_id: int, _viewer: CoachViewer) -> dict[str, int]:
        return {"thing": thing_id}

    problems = "\n".join(route_problems(app))
    assert "/leak" in problems and "rule coach but a person parameter" in problems
    assert "['thing_id'] are not in authz" in problems
