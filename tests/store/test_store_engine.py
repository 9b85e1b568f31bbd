"""Opening stores: URLs, SQLite settings, migrations and wrapped database errors."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from hiplab.errors import StoreError
from hiplab.store import PersonRef, Store, default_url, open_store
from hiplab.store import engine as engine_module
from hiplab.store import store as store_module
from hiplab.store.engine import head_revision
from hiplab.store.tables import Base


def test_migrations_are_idempotent(store_url: str, make_input, make_result) -> None:
    with open_store(store_url) as first:
        first.assessments.save(
            person=PersonRef.named("Alice"), data=make_input(), result=make_result()
        )
    with open_store(store_url) as second:
        assert [p.name for p in second.people.summaries()] == ["Alice"]
        with second._db.engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert versions == [(head_revision(),)]


def test_migrations_match_the_table_models(store: Store) -> None:
    with store._db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_connection_settings(sqlite_store: Store, sqlite_url: str) -> None:
    with sqlite_store._db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    # WAL is a property of the file: a plain connection sees it too.
    with closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_in_memory_store_works(make_input, make_result) -> None:
    with open_store("sqlite://") as store:
        store.assessments.save(
            person=PersonRef.named("Alice"), data=make_input(), result=make_result()
        )
        assert len(store.assessments.history(person=PersonRef.named("Alice"))) == 1


def test_default_url_from_environment(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, make_input, make_result
) -> None:
    monkeypatch.setenv("HIPLAB_DATABASE_URL", sqlite_url)
    assert default_url() == sqlite_url
    with open_store() as store:
        store.assessments.save(
            person=PersonRef.named("Alice"), data=make_input(), result=make_result()
        )
    assert Path(sqlite_url.removeprefix("sqlite:///")).is_file()


def test_default_url_in_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("HIPLAB_DATABASE_URL", raising=False)
    folder = tmp_path / "data" / "hiplab"
    monkeypatch.setattr(store_module, "user_data_dir", lambda app: str(folder))

    url = default_url()

    assert url == f"sqlite:///{folder / 'hiplab.sqlite'}"
    assert folder.is_dir()


def test_unreachable_server_error_masks_password() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql+psycopg://hiplab:s3cret@127.0.0.1:1/hiplab")
    message = str(caught.value)
    assert "s3cret" not in message
    assert "postgresql+psycopg://hiplab:***@127.0.0.1:1/hiplab" in message
    assert "cannot be reached or is locked" in message


def test_bare_postgresql_url_uses_psycopg() -> None:
    assert engine_module.parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url :: s3cret", "not a valid SQLAlchemy URL"),
        ("mysql://root:s3cret@localhost/db", "'mysql' is not supported"),
    ],
)
def test_bad_urls_are_refused(url: str, expected: str) -> None:
    with pytest.raises(StoreError, match=expected) as caught:
        open_store(url)
    assert "s3cret" not in str(caught.value)


def test_missing_sqlite_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot migrate the database"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'hiplab.sqlite'}")


def test_locked_sqlite_is_a_store_error(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, make_input, make_result
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)
    with open_store(sqlite_url) as store:
        locker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            locker.execute("BEGIN EXCLUSIVE")
            with pytest.raises(StoreError, match="locked") as caught:
                store.assessments.save(
                    person=PersonRef.named("Al"), data=make_input(), result=make_result()
                )
            assert sqlite_url in str(caught.value)
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        store.assessments.save(
            person=PersonRef.named("Al"), data=make_input(), result=make_result()
        )
        assert len(store.assessments.history(person=PersonRef.named("Al"))) == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+psycopg://me:secret@db.local/hiplab",
            "postgresql+psycopg://me:***@db.local/hiplab",
        ),
        ("sqlite:///tmp/x.sqlite", "sqlite:///tmp/x.sqlite"),
        ("secret garbage", "<invalid database URL>"),
    ],
)
def test_mask_url(url: str, expected: str) -> None:
    assert engine_module.mask_url(url) == expected
    assert store_module.mask_url(url) == expected  # re-exported for the CLI
