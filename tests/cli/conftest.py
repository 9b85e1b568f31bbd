"""Run the real ``hiplab`` command in a subprocess against a fresh store."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def hiplab(tmp_path: Path, store_url: str) -> Run:
    """Return a runner for ``hiplab ARGS`` with its own data dir and the given store."""
    env = {
        **os.environ,
        "HIPLAB_DATA_DIR": str(tmp_path / "data"),
        "HIPLAB_DATABASE_URL": store_url,
        "HIPLAB_SETTINGS": "",
        "COLUMNS": "160",
        "NO_COLOR": "1",
    }
    env.pop("HIPLAB_SETTINGS")

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hiplab", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            input=input,
            timeout=120,
            check=False,
        )

    return run
