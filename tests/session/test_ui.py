"""The session UI without a real terminal: scripted keys, a fake clock, a pty for cbreak mode."""

from __future__ import annotations

import doctest
import io
import os
import pty
import termios
from collections.abc import Iterator
from types import TracebackType
from typing import Self

import pytest
from rich.console import Console

from hiplab.session import ui as ui_module
from hiplab.session.engine import SessionEngine
from hiplab.session.setup import GuidedSession
from hiplab.session.ui import (
    FRAME_S,
    TerminalKeys,
    render,
    render_summary,
    run_guided_session,
    run_timer,
)
from hiplab.session.voice import SilentVoice

from .items import BRIDGE, HIP_FLEXOR

GUIDED = GuidedSession(
    person="Una Unit",
    plan_id=None,
    week=1,
    last_week=1,
    items=(BRIDGE, HIP_FLEXOR),
    instructions={"isometric_glute_bridge": ("Lie on your back.", "Lift your hips.")},
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class ScriptedKeys:
    """Each read is one frame of 1/16 s (exact in binary): keys come at given frames."""

    def __init__(self, clock: Clock, script: dict[int, str | type[BaseException]]) -> None:
        self.clock = clock
        self.script = script
        self.frame = 0
        self.entered = self.exited = False

    def __enter__(self) -> Self:
        self.entered = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.exited = True

    def read(self, timeout_s: float) -> str | None:
        self.frame += 1
        assert timeout_s == FRAME_S
        self.clock.now += 1 / 16
        key = self.script.get(self.frame)
        if isinstance(key, type):
            raise key()
        return key


def quiet_console() -> Console:
    return Console(file=io.StringIO(), width=100, color_system=None)


def run(
    script: dict[int, str | type[BaseException]], scale: float = 16.0
) -> tuple[SessionEngine, ScriptedKeys, SilentVoice]:
    clock = Clock()
    keys = ScriptedKeys(clock, script)
    voice = SilentVoice()
    engine = SessionEngine(GUIDED.items, get_ready_s=5, switch_s=5)
    run_timer(
        engine,
        GUIDED,
        keys=keys,
        voice=voice,
        console=quiet_console(),
        time_scale=scale,
        clock=clock,
    )
    return engine, keys, voice


def test_docstring_examples_run() -> None:
    assert doctest.testmod(ui_module).failed == 0


def test_the_clock_times_the_scale_drives_the_engine_to_the_end() -> None:
    engine, keys, voice = run({})
    # 55 s + 150 s of session; each frame is 1/16 s x 16 = 1 s.
    assert keys.frame == 205
    assert keys.entered and keys.exited
    assert [entry.status for entry in engine.log()] == ["done", "done"]
    assert voice.said[0] == "Get ready: Isometric glute bridge"
    assert voice.said[-1] == "Done"


def test_paused_frames_do_not_count() -> None:
    engine, keys, _ = run({3: " ", 13: " "})
    assert keys.frame == 215  # ten frames paused
    assert engine.done_s == engine.planned_s


def test_keys_skip_back_mute_and_quit() -> None:
    engine, keys, voice = run({7: "n", 8: "m", 10: "b", 12: "M", 73: "q"})
    # Skip at 7 s (2 s into the bridge hold) → hip flexor; back at 10 s (in its get-ready) →
    # the bridge again from the start, done at 65 s; hip flexor get-ready to 70 s; quit at 73 s.
    # Muted from 8 s to 12 s: the bridge's restart cue at 10 s is not said.
    assert engine.quit_early
    assert keys.exited
    assert [(e.status, e.done_s) for e in engine.log()] == [("done", 40), ("partial", 3)]
    assert voice.said[:6] == [
        "Get ready: Isometric glute bridge",
        "3",
        "2",
        "1",
        "Go: Isometric glute bridge",
        "Get ready: Half-kneeling hip flexor stretch, left side",
    ]
    assert voice.said[6] == "2"  # "3" came at 12 s, still muted


def test_ctrl_c_quits_and_still_restores_the_keys() -> None:
    engine, keys, _ = run({30: KeyboardInterrupt})
    assert engine.quit_early
    assert keys.exited
    assert engine.log()[0].status == "partial"


def test_the_screen_shows_exercise_countdown_steps_next_up_and_keys() -> None:
    engine = SessionEngine(GUIDED.items, get_ready_s=5, switch_s=5)
    engine.tick(7.0)
    engine.pause()
    console = quiet_console()
    console.print(render(engine, GUIDED, voice=SilentVoice()))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    for expected in (
        "Una Unit · week 1 of 1",
        "Exercise 1 of 2: Isometric glute bridge",
        "HOLD · set 1 of 2",
        "time left 0:18",
        "10%",
        "|| paused — press space to resume",
        " 1. Lie on your back.",
        "Next up: Rest 10 s",
        "Session time left 3:18",
        "space pause/resume · n skip · b back · q quit · m mute · voice: off",
        "███",
    ):
        assert expected in text


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    given: list[str] = []
    monkeypatch.setattr("builtins.input", lambda *_: given.pop(0))
    yield given
    assert given == []


def test_the_session_log_has_items_answers_and_times(answers: list[str]) -> None:
    answers += ["none", "-1", "4", ""]
    clock = Clock()
    console = quiet_console()
    log = run_guided_session(
        GUIDED,
        keys=ScriptedKeys(clock, {73: "q"}),  # the planner's timing: 10 s set-up
        voice=SilentVoice(),
        console=console,
        time_scale=16,
        clock=clock,
    )
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Session ended early." in out
    assert "'none' is not a whole number" in out
    assert "-1 is outside the allowed range 0–10" in out
    assert (log.discomfort, log.effort, log.quit_early) == (4, None, True)
    assert (log.person, log.plan_id, log.week) == ("Una Unit", None, 1)
    assert [(i.status, i.done_s) for i in log.items] == [("done", 40), ("partial", 3)]
    assert log.started_at <= log.finished_at
    summary = quiet_console()
    summary.print(render_summary(log, GUIDED.items))
    table = summary.file.getvalue()  # type: ignore[attr-defined]
    assert "Week 1: 27% of the planned time done" in table
    assert "not reached" not in table
    assert "partial" in table


def test_terminal_keys_read_single_keys_without_enter_and_restore_the_mode() -> None:
    master, slave = pty.openpty()
    try:
        with os.fdopen(slave, "r", closefd=False) as stream:
            before = termios.tcgetattr(slave)
            with TerminalKeys(stream) as keys:
                mode = termios.tcgetattr(slave)
                assert not mode[3] & termios.ICANON
                assert not mode[3] & termios.ECHO
                assert keys.read(0.01) is None
                os.write(master, b"n")
                assert keys.read(1.0) == "n"
                os.write(master, b"\x1b[B")  # down arrow: not "b" for back
                assert keys.read(1.0) is None
                assert keys.read(0.01) is None
            assert termios.tcgetattr(slave) == before
            with pytest.raises(RuntimeError), TerminalKeys(stream):
                raise RuntimeError("boom")
            assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)
