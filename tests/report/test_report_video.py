"""Reports show each value measured from video with its ``± sd`` and verdict."""

from __future__ import annotations

import re
from html import unescape

from rich.console import Console

from hiplab.library.loader import Library
from hiplab.records.assessment import Assessment
from hiplab.records.intake import VideoMeasurement
from hiplab.report import render_html, render_text

VIDEO = (
    VideoMeasurement(
        test="thomas.right.thigh_angle_deg",
        label="Thomas test, right thigh angle",
        value=-9.6,
        unit="°",
        uncertainty=4.1,
        verdict="reliable",
    ),
    VideoMeasurement(
        test="deep_squat_fms",
        label="deep squat score (FMS)",
        value=2,
        unit="points",
        uncertainty=None,
        verdict="reliable",
    ),
)


def words(page: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_html_report_shows_video_values_with_uncertainty_and_verdict(
    assessment: Assessment, library: Library
) -> None:
    page = render_html(
        assessment,
        library=library,
        person_label="Alex",
        date="2024-05-01",
        video_measurements=VIDEO,
    )
    text = words(page)
    assert "Measured from video" in text
    assert "Thomas test, right thigh angle measured from video -9.6° ± 4.1° reliable" in text
    assert "Deep squat score (FMS) measured from video 2 points none (a score) reliable" in text
    assert "standard uncertainty" in text
    assert "thomas.right" not in page and "deep_squat_fms" not in page  # no ids for people


def test_a_report_without_video_values_has_no_video_section(
    assessment: Assessment, library: Library
) -> None:
    page = render_html(assessment, library=library, person_label="Alex", date="2024-05-01")
    assert "Measured from video" not in page


def test_the_text_report_shows_video_values(assessment: Assessment) -> None:
    console = Console(record=True, width=160)
    render_text(assessment, console=console, video_measurements=VIDEO)
    text = console.export_text()
    assert "Measured from video" in text
    assert re.search(
        r"Thomas test, right thigh angle\s*│\s*-9\.6°\s*│\s*± 4\.1°\s*│\s*reliable", text
    )
    plain = Console(record=True, width=160)
    render_text(assessment, console=plain)
    assert "Measured from video" not in plain.export_text()
