"""The programme handout in a real browser: Playwright driving Debian's Chromium.

Screenshots go to ``$HIPLAB_ARTIFACTS`` (default: a temporary folder) so a person
can look at them; nothing is written into the repository.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from hiplab.library.loader import default_library
from hiplab.report.handout import render_plan_html
from tests.report.test_handout import EXERCISES, make_programme
from tests.report.test_report_browser import CHROMIUM, artifacts, open_page

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("HIPLAB_REQUIRE_BROWSER"),
    reason="Debian chromium is not installed (scripts/run_tests.sh installs it)",
)


@pytest.fixture(scope="module")
def handout_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("handout") / "plan.html"
    path.write_text(render_plan_html(make_programme(), library=default_library()), "utf-8")
    return path


@pytest.mark.parametrize("width", [1200, 390])
def test_handout_pictures_tables_and_fit(browser: Any, handout_file: Path, width: int) -> None:
    page, errors = open_page(browser, handout_file, width)
    assert page.get_by_text("Not a diagnosis", exact=False).first.is_visible()
    assert page.locator("article.plan-card").count() == len(EXERCISES)
    svgs = page.locator("svg")
    assert svgs.count() >= len(EXERCISES)
    for i in range(svgs.count()):
        box = svgs.nth(i).bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, i
    assert page.locator("table").count() == 4
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(artifacts() / f"handout-{width}.png"), full_page=True)
    assert errors == []
    page.close()


def test_phone_table_cells_say_what_they_are(browser: Any, handout_file: Path) -> None:
    page, _ = open_page(browser, handout_file, 390)
    cell = page.locator("td[data-label='Side']").first
    label = page.evaluate("el => getComputedStyle(el, '::before').content", cell.element_handle())
    assert label == '"Side: "'
    assert page.locator("thead").first.bounding_box()["x"] < 0  # header moved off screen
    page.close()


def test_referral_handout_in_the_browser(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "refer.html"
    path.write_text(render_plan_html(make_programme(refer=True), library=default_library()))
    page, errors = open_page(browser, path, 390)
    banner = page.get_by_role("alert")
    assert banner.is_visible() and "See a clinician first" in banner.inner_text()
    assert page.locator("svg").count() == 0 and page.locator("table").count() == 0
    page.screenshot(path=str(artifacts() / "handout-refer-390.png"), full_page=True)
    assert errors == []
    page.close()
