"""The progress charts as plain plotly.js JSON, for the web page and ``hiplab progress -f html``.

Each chart is a ``{"id", "data", "layout"}`` dict built straight from the report:
no ``plotly.graph_objects`` figure, no validation and no deep copy, so the work is
linear in the number of values (a figure's ``add_annotation`` copies every earlier
annotation: quadratic). The layout template (``plotly_white``) is read once per
process from the installed plotly package and sent once per page.

What a test's chart shows
-------------------------
* the normal range shaded and the typical value dashed (when the test has a norm);
* one line per side, every value a point, error bars of ± the test's minimal
  detectable change (MDC); left and right are shifted by 1 % of the time span so
  their error bars do not hide each other;
* hovering a point gives its date, its value and its change since the previous one;
* labels: each change ("real +6°" or "no real change") when a side has at most
  :data:`LABELLED_CHANGES` changes; on longer histories one label per side, the
  change from the first value to the latest, so the trend stays readable.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any

from hiplab.progress._axes import (
    BAND_COLOUR,
    MUTED,
    REAL_COLOURS,
    SIDE_COLOURS,
    date_range,
    midpoint,
    normal_band,
    pain_plots,
    sessions_top,
    value_range,
    week_colours,
)
from hiplab.progress._format import (
    SIDE_LABELS,
    change_words,
    norm_words,
    signed,
    unit_words,
)
from hiplab.progress.models import (
    Adherence,
    PainPoint,
    ProgressReport,
    SideSeries,
    TestProgress,
    ValueChange,
)
from hiplab.report._format import number

PLOT_HEIGHT = 330
PLOT_CONFIG = {"responsive": True, "displaylogo": False}
LABELLED_CHANGES = 12
"""Up to this many changes per side, each one is labelled on the chart."""
HOVER = "%{text}<extra>%{fullData.name}</extra>"
Chart = dict[str, Any]


@cache
def _template_text() -> str:
    path = resources.files("plotly") / "package_data" / "templates" / "plotly_white.json"
    return path.read_text(encoding="utf-8")


def white_template() -> dict[str, Any]:
    """Return plotly's ``plotly_white`` template (``{"data", "layout"}``), read once.

    Returns
    -------
    dict
        A fresh copy: the caller may change it.

    """
    template: dict[str, Any] = json.loads(_template_text())
    return template


def base_layout(title: str, *, y_title: str, y_range: tuple[float, float]) -> dict[str, Any]:
    """Return the layout every progress chart shares (title, size, margins, axes, legend).

    Parameters
    ----------
    title : str
        The title, plotly markup (escape any text from the data).
    y_title : str
        The y axis title.
    y_range : tuple of float
        The y axis range.

    Returns
    -------
    dict
        A plotly.js layout without template.

    """
    return {
        "title": {"text": title, "font": {"size": 14}, "x": 0.02},
        "height": PLOT_HEIGHT,
        "margin": {"l": 55, "r": 15, "t": 62, "b": 40},
        "yaxis": {"title": {"text": y_title, "font": {"size": 11}}, "range": list(y_range)},
        "xaxis": {"type": "date"},
        "legend": {"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 11}},
    }


def shifted(day: date, hours: float) -> str:
    """Return noon of ``day`` moved by ``hours``, to the minute, as plotly.js reads dates.

    Examples
    --------
    >>> shifted(date(2024, 1, 10), -2.5)
    '2024-01-10T09:30'

    """
    moment = datetime.combine(day, time(12)) + timedelta(hours=hours)
    return moment.isoformat(timespec="minutes")


def hover_texts(series: SideSeries, unit: str) -> list[str]:
    """Return each point's hover text: its date, its value and its change.

    Examples
    --------
    >>> from hiplab.progress.models import Point
    >>> points = (Point(taken_on=date(2024, 1, 10), value=28, assessment_id=1),)
    >>> hover_texts(SideSeries(side="left", points=points, changes=(), overall=None), "deg")
    ['10 Jan 2024: 28°, first measurement']

    """
    notes = ["first measurement", *(change_words(c, unit) for c in series.changes)]
    return [
        f"{p.taken_on.day} {p.taken_on:%b %Y}: {number(p.value, unit)}, {note}"
        for p, note in zip(series.points, notes, strict=True)
    ]


def side_trace(test: TestProgress, series: SideSeries, hours: float) -> Chart:
    """Return one side's line: every value, ± MDC error bars, a hover text per point."""
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": SIDE_LABELS[series.side] if series.side else "value",
        "x": [shifted(p.taken_on, hours) for p in series.points],
        "y": [p.value for p in series.points],
        "text": hover_texts(series, test.unit),
        "hovertemplate": HOVER,
        "line": {"color": SIDE_COLOURS[series.side], "width": 2.5},
        "error_y": {"type": "constant", "value": test.mdc or 0, "visible": bool(test.mdc)},
    }


def change_label(change: ValueChange, unit: str, *, above: bool, prefix: str = "") -> Chart:
    """Return a change's label, halfway along it: "real +6°" or its verdict, greyed."""
    day, value = midpoint(change)
    real = change.verdict == "real change"
    words = f"real {signed(change.delta, unit)}" if real else change.verdict
    return {
        "x": shifted(day, 0),
        "y": value,
        "text": f"<i>{prefix}{words}</i>",
        "showarrow": False,
        "yshift": 11 if above else -11,
        "font": {"size": 10, "color": REAL_COLOURS[change.trend] if real else MUTED},
        "bgcolor": "rgba(255,255,255,0.85)",
    }


def change_labels(test: TestProgress) -> list[Chart]:
    """Return the chart's change labels: every change, or first-to-latest on long sides."""
    top = max(test.sides, key=lambda s: sum(p.value for p in s.points) / len(s.points))
    labels = []
    for series in test.sides:
        above = series is top
        if len(series.changes) <= LABELLED_CHANGES:
            labels += [change_label(c, test.unit, above=above) for c in series.changes]
        elif series.overall is not None:
            labels.append(
                change_label(series.overall, test.unit, above=above, prefix="first to latest: ")
            )
    return labels


def norm_shapes(test: TestProgress, span: tuple[float, float]) -> list[Chart]:
    """Return the shaded normal range and the dashed typical value (either may be absent)."""
    shapes = []
    band = normal_band(test, span)
    if band is not None:
        shapes.append(
            {"type": "rect", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y",
             "y0": band[0], "y1": band[1], "fillcolor": BAND_COLOUR, "opacity": 0.13,
             "line": {"width": 0}, "layer": "below"}
        )  # fmt: skip
    if test.typical is not None:
        shapes.append(
            {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y",
             "y0": test.typical, "y1": test.typical,
             "line": {"dash": "dash", "color": BAND_COLOUR, "width": 1}}
        )  # fmt: skip
    return shapes


def chart_of_test(test: TestProgress) -> Chart:
    """Return one test's chart: norm band, typical line, a line per side, change labels.

    Parameters
    ----------
    test : TestProgress
        The test (at least one side with a value).

    Returns
    -------
    dict
        ``{"data", "layout"}`` for ``Plotly.newPlot``.

    """
    first, last = date_range(test)
    hours = (last - first).days * 24 * 0.01  # dodge left and right error bars
    shifts = {"left": -hours, "right": hours, None: 0.0}
    span = value_range(test)
    title = f"{html.escape(test.name)}<br><sub>{html.escape(norm_words(test))}</sub>"
    layout = base_layout(title, y_title=unit_words(test.unit), y_range=span)
    layout["xaxis"]["range"] = [shifted(first, 0), shifted(last, 0)]
    layout["shapes"] = norm_shapes(test, span)
    layout["annotations"] = change_labels(test)
    data = [side_trace(test, s, shifts[s.side]) for s in test.sides]
    return {"data": data, "layout": layout}


def adherence_chart(adherence: Adherence) -> Chart:
    """Return the sessions-per-week bars with the weekly target.

    Parameters
    ----------
    adherence : Adherence
        The report's adherence (at least one week).

    Returns
    -------
    dict
        ``{"data", "layout"}`` for ``Plotly.newPlot``.

    """
    weeks = [f"week {w.week}" + ("" if w.finished else " (so far)") for w in adherence.weeks]
    bars = {
        "type": "bar", "x": weeks, "y": [w.done for w in adherence.weeks],
        "marker": {"color": week_colours(adherence)}, "name": "done",
    }  # fmt: skip
    target = {
        "type": "scatter", "x": weeks, "y": [w.target for w in adherence.weeks],
        "mode": "lines", "name": "weekly target",
        "line": {"dash": "dash", "color": "#333333", "shape": "hvh"},
    }  # fmt: skip
    top = sessions_top(adherence)
    layout = base_layout("Plan adherence: sessions per week", y_title="sessions", y_range=(0, top))
    layout["xaxis"] = {"type": "category"}
    return {"data": [bars, target], "layout": layout}


def pain_chart(points: tuple[PainPoint, ...], title: str, colour: str) -> Chart:
    """Return a 0–10 pain line over time, every day a point.

    Parameters
    ----------
    points : tuple of PainPoint
        The days and values (at least one).
    title : str
        The chart title.
    colour : str
        The line colour.

    Returns
    -------
    dict
        ``{"data", "layout"}`` for ``Plotly.newPlot``.

    """
    line = {
        "type": "scatter", "x": [p.on.isoformat() for p in points], "y": [p.pain for p in points],
        "mode": "lines+markers", "name": "0–10", "line": {"color": colour}, "showlegend": False,
    }  # fmt: skip
    layout = base_layout(title, y_title="0 none – 10 worst", y_range=(-0.5, 10.5))
    return {"data": [line], "layout": layout}


PAIN_IDS = ("pain", "discomfort")
"""The element-id suffixes of the two pain charts (assessments, sessions)."""


def report_charts(report: ProgressReport, *, prefix: str) -> list[Chart]:
    """Return every chart of a report, each with the id of the element it is drawn into.

    Parameters
    ----------
    report : ProgressReport
        The report.
    prefix : str
        The element ids' start: ``"chart-"`` on the web page, ``"plot-"`` in the CLI's.

    Returns
    -------
    list of dict
        ``{"id", "data", "layout"}``: one per test in the report's order, then
        adherence (when the plan has a week) and the pain charts that have points.

    """
    charts = [{"id": f"{prefix}{t.test}", **chart_of_test(t)} for t in report.tests]
    if report.adherence is not None and report.adherence.weeks:
        charts.append({"id": f"{prefix}adherence", **adherence_chart(report.adherence)})
    for (points, title, colour), suffix in zip(pain_plots(report.pain), PAIN_IDS, strict=True):
        if points:
            charts.append({"id": f"{prefix}{suffix}", **pain_chart(points, title, colour)})
    return charts


def chart_payload(
    report: ProgressReport, *, prefix: str, config: Mapping[str, Any] = PLOT_CONFIG
) -> dict[str, Any]:
    """Return what ``charts.js`` draws: every chart, the config and the template once.

    Parameters
    ----------
    report : ProgressReport
        The report.
    prefix : str
        The start of each chart's element id (see :func:`report_charts`).
    config : mapping
        plotly.js configuration (``responsive``, ``displaylogo``…).

    Returns
    -------
    dict
        ``{"config", "template", "charts": [{"id", "data", "layout"}, …]}``.

    """
    return {
        "config": dict(config),
        "template": white_template(),
        "charts": report_charts(report, prefix=prefix),
    }
