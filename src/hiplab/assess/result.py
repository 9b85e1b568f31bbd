"""Typed output of an assessment: findings, safety decisions, chains, recommendations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

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
    at_least: dict[str, float]
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


class RedFlag(Out):
    """A reason to see a clinician before exercising."""

    id: str
    urgency: Literal["emergency", "urgent", "soon"]
    reason: str


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


class Assessment(Out):
    """The whole result of assessing one input."""

    refer: bool
    red_flags: tuple[RedFlag, ...]
    precautions: tuple[Precaution, ...]
    findings: tuple[Finding, ...]
    chains: tuple[Chain, ...]
    recommendations: tuple[Recommendation, ...]
    missing_tests: tuple[str, ...]
    values: tuple[TestValue, ...]
    notes: tuple[str, ...]
    disclaimer: str
