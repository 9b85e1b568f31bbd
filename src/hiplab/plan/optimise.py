"""Choose and dose exercises with a mixed-integer linear programme (SciPy ``milp``, HiGHS).

Variables: ``x_i`` (binary) picks exercise *i* at its starting dose (``b_i`` sets:
enough for ≈60 s of stretch per side, or two sets of strength work); ``s_i``
(integer, 0 … max−b_i) adds sets to it; ``y_t`` in [0, 1] is how much of target *t* is
covered; ``p_k`` (binary) marks body position *k* as used; ``z_f`` (binary)
says finding *f* has strengthening work.

Maximise ``Σ w_t·y_t`` minus small costs for each position used (fewer
position changes), difficulty and minutes, subject to:

* ``y_t ≤ Σ cover_it·(b_i·x_i + s_i)`` — a target is only as covered as the chosen sets
  cover it (``cover_it`` is one set's share);
* a required target (a finding every programme must treat, such as short hip flexors
  on each side) is touched by at least one chosen exercise; when the budget cannot
  hold them all, the programme is solved again without that rule and says so;
* ``Σ seconds_i·x_i + set_seconds_i·s_i ≤ budget`` — the session fits the time
  budget (hard);
* ``s_i ≤ (max − 1)·x_i``, and at most one exercise per regression/progression
  family (variety: no pigeon next to table pigeon);
* pairing: a stretch chosen for a finding that also names muscles to strengthen
  requires at least one strengthening option for that finding (the opposing group):
  ``x_i ≤ z_f ≤ Σ strength_f``;
* a dynamic warm-up when one is available and the budget is ten minutes or more.

Precautions, equipment and avoided positions are applied before (options that
break them do not exist). HiGHS is deterministic for a given model; variables
are built in sorted order, so the same input gives the same programme (a test
checks byte-identical output). That holds for a solve that reaches the optimum; one
stopped by the time limit is reported as ``"time_limit"`` with a note saying so, since
what it found depends on the machine's speed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hiplab.library.loader import Library
from hiplab.library.models import ExerciseKind
from hiplab.plan.problem import STRENGTH_KINDS, Option, Problem
from hiplab.records.programme import SolverReport, SolveStatus

POSITION_COST = 0.15
DIFFICULTY_COST = 0.05
MINUTE_COST = 0.01
WARM_UP_MIN_BUDGET_S = 600
TIME_LIMIT_S = 10.0
SOLVER = "HiGHS (scipy.optimize.milp)"
PRESOLVE = False
"""HiGHS presolve stays off, for two measured reasons (``benchmarks/solver_presolve.py``).

On the sample person and the 33 planned personas of the scenario tests (2026-12-07,
2 cores, other work running) presolve made the slowest solves slower — the sample at
10 and 15 minutes, the common budgets: 226 → 262 ms and 276 → 434 ms — while the
median case did not change (on/off 0.97). And it chose a different programme in 2
of 38 cases (ties broken another way), so turning it on would change programmes
people already have without making them better. (It was first turned off in
November 2026 for speed alone: a 12-week plan 383 → 257 ms.)
"""


@dataclass(frozen=True)
class Selection:
    """The chosen options and how the solver did."""

    chosen: tuple[Option, ...]
    report: SolverReport
    required_met: bool = True
    time_limit_s: float = TIME_LIMIT_S


def families(library: Library) -> dict[str, str]:
    """Return exercise id → family id (connected regression/progression component)."""
    parent = {e: e for e in library.exercises}

    def root(e: str) -> str:
        while parent[e] != e:
            parent[e] = parent[parent[e]]
            e = parent[e]
        return e

    for e in library.exercises.values():
        for other in e.regressions + e.progressions:
            a, b = sorted((root(e.id), root(other)))
            parent[b] = a
    return {e: root(e) for e in library.exercises}


class _Rows:
    """Accumulates sparse constraint rows ``lb ≤ a·v ≤ ub``."""

    def __init__(self) -> None:
        self.data: list[float] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.lb: list[float] = []
        self.ub: list[float] = []

    def add(self, coeffs: dict[int, float], lb: float, ub: float) -> None:
        row = len(self.lb)
        for col, value in sorted(coeffs.items()):
            self.rows.append(row)
            self.cols.append(col)
            self.data.append(value)
        self.lb.append(lb)
        self.ub.append(ub)


@dataclass(frozen=True)
class _Layout:
    """Where each family of variables sits in the solver's vector, in this order.

    ``x`` (one per option), ``s`` (one per option), ``y`` (one per target), ``p`` (one
    per body position), ``z`` (one per paired finding); the methods give the column of
    one variable, so no constraint does offset arithmetic of its own.
    """

    options: int
    targets: int
    positions: int
    pairs: int

    def x(self, i: int) -> int:
        return i

    def s(self, i: int) -> int:
        return self.options + i

    def y(self, t: int) -> int:
        return 2 * self.options + t

    def p(self, k: int) -> int:
        return 2 * self.options + self.targets + k

    def z(self, f: int) -> int:
        return 2 * self.options + self.targets + self.positions + f

    @property
    def size(self) -> int:
        return self.z(self.pairs)

    def integrality(self) -> list[int]:
        """1 for the integer families (x, s, p, z), 0 for the coverage shares y."""
        return [1] * (2 * self.options) + [0] * self.targets + [1] * (self.positions + self.pairs)


def _objective(problem: Problem, n_pos: int, n_pairs: int) -> list[float]:
    """Return the costs in the layout's order: x, s, y (a gain: negative), p, z."""
    x_cost = [
        DIFFICULTY_COST * (o.exercise.difficulty - 1) + MINUTE_COST * o.seconds / 60
        for o in problem.options
    ]
    s_cost = [MINUTE_COST * o.set_seconds / 60 for o in problem.options]
    y_cost = [-t.weight for t in problem.targets]
    return x_cost + s_cost + y_cost + [POSITION_COST] * n_pos + [0.0] * n_pairs


def _cover_rows(rows: _Rows, problem: Problem, at: _Layout) -> None:
    for t_index, target in enumerate(problem.targets):
        coeffs = {at.y(t_index): 1.0}
        for i, option in enumerate(problem.options):
            if (c := option.cover.get(target.key)) is not None:
                coeffs[at.x(i)] = -c * option.dose.sets
                coeffs[at.s(i)] = -c
        rows.add(coeffs, float("-inf"), 0.0)


def _required_rows(rows: _Rows, problem: Problem, at: _Layout) -> None:
    for target in problem.targets:
        if not target.required:
            continue
        touching = [at.x(i) for i, o in enumerate(problem.options) if target.key in o.cover]
        if touching:
            rows.add(dict.fromkeys(touching, 1.0), 1.0, float("inf"))


def _set_rows(rows: _Rows, problem: Problem, at: _Layout) -> None:
    for i, option in enumerate(problem.options):
        rows.add({at.s(i): 1.0, at.x(i): -float(option.more_sets)}, float("-inf"), 0.0)


def _family_rows(rows: _Rows, problem: Problem, family: dict[str, str], at: _Layout) -> None:
    by_family: dict[str, list[int]] = defaultdict(list)
    for i, option in enumerate(problem.options):
        by_family[family[option.exercise.id]].append(at.x(i))
    for group in by_family.values():
        if len(group) > 1:
            rows.add(dict.fromkeys(group, 1.0), 0.0, 1.0)


def _pairing(problem: Problem) -> dict[str, tuple[list[int], list[int]]]:
    """Return, per finding, the strengthening options and the stretching options."""
    strength: dict[str, list[int]] = defaultdict(list)
    stretch: dict[str, list[int]] = defaultdict(list)
    for i, option in enumerate(problem.options):
        for key in option.cover:
            if key.mode == "strength" and option.exercise.kind in STRENGTH_KINDS:
                strength[key.subject].append(i)
            elif key.mode == "stretch":
                stretch[key.subject].append(i)
    return {f: (strength[f], stretch[f]) for f in sorted(stretch) if strength.get(f)}


def _pairing_rows(rows: _Rows, pairs: dict[str, tuple[list[int], list[int]]], at: _Layout) -> None:
    """``z_f ≤ Σ strength_f`` and ``x_i ≤ z_f`` for every stretch option of finding f."""
    for k, (strength, stretch) in enumerate(pairs.values()):
        z = at.z(k)
        rows.add({z: 1.0, **{at.x(i): -1.0 for i in strength}}, float("-inf"), 0.0)
        for i in stretch:
            rows.add({at.x(i): 1.0, z: -1.0}, float("-inf"), 0.0)


def _position_rows(rows: _Rows, problem: Problem, positions: list[str], at: _Layout) -> None:
    for i, option in enumerate(problem.options):
        k = positions.index(option.exercise.position.value)
        rows.add({at.x(i): 1.0, at.p(k): -1.0}, float("-inf"), 0.0)


def _budget_and_warm_up(rows: _Rows, problem: Problem, at: _Layout) -> None:
    # In minutes: keeps the matrix's coefficients near 1, which HiGHS handles faster.
    budget = {at.x(i): o.seconds / 60 for i, o in enumerate(problem.options)}
    budget |= {at.s(i): o.set_seconds / 60 for i, o in enumerate(problem.options)}
    rows.add(budget, 0.0, problem.budget_s / 60)
    dynamic = [
        i for i, o in enumerate(problem.options) if o.exercise.kind is ExerciseKind.dynamic_mobility
    ]
    shortest = min((problem.options[i].seconds for i in dynamic), default=None)
    if shortest is not None and problem.budget_s >= max(WARM_UP_MIN_BUDGET_S, shortest):
        rows.add({at.x(i): 1.0 for i in dynamic}, 1.0, float("inf"))


def load_solver() -> None:
    """Import the solver (``scipy.optimize`` and ``scipy.sparse``: about 0.6 s) now.

    The command line imports it only when it plans. A web server calls this at start-up:
    imported by its first request, it would hold the import lock while that and every
    other request of the process waited (the mix of ``benchmarks/web_load.py`` showed
    second-long stalls of page reads in a fresh server).
    """
    import importlib

    for module in ("scipy.optimize", "scipy.sparse"):
        importlib.import_module(module)  # into the module cache; later imports are free


def _solve(
    problem: Problem, library: Library, *, required: bool = True, time_limit_s: float = TIME_LIMIT_S
) -> tuple[Any, list[float]]:
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_array

    positions = sorted({o.exercise.position.value for o in problem.options})
    pairs = _pairing(problem)
    at = _Layout(len(problem.options), len(problem.targets), len(positions), len(pairs))
    rows = _Rows()
    _cover_rows(rows, problem, at)
    _set_rows(rows, problem, at)
    _family_rows(rows, problem, families(library), at)
    _position_rows(rows, problem, positions, at)
    _pairing_rows(rows, pairs, at)
    _budget_and_warm_up(rows, problem, at)
    if required:
        _required_rows(rows, problem, at)
    matrix = csr_array((rows.data, (rows.rows, rows.cols)), shape=(len(rows.lb), at.size))
    upper = [1.0] * at.options + [float(o.more_sets) for o in problem.options]
    upper += [1.0] * (at.targets + at.positions + at.pairs)
    result = milp(
        c=np.array(_objective(problem, at.positions, at.pairs)),
        constraints=LinearConstraint(matrix, np.array(rows.lb), np.array(rows.ub)),
        integrality=np.array(at.integrality()),
        bounds=Bounds(np.zeros(at.size), np.array(upper)),
        options={"time_limit": time_limit_s, "presolve": PRESOLVE, "disp": False},
    )
    return result, list(result.x) if result.x is not None else []


def select(problem: Problem, library: Library, *, time_limit_s: float = TIME_LIMIT_S) -> Selection:
    """Solve the selection problem; an empty problem gives an empty selection.

    ``time_limit_s`` bounds each solve; a solve it stops is reported as ``"time_limit"``.
    """
    if not problem.options:
        return Selection(
            (), SolverReport(name=SOLVER, status="not_run", objective=None, candidates=0)
        )
    result, values = _solve(problem, library, time_limit_s=time_limit_s)
    required_met = bool(values)
    if not values:
        result, values = _solve(problem, library, required=False, time_limit_s=time_limit_s)
    status = solve_status(result.status, found=bool(values))
    at = _Layout(len(problem.options), 0, 0, 0)  # x and s come first: their columns only
    chosen = tuple(
        o.with_sets(o.dose.sets + round(values[at.s(i)]))
        for i, o in enumerate(problem.options)
        if values and values[at.x(i)] > 0.5
    )
    report = SolverReport(
        name=SOLVER,
        status=status,
        objective=None if result.fun is None else round(-float(result.fun), 4),
        candidates=len(problem.options),
    )
    return Selection(chosen, report, required_met, time_limit_s)


def solve_status(milp_status: int, *, found: bool) -> SolveStatus:
    """Return how a solve ended, from SciPy ``milp``'s status code.

    ``milp`` status 1 means an iteration or time limit stopped HiGHS; only the time
    limit is set, so the programme (if one was found) is the best found in
    :data:`TIME_LIMIT_S`, not a proven optimum, and it can differ between machines
    or runs. It is reported as ``"time_limit"``, never as optimal.

    Examples
    --------
    >>> solve_status(0, found=True), solve_status(1, found=True), solve_status(2, found=False)
    ('optimal', 'time_limit', 'infeasible')

    """
    if milp_status == 1:
        return "time_limit"
    return "optimal" if milp_status == 0 and found else "infeasible"


def covered_findings(chosen: Sequence[Option]) -> set[str]:
    """Return the finding ids that at least one chosen option covers."""
    return {key.subject for o in chosen for key in o.cover if key.mode != "surround"}
