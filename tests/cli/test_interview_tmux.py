"""The guided interview in a real terminal: tmux runs it, send-keys answers, capture-pane reads."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.terminal import WAIT_S, Terminal

from .conftest import Run

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

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
            term.answer("")
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
        seen = 0
        for expect, answer in SCRIPT:
            seen = term.wait_after(expect, seen)
            if answer is not None:
                term.answer(answer)
        screen = skip_the_rest(term)
        assert "EXIT=0" in screen, screen
    finally:
        term.close()
    report = json.loads(out.read_text())
    assert [(f["id"], f["side"]) for f in report["findings"]] == [("hip_flexors_tight", "right")]
    history = json.loads(hiplab("history", "Tia Terminal", "--format", "json").stdout)
    assert len(history) == 1
    assert os.path.exists(out)
