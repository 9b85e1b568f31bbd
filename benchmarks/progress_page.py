"""Progress page figures: time of ``GET /people/ID/progress`` at 10, 40, 190 and 500 assessments.

One SQLite file in a temporary folder holds one coach and four clients with 10, 40,
190 and 500 assessments (three tests each: hip internal rotation and knee-to-wall on
both sides, the deep squat score; a pain rating; one every three days). The page is
asked for through the app (FastAPI's TestClient, logged in as the coach through the
login form), and the time is the whole request: store reads, the progress report,
the tables, the chart data and the template.

The baseline is the code before the page was made linear (commit
``BENCH_BASELINE_COMMIT``, the last one that built plotly ``graph_objects`` figures per
request): its ``src`` is taken out of git into the temporary folder and run in a
subprocess with the same Python, on the same file (it seeds the file; the new code then
migrates it forward if it has to). So both columns come from one run on one machine.
The baseline is slow (quadratic), so it is timed once per size; the new code is the
median of ``BENCH_RUNS`` requests. ``charted`` counts the chart points of the biggest
test in the new page: it must equal the assessments (every value is charted).
Goal (issue 11 §6): under 200 ms at 500 assessments. Nothing is asserted.

Environment: ``BENCH_SIZES`` (``10,40,190,500``), ``BENCH_RUNS`` (7),
``BENCH_BASELINE_COMMIT`` (below), ``BENCH_BASELINE_MAX`` (500: larger sizes skip the
baseline; 0 skips it).
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10,40,190,500").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
BASELINE_COMMIT = os.environ.get(
    "BENCH_BASELINE_COMMIT", "06e98eb9ea434f08dc026239d46f4f19ed26aa62"
)
BASELINE_MAX = int(os.environ.get("BENCH_BASELINE_MAX", "500"))
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark password 1"
COACH = "coach@bench.test"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHARTS = re.compile(r'<script type="application/json" id="progress-charts">(.*?)</script>', re.S)
FIRST_DAY = date(2020, 1, 6)


def visit(n: int) -> dict[str, Any]:
    """Return the raw input of assessment ``n`` (values vary, some changes are real)."""
    return {
        "person": {"age": 40, "sex": "female"},
        "provenance": "clinician",
        "date": (FIRST_DAY + timedelta(days=3 * n)).isoformat(),
        "symptoms": [{"region": "front_of_hip", "side": "left", "pain": n % 7}],
        "tests": {
            "hip_internal_rotation_deg": {"left": 25 + (n * 7) % 13, "right": 35 + (n * 5) % 11},
            "knee_to_wall_cm": {"left": 8 + n % 5, "right": 10 + n % 3},
            "deep_squat_fms": n % 4,
        },
    }


def seed(url: str, sizes: list[int]) -> dict[int, int]:
    """Fill the store: a coach and a client per size; return size → person id."""
    from hiplab.library.loader import default_library
    from hiplab.services import clinic
    from hiplab.services.assessments import assess
    from hiplab.store import PersonRef, open_store

    library = default_library()
    people = {}
    with open_store(url) as store:
        coach = clinic.create_login(
            store=store, email=COACH, display_name="Coach", role="coach", password=PASSWORD
        )
        for size in sizes:
            person = clinic.create_client(
                store=store, coach_id=coach.id, name=f"Client {size}", age=40, sex="female"
            )
            for n in range(size):
                data = clinic.parse_assessment(visit(n))
                store.assessments.save(
                    person=PersonRef.named(person.name), data=data, result=assess(data, library)
                )
            people[size] = person.id
    return people


def logged_in(url: str, data_dir: Path) -> Any:
    """Return a TestClient of the app on ``url``, logged in as the coach."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from hiplab.settings import Settings
    from hiplab.web.app import create_app

    app = create_app(Settings(database_url=url, data_dir=data_dir), run_jobs=False)
    client = TestClient(app)
    client.__enter__()
    found = CSRF.search(client.get("/login").text)
    assert found is not None, "no CSRF token on the login page"
    form = {"email": COACH, "password": PASSWORD, "csrf_token": found.group(1)}
    answer = client.post("/login", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def page_ms(client: Any, person_id: int) -> tuple[float, str]:
    """Return the time of one progress page request (ms) and the page."""
    start = time.perf_counter()
    answer = client.get(f"/people/{person_id}/progress")
    elapsed = (time.perf_counter() - start) * 1000
    assert answer.status_code == 200, answer.status_code
    return elapsed, answer.text


def time_pages(url: str, data_dir: Path, people: dict[int, int], runs: int) -> dict[str, Any]:
    """Time the page of each person: the median of ``runs`` after one warm-up request."""
    client = logged_in(url, data_dir)
    page_ms(client, people[min(people)])  # lazy imports, template compilation
    figures = {}
    for size, person_id in sorted(people.items()):
        samples, page = [], ""
        for _ in range(runs):
            elapsed, page = page_ms(client, person_id)
            samples.append(elapsed)
        figures[str(size)] = {"ms": statistics.median(samples), "kb": len(page) / 1024,
                              "charted": charted(page)}  # fmt: skip
    client.__exit__(None, None, None)
    return figures


def charted(page: str) -> int:
    """Return the most points one chart line of the page holds."""
    found = CHARTS.search(page)
    if found is None:
        return 0
    charts = json.loads(found.group(1))["charts"]
    return max((len(trace.get("y", [])) for c in charts for trace in c["data"]), default=0)


def baseline_source(folder: Path) -> Path:
    """Take the baseline commit's ``src`` out of git into ``folder``; return that ``src``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BASELINE_COMMIT, "src"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def run_baseline(url: str, folder: Path, timed: list[int]) -> dict[str, Any]:
    """Seed the store and time the pages of sizes ``timed`` with the baseline code."""
    src = baseline_source(folder)
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--worker", url, str(folder / "old-data"),
               ",".join(map(str, SIZES)), ",".join(map(str, timed)), str(src)]  # fmt: skip
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def worker(url: str, data_dir: str, sizes: str, timed: str, src: str) -> None:
    """Seed ``sizes`` and time ``timed`` with the hiplab first on the path (the baseline's)."""
    import hiplab

    assert str(Path(hiplab.__file__).resolve()).startswith(src), hiplab.__file__
    people = seed(url, [int(n) for n in sizes.split(",")])
    chosen = {n: people[n] for n in map(int, timed.split(","))}
    figures = time_pages(url, Path(data_dir), chosen, runs=1)
    print(json.dumps({"people": people, "figures": figures}))


def table(old: dict[str, Any], new: dict[str, Any]) -> None:
    """Print one line per size: old and new time, their ratio, page sizes."""
    print(f"{'assessments':>11}  {'old ms':>9}  {'new ms':>7}  {'old/new':>8}  "
          f"{'old KB':>7}  {'new KB':>7}  charted")  # fmt: skip
    for size in SIZES:
        fresh = new[str(size)]
        before = old.get(str(size))
        ratio = f"{before['ms'] / fresh['ms']:7.0f}×" if before else "       —"
        old_ms = f"{before['ms']:9.0f}" if before else "        —"
        old_kb = f"{before['kb']:7.0f}" if before else "      —"
        print(f"{size:>11}  {old_ms}  {fresh['ms']:7.1f}  {ratio}  {old_kb}  "
              f"{fresh['kb']:7.0f}  {fresh['charted']}")  # fmt: skip
    largest = new[str(max(SIZES))]["ms"]
    print(f"goal: under 200 ms at {max(SIZES)}: {'met' if largest < 200 else 'not met'}")


def main() -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; runs: {RUNS} (median), baseline once")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="hiplab-progress-bench-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'progress.sqlite'}"
        baseline_sizes = [n for n in SIZES if n <= BASELINE_MAX]
        old: dict[str, Any] = {}
        if baseline_sizes:
            ran = run_baseline(url, folder, baseline_sizes)
            people = {int(k): v for k, v in ran["people"].items()}
            old = ran["figures"]
            print(f"baseline: commit {BASELINE_COMMIT[:10]} (plotly figures per request)")
        else:
            people = seed(url, SIZES)
        new = time_pages(url, folder / "data", people, runs=RUNS)
    table(old, new)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(*sys.argv[2:7])
    else:
        main()
