"""Ids no table can hold, in request bodies and paths: a 4xx with a message, never a 5xx.

Found by API fuzzing in CI: ``POST /api/v1/people/{id}/plans`` with
``{"assessment_id": -847983806144680448}`` answered 503 on PostgreSQL ("integer out of
range"). Bodies now declare the range (:data:`hiplab.web.schemas.RecordId`), and the
store answers "not found" for any id it cannot hold, whoever asks.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from hiplab.store import MAX_RECORD_ID
from hiplab.web.security import CSRF_HEADER
from tests.web.conftest import TestClient, World, login, new_client

UNHOLDABLE = [0, -847983806144680448, MAX_RECORD_ID + 1, 2**70]


@pytest.fixture
def coach(app: FastAPI, client: TestClient, world: World) -> tuple[TestClient, dict[str, str]]:
    browser = new_client(app)
    return browser, {CSRF_HEADER: login(browser, "a@coach.test")}


@pytest.mark.parametrize("number", UNHOLDABLE)
@pytest.mark.parametrize("action", ["plans", "plans/preview"])
def test_a_plan_from_an_impossible_assessment_is_refused(
    coach: tuple[TestClient, dict[str, str]], world: World, action: str, number: int
) -> None:
    browser, headers = coach
    url = f"/api/v1/people/{world.alice}/{action}"
    answer = browser.post(url, json={"assessment_id": number}, headers=headers)
    assert answer.status_code == 422, answer.text
    assert "assessment_id" in answer.text


@pytest.mark.parametrize("number", UNHOLDABLE)
def test_a_session_of_an_impossible_plan_is_refused(
    coach: tuple[TestClient, dict[str, str]], world: World, number: int
) -> None:
    browser, headers = coach
    url = f"/api/v1/people/{world.alice}/sessions"
    body = {
        "plan_id": number,
        "week": 1,
        "started_at": "2026-11-25T18:00:00Z",
        "finished_at": "2026-11-25T18:20:00Z",
        "items": [],
    }
    answer = browser.post(url, json=body, headers=headers)
    assert answer.status_code == 422, answer.text
    assert "plan_id" in answer.text


@pytest.mark.parametrize("number", UNHOLDABLE)
@pytest.mark.parametrize(
    "path", ["/api/v1/assessments/{}", "/api/v1/plans/{}", "/api/v1/jobs/{}", "/api/v1/people/{}"]
)
def test_an_impossible_id_in_a_path_is_not_found(
    coach: tuple[TestClient, dict[str, str]], path: str, number: int
) -> None:
    browser, _headers = coach
    assert browser.get(path.format(number)).status_code == 404


def test_the_largest_holdable_assessment_id_is_a_clean_not_found(
    coach: tuple[TestClient, dict[str, str]], world: World
) -> None:
    browser, headers = coach
    url = f"/api/v1/people/{world.alice}/plans/preview"
    answer = browser.post(url, json={"assessment_id": MAX_RECORD_ID}, headers=headers)
    assert answer.status_code in (404, 422), answer.text
    assert str(MAX_RECORD_ID) in answer.text
