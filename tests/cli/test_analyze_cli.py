"""``hiplab analyze`` end to end in a subprocess: bad input → exit 2, JSON, files, --save."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hiplab.motion.keypoints import KEYPOINTS
from hiplab.motion.openpose import FORMATS
from hiplab.testing import synthetic
from tests.cli.conftest import Run
from tests.conftest import NO_STORE
from tests.motion.task_helpers import physical_landing

BODY_25 = FORMATS[25]


def write_openpose(folder: Path, capture: synthetic.Capture) -> Path:
    """Write a capture as an OpenPose BODY_25 JSON folder (one file per frame)."""
    folder.mkdir(parents=True, exist_ok=True)
    track = capture.track
    for i in range(track.frames):
        flat = [0.0] * (3 * BODY_25.count)
        if not track.lost[i]:
            for k, name in enumerate(KEYPOINTS):
                column = BODY_25.column(name)
                x, y = track.xy[i, k]
                if column is not None and np.isfinite(x) and np.isfinite(y):
                    flat[3 * column : 3 * column + 3] = [
                        float(x),
                        float(y),
                        float(track.score[i, k]),
                    ]
        document = {"version": 1.3, "people": [{"pose_keypoints_2d": flat}]}
        (folder / f"clip_{i:012d}_keypoints.json").write_text(json.dumps(document))
    return folder


@pytest.fixture
def landing_json(tmp_path: Path) -> Path:
    return write_openpose(tmp_path / "landing", physical_landing(120.0, peak_knee=75.0))


def gray_video(path: Path, frames: int = 12) -> Path:
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (160, 120))
    for _ in range(frames):
        writer.write(np.full((120, 160, 3), 90, dtype=np.uint8))
    writer.release()
    return path


def assert_bad_input(result: object, *needles: str) -> None:
    assert result.returncode == 2, result.stderr  # type: ignore[attr-defined]
    message = result.stderr.lower()  # type: ignore[attr-defined]
    assert "error" in message
    for needle in needles:
        assert needle.lower() in message, message
    assert result.stdout == ""  # type: ignore[attr-defined]


@NO_STORE
def test_missing_file(hiplab: Run, tmp_path: Path) -> None:
    assert_bad_input(hiplab("analyze", str(tmp_path / "nope.mp4"), "--task", "angles"), "not found")


@NO_STORE
def test_not_a_video(hiplab: Run, tmp_path: Path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are notes, not a video\n" * 20)
    assert_bad_input(hiplab("analyze", str(fake), "--task", "angles"), "not a video")


@NO_STORE
def test_empty_file_has_no_frames(hiplab: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert_bad_input(hiplab("analyze", str(empty), "--task", "squat"), "empty")


@NO_STORE
def test_video_with_zero_frames(hiplab: Run, tmp_path: Path) -> None:
    path = gray_video(tmp_path / "zero.avi", frames=0)
    result = hiplab("analyze", str(path), "--task", "squat")
    assert_bad_input(result)
    assert "frame" in result.stderr or "not a video" in result.stderr


@NO_STORE
def test_corrupt_stream_mid_file(hiplab: Run, tmp_path: Path) -> None:
    whole = gray_video(tmp_path / "whole.avi", frames=40).read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(whole[: len(whole) // 2])
    result = hiplab("analyze", str(cut), "--task", "angles")
    assert_bad_input(result)
    assert "partial" in result.stderr or "truncated" in result.stderr or "corrupt" in result.stderr


@NO_STORE
def test_no_person_found(hiplab: Run, tmp_path: Path) -> None:
    path = gray_video(tmp_path / "nobody.avi")
    assert_bad_input(hiplab("analyze", str(path), "--task", "angles"), "no person")


@NO_STORE
def test_malformed_openpose_json(hiplab: Run, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "clip_000000000000_keypoints.json").write_text(
        '{"people": [{"pose_keypoints_2d": [1, 2'
    )
    assert_bad_input(hiplab("analyze", str(folder), "--task", "angles", "--fps", "30"), "json")


@NO_STORE
def test_fps_missing_for_openpose_json(hiplab: Run, landing_json: Path) -> None:
    assert_bad_input(hiplab("analyze", str(landing_json), "--task", "landing"), "--fps")


@NO_STORE
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--task", "hold"], "--exercise"),
        (["--task", "hold", "--exercise", "deep_squat_hodl"], "deep_squat_hold"),
        (["--task", "squat", "--exercise", "deep_squat_hold"], "--exercise"),
        (["--task", "angles", "--person-box", "1,2,3"], "--person-box"),
        (["--task", "angles", "--person-box", "10,10,-5,20"], "--person-box"),
        (["--task", "angles", "--fps", "-3"], "--fps"),
        (["--task", "jump"], "jump"),
    ],
)
def test_bad_options(hiplab: Run, landing_json: Path, args: list[str], needle: str) -> None:
    assert_bad_input(hiplab("analyze", str(landing_json), "--fps", "120", *args), needle)


@NO_STORE
def test_landing_below_30_fps_is_refused(hiplab: Run, landing_json: Path) -> None:
    result = hiplab("analyze", str(landing_json), "--task", "landing", "--fps", "25")
    assert_bad_input(result, "fps")


@NO_STORE
def test_openpose_landing_json_and_files(hiplab: Run, landing_json: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = hiplab(
        "analyze",
        str(landing_json),
        "--task",
        "landing",
        "--fps",
        "120",
        "-f",
        "json",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    for key in (
        "initial_contact_frame",
        "knee_flexion_at_contact_deg",
        "hip_flexion_at_contact_deg",
        "peak_knee_flexion_deg",
        "peak_knee_flexion_frame",
        "peak_hip_flexion_deg",
        "time_to_peak_knee_flexion_ms",
        "peak_knee_flexion_velocity_deg_s",
        "stiff_landing",
        "stiff_landing_rule",
        "less",
        "uncertainty",
        "warnings",
        "partial",
    ):
        assert key in doc, key
    assert doc["task"] == "landing" and doc["input_kind"] == "openpose_json"
    assert doc["stiff_landing"] is True
    assert doc["initial_contact_frame"] == 48
    assert doc["partial"] is False
    assert doc["verdicts"]["peak_knee_flexion_deg"]["level"] == "reliable"
    assert doc["measured_tests"] == {
        "landing_peak_knee_flexion_deg": {"right": doc["peak_knee_flexion_deg"]}
    }
    [measured] = doc["measured"]
    assert measured["uncertainty"] == doc["uncertainty"]["peak_knee_flexion_deg"]
    assert doc["camera"]["geometry_from"] == "2-D keypoints"
    assert sorted(p.name for p in out.iterdir()) == [
        "angles.csv",
        "angles.mot",
        "keypoints.csv",
        "keypoints.npz",
        "metrics.json",
        "plot.png",
    ]
    assert doc["files"]["annotated_mp4"] is None
    assert "no video" in doc["skipped_files"]["annotated_mp4"]
    assert json.loads((out / "metrics.json").read_text())["initial_contact_frame"] == 48


@NO_STORE
def test_text_summary(hiplab: Run, landing_json: Path) -> None:
    result = hiplab("analyze", str(landing_json), "--task", "landing", "--fps", "120")
    assert result.returncode == 0, result.stderr
    assert "initial contact: frame 48" in result.stdout
    assert "stiff" in result.stdout and "Devita" in result.stdout
    assert "not a LESS total" in result.stdout


def test_save_stores_a_video_assessment_with_the_thomas_chain(hiplab: Run, tmp_path: Path) -> None:
    tight = synthetic.thomas_test(synthetic.CaptureOptions(fps=30.0), thigh_angle=15.0)
    thomas_json = write_openpose(tmp_path / "thomas", tight)
    sample = tmp_path / "sample.yaml"
    sample.write_text(hiplab("sample").stdout)
    assert hiplab("assess", str(sample), "--save", "--person", "Ann").returncode == 0
    result = hiplab(
        "analyze", str(thomas_json), "--task", "thomas", "--fps", "30", "-f", "json",
        "--save", "Ann",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    saved = doc["saved"]
    assert saved["person"] == "Ann"
    assert "hip_flexors_tight" in saved["findings"]
    assert any(c.startswith("hip_flexors->") for c in saved["chains"])
    assert [m["test"] for m in doc["measured"]] == [
        "thomas.right.thigh_angle_deg",
        "thomas.right.knee_flexion_deg",
    ]
    assert all(m["verdict"]["level"] == "reliable" for m in doc["measured"])
    assert "saved the measurements as an assessment from video for Ann" in result.stderr
    assert "hip_flexors_tight" not in result.stderr  # plain words for people, ids in JSON only
    history = hiplab("history", "Ann", "-f", "json")
    assert history.returncode == 0, history.stderr
    assert str(saved["assessment_id"]) in history.stdout


def test_save_needs_a_stored_person(hiplab: Run, landing_json: Path) -> None:
    result = hiplab(
        "analyze", str(landing_json), "--task", "landing", "--fps", "120", "--save", "Zed"
    )
    assert_bad_input(result, "--save", "Zed", "store one first")
    assert "Traceback" not in result.stderr


@NO_STORE
def test_real_video_angles_writes_every_file(
    hiplab: Run, demo_video_path: Path, tmp_path: Path
) -> None:
    import csv

    import cv2

    out = tmp_path / "demo"
    result = hiplab(
        "analyze", str(demo_video_path), "--task", "angles", "-o", str(out), "-f", "json"
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["frames"] == 230 and doc["fps"] == 30.0 and doc["input_kind"] == "video"
    assert sorted(p.name for p in out.iterdir()) == [
        "angles.csv",
        "angles.mot",
        "annotated.mp4",
        "keypoints.csv",
        "keypoints.npz",
        "metrics.json",
        "plot.png",
    ]
    assert json.loads((out / "metrics.json").read_text()) == doc
    with (out / "angles.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["frame", "time_s", "left_hip_flexion", "right_hip_flexion"]
    assert len(rows) == 231
    with (out / "keypoints.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0][2:5] == ["nose_x", "nose_y", "nose_score"] and len(rows) == 231
    assert (out / "plot.png").read_bytes()[:4] == b"\x89PNG"
    capture = cv2.VideoCapture(str(out / "annotated.mp4"))
    try:
        assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 230
    finally:
        capture.release()
    # the dancer turns to the camera: side-view angles are withheld there, and said so
    assert doc["angles"]["right_knee_flexion"]["measured_fraction"] > 0.3
    codes = {w["code"] for w in doc["warnings"]}
    assert {"camera_oblique", "angles_withheld"} <= codes
    assert doc["verdict"]["level"] != "reliable" and doc["advice"]
    assert doc["camera"]["geometry_from"] == "3-D pose"
    with (out / "angles.csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert sum(bool(r["camera_yaw_deg"]) for r in table) > 100
    knee = [(r["right_knee_flexion"], r["right_knee_flexion_sd"]) for r in table]
    assert all(bool(value) == bool(sd) for value, sd in knee)  # an sd exactly where a value is


def test_help_does_not_import_heavy_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from hiplab.cli import app\n"
        "try:\n"
        "    app(['analyze', '--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('cv2', 'mediapipe', 'matplotlib', 'scipy') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr
    assert "--person-box" in done.stdout


@NO_STORE
def test_text_summary_says_the_camera_reliability_and_what_next_in_plain_words(
    hiplab: Run, landing_json: Path
) -> None:
    result = hiplab("analyze", str(landing_json), "--task", "landing", "--fps", "120")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # undo the terminal's line wrapping
    assert "camera: side view from the right" in text and "off square" in text
    assert "reliability: " in text
    assert "peak" in text and "± " in text
    assert "what to do next:" in text
    assert "notes:" in text and "needs a front view" in text
    assert "fppa_needs_front_view" not in text and "_deg" not in text  # codes stay in JSON


@NO_STORE
def test_cli_refuses_the_demo_as_a_squat_with_exit_code_2(
    hiplab: Run, demo_video_path: Path
) -> None:
    """The sports2d demo (a dance, a jump off a box, a passer-by) is not a squat."""
    from tests.motion.test_gates import assert_plain

    done = hiplab("analyze", str(demo_video_path), "--task", "squat")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr + done.stdout
    message = " ".join(done.stderr.split())  # the console wraps long lines
    assert "This clip does not show a squat" in message
    assert "Film one person squatting on the spot" in message
    assert_plain(message[message.index("This clip") :])
    assert "NotTheTaskError" not in message
