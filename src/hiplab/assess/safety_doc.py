"""The precaution table of docs/safety.md, written from the safety rules themselves.

``python -m hiplab.assess.safety_doc`` prints the table; tests/test_docs.py fails when
the page's table differs, so the documented rules are always the enforced ones.
"""

from __future__ import annotations

from hiplab.assess.safety import (
    SIDED_CONDITIONS,
    SIDES,
    ActiveCondition,
    describe,
    precautions_for,
)
from hiplab.library.loader import Library
from hiplab.library.models import Condition
from hiplab.records.assessment import ConditionAvoid

HEADER = (
    "| Condition | How hiplab learns of it | What hiplab then does | Sources |\n|---|---|---|---|"
)
DECLARED = "leaves out every exercise and test the library marks unsafe with it"


def _rules(condition: Condition) -> str:
    side = SIDES[0] if condition in SIDED_CONDITIONS else "both"
    rules = precautions_for([ActiveCondition(condition, side, "")])
    words = [
        describe(r).replace(f"({side} side)", "(that side)")
        for r in rules
        if not isinstance(r, ConditionAvoid)
    ]
    return "; ".join([*dict.fromkeys(words), DECLARED])


def rule_rows(library: Library) -> list[str]:
    """Return the table's lines: header, then one row per condition."""
    rows = [HEADER]
    for condition in Condition:
        spec = library.conditions[condition.value]
        sources = ", ".join(
            f"{library.sources[s].citation}" for s in spec.sources if s in library.sources
        )
        rows.append(f"| {spec.label} | {spec.learned_from} | {_rules(condition)} | {sources} |")
    return rows


if __name__ == "__main__":  # pragma: no cover - a helper to regenerate the page's table
    from hiplab.library import default_library

    print("\n".join(rule_rows(default_library())))  # noqa: T201
