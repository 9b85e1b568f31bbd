"""Who measured (issue 11 §5): a client records only self-measured values.

``clinician`` needs a coach; ``video`` needs a finished analysis (the job's
use-measurements step), so neither the form nor the API takes it from anyone.
Each refusal is a 422 with a plain message and stores nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from hiplab.store import PersonRef, Store
from tests.web.conftest import TestClient, World, csrf_of_page, login, new_client


def body(provenance: str) -> dict[str, Any]:
    return {
        "person": {"age": 34, "sex": "female"},
        "tests": {"hip_internal_rotation_deg": {"left": 25, "right": 35}},
        "provenance": provenance,
        "date": "2025-02-01",
    }


def browser_of(app: FastAPI, email: str) -> tuple[TestClient, str]:
    browser = new_client(app)
    return browser, login(browser, email)


def count(store: Store, world: World) -> int:
    return len(store.assessments.history(person=PersonRef.named("Alice")))


@pytest.mark.parametrize(
    ("provenance", "words"),
    [
        (
            "clinician",
            "is for values a coach measured; you can record values you measured "
            "yourself; allowed: self",
        ),
        (
            "video",
            "cannot be entered: values measured from a video are stored from the finished analysis",
        ),
    ],
)
def test_a_client_posting_another_provenance_to_the_api_is_refused(
    app: FastAPI, store: Store, world: World, provenance: str, words: str
) -> None:
    alice, csrf = browser_of(app, "alice@client.test")
    before = count(store, world)
    response = alice.post(
        f"/api/v1/people/{world.alice}/assessments",
        json=body(provenance),
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 422, response.text
    detail = str(response.json()["detail"])
    assert words in detail
    assert detail.endswith(": self")
    assert count(store, world) == before


def test_a_client_records_a_self_test_through_the_api(
    app: FastAPI, store: Store, world: World
) -> None:
    alice, csrf = browser_of(app, "alice@client.test")
    response = alice.post(
        f"/api/v1/people/{world.alice}/assessments",
        json=body("self"),
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 201, response.text
    assert store.assessments.latest(person=PersonRef.named("Alice")).data.provenance == "self"


def test_a_coach_cannot_enter_video_values_without_an_analysis(
    app: FastAPI, store: Store, world: World
) -> None:
    coach, csrf = browser_of(app, "a@coach.test")
    before = count(store, world)
    response = coach.post(
        f"/api/v1/people/{world.alice}/assessments",
        json=body("video"),
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 422, response.text
    assert "allowed here: self, clinician" in str(response.json()["detail"])
    assert count(store, world) == before


def test_the_client_form_offers_only_self_and_refuses_clinician(
    app: FastAPI, store: Store, world: World
) -> None:
    alice, _ = browser_of(app, "alice@client.test")
    page = alice.get(f"/people/{world.alice}/assessments/new").text
    assert '<option value="self"' in page
    assert '<option value="clinician"' not in page
    assert '<option value="video"' not in page
    before = count(store, world)
    response = alice.post(
        f"/people/{world.alice}/assessments",
        data={
            "csrf_token": csrf_of_page(page),
            "person.age": "34",
            "person.sex": "female",
            "tests.hip_internal_rotation_deg.left": "25",
            "provenance": "clinician",
        },
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "is for values a coach measured" in response.text
    assert count(store, world) == before


def test_a_pasted_file_claiming_clinician_is_refused_for_a_client(
    app: FastAPI, store: Store, world: World
) -> None:
    alice, _ = browser_of(app, "alice@client.test")
    page = alice.get(f"/people/{world.alice}/assessments/new").text
    before = count(store, world)
    document = "person: {age: 34, sex: female}\nprovenance: clinician\n"
    response = alice.post(
        f"/people/{world.alice}/assessments",
        data={"csrf_token": csrf_of_page(page), "document": document},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert count(store, world) == before


def test_the_coach_form_offers_self_and_clinician(app: FastAPI, world: World) -> None:
    coach, _ = browser_of(app, "a@coach.test")
    page = coach.get(f"/people/{world.alice}/assessments/new").text
    assert '<option value="clinician" selected' in page
    assert '<option value="video"' not in page
