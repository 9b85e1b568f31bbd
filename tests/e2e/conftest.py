"""End-to-end fixtures: a real ``hiplab serve`` and Debian's Chromium driven by Playwright.

The server is the command a user runs (``python -m hiplab serve --port N``, uvicorn in a
subprocess) on a temporary SQLite file and, when a test server is configured, on a fresh
PostgreSQL database (``HIPLAB_TEST_PG_URL``, as for every other store test). One server
per store per session: tests keep apart by giving their people unique names. The coach
login is made with ``hiplab user create --password-stdin``, as a user would.

Every page is opened through a :class:`Tab`, which records console errors, uncaught page
errors and any request that does not go to the server (such requests are aborted), and
fails the test at teardown if there was any. Screenshots go to ``$HIPLAB_ARTIFACTS``
(default ``hiplab-artifacts/screenshots/`` in the temporary folder), never into the repository.

Chromium missing: the tests skip, unless ``HIPLAB_REQUIRE_BROWSER`` is set (``make test``).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_pg_database, pg_server
from tests.progress.artifacts import artifacts as artifacts_folder

PASSWORD = "e2e password long enough"
COACH_EMAIL = "coach@e2e.test"
COACH_NAME = "Casey Coach"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
START_TIMEOUT_S = 60


def artifacts() -> Path:
    """Return the screenshot folder: ``screenshots`` in tests/progress/artifacts.py's folder."""
    folder = artifacts_folder() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def unique(name: str) -> str:
    """Return ``name`` with a short random suffix (tests share one server per store)."""
    return f"{name} {uuid.uuid4().hex[:6]}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A running ``hiplab serve``: its base URL, store URL and the CLI against the same store."""

    url: str
    store_url: str
    env: dict[str, str]
    cwd: Path
    log: Path
    kind: str

    def hiplab(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``hiplab ARGS`` against the server's store and data folder."""
        return subprocess.run(
            [sys.executable, "-m", "hiplab", *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.cwd,
            input=input,
            timeout=120,
            check=False,
        )

    def create_coach(self) -> None:
        """Create the coach login with ``hiplab user create --password-stdin``, as a user would."""
        made = self.hiplab(
            "user", "create", "--role", "coach", "--email", COACH_EMAIL, "--name", COACH_NAME,
            "--password-stdin", input=PASSWORD + "\n",
        )  # fmt: skip
        assert made.returncode == 0, made.stderr

    def output(self) -> str:
        """Return what the server has logged so far (for failure messages)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def _started(store_url: str, folder: Path, kind: str, *extra_args: str) -> Iterator[Server]:
    port = _free_port()
    env = {
        **os.environ,
        "HIPLAB_DATA_DIR": str(folder / "data"),
        "HIPLAB_DATABASE_URL": store_url,
        "NO_COLOR": "1",
    }
    env.pop("HIPLAB_SETTINGS", None)
    log = folder / "server.log"
    server = Server(f"http://127.0.0.1:{port}", store_url, env, folder, log, kind)
    with log.open("wb") as sink:
        # Output to a file, not a pipe: a full pipe would block the server mid-test.
        process = subprocess.Popen(
            [sys.executable, "-m", "hiplab", "serve", "--port", str(port), *extra_args],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
        try:
            _wait_until_up(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_up(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            if httpx.get(server.url + "/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            pytest.fail(f"hiplab serve exited ({process.returncode}):\n{server.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"hiplab serve never answered:\n{server.output()}")
        time.sleep(0.2)


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def login_cookies(url: str, email: str = COACH_EMAIL) -> httpx.Cookies:
    """Log in through the login form of the server at ``url``; return the session's cookies."""
    with httpx.Client(base_url=url) as browser:
        token = CSRF_FIELD.search(browser.get("/login").text)
        assert token, "no CSRF token in the login page"
        answer = browser.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        assert answer.status_code == 303, answer.text
        return browser.cookies


SQLITE_ONLY = pytest.mark.parametrize("server", ["sqlite"], indirect=True)
"""For tests of layout and browser behaviour, which no store changes: saves a minute."""


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A real ``hiplab serve`` with one coach login, on SQLite or on PostgreSQL."""
    folder = tmp_path_factory.mktemp(f"e2e-{request.param}")
    with ExitStack() as stack:
        if request.param == "sqlite":
            store_url = f"sqlite:///{folder / 'hiplab.sqlite'}"
        else:
            store_url = stack.enter_context(fresh_pg_database(pg_server()))
        running = stack.enter_context(_started(store_url, folder, request.param))
        running.create_coach()
        yield running


@dataclass
class Tab:
    """A browser page on the server that remembers what went wrong in it.

    ``problems`` collects console errors, uncaught exceptions and requests that tried to
    leave the server; ``allow`` lists console texts a test provoked on purpose (a 422
    answer makes Chromium log "Failed to load resource ... 422").
    """

    page: Any
    base: str
    problems: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        """Open ``path`` on the server; return the response."""
        return self.page.goto(self.base + path)

    def expect_status(self, status: int) -> None:
        """Accept Chromium's console line for an answer with ``status`` (provoked on purpose)."""
        self.allow.append(f"status of {status}")

    def shot(self, name: str) -> Path:
        """Save a full-page screenshot ``name`` (e.g. ``coach_clients.png``) to the artifacts."""
        path = artifacts() / name
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def unexpected(self) -> list[str]:
        """Return the problems no test allowed."""
        return [p for p in self.problems if not any(a in p for a in self.allow)]


def open_tab(browser: Any, server: Server, viewport: dict[str, int] = DESKTOP) -> Tab:
    """Open a new browser context (own cookies) with one page on ``server``."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    tab = Tab(page=page, base=server.url)
    page.on(
        "console",
        lambda m: tab.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))

    def only_the_server(route: Any) -> None:
        url = route.request.url
        tab.requests.append(url)
        if url.startswith(server.url + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            tab.problems.append(f"request left the server: {url}")
            route.abort()

    page.route("**/*", only_the_server)
    return tab


@pytest.fixture
def tabs(browser: Any, server: Server) -> Iterator[Callable[..., Tab]]:
    """Open tabs with ``tabs()`` / ``tabs(PHONE)``; each is checked for problems at the end."""
    opened: list[Tab] = []

    def new(viewport: dict[str, int] = DESKTOP) -> Tab:
        tab = open_tab(browser, server, viewport)
        opened.append(tab)
        return tab

    yield new
    problems = [p for tab in opened for p in tab.unexpected()]
    for tab in opened:
        tab.page.context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def tab(tabs: Callable[..., Tab]) -> Tab:
    """One desktop-size tab."""
    return tabs()


def log_in(tab: Tab, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form (mouse and typing) and wait for the start page."""
    tab.goto("/login")
    tab.page.get_by_label("E-mail").fill(email)
    tab.page.get_by_label("Password").fill(password)
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Log in").click()
    assert "/login" not in tab.page.url, tab.page.content()


UNLABELLED_JS = """
() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => {
    if (el.tagName === 'BUTTON') return !(el.textContent.trim() || el.getAttribute('aria-label'));
    return !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
      && !el.getAttribute('aria-labelledby');
  })
  .map(el => el.outerHTML.slice(0, 120))
"""

OVERFLOW_JS = """
() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
        wide: [...document.querySelectorAll('body *')]
          .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth
                         && !el.closest('figure.diagram, .chart, [data-scroll]'))
          .slice(-12).map(el => el.tagName + '#' + el.id + '.' + el.className + ' '
                         + Math.round(el.getBoundingClientRect().right))})
"""


def charts_drawn(tab: Tab) -> list[dict[str, Any]]:
    """Wait until every chart is drawn; return each chart's id and what plotly put in it."""
    page = tab.page
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart')].length > 0 && "
        "[...document.querySelectorAll('.chart')].every(c => c.dataset.drawn === 'true')"
    )
    found: list[dict[str, Any]] = page.evaluate(
        """() => [...document.querySelectorAll('.chart')].map(c => ({
              id: c.id, hidden: c.hidden,
              svg: c.querySelectorAll('svg').length,
              points: c.querySelectorAll('.point, .scatterlayer path').length,
              height: c.getBoundingClientRect().height}))"""
    )
    return found


BASICS_JS = """
() => {
  const found = [];
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) found.push(`${h1} h1 headings`);
  if (!document.documentElement.lang) found.push('no lang on <html>');
  if (!document.title.trim()) found.push('no <title>');
  for (const img of document.querySelectorAll('img:not([alt])')) {
    found.push(img.outerHTML.slice(0, 80));
  }
  if (!document.querySelector('main')) found.push('no <main>');
  return found;
}
"""


def page_basics(tab: Tab) -> list[str]:
    """Return what the page lacks of the basics: one h1, lang, title, <main>, img alt."""
    found: list[str] = tab.page.evaluate(BASICS_JS)
    return found + unlabelled_controls(tab)


def unlabelled_controls(tab: Tab) -> list[str]:
    """Return the form controls on the page that have no accessible name."""
    found: list[str] = tab.page.evaluate(UNLABELLED_JS)
    return found


def horizontal_overflow(tab: Tab) -> dict[str, Any]:
    """Return the page's scroll and client width (scroll > client means sideways scrolling)."""
    found: dict[str, Any] = tab.page.evaluate(OVERFLOW_JS)
    return found


@dataclass(frozen=True)
class Seeded:
    """A client made through the store API: person id, name and login e-mail."""

    person_id: int
    name: str
    email: str


SEED_ASSESSMENT = {
    "person": {"age": 41, "sex": "male"},
    "tests": {
        "hip_internal_rotation_deg": {"left": 18, "right": 36},
        "knee_to_wall_cm": {"left": 6, "right": 11},
    },
    "provenance": "clinician",
    "date": "2026-01-10",
}


def seed_client(
    server: Server,
    *,
    name: str,
    coach_email: str = COACH_EMAIL,
    assessments: tuple[dict[str, Any], ...] = (SEED_ASSESSMENT,),
) -> Seeded:
    """Make a client with a login and ``assessments`` for ``coach_email`` (the store API)."""
    from hiplab.services import clinic
    from hiplab.store.store import open_store

    store = open_store(server.store_url)
    try:
        coach = store.accounts.by_email(email=coach_email)
        assert coach is not None, coach_email
        email = f"{uuid.uuid4().hex[:10]}@client.e2e.test"
        person = clinic.create_client(
            store=store, coach_id=coach.id, name=name, age=41, sex="male",
            email=email, password=PASSWORD,
        )  # fmt: skip
        for raw in assessments:
            data = clinic.parse_assessment(raw)
            clinic.record_assessment(
                recorded_by="coach", store=store, person_id=person.id, data=data
            )
        return Seeded(person.id, name, email)
    finally:
        store.close()


def assign_plan(tab: Tab, person: Seeded, *, shot: str = "plan_preview.png") -> int:
    """As the logged-in coach: generate, preview (screenshot ``shot``) and assign a plan."""
    page = tab.page
    tab.goto(f"/people/{person.person_id}")
    page.get_by_role("link", name="Programme and sessions").click()
    assert page.get_by_test_id("no-plan").is_visible()
    assert unlabelled_controls(tab) == []
    page.get_by_label("Minutes per session").fill("5")
    page.get_by_label("Sessions per week").fill("3")
    page.get_by_label("Weeks").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Generate programme").click()
    assert "Not assigned yet" in page.locator("main").inner_text()
    assert page.get_by_test_id("plan-week-1").is_visible()
    assert page.locator("[data-testid^='plan-item-1-']").count() >= 1
    tab.shot(shot)
    with page.expect_navigation():
        page.get_by_role("button", name="Assign this programme").click()
    found = re.search(r"/plans/(\d+)\?assigned=1$", page.url)
    assert found, page.url
    assert page.get_by_role("status").first.inner_text() == f"Assigned to {person.name}."
    assert page.get_by_test_id("plan-week-2").is_visible()
    return int(found.group(1))
