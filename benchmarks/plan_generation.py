"""Plan generation figures: a 12-week plan over the full library (goal: under 0.3 s).

Prints the median wall time of ``make_programme`` (selection by MILP, layout,
12 weeks of progression) for the bundled sample person, with the solver's
status and objective, side by side with a baseline measured in the same run:
the assessment alone (``assess``), which every plan starts from. Also prints the
one-off cost of importing SciPy, which a fresh ``hiplab plan`` process pays.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from hiplab.assess.parse import load_assessment_file
from hiplab.library import default_library
from hiplab.plan.generate import PlanRequest, make_programme
from hiplab.services.assessments import assess
from hiplab.services.catalogue import sample_path

RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def median_s(work: Callable[[], object]) -> float:
    work()  # warm caches and lazy imports
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def scipy_import_s() -> float:
    code = "import time; t=time.perf_counter(); import scipy.optimize; print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def main() -> None:
    lib = default_library()
    data = load_assessment_file(sample_path())
    result = assess(data, lib)
    request = PlanRequest(minutes=15, sessions_per_week=3, weeks=12)

    def plan() -> object:
        return make_programme(
            assessment=result, person=data.person, library=lib, request=request, label="bench"
        )

    programme = make_programme(
        assessment=result, person=data.person, library=lib, request=request, label="bench"
    )
    base = median_s(lambda: assess(data, lib))
    plan_s = median_s(plan)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"library: {len(lib.exercises)} exercises; candidates after precautions/equipment: "
        f"{programme.solver.candidates}; runs: {RUNS} (median)"
    )
    print(
        f"solver: {programme.solver.name}, status {programme.solver.status}, "
        f"objective {programme.solver.objective}"
    )
    print(f"assess (baseline)          {base * 1000:8.1f} ms")
    print(
        f"12-week plan               {plan_s * 1000:8.1f} ms   {plan_s / base:6.1f}× baseline   "
        f"goal 300 ms: {'met' if plan_s < 0.3 else 'not met'}"
    )
    print(f"scipy.optimize import      {scipy_import_s() * 1000:8.1f} ms (once per process)")


if __name__ == "__main__":
    main()
