"""Debian's Chromium for browser tests: one path, one set of flags, one fixture.

The ``browser`` fixture (tests/conftest.py) is module-scoped, so that it is stopped when
its module ends: Playwright's sync API keeps an event loop running in the main thread
while it lives, and then a second ``sync_playwright()`` fails ("Sync API inside the
asyncio loop") and so does any later ``asyncio.run`` (a session-scoped browser in the
e2e folder broke the report, progress and video tests that ran after it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_ENV = "HIPLAB_REQUIRE_BROWSER"


def launched_chromium() -> Iterator[Any]:
    """Yield a headless Chromium (skip when missing unless HIPLAB_REQUIRE_BROWSER is set)."""
    if not Path(CHROMIUM).exists() and not os.environ.get(REQUIRE_ENV):
        pytest.skip("Debian chromium is not installed (scripts/run_tests.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield instance
        instance.close()
