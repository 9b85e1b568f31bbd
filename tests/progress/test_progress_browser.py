"""The interactive progress page in a real browser: Playwright driving Debian's Chromium.

Every request that is not the page's own file is aborted, so the plots can only
render if plotly.js really is inlined. Screenshots go to ``$HIPLAB_ARTIFACTS``
(default: a temporary folder).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hiplab.library.loader import default_library
from hiplab.progress.build import gather_progress
from hiplab.progress.html import render_html
from tests.browser import CHROMIUM
from tests.progress.artifacts import artifacts
from tests.progress.conftest import PERSON, Filled

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("HIPLAB_REQUIRE_BROWSER"),
    reason="Debian chromium is not installed (scripts/run_tests.sh installs it)",
)


@pytest.fixture
def page_file(filled: Filled, tmp_path: Path) -> Path:
    report = gather_progress(
        store=filled.store,
        person_name=PERSON,
        library=default_library(),
        as_of=filled.start + timedelta(days=17),
    )
    path = tmp_path / "progress.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def open_offline(browser: Any, path: Path, width: int) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    blocked: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def only_the_file(route: Any) -> None:
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(path.as_uri())
    page.wait_for_selector(".js-plotly-plot .main-svg")
    return page, errors, blocked


def test_plots_render_offline_without_errors(browser: Any, page_file: Path) -> None:
    page, errors, blocked = open_offline(browser, page_file, 1280)

    plots = page.locator(".js-plotly-plot")
    assert plots.count() == 4 + 3  # four tests, adherence, pain, discomfort
    for i in range(plots.count()):
        box = plots.nth(i).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 200, i
    assert page.locator("#plot-hip_internal_rotation .scatterlayer .trace").count() == 2
    assert page.locator("#plot-adherence .bars .point").count() == 3
    assert page.get_by_text("Not a diagnosis", exact=False).first.is_visible()
    assert page.locator("#plot-hip_internal_rotation").get_by_text("real +6°").count() == 1
    page.screenshot(path=str(artifacts() / "progress-desktop.png"), full_page=True)
    assert errors == []
    assert blocked == []
    page.close()


def test_page_fits_a_phone_screen(browser: Any, page_file: Path) -> None:
    page, errors, _ = open_offline(browser, page_file, 390)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(artifacts() / "progress-phone.png"), full_page=True)
    assert errors == []
    page.close()
