"""Long histories on the progress page, through the app on both stores.

Dana has 45 assessments on 45 days (one every four days; hip internal rotation on both
sides, the deep squat score, a pain rating), so the tables need three pages of 20 days
(20, 20, 5) while the charts keep all 45 values of every line.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go
import pytest
from fastapi import FastAPI

from hiplab.library.loader import default_library
from hiplab.progress.charts import LABELLED_CHANGES
from hiplab.services import clinic
from hiplab.services.assessments import assess
from hiplab.store import PersonRef, Store
from hiplab.web.progress_view import TABLE_DAYS
from tests.web.conftest import TestClient, World, login, new_client

LIBRARY = default_library()
VISITS = 45
FIRST = date(2024, 1, 3)
DAYS = [FIRST + timedelta(days=4 * n) for n in range(VISITS)]
CHART_BLOCK = re.compile(
    r'<script type="application/json" id="progress-charts">(.*?)</script>', re.S
)


def visit(n: int) -> dict[str, Any]:
    return {
        "person": {"age": 52, "sex": "male"},
        "provenance": "clinician",
        "date": DAYS[n].isoformat(),
        "symptoms": [{"region": "groin", "side": "right", "pain": n % 6}],
        "tests": {
            "hip_internal_rotation_deg": {"left": 20 + n % 9, "right": 30 + (3 * n) % 7},
            "deep_squat_fms": n % 4,
        },
    }


@pytest.fixture
def dana(store: Store, world: World) -> int:
    """Coach A's client Dana with a login and 45 assessments; returns her person id."""
    person = clinic.create_client(
        store=store, coach_id=world.coach_a, name="Dana", age=52, sex="male",
        email="dana@client.test", password="correct horse battery",
    )  # fmt: skip
    for n in range(VISITS):
        data = clinic.parse_assessment(visit(n))
        store.assessments.save(
            person=PersonRef.named("Dana"), data=data, result=assess(data, LIBRARY)
        )
    return person.id


@pytest.fixture
def coach(app: FastAPI, client: TestClient, world: World) -> TestClient:
    browser = new_client(app)
    login(browser, "a@coach.test")
    return browser


def charts_of(html: str) -> dict[str, Any]:
    found = CHART_BLOCK.search(html)
    assert found is not None
    payload: dict[str, Any] = json.loads(found.group(1))
    return {chart["id"]: chart for chart in payload["charts"]}


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def dates_in(table: str) -> list[str]:
    return re.findall(r'data-label="Date">([^<]*)<', table)


def test_the_charts_hold_every_value_of_every_assessment(
    coach: TestClient, store: Store, dana: int
) -> None:
    charts = charts_of(coach.get(f"/people/{dana}/progress").text)
    stored = store.assessments.test_results(person=PersonRef.named("Dana"))
    rotation = charts["chart-hip_internal_rotation"]["data"]
    for trace, side in zip(rotation, ("left", "right"), strict=True):
        assert trace["name"] == side
        expected = [r.value for r in stored if r.test == "hip_internal_rotation" and r.side == side]
        assert trace["y"] == expected and len(expected) == VISITS
        assert len(trace["x"]) == len(trace["text"]) == VISITS
        assert [t.split(":")[0] for t in trace["text"]] == [f"{d.day} {d:%b %Y}" for d in DAYS]
    squat = charts["chart-deep_squat_fms"]["data"]
    assert [t["y"] for t in squat] == [[float(n % 4) for n in range(VISITS)]]
    pain = charts["chart-pain"]["data"][0]
    assert pain["x"] == [d.isoformat() for d in DAYS]
    assert pain["y"] == [n % 6 for n in range(VISITS)]


def test_every_point_says_its_date_value_and_change_when_hovered(
    coach: TestClient, dana: int
) -> None:
    rotation = charts_of(coach.get(f"/people/{dana}/progress").text)["chart-hip_internal_rotation"]
    left = rotation["data"][0]["text"]
    assert left[0] == "3 Jan 2024: 20°, first measurement"
    assert left[1] == "7 Jan 2024: 21°, +1° no real change"  # 1° is within the 5.4° MDC
    assert left[8] == "4 Feb 2024: 28°, +1° no real change"
    assert left[9] == "8 Feb 2024: 20°, −8° real change (worse)"


def test_a_long_history_labels_first_to_latest_instead_of_every_change(
    coach: TestClient, dana: int
) -> None:
    assert VISITS - 1 > LABELLED_CHANGES
    layout = charts_of(coach.get(f"/people/{dana}/progress").text)["chart-hip_internal_rotation"][
        "layout"
    ]
    labels = [a["text"] for a in layout["annotations"]]
    assert len(labels) == 2  # one per side
    assert all(label.startswith("<i>first to latest: ") for label in labels)
    assert layout["shapes"][0]["y0"] == 30  # the normal range (≥ 30°) is still shaded
    assert layout["shapes"][1]["line"]["dash"] == "dash"  # and the typical value dashed


def test_every_chart_is_valid_plotly(coach: TestClient, dana: int) -> None:
    for chart in charts_of(coach.get(f"/people/{dana}/progress").text).values():
        figure = go.Figure(data=chart["data"], layout=chart["layout"])  # raises if invalid
        assert len(figure.data) == len(chart["data"])


def test_the_tables_show_the_latest_days_then_older_pages(coach: TestClient, dana: int) -> None:
    assert TABLE_DAYS == 20
    seen: Counter[str] = Counter()
    pages = {}
    for number in (1, 2, 3):
        html = coach.get(f"/people/{dana}/progress?page={number}").text
        table = section(html, "h-hip_internal_rotation")
        pages[number] = (html, dates_in(table))
        seen.update(dates_in(table))
    latest, middle, oldest = (pages[n][1] for n in (1, 2, 3))
    iso = [d.isoformat() for d in DAYS]
    assert latest == [day for day in iso[25:] for _side in (1, 2)]  # oldest first, left, right
    assert middle == [day for day in iso[5:25] for _side in (1, 2)]
    assert oldest == [day for day in iso[:5] for _side in (1, 2)]
    assert seen == Counter({day: 2 for day in iso})  # every value once, on one page
    first_page = pages[1][0]
    assert f"from {iso[25]} to {iso[44]}, oldest first (20 of the 45 days on record)" in first_page
    assert "page 1 of 3 (the latest)" in first_page
    assert 'href="?page=2">Older values' in first_page
    assert "Newer values" not in first_page
    assert 'href="?page=1">Newer values' in pages[2][0]
    last_page = pages[3][0]
    assert "Older values" not in last_page
    assert 'href="?page=2">Newer values' in last_page and 'href="?page=1">Latest' in last_page


def test_the_pain_table_pages_with_the_others(coach: TestClient, dana: int) -> None:
    html = coach.get(f"/people/{dana}/progress?page=3").text
    rows = re.findall(
        r'data-label="Date">([^<]*)</td><td data-label="Pain">(\d+)<', section(html, "h-chart-pain")
    )
    assert rows == [(DAYS[n].isoformat(), str(n % 6)) for n in range(5)]


def test_a_page_past_the_oldest_shows_the_oldest(coach: TestClient, dana: int) -> None:
    past = coach.get(f"/people/{dana}/progress?page=99")
    assert past.status_code == 200
    assert "page 3 of 3" in past.text
    assert dates_in(section(past.text, "h-hip_internal_rotation"))[0] == DAYS[0].isoformat()
    assert coach.get(f"/people/{dana}/progress?page=0").status_code == 422
    assert coach.get(f"/people/{dana}/progress?page=two").status_code == 422


def test_a_short_history_has_one_page_and_no_page_links(coach: TestClient, world: World) -> None:
    html = coach.get(f"/people/{world.alice}/progress").text
    assert "Older values" not in html and "days at a time" not in html
    assert "Values of Hip internal rotation (prone or seated 90/90), oldest first" in html


def test_the_client_turns_the_pages_of_her_own_progress(
    app: FastAPI, client: TestClient, dana: int
) -> None:
    browser = new_client(app)
    login(browser, "dana@client.test")
    page = browser.get("/me/progress?page=2")
    assert page.status_code == 200
    assert "page 2 of 3" in page.text
    table = section(page.text, "h-hip_internal_rotation")
    assert dates_in(table)[0] == DAYS[5].isoformat()
    assert len(charts_of(page.text)["chart-hip_internal_rotation"]["data"][0]["y"]) == VISITS
