"""Standalone interactive HTML page of a progress report with plotly (imported lazily).

The page works offline: plotly.js comes from the installed ``plotly`` package and
is inlined once in the page head (no CDN, no network). One small plot per test
(normal range shaded, typical value dashed, left and right lines, error bars
± MDC, each change labelled), then plan adherence and the two pain plots, in a
grid that wraps on narrow screens. A plain-text summary above the plots says the
same without JavaScript. Plot ids are fixed, so the same report gives the same page.
"""

from __future__ import annotations

import html
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

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
    NOT_A_DIAGNOSIS,
    SIDE_LABELS,
    adherence_words,
    change_words,
    norm_words,
    number,
    signed,
    unit_words,
)
from hiplab.progress.models import Adherence, PainPoint, ProgressReport, TestProgress, ValueChange

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

PLOT_HEIGHT = 330
PLOT_CONFIG = {"responsive": True, "displaylogo": False}
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1280px; padding: 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.5rem; margin: 0.2rem 0; }
.disclaimer { background: #fff4e5; border-left: 4px solid #e69f00; padding: 0.5rem 0.8rem; }
.summary li { margin: 0.15rem 0; }
.panels { display: grid; gap: 1rem;
          grid-template-columns: repeat(auto-fill, minmax(min(100%, 360px), 1fr)); }
.panel { border: 1px solid #ddd; border-radius: 6px; padding: 0.3rem; min-width: 0; }
footer { color: #666; font-size: 0.85rem; margin-top: 1.5rem; }
"""


def _layout(title: str, *, y_title: str, y_range: tuple[float, float]) -> dict[str, Any]:
    return {
        "title": {"text": title, "font": {"size": 14}, "x": 0.02},
        "height": PLOT_HEIGHT,
        "margin": {"l": 55, "r": 15, "t": 62, "b": 40},
        "template": "plotly_white",
        "yaxis": {"title": {"text": y_title, "font": {"size": 11}}, "range": list(y_range)},
        "xaxis": {"type": "date"},
        "legend": {"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 11}},
    }


def _shifted(day: date, hours: float) -> str:
    return (datetime.combine(day, time(12)) + timedelta(hours=hours)).isoformat()


def _side_trace(test: TestProgress, index: int, hours: float) -> dict[str, Any]:
    series = test.sides[index]
    notes = ["first measurement"] + [change_words(c, test.unit) for c in series.changes]
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": SIDE_LABELS[series.side] if series.side else "value",
        "x": [_shifted(p.taken_on, hours) for p in series.points],
        "y": [p.value for p in series.points],
        "customdata": notes,
        "hovertemplate": "%{x|%d %b %Y}: %{y}<br>%{customdata}<extra>%{fullData.name}</extra>",
        "line": {"color": SIDE_COLOURS[series.side], "width": 2.5},
        "error_y": {"type": "constant", "value": test.mdc or 0, "visible": bool(test.mdc)},
    }


def _change_note(change: ValueChange, unit: str, *, above: bool) -> dict[str, Any]:
    day, value = midpoint(change)
    real = change.verdict == "real change"
    return {
        "x": _shifted(day, 0),
        "y": value,
        "text": f"<i>real {signed(change.delta, unit)}</i>" if real else f"<i>{change.verdict}</i>",
        "showarrow": False,
        "yshift": 11 if above else -11,
        "font": {"size": 10, "color": REAL_COLOURS[change.trend] if real else MUTED},
        "bgcolor": "rgba(255,255,255,0.85)",
    }


def figure_of_test(test: TestProgress) -> Figure:
    """Return one test's plot: norm band, typical line, a line per side, change labels.

    Parameters
    ----------
    test : TestProgress
        The test.

    Returns
    -------
    Figure
        A plotly figure.

    """
    import plotly.graph_objects as go

    first, last = date_range(test)
    hours = (last - first).days * 24 * 0.01  # dodge left and right error bars
    shifts = {"left": -hours, "right": hours, None: 0.0}
    figure = go.Figure([_side_trace(test, i, shifts[s.side]) for i, s in enumerate(test.sides)])
    span = value_range(test)
    title = f"{html.escape(test.name)}<br><sub>{html.escape(norm_words(test))}</sub>"
    figure.update_layout(_layout(title, y_title=unit_words(test.unit), y_range=span))
    figure.update_xaxes(range=[_shifted(first, 0), _shifted(last, 0)])
    band = normal_band(test, span)
    if band is not None:
        figure.add_hrect(y0=band[0], y1=band[1], fillcolor=BAND_COLOUR, opacity=0.13,
                         line_width=0, layer="below")  # fmt: skip
    if test.typical is not None:
        figure.add_hline(y=test.typical, line_dash="dash", line_color=BAND_COLOUR, line_width=1)
    top = max(test.sides, key=lambda s: sum(p.value for p in s.points) / len(s.points))
    for series in test.sides:
        for change in series.changes:
            figure.add_annotation(_change_note(change, test.unit, above=series is top))
    return figure


def adherence_figure(adherence: Adherence) -> Figure:
    """Return the sessions-per-week bars with the weekly target.

    Parameters
    ----------
    adherence : Adherence
        The report's adherence (at least one week).

    Returns
    -------
    Figure
        A plotly figure.

    """
    import plotly.graph_objects as go

    weeks = [f"week {w.week}" + ("" if w.finished else " (so far)") for w in adherence.weeks]
    done = [w.done for w in adherence.weeks]
    bars = go.Bar(x=weeks, y=done, marker_color=week_colours(adherence), name="done")
    target = go.Scatter(
        x=weeks, y=[w.target for w in adherence.weeks], mode="lines", name="weekly target",
        line={"dash": "dash", "color": "#333333", "shape": "hvh"},
    )  # fmt: skip
    figure = go.Figure([bars, target])
    top = sessions_top(adherence)
    layout = _layout("Plan adherence: sessions per week", y_title="sessions", y_range=(0, top))
    layout["xaxis"] = {"type": "category"}
    figure.update_layout(layout)
    return figure


def pain_figure(points: tuple[PainPoint, ...], title: str, colour: str) -> Figure:
    """Return a 0–10 pain line over time.

    Parameters
    ----------
    points : tuple of PainPoint
        The days and values (at least one).
    title : str
        The plot title.
    colour : str
        The line colour.

    Returns
    -------
    Figure
        A plotly figure.

    """
    import plotly.graph_objects as go

    line = go.Scatter(
        x=[p.on.isoformat() for p in points], y=[p.pain for p in points], mode="lines+markers",
        name="0–10", line={"color": colour}, showlegend=False,
    )  # fmt: skip
    figure = go.Figure([line])
    figure.update_layout(_layout(title, y_title="0 none – 10 worst", y_range=(-0.5, 10.5)))
    return figure


def _plot_div(figure: Figure, div_id: str) -> str:
    snippet: str = figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOT_CONFIG
    )
    return f'<section class="panel">{snippet}</section>'


def _empty_panel(title: str, message: str) -> str:
    heading, text = html.escape(title), html.escape(message)
    return f'<section class="panel"><h2>{heading}</h2><p>{text}</p></section>'


def _panels(report: ProgressReport) -> list[str]:
    panels = [_plot_div(figure_of_test(t), f"plot-{t.test}") for t in report.tests]
    adherence = report.adherence
    if adherence is not None and adherence.weeks:
        panels.append(_plot_div(adherence_figure(adherence), "plot-adherence"))
    else:
        panels.append(_empty_panel("Plan adherence", "No plan saved yet."))
    div_ids = ("plot-pain", "plot-discomfort")
    for (points, title, colour), div_id in zip(pain_plots(report.pain), div_ids, strict=True):
        if points:
            panels.append(_plot_div(pain_figure(points, title, colour), div_id))
        else:
            panels.append(_empty_panel(title, "Nothing reported."))
    return panels


def summary_items(report: ProgressReport) -> list[str]:
    """Return the plain-text summary lines: one per test side, then adherence.

    Parameters
    ----------
    report : ProgressReport
        The report.

    Returns
    -------
    list of str
        Lines without markup (escape them before putting them in HTML).

    """
    lines = []
    for test in report.tests:
        for series in test.sides:
            values = " → ".join(number(p.value, test.unit) for p in series.points)
            where = f", {series.side}" if series.side else ""
            last = series.changes[-1] if series.changes else None
            change = f"; last change {change_words(last, test.unit)}" if last else ""
            lines.append(f"{test.name}{where}: {values}{change} ({norm_words(test)})")
    if report.adherence is not None:
        lines.append(f"Plan {report.adherence.plan_id}: {adherence_words(report.adherence)}")
    return lines


def render_html(report: ProgressReport) -> str:
    """Render the report as one standalone HTML page with plotly.js inlined.

    Parameters
    ----------
    report : ProgressReport
        The report.

    Returns
    -------
    str
        The page; it loads nothing from the network.

    """
    from plotly.offline import get_plotlyjs

    person = html.escape(report.person)
    items = "".join(f"<li>{html.escape(line)}</li>" for line in summary_items(report))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Progress of {person}</title>
<style>{CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<h1>Progress of {person}</h1>
<p>As of {report.as_of}. A change counts as real only when it is larger than the test's
minimal detectable change (MDC); the error bars show ± MDC.</p>
<p class="disclaimer"><strong>{html.escape(NOT_A_DIAGNOSIS)}</strong></p>
<ul class="summary">{items}</ul>
<div class="panels">
{"".join(_panels(report))}
</div>
<footer>{html.escape(report.disclaimer)}</footer>
</body>
</html>
"""
