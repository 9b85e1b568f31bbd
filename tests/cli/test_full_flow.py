"""The whole journey from the CLI, on SQLite and PostgreSQL:
assess → plan → guided session (real terminal) → re-assess → next block → progress chart."""

from __future__ import annotations

import io
import json
import shlex
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image

from hiplab.services.catalogue import sample_path
from tests.terminal import Terminal

from .conftest import Run

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
PERSON = "Sam Sample"


def write_assessment(tmp_path: Path, name: str, date: str, **tests: object) -> Path:
    data = yaml.safe_load(sample_path().read_text())
    data["tests"].update(tests)
    data["date"] = date
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def run_session(tmp_path: Path, store_url: str) -> str:
    data_dir = shlex.quote(str(tmp_path / "data"))
    env = f"HIPLAB_DATA_DIR={data_dir} HIPLAB_DATABASE_URL={shlex.quote(store_url)}"
    command = (
        f"env {env} NO_COLOR=1 {shlex.quote(sys.executable)} -m hiplab session "
        f"{shlex.quote(PERSON)} --time-scale 100 --no-voice; echo EXIT=$?; sleep 30"
    )
    term = Terminal(command, tmp_path)
    try:
        term.wait_for("Discomfort")
        term.answer("3")
        term.wait_for("ffort")
        term.answer("6")
        return term.wait_for("EXIT=")
    finally:
        term.close()


def stored_id(hiplab: Run, path: Path) -> int:
    result = hiplab("assess", str(path), "--save")
    assert result.returncode == 0, result.stderr
    return int(json.loads(hiplab("history", PERSON, "-f", "json").stdout)[-1]["id"])


def test_assess_plan_session_reassess_replan_progress(
    hiplab: Run, tmp_path: Path, store_url: str
) -> None:
    first = stored_id(hiplab, write_assessment(tmp_path, "a1.yaml", "2026-11-02"))
    plan = hiplab("plan", str(first), "--save", "--minutes", "5", "--weeks", "2", "-f", "json")
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["block"] == 1

    screen = run_session(tmp_path, store_url)
    assert "EXIT=0" in screen, screen

    second = stored_id(
        hiplab,
        write_assessment(
            tmp_path, "a2.yaml", "2026-11-30", hip_internal_rotation_deg={"left": 32, "right": 31}
        ),
    )
    replan = hiplab("plan", str(second), "--save", "--minutes", "5", "--weeks", "2", "-f", "json")
    assert replan.returncode == 0, replan.stderr
    block = json.loads(replan.stdout)
    assert block["block"] == 2
    assert any(
        c["verdict"] == "improved_to_norm" and c["side"] == "right" for c in block["changes"]
    )

    chart = hiplab("progress", PERSON, "-f", "png", "-o", "progress.png")
    assert chart.returncode == 0, chart.stderr
    image = Image.open(io.BytesIO((tmp_path / "progress.png").read_bytes()))
    assert image.format == "PNG" and image.width > 600
    text = hiplab("progress", PERSON)
    assert text.returncode == 0, text.stderr
    assert "hip IR" in text.stdout or "internal rotation" in text.stdout.lower()
