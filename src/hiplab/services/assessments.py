"""Assessing a person: the assessment with its chains and first recommendations, saved and rendered.

Keyword-only functions that take typed values, call the domain floors and the
store, and return typed values. No printing here; edges render the results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hiplab.errors import InputError
from hiplab.records.refs import PersonRef
from hiplab.services.catalogue import library
from hiplab.services.storage import open_store_for

if TYPE_CHECKING:
    from hiplab.library.loader import Library
    from hiplab.records.assessment import Assessment
    from hiplab.records.intake import AssessmentInput
    from hiplab.settings import Settings

ReportFormat = Literal["text", "json", "html", "pdf"]


@dataclass(frozen=True)
class AssessOutcome:
    """An input, its assessment and (when saved) the stored id."""

    data: AssessmentInput
    result: Assessment
    person: str
    date: str
    assessment_id: int | None


def assess(data: AssessmentInput, library: Library) -> Assessment:
    """Return the full assessment of ``data``: findings, the chains they start, first exercises.

    The recommendations are the default programme's first week (one selection); a
    referral has none.
    """
    from hiplab.assess.run import assess_findings
    from hiplab.explain.chains import active_chains
    from hiplab.plan.generate import recommended

    found = assess_findings(data, library)
    explained = found.model_copy(
        update={"chains": tuple(active_chains(library.chains, found.findings))}
    )
    return explained.model_copy(
        update={"recommendations": tuple(recommended(explained, data.person, library))}
    )


def person_label(data: AssessmentInput, override: str | None) -> str:
    """Return the name an assessment is stored under."""
    name = override or data.person.name
    if not name:
        raise InputError(
            "the person has no name: add person.name to the file or pass --person NAME"
        )
    return name


def assess_input(
    *,
    data: AssessmentInput,
    settings: Settings,
    save: bool,
    person: str | None = None,
    reports: Sequence[tuple[str, str | bytes]] = (),
) -> AssessOutcome:
    """Assess validated input and, when ``save``, store it in one transaction.

    ``reports`` (format, content) are stored with it in that transaction.
    """
    from hiplab.services.assessments import assess

    result = assess(data, library())
    label = person_label(data, person) if save else (person or data.person.name or "anonymous")
    date = data.date or dt.date.today().isoformat()
    stored_id = None
    if save:
        with open_store_for(settings) as store:
            stored_id = store.assessments.save(
                person=PersonRef.named(label), data=data, result=result, reports=reports
            ).assessment_id
    return AssessOutcome(data=data, result=result, person=label, date=date, assessment_id=stored_id)


def assess_file(
    *, path: Path, settings: Settings, save: bool, person: str | None = None
) -> AssessOutcome:
    """Read, validate and assess an assessment file."""
    from hiplab.assess.parse import load_assessment_file

    return assess_input(
        data=load_assessment_file(path), settings=settings, save=save, person=person
    )


def render_report(outcome: AssessOutcome, fmt: ReportFormat) -> str | bytes:
    """Render an assessment as JSON, HTML or PDF (text is rendered by the CLI)."""
    if fmt == "json":
        return outcome.result.model_dump_json(indent=2) + "\n"
    from hiplab.report.html import render_html

    html = render_html(
        outcome.result,
        library=library(),
        person_label=outcome.person,
        date=outcome.date,
        video_measurements=outcome.data.video_measurements,
    )
    if fmt == "html":
        return html
    if fmt == "pdf":
        from hiplab.report.pdf import render_pdf

        return render_pdf(html)
    raise InputError(f"format {fmt!r} cannot be rendered to a file; allowed: json, html, pdf")
