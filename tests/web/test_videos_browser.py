"""Video results in a real browser: Debian's Chromium (Playwright) on the app served by uvicorn.

The app runs in a thread (uvicorn on a free port, SQLite); the analyses are the synthetic
clips of :mod:`tests.web.video_helpers`. The coach sees the set-up guide follow the task
chosen in the upload form (``static/upload.js``), reads a reliable analysis's numbers
with their uncertainty and verdict, goes through the confirmation step and finds the
stored values on the person's page; a rough analysis offers nothing. In its own module:
Playwright's sync API keeps an event loop in the main thread while the browser lives
(tests/browser.py), which the other web tests' ``asyncio.run`` would trip over.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from hiplab.settings import Settings
from hiplab.store import Store, StoredJob
from hiplab.web.app import create_app
from tests.browser import CHROMIUM, REQUIRE_ENV
from tests.web.conftest import PASSWORD, World, make_world
from tests.web.video_helpers import Clip, finished_analysis_job

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get(REQUIRE_ENV),
        reason="Debian chromium is not installed (scripts/run_tests.sh installs it)",
    ),
    pytest.mark.parametrize("store_url", ["sqlite"], indirect=True),  # layout, not the store
]
START_TIMEOUT_S = 60.0


@dataclass
class Served:
    """The app served on a free port: its base URL, store and seeded world."""

    url: str
    store: Store
    world: World
    settings: Settings


@pytest.fixture
def served(settings: Settings) -> Iterator[Served]:
    app = create_app(settings, run_jobs=False)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.05):  # a hang guard below, not a speed requirement
        if server.started:
            started.set()
        assert thread.is_alive(), "uvicorn stopped while starting"
    store: Store = app.state.hiplab.store
    try:
        yield Served(f"http://127.0.0.1:{port}", store, make_world(store), settings)
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)
        listener.close()
        store.close()


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    """A coach's tab that fails the test on any console error or uncaught exception."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    errors: list[str] = []

    def console(message: Any) -> None:
        # The app serves no favicon.ico; Chromium asks for one on its own.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(f"{message.text} {message.location['url']}")

    tab.on("console", console)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(served.url + "/login")
    tab.get_by_label("E-mail").fill("a@coach.test")
    tab.get_by_label("Password").fill(PASSWORD)
    with tab.expect_navigation():
        tab.get_by_role("button", name=re.compile("log in", re.I)).click()
    yield tab
    context.close()
    assert errors == []


def alices_analysis(served: Served, workdir: Path, clip: Clip = "thomas") -> StoredJob:
    """Return a finished analysis of ``clip`` for Alice, uploaded by her coach."""
    return finished_analysis_job(
        served.store,
        served.settings,
        person_id=served.world.alice,
        owner_id=served.world.coach_a,
        workdir=workdir,
        clip=clip,
    )


def test_the_set_up_guide_follows_the_task_chosen(page: Any, served: Served) -> None:
    page.goto(f"{served.url}/people/{served.world.alice}/videos")
    squat = page.locator('details.setup-guide[data-task="squat"]')
    landing = page.locator('details.setup-guide[data-task="landing"]')
    assert squat.get_attribute("open") is not None and landing.get_attribute("open") is None
    assert page.get_by_text("Film at 30 frames per second or more.").first.is_visible()
    page.get_by_label("What is filmed").select_option("landing")
    page.wait_for_function(
        "() => document.querySelector('details.setup-guide[data-task=landing]').open"
    )
    assert squat.evaluate("d => d.open") is False
    slow = "Film at 120 frames per second (slow motion)"
    assert page.get_by_text(slow, exact=False).is_visible()


def test_the_coach_reads_the_numbers_confirms_and_finds_them_stored(
    page: Any, served: Served, tmp_path: Path
) -> None:
    world = served.world
    job = alices_analysis(served, tmp_path)
    measured = served.store.jobs.get(job_id=job.id).result["analysis"]["measured"]  # type: ignore[index]
    page.goto(f"{served.url}/jobs/{job.id}")
    main = page.locator("main")
    assert "Reliability: reliable" in main.inner_text()
    row = page.locator("table.numbers tbody tr", has_text="right thigh angle").first
    cells = row.locator("td").all_inner_texts()
    assert cells[2].startswith("± ") and cells[2].endswith(" °") and cells[3] == "reliable"
    with page.expect_navigation():
        page.get_by_role("link", name="Use these measurements in the assessment").click()
    assert page.url.endswith(f"/jobs/{job.id}/use-measurements")
    assert page.get_by_role("heading", level=1).inner_text() == "Store these measurements?"
    to_store = page.locator("[data-testid=to-store] tbody tr")
    assert to_store.count() == len(measured) == 2
    assert "± " in to_store.first.inner_text() and "reliable" in to_store.first.inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm: store these measurements").click()
    assert page.url.endswith(f"/people/{world.alice}")
    video = page.locator("#video-measurements + table tbody tr")
    assert video.count() == 2
    first = video.first.inner_text()
    assert "measured from video" in first and "± " in first and "reliable" in first


def test_a_rough_analysis_offers_nothing_and_says_why(
    page: Any, served: Served, tmp_path: Path
) -> None:
    job = alices_analysis(served, tmp_path, clip="rough_landing")
    page.goto(f"{served.url}/jobs/{job.id}")
    nothing = page.locator("[data-testid=nothing-reliable]")
    assert nothing.is_visible()
    assert "Nothing reliable to store." in nothing.inner_text()
    assert "only reliable measurements are stored" in nothing.inner_text()
    assert page.get_by_text("Use these measurements in the assessment").count() == 0
    notes = page.locator("ul.warnings").inner_text()
    assert "needs a front view" in notes and "_" not in notes  # messages, never codes
