"""The real ``hiplab`` command under umask 022: its data folder 0700, its files 0600."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.cli.test_assess_cli import sample_json

pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="POSIX file modes"),
    pytest.mark.usefixtures("permissive_umask"),
]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_db_backup_writes_a_file_only_its_owner_reads(hiplab: Run, tmp_path: Path) -> None:
    saved = hiplab("assess", str(sample_json(tmp_path)), "--save", "--format", "json")
    assert saved.returncode == 0, saved.stderr
    target = tmp_path / "backups" / "copy.bak"
    result = hiplab("db", "backup", str(target))
    assert result.returncode == 0, result.stderr
    assert mode(target) == 0o600


def test_the_default_store_is_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIPLAB_")}
    env["HIPLAB_DATA_DIR"] = str(data_dir)
    env["HIPLAB_SETTINGS"] = str(tmp_path / "none.toml")
    (tmp_path / "none.toml").write_text("")
    path = sample_json(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "hiplab", "assess", str(path), "--save", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "hiplab.sqlite") == 0o600
    assert mode(data_dir.parent) == 0o755  # only the data folder itself is private
