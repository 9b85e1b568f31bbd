"""The typed programme tree (Programme → Week → Session → Item) and session logs.

Conventions
-----------
* Durations are whole seconds. An item's ``duration_s`` covers every set on
  every side it names, the rests between sets, the switch between sides and
  the time to get into position, so a session's ``duration_s`` is exactly the
  sum of its items' durations.
* ``side`` is ``"left"`` or ``"right"`` for a unilateral item done on one side
  only (or with a different dose there), ``"both"`` for a unilateral item done
  the same on each side, and ``None`` for a bilateral exercise.
* Progression is a list of typed steps per week, never free text.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ItemSide = Literal["left", "right", "both"] | None
Phase = Literal["warm_up", "activation", "strength", "stretch"]
ProgressionRule = Literal["longer_hold", "more_reps", "extra_set", "harder_variant"]


class PlanModel(BaseModel):
    """Base: immutable, unknown keys refused (plans are reloaded from the store)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Dose(PlanModel):
    """How much of one exercise: sets of a hold or of repetitions, with rests."""

    sets: int = Field(ge=1, le=10)
    hold_s: int | None = Field(default=None, ge=3, le=180)
    reps: int | None = Field(default=None, ge=1, le=50)
    rest_s: int = Field(ge=0, le=180)


class PlanItem(PlanModel):
    """One exercise in a session, with its side, dose and why it is there."""

    exercise_id: str
    name: str
    kind: str
    phase: Phase
    position: str
    side: ItemSide
    sets: int = Field(ge=1, le=10)
    hold_s: int | None = None
    reps: int | None = None
    rest_s: int = Field(ge=0)
    duration_s: int = Field(ge=1)
    addresses: tuple[str, ...] = ()
    why: str = ""


class Session(PlanModel):
    """One session, repeated ``sessions_per_week`` times in its week."""

    duration_s: int = Field(ge=0)
    items: tuple[PlanItem, ...]


class ProgressionStep(PlanModel):
    """A typed change from the previous week."""

    exercise_id: str
    rule: ProgressionRule
    before: str
    after: str


class Week(PlanModel):
    """A week of the block: its session and what progressed since last week."""

    week: int = Field(ge=1)
    session: Session
    progression: tuple[ProgressionStep, ...] = ()


SolveStatus = Literal["optimal", "time_limit", "infeasible", "not_run"]
"""How a selection was solved: ``time_limit`` means the solver stopped at its time limit,
so the programme is the best found in that time, not a proven optimum."""


class SolverReport(PlanModel):
    """How the selection was solved (no wall time here: output must be reproducible)."""

    name: str
    status: SolveStatus
    objective: float | None
    candidates: int

    @field_validator("status", mode="before")
    @classmethod
    def _time_limit_was_called_feasible(cls, value: object) -> object:
        # Plans stored before 2026-12 say "feasible" for the same solver outcome.
        return "time_limit" if value == "feasible" else value


class Change(PlanModel):
    """A re-planning note comparing a re-measured test with the previous block."""

    test: str
    side: Literal["left", "right"] | None
    before: float
    after: float
    unit: str
    verdict: Literal["improved_to_norm", "improved", "no_real_change", "worse"]
    text: str


class Programme(PlanModel):
    """A multi-week programme for one person, or a referral with no items."""

    refer: bool
    reason: str
    person: str
    sessions_per_week: int = Field(ge=1, le=14)
    minutes: int = Field(ge=5, le=120)
    weeks: tuple[Week, ...]
    retest_week: int | None
    findings_addressed: tuple[str, ...] = ()
    findings_not_addressed: tuple[str, ...] = ()
    time_note: str = ""
    precautions: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    solver: SolverReport
    block: int = Field(default=1, ge=1)
    start_date: str | None = None
    disclaimer: str = ""


class ItemLog(PlanModel):
    """What happened to one planned item in a guided session."""

    exercise_id: str
    side: ItemSide
    planned_s: int = Field(ge=0)
    done_s: int = Field(ge=0)
    status: Literal["done", "partial", "skipped", "not_reached"]


class SessionLog(PlanModel):
    """A guided session as it was done: per-item completion, discomfort and effort."""

    person: str
    plan_id: int | None = None
    week: int = Field(ge=1)
    started_at: str
    finished_at: str
    items: tuple[ItemLog, ...]
    discomfort: int | None = Field(default=None, ge=0, le=10)
    effort: int | None = Field(default=None, ge=0, le=10)
    quit_early: bool = False

    @property
    def completion(self) -> float:
        """Return the fraction of planned seconds that were done (0–1)."""
        planned = sum(i.planned_s for i in self.items)
        return 0.0 if planned == 0 else min(1.0, sum(i.done_s for i in self.items) / planned)
