"""Shared fixtures: a fresh store URL per test, on SQLite and on PostgreSQL; test lanes.

PostgreSQL runs when ``HIPLAB_TEST_PG_URL`` points at a server (any database on
it); each test then gets its own new database, dropped afterwards.
``scripts/pg_test_server.sh start`` prints the line to export, and
``scripts/run_tests.sh`` does it all. With ``HIPLAB_REQUIRE_PG`` set (as
``make test`` does), a missing server fails the PostgreSQL tests instead of
skipping them, so the suite never silently runs on SQLite alone.

Lanes: every test that needs the demo video or MediaPipe (``video``), Chromium
(``browser``), tmux (``terminal``), a Ray head (``ray``) or PostgreSQL (``postgres``)
carries that mark, set here from the fixtures it uses (:data:`LANE_OF_FIXTURE`, a
``postgresql`` parameter) and from the helpers its module imports
(:func:`module_lanes`); ``make test-fast`` runs :data:`FAST_LANE`.
tests/test_lanes.py checks the marks against the test sources.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.motion.demo_video import DemoTrackRun

PG_ENV = "HIPLAB_TEST_PG_URL"

LANES = ("video", "browser", "terminal", "ray", "postgres")
"""The slow lanes, each a marker registered in pyproject.toml."""
FAST_LANE = "not (" + " or ".join(LANES) + ")"
"""The ``-m`` expression of ``make test-fast``: domain and store on SQLite."""
LANE_OF_FIXTURE = {
    "browser": "browser",
    "demo_video_path": "video",
    "pose2sim_folder": "video",
    "pose_task": "video",
    "ray_head": "ray",
}
"""A test that uses the fixture (directly or through another fixture) is in the lane."""


def module_lanes(module: object) -> set[str]:
    """Return the lanes of the helpers ``module`` imported (by the objects, not the names)."""
    import tests.browser
    import tests.motion.demo_video
    import tests.motion.pose2sim_reference
    import tests.terminal

    found = set()
    for value in vars(module).values():
        if value is tests.terminal or value is tests.terminal.Terminal:
            found.add("terminal")
        elif value is tests.browser or value is tests.browser.launched_chromium:
            found.add("browser")
        elif value in (tests.motion.demo_video.demo_video, tests.motion.pose2sim_reference.demo):
            found.add("video")  # the sports2d demo video, the Pose2Sim demo's MediaPipe tracks
        elif getattr(value, "__name__", None) == "ray" and hasattr(value, "init"):
            found.add("ray")
    return found


def pytest_configure(config: pytest.Config) -> None:
    """Keep Hypothesis's example database in the temporary folder, not in the repository."""
    from hypothesis import settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    folder = Path(tempfile.gettempdir()) / "hiplab-hypothesis"
    settings.register_profile("hiplab", database=DirectoryBasedExampleDatabase(folder))
    settings.load_profile("hiplab")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with the lanes of its fixtures, parameters and module's helpers."""
    lanes_of_module: dict[str, set[str]] = {}
    for item in items:
        lanes = {
            LANE_OF_FIXTURE[f] for f in getattr(item, "fixturenames", ()) if f in LANE_OF_FIXTURE
        }
        callspec = getattr(item, "callspec", None)
        if callspec is not None and any(
            isinstance(v, str) and v == "postgresql" for v in callspec.params.values()
        ):
            lanes.add("postgres")
        module = getattr(item, "module", None)
        if module is not None:
            if module.__name__ not in lanes_of_module:
                lanes_of_module[module.__name__] = module_lanes(module)
            lanes |= lanes_of_module[module.__name__]
        for lane in sorted(lanes - {m.name for m in item.iter_markers()}):
            item.add_marker(lane)


@contextmanager
def fresh_pg_database(server_url: str) -> Iterator[str]:
    """Create a uniquely named database on the server, yield its URL, drop it."""
    from sqlalchemy import create_engine, make_url, text

    server = make_url(server_url)
    name = f"hiplab_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hiplab.sqlite'}"


def pg_server() -> str:
    """Return the test PostgreSQL server's URL; skip (or fail, when it is required) without one."""
    server = os.environ.get(PG_ENV)
    if not server and os.environ.get("HIPLAB_REQUIRE_PG"):
        pytest.fail(f"HIPLAB_REQUIRE_PG is set but {PG_ENV} is not")
    if not server:
        pytest.skip(f"{PG_ENV} is not set (start a server: scripts/pg_test_server.sh start)")
    return server


NO_STORE = pytest.mark.parametrize("store_url", ["none"], indirect=True)
"""For a test whose commands never open the store: it runs once, against a store that
cannot be opened (its folder is a file), so that a command opening it after all fails."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    if request.param == "none":
        blocker = tmp_path / "no-store"
        blocker.write_text("a file where the store's folder would be: the test opens no store\n")
        yield f"sqlite:///{blocker / 'hiplab.sqlite'}"
        return
    if request.param == "sqlite":
        yield sqlite_url
        return
    with fresh_pg_database(pg_server()) as url:
        yield url


@pytest.fixture(scope="session")
def demo_video_path() -> Path:
    """Return the sports2d demo video; skip (or fail with HIPLAB_REQUIRE_VIDEO) if unavailable.

    Fetched with pip into a cache on first use (see tests/motion/demo_video.py).
    """
    from tests.motion.demo_video import REQUIRE_ENV, demo_video

    found = demo_video()
    if isinstance(found, Path):
        return found
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{REQUIRE_ENV} is set but the demo video is unavailable: {found}")
    pytest.skip(f"demo video unavailable: {found}")


@pytest.fixture(scope="session")
def demo_track_run(demo_video_path: Path) -> DemoTrackRun:
    """The demo video's subject track, extracted once per session (the default options).

    Shared by every test that only reads it (tests/motion/test_gates.py,
    test_pose_extraction.py): do not modify the track. A test that needs other options
    or another task runs its own extraction or analysis.
    """
    from hiplab.motion.pose_extraction import extract_track

    calls: list[tuple[int, int]] = []
    track = extract_track(demo_video_path, workers=2, progress=lambda d, t: calls.append((d, t)))
    return DemoTrackRun(track=track, progress=tuple(calls))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, one per test module (see tests/browser.py)."""
    from tests.browser import launched_chromium

    yield from launched_chromium()


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """Set the umask 022 (folders 0755, files 0644 by default; subprocesses inherit it).

    File-mode tests use it so that the modes they see come from hiplab, not from the
    test runner's umask; the umask found is restored afterwards.
    """
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)
