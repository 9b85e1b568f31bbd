"""API fuzzing: schemathesis against the app's own OpenAPI document, in-process.

Every operation of ``/api/v1/openapi.json`` is called with generated input (valid and
invalid) as coach A, logged in through the form (session cookie plus the session's
``X-CSRF-Token``), through the ASGI transport: no server, no network. The only check is
that no answer is a server error (5xx): bad input must be a 4xx with a message, never a
crash. The number of examples per operation is bounded to keep the run short; it runs on
SQLite and on PostgreSQL (``store_url``).

The examples are derandomized (the same every run) so that CI is reproducible: a random
run once found a 503 in CI only. To hunt for new failures, set ``HIPLAB_FUZZ_EXAMPLES``
(more examples) and ``HIPLAB_FUZZ_RANDOM=1`` (fresh random examples each run); every
failure found that way becomes an explicit test (tests/web/test_api_record_ids.py).
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from hiplab.web.limits import NOT_JSON_NUMBER, NOT_UNICODE
from hiplab.web.security import CSRF_HEADER, SESSION_COOKIE
from tests.web.conftest import TestClient, World, login, new_client

EXAMPLES_PER_OPERATION = int(os.environ.get("HIPLAB_FUZZ_EXAMPLES", "25"))
SESSION_ENDING = frozenset({"POST /api/v1/me/logout-all"})
"""Operations that end the coach's sessions: fuzzed last, so the others run logged in."""
RANDOM = os.environ.get("HIPLAB_FUZZ_RANDOM") == "1"
log = logging.getLogger(__name__)


@pytest.fixture
def coach_credentials(app: FastAPI, client: TestClient, world: World) -> dict[str, Any]:
    """Coach A's session cookie and CSRF header."""
    browser = new_client(app)
    csrf = login(browser, "a@coach.test")
    cookie = browser.cookies.get(SESSION_COOKIE)
    assert cookie
    return {"cookies": {SESSION_COOKIE: cookie}, "headers": {CSRF_HEADER: csrf}}


def cases(operation: Any, mode: Any, known: dict[str, int]) -> Any:
    """Generated cases; half of them with path ids of Alice's real data when it has ids.

    Random ids almost never name a record, so without real ones the fuzzing would only
    ever reach the 404 branch of the routes.
    """
    generated = operation.as_strategy(generation_mode=mode)
    names = set(re.findall(r"\{(\w+)\}", operation.path))
    if not names or not names <= set(known):  # a new kind of id: add a sample to `known`
        return generated
    real = {name: known[name] for name in names}
    return st.one_of(generated, operation.as_strategy(generation_mode=mode, path_parameters=real))


def fuzz_operation(
    operation: Any,
    mode: Any,
    credentials: dict[str, Any],
    known: dict[str, int],
    statuses: Counter[str],
) -> list[str]:
    """Call one operation with generated cases; count the answers, return the 5xx seen."""
    failures: list[str] = []

    @given(case=cases(operation, mode, known))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # report every failing input, unshrunk
    )
    def run(case: Any) -> None:
        try:
            response = case.call_and_validate(
                headers=dict(credentials["headers"]),
                cookies=dict(credentials["cookies"]),
                checks=[not_a_server_error],
            )
            statuses[f"{operation.label} {response.status_code}"] += 1
        except (AssertionError, FailureGroup) as exc:  # what a failed check raises
            failures.append(f"{operation.label} [{mode.value}]: {case.as_curl_command()}\n{exc}")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        assert mode is GenerationMode.NEGATIVE, operation.label
    return failures


def test_no_server_errors(
    app: FastAPI, client: TestClient, world: World, coach_credentials: dict[str, Any]
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda operation: operation.label in SESSION_ENDING)  # stable
    assert len(operations) >= 10
    known = {
        "person_id": world.alice,
        "assessment_id": world.alice_assessment,
        "job_id": world.alice_job,
    }
    failures: list[str] = []
    statuses: Counter[str] = Counter()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += fuzz_operation(operation, mode, coach_credentials, known, statuses)
    assert not failures, "\n\n".join(failures[:20])
    log.info("answers:\n%s", "\n".join(f"{key}: {n}" for key, n in sorted(statuses.items())))
    # The fuzzing reached real data, not only refusals: most operations answered 2xx.
    succeeded = {key.rsplit(" ", 1)[0] for key in statuses if key.endswith((" 200", " 201"))}
    assert len(succeeded) >= len(operations) // 2, sorted(succeeded)


def test_the_schema_covers_the_api(app: FastAPI, client: TestClient) -> None:
    """The fuzzed document lists every API route (so none escapes the fuzzing)."""
    document = client.get("/api/v1/openapi.json").json()
    api_paths = {
        route.path  # type: ignore[attr-defined]
        for route in app.routes
        if getattr(route, "path", "").startswith("/api/v1/")
        and getattr(route, "include_in_schema", False)
    }
    assert api_paths
    assert api_paths <= set(document["paths"])


@pytest.mark.parametrize("person_id", ["2147483648", "9735789925696851484344320", "0", "-1"])
def test_ids_no_record_can_have_are_not_found(
    app: FastAPI, client: TestClient, world: World, person_id: str
) -> None:
    """Found by the fuzzing: a huge id overflowed SQLite's driver and PostgreSQL's integer."""
    coach = new_client(app)
    login(coach, "a@coach.test")
    for path in (f"/api/v1/people/{person_id}", f"/api/v1/people/{person_id}/export.fhir.json"):
        response = coach.get(path)
        assert response.status_code == 404, (path, response.text)
        assert response.json() == {"detail": "not found"}


NOT_JSON = ("NaN", "Infinity", "-Infinity", '"\\ud800"', '"\\udfff and more"')
"""Values Python's JSON parser takes but JSON does not allow; FastAPI's 422 handler could
not write them back, and answered 500 with a traceback."""


def json_routes(document: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """Every operation of the OpenAPI document that takes JSON: method, path, its fields."""
    schemas = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            ref = content["application/json"]["schema"].get("$ref", "")
            fields = list(schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            found.append((method.upper(), path, fields))
    return found


def test_nan_infinity_and_surrogates_are_refused_in_plain_words_on_every_json_route(
    app: FastAPI, client: TestClient, world: World, store: Any, coach_credentials: dict[str, Any]
) -> None:
    from hiplab.services import programmes

    request = programmes.plan_request(
        minutes=15, sessions_per_week=3, weeks=4, equipment=None, avoid_positions=None
    )
    plan = programmes.assign(store=store, person_id=world.alice, request=request).id
    ids = {"person_id": world.alice, "plan_id": plan}
    browser = new_client(app)
    browser.cookies.update(coach_credentials["cookies"])
    routes = json_routes(client.get("/api/v1/openapi.json").json())
    assert len(routes) >= 8
    for method, template, fields in routes:
        path = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), template)
        for value in NOT_JSON:
            for body in (value, *(f'{{"{name}": {value}}}' for name in fields), f"[{value}]"):
                response = browser.request(
                    method,
                    path,
                    content=body.encode("utf-8"),
                    headers={**coach_credentials["headers"], "Content-Type": "application/json"},
                )
                where = f"{method} {path} {body}"
                assert response.status_code == 422, (where, response.text)
                assert response.json() in ({"detail": NOT_JSON_NUMBER}, {"detail": NOT_UNICODE}), (
                    where
                )
