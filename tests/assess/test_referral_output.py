"""Every place a red flag reaches a person says why, whom to see and how soon.

Terminal report, HTML report, JSON, the plan's referral reason and the web's flags.
"""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from hiplab.assess.parse import validate
from hiplab.library import default_library
from hiplab.library.loader import Library
from hiplab.records.assessment import Assessment
from hiplab.services.assessments import assess

ANSWERS = {
    "person": {"age": 12, "sex": "male"},
    "screening": {"night_pain": True, "saddle_numbness": True},
    "tests": {"hip_internal_rotation_deg": {"left": 14, "right": 38}},
}
EMERGENCY = "Go to the emergency department (A&E or ER) now."
SOON = "See your family doctor (GP) within a few days."


@pytest.fixture(scope="module")
def lib() -> Library:
    return default_library()


@pytest.fixture(scope="module")
def referred(lib: Library) -> Assessment:
    return assess(validate(ANSWERS), lib)


def test_the_assessment_refers_with_three_flags(referred: Assessment) -> None:
    assert referred.refer is True
    assert [f.id for f in referred.red_flags] == ["saddle_numbness", "night_pain", "possible_scfe"]
    assert referred.recommendations == ()


def test_terminal_report_gives_why_who_and_when_most_urgent_first(referred: Assessment) -> None:
    from hiplab.report.text import render_text

    buffer = io.StringIO()
    render_text(referred, console=Console(file=buffer, width=200, no_color=True))
    out = " ".join(buffer.getvalue().split())
    assert "EMERGENCY: Numbness around the groin" in out
    assert EMERGENCY in out
    assert SOON in out
    assert "X-ray of both hips" in out
    assert out.index(EMERGENCY) < out.index("URGENT:") < out.index("SOON:")


def test_html_report_gives_who_and_when(referred: Assessment, lib: Library) -> None:
    from hiplab.report.html import render_html

    page = render_html(referred, library=lib, person_label="Kit", date="2026-01-02")
    section = page[page.index('id="refer-heading"') : page.index('id="precautions-heading"')]
    assert "Go to the emergency department (A&amp;E or ER) now." in section
    assert SOON in section
    assert section.count('class="advice"') == 3


def test_json_has_who_and_when(referred: Assessment) -> None:
    flags = json.loads(referred.model_dump_json())["red_flags"]
    assert [(f["urgency"], f["when"]) for f in flags] == [
        ("emergency", "now"),
        ("soon", "within a few days"),
        ("urgent", "the same day"),
    ]
    assert all(f["who"] for f in flags)


def test_the_plan_refers_with_who_and_when_most_urgent_first(
    referred: Assessment, lib: Library
) -> None:
    from hiplab.plan.generate import PlanRequest, make_programme

    data = validate(ANSWERS)
    programme = make_programme(
        assessment=referred, person=data.person, library=lib, request=PlanRequest(), label="Kit"
    )
    assert programme.refer is True
    assert programme.weeks == ()
    reason = programme.reason
    assert reason.startswith("See a clinician before starting.")
    assert EMERGENCY in reason
    assert SOON in reason
    assert reason.index(EMERGENCY) < reason.index("the same day") < reason.index(SOON)


def test_the_web_flags_say_who_and_when(referred: Assessment) -> None:
    from hiplab.services.clinic import flags_of

    flags = flags_of(referred)
    assert flags.refer is True
    assert flags.red_flags[0].endswith(EMERGENCY)
    assert flags.red_flags[-1].endswith(SOON)
