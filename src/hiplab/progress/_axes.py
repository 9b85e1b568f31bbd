"""Plot geometry shared by the PNG and HTML renderers: ranges, bands, colours."""

from __future__ import annotations

from datetime import date, timedelta

from hiplab.progress.models import Adherence, PainPoint, PainTrend, TestProgress, ValueChange

SIDE_COLOURS = {"left": "#0072B2", "right": "#D55E00", None: "#333333"}
"""Okabe–Ito blue and vermilion (colour-blind safe); unsided tests in dark grey."""
BAND_COLOUR = "#009E73"
REAL_COLOURS = {"better": "#009E73", "worse": "#CC3311", None: "#555555"}
MUTED = "#777777"
WEEK_COLOURS = {"met": BAND_COLOUR, "missed": "#E69F00", "in progress": "#BBBBBB"}
"""Adherence bars: target met, finished below target, week still in progress."""


def value_range(test: TestProgress) -> tuple[float, float]:
    """Return a y range holding every value ± MDC, the limit and the typical value.

    Parameters
    ----------
    test : TestProgress
        The test.

    Returns
    -------
    tuple of float
        ``(low, high)`` with a 12 % margin (at least 1 unit) on each side.

    Examples
    --------
    >>> from hiplab.progress.models import Point, SideSeries
    >>> p = Point(taken_on=date(2024, 1, 1), value=30, assessment_id=1)
    >>> t = TestProgress(test="x", name="X", unit="deg", direction="higher_is_better",
    ...                  limit=30, typical=35, mdc=5, side_threshold=5,
    ...                  sides=(SideSeries(side="left", points=(p,), changes=(), overall=None),))
    >>> value_range(t)
    (23.8, 36.2)

    """
    error = test.mdc or 0.0
    values = [p.value + s for series in test.sides for p in series.points for s in (-error, error)]
    values += [v for v in (test.limit, test.typical) if v is not None]
    low, high = min(values), max(values)
    margin = max((high - low) * 0.12, 1.0)
    return round(low - margin, 6), round(high + margin, 6)


def normal_band(test: TestProgress, span: tuple[float, float]) -> tuple[float, float] | None:
    """Return the part of ``span`` that is within normal (None without a norm).

    Parameters
    ----------
    test : TestProgress
        The test (its ``limit`` and ``direction``).
    span : tuple of float
        The y range of the plot.

    Returns
    -------
    tuple of float or None
        ``(low, high)`` of the shaded normal region.

    Examples
    --------
    >>> t = TestProgress(test="x", name="X", unit="deg", direction="lower_is_better",
    ...                  limit=0, typical=-10, mdc=None, side_threshold=None, sides=())
    >>> normal_band(t, (-20.0, 15.0))
    (-20.0, 0.0)

    """
    if test.limit is None:
        return None
    if test.direction == "higher_is_better":
        return max(test.limit, span[0]), span[1]
    return span[0], min(test.limit, span[1])


def date_range(test: TestProgress) -> tuple[date, date]:
    """Return the x range: first to last measurement, padded by a tenth (≥ 3 days).

    Parameters
    ----------
    test : TestProgress
        The test.

    Returns
    -------
    tuple of date
        ``(start, end)``.

    """
    days = [p.taken_on for series in test.sides for p in series.points]
    first, last = min(days), max(days)
    pad = timedelta(days=max(3, (last - first).days // 10))
    return first - pad, last + pad


def midpoint(change: ValueChange) -> tuple[date, float]:
    """Return where a change's label goes: halfway in time and value.

    Parameters
    ----------
    change : ValueChange
        The change.

    Returns
    -------
    tuple
        ``(day, value)``.

    """
    day = change.start + (change.end - change.start) / 2
    return day, (change.before + change.after) / 2


def tick_days(days: list[date], *, most: int = 5) -> list[date]:
    """Return at most ``most`` evenly spaced days from the first to the last of ``days``.

    Parameters
    ----------
    days : list of date
        The plotted days (any order, repeats allowed).
    most : int
        The largest number of ticks (at least 2).

    Returns
    -------
    list of date
        Sorted, distinct tick days, the first and the last plotted day included.

    Examples
    --------
    >>> d = [date(2024, 1, 1), date(2024, 1, 3), date(2024, 1, 13)]
    >>> [t.day for t in tick_days(d, most=4)]
    [1, 5, 9, 13]
    >>> [t.day for t in tick_days([date(2024, 1, 2)] * 2)]
    [2]

    """
    first, last = min(days), max(days)
    span = (last - first).days
    count = min(most, span + 1)
    if count < 2:
        return [first]
    return sorted({first + timedelta(days=round(i * span / (count - 1))) for i in range(count)})


def day_label(day: date) -> str:
    """Return a short two-line label for a date axis tick.

    Examples
    --------
    >>> day_label(date(2024, 3, 4)).splitlines()
    ['4 Mar', '2024']

    """
    return f"{day.day} {day:%b}\n{day.year}"


def week_colours(adherence: Adherence) -> list[str]:
    """Return each week's bar colour: the target met, missed, or the week still running."""
    return [
        WEEK_COLOURS["met" if w.met else ("missed" if w.finished else "in progress")]
        for w in adherence.weeks
    ]


def sessions_top(adherence: Adherence) -> int:
    """Return the top of the sessions axis: one above the target and every week's count."""
    return max(adherence.sessions_per_week, *(w.done for w in adherence.weeks)) + 1


def pain_plots(pain: PainTrend) -> tuple[tuple[tuple[PainPoint, ...], str, str], ...]:
    """Return the two pain plots as ``(points, title, colour)``: assessments, then sessions."""
    return (
        (pain.assessments, "Highest pain at each assessment", "#CC3311"),
        (pain.sessions, "Discomfort during sessions", "#0072B2"),
    )
