"""Terminal view of a progress report with rich tables.

Every text from the data goes to rich as :class:`rich.text.Text`, never as
markup, so square brackets in names are printed as they are.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hiplab.progress._format import (
    SIDE_LABELS,
    adherence_words,
    change_words,
    norm_words,
)
from hiplab.progress.models import (
    Adherence,
    PainTrend,
    ProgressReport,
    SideSeries,
    TestProgress,
    ValueChange,
)
from hiplab.report._format import number

TREND_STYLE = {"better": "bold green", "worse": "bold red", None: ""}


def _change_line(change: ValueChange, unit: str, prefix: str = "") -> Text:
    style = TREND_STYLE[change.trend] if change.verdict == "real change" else "dim"
    return Text(prefix + change_words(change, unit), style=style)


def _changes_cell(series: SideSeries, unit: str) -> Text:
    if not series.changes:
        return Text("one measurement", style="dim")
    lines = [_change_line(change, unit) for change in series.changes]
    if series.overall is not None and len(series.changes) > 1:
        lines.append(_change_line(series.overall, unit, prefix="overall "))
    return Text("\n").join(lines)


def _values_cell(series: SideSeries, unit: str) -> Text:
    values = " → ".join(number(p.value, unit) for p in series.points)
    first, last = series.points[0].taken_on, series.points[-1].taken_on
    dates = str(first) if first == last else f"{first} → {last}"
    return Text.assemble(values, "\n", (dates, "dim"))


def tests_table(tests: tuple[TestProgress, ...]) -> Table:
    """Return one row per test and side: values with dates, each change, the overall change.

    Parameters
    ----------
    tests : tuple of TestProgress
        The report's tests.

    Returns
    -------
    Table
        A rich table.

    """
    table = Table(title="Tests over time", title_justify="left")
    table.add_column("Test")
    table.add_column("Side", no_wrap=True)
    table.add_column("Values (oldest → latest)")
    table.add_column("Changes (real only when larger than the MDC)")
    for test in tests:
        heading = Text.assemble((test.name, "bold"), "\n", (norm_words(test), "italic"))
        for n, series in enumerate(test.sides):
            table.add_row(
                heading if n == 0 else Text(""),
                Text(SIDE_LABELS[series.side]),
                _values_cell(series, test.unit),
                _changes_cell(series, test.unit),
            )
        table.add_section()
    return table


def adherence_panel(adherence: Adherence | None) -> Panel:
    """Return the plan adherence as a panel with one line per week.

    Parameters
    ----------
    adherence : Adherence or None
        The report's adherence; None says that no plan is saved.

    Returns
    -------
    Panel
        A rich panel.

    """
    if adherence is None:
        return Panel(Text("No plan saved yet."), title="Plan adherence", title_align="left")
    head = Text(
        f"Plan {adherence.plan_id} (block {adherence.block}), from {adherence.created_on}: "
        f"{adherence.sessions_per_week} sessions a week for {adherence.plan_weeks} weeks.\n"
        + adherence_words(adherence)
    )
    weeks = Table("Week", "From", "Done", "Target", "Met", box=None, padding=(0, 2))
    for week in adherence.weeks:
        met = "yes" if week.met else ("no" if week.finished else "in progress")
        weeks.add_row(str(week.week), str(week.start), str(week.done), str(week.target), met)
    return Panel(Group(head, weeks), title="Plan adherence", title_align="left")


def pain_panel(pain: PainTrend) -> Panel:
    """Return pain at assessments and discomfort in sessions, oldest first.

    Parameters
    ----------
    pain : PainTrend
        The report's pain series.

    Returns
    -------
    Panel
        A rich panel.

    """
    lines = []
    for label, points in (
        ("Highest pain at assessments", pain.assessments),
        ("Discomfort during sessions", pain.sessions),
    ):
        values = ", ".join(f"{p.on} {p.pain}/10" for p in points) or "none reported"
        lines.append(Text.assemble((f"{label}: ", "bold"), values))
    return Panel(Group(*lines), title="Pain (0–10)", title_align="left")


def render_text(report: ProgressReport, *, console: Console) -> None:
    """Print a progress report to a rich console.

    Parameters
    ----------
    report : ProgressReport
        The report.
    console : Console
        Where to print (the terminal, or a file console).

    """
    parts: list[RenderableType] = [
        Text(f"Progress of {report.person}, as of {report.as_of}", style="bold"),
        Text(
            "A change is real only when it is larger than the test's measurement error (MDC).",
            style="italic",
        ),
    ]
    if report.tests:
        parts.append(tests_table(report.tests))
    else:
        parts.append(Text("No measured tests yet."))
    if report.skipped_tests:
        parts.append(
            Text(f"Not charted (yes/no signs or unknown): {', '.join(report.skipped_tests)}")
        )
    parts += [adherence_panel(report.adherence), pain_panel(report.pain)]
    parts.append(Text(report.disclaimer, style="dim"))
    for part in parts:
        console.print(part)
