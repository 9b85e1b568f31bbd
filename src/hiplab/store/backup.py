"""Backups of the store: an SQLite copy, or a JSON dump for PostgreSQL.

Formats
-------
SQLite
    A complete SQLite database file made with SQLite's online backup API (consistent
    even while the store is in use), switched to the ``DELETE`` journal mode so it is
    one self-contained file. Open it with ``open_store("sqlite:///<path>")``.
PostgreSQL
    A UTF-8 JSON document (use ``pg_dump`` for a native backup)::

        {"format": "hiplab-backup", "version": 1, "dialect": "postgresql",
         "alembic_revision": "0002",
         "tables": {"person": [{"id": 1, "name": "…", …}, …], "assessment": […],
                    "plan": […], "report": […], "test_result": […],
                    "session_log": […]}}

    Every table of :mod:`hiplab.store.tables` is included, parents first (the
    order of ``Base.metadata.sorted_tables``), rows in primary-key order. Dates and times are
    ISO 8601 strings, JSON columns are nested objects, and binary values (PDF
    reports) are ``{"base64": "…"}``.

A backup never overwrites an existing file, and is readable by its owner only (mode 0600,
whatever the umask): it holds health data and password hashes.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from hiplab.errors import StoreError
from hiplab.private_files import create_private_file
from hiplab.store.tables import Base

BACKUP_FORMAT = "hiplab-backup"
BACKUP_VERSION = 1


def claim_new_file(path: Path) -> None:
    """Create ``path`` as an empty file with mode 0600, refusing to touch an existing one.

    Parameters
    ----------
    path : Path
        Where the backup goes; missing parent folders are created.

    Raises
    ------
    StoreError
        If the file already exists or cannot be created.

    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private_file(path)
    except FileExistsError:
        raise StoreError(
            f"backup file {path} already exists; choose a new path (backups never overwrite)"
        ) from None
    except OSError as exc:
        raise StoreError(f"cannot create backup file {path}: {exc}") from exc


def sqlite_backup(engine: Engine, path: Path) -> None:
    """Copy an SQLite store into the (new, empty) file ``path``.

    Parameters
    ----------
    engine : Engine
        The store's SQLite engine.
    path : Path
        An empty file made by :func:`claim_new_file`.

    """
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        if not isinstance(source, sqlite3.Connection):
            raise StoreError(f"the SQLite driver gave a {type(source).__name__} connection")
        with closing(sqlite3.connect(path)) as target:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
    finally:
        raw.close()


def json_dump(engine: Engine, path: Path) -> None:
    """Write every table of the store to ``path`` as JSON (format in the module docstring).

    Parameters
    ----------
    engine : Engine
        The store's engine (any backend).
    path : Path
        An empty file made by :func:`claim_new_file`.

    """
    with engine.connect() as connection:
        document = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "dialect": engine.dialect.name,
            "alembic_revision": _revision(connection),
            "tables": _tables(connection),
        }
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")


def _revision(connection: Connection) -> str | None:
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _tables(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    dump: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        rows = connection.execute(select(table).order_by(*table.primary_key.columns))
        dump[table.name] = [
            {key: _plain(value) for key, value in row.items()} for row in rows.mappings()
        ]
    return dump


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value
