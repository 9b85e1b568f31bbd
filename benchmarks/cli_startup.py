"""CLI start-up and assessment figures: wall time and peak memory, printed, not asserted.

Runs each command N times in fresh processes, side by side with the bare
interpreter start (``python -c pass``) measured in the same run, and prints the
median wall time, the ratio to that baseline, and the peak RSS of the child.
Goals (issue 2): ``hiplab --help`` < 0.25 s, ``hiplab assess sample.json --format json`` < 0.5 s.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
BIN = Path(sys.executable).parent


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Return (wall seconds, peak RSS MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed")
    return wall, usage.ru_maxrss / 1024


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Return the median wall time and the max peak RSS over RUNS runs."""
    run_once(argv, env)  # warm the file cache
    samples = [run_once(argv, env) for _ in range(RUNS)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.json"
        from hiplab.services.catalogue import sample_path

        sample.write_text(json.dumps(yaml.safe_load(sample_path().read_text())))
        env = {**os.environ, "HIPLAB_DATA_DIR": tmp}
        cases = {
            "python -c pass (baseline)": [sys.executable, "-c", "pass"],
            "hiplab --help": [str(BIN / "hiplab"), "--help"],
            "hiplab assess sample.json --format json": [
                str(BIN / "hiplab"),
                "assess",
                str(sample),
                "--format",
                "json",
            ],
        }
        results = {name: measure(argv, env) for name, argv in cases.items()}
    base = results["python -c pass (baseline)"][0]
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(f"runs per command: {RUNS} (median wall time, max peak RSS)")
    for name, (wall, rss) in results.items():
        print(f"{name:45s} {wall * 1000:7.1f} ms  {wall / base:5.1f}× baseline  {rss:6.1f} MiB")


if __name__ == "__main__":
    main()
