"""Compare test results with the library's norms and turn deficits into findings.

A value beyond its norm's ``limit`` in the unfavourable direction is a
finding; severity grows by one level per ``step`` beyond the limit (capped at
severe). A normal value produces no finding. Where both sides were measured
and they differ by more than the test's measurement error, an ``asymmetry``
finding names the worse side.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Literal

from hiplab.library.loader import Library
from hiplab.library.models import Norm, TestDef, TestKind
from hiplab.records.assessment import Finding, NormBand, Severity, TestValue
from hiplab.records.intake import AssessmentInput, Person

SIDES: tuple[Literal["left", "right"], ...] = ("left", "right")
SEVERITIES: tuple[Severity, ...] = ("mild", "moderate", "severe")


def select_norm(test: TestDef, person: Person) -> Norm | None:
    """Return the most specific norm for the person's sex and age, or None."""
    fitting = [
        n
        for n in test.norms
        if n.sex in ("any", person.sex.value) and n.age_min <= person.age <= n.age_max
    ]
    if not fitting:
        return None
    return min(fitting, key=lambda n: (n.sex == "any", n.age_max - n.age_min))


def severity_of(value: float, norm: Norm, direction: str) -> Severity | None:
    """Return the severity of ``value`` against ``norm``, None when within normal."""
    deficit = norm.limit - value if direction == "higher_is_better" else value - norm.limit
    if deficit <= 0:
        return None
    level = min(math.ceil(deficit / norm.step), len(SEVERITIES))
    return SEVERITIES[level - 1]


def _raw(tests: Any, key: str) -> Any:
    head, _, sub = key.partition(".")
    return getattr(tests, head), sub


def sided_values(data: AssessmentInput, test: TestDef) -> Iterator[tuple[str | None, Any]]:
    """Yield ``(side, value)`` for every value entered for ``test`` (side None if unsided)."""
    raw, sub = _raw(data.tests, test.input_key)
    if raw is None:
        return
    if test.kind is TestKind.score:
        yield None, raw
        return
    for side in SIDES:
        entry = getattr(raw, side)
        if entry is None:
            continue
        value = getattr(entry, sub) if sub else entry
        if test.kind is TestKind.bilateral_positive:
            value = value.positive
        if value is not None:
            yield side, value


def _band(test: TestDef, norm: Norm) -> NormBand:
    symbol = "≥" if test.direction == "higher_is_better" else "≤"
    return NormBand(
        limit=norm.limit,
        typical=norm.typical,
        direction=test.direction,
        source=norm.source,
        label=f"{symbol} {norm.limit:g} {test.unit}",
    )


def _measured_finding(test: TestDef, norm: Norm, side: str | None, value: float) -> Finding | None:
    severity = severity_of(value, norm, test.direction)
    if severity is None or test.finding is None:
        return None
    where = f"{side} " if side else ""
    basis = f" ({norm.basis})" if norm.basis else ""
    return Finding(
        id=test.finding,
        side=side,
        severity=severity,
        value=value,
        norm=_band(test, norm),
        unit=test.unit,
        test=test.id,
        summary=(
            f"{test.name}: {where}{value:g} {test.unit}, normal {_band(test, norm).label}{basis}"
        ),
    )


def _flag_finding(test: TestDef, side: str | None) -> Finding | None:
    if test.finding is None:
        return None
    where = f" on the {side}" if side else ""
    return Finding(
        id=test.finding,
        side=side,
        severity="mild",
        value=True,
        norm=None,
        unit=test.unit,
        test=test.id,
        summary=f"{test.name}: positive{where}",
    )


def test_findings(data: AssessmentInput, test: TestDef) -> list[Finding]:
    """Return the findings (not yet merged across sides) for one test."""
    out: list[Finding] = []
    norm = select_norm(test, data.person)
    for side, value in sided_values(data, test):
        if test.direction == "flag":
            found = _flag_finding(test, side) if value else None
        else:
            found = _measured_finding(test, norm, side, float(value)) if norm else None
        if found:
            out.append(found)
    return out


def asymmetry(data: AssessmentInput, test: TestDef) -> Finding | None:
    """Return an asymmetry finding when the sides differ by more than measurement error."""
    if test.kind is not TestKind.bilateral_number or test.error is None:
        return None
    values = dict(sided_values(data, test))
    if len(values) < 2:
        return None
    left, right = float(values["left"]), float(values["right"])
    diff = abs(left - right)
    threshold = test.error.side_threshold
    if diff <= threshold:
        return None
    worse_is_lower = test.direction == "higher_is_better"
    worse = "left" if (left < right) == worse_is_lower else "right"
    level = min(math.ceil(diff / threshold) - 1, len(SEVERITIES))
    return Finding(
        id="asymmetry",
        side=worse,
        severity=SEVERITIES[level - 1],
        value=round(diff, 2),
        norm=NormBand(
            limit=threshold,
            typical=None,
            direction="lower_is_better",
            source=test.error.side_threshold_source,
            label=f"side difference ≤ {threshold:g} {test.unit}",
        ),
        unit=test.unit,
        test=test.id,
        summary=(
            f"{test.name}: left {left:g} vs right {right:g} {test.unit} — the {worse} side is "
            f"{diff:g} {test.unit} worse, more than the {threshold:g} {test.unit} measurement error"
        ),
    )


def merge_sides(findings: list[Finding]) -> list[Finding]:
    """Keep per-side findings; severity ordering is preserved, nothing is merged away.

    Both sides stay separate so the report and planner can dose each side.
    """
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (-order[f.severity], f.id, f.side or ""))


def measured_values(data: AssessmentInput, library: Library) -> list[TestValue]:
    """Return every entered value as a :class:`TestValue` (booleans as 1/0)."""
    out: list[TestValue] = []
    for test in library.tests.values():
        for side, value in sided_values(data, test):
            out.append(TestValue(test=test.id, side=side, value=float(value), unit=test.unit))
    return out


def evaluate(data: AssessmentInput, library: Library) -> tuple[list[Finding], list[str]]:
    """Return the findings and the ids of tests that were not entered."""
    findings: list[Finding] = []
    missing: list[str] = []
    for test in library.tests.values():
        if not any(True for _ in sided_values(data, test)):
            missing.append(test.id)
            continue
        findings += test_findings(data, test)
        if (asym := asymmetry(data, test)) is not None:
            findings.append(asym)
    return merge_sides(findings), missing
