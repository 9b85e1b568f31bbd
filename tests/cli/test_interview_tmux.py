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
            ["tmux", "capture-pane", "-p", "-S", "-", "-t", self.name],
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


SCREENING = [("(y/n)", "n")] * 12  # ten red-flag/hypermobility questions, pregnant, replacement

# (text to wait for, answer to type): wrong answers are re-asked, blank skips.
SCRIPT = [
    ("Your name", "Tia Terminal"),
    ("Age in years", "abc"),
    ("'abc' is not a whole number", "400"),
    ("outside the allowed range", "29"),
    ("Sex", "female"),
    ("Activities", "running, desk_work"),
    ("main goal", ""),
    *SCREENING,
    ("Region", "front_of_hip"),
    ("Side", "right"),
    ("Pain now", "3"),
    ("What brings it on", "sitting"),
    ("Region", ""),
    # Thomas thigh angle: picture reference shown; left skipped, right 12° above horizontal.
    ("hiplab tests thomas_thigh_angle --picture", None),
    ("left", ""),
    ("right", "12"),
]


def skip_the_rest(term: Terminal) -> str:
    """Answer blank to every remaining prompt until the command has exited."""
    deadline = time.monotonic() + WAIT_S
    while "EXIT=" not in term.screen() and time.monotonic() < deadline:
        if term.screen().rstrip().endswith(("skip]", ")")):
            term.type("")
        time.sleep(0.1)
    return term.screen()


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
        pos = 0
        for expect, answer in SCRIPT:
            pos = term.wait_for(expect, after=pos)
            if answer is not None:
                term.type(answer)
        screen = skip_the_rest(term)
        assert "EXIT=0" in screen, screen
    finally:
        term.close()
    report = json.loads(out.read_text())
    assert [(f["id"], f["side"]) for f in report["findings"]] == [("hip_flexors_tight", "right")]
    history = json.loads(hiplab("history", "Tia Terminal", "--format", "json").stdout)
    assert len(history) == 1
    assert os.path.exists(out)
