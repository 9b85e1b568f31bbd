"""Pick exercises for the findings: stretch what is tight, strengthen its opposing group.

Every candidate is filtered through :func:`hiplab.assess.safety.allowed`
first, so a recommendation can never break a precaution. The choice is
deterministic: best target match, then lowest difficulty, then id.
"""

from __future__ import annotations

from collections.abc import Sequence

from hiplab.assess.result import Finding, Precaution, Recommendation
from hiplab.assess.safety import allowed as exercise_allowed
from hiplab.library.loader import Library
from hiplab.library.models import Exercise, ExerciseKind

STRETCH_KINDS = frozenset(
    {ExerciseKind.static_stretch, ExerciseKind.pnf, ExerciseKind.dynamic_mobility}
)
STRENGTH_KINDS = frozenset({ExerciseKind.activation, ExerciseKind.strength})
MAX_RECOMMENDATIONS = 8


def _best(
    library: Library,
    targets: Sequence[str],
    kinds: frozenset[ExerciseKind],
    constraints: Sequence[Precaution],
    taken: set[str],
) -> Exercise | None:
    def score(e: Exercise) -> tuple[int, int, str]:
        hits = sum(t in e.targets.primary for t in targets)
        return (-hits, e.difficulty, e.id)

    pool = [
        e
        for e in library.exercises.values()
        if e.kind in kinds
        and e.id not in taken
        and any(t in e.targets.primary for t in targets)
        and exercise_allowed(e, constraints)
    ]
    return min(pool, key=score, default=None)


def _why(finding_label: str, exercise: Exercise, action: str, library: Library) -> str:
    muscles = ", ".join(library.muscles[m].lay_name for m in exercise.targets.primary)
    return f"{action} the {muscles} for: {finding_label.lower()}"


def recommend(
    findings: Sequence[Finding], constraints: Sequence[Precaution], library: Library
) -> list[Recommendation]:
    """Return up to eight exercises that address the findings and respect every precaution."""
    chosen: dict[str, Recommendation] = {}
    for finding in findings:
        spec = library.findings.get(finding.id)
        if spec is None:
            continue
        for targets, kinds, action in (
            (spec.stretch, STRETCH_KINDS, "Lengthens"),
            (spec.strengthen, STRENGTH_KINDS, "Strengthens"),
        ):
            if not targets or len(chosen) >= MAX_RECOMMENDATIONS:
                continue
            already = [r for r in chosen.values() if finding.id in r.addresses]
            best = _best(library, targets, kinds, constraints, set(chosen))
            if best is None or len(already) >= 2:
                continue
            chosen[best.id] = Recommendation(
                exercise_id=best.id,
                name=best.name,
                kind=best.kind.value,
                addresses=(finding.id,),
                why=_why(spec.label, best, action, library),
            )
    return list(chosen.values())
