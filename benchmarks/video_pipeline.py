"""Video pipeline figures on the sports2d demo video: speed against the bare loop, memory, accuracy.

One run, side by side, each case in a fresh process (wall time from process
start to the end, CPU and peak RSS of that child from ``os.wait4``):

* **bare loop** — OpenCV decode + the bundled MediaPipe pose model on every
  frame, nothing else (``cv2.VideoCapture.read`` → ``cvtColor`` →
  ``Pose.process``);
* **full pipeline** — ``hiplab analyze VIDEO --task angles -o DIR --format
  json``, the command itself, from process start to all outputs written
  (angles.csv, angles.mot, keypoints.csv, plot.png, annotated.mp4,
  metrics.json);
* **tracking only** — :func:`hiplab.motion.pose_extraction.extract_track` with 2 and
  1 inference workers (the part of the pipeline that competes with the bare
  loop frame for frame).

With ``--models``, instead: the bare loop and ``hiplab analyze --task angles``
with each pose model (``lite``, ``full``, ``heavy``: :mod:`hiplab.motion.pose_models`),
interleaved in one run; wall and CPU time of each and their ratios to ``full``'s.

Printed: frames/s of each and their ratios to the bare loop (goal ≥ 1.5× for
the full pipeline), user and system CPU against wall time, the stages of the
full pipeline (from a separate in-process run), peak RSS of the tracking on a
short input (the demo re-encoded once) and a long one (the demo four times in a
row) to show that memory does not grow with length (goal < 500 MB), and the
accuracy on synthetic truth (:mod:`benchmarks.motion_accuracy`). Videos and
outputs go to a temporary directory under /tmp and are deleted. Nothing is
asserted; ``BENCH_RUNS`` (default 3) sets the repeats.

Usage: ``.venv/bin/python benchmarks/video_pipeline.py [--models] [VIDEO]`` (default: the
cached demo video of the tests, fetched with pip if needed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))

BARE = """
import sys, json
import cv2
import mediapipe as mp

complexity = int(sys.argv[2]) if len(sys.argv) > 2 else 1
pose = mp.solutions.pose.Pose(model_complexity=complexity, static_image_mode=False)
capture = cv2.VideoCapture(sys.argv[1])
frames = 0
while True:
    ok, image = capture.read()
    if not ok:
        break
    pose.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    frames += 1
print(json.dumps({"frames": frames}))
"""

TRACKING = """
import sys, json
from hiplab.motion.pose_extraction import extract_track

track = extract_track(sys.argv[1], workers=int(sys.argv[2]))
print(json.dumps({"frames": track.frames, "lost": int(track.lost.sum())}))
"""

COMMAND = """
import sys
from hiplab.cli import main

video, out, *more = sys.argv[1:]
sys.argv = ["hiplab", "analyze", video, "--task", "angles", "-o", out, "-f", "json", *more]
main()
"""


@dataclass(frozen=True)
class Sample:
    """One child process: wall seconds, CPU seconds, peak RSS MiB and what it printed."""

    wall: float
    user: float
    system: float
    rss_mb: float
    report: dict[str, Any]


def run(code: str, *args: str) -> Sample:
    """Run ``python -c code args`` and measure it."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark child failed: {args}")
    text = out.decode().strip()
    report = json.loads(text if text.startswith("{\n") else text.splitlines()[-1])
    return Sample(wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024, report)


def median(samples: list[Sample]) -> Sample:
    """Return the sample with the median wall time."""
    ordered = sorted(samples, key=lambda s: s.wall)
    return ordered[len(ordered) // 2]


def demo_path() -> Path:
    """Return the demo video the tests use (fetched into their cache if needed)."""
    sys.path.insert(0, str(ROOT))
    from tests.motion.demo_video import demo_video

    found = demo_video()
    if not isinstance(found, Path):
        raise SystemExit(f"demo video unavailable: {found}")
    return found


def repeated(video: Path, times: int) -> Iterator[object]:
    """Yield the frames of ``video`` ``times`` times over, re-reading the file each time."""
    import cv2

    for _ in range(times):
        capture = cv2.VideoCapture(str(video))
        try:
            while True:
                ok, image = capture.read()
                if not ok:
                    break
                yield image
        finally:
            capture.release()


def reencode(video: Path, target: Path, times: int) -> Path:
    """Write ``video`` ``times`` times in a row to ``target`` (mp4v)."""
    import cv2

    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS)
    size = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    capture.release()
    writer = cv2.VideoWriter(str(target), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for image in repeated(video, times):
        writer.write(image)
    writer.release()
    return target


def reencode_in_child(video: Path, target: Path, times: int) -> Path:
    """Run :func:`reencode` in a child process; return ``target``."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
        "from benchmarks.video_pipeline import reencode; from pathlib import Path; "
        f"reencode(Path({str(video)!r}), Path({str(target)!r}), {times})"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return target


def line(name: str, sample: Sample, frames: int) -> str:
    cpu = sample.user + sample.system
    return (
        f"{name:<34} {frames / sample.wall:7.1f} fps  wall {sample.wall:6.2f} s  "
        f"user {sample.user:6.2f} s  sys {sample.system:5.2f} s  "
        f"cpu/wall {cpu / sample.wall:4.2f}  peak RSS {sample.rss_mb:6.0f} MB"
    )


def speed(video: Path) -> None:
    tracking = TRACKING
    bare: list[Sample] = []
    full: list[Sample] = []
    two: list[Sample] = []
    one: list[Sample] = []
    with tempfile.TemporaryDirectory(prefix="hiplab-bench-", dir="/tmp") as tmp:
        for run_no in range(RUNS):  # interleaved, so that a busy moment of the machine hits all
            bare.append(run(BARE, str(video)))
            full.append(run(COMMAND, str(video), str(Path(tmp) / f"out{run_no}")))
            two.append(run(tracking, str(video), "2"))
            one.append(run(tracking, str(video), "1"))
        written = sorted(p.name for p in (Path(tmp) / "out0").iterdir())
    b, f, p, s = median(bare), median(full), median(two), median(one)
    frames = b.report["frames"]
    print(f"speed on {video.name} ({frames} frames), median of {RUNS}, process start to end:")
    print(line("bare loop (decode + model)", b, frames))
    print(line("full pipeline: hiplab analyze", f, f.report["frames"]))
    print(line("tracking only, 2 workers", p, p.report["frames"]))
    print(line("tracking only, 1 worker", s, s.report["frames"]))
    print(f"{'ratio full pipeline / bare loop':<34} {b.wall / f.wall:7.2f}x  (goal >= 1.5x)")
    print(f"{'ratio tracking (2 workers) / bare':<34} {b.wall / p.wall:7.2f}x")
    print(f"{'ratio tracking (1 worker) / bare':<34} {b.wall / s.wall:7.2f}x")
    print(f"{'frames lost by the tracker':<34} {p.report['lost']} of {p.report['frames']}")
    print(f"{'files written by the pipeline':<34} {', '.join(written)}")
    runs = f"bare {_walls(bare)}  full {_walls(full)}  tracking {_walls(two)} / {_walls(one)}"
    print(f"{'walls (s)':<34} {runs}")


CHECK_MODELS = """
import sys
from hiplab.motion.pose import check_pose_model

for name in sys.argv[1:]:
    check_pose_model(name)
"""


def models(video: Path) -> None:
    """Time the bare loop and ``hiplab analyze --task angles`` per pose model, side by side."""
    from hiplab.motion.pose_models import POSE_MODELS  # standard library only: keeps RSS small

    # in a child, so that a missing model stops here rather than being downloaded by the bare loop
    check = [sys.executable, "-c", CHECK_MODELS, *POSE_MODELS]
    if subprocess.run(check, cwd=ROOT, check=False).returncode != 0:
        raise SystemExit("pose models missing: run .venv/bin/python scripts/install_pose_models.py")
    bare: dict[str, list[Sample]] = {name: [] for name in POSE_MODELS}
    full: dict[str, list[Sample]] = {name: [] for name in POSE_MODELS}
    with tempfile.TemporaryDirectory(prefix="hiplab-bench-", dir="/tmp") as tmp:
        for run_no in range(RUNS):  # interleaved, so that a busy moment of the machine hits all
            for name, model in POSE_MODELS.items():
                bare[name].append(run(BARE, str(video), str(model.complexity)))
                out = str(Path(tmp) / f"{name}{run_no}")
                full[name].append(run(COMMAND, str(video), out, "--model", name))
    frames = median(bare["full"]).report["frames"]
    print(f"pose models on {video.name} ({frames} frames), median of {RUNS}, process start to end:")
    for kind, samples in (("bare loop", bare), ("hiplab analyze --task angles", full)):
        ref = median(samples["full"])
        for name, runs in samples.items():
            m = median(runs)
            cpu, ref_cpu = m.user + m.system, ref.user + ref.system
            lost = m.report.get("frames_lost")
            print(
                line(f"{kind}, {name}", m, m.report["frames"])
                + f"  wall x{m.wall / ref.wall:.2f}, cpu x{cpu / ref_cpu:.2f} of full's"
                + ("" if lost is None else f"  frames lost {lost}")
            )
        print(f"{'walls (s)':<34} " + "  ".join(f"{n} {_walls(r)}" for n, r in samples.items()))


def stages(video: Path) -> None:
    """Time the full pipeline's stages in this process, as ``analyze`` runs them."""
    from hiplab.motion.analyze import AnalyzeRequest, analyze

    ends: list[tuple[str, float]] = [("start", time.perf_counter())]
    with tempfile.TemporaryDirectory(prefix="hiplab-bench-", dir="/tmp") as tmp:
        request = AnalyzeRequest(source=video, task="angles", outdir=Path(tmp))
        analyze(request, on_stage=lambda stage: ends.append((stage, time.perf_counter())))
    spans = [f"{name} {end - begin:.2f}" for (_, begin), (name, end) in pairwise(ends)]
    print("stages of the full pipeline (one in-process run after imports, s): " + "  ".join(spans))


def _walls(samples: list[Sample]) -> str:
    return "/".join(f"{s.wall:.2f}" for s in samples)


def memory(video: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="hiplab-bench-", dir="/tmp") as tmp:
        # re-encoded in a child: a child's peak RSS counts the parent's at fork (Linux keeps
        # the forked copy's high-water mark across exec), so the parent must stay small
        short = reencode_in_child(video, Path(tmp) / "demo_x1.mp4", 1)
        long = reencode_in_child(video, Path(tmp) / "demo_x4.mp4", 4)
        print("memory (peak RSS of the child), demo re-encoded (mp4v):")
        for name, path in (("short: demo x1", short), ("long: demo x4", long)):
            samples = [run(TRACKING, str(path), "2") for _ in range(RUNS)]
            worst = max(samples, key=lambda s: s.rss_mb)
            frames = worst.report["frames"]
            rss = "/".join(f"{s.rss_mb:.0f}" for s in samples)
            print(line(f"extract_track {name}", median(samples), frames) + f"  (runs: {rss} MB)")
        bare = run(BARE, str(short))
        print(line("bare loop, short", bare, bare.report["frames"]))
    print("goal: peak RSS < 500 MB and flat in video length")


def accuracy() -> None:
    """Print the accuracy on synthetic truth (benchmarks/motion_accuracy.py)."""
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.motion_accuracy import main as accuracy_main
    except ImportError as exc:
        print(f"accuracy: not available ({exc})")
        return
    accuracy_main()


def main() -> None:
    args = sys.argv[1:]
    by_model = "--models" in args
    rest = [a for a in args if a != "--models"]
    video = Path(rest[0]) if rest else demo_path()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    if by_model:
        models(video)
    else:
        speed(video)
        # memory before the in-process stage run: a child's peak RSS counts this process's
        # RSS at fork, and the stage run leaves this process at the pipeline's size
        memory(video)
        stages(video)
        accuracy()
    print(f"load average {os.getloadavg()[0]:.2f} at end (other work on the machine skews figures)")


if __name__ == "__main__":
    main()
