"""Terminal output of an assessment with rich, in plain language.

All text from the assessment is passed to rich as :class:`rich.text.Text`, never
as markup, so square brackets in ids or notes are printed as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hiplab.assess.safety import describe, shown
from hiplab.explain.chains import heading, node_labels, route_note
from hiplab.library.loader import Library
from hiplab.library.models import EvidenceGrade
from hiplab.records.assessment import Assessment, Chain, Finding, WithheldTest, most_urgent_first
from hiplab.report._format import (
    GRADE_WORDS,
    SIDE_WORDS,
    VIDEO_NOTE,
    finding_details,
    finding_name,
    fmt_value,
    humanise,
    norm_words,
    test_name,
    video_rows,
    withheld_name,
)

if TYPE_CHECKING:
    from hiplab.records.intake import VideoMeasurement

GRADE_STYLE: Mapping[EvidenceGrade, str] = {
    EvidenceGrade.strong: "bold green",
    EvidenceGrade.moderate: "bold blue",
    EvidenceGrade.weak: "yellow",
    EvidenceGrade.contested: "bold red",
}
SEVERITY_STYLE: Mapping[str, str] = {
    "mild": "yellow",
    "moderate": "dark_orange",
    "severe": "bold red",
}


def _bullets(lines: list[Text]) -> Group:
    return Group(*(Text.assemble("• ", line) for line in lines))


def _refer_panel(assessment: Assessment) -> Panel:
    flags = most_urgent_first(assessment.red_flags)
    intro = Text("Some answers are warning signs. Please see a clinician before exercising.\n")
    flag_lines = [
        Text.assemble((f"{f.urgency.upper()}: ", "bold"), f.reason, "\n  ", (f.advice, "bold"))
        for f in flags
    ]
    return Panel(
        Group(intro, _bullets(flag_lines)),
        title="See a clinician first",
        border_style="bold red",
        style="red",
    )


def _findings_table(findings: tuple[Finding, ...]) -> Table:
    table = Table(title="Findings", title_justify="left", show_lines=False, expand=False)
    for header in ("Finding", "Side", "Your value", "Normal", "Severity", "Details"):
        table.add_column(header, overflow="fold")
    for f in findings:
        table.add_row(
            Text(finding_name(f.id, _library())),
            Text(SIDE_WORDS[f.side]),
            Text(fmt_value(f.value, f.unit)),
            Text(norm_words(f)),
            Text(f.severity, style=SEVERITY_STYLE[f.severity]),
            Text(finding_details(f)),
        )
    return table


def _video_table(measurements: Sequence[VideoMeasurement]) -> Table:
    table = Table(title="Measured from video", title_justify="left", caption=VIDEO_NOTE)
    for header in ("Test", "Value", "Uncertainty", "Reliability"):
        table.add_column(header, overflow="fold")
    for row in video_rows(measurements):
        table.add_row(Text(row.test), Text(row.value), Text(row.uncertainty), Text(row.verdict))
    return table


def _chain_line(chain: Chain, chains: Sequence[Chain], labels: Mapping[str, str]) -> Text:
    """One link: its heading worded by its grade, how it was reached, and why."""
    grade = GRADE_WORDS[chain.evidence]
    route = route_note(chain, chains, labels)
    return Text.assemble(
        (heading(chain, labels), "bold"),
        "  ",
        (f"[{grade}]", GRADE_STYLE[chain.evidence]),
        *(("\n  ", (route, "yellow")) if route else ()),
        "\n  ",
        (chain.explanation, "dim"),
    )


def _library() -> Library:
    from hiplab.library import default_library

    return default_library()


def _recommendations(assessment: Assessment) -> Text | Group:
    if assessment.refer:
        return Text("Exercises are held back until a clinician has checked the warning signs.")
    if not assessment.recommendations:
        return Text("No exercises to suggest from these results.")
    return _bullets(
        [
            Text.assemble((r.name, "bold"), f" ({humanise(r.kind).lower()}) — ", r.why)
            for r in assessment.recommendations
        ]
    )


def _heading(console: Console, words: str) -> None:
    console.print()
    console.print(Text(words, style="bold underline"))


def render_text(
    assessment: Assessment,
    *,
    console: Console,
    video_measurements: Sequence[VideoMeasurement] = (),
) -> None:
    """Print an assessment to a rich console.

    Parameters
    ----------
    assessment
        The result to show.
    console
        Where to print; pass ``Console(record=True)`` or a file-backed console
        to capture the output.
    video_measurements
        The input's values measured from video, printed with their ``± sd`` and verdict.

    """
    console.print(Text("Hip mobility assessment", style="bold"))
    console.print(Text("This is not a diagnosis.", style="bold yellow"))
    if assessment.refer:
        console.print(_refer_panel(assessment))
    if assessment.precautions:
        _heading(console, "Precautions")
        lines = [
            Text.assemble(describe(p), (f" — {p.reason}", "dim"))
            for p in shown(assessment.precautions)
        ]
        console.print(_bullets(lines))
    console.print()
    if video_measurements:
        console.print(_video_table(video_measurements))
        console.print()
    if assessment.findings:
        console.print(_findings_table(assessment.findings))
    else:
        console.print(Text("Every test that was done is within its normal range."))
    if assessment.chains:
        _heading(console, "How the findings may connect")
        labels = node_labels(_library().chains)
        for chain in assessment.chains:
            console.print(_chain_line(chain, assessment.chains, labels))
    _heading(console, "Recommended exercises")
    console.print(_recommendations(assessment))
    _print_rest(assessment, console)


def _withheld_line(withheld: WithheldTest) -> Text:
    name = withheld_name(withheld, _library())
    return Text.assemble((name, "bold"), f" — {withheld.reason}")


def _print_rest(assessment: Assessment, console: Console) -> None:
    if assessment.missing_tests:
        _heading(console, "Tests not done yet")
        console.print(_bullets([Text(test_name(t, _library())) for t in assessment.missing_tests]))
    if assessment.tests_not_suggested:
        _heading(console, "Tests not suggested for you")
        console.print(_bullets([_withheld_line(w) for w in assessment.tests_not_suggested]))
    if assessment.notes:
        _heading(console, "Notes")
        console.print(_bullets([Text(n) for n in assessment.notes]))
    console.print()
    console.print(
        Panel(Text(assessment.disclaimer), title="Not a diagnosis", border_style="yellow")
    )
