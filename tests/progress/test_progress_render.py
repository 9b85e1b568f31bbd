"""Text, PNG and HTML renderings of a progress report."""

from __future__ import annotations

import doctest
import io
import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from PIL import Image
from rich.console import Console

import hiplab.progress.png
from hiplab.library.loader import default_library
from hiplab.progress.build import build_progress, gather_progress
from hiplab.progress.html import render_html
from hiplab.progress.models import ProgressReport
from hiplab.progress.png import figure_size_px, render_png
from hiplab.progress.text import render_text
from hiplab.store import StoredTestResult
from tests.progress.artifacts import artifacts
from tests.progress.conftest import PERSON, Filled

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def report(filled: Filled) -> ProgressReport:
    return gather_progress(
        store=filled.store,
        person_name=PERSON,
        library=default_library(),
        as_of=filled.start + timedelta(days=17),
    )


@pytest.fixture
def bare_report() -> ProgressReport:
    """One unsided score measured twice; no plan, no symptoms, no sessions."""
    rows = [
        StoredTestResult(assessment_id=n, taken_on=day, test="deep_squat_fms", side=None,
                         value=value, unit="score 0–3", provenance="self")
        for n, (day, value) in enumerate([(date(2024, 1, 1), 1.0), (date(2024, 3, 1), 2.0)], 1)
    ]  # fmt: skip
    return build_progress(
        person_name="Bo <b>",
        results=rows,
        assessments=[],
        plans=[],
        logs=[],
        library=default_library(),
        as_of=date(2024, 6, 1),
    )


def text_of(report: ProgressReport) -> str:
    buffer = io.StringIO()
    render_text(report, console=Console(file=buffer, width=160, color_system=None))
    return buffer.getvalue()


def test_text_report(report: ProgressReport) -> None:
    text = text_of(report)

    assert "Progress of Alice Example" in text
    assert "Hip internal rotation" in text
    assert "28° → 31° → 37°" in text
    assert "+6° real change (better)" in text
    assert "+1° no real change" in text
    assert "normal ≥ 30°, typical 35.2°; MDC 5.4°" in text
    assert "5 of 6 planned sessions (83%) in 2 finished weeks; streak 0 weeks" in text
    assert "in progress" in text
    assert "2024-01-10 5/10" in text
    assert "thomas_thigh_abduction" in text
    assert "hiplab is not a diagnosis" in text


def test_text_report_without_plan(bare_report: ProgressReport) -> None:
    text = text_of(bare_report)
    assert "Bo <b>" in text
    assert "1 → 2" in text
    assert "+1 no error estimate (better)" in text
    assert "No plan saved yet." in text
    assert "none reported" in text


def test_png_is_a_valid_image_of_the_set_size(report: ProgressReport) -> None:
    data = render_png(report)
    (artifacts() / "progress.png").write_bytes(data)

    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == figure_size_px(report) == (1350, 1155)
        assert "Software" not in image.info
    assert render_png(report) == data  # same report, same bytes


def test_png_without_plan_or_pain(bare_report: ProgressReport) -> None:
    data = render_png(bare_report)
    (artifacts() / "progress-bare.png").write_bytes(data)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == figure_size_px(bare_report) == (1350, 815)


def without_bundle(page: str) -> str:
    from plotly.offline import get_plotlyjs

    bundle = get_plotlyjs()
    assert page.count(bundle) == 1, "plotly.js must be inlined exactly once"
    return page.replace(bundle, "")


def test_html_is_standalone(report: ProgressReport) -> None:
    page = render_html(report)
    (artifacts() / "progress.html").write_text(page, encoding="utf-8")

    rest = without_bundle(page)
    assert "cdn." not in rest
    assert "https://cdn" not in rest
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert page.startswith("<!DOCTYPE html>")
    assert "Not a diagnosis" in rest
    for div_id in ("plot-hip_internal_rotation", "plot-adherence", "plot-pain", "plot-discomfort"):
        assert f'id="{div_id}"' in rest
    assert "+6° real change (better)" in rest
    assert render_html(report) == page  # no random ids or time stamps


def test_html_escapes_and_handles_missing_parts(bare_report: ProgressReport) -> None:
    page = without_bundle(render_html(bare_report))
    assert "Bo &lt;b&gt;" in page
    assert "Bo <b>" not in page
    assert "No plan saved yet." in page
    assert page.count("Nothing reported.") == 2


def test_png_docstring_examples() -> None:
    result = doctest.testmod(hiplab.progress.png)
    assert result.failed == 0


def long_report(days: int) -> ProgressReport:
    """One unsided score measured weekly on ``days`` days (no plan, no pain)."""
    start = date(2023, 1, 2)
    rows = []
    for n in range(days):
        day = start + timedelta(days=7 * n)
        rows.append(StoredTestResult(assessment_id=n + 1, taken_on=day, test="deep_squat_fms",
                                     side=None, value=float(n % 4), unit="score 0–3",
                                     provenance="self"))  # fmt: skip
    return build_progress(
        person_name="Lee </script>",
        results=rows,
        assessments=[],
        plans=[],
        logs=[],
        library=default_library(),
        as_of=start + timedelta(days=7 * days),
    )


def payload_of(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="progress-charts">(.*?)</script>',
                      page, re.DOTALL)  # fmt: skip
    assert found is not None
    payload: dict[str, Any] = json.loads(found.group(1))
    return payload


def test_html_of_a_long_history_charts_every_value_and_summarises_the_list() -> None:
    report = long_report(300)
    page = without_bundle(render_html(report))
    charts = payload_of(page)["charts"]
    assert [c["id"] for c in charts] == ["plot-deep_squat_fms"]
    assert charts[0]["data"][0]["y"] == [float(n % 4) for n in range(300)]
    summary = re.findall(r"<li>(.*?)</li>", page)[0]
    assert summary.startswith("FMS deep squat: ")
    assert "0 on 2023-01-02, 289 more, then " in summary
    assert summary.count("→") == 9  # the latest ten values
    assert "Lee &lt;/script&gt;" in page
    assert page.count("</script>") == 3  # plotly.js, the JSON block, charts.js: none inside


def test_html_page_grows_linearly_with_the_history() -> None:
    sizes = {days: len(without_bundle(render_html(long_report(days)))) for days in (50, 200)}
    per_value = (sizes[200] - sizes[50]) / 150
    assert per_value < 200  # bytes a value: arrays of numbers and short texts, not figures
