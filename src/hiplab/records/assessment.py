"""Typed output of an assessment: findings, safety decisions, chains, recommendations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from hiplab.library.models import EvidenceGrade

Severity = Literal["mild", "moderate", "severe"]
FindingSide = Literal["left", "right", "both"] | None


class Out(BaseModel):
    """Output base: immutable, serialised as plain JSON."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class NormBand(Out):
    """The norm a value was compared with."""

    limit: float
    typical: float | None
    direction: Literal["higher_is_better", "lower_is_better", "flag"]
    source: str
    label: str


class Finding(Out):
    """Something outside its norm, per side. A normal value produces no finding."""

    id: str
    side: FindingSide
    severity: Severity
    value: float | bool | None
    norm: NormBand | None
    unit: str
    test: str
    summary: str
    stretch_withheld: str = ""
    """Why this finding is not stretched on its side (a precaution limits that motion)."""


class WithheldTest(Out):
    """A test hiplab does not suggest to this person, on which sides, and why."""

    test: str
    sides: tuple[Literal["left", "right"], ...] = ()
    reason: str


class TestValue(Out):
    """One measured value, as entered or measured, for storage and history."""

    test: str
    side: Literal["left", "right"] | None
    value: float
    unit: str


class JointLimit(Out):
    """A hard limit on one motion of one joint (degrees from neutral) on a side."""

    joint: Literal["hip", "knee", "ankle", "lumbar"]
    side: Literal["left", "right", "both"]
    motion: str
    max_deg: float
    active_only: bool = False
    condition: str | None = None
    reason: str


class PositionAvoid(Out):
    """A body position to avoid entirely."""

    position: str
    avoid: Literal[True] = True
    condition: str | None = None
    reason: str


class PracticeAvoid(Out):
    """A way of exercising to avoid (e.g. end-range forcing)."""

    practice: Literal["end_range_forcing", "bouncing"]
    avoid: Literal[True] = True
    condition: str | None = None
    reason: str


class FallRiskAvoid(Out):
    """Movements with a real chance of a fall or a sudden load are avoided."""

    fall_risk: Literal[True] = True
    condition: str
    reason: str


class CombinedPositionAvoid(Out):
    """A combined hip position to avoid on a side: every listed motion at or past its angle.

    ``stretches_only`` limits the rule to stretches (no stretching *into* the position).
    """

    side: Literal["left", "right", "both"]
    at_least: tuple[tuple[str, float], ...]
    stretches_only: bool = False
    name: str
    condition: str
    reason: str


class ConditionAvoid(Out):
    """Movements the library declares unsafe for this condition are avoided."""

    avoid_condition: str
    reason: str


Precaution = (
    JointLimit
    | PositionAvoid
    | PracticeAvoid
    | FallRiskAvoid
    | CombinedPositionAvoid
    | ConditionAvoid
)


URGENCIES: tuple[str, ...] = ("emergency", "urgent", "soon")
"""Red-flag urgencies, most urgent first."""


class RedFlag(Out):
    """A reason to see a clinician before exercising: why, whom to see and how soon.

    ``reason`` says why in plain words; ``who`` is the kind of clinician (or service) and
    ``when`` how soon, both in plain words too. Results stored before ``who`` and ``when``
    existed get the wording of their urgency, so they still load.
    """

    id: str
    urgency: Literal["emergency", "urgent", "soon"]
    reason: str
    who: str
    when: str

    DEFAULT_WHO_WHEN: ClassVar[dict[str, tuple[str, str]]] = {
        "emergency": ("the emergency department (A&E or ER)", "now"),
        "urgent": ("a doctor", "the same day"),
        "soon": ("your family doctor (GP)", "within a few days"),
    }

    @model_validator(mode="before")
    @classmethod
    def _who_when_of_urgency(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("urgency") in cls.DEFAULT_WHO_WHEN:
            who, when = cls.DEFAULT_WHO_WHEN[data["urgency"]]
            data = {"who": who, "when": when, **data}
        return data

    @property
    def advice(self) -> str:
        """Whom to see and how soon, as one plain sentence: "See a doctor the same day."."""
        verb = "Go to" if self.urgency == "emergency" else "See"
        return f"{verb} {self.who} {self.when}."

    @property
    def told(self) -> str:
        """Why, then whom to see and how soon: the flag as a person reads it."""
        return f"{self.reason} {self.advice}"


def most_urgent_first(flags: Iterable[RedFlag]) -> list[RedFlag]:
    """Return ``flags`` sorted most urgent first (stable within an urgency)."""
    return sorted(flags, key=lambda f: URGENCIES.index(f.urgency))


class Chain(Out):
    """One evidence-graded link of the kinetic chain that the findings bring up."""

    id: str
    source: str
    target: str
    evidence: EvidenceGrade
    because: tuple[str, ...]
    inferred: bool
    explanation: str
    sources: tuple[str, ...]


class Recommendation(Out):
    """An exercise suggested for the findings, allowed by every precaution."""

    exercise_id: str
    name: str
    kind: str
    addresses: tuple[str, ...]
    why: str
    only_side: Literal["left", "right"] | None = None
    """The one side it is for, when a precaution rules the other side out."""


class Assessment(Out):
    """The whole result of assessing one input."""

    refer: bool
    red_flags: tuple[RedFlag, ...]
    precautions: tuple[Precaution, ...]
    findings: tuple[Finding, ...]
    chains: tuple[Chain, ...]
    recommendations: tuple[Recommendation, ...]
    missing_tests: tuple[str, ...]
    tests_not_suggested: tuple[WithheldTest, ...] = ()
    values: tuple[TestValue, ...]
    notes: tuple[str, ...]
    disclaimer: str
