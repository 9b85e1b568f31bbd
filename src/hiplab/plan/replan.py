"""Compare a re-measured assessment with the previous one and say what changes.

A change counts only when it is larger than the test's measurement error
(``error.mdc`` from the library); smaller changes are "no real change".
Verdicts drive the next block: findings that reached their norm drop out (their
work is reduced), improved ones progress, unchanged ones keep their work.
"""

from __future__ import annotations

from collections.abc import Sequence

from hiplab.assess.evaluate import select_norm, severity_of
from hiplab.library.loader import Library
from hiplab.library.models import TestDef
from hiplab.records.assessment import TestValue
from hiplab.records.intake import Person
from hiplab.records.programme import Change

UNIT_SIGNS = {"deg": "°", "cm": " cm", "s": " s", "reps": " reps"}


def _fmt(value: float, unit: str) -> str:
    return f"{value:g}{UNIT_SIGNS.get(unit, ' ' + unit)}"


def _verdict(test: TestDef, person: Person, before: float, after: float) -> str:
    better = after - before if test.direction == "higher_is_better" else before - after
    error = test.error.mdc if test.error else 0.0
    norm = select_norm(test, person)
    if abs(better) <= error:
        return "no_real_change"
    if better < 0:
        return "worse"
    now_normal = norm is not None and severity_of(after, norm, test.direction) is None
    return "improved_to_norm" if now_normal else "improved"


def _text(
    test: TestDef, side: str | None, before: float, after: float, verdict: str, library: Library
) -> str:
    where = f"{side} " if side else ""
    head = f"{where}{test.label} {_fmt(before, test.unit)} → {_fmt(after, test.unit)}"
    error = _fmt(test.error.mdc, test.unit) if test.error else "the measurement error"
    finding = library.findings.get(test.finding or "")
    area = finding.label_in_sentence if finding else "it"
    tail = {
        "improved_to_norm": f"now within norm: less work for {area}",
        "improved": f"better by more than {error}: progressing",
        "no_real_change": f"no real change (within {error}): keeping the same work",
        "worse": "worse than last time: keeping the work; if it hurts, check with a clinician",
    }[verdict]
    return f"{head}, {tail}"


def compare(
    before: Sequence[TestValue], after: Sequence[TestValue], *, person: Person, library: Library
) -> list[Change]:
    """Return one change per test and side measured in both assessments."""
    old = {(v.test, v.side): v.value for v in before}
    out: list[Change] = []
    for value in after:
        test = library.tests.get(value.test)
        key = (value.test, value.side)
        if test is None or key not in old or test.direction == "flag":
            continue
        verdict = _verdict(test, person, old[key], value.value)
        out.append(
            Change(
                test=test.id,
                side=value.side,
                before=old[key],
                after=value.value,
                unit=test.unit,
                verdict=verdict,
                text=_text(test, value.side, old[key], value.value, verdict, library),
            )
        )
    return out
