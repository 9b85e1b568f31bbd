"""Why the planner's MILP runs with HiGHS presolve off: both settings side by side.

For the bundled sample person at several session budgets and for every persona of
``tests/scenarios/personas.yaml`` that is not referred, the selection is solved with
presolve off (the setting shipped, :data:`hiplab.plan.optimise.PRESOLVE`) and on, in
the same run. Prints the median solve time of each, the ratio on/off, and whether
both chose the same exercises and sets (the objective can tie between programmes;
HiGHS is deterministic for a given model and setting, not across settings).

Usage: ``.venv/bin/python benchmarks/solver_presolve.py`` (``BENCH_RUNS``, default 9).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.scenarios.checks import load_personas

from hiplab.assess.parse import load_assessment_file, validate
from hiplab.library import default_library
from hiplab.library.loader import Library
from hiplab.plan import optimise
from hiplab.plan.problem import Preferences, Problem, build_problem
from hiplab.services.assessments import assess
from hiplab.services.catalogue import sample_path

RUNS = int(os.environ.get("BENCH_RUNS", "9"))


def cases(library: Library) -> Iterator[tuple[str, Problem]]:
    """Yield (name, selection problem) for the sample at several budgets and each persona."""
    sample = load_assessment_file(sample_path())
    sample_result = assess(sample, library)
    for minutes in (5, 10, 15, 30, 60):
        prefs = Preferences(minutes=minutes)
        yield f"sample {minutes} min", build_problem(sample_result, library, prefs)
    for persona in load_personas(library):
        data = validate(persona.input, source=persona.id)
        result = assess(data, library)
        if result.refer:
            continue
        minutes = int(persona.request.get("minutes", 15))
        yield persona.id, build_problem(result, library, Preferences(minutes=minutes))


def timed(problem: Problem, library: Library, presolve: bool) -> tuple[float, optimise.Selection]:
    """Return the median solve time (s) and the selection with ``presolve`` on or off."""
    optimise.PRESOLVE = presolve
    selection = optimise.select(problem, library)
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        optimise.select(problem, library)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), selection


def chosen(selection: optimise.Selection) -> list[tuple[str, int]]:
    """Return the chosen exercises and their sets, for comparing two selections."""
    return [(o.exercise.id, o.dose.sets) for o in selection.chosen]


def main() -> None:
    library = default_library()
    optimise.load_solver()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{'case':<34} {'off ms':>8} {'on ms':>8} {'on/off':>7}  same programme")
    ratios, same = [], 0
    all_cases = list(cases(library))
    for name, problem in all_cases:
        off_s, off = timed(problem, library, presolve=False)
        on_s, on = timed(problem, library, presolve=True)
        ratios.append(on_s / off_s)
        agree = chosen(off) == chosen(on) and off.report.status == on.report.status
        same += agree
        print(f"{name:<34} {off_s * 1e3:8.1f} {on_s * 1e3:8.1f} {on_s / off_s:7.2f}  {agree}")
    optimise.PRESOLVE = False
    print(
        f"median on/off ratio {statistics.median(ratios):.2f} "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f}); "
        f"same programme in {same} of {len(all_cases)} cases"
    )


if __name__ == "__main__":
    main()
