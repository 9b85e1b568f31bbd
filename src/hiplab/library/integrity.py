"""Cross-reference checks run on every library load.

Each check returns human-readable problems; an empty list means the library
is consistent: every referenced id exists, regressions/progressions form no
cycle, every motion id is known and every norm names a source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hiplab.library.loader import Library


def _missing(where: str, ids: Iterable[str], known: Mapping[str, object], what: str) -> list[str]:
    return [f"{where}: unknown {what} {i!r}" for i in ids if i not in known]


def _muscle_problems(lib: Library) -> list[str]:
    out: list[str] = []
    for m in lib.muscles.values():
        out += _missing(f"muscle {m.id}", (a.motion for a in m.actions), lib.motions, "motion")
        out += _missing(f"muscle {m.id}", m.antagonists + m.synergists, lib.muscles, "muscle")
        if m.id in m.antagonists or m.id in m.synergists:
            out.append(f"muscle {m.id}: relates to itself")
    return out


def _exercise_problems(lib: Library) -> list[str]:
    out: list[str] = []
    for e in lib.exercises.values():
        where = f"exercise {e.id}"
        out += _missing(where, e.targets.primary + e.targets.secondary, lib.muscles, "muscle")
        out += _missing(where, [*e.joint_demands, *e.other_side_demands], lib.motions, "motion")
        out += _missing(where, e.regressions + e.progressions, lib.exercises, "exercise")
        out += _missing(where, e.sources, lib.sources, "source")
        if e.id in e.regressions or e.id in e.progressions:
            out.append(f"{where}: lists itself as regression/progression")
    return out


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """Return one cycle in a directed graph as a list of nodes, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in edges:
        if start not in state and (found := visit(start)):
            return found
    return None


def _progression_problems(lib: Library) -> list[str]:
    harder: dict[str, set[str]] = {e: set() for e in lib.exercises}
    for e in lib.exercises.values():
        harder[e.id].update(e.progressions)
        for easier in e.regressions:
            harder.setdefault(easier, set()).add(e.id)
    cycle = find_cycle(harder)
    return [f"regressions/progressions form a cycle: {' -> '.join(cycle)}"] if cycle else []


def _test_problems(lib: Library) -> list[str]:
    out: list[str] = []
    for t in lib.tests.values():
        where = f"test {t.id}"
        out += _missing(where, t.sources, lib.sources, "source")
        out += _missing(where, [n.source for n in t.norms], lib.sources, "source")
        if t.error:
            out += _missing(where, [t.error.source], lib.sources, "source")
            if t.error.mdc_source:
                out += _missing(where, [t.error.mdc_source], lib.sources, "source")
        if t.finding:
            out += _missing(where, [t.finding], lib.findings, "finding")
        if t.motion:
            out += _missing(where, [t.motion], lib.motions, "motion")
        out += _missing(where, [*t.joint_demands, *t.other_side_demands], lib.motions, "motion")
        if t.direction != "flag" and not t.norms:
            out.append(f"{where}: a measured test needs at least one norm")
    return out


def _chain_problems(lib: Library) -> list[str]:
    nodes = {n.id: n for n in lib.chains.nodes}
    out: list[str] = []
    for node in lib.chains.nodes:
        out += _missing(f"chain node {node.id}", node.findings, lib.findings, "finding")
    for edge in lib.chains.edges:
        out += _missing(f"chain {edge.id}", [edge.source, edge.target], nodes, "node")
        out += _missing(f"chain {edge.id}", edge.sources, lib.sources, "source")
        out += _missing(f"chain {edge.id}", edge.remedies, lib.exercises, "exercise")
    return out


def _finding_problems(lib: Library) -> list[str]:
    out: list[str] = []
    for f in lib.findings.values():
        out += _missing(f"finding {f.id}", f.stretch + f.strengthen, lib.muscles, "muscle")
        motions = [m for m in (f.stretches_into, f.strengthen_through) if m is not None]
        out += _missing(f"finding {f.id}", motions, lib.motions, "motion")
    return out


def check_integrity(lib: Library) -> list[str]:
    """Return every cross-reference and convention problem in ``lib`` (empty when consistent).

    The data conventions of the safety facts are in :mod:`hiplab.library.conventions`.
    """
    from hiplab.library.conventions import convention_problems

    return [
        *convention_problems(lib),
        *_muscle_problems(lib),
        *_exercise_problems(lib),
        *_progression_problems(lib),
        *_test_problems(lib),
        *_chain_problems(lib),
        *_finding_problems(lib),
    ]
