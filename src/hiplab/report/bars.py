"""Horizontal bars comparing a measured value with its norm, as inline SVG."""

from __future__ import annotations

from html import escape
from typing import Literal

from hiplab.report._format import fmt_num, with_unit

Direction = Literal["higher_is_better", "lower_is_better"]

BAR_WIDTH = 170
BAR_HEIGHT = 40
TRACK_TOP = 15
TRACK_HEIGHT = 9
INSET = 6
NORMAL_FILL = "#dcfce7"
OUTSIDE_FILL = "#fee2e2"
LIMIT_COLOUR = "#166534"
VALUE_COLOUR = "#111827"
TYPICAL_COLOUR = "#6b7280"
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="10"'


def bar_range(
    value: float, limit: float, typical: float | None, *, lo: float, hi: float
) -> tuple[float, float]:
    """Return a scale that shows ``value``, ``limit`` and ``typical`` with room around them.

    The scale spans the three numbers plus a third of their spread on each
    side, kept inside ``[lo, hi]`` (the test's possible range) where that range
    holds all three.

    Examples
    --------
    >>> bar_range(10.0, 20.0, 30.0, lo=0.0, hi=100.0)
    (3.3, 36.7)
    >>> bar_range(10.0, 20.0, None, lo=12.0, hi=100.0)
    (6.7, 23.3)

    """
    marks = [value, limit] + ([typical] if typical is not None else [])
    low, high = min(marks), max(marks)
    pad = max(high - low, abs(limit) * 0.5, 1.0) / 3
    start, end = low - pad, high + pad
    if lo <= low and high <= hi:
        start, end = max(start, lo), min(end, hi)
    return round(start, 1), round(end, 1)


def _x(number: float, lo: float, hi: float) -> float:
    number = min(max(number, lo), hi)
    return INSET + (number - lo) / (hi - lo) * (BAR_WIDTH - 2 * INSET)


def _num(value: float) -> str:
    return f"{value:.1f}"


def _describe(
    value: float, limit: float, typical: float | None, direction: Direction, unit: str
) -> str:
    bound = "or more" if direction == "higher_is_better" else "or less"
    text = f"{with_unit(fmt_num(value), unit)}; normal is {with_unit(fmt_num(limit), unit)} {bound}"
    if typical is not None:
        text += f"; typical {with_unit(fmt_num(typical), unit)}"
    return text


def norm_bar_svg(
    value: float,
    limit: float,
    typical: float | None,
    direction: Direction,
    unit: str,
    lo: float,
    hi: float,
) -> str:
    """Draw ``value`` on a scale from ``lo`` to ``hi`` with the normal zone shaded.

    Parameters
    ----------
    value
        The measured value (drawn as a dot, clamped to the scale).
    limit
        Boundary of normal; the normal zone lies above it when ``direction`` is
        ``higher_is_better`` and below it when ``lower_is_better``.
    typical
        A typical value, drawn as a grey tick, or None.
    direction
        Which side of ``limit`` is normal.
    unit
        Unit printed with the numbers.
    lo, hi
        Ends of the scale; see :func:`bar_range` for a good choice.

    Returns
    -------
    str
        An ``<svg>`` with ``role="img"`` and an ``aria-label`` saying the value,
        the normal zone and the typical value in words.

    Raises
    ------
    ValueError
        If ``hi`` is not above ``lo``.

    """
    if not hi > lo:
        raise ValueError(f"hi must be greater than lo, got lo={lo} and hi={hi}")
    x_limit, x_value = _x(limit, lo, hi), _x(value, lo, hi)
    left_end, right_end = float(INSET), float(BAR_WIDTH - INSET)
    normal = (x_limit, right_end) if direction == "higher_is_better" else (left_end, x_limit)
    outside = (left_end, x_limit) if direction == "higher_is_better" else (x_limit, right_end)
    label = escape(_describe(value, limit, typical, direction, unit))
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" '
            f'viewBox="0 0 {BAR_WIDTH} {BAR_HEIGHT}" role="img" aria-label="{label}">',
            f"<title>{label}</title>",
            _zone(outside, OUTSIDE_FILL, "outside"),
            _zone(normal, NORMAL_FILL, "normal"),
            _ticks(x_limit, limit, typical, unit, lo, hi),
            f'<circle class="value" cx="{_num(x_value)}" cy="{TRACK_TOP + TRACK_HEIGHT / 2}" '
            f'r="5.5" fill="{VALUE_COLOUR}" stroke="#ffffff" stroke-width="1.5"/>',
            _text(x_value, TRACK_TOP - 4, with_unit(fmt_num(value), unit), bold=True),
            "</svg>",
        ]
    )


def _zone(span: tuple[float, float], fill: str, css: str) -> str:
    start, end = span
    return (
        f'<rect class="{css}" x="{_num(start)}" y="{TRACK_TOP}" '
        f'width="{_num(max(end - start, 0))}" height="{TRACK_HEIGHT}" fill="{fill}"/>'
    )


def _ticks(
    x_limit: float, limit: float, typical: float | None, unit: str, lo: float, hi: float
) -> str:
    bottom = TRACK_TOP + TRACK_HEIGHT
    parts = [
        f'<line class="limit" x1="{_num(x_limit)}" y1="{TRACK_TOP - 2}" x2="{_num(x_limit)}" '
        f'y2="{bottom + 2}" stroke="{LIMIT_COLOUR}" stroke-width="2"/>',
        _text(
            x_limit, bottom + 12, f"limit {with_unit(fmt_num(limit), unit)}", colour=LIMIT_COLOUR
        ),
    ]
    if typical is not None:
        x_typical = _x(typical, lo, hi)
        parts.insert(
            0,
            f'<line class="typical" x1="{_num(x_typical)}" y1="{TRACK_TOP}" x2="{_num(x_typical)}" '
            f'y2="{bottom}" stroke="{TYPICAL_COLOUR}" stroke-width="1.5" stroke-dasharray="2 2"/>',
        )
    return "".join(parts)


def _text(x: float, y: float, words: str, *, bold: bool = False, colour: str = VALUE_COLOUR) -> str:
    anchor = "start" if x < BAR_WIDTH * 0.2 else "end" if x > BAR_WIDTH * 0.8 else "middle"
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" {FONT}{weight} '
        f'fill="{colour}">{escape(words)}</text>'
    )
