"""A store that fails answers 503 in plain words: never its URL or path (they go to the log)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from hiplab.store import Store
from hiplab.web.errors import STORE_UNAVAILABLE
from tests.web.conftest import TestClient, World, login

pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def lose_the_database(store: Store, sqlite_file: Path) -> None:
    """Take the database's folder away (an unmounted disk) and drop the open connections."""
    shutil.rmtree(sqlite_file.parent)
    store._db.engine.dispose()


def test_a_lost_store_answers_503_without_its_path(
    client: TestClient,
    world: World,
    store: Store,
    store_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    login(client, "a@coach.test")
    sqlite_file = Path(store_url.removeprefix("sqlite:///"))
    lose_the_database(store, sqlite_file)
    with caplog.at_level(logging.ERROR, logger="hiplab.web.errors"):
        api = client.get("/api/v1/people")
        page = client.get(f"/people/{world.alice}")
    assert api.status_code == 503 and api.json() == {"detail": STORE_UNAVAILABLE}
    assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    for body in (api.text, page.text):
        assert str(sqlite_file.parent) not in body and "sqlite" not in body.lower()
    assert str(sqlite_file.parent) in caplog.text  # the operator still learns why
