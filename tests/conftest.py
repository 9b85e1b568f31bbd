"""Shared fixtures: a fresh store URL per test, on SQLite and on PostgreSQL.

PostgreSQL runs when ``HIPLAB_TEST_PG_URL`` points at a server (any database on
it); each test then gets its own new database, dropped afterwards.
``scripts/pg_test_server.sh start`` prints the line to export, and
``scripts/run_tests.sh`` does it all. With ``HIPLAB_REQUIRE_PG`` set (as
``make test`` does), a missing server fails the PostgreSQL tests instead of
skipping them, so the suite never silently runs on SQLite alone.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

PG_ENV = "HIPLAB_TEST_PG_URL"


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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
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
