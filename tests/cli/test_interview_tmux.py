"""The guided interview in a real terminal: tmux runs it, send-keys answers, capture-pane reads."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from .conftest import Run

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

WAIT_S = 30.0


class Terminal:
    def __init__(self, command: str, cwd: Path) -> None:
        self.name = f"hiplab-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                "160",
                "-y",
                "50",
                "-c",
                str(cwd),
                command,
            ],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-S", "-200", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def wait_for(self, text: str, *, after: int = 0) -> int:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            screen = self.screen()
            found = screen.find(text, after)
            if found >= 0:
                return found + len(text)
            time.sleep(0.05)
        raise AssertionError(f"never saw {text!r}; screen:\n{self.screen()}")

    def type(self, keys: str) -> None:
        if keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", keys], check=True)
        subprocess.run(["tmux", "send-keys", "-t", self.name, "Enter"], check=True)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False, capture_output=True)


SCREENING = ["n"] * 10 + ["n", "n"]  # ten red-flag/hypermobility questions, pregnant, replacement


def test_interview_validates_answers_skips_tests_and_saves(
    tmp_path: Path, store_url: str, hiplab: Run
) -> None:
    env = {
        "HIPLAB_DATA_DIR": str(tmp_path / "data"),
        "HIPLAB_DATABASE_URL": store_url,
        "NO_COLOR": "1",
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    out = tmp_path / "interview.json"
    command = (
        f"env {exports} {shlex.quote(sys.executable)} -m hiplab assess --format json "
        f"-o {shlex.quote(str(out))}; echo EXIT=$?; sleep 30"
    )
    term = Terminal(command, tmp_path)
    try:
        pos = term.wait_for("Your name")
        term.type("Tia Terminal")
        pos = term.wait_for("Age in years", after=pos)
        term.type("abc")
        pos = term.wait_for("'abc' is not a whole number", after=pos)
        term.type("400")
        pos = term.wait_for("outside the allowed range", after=pos)
        term.type("29")
        pos = term.wait_for("Sex", after=pos)
        term.type("female")
        pos = term.wait_for("Activities", after=pos)
        term.type("running, desk_work")
        pos = term.wait_for("main goal", after=pos)
        term.type("")
        for answer in SCREENING:
            pos = term.wait_for("(y/n)", after=pos)
            term.type(answer)
        pos = term.wait_for("Region", after=pos)
        term.type("front_of_hip")
        pos = term.wait_for("Side", after=pos)
        term.type("right")
        pos = term.wait_for("Pain now", after=pos)
        term.type("3")
        pos = term.wait_for("What brings it on", after=pos)
        term.type("sitting")
        pos = term.wait_for("Region", after=pos)
        term.type("")
        # Thomas thigh angle: left skipped, right 12° (above horizontal); picture reference shown.
        pos = term.wait_for("hiplab tests thomas_thigh_angle --picture", after=pos)
        pos = term.wait_for("left", after=pos)
        term.type("")
        pos = term.wait_for("right", after=pos)
        term.type("12")
        # Skip every remaining test by answering blank until the process ends.
        deadline = time.monotonic() + WAIT_S
        while "EXIT=" not in term.screen() and time.monotonic() < deadline:
            if term.screen().rstrip().endswith(("skip]", ")")):
                term.type("")
            time.sleep(0.1)
        screen = term.screen()
        assert "EXIT=0" in screen, screen
    finally:
        term.close()
    report = json.loads(out.read_text())
    assert [(f["id"], f["side"]) for f in report["findings"]] == [("hip_flexors_tight", "right")]
    history = json.loads(hiplab("history", "Tia Terminal", "--format", "json").stdout)
    assert len(history) == 1
    assert os.path.exists(out)
