"""Assess one input: findings against norms, red flags, precautions and the tests withheld.

The chains and recommendations are added above this floor
(:func:`hiplab.services.assessments.assess`), since explain and plan build on the findings.
"""

from __future__ import annotations

from collections.abc import Sequence

from hiplab.assess.evaluate import evaluate, measured_values
from hiplab.assess.safety import precautions, stretch_withheld, withheld_test
from hiplab.assess.screening import red_flags
from hiplab.library.loader import Library
from hiplab.records.assessment import Assessment, Finding, Precaution, WithheldTest
from hiplab.records.intake import AssessmentInput

DISCLAIMER = (
    "hiplab is not a diagnosis. It compares your entries with published norms and explains "
    "possible links with their evidence grade; a clinician's examination comes first."
)

REFER_NOTE = (
    "One or more answers need a clinician's attention before exercising, so no exercises are "
    "suggested. Take this report with you."
)


def _notes(data: AssessmentInput, library: Library, finding_ids: set[str]) -> list[str]:
    notes = [
        f"{library.findings[f].label}: {library.findings[f].structural_note}"
        for f in sorted(finding_ids)
        if f in library.findings and library.findings[f].structural_note
    ]
    if "thomas_thigh_angle" in {v.test for v in measured_values(data, library)}:
        notes.append(
            "The Thomas test agrees with itself only fairly (κ 0.33–0.40) and can mislead if the "
            "pelvis tilts; treat a borderline result as a hint, not a verdict."
        )
    return notes


def screened_findings(
    findings: Sequence[Finding], constraints: Sequence[Precaution], library: Library
) -> list[Finding]:
    """Return the findings, each marked when a precaution forbids stretching it on its side."""
    out = []
    for f in findings:
        spec = library.findings.get(f.id)
        why = stretch_withheld(f, spec, library.tests.get(f.test), constraints) if spec else ""
        out.append(f.model_copy(update={"stretch_withheld": why}) if why else f)
    return out


def screened_tests(
    missing: Sequence[str], constraints: Sequence[Precaution], library: Library
) -> tuple[list[str], list[WithheldTest]]:
    """Return the tests still to do that are safe on some side, and every test withheld."""
    withheld = [w for t in library.tests.values() if (w := withheld_test(t, constraints))]
    fully = {w.test for w in withheld if len(w.sides) != 1}
    return [t for t in missing if t not in fully], withheld


def assess_findings(data: AssessmentInput, library: Library) -> Assessment:
    """Return the assessment of ``data`` before explanation: no chains, no recommendations yet."""
    flags = red_flags(data)
    constraints = precautions(data)
    found, missing_all = evaluate(data, library)
    findings = screened_findings(found, constraints, library)
    missing, withheld = screened_tests(missing_all, constraints, library)
    refer = bool(flags)
    if refer:  # no tests either until a clinician has seen the person (no stretching or sport)
        missing = []
    notes = _notes(data, library, {f.id for f in findings})
    return Assessment(
        refer=refer,
        red_flags=tuple(flags),
        precautions=tuple(constraints),
        findings=tuple(findings),
        chains=(),
        recommendations=(),
        missing_tests=tuple(missing),
        tests_not_suggested=tuple(withheld),
        values=tuple(measured_values(data, library)),
        notes=tuple([REFER_NOTE, *notes] if refer else notes),
        disclaimer=DISCLAIMER,
    )
