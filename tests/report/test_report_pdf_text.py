"""PDF bytes, terminal text and the docstring examples of the report package."""

from __future__ import annotations

import doctest
import io
import sys

import pytest
from rich.console import Console

import hiplab.report._format
import hiplab.report.bars
import hiplab.report.figure
import hiplab.report.pdf
from hiplab.library.loader import Library
from hiplab.records.assessment import Assessment
from hiplab.report import render_html, render_pdf, render_text


# WeasyPrint warns when the system lacks libharfbuzz-subset; that is not a report defect.
@pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
def test_pdf_bytes(assessment: Assessment, library: Library) -> None:
    page = render_html(assessment, library=library, person_label="Alex", date="2024-05-01")
    pdf = render_pdf(page)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000


def test_importing_the_package_does_not_import_weasyprint() -> None:
    # weasyprint may already be loaded by test_pdf_bytes; check the module source instead
    with open(hiplab.report.pdf.__file__, encoding="utf-8") as handle:
        source = handle.read()
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not any("weasyprint" in line for line in top_level)
    assert "hiplab.report.pdf" in sys.modules


def text_of(assessment: Assessment) -> str:
    console = Console(file=io.StringIO(), width=120, record=True, color_system=None)
    render_text(assessment, console=console)
    return console.export_text()


def test_text_report(assessment: Assessment) -> None:
    out = text_of(assessment)
    assert "This is not a diagnosis." in out
    assert assessment.disclaimer in out
    # findings read as the library names them, never as humanised ids
    assert "Tight one-joint hip flexors" in out and "moderate" in out
    assert "Hip flexors tight" not in out
    assert "[weak evidence]" in out and "[contested]" in out
    assert "Half-kneeling hip flexor stretch" in out
    assert "Do not bounce in stretches" in out
    assert "See a clinician first" not in out


def test_text_report_refer(referred: Assessment) -> None:
    out = text_of(referred)
    assert "See a clinician first" in out
    assert "EMERGENCY: Numbness in the saddle area." in out
    assert "held back until a clinician" in out
    assert "Lengthens the hip flexors" not in out


def test_text_does_not_interpret_markup(assessment_factory) -> None:  # type: ignore[no-untyped-def]
    out = text_of(assessment_factory(notes=("[bold red]keep[/bold red] brackets",)))
    assert "[bold red]keep[/bold red] brackets" in out


@pytest.mark.parametrize(
    "module", [hiplab.report._format, hiplab.report.bars, hiplab.report.figure]
)
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0
