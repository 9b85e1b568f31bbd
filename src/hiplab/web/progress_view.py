"""What the progress page shows: plotly figures as JSON and the same values as tables.

The figures are built by :mod:`hiplab.progress.html` (the ``hiplab progress -f html``
plots: norm band, typical value, a line per side, ± MDC error bars, change labels), so
the web page and the CLI's page never disagree. Each figure's layout template (the
same ``plotly_white`` for all) is sent once, not once per chart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from hiplab.progress._format import SIDE_LABELS, adherence_words, change_words, norm_words, number

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from hiplab.progress.models import ProgressReport, TestProgress


@dataclass(frozen=True)
class ValueRow:
    """One measured value in a test's table."""

    taken_on: date
    side: str
    value: str
    change: str


@dataclass(frozen=True)
class TestView:
    """One test: its chart's element id, its norm in words and its table of values."""

    __test__ = False  # not a pytest test class

    id: str
    chart_id: str
    name: str
    norm: str
    rows: tuple[ValueRow, ...]


@dataclass(frozen=True)
class WeekRow:
    """One plan week in the adherence table."""

    week: int
    start: date
    done: int
    target: int
    finished: bool


@dataclass(frozen=True)
class PainRow:
    """One day's highest pain or discomfort (0–10)."""

    on: date
    pain: int


@dataclass(frozen=True)
class ProgressView:
    """Everything the template needs; ``charts`` is the JSON payload for charts.js."""

    tests: tuple[TestView, ...]
    adherence: str | None
    weeks: tuple[WeekRow, ...]
    pain: tuple[PainRow, ...]
    discomfort: tuple[PainRow, ...]
    charts: dict[str, Any]


def table_of(test: TestProgress) -> TestView:
    """Return a test's table rows (by date, left before right) and its norm in words."""
    rows = []
    for series in test.sides:
        for index, point in enumerate(series.points):
            change = change_words(series.changes[index - 1], test.unit) if index else "first"
            rows.append(
                ValueRow(
                    taken_on=point.taken_on,
                    side=SIDE_LABELS[series.side],
                    value=number(point.value, test.unit),
                    change=change,
                )
            )
    rows.sort(key=lambda row: row.taken_on)  # stable: sides keep their order within a day
    return TestView(
        id=test.test,
        chart_id=f"chart-{test.test}",
        name=test.name,
        norm=norm_words(test),
        rows=tuple(rows),
    )


def _plain(figure: Figure) -> dict[str, Any]:
    # plotly's own encoder turns dates and numpy values into JSON.
    plain: dict[str, Any] = json.loads(figure.to_json())
    return plain


def chart_payload(report: ProgressReport, *, config: Mapping[str, Any]) -> dict[str, Any]:
    """Return every chart of the report as plotly JSON, the shared template once.

    Parameters
    ----------
    report : ProgressReport
        The person's progress.
    config : mapping
        plotly.js configuration (``responsive``, ``displaylogo``…).

    Returns
    -------
    dict
        ``{"config", "template", "charts": [{"id", "data", "layout"}, …]}``; ``id`` is
        the element the chart is drawn into.

    """
    from hiplab.progress.html import adherence_figure, figure_of_test, pain_figure

    figures = [(f"chart-{t.test}", figure_of_test(t)) for t in report.tests]
    if report.adherence is not None and report.adherence.weeks:
        figures.append(("chart-adherence", adherence_figure(report.adherence)))
    for points, title, colour, chart_id in (
        (report.pain.assessments, "Highest pain at each assessment", "#CC3311", "chart-pain"),
        (report.pain.sessions, "Discomfort during sessions", "#0072B2", "chart-discomfort"),
    ):
        if points:
            figures.append((chart_id, pain_figure(points, title, colour)))
    charts, template = [], None
    for chart_id, figure in figures:
        plain = _plain(figure)
        layout = plain.get("layout", {})
        template = layout.pop("template", template)
        charts.append({"id": chart_id, "data": plain.get("data", []), "layout": layout})
    return {"config": dict(config), "template": template or {}, "charts": charts}


def progress_view(report: ProgressReport, *, config: Mapping[str, Any]) -> ProgressView:
    """Return the page's tables and chart payload for a progress report."""
    adherence = report.adherence
    weeks = tuple(
        WeekRow(week=w.week, start=w.start, done=w.done, target=w.target, finished=w.finished)
        for w in (adherence.weeks if adherence is not None else ())
    )
    return ProgressView(
        tests=tuple(table_of(t) for t in report.tests),
        adherence=adherence_words(adherence) if adherence is not None else None,
        weeks=weeks,
        pain=tuple(PainRow(on=p.on, pain=p.pain) for p in report.pain.assessments),
        discomfort=tuple(PainRow(on=p.on, pain=p.pain) for p in report.pain.sessions),
        charts=chart_payload(report, config=config),
    )
