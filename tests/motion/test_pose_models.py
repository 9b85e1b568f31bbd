"""The choice of pose model: lite, full and heavy on a real clip, offline; bad files refused."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import get_args

import numpy as np
import pytest

from hiplab.errors import InputError
from hiplab.motion import pose
from hiplab.motion.analyze import AnalyzeRequest, check_request
from hiplab.motion.keypoints import INDEX, KeypointTrack
from hiplab.motion.pose import MediapipeParams, check_pose_model, mediapipe_model_dir
from hiplab.motion.pose_extraction import extract_track
from hiplab.motion.pose_models import POSE_MODELS, PoseModelName
from tests.motion.demo_video import clip

ROOT = Path(__file__).resolve().parents[2]
CLIP_FRAMES = 30


@pytest.fixture(scope="module")
def demo_clip(demo_video_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Frames 10–40 of the demo: the man standing on the roof, before the jump."""
    return clip(demo_video_path, tmp_path_factory.mktemp("clip") / "roof.mp4", 10, 10 + CLIP_FRAMES)


@pytest.fixture(scope="module")
def tracked(demo_clip: Path) -> Callable[[PoseModelName], KeypointTrack]:
    """Return each model's track of the clip, computed once per model."""
    found: dict[str, KeypointTrack] = {}

    def track(model: PoseModelName) -> KeypointTrack:
        if model not in found:
            found[model] = extract_track(demo_clip, model=model, workers=1)
        return found[model]

    return track


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything (mediapipe fetching a model) opens a URL."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a download was attempted: {args[:1]}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_table_matches_the_names_and_the_wheel() -> None:
    assert tuple(POSE_MODELS) == get_args(PoseModelName) == ("lite", "full", "heavy")
    assert [m.complexity for m in POSE_MODELS.values()] == [0, 1, 2]
    assert [m.name for m in POSE_MODELS.values()] == list(POSE_MODELS)
    full = mediapipe_model_dir() / POSE_MODELS["full"].file
    assert hashlib.sha256(full.read_bytes()).hexdigest() == POSE_MODELS["full"].sha256
    assert [m.name for m in POSE_MODELS.values() if m.in_wheel] == ["full"]


@pytest.mark.parametrize("model", get_args(PoseModelName))
def test_each_model_tracks_the_man_on_the_roof(
    model: PoseModelName, tracked: Callable[[PoseModelName], KeypointTrack], no_network: None
) -> None:
    assert check_pose_model(model).parent == mediapipe_model_dir()
    track = tracked(model)
    assert track.frames == CLIP_FRAMES
    assert int((~track.lost).sum()) >= CLIP_FRAMES - 3
    hip = np.nanmedian(track.xy[~track.lost, INDEX["left_hip"]], axis=0)
    assert 450 < hip[0] < 850 and 100 < hip[1] < 450  # on the roof, upper middle of the frame
    nose, ankle = (np.nanmedian(track.xy[~track.lost, INDEX[k], 1]) for k in ("nose", "left_ankle"))
    assert nose < hip[1] < ankle  # pixels, y down


def test_the_three_models_really_differ(
    tracked: Callable[[PoseModelName], KeypointTrack], no_network: None
) -> None:
    """Each name runs its own network: the keypoints differ, by a few pixels, not by a body."""
    hips = {m: tracked(m).xy[:, INDEX["left_hip"]] for m in get_args(PoseModelName)}
    for a, b in (("lite", "full"), ("full", "heavy"), ("lite", "heavy")):
        gap = np.nanmedian(np.linalg.norm(hips[a] - hips[b], axis=1))
        assert 0.0 < gap < 60.0, (a, b, gap)


def test_params_choose_the_complexity() -> None:
    assert [MediapipeParams(model=m).complexity for m in ("lite", "full", "heavy")] == [0, 1, 2]
    assert MediapipeParams().model == "full"
    with pytest.raises(InputError, match="unknown pose model 'medium'; the models are lite, full"):
        MediapipeParams(model="medium")  # type: ignore[arg-type]


def test_a_missing_or_damaged_model_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "pose_landmark"  # a copy: the installed files are never touched
    shutil.copytree(mediapipe_model_dir(), folder)
    assert check_pose_model("lite", folder) == folder / "pose_landmark_lite.tflite"
    damaged = bytearray((folder / "pose_landmark_lite.tflite").read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (folder / "pose_landmark_lite.tflite").write_bytes(bytes(damaged))
    with pytest.raises(InputError) as refused:
        check_pose_model("lite", folder)
    message = str(refused.value)
    assert "the lite pose model at" in message
    assert "is not the expected file (its checksum differs" in message
    assert "reinstall it with: .venv/bin/python scripts/install_pose_models.py" in message
    (folder / "pose_landmark_heavy.tflite").unlink()
    with pytest.raises(InputError, match=r"the heavy pose model is not installed \(.*install it"):
        check_pose_model("heavy", folder)


def test_a_mismatching_installed_model_stops_the_analysis_before_work(
    monkeypatch: pytest.MonkeyPatch, demo_clip: Path
) -> None:
    wrong = replace(POSE_MODELS["heavy"], sha256="0" * 64)
    monkeypatch.setitem(POSE_MODELS, "heavy", wrong)  # type: ignore[arg-type]
    request = AnalyzeRequest(source=demo_clip, task="angles", model="heavy")
    with pytest.raises(InputError, match=r"the heavy pose model at .* is not the expected file"):
        check_request(request)
    with pytest.raises(InputError, match=r"the heavy pose model at .* is not the expected file"):
        extract_track(demo_clip, model="heavy", workers=1)
    assert pose.check_pose_model("full").is_file()  # the others are still fine


def run_hiplab(tmp_path: Path, *args: str, patch: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``hiplab ARGS`` in a child (after ``patch``, Python run first), as a person would."""
    code = "\n".join(
        ("import sys", patch, "from hiplab.cli import main", "sys.argv[0] = 'hiplab'", "main()")
    )
    env = {**os.environ, "HIPLAB_DATA_DIR": str(tmp_path / "data"), "NO_COLOR": "1"}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )


def test_cli_refuses_an_unknown_model_word(tmp_path: Path, demo_clip: Path) -> None:
    args = ("analyze", str(demo_clip), "--task", "angles", "--model", "nonsense")
    done = run_hiplab(tmp_path, *args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())
    assert "pose model 'nonsense' is none of lite, full or heavy" in message
    assert "MediaPipe .task model file" in message


def test_cli_refuses_a_model_file_that_fails_its_checksum(tmp_path: Path, demo_clip: Path) -> None:
    patch = (
        "from dataclasses import replace\n"
        "from hiplab.motion.pose_models import POSE_MODELS\n"
        "POSE_MODELS['lite'] = replace(POSE_MODELS['lite'], sha256='0' * 64)"
    )
    args = ("analyze", str(demo_clip), "--task", "angles", "--model", "lite")
    done = run_hiplab(tmp_path, *args, patch=patch)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    message = " ".join(done.stderr.split())
    assert "the lite pose model at" in message and "checksum differs" in message


def test_cli_analyses_with_the_lite_model(tmp_path: Path, demo_clip: Path) -> None:
    args = ("analyze", str(demo_clip), "--task", "angles", "--model", "lite", "-f", "json")
    offline = (  # any connection (mediapipe fetching a model) fails the command
        "import socket\n"
        "def refuse(*args, **kwargs): raise OSError('this test runs offline')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse"
    )
    done = run_hiplab(tmp_path, *args, patch=offline)
    assert done.returncode == 0, done.stderr[-2000:]
    assert '"frames": 30' in done.stdout
