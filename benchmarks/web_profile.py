"""Where a running ``hiplab serve`` spends its time: py-spy samples, summed per function.

``sampled`` runs ``py-spy record`` (a sampling profiler that reads the process from
outside, ``--nonblocking`` so the server is never paused) against the server and its
worker processes while the load runs; ``report`` prints the functions with the largest
share of the busy samples, by own time and including what they call (hiplab's own
functions, and the libraries by package), the next bottleneck.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TOP = 12
# Leaves where a thread waits rather than works (py-spy cannot always tell them apart
# from work inside a container): counted apart, and left out of the shares.
WAITING = ("Condition.wait ", "Condition.__enter__ ", "Runner.run ", "Event.wait ", "select ")


@dataclass
class Samples:
    """The file py-spy writes its collapsed stacks to (empty when not sampled)."""

    path: Path | None


@contextlib.contextmanager
def sampled(pid: int, seconds: float, *, enabled: bool) -> Iterator[Samples]:
    """Sample ``pid`` (and its child processes) for ``seconds`` while the block runs."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not enabled:
        yield Samples(None)
        return
    if not Path(spy).exists():
        print("profile skipped: py-spy is not installed (pip install py-spy)")
        yield Samples(None)
        return
    out = Path(tempfile.mkdtemp(prefix="hiplab-spy-")) / "stacks.txt"
    argv = [spy, "record", "--pid", str(pid), "--subprocesses", "--nonblocking"]
    argv += ["--format", "raw", "--rate", "100", "--duration", str(round(seconds))]
    argv += ["--output", str(out)]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield Samples(out)
    finally:
        _, err = process.communicate(timeout=seconds + 60)
        if process.returncode != 0:
            print(f"profile failed: {err.decode(errors='replace').strip()[-300:]}")


def parse(text: str) -> tuple[Counter[str], Counter[str], Counter[str], int, int]:
    """Sum collapsed stacks: own and inclusive samples, per package; working and waiting totals."""
    waiting = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_frame(f) for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        n = int(count)
        if frames[-1].startswith(WAITING):
            waiting += n
            continue
        total += n
        own[frames[-1]] += n
        packages[_package(frames[-1])] += n
        for frame in set(frames):
            if "hiplab/" in frame:
                inclusive[frame] += n
    return own, inclusive, packages, total, waiting


def _frame(raw: str) -> str:
    """``function (path/to/file.py:12)`` -> ``function (to/file.py)``: one name per function."""
    name, _, where = raw.partition(" (")
    path = where.rsplit(":", 1)[0].rstrip(")")
    for marker in ("site-packages/", "src/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


def _package(frame: str) -> str:
    path = frame.rpartition(" (")[2].rstrip(")")
    head = path.split("/", 1)[0]
    return "Python standard library" if head.startswith(".") or head.endswith(".py") else head


def report(path: Path | None, label: str) -> None:
    """Print the top functions of the samples at ``path``."""
    if path is None or not path.exists():
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    own, inclusive, packages, total, waiting = parse(text)
    if not total:
        print("profile: no busy samples")
        return
    print(
        f"\nprofile of {label}: {total} samples of work at 100 Hz, {waiting} more of threads "
        "waiting (for a lock, a database connection or the event loop), left out below"
    )
    print("  own time, by package: " + ", ".join(_shares(packages, total, 8)))
    print("  own time, top functions:")
    for frame, n in own.most_common(TOP):
        print(f"    {n / total:6.1%}  {frame}")
    print("  hiplab functions, including what they call:")
    for frame, n in inclusive.most_common(TOP):
        print(f"    {n / total:6.1%}  {frame}")


def _shares(counts: Counter[str], total: int, top: int) -> list[str]:
    return [f"{name} {n / total:.0%}" for name, n in counts.most_common(top)]
