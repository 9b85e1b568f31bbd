"""Static PNG of a progress report with matplotlib (Agg, no pyplot, imported lazily).

Layout: small multiples, three columns; one panel per test (normal range shaded,
typical value dashed, left and right as separate lines, error bars ± MDC, each
change labelled ``real`` or ``no real change``), then plan adherence, pain at the
assessments and discomfort in sessions. The size is fixed by the number of panels
(see :func:`figure_size_px`) and the file carries no software tag or time stamp, so
the same report gives the same bytes.
"""

from __future__ import annotations

import io
import math
import textwrap
from datetime import date, timedelta
from typing import TYPE_CHECKING

from hiplab.progress._axes import (
    BAND_COLOUR,
    MUTED,
    REAL_COLOURS,
    SIDE_COLOURS,
    date_range,
    day_label,
    midpoint,
    normal_band,
    pain_plots,
    sessions_top,
    tick_days,
    value_range,
    week_colours,
)
from hiplab.progress._format import (
    NOT_A_DIAGNOSIS,
    adherence_words,
    signed,
    unit_words,
)
from hiplab.progress.models import (
    Adherence,
    PainPoint,
    ProgressReport,
    TestProgress,
    ValueChange,
)
from hiplab.report._format import number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

COLUMNS = 3
DPI = 100
WIDTH_IN = 13.5
ROW_IN = 3.4
TOP_IN = 0.95
BOTTOM_IN = 0.4
EXTRA_PANELS = 3
"""Adherence, pain at assessments, discomfort in sessions."""
_EPOCH = date(1970, 1, 1).toordinal()
_LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85}


def panel_count(report: ProgressReport) -> int:
    """Return the number of panels: one per test, adherence, and two for pain.

    Parameters
    ----------
    report : ProgressReport
        The report.

    Returns
    -------
    int
        The panel count.

    """
    return len(report.tests) + EXTRA_PANELS


def figure_size_px(report: ProgressReport) -> tuple[int, int]:
    """Return the PNG's width and height in pixels.

    Parameters
    ----------
    report : ProgressReport
        The report.

    Returns
    -------
    tuple of int
        ``(width, height)``: 1350 px wide, 340 px per row of three panels plus
        135 px for the title, the legend and the disclaimer.

    """
    rows = math.ceil(panel_count(report) / COLUMNS)
    return round(WIDTH_IN * DPI), round((rows * ROW_IN + TOP_IN + BOTTOM_IN) * DPI)


def _x(day: date) -> float:
    """Return a day as a plain number (days since 1970-01-01) for the x axis."""
    return float(day.toordinal() - _EPOCH)


def _date_axis(ax: Axes, days: list[date], limits: tuple[date, date] | None = None) -> None:
    ticks = tick_days(days)
    ax.set_xticks([_x(d) for d in ticks], [day_label(d) for d in ticks], fontsize=7.5)
    if limits is not None:
        ax.set_xlim(_x(limits[0]), _x(limits[1]))


def _above(test: TestProgress) -> dict[str | None, bool]:
    """Put each side's change labels above its line if it is the higher one, else below."""
    means = {s.side: sum(p.value for p in s.points) / len(s.points) for s in test.sides}
    top = max(means.values())
    return {side: mean == top for side, mean in means.items()}


def _test_panel(ax: Axes, test: TestProgress) -> None:
    span = value_range(test)
    band = normal_band(test, span)
    if band is not None:
        ax.axhspan(*band, color=BAND_COLOUR, alpha=0.13, lw=0)
    if test.typical is not None:
        ax.axhline(test.typical, color=BAND_COLOUR, ls="--", lw=1)
    limits = date_range(test)
    dodge = (_x(limits[1]) - _x(limits[0])) * 0.01
    above = _above(test)
    for series in test.sides:
        shift = {"left": -dodge, "right": dodge}.get(series.side or "", 0.0)
        ax.errorbar(
            [_x(p.taken_on) + shift for p in series.points], [p.value for p in series.points],
            yerr=test.mdc, color=SIDE_COLOURS[series.side], marker="o", ms=5, lw=1.8,
            capsize=3, elinewidth=1,
        )  # fmt: skip
        for change in series.changes:
            _label_change(ax, change, above=above[series.side], unit=test.unit)
    ax.set_ylim(*span)
    _date_axis(ax, [p.taken_on for series in test.sides for p in series.points], limits)
    ax.set_title("\n".join(textwrap.wrap(test.name, 52)), fontsize=9.5, loc="left")
    unit = unit_words(test.unit)
    mdc = f"bars ± MDC {number(test.mdc, test.unit)}" if test.mdc else "no error estimate"
    ax.set_ylabel(f"{unit} · {mdc}", fontsize=8)
    ax.grid(alpha=0.25)


def _label_change(ax: Axes, change: ValueChange, *, above: bool, unit: str) -> None:
    day, value = midpoint(change)
    if change.verdict == "real change":
        text = f"real {signed(change.delta, unit)}"
        colour = REAL_COLOURS[change.trend]
    else:
        text, colour = change.verdict, MUTED
    ax.annotate(
        text, (_x(day), value), xytext=(0, 8 if above else -8), textcoords="offset points",
        ha="center", va="bottom" if above else "top", fontsize=7, color=colour,
        style="italic", bbox=_LABEL_BOX,
    )  # fmt: skip


def _empty(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=MUTED)
    ax.set_xticks([])
    ax.set_yticks([])


def _adherence_panel(ax: Axes, adherence: Adherence | None) -> None:
    ax.set_title("Plan adherence: sessions per week", fontsize=9.5, loc="left")
    if adherence is None or not adherence.weeks:
        _empty(ax, "No plan saved yet.")
        return
    weeks = [w.week for w in adherence.weeks]
    ax.bar(weeks, [w.done for w in adherence.weeks], color=week_colours(adherence), width=0.6)
    ax.step(
        [weeks[0] - 0.5, *[w + 0.5 for w in weeks]],
        [adherence.sessions_per_week] * (len(weeks) + 1),
        where="post", color="#333333", ls="--", lw=1, label="weekly target",
    )  # fmt: skip
    labels = [f"wk {w.week}" + ("" if w.finished else "\n(so far)") for w in adherence.weeks]
    ax.set_xticks(weeks, labels, fontsize=8)
    top = sessions_top(adherence)
    ax.set_ylim(0, top)
    ax.set_yticks(range(top + 1))
    ax.set_ylabel("sessions", fontsize=8)
    ax.legend(fontsize=7, loc="upper right")
    ax.set_xlabel("\n".join(textwrap.wrap(adherence_words(adherence), 62)), fontsize=7.5)


def _pain_panel(ax: Axes, points: tuple[PainPoint, ...], title: str, colour: str) -> None:
    ax.set_title(title, fontsize=9.5, loc="left")
    if not points:
        _empty(ax, "Nothing reported.")
        return
    ax.plot([_x(p.on) for p in points], [p.pain for p in points], marker="o", ms=4, lw=1.4,
            color=colour)  # fmt: skip
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks(range(0, 11, 2))
    days = [p.on for p in points]
    pad = max(1, (max(days) - min(days)).days // 10)
    _date_axis(ax, days, (min(days) - timedelta(days=pad), max(days) + timedelta(days=pad)))
    ax.set_ylabel("0 none – 10 worst", fontsize=8)
    ax.grid(alpha=0.25)


def _header(header: SubFigure, title: str, *, unsided: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], color=SIDE_COLOURS["left"], marker="o", label="left"),
        Line2D([], [], color=SIDE_COLOURS["right"], marker="o", label="right"),
        *(
            [Line2D([], [], color=SIDE_COLOURS[None], marker="o", label="no side")]
            if unsided
            else []
        ),
        Patch(color=BAND_COLOUR, alpha=0.25, label="normal range"),
        Line2D([], [], color=BAND_COLOUR, ls="--", label="typical value"),
    ]
    header.text(0.5, 0.92, title, ha="center", va="top", fontsize=14)
    header.legend(
        handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=len(handles),
        fontsize=8.5,
        frameon=False,
    )  # fmt: skip


def build_figure(report: ProgressReport) -> Figure:
    """Draw the report on a new matplotlib figure (no pyplot, no global state).

    Parameters
    ----------
    report : ProgressReport
        The report.

    Returns
    -------
    Figure
        The figure, sized by :func:`figure_size_px`.

    """
    from matplotlib.figure import Figure

    width, height = figure_size_px(report)
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    parts = figure.subfigures(2, 1, squeeze=False, height_ratios=(TOP_IN, height / DPI - TOP_IN))
    header, body = parts[0, 0], parts[1, 0]
    unsided = any(s.side is None for t in report.tests for s in t.sides)
    _header(header, f"Progress of {report.person}, as of {report.as_of}", unsided=unsided)
    rows = math.ceil(panel_count(report) / COLUMNS)
    axes = list(body.subplots(rows, COLUMNS, squeeze=False).ravel())
    for ax, test in zip(axes, report.tests, strict=False):
        _test_panel(ax, test)
    rest = axes[len(report.tests) :]
    _adherence_panel(rest[0], report.adherence)
    for ax, (points, title, colour) in zip(rest[1:3], pain_plots(report.pain), strict=True):
        _pain_panel(ax, points, title, colour)
    for ax in rest[EXTRA_PANELS:]:
        ax.set_axis_off()
    footer = f"{NOT_A_DIAGNOSIS} A change is real only when it is larger than the MDC."
    body.supxlabel(footer, fontsize=8.5, color=MUTED)
    return figure


def render_png(report: ProgressReport) -> bytes:
    """Render the report as PNG bytes.

    Parameters
    ----------
    report : ProgressReport
        The report.

    Returns
    -------
    bytes
        A PNG of :func:`figure_size_px` pixels, without metadata that changes between runs.

    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = build_figure(report)
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
