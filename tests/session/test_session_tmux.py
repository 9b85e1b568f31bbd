"""``hiplab session`` in a real terminal at 20x speed: pause, skip, quit, answers, stored log.

The literal plan (see conftest) runs 135 s of session time, under 7 s of real time.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
import time
from pathlib import Path

import pytest

from hiplab.records.programme import SessionLog
from hiplab.store import PersonRef, open_store
from tests.terminal import Terminal

from .conftest import PERSON, seed

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

TIME_LEFT = re.compile(r"time left (\d+:\d\d)")


def start(tmp_path: Path, cli_env: dict[str, str]) -> Terminal:
    exports = " ".join(
        f"{k}={shlex.quote(cli_env[k])}"
        for k in ("HIPLAB_DATA_DIR", "HIPLAB_DATABASE_URL", "NO_COLOR")
    )
    command = (
        f"env {exports} {shlex.quote(sys.executable)} -m hiplab session "
        f"{shlex.quote(PERSON)} --time-scale 20 --no-voice; echo EXIT=$?; sleep 30"
    )
    return Terminal(command, tmp_path)


def clocks(screen: str) -> list[str]:
    """Return the step and session 'time left' readings on the screen."""
    return TIME_LEFT.findall(screen)


def both_clocks(term: Terminal) -> list[str]:
    """Return the two clocks of a whole frame (a capture mid-redraw can show one)."""
    screen = term.wait_until(lambda s: len(clocks(s)) == 2, "the step and session clocks")
    return clocks(screen)


def stored_log(url: str) -> SessionLog:
    with open_store(url) as store:
        logs = store.logs.of_person(person=PersonRef.named(PERSON))
    assert len(logs) == 1
    return logs[0].log


def test_pause_resume_skip_finish_and_answers_are_stored(
    tmp_path: Path, store_url: str, cli_env: dict[str, str]
) -> None:
    plan_id = seed(store_url)
    term = start(tmp_path, cli_env)
    try:
        term.wait_for("Exercise 1 of 3: Isometric glute bridge")
        term.press(" ")
        paused = term.wait_until(lambda s: "paused" in s, "the paused line")
        assert "Exercise 1 of 3" in paused
        time.sleep(0.2)  # let a frame drawn before the pause key be replaced
        first = both_clocks(term)
        time.sleep(0.6)  # 12 s of session time if the clock were running
        second = both_clocks(term)
        assert first == second
        term.press(" ")
        term.wait_until(lambda s: "paused" not in s, "the pause to end")
        term.press("n")
        term.wait_for("Exercise 2 of 3: Half-kneeling hip flexor stretch — left side")
        term.wait_for("Discomfort")
        term.answer("11")
        term.wait_for("11 is outside the allowed range 0–10")
        term.answer("2")
        term.wait_for("Effort")
        term.answer("6")
        screen = term.wait_for("EXIT=")
        assert "EXIT=0" in screen, screen
    finally:
        term.close()
    assert f"saved session 1 for '{PERSON}' (discomfort 2/10, effort 6/10)" in screen
    assert "Session finished" in screen
    log = stored_log(store_url)
    assert [(i.exercise_id, i.status) for i in log.items] == [
        ("isometric_glute_bridge", "skipped"),
        ("half_kneeling_hip_flexor_stretch", "done"),
        ("clamshell", "done"),
    ]
    assert [(i.planned_s, i.side) for i in log.items] == [(20, None), (40, "both"), (30, "both")]
    assert [i.done_s for i in log.items][1:] == [40, 30]
    assert (log.discomfort, log.effort, log.quit_early) == (2, 6, False)
    assert (log.person, log.plan_id, log.week) == (PERSON, plan_id, 1)
    assert log.started_at <= log.finished_at


def test_quit_mid_session_saves_a_partial_log(
    tmp_path: Path, store_url: str, cli_env: dict[str, str]
) -> None:
    seed(store_url)
    term = start(tmp_path, cli_env)
    try:
        term.wait_until(
            lambda s: "Exercise 2 of 3" in s and "HOLD" in s, "the hip flexor's first hold"
        )
        term.press("q")
        term.wait_for("Session ended early.")
        term.wait_for("Discomfort")
        term.answer("")
        term.wait_for("Effort")
        term.answer("")
        screen = term.wait_for("EXIT=")
        assert "EXIT=0" in screen, screen
    finally:
        term.close()
    assert f"saved session 1 for '{PERSON}' — ended early" in screen
    log = stored_log(store_url)
    assert log.quit_early is True
    assert [(i.status, i.done_s) for i in log.items] == [
        ("done", 20),
        ("partial", log.items[1].done_s),
        ("not_reached", 0),
    ]
    assert log.items[1].done_s < 20  # quit during the first 20 s hold
    assert (log.discomfort, log.effort) == (None, None)
    assert 0 < log.completion < 1
