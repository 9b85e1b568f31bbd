"""What the progress page shows: every value in the charts, the tables a page at a time.

The charts are plain plotly.js JSON from :mod:`hiplab.progress.charts` (the same builder
as ``hiplab progress -f html``, so the two pages never disagree); they keep every value
of every side, however long the history. The tables under them say the same for
people without JavaScript or with a screen reader, but a client measured on 500 days
would make a page of thousands of rows, so each table lists :data:`TABLE_DAYS` days at
a time: page 1 the latest, page 2 the ones before, and so on. Every table turns the
same page, and within a page the rows run oldest first. The work is linear in the
number of values; nothing builds a plotly figure object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from hiplab.progress._format import SIDE_LABELS, adherence_words, change_words, norm_words
from hiplab.progress.charts import chart_payload
from hiplab.progress.models import (
    PainPoint,
    Point,
    ProgressReport,
    SideName,
    TestProgress,
    ValueChange,
)
from hiplab.report._format import number

TABLE_DAYS = 20
"""Days each table lists on one page."""
Row = TypeVar("Row")
Item = TypeVar("Item")
TestValue = tuple[Point, SideName | None, ValueChange | None]
"""A test's value, its side and its change since the side's previous value."""


@dataclass(frozen=True)
class ValueRow:
    """One measured value in a test's table."""

    taken_on: date
    side: str
    value: str
    change: str


@dataclass(frozen=True)
class PainRow:
    """One day's highest pain or discomfort (0–10)."""

    on: date
    pain: int


@dataclass(frozen=True)
class Table(Generic[Row]):
    """The rows of one table on this page, its caption in words, its days on record."""

    rows: tuple[Row, ...]
    caption: str
    days: int


@dataclass(frozen=True)
class TestView:
    """One test: its chart's element id, its norm in words and this page of its values."""

    __test__ = False  # not a pytest test class

    id: str
    chart_id: str
    name: str
    norm: str
    table: Table[ValueRow]


@dataclass(frozen=True)
class WeekRow:
    """One plan week in the adherence table."""

    week: int
    start: date
    done: int
    target: int
    finished: bool


@dataclass(frozen=True)
class Pages:
    """Which page of the tables is shown: 1 is the latest, ``count`` the oldest."""

    number: int
    count: int
    days: int = TABLE_DAYS

    @property
    def older(self) -> int | None:
        """Return the next older page, None on the oldest."""
        return self.number + 1 if self.number < self.count else None

    @property
    def newer(self) -> int | None:
        """Return the next newer page, None on the latest."""
        return self.number - 1 if self.number > 1 else None


@dataclass(frozen=True)
class ProgressView:
    """Everything the template needs; ``charts`` is the JSON payload for charts.js."""

    tests: tuple[TestView, ...]
    adherence: str | None
    weeks: tuple[WeekRow, ...]
    pain: Table[PainRow]
    discomfort: Table[PainRow]
    pages: Pages
    charts: dict[str, Any]


def page_count(days: int, per_page: int = TABLE_DAYS) -> int:
    """Return how many pages ``days`` distinct days fill (at least one).

    Examples
    --------
    >>> page_count(0), page_count(20), page_count(21), page_count(500)
    (1, 1, 2, 25)

    """
    return max(1, -(-days // per_page))


def days_on_page(days: Sequence[date], page: int, per_page: int = TABLE_DAYS) -> Sequence[date]:
    """Return the days of page ``page`` (1: the latest ``per_page``) of sorted distinct days.

    Examples
    --------
    >>> days = [date(2024, 1, d) for d in range(1, 6)]
    >>> [d.day for d in days_on_page(days, 1, 2)], [d.day for d in days_on_page(days, 3, 2)]
    ([4, 5], [1])
    >>> list(days_on_page(days, 4, 2))
    []

    """
    end = len(days) - (page - 1) * per_page
    return days[max(0, end - per_page) : max(0, end)]


def paged_table(
    items: Sequence[Item],
    day_of: Callable[[Item], date],
    row_of: Callable[[Item], Row],
    *,
    what: str,
    pages: Pages,
) -> Table[Row]:
    """Return the rows of the items whose day is on the page, with a caption.

    Parameters
    ----------
    items : sequence
        Everything the table could list, oldest first.
    day_of : callable
        An item's day.
    row_of : callable
        An item's row (only the page's items are turned into rows).
    what : str
        What the table lists, for the caption ("Values of Hip flexion").
    pages : Pages
        The page shown.

    Returns
    -------
    Table
        The page's rows, oldest first.

    """
    days = sorted({day_of(item) for item in items})
    shown = days_on_page(days, pages.number, pages.days)
    if len(shown) == len(days):
        rows = tuple(row_of(item) for item in items)
        return Table(rows=rows, caption=f"{what}, oldest first", days=len(days))
    if not shown:
        last = page_count(len(days), pages.days)
        where = "page 1" if last == 1 else f"pages 1 to {last}"
        note = f"{what}: none this far back; its {len(days)} days are on {where}."
        return Table(rows=(), caption=note, days=len(days))
    first, final = shown[0], shown[-1]
    kept = tuple(row_of(item) for item in items if first <= day_of(item) <= final)
    caption = (
        f"{what} from {first} to {final}, oldest first "
        f"({len(shown)} of the {len(days)} days on record)"
    )
    return Table(rows=kept, caption=caption, days=len(days))


def values_of_test(test: TestProgress) -> list[TestValue]:
    """Return every value of a test with its change (None for a side's first), by date.

    Within a day left comes before right (the sort is stable).
    """
    values: list[TestValue] = []
    for series in test.sides:
        changes = (None, *series.changes)
        values += [(p, series.side, c) for p, c in zip(series.points, changes, strict=True)]
    values.sort(key=lambda value: value[0].taken_on)
    return values


def value_row(value: TestValue, unit: str) -> ValueRow:
    """Return one table row: the day, the side, the value and the change in words."""
    point, side, change = value
    return ValueRow(
        taken_on=point.taken_on,
        side=SIDE_LABELS[side],
        value=number(point.value, unit),
        change=change_words(change, unit) if change is not None else "first",
    )


def view_of_test(test: TestProgress, pages: Pages) -> TestView:
    """Return a test's page of values (by date, left before right) and its norm in words."""
    table = paged_table(
        values_of_test(test),
        lambda value: value[0].taken_on,
        lambda value: value_row(value, test.unit),
        what=f"Values of {test.name}",
        pages=pages,
    )
    return TestView(
        id=test.test,
        chart_id=f"chart-{test.test}",
        name=test.name,
        norm=norm_words(test),
        table=table,
    )


def pain_table(points: Sequence[PainPoint], *, what: str, pages: Pages) -> Table[PainRow]:
    """Return a page of a pain table (0–10 per day)."""
    return paged_table(
        points, lambda p: p.on, lambda p: PainRow(on=p.on, pain=p.pain), what=what, pages=pages
    )


def pages_of(report: ProgressReport, page: int) -> Pages:
    """Return the page to show: ``page`` within the longest table's pages."""
    lengths = [len({p.taken_on for s in t.sides for p in s.points}) for t in report.tests]
    lengths += [len(report.pain.assessments), len(report.pain.sessions)]
    count = page_count(max(lengths, default=0))
    return Pages(number=min(max(page, 1), count), count=count)


def progress_view(
    report: ProgressReport, *, config: Mapping[str, Any], page: int = 1
) -> ProgressView:
    """Return the page's tables (page ``page``, 1 the latest) and every chart's data.

    Parameters
    ----------
    report : ProgressReport
        The person's progress.
    config : mapping
        plotly.js configuration.
    page : int
        The tables' page; out of range, the nearest page is shown.

    Returns
    -------
    ProgressView
        The view.

    """
    pages = pages_of(report, page)
    adherence = report.adherence
    weeks = tuple(
        WeekRow(week=w.week, start=w.start, done=w.done, target=w.target, finished=w.finished)
        for w in (adherence.weeks if adherence is not None else ())
    )
    return ProgressView(
        tests=tuple(view_of_test(t, pages) for t in report.tests),
        adherence=adherence_words(adherence) if adherence is not None else None,
        weeks=weeks,
        pain=pain_table(report.pain.assessments, what="Highest pain (0–10)", pages=pages),
        discomfort=pain_table(report.pain.sessions, what="Discomfort (0–10)", pages=pages),
        pages=pages,
        charts=chart_payload(report, prefix="chart-", config=config),
    )
