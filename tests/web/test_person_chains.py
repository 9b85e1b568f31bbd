"""A person's page words chain links by their grade and never shows a stacked link as measured."""

from __future__ import annotations

from hiplab.explain.chains import node_labels
from hiplab.library import default_library
from tests.web.conftest import TestClient, World, csrf_of_page, login


def test_the_person_page_names_the_route_of_a_stacked_link(
    client: TestClient, world: World
) -> None:
    login(client, "a@coach.test")
    token = csrf_of_page(client.get(f"/people/{world.alice}/assessments/new").text)
    form = {
        "csrf_token": token,
        "person.age": "30",
        "person.sex": "female",
        "tests.landing_peak_knee_flexion_deg.left": "70",
        "provenance": "clinician",
        "date": "2025-02-01",
    }
    saved = client.post(f"/people/{world.alice}/assessments", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(f"/people/{world.alice}").text
    labels = node_labels(default_library().chains)
    assert f"{labels['poor_impact_absorption']} may contribute to" in page
    assert "Not measured: hiplab did not measure" in page
    assert "(inferred)" not in page
    assert "poor_impact_absorption" not in page
