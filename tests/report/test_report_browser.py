"""The HTML report in a real browser: Playwright driving Debian's Chromium.

Screenshots go to ``$HIPLAB_ARTIFACTS`` (default: a temporary folder) so a person
can look at them; nothing is written into the repository.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from hiplab.assess.parse import load_assessment_file
from hiplab.services.assessments import AssessOutcome, render_report
from hiplab.services.catalogue import sample_path
from tests.browser import CHROMIUM

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("HIPLAB_REQUIRE_BROWSER"),
    reason="Debian chromium is not installed (scripts/run_tests.sh installs it)",
)


def artifacts() -> Path:
    folder = Path(
        os.environ.get("HIPLAB_ARTIFACTS") or Path(tempfile.gettempdir()) / "hiplab-artifacts"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hiplab.services.assessments import assess
    from hiplab.services.catalogue import library

    data = load_assessment_file(sample_path())
    outcome = AssessOutcome(
        data=data,
        result=assess(data, library()),
        person="Sam Sample",
        date="2026-11-20",
        assessment_id=None,
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(str(render_report(outcome, "html")), encoding="utf-8")
    return path


def open_page(browser: Any, path: Path, width: int) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, errors


def test_report_renders_every_picture_without_errors(browser: Any, report_file: Path) -> None:
    page, errors = open_page(browser, report_file, 1200)
    assert page.get_by_text("Not a diagnosis", exact=False).first.is_visible()
    svgs = page.locator("svg")
    count = svgs.count()
    assert count >= 10
    for i in range(count):
        box = svgs.nth(i).bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, i
    assert page.locator("table th").count() >= 5
    page.screenshot(path=str(artifacts() / "report-desktop.png"), full_page=True)
    assert errors == []
    page.close()


def test_report_fits_a_phone_screen(browser: Any, report_file: Path) -> None:
    page, errors = open_page(browser, report_file, 390)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(artifacts() / "report-phone.png"), full_page=True)
    assert errors == []
    page.close()
