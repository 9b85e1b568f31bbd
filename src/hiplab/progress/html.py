"""Standalone interactive HTML page of a progress report with plotly (imported lazily).

The page works offline: plotly.js comes from the installed ``plotly`` package and
is inlined once in the page head (no CDN, no network). One small plot per test
(normal range shaded, typical value dashed, left and right lines, error bars
± MDC, changes labelled), then plan adherence and the two pain plots, in a
grid that wraps on narrow screens. A plain-text summary above the plots says the
same without JavaScript. Plot ids are fixed, so the same report gives the same page.

The plots are the web page's: the JSON of :func:`hiplab.progress.charts.chart_payload`
in a ``<script type="application/json">`` block, drawn by the web app's
``static/charts.js`` (inlined here), so the page grows linearly with the values.
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources

from hiplab.progress._axes import pain_plots
from hiplab.progress._format import (
    NOT_A_DIAGNOSIS,
    adherence_words,
    change_words,
    norm_words,
)
from hiplab.progress.charts import PAIN_IDS, chart_payload
from hiplab.progress.models import Point, ProgressReport
from hiplab.report._format import number

SUMMARY_VALUES = 10
"""The summary line of a side lists its first value and at most this many latest ones."""
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


@cache
def charts_js() -> str:
    """Return the web app's ``static/charts.js``, which draws the charts in both pages."""
    return (resources.files("hiplab.web") / "static" / "charts.js").read_text(encoding="utf-8")


def _plot_div(div_id: str) -> str:
    return f'<section class="panel"><div id="{div_id}" class="chart"></div></section>'


def _empty_panel(title: str, message: str) -> str:
    heading, text = html.escape(title), html.escape(message)
    return f'<section class="panel"><h2>{heading}</h2><p>{text}</p></section>'


def _panels(report: ProgressReport) -> list[str]:
    panels = [_plot_div(f"plot-{t.test}") for t in report.tests]
    adherence = report.adherence
    if adherence is not None and adherence.weeks:
        panels.append(_plot_div("plot-adherence"))
    else:
        panels.append(_empty_panel("Plan adherence", "No plan saved yet."))
    for (points, title, _colour), suffix in zip(pain_plots(report.pain), PAIN_IDS, strict=True):
        if points:
            panels.append(_plot_div(f"plot-{suffix}"))
        else:
            panels.append(_empty_panel(title, "Nothing reported."))
    return panels


def summary_values(points: tuple[Point, ...], unit: str) -> str:
    """Return a side's values in words: all of them, or the first and the latest ones.

    Examples
    --------
    >>> from datetime import date
    >>> points = tuple(Point(taken_on=date(2024, 1, d), value=d, assessment_id=d)
    ...                for d in range(1, 14))
    >>> summary_values(points[:3], "deg")
    '1° → 2° → 3°'
    >>> summary_values(points, "deg")
    '1° on 2024-01-01, 2 more, then 4° → 5° → 6° → 7° → 8° → 9° → 10° → 11° → 12° → 13°'

    """
    if len(points) <= SUMMARY_VALUES + 1:
        return " → ".join(number(p.value, unit) for p in points)
    first, latest = points[0], points[-SUMMARY_VALUES:]
    skipped = len(points) - SUMMARY_VALUES - 1
    values = " → ".join(number(p.value, unit) for p in latest)
    return f"{number(first.value, unit)} on {first.taken_on}, {skipped} more, then {values}"


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
            values = summary_values(series.points, test.unit)
            where = f", {series.side}" if series.side else ""
            last = series.changes[-1] if series.changes else None
            change = f"; last change {change_words(last, test.unit)}" if last else ""
            lines.append(f"{test.name}{where}: {values}{change} ({norm_words(test)})")
    if report.adherence is not None:
        lines.append(f"Plan {report.adherence.plan_id}: {adherence_words(report.adherence)}")
    return lines


def _payload_json(report: ProgressReport) -> str:
    text = json.dumps(chart_payload(report, prefix="plot-"), ensure_ascii=False)
    # Inside <script> no "</" may close the block; the escape u003c is the same JSON.
    return text.replace("<", "\\u003c")


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
<script type="application/json" id="progress-charts">{_payload_json(report)}</script>
<script>{charts_js()}</script>
</body>
</html>
"""
