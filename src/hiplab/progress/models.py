"""The typed progress report: test series with norms and error, adherence, pain.

Conventions
-----------
* A change between two consecutive measurements of one test and side is a
  ``"real change"`` only when its size is larger than the test's minimal
  detectable change (``error.mdc`` in the library); otherwise it is
  ``"no real change"``. Tests without an error estimate give ``"no error estimate"``.
* ``trend`` says whether a change went the favourable way for the test's
  ``direction`` (``"better"``/``"worse"``), whatever its size; ``None`` when the
  value did not move.
* Weeks of a plan start on the local calendar day the plan was created: week
  ``k`` covers ``[created_on + 7(k-1), created_on + 7k)``. A session belongs to
  the local day its ``started_at`` names (the offset it was logged with).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

Verdict = Literal["real change", "no real change", "no error estimate"]
Trend = Literal["better", "worse"]
SideName = Literal["left", "right"]


class ProgressModel(BaseModel):
    """Base: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Point(ProgressModel):
    """One measured value of one test and side."""

    taken_on: date
    value: float
    assessment_id: int


class ValueChange(ProgressModel):
    """The change between two measurements, judged against the measurement error."""

    start: date
    end: date
    before: float
    after: float
    delta: float
    verdict: Verdict
    trend: Trend | None


class SideSeries(ProgressModel):
    """The measurements of one side (``None`` for unsided tests) and their changes."""

    side: SideName | None
    points: tuple[Point, ...]
    changes: tuple[ValueChange, ...]
    overall: ValueChange | None
    """First against latest measurement; None with fewer than two."""


class TestProgress(ProgressModel):
    """One test over time: its norm band, its error and one series per side."""

    __test__ = False  # not a pytest test class

    test: str
    name: str
    unit: str
    direction: Literal["higher_is_better", "lower_is_better"]
    limit: float | None
    typical: float | None
    mdc: float | None
    side_threshold: float | None
    """Left/right difference beyond measurement error (None: no estimate)."""
    sides: tuple[SideSeries, ...]


class WeekAdherence(ProgressModel):
    """Sessions done in one week of a plan against the weekly target."""

    week: int
    start: date
    done: int
    target: int
    finished: bool
    """True when the whole week lies before the ``as_of`` date."""

    @property
    def met(self) -> bool:
        """Return whether the week's target is reached."""
        return self.done >= self.target


class Adherence(ProgressModel):
    """How well the latest plan was followed up to the ``as_of`` date.

    ``planned`` is ``sessions_per_week`` times the finished weeks (at most the plan
    length) and ``done`` counts the sessions in those weeks; the week in progress
    is in ``weeks`` but not in these two counts. ``streak_weeks`` counts the latest
    finished weeks in a row that met the target, plus the week in progress once it
    has met it. ``mean_completion`` averages every counted session's completion
    (0–1), the week in progress included.
    """

    plan_id: int
    block: int
    created_on: date
    sessions_per_week: int
    plan_weeks: int
    weeks_elapsed: int
    planned: int
    done: int
    streak_weeks: int
    mean_completion: float | None
    weeks: tuple[WeekAdherence, ...]

    @property
    def ratio(self) -> float | None:
        """Return ``done / planned``, None before the first week is over."""
        return None if self.planned == 0 else self.done / self.planned


class PainPoint(ProgressModel):
    """The highest pain or discomfort (0–10) reported on one day."""

    on: date
    pain: int


class PainTrend(ProgressModel):
    """Pain from the assessments' symptoms and discomfort from the session logs.

    An assessment without symptoms counts as pain 0.
    """

    assessments: tuple[PainPoint, ...]
    sessions: tuple[PainPoint, ...]


class ProgressReport(ProgressModel):
    """Everything the progress views show for one person, as of one date."""

    person: str
    as_of: date
    tests: tuple[TestProgress, ...]
    skipped_tests: tuple[str, ...]
    """Measured tests left out: yes/no signs and ids the library does not know."""
    adherence: Adherence | None
    pain: PainTrend
    disclaimer: str
