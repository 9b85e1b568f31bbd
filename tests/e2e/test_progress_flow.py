"""Progress in a real browser: the client's charts are drawn by plotly.js served by the
app itself (every request stays on 127.0.0.1), on a desktop and on a phone; the coach
sees the same client's progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.e2e.conftest import (
    COACH_EMAIL,
    PHONE,
    SEED_ASSESSMENT,
    SQLITE_ONLY,
    Server,
    Tab,
    horizontal_overflow,
    log_in,
    seed_client,
    unique,
    unlabelled_controls,
)

LATER = {
    **SEED_ASSESSMENT,
    "tests": {
        "hip_internal_rotation_deg": {"left": 26, "right": 37},
        "knee_to_wall_cm": {"left": 9, "right": 11.5},
    },
    "date": "2026-02-20",
}


def _charts_drawn(tab: Tab) -> list[dict[str, Any]]:
    """Wait until every chart is drawn; return each chart's id and what plotly put in it."""
    page = tab.page
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart')].length > 0 && "
        "[...document.querySelectorAll('.chart')].every(c => c.dataset.drawn === 'true')"
    )
    found: list[dict[str, Any]] = page.evaluate(
        """() => [...document.querySelectorAll('.chart')].map(c => ({
              id: c.id, hidden: c.hidden,
              svg: c.querySelectorAll('svg').length,
              points: c.querySelectorAll('.point, .scatterlayer path').length,
              height: c.getBoundingClientRect().height}))"""
    )
    return found


def test_client_sees_progress_charts_drawn_from_the_app_alone(tab: Tab, server: Server) -> None:
    me = seed_client(server, name=unique("Pat"), assessments=(SEED_ASSESSMENT, LATER))
    log_in(tab, me.email)
    tab.page.get_by_role("navigation", name="Main").get_by_role("link", name="My progress").click()
    assert tab.page.url.endswith("/me/progress")
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Your progress"

    charts = _charts_drawn(tab)
    assert len(charts) >= 2, charts  # internal rotation and knee-to-wall at least
    for chart in charts:
        assert not chart["hidden"] and chart["svg"] >= 1 and chart["height"] > 100, chart
        assert chart["points"] >= 1, chart
    table = tab.page.locator("section.progress-test", has_text="2026-02-20").first
    assert "2026-01-10" in table.inner_text()  # the table under the chart holds both dates

    plotly = [url for url in tab.requests if "plotly" in url]
    assert plotly and all(url.startswith(server.url + "/assets/") for url in plotly), plotly
    assert all(url.startswith((server.url + "/", "data:", "blob:")) for url in tab.requests)
    assert unlabelled_controls(tab) == []
    tab.shot("progress.png")


@SQLITE_ONLY
def test_progress_fits_a_phone_and_the_coach_sees_it_too(
    tabs: Callable[..., Tab], server: Server
) -> None:
    me = seed_client(server, name=unique("Jo"), assessments=(SEED_ASSESSMENT, LATER))
    phone = tabs(PHONE)
    log_in(phone, me.email)
    phone.goto("/me/progress")
    assert _charts_drawn(phone)
    width = horizontal_overflow(phone)
    assert width["scroll"] <= width["client"], width
    phone.shot("progress_phone.png")

    coach = tabs()
    log_in(coach, COACH_EMAIL)
    coach.goto(f"/people/{me.person_id}")
    coach.page.locator("main").get_by_role("link", name="Progress").click()
    assert coach.page.url.endswith(f"/people/{me.person_id}/progress")
    assert coach.page.get_by_role("heading", level=1).inner_text() == f"Progress of {me.name}"
    assert len(_charts_drawn(coach)) >= 2
