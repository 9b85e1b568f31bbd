"""Progress in a real browser: the client's charts are drawn by plotly.js served by the
app itself (every request stays on 127.0.0.1), on a desktop and on a phone; a long
history keeps every value in its charts and turns the pages of its tables. (The coach's
view of progress is in test_coach_flow.)"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.e2e.conftest import (
    PHONE,
    SEED_ASSESSMENT,
    SQLITE_ONLY,
    Server,
    Tab,
    charts_drawn,
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


def test_client_sees_progress_charts_drawn_from_the_app_alone(tab: Tab, server: Server) -> None:
    me = seed_client(server, name=unique("Pat"), assessments=(SEED_ASSESSMENT, LATER))
    log_in(tab, me.email)
    tab.page.get_by_role("navigation", name="Main").get_by_role("link", name="My progress").click()
    assert tab.page.url.endswith("/me/progress")
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Your progress"

    charts = charts_drawn(tab)
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

    tab.page.set_viewport_size(PHONE)
    tab.page.reload()
    assert len(charts_drawn(tab)) == len(charts)
    width = horizontal_overflow(tab)
    assert width["scroll"] <= width["client"], width
    tab.shot("progress_phone.png")


LONG = 45
FIRST = date(2025, 1, 6)


def long_history() -> tuple[dict[str, Any], ...]:
    """Return 45 weekly assessments (hip internal rotation both sides, knee-to-wall)."""
    return tuple(
        {
            **SEED_ASSESSMENT,
            "date": (FIRST + timedelta(days=7 * n)).isoformat(),
            "tests": {
                "hip_internal_rotation_deg": {"left": 18 + n % 9, "right": 30 + n % 5},
                "knee_to_wall_cm": {"left": 6 + n % 4, "right": 10},
            },
        }
        for n in range(LONG)
    )


POINTS_JS = """
id => [...document.querySelectorAll(`#${id} .scatterlayer .trace`)]
        .map(trace => trace.querySelectorAll('.points path').length)
"""


@SQLITE_ONLY
def test_a_long_history_draws_every_value_and_pages_its_tables(tab: Tab, server: Server) -> None:
    me = seed_client(server, name=unique("Robin"), assessments=long_history())
    log_in(tab, me.email)
    tab.goto("/me/progress")
    charts = charts_drawn(tab)
    assert {c["id"] for c in charts} >= {"chart-hip_internal_rotation", "chart-knee_to_wall"}
    assert tab.page.evaluate(POINTS_JS, "chart-hip_internal_rotation") == [LONG, LONG]
    rotation = tab.page.locator("section.progress-test:has(#h-hip_internal_rotation)")
    dates = rotation.locator("td[data-label=Date]").all_inner_texts()
    assert dates[0] == (FIRST + timedelta(days=7 * 25)).isoformat()  # the latest 20 days
    assert len(dates) == 2 * 20
    tab.shot("progress_long.png")

    pages = tab.page.get_by_role("navigation", name="Pages of the tables", exact=True)
    with tab.page.expect_navigation():
        pages.get_by_role("link", name="Older values").click()
    assert tab.page.url.endswith("/me/progress?page=2")
    assert len(charts_drawn(tab)) == len(charts)  # every page draws every value
    older = rotation.locator("td[data-label=Date]").all_inner_texts()
    assert older[0] == (FIRST + timedelta(days=7 * 5)).isoformat() and len(older) == 40

    tab.page.set_viewport_size(PHONE)
    tab.page.reload()
    assert tab.page.evaluate(POINTS_JS, "chart-hip_internal_rotation") == [LONG, LONG]
    width = horizontal_overflow(tab)
    assert width["scroll"] <= width["client"], width
    assert unlabelled_controls(tab) == []
    tab.shot("progress_long_phone.png")
