"""``hiplab analyze`` on many inputs (subprocess): summary, exit codes, --jobs, --ray, a video."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hiplab.testing import synthetic
from tests.cli.conftest import Run
from tests.cli.test_analyze_cli import assert_bad_input, write_openpose

# The store is not used in batch mode: one store backend is enough.
sqlite_only = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Return ``inputs/`` in the runner's working folder: 3 squats, malformed JSON, a fake video."""
    folder = tmp_path / "inputs"
    for reps in (1, 2, 3):
        write_openpose(folder / f"squat{reps}", synthetic.squat(reps=reps))
    broken = folder / "broken"
    broken.mkdir()
    (broken / "clip_000000000000_keypoints.json").write_text('{"people": [{"pose_keyp')
    (folder / "notes.mp4").write_text("notes, not a video\n" * 10)
    return folder


def batch_json(hiplab: Run, *args: str) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    result = hiplab("analyze", *args, "--task", "squat", "--fps", "30", "-f", "json")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout), result


def status_by_input(document: dict[str, Any]) -> dict[str, str]:
    return {row["input"]: row["status"] for row in document["inputs"]}


def comparable(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "folder"} for row in document["inputs"]]


EXPECTED = {
    "inputs/broken": "error",
    "inputs/notes.mp4": "error",
    "inputs/squat1": "ok",
    "inputs/squat2": "ok",
    "inputs/squat3": "ok",
}


@sqlite_only
def test_batch_reports_bad_inputs_and_finishes_the_rest(
    hiplab: Run, inputs: Path, tmp_path: Path
) -> None:
    result = hiplab("analyze", "inputs", "--task", "squat", "--fps", "30", "-o", "out")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for name, status in EXPECTED.items():
        line = next(line for line in result.stdout.splitlines() if f" {name} " in line)
        assert f" {status} " in line, line
    assert "3 ok, 0 partial" in result.stdout and "2 failed" in result.stdout
    assert "error: inputs/broken:" in result.stderr and "not valid JSON" in result.stderr
    assert "error: inputs/notes.mp4:" in result.stderr and "not a video" in result.stderr
    assert "5/5" in result.stderr  # the progress bar's last state
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "squat1",
        "squat2",
        "squat3",
        "summary.csv",
        "summary.json",
    ]
    for reps in (1, 2, 3):
        files = sorted(p.name for p in (out / f"squat{reps}").iterdir())
        assert files == [
            "angles.csv",
            "angles.mot",
            "keypoints.csv",
            "keypoints.npz",
            "metrics.json",
            "plot.png",
        ]
        assert (
            json.loads((out / f"squat{reps}" / "metrics.json").read_text())["summary"]["reps"]
            == reps
        )
    summary = json.loads((out / "summary.json").read_text())
    assert status_by_input(summary) == EXPECTED
    assert (summary["ok"], summary["failed"]) == (3, 2)
    assert (out / "summary.csv").read_text().splitlines()[0].startswith("input,status,frames")


@sqlite_only
def test_two_jobs_give_the_same_summary_as_one(hiplab: Run, inputs: Path) -> None:
    one, _ = batch_json(hiplab, "inputs", "-o", "one")
    two, result = batch_json(hiplab, "inputs", "-o", "two", "--jobs", "2")
    assert result.returncode == 1
    assert status_by_input(two) == EXPECTED
    assert comparable(two) == comparable(one)
    assert [r["metrics"]["reps"] for r in two["inputs"] if r["status"] == "ok"] == [1, 2, 3]


@sqlite_only
def test_a_quoted_pattern_of_good_inputs_exits_0(hiplab: Run, inputs: Path, tmp_path: Path) -> None:
    document, result = batch_json(hiplab, "inputs/squat*", "-o", "out")
    assert result.returncode == 0
    assert list(status_by_input(document)) == ["inputs/squat1", "inputs/squat2", "inputs/squat3"]
    assert document["failed"] == 0
    assert json.loads((tmp_path / "out" / "summary.json").read_text()) == document


@sqlite_only
def test_several_inputs_and_a_missing_one(hiplab: Run, inputs: Path) -> None:
    document, result = batch_json(
        hiplab, "inputs/squat2", "inputs/missing.mp4", "inputs/squat2", "-o", "out"
    )
    assert result.returncode == 1
    assert status_by_input(document) == {"inputs/missing.mp4": "error", "inputs/squat2": "ok"}
    assert "not found" in document["inputs"][0]["error"]


@sqlite_only
@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["inputs/*.mov", "-o", "out"], ["no input matches", "inputs/*.mov"]),
        (["inputs", "-o", "out", "--save", "Ann"], ["--save", "different people"]),
        (["inputs"], ["-o OUTDIR"]),
        (["inputs", "-o", "out", "--jobs", "0"], ["--jobs"]),
        (["inputs", "-o", "out", "--jobs", "2", "--ray", "auto"], ["--jobs", "--ray"]),
        (["inputs", "-o", "out", "--ray", "127.0.0.1:1"], ["--ray", "no Ray cluster answers"]),
        (["inputs", "-o", "out", "--ray", "nonsense"], ["--ray", "host:port"]),
        (["inputs", "-o", "out", "--exercise", "deep_squat_hold"], ["--exercise"]),
    ],
)
def test_bad_batch_options_exit_2(
    hiplab: Run, inputs: Path, tmp_path: Path, args: list[str], needles: list[str]
) -> None:
    result = hiplab("analyze", *args, "--task", "squat", "--fps", "30")
    assert_bad_input(result, *needles)
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_start_up_imports_no_ray_numpy_or_cv2() -> None:
    code = (
        "import sys\n"
        "from hiplab.cli import app\n"
        "for args in (['--help'], ['analyze', '--help']):\n"
        "    try:\n"
        "        app(args, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('HEAVY', [m for m in ('ray', 'numpy', 'cv2') if m in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr
    assert "--jobs" in done.stdout and "--ray" in done.stdout


# --- Ray ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def ray_head() -> Iterator[str]:
    """Start a real local Ray head node; yield its address; stop it.

    Its own temporary folder (short: Ray's socket paths must fit in 107 bytes) and
    free ports, so it never meets another Ray instance on the machine. Started with
    ``--block`` in a session of its own and stopped by SIGTERM to that process, which
    stops what it started (then SIGKILL to its process group, should anything stay):
    ``ray stop`` would stop every Ray instance on the machine.
    """
    temp = Path(tempfile.mkdtemp(prefix="hiplab-ray-"))
    port = free_port()
    command = [str(Path(sys.executable).with_name("ray")), "start", "--head", "--block"]
    command += [f"--port={port}", "--num-cpus=2", "--include-dashboard=false"]
    command += ["--disable-usage-stats", f"--temp-dir={temp}"]
    command += [f"--ray-client-server-port={free_port()}", f"--dashboard-port={free_port()}"]
    command += [f"--dashboard-agent-listen-port={free_port()}"]
    log = temp / "head.log"
    with log.open("w") as sink:
        head = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 180
        while "Ray runtime started" not in log.read_text():
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Ray head did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        head.terminate()
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(head.pid, signal.SIGKILL)
        shutil.rmtree(temp, ignore_errors=True)


@sqlite_only
def test_ray_runs_the_same_batch_as_a_local_run(
    hiplab: Run, inputs: Path, tmp_path: Path, ray_head: str
) -> None:
    local, _ = batch_json(hiplab, "inputs", "-o", "local")
    remote, result = batch_json(hiplab, "inputs", "-o", "remote", "--ray", ray_head)
    assert result.returncode == 1
    assert status_by_input(remote) == EXPECTED
    assert comparable(remote) == comparable(local)
    for reps in (1, 3):
        docs = [
            json.loads((tmp_path / where / f"squat{reps}" / "metrics.json").read_text())
            for where in ("local", "remote")
        ]
        assert [d.pop("files") for d in docs] != [None, None]
        assert docs[0] == docs[1] and docs[0]["summary"]["reps"] == reps
    assert json.loads((tmp_path / "remote" / "summary.json").read_text()) == remote


# --- a real video ------------------------------------------------------------------------------


@sqlite_only
def test_real_video_batch_with_a_bad_file(
    hiplab: Run, demo_video_path: Path, tmp_path: Path
) -> None:
    videos = tmp_path / "videos"
    videos.mkdir()
    (videos / "demo.mp4").symlink_to(demo_video_path)
    (videos / "broken.mp4").write_bytes(demo_video_path.read_bytes()[:4096])
    result = hiplab("analyze", "videos/*.mp4", "--task", "angles", "-o", "out", "-f", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert status_by_input(document) == {"videos/broken.mp4": "error", "videos/demo.mp4": "ok"}
    broken, demo = document["inputs"]
    assert broken["folder"] is None and broken["error"]
    assert demo["frames"] == 230 and demo["fps"] == 30.0
    assert demo["metrics"]["right_knee_flexion_range_deg"] > 0
    files = sorted(p.name for p in (tmp_path / "out" / "demo").iterdir())
    assert "annotated.mp4" in files and "metrics.json" in files
    metrics = json.loads((tmp_path / "out" / "demo" / "metrics.json").read_text())
    assert metrics["frames"] == 230
    assert (
        metrics["angles"]["right_knee_flexion"]["range_deg"]
        == (demo["metrics"]["right_knee_flexion_range_deg"])
    )
