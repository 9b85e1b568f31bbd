"""Fixtures for the motion tests: the real demo video (cached download) and a .task bundle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.motion.demo_video import build_pose_task


@pytest.fixture(scope="session")
def pose_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a PoseLandmarker .task bundle built from mediapipe's bundled models.

    Built in a child process: MediaPipe's metadata writer leaves temporary files
    open, which this suite's warnings-as-errors would report.
    """
    path = tmp_path_factory.mktemp("task") / "pose_landmarker.task"
    code = (
        f"from {build_pose_task.__module__} import build_pose_task; build_pose_task({str(path)!r})"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and path.is_file(), done.stderr[-2000:]
    return path
