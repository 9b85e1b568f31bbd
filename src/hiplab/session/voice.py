"""Spoken cues for a guided session: espeak-ng when installed, silence otherwise.

:func:`cue_text` turns engine events into short phrases; a :class:`Voice` says them
without blocking the timer. :class:`EspeakVoice` runs ``espeak-ng`` in a child
process per cue (a new cue cuts off one still being spoken); with ``out_dir`` each
cue is written to a numbered WAV file instead of played, which is how the tests
hear it on a machine without a sound card.

Examples
--------
>>> voice, notice = make_voice(enabled=False)
>>> type(voice).__name__, notice
('SilentVoice', None)
>>> voice.toggle_mute()
True

"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from hiplab.records.programme import PlanItem
from hiplab.session.engine import Event

ESPEAK = "espeak-ng"
NOT_FOUND_NOTICE = "espeak-ng not found: voice cues off"


class Voice(Protocol):
    """Something that can say short cues without blocking."""

    @property
    def speaks(self) -> bool:
        """Whether this voice makes any sound at all (False for :class:`SilentVoice`)."""

    @property
    def muted(self) -> bool:
        """Whether cues are currently silenced."""

    def say(self, text: str, *, interrupt: bool = True) -> None:
        """Say ``text`` (unless muted) and return at once.

        With ``interrupt`` a cue still being spoken is cut off; without it the new
        cue is dropped while another one is being spoken (for countdown numbers).
        """

    def toggle_mute(self) -> bool:
        """Mute or unmute; return the new muted state."""

    def close(self) -> None:
        """Let the last cue finish and release every child process."""


class SilentVoice:
    """A voice that says nothing (voice off, or espeak-ng missing)."""

    def __init__(self) -> None:
        self._muted = False
        self.said: list[str] = []

    @property
    def speaks(self) -> bool:
        """Never: nothing is ever heard."""
        return False

    @property
    def muted(self) -> bool:
        """Whether cues are currently silenced."""
        return self._muted

    def say(self, text: str, *, interrupt: bool = True) -> None:
        """Remember ``text`` (for tests) unless muted; make no sound."""
        if not self._muted:
            self.said.append(text)

    def toggle_mute(self) -> bool:
        """Mute or unmute; return the new muted state."""
        self._muted = not self._muted
        return self._muted

    def close(self) -> None:
        """Nothing to release."""


class EspeakVoice:
    """Say cues with ``espeak-ng``, one child process per cue, never blocking.

    Parameters
    ----------
    executable : str
        Path of the ``espeak-ng`` program.
    out_dir : Path or None
        When given, write each cue to ``out_dir/NNN-words.wav`` (``espeak-ng -w``)
        instead of playing it; every cue is kept.
    speed : int
        Words per minute.

    """

    def __init__(self, executable: str, *, out_dir: Path | None = None, speed: int = 165) -> None:
        self._executable = executable
        self._out_dir = out_dir
        self._speed = speed
        self._muted = False
        self._count = 0
        self._children: list[subprocess.Popen[bytes]] = []
        self.files: list[Path] = []

    @property
    def speaks(self) -> bool:
        """Always: cues are played, or written to WAV files."""
        return True

    @property
    def muted(self) -> bool:
        """Whether cues are currently silenced."""
        return self._muted

    def toggle_mute(self) -> bool:
        """Mute or unmute; muting cuts off the cue being spoken."""
        self._muted = not self._muted
        if self._muted:
            self._interrupt()
        return self._muted

    def say(self, text: str, *, interrupt: bool = True) -> None:
        """Start saying ``text`` and return at once (no-op when muted or blank).

        Playing, ``interrupt`` cuts off the cue being spoken; without it the new cue
        is dropped while one is still being spoken. Writing files, nothing is dropped.
        """
        self._children = [child for child in self._children if child.poll() is None]
        if self._muted or not text.strip():
            return
        if not interrupt and self._out_dir is None and self.speaking:
            return
        command = [self._executable, "-s", str(self._speed)]
        if self._out_dir is None:
            self._interrupt()
        else:
            self._count += 1
            path = self._out_dir / f"{self._count:03d}-{_slug(text)}.wav"
            self.files.append(path)
            command += ["-w", str(path)]
        self._children.append(
            subprocess.Popen(
                [*command, "--", text],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    def close(self, timeout_s: float = 10.0) -> None:
        """Wait for the cues still being spoken or written, then forget them."""
        for child in self._children:
            try:
                child.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._children.clear()

    @property
    def speaking(self) -> bool:
        """Whether a cue is still being spoken (or written)."""
        return any(child.poll() is None for child in self._children)

    def _interrupt(self) -> None:
        """Stop a cue still playing (only when playing, never when writing files)."""
        if self._out_dir is not None:
            return
        for child in self._children:
            if child.poll() is None:
                child.terminate()
            child.wait()
        self._children.clear()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "cue"


def make_voice(enabled: bool, *, out_dir: Path | None = None) -> tuple[Voice, str | None]:
    """Return the voice to use and a notice to show the person, if any.

    Parameters
    ----------
    enabled : bool
        Whether voice cues were asked for.
    out_dir : Path or None
        Passed to :class:`EspeakVoice` (write WAV files instead of playing).

    Returns
    -------
    tuple of (Voice, str or None)
        :class:`EspeakVoice` when enabled and ``espeak-ng`` is on the PATH; else
        :class:`SilentVoice`, with the notice ``"espeak-ng not found: voice cues off"``
        when cues were asked for but cannot be spoken.

    """
    if not enabled:
        return SilentVoice(), None
    executable = shutil.which(ESPEAK)
    if executable is None:
        return SilentVoice(), NOT_FOUND_NOTICE
    return EspeakVoice(executable, out_dir=out_dir), None


def cue_text(event: Event, items: Sequence[PlanItem]) -> str | None:
    """Return what to say for ``event``, or None to stay quiet.

    Examples
    --------
    >>> from hiplab.session.engine import Step
    >>> cue_text(Event("countdown", 0, Step("work", 0, 30.0, 1, 2), value=3), ())
    '3'
    >>> cue_text(Event("session_finished"), ())
    'Done'

    """
    if event.kind == "countdown":
        return str(event.value)
    if event.kind == "session_finished":
        return "Done"
    step = event.step
    if event.kind != "step_started" or step is None:
        return None
    fixed = {"rest": "Rest", "switch": "Switch sides"}
    if step.kind in fixed:
        return fixed[step.kind]
    item = items[step.item_index]
    side = f", {step.side} side" if step.side else ""
    if step.kind == "get_ready":
        return f"Get ready: {item.name}{side}"
    dose = f", {step.reps} reps" if step.reps is not None else ""
    return f"Go: {item.name}{side}{dose}"
