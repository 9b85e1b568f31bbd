"""A real terminal for tests: tmux runs the command, send-keys types, capture-pane reads."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

WAIT_S = 30.0


class Terminal:
    """A detached tmux session running one shell command."""

    def __init__(self, command: str, cwd: Path, *, width: int = 120, height: int = 50) -> None:
        self.name = f"hiplab-session-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [
                *("tmux", "new-session", "-d", "-s", self.name),
                *("-x", str(width), "-y", str(height), "-c", str(cwd), command),
            ],
            check=True,
        )

    def screen(self, *, history: bool = True) -> str:
        """Return the pane's text (with its scroll-back when ``history``)."""
        extra = ["-S", "-"] if history else []
        return subprocess.run(
            ["tmux", "capture-pane", "-p", *extra, "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def wait_until(self, test: Callable[[str], bool], what: str, *, history: bool = False) -> str:
        """Poll the screen until ``test(screen)`` holds; return that screen."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            screen = self.screen(history=history)
            if test(screen):
                return screen
            time.sleep(0.02)
        raise AssertionError(f"never saw {what}; screen:\n{self.screen()}")

    def wait_for(self, text: str) -> str:
        """Wait until ``text`` is in the scroll-back or on the screen."""
        return self.wait_until(lambda screen: text in screen, repr(text), history=True)

    def wait_after(self, text: str, seen: int) -> int:
        """Wait for ``text`` past offset ``seen`` of the scroll-back; return the offset after it."""
        found = [-1]

        def appears(screen: str) -> bool:
            found[0] = screen.find(text, seen)
            return found[0] >= 0

        self.wait_until(appears, repr(text), history=True)
        return found[0] + len(text)

    def press(self, keys: str) -> None:
        """Type ``keys`` literally, without Enter."""
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", keys], check=True)

    def answer(self, text: str) -> None:
        """Type ``text`` and press Enter."""
        if text:
            self.press(text)
        subprocess.run(["tmux", "send-keys", "-t", self.name, "Enter"], check=True)

    def close(self) -> None:
        """End the tmux session."""
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False, capture_output=True)
