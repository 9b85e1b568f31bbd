"""A coach in a real browser: signs up a client with a login, enters an assessment
(first with a value out of range, which shows the CLI's own message), sees the findings,
the chain diagram and the report, and finds the client in the list."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from tests.e2e.conftest import (
    COACH_EMAIL,
    PASSWORD,
    PHONE,
    SQLITE_ONLY,
    Server,
    Tab,
    assign_plan,
    charts_drawn,
    horizontal_overflow,
    log_in,
    page_basics,
    seed_client,
    unique,
    unlabelled_controls,
)

IR_LEFT = "#f-tests-hip_internal_rotation_deg-left"
IR_RIGHT = "#f-tests-hip_internal_rotation_deg-right"
KTW_LEFT = "#f-tests-knee_to_wall_cm-left"
KTW_RIGHT = "#f-tests-knee_to_wall_cm-right"
DATE = "#f-date"


def _cli_field_message(server: Server, tmp_path: Path, data: dict[str, object]) -> str:
    """Return the line ``hiplab assess FILE`` prints about the bad field."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = server.hiplab("assess", str(path))
    assert done.returncode != 0, done.stdout
    lines = [line.strip() for line in done.stderr.splitlines() if "field '" in line]
    assert lines, done.stderr
    return lines[0]


def create_client(tab: Tab, name: str, email: str) -> int:
    """Fill and send the new-client form; return the new person's id."""
    tab.page.locator("main").get_by_role("link", name="New client").click()
    assert unlabelled_controls(tab) == []
    tab.page.get_by_label("Name").fill(name)
    tab.page.get_by_label("Age").fill("38")
    tab.page.get_by_label("Sex").select_option("female")
    tab.page.get_by_label("E-mail").fill(email)
    tab.page.get_by_label("Password").fill(PASSWORD)
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Create client").click()
    found = re.search(r"/people/(\d+)$", tab.page.url)
    assert found, tab.page.url
    return int(found.group(1))


def test_coach_signs_up_a_client_and_enters_an_assessment(
    tab: Tab, server: Server, tmp_path: Path
) -> None:
    page = tab.page
    log_in(tab, COACH_EMAIL)
    assert page.url.endswith("/coach")
    assert page.get_by_role("heading", level=1).inner_text() == "Your clients"

    name, email = unique("Robin"), f"{unique('robin').replace(' ', '')}@client.e2e.test"
    person_id = create_client(tab, name, email)
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert f"login: {email}" in page.locator("main").inner_text()
    assert "No assessment yet." in page.locator("main").inner_text()

    page.get_by_role("link", name="New assessment").click()
    assert page.url.endswith(f"/people/{person_id}/assessments/new")
    assert unlabelled_controls(tab) == []
    assert page.locator("#f-person-age").input_value() == "38"  # filled from the person
    page.locator(IR_LEFT).fill("120")  # out of range: 0 to 90
    page.locator(IR_RIGHT).fill("40")
    page.locator(KTW_LEFT).fill("6")
    page.locator(KTW_RIGHT).fill("11")
    page.locator(DATE).fill("2026-02-01")
    tab.expect_status(422)
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Assess and save").click()
    assert sent.value.status == 422

    alert = page.get_by_role("alert").inner_text()
    expected = _cli_field_message(
        server,
        tmp_path,
        {
            "person": {"age": 38, "sex": "female"},
            "tests": {
                "hip_internal_rotation_deg": {"left": 120.0, "right": 40.0},
                "knee_to_wall_cm": {"left": 6.0, "right": 11.0},
            },
            "provenance": "clinician",
            "date": "2026-02-01",
        },
    )
    assert "'tests.hip_internal_rotation_deg.left' has value 120.0" in expected
    assert expected in alert
    assert page.locator(IR_LEFT).get_attribute("aria-invalid") == "true"
    assert page.locator(IR_LEFT).get_attribute("aria-describedby") == "form-error"
    assert page.locator(IR_LEFT).input_value() == "120"  # what was typed is kept
    assert page.locator(KTW_RIGHT).input_value() == "11"
    tab.shot("assessment_form_error.png")

    page.locator(IR_LEFT).fill("20")
    with page.expect_navigation():
        page.get_by_role("button", name="Assess and save").click()
    assert page.url.endswith(f"/people/{person_id}")
    main = page.locator("main").inner_text()
    assert "Latest assessment, 2026-02-01" in main
    # The corrected value was saved: left internal rotation 20° is below the norm (30°).
    limited = page.locator("table.cards tbody tr", has_text="Limited hip internal rotation")
    assert limited.count() == 1
    assert limited.locator("td[data-label='Side']").inner_text() == "left"
    assert limited.locator("td[data-label='Value']").inner_text() == "20°"
    diagram = page.locator("figure.diagram svg")
    assert diagram.count() == 1
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    tab.shot("person_page.png")

    page.locator("main").get_by_role("link", name="Progress").click()
    assert page.url.endswith(f"/people/{person_id}/progress")
    assert page.get_by_role("heading", level=1).inner_text() == f"Progress of {name}"
    assert len(charts_drawn(tab)) >= 2  # internal rotation and knee-to-wall, one date each

    page.get_by_role("link", name="Clients").click()
    row = page.locator("table.cards tbody tr", has_text=name)
    assert row.count() == 1
    assert "2026-02-01" in row.inner_text()
    tab.shot("coach_clients.png")

    row.get_by_role("link", name=name).click()
    with page.expect_navigation() as report:
        page.get_by_role("link", name="Full report (HTML)").click()
    assert report.value.status == 200
    assert page.url.endswith("/report.html")
    assert name in page.content()
    assert page.locator("h1").count() >= 1
    tab.shot("report.png")


@SQLITE_ONLY
def test_coach_pages_fit_a_phone(tabs: Callable[..., Tab], server: Server) -> None:
    tab = tabs(PHONE)
    log_in(tab, COACH_EMAIL)
    tab.goto("/coach")
    new_id = create_client(tab, unique("Sam"), f"{unique('sam').replace(' ', '')}@client.e2e.test")
    person = seed_client(server, name=unique("Ines"))
    plan_id = assign_plan(tab, person, shot="plan_preview_phone.png")
    pid = person.person_id
    for path, shot in (
        ("/coach", "coach_clients_phone.png"),
        ("/coach/clients/new", None),
        (f"/people/{new_id}", None),
        (f"/people/{pid}", "person_page_phone.png"),
        (f"/people/{pid}/assessments/new", "assessment_form_phone.png"),
        (f"/people/{pid}/plans", None),
        (f"/plans/{plan_id}", "plan_phone.png"),
        (f"/plans/{plan_id}/edit?week=1&item=1", "plan_edit_phone.png"),
        (f"/people/{pid}/videos", None),
        (f"/people/{pid}/progress", None),
        (f"/people/{pid}/export", None),
    ):
        response = tab.goto(path)
        assert response.status == 200, path
        width = horizontal_overflow(tab)
        assert width["scroll"] <= width["client"], (path, width)
        assert page_basics(tab) == [], path
        if shot:
            tab.shot(shot)
