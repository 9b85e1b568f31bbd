"""The guided session in a terminal: a rich Live screen and single-key controls.

A monotonic clock drives the pure :class:`~hiplab.session.engine.SessionEngine`:
each frame the real seconds since the last frame, times ``time_scale``, are fed to
:meth:`~hiplab.session.engine.SessionEngine.tick` (``time_scale=20`` runs a session
twenty times faster, for tests and demonstrations). Keys are read one at a time
without Enter from a terminal in cbreak mode, which is always restored on exit.

Keys: space pause/resume, ``n`` skip the exercise, ``b`` back (restart the exercise,
or the previous one at its start), ``q`` quit (what was done is still saved; Ctrl-C
does the same), ``m`` mute/unmute the voice.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import select
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, TextIO

from rich.console import Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from hiplab.records.programme import ItemLog, PlanItem, SessionLog
from hiplab.session.engine import Event, SessionEngine, side_label
from hiplab.session.voice import Voice, cue_text

if TYPE_CHECKING:
    from rich.console import Console

    from hiplab.session.setup import GuidedSession

KEY_HELP = "space pause/resume · n skip · b back · q quit · m mute"
FRAME_S = 0.05
_ESCAPE = "\x1b"

_FONT: dict[str, tuple[str, ...]] = {
    "0": ("███", "█ █", "█ █", "█ █", "███"),
    "1": ("  █", "  █", "  █", "  █", "  █"),
    "2": ("███", "  █", "███", "█  ", "███"),
    "3": ("███", "  █", "███", "  █", "███"),
    "4": ("█ █", "█ █", "███", "  █", "  █"),
    "5": ("███", "█  ", "███", "  █", "███"),
    "6": ("███", "█  ", "███", "█ █", "███"),
    "7": ("███", "  █", "  █", "  █", "  █"),
    "8": ("███", "█ █", "███", "█ █", "███"),
    "9": ("███", "█ █", "███", "  █", "███"),
    ":": (" ", "█", " ", "█", " "),
}
_STYLE = {"get_ready": "yellow", "work": "bold green", "rest": "cyan", "switch": "magenta"}


class KeySource(Protocol):
    """Single key presses, used as a context manager around the session."""

    def __enter__(self) -> Self:
        """Start reading keys."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop reading keys."""

    def read(self, timeout_s: float) -> str | None:
        """Return the next key pressed within ``timeout_s`` seconds, or None."""


class TerminalKeys:
    """Read keys from a terminal without Enter (cbreak mode, no echo).

    Parameters
    ----------
    stream : TextIO
        The terminal's input, normally ``sys.stdin``; it must be a TTY.

    """

    def __init__(self, stream: TextIO) -> None:
        self._fd = stream.fileno()
        self._saved: list[Any] | None = None

    def __enter__(self) -> Self:
        import termios
        import tty

        self._saved = termios.tcgetattr(self._fd)
        tty.setcbreak(self._fd)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        import termios

        if self._saved is not None:
            termios.tcflush(self._fd, termios.TCIFLUSH)  # drop keys typed ahead
            termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self, timeout_s: float) -> str | None:
        """Return one key, or None; escape sequences (arrow keys) are swallowed."""
        if not self._ready(timeout_s):
            return None
        key = os.read(self._fd, 1).decode("utf-8", errors="ignore")
        if key == _ESCAPE:
            while self._ready(0.0):
                os.read(self._fd, 1)
            return None
        return key or None

    def _ready(self, timeout_s: float) -> bool:
        return bool(select.select([self._fd], [], [], timeout_s)[0])


def big_text(text: str) -> str:
    """Return ``text`` (digits and ``:``) in a five-line block font.

    Examples
    --------
    >>> print(big_text("1:0"))
      █   ███
      █ █ █ █
      █   █ █
      █ █ █ █
      █   ███

    """
    rows = [" ".join(_FONT[ch][row] for ch in text if ch in _FONT) for row in range(5)]
    return "\n".join(row.rstrip() for row in rows)


def clock_text(seconds: float) -> str:
    """Return whole seconds left, rounded up, as ``M:SS``.

    Examples
    --------
    >>> clock_text(65.2), clock_text(0.0)
    ('1:06', '0:00')

    """
    whole = max(0, math.ceil(seconds - 1e-9))
    return f"{whole // 60}:{whole % 60:02d}"


def _session_left(engine: SessionEngine) -> float:
    later = sum(step.duration_s for step in engine.steps[engine.step_index + 1 :])
    return engine.remaining_s + later


def _phase(engine: SessionEngine) -> str:
    step = engine.current_step
    if step is None:
        return "FINISHED"
    if step.kind == "work":
        return f"{step.reps} REPS" if step.reps is not None else "HOLD"
    return {"get_ready": "GET READY", "rest": "REST", "switch": "SWITCH SIDES"}[step.kind]


def _voice_state(voice: Voice) -> str:
    if not voice.speaks:
        return "voice: off"
    return "voice: muted" if voice.muted else "voice: on"


def render(
    engine: SessionEngine,
    session: GuidedSession,
    *,
    voice: Voice,
    notice: str | None = None,
) -> RenderableType:
    """Return the session screen for the engine's current state."""
    step = engine.current_step
    if step is None:
        return Panel("Session finished", title=escape(session.title))
    item = engine.items[step.item_index]
    style = _STYLE[step.kind]
    heading = Text(f"Exercise {step.item_index + 1} of {len(engine.items)}: ", style="bold")
    heading.append(f"{item.name}{side_label(step.side)}", style="bold")
    detail = Text(f"{_phase(engine)} · set {step.set_no} of {step.sets}", style=style)
    bar = Table.grid(padding=(0, 1))
    bar.add_row(
        f"time left {clock_text(engine.remaining_s)}",
        ProgressBar(total=1.0, completed=engine.progress, width=40),
        f"{engine.progress:4.0%}",
    )
    parts: list[RenderableType] = [
        heading,
        detail,
        Text(""),
        Text(big_text(clock_text(engine.remaining_s)), style=style),
        Text(""),
        bar,
    ]
    if engine.paused:
        parts.append(Text("|| paused — press space to resume", style="bold yellow"))
    parts += _instructions(session.instructions.get(item.exercise_id, ()))
    parts += [
        Text(f"Next up: {engine.next_up}"),
        Text(f"Session time left {clock_text(_session_left(engine))}", style="dim"),
        Text(f"{KEY_HELP} · {_voice_state(voice)}", style="dim"),
    ]
    if notice:
        parts.append(Text(notice, style="yellow"))
    return Panel(Group(*parts), title=escape(session.title), border_style=style)


def _instructions(steps: Sequence[str]) -> list[RenderableType]:
    if not steps:
        return []
    lines: list[RenderableType] = [Text(""), Text("How to do it:", style="bold")]
    lines += [Text(f" {n}. {text}") for n, text in enumerate(steps, start=1)]
    lines.append(Text(""))
    return lines


def speak(voice: Voice, events: Sequence[Event], items: Sequence[PlanItem]) -> None:
    """Say the cue of every event that has one (countdown numbers never interrupt)."""
    for event in events:
        text = cue_text(event, items)
        if text is not None:
            voice.say(text, interrupt=event.kind != "countdown")


def handle_key(key: str, engine: SessionEngine, voice: Voice) -> list[Event]:
    """Apply one key press; return the events it caused (unknown keys do nothing)."""
    key = key.lower()
    if key == " ":
        if engine.paused:
            engine.resume()
        else:
            engine.pause()
    elif key == "n":
        return engine.skip()
    elif key == "b":
        return engine.back()
    elif key == "q":
        engine.quit()
    elif key == "m":
        voice.toggle_mute()
    return []


def run_timer(
    engine: SessionEngine,
    session: GuidedSession,
    *,
    keys: KeySource,
    voice: Voice,
    console: Console,
    time_scale: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    notice: str | None = None,
) -> None:
    """Run the engine to its end (or quit) on a live screen, reading keys each frame.

    Ctrl-C quits like ``q``. The terminal mode is restored whatever happens.
    """

    def screen() -> RenderableType:
        return render(engine, session, voice=voice, notice=notice)

    with keys, Live(screen(), console=console, auto_refresh=False, transient=True) as live:
        last = clock()
        speak(voice, engine.tick(0.0), engine.items)
        try:
            while not engine.finished:
                key = keys.read(FRAME_S)
                now = clock()
                speak(voice, engine.tick((now - last) * time_scale), engine.items)
                last = now
                if key is not None:
                    speak(voice, handle_key(key, engine, voice), engine.items)
                live.update(screen(), refresh=True)
        except KeyboardInterrupt:
            engine.quit()


def ask_score(console: Console, prompt: str) -> int | None:
    """Ask for a whole number 0–10 until the answer is valid; blank gives None."""
    while True:
        answer = console.input(f"[bold cyan]?[/] {escape(prompt)} [0–10, blank to skip] ")
        answer = answer.strip()
        if not answer:
            return None
        try:
            value = int(answer)
        except ValueError:
            console.print(f"  [red]{escape(repr(answer))} is not a whole number[/]")
            continue
        if 0 <= value <= 10:
            return value
        console.print(f"  [red]{value} is outside the allowed range 0–10[/]")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def plan_engine(items: Sequence[PlanItem]) -> SessionEngine:
    """Return an engine timed like the planner (:mod:`hiplab.plan.dosage`).

    Get-ready is the planner's set-up time, the side switch its switch time, and
    repetitions take its seconds per repetition for the exercise kind, so every
    item runs for exactly its planned ``duration_s``.
    """
    from hiplab.plan.dosage import REP_SECONDS, SETUP_S, SWITCH_S

    return SessionEngine(
        items,
        get_ready_s=SETUP_S,
        switch_s=SWITCH_S,
        tempo_by_kind={kind.value: seconds for kind, seconds in REP_SECONDS.items()},
    )


def run_guided_session(
    session: GuidedSession,
    *,
    keys: KeySource,
    voice: Voice,
    console: Console,
    time_scale: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    notice: str | None = None,
) -> SessionLog:
    """Guide the person through ``session``, then ask discomfort and effort.

    Returns
    -------
    SessionLog
        Per-item completion, the answers, and whether the session was quit early.

    """
    engine = plan_engine(session.items)
    started = _now()
    run_timer(
        engine,
        session,
        keys=keys,
        voice=voice,
        console=console,
        time_scale=time_scale,
        clock=clock,
        notice=notice,
    )
    finished = _now()
    ending = "Session ended early." if engine.quit_early else "Session finished. Well done!"
    console.print(f"[bold]{ending}[/]")
    discomfort = ask_score(console, "Discomfort during the session (0 none, 10 worst)")
    effort = ask_score(console, "Effort (0 very easy, 10 maximal)")
    return SessionLog(
        person=session.person,
        plan_id=session.plan_id,
        week=session.week,
        started_at=started,
        finished_at=finished,
        items=engine.log(),
        discomfort=discomfort,
        effort=effort,
        quit_early=engine.quit_early,
    )


def render_summary(log: SessionLog, items: Sequence[PlanItem]) -> RenderableType:
    """Return a completion table for a finished session."""
    table = Table(title=f"Week {log.week}: {log.completion:.0%} of the planned time done")
    for column in ("exercise", "side", "planned", "done", "status"):
        table.add_column(column)
    for entry, item in zip(log.items, items, strict=True):
        table.add_row(
            escape(item.name),
            entry.side or "",
            clock_text(entry.planned_s),
            clock_text(entry.done_s),
            _status_text(entry),
        )
    return table


def _status_text(entry: ItemLog) -> str:
    return entry.status.replace("_", " ")
