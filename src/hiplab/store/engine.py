"""Database URLs, engines and migrations of the store.

Conventions
-----------
* Two backends: SQLite (the local default) and PostgreSQL through psycopg 3. A bare
  ``postgresql://`` URL is read as ``postgresql+psycopg://``.
* Every SQLite connection gets ``busy_timeout`` (wait for a lock instead of failing
  at once), ``foreign_keys=ON`` (cascades and references are enforced), WAL journal
  mode (readers do not block the writer) and ``synchronous=NORMAL``. Transactions are
  begun explicitly, so DDL (migrations) and writes are atomic on SQLite too.
* An SQLite database file and its ``-wal``/``-shm`` files are mode 0600 (health data
  and password hashes), whatever the umask.
* Migrations live in ``hiplab/store/migrations`` and are applied with
  ``upgrade head`` on the store's own connection; running them twice is a no-op. On
  SQLite they run with foreign keys off (checked before commit), so a table rebuild
  never fires the cascades of the table's children (:func:`upgrade`).
* URLs in messages have their password masked (``***``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool

from hiplab.errors import StoreError
from hiplab.private_files import private_sqlite_file

BUSY_TIMEOUT_MS = 5000
"""How long an SQLite connection waits for a lock before failing, in milliseconds."""

_MIGRATION_LOCK = threading.Lock()
"""Alembic keeps its running migration context in module globals: one upgrade at a time
per process (two threads opening stores at once would otherwise break each other)."""

BEGIN_OPTION = "hiplab_begin"
"""Connection execution option naming the SQLite statement that opens a transaction
(``"BEGIN"`` when unset; ``"BEGIN IMMEDIATE"`` for a writer that must not race)."""

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
"""Alembic script location (shipped inside the package)."""

_BACKENDS = ("sqlite", "postgresql")


def parse_url(url: str) -> URL:
    """Parse and check a database URL.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL, e.g. ``sqlite:///path/hiplab.sqlite`` or
        ``postgresql+psycopg://user:password@host:5432/hiplab``.

    Returns
    -------
    URL
        The parsed URL, with ``postgresql://`` mapped to the psycopg 3 driver.

    Raises
    ------
    StoreError
        If the URL cannot be parsed or names a backend other than SQLite or PostgreSQL.

    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        # The text may hold a password: do not repeat it.
        raise StoreError(
            "the database URL is not a valid SQLAlchemy URL; expected e.g. "
            "sqlite:///path/hiplab.sqlite or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() not in _BACKENDS:
        raise StoreError(
            f"database backend {parsed.get_backend_name()!r} is not supported; "
            f"use one of {', '.join(_BACKENDS)} ({mask_url(parsed)})"
        )
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def mask_url(url: URL | str) -> str:
    """Render a URL with its password replaced by ``***``.

    Parameters
    ----------
    url : URL or str
        A parsed URL, or URL text.

    Returns
    -------
    str
        The URL as text, safe to show in messages and logs; text that is not a
        valid URL gives ``"<invalid database URL>"`` (it may hold a password).

    Examples
    --------
    >>> mask_url("postgresql+psycopg://me:secret@db.local/hiplab")
    'postgresql+psycopg://me:***@db.local/hiplab'

    """
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            return "<invalid database URL>"
    return url.render_as_string(hide_password=True)


def is_memory(url: URL) -> bool:
    """Tell whether a URL names an in-memory SQLite database.

    Parameters
    ----------
    url : URL
        A parsed URL.

    Returns
    -------
    bool
        True for ``sqlite://`` and ``sqlite:///:memory:``.

    """
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def create_store_engine(url: URL) -> Engine:
    """Create the engine for a store URL, with the SQLite connection settings.

    Parameters
    ----------
    url : URL
        A URL returned by :func:`parse_url`.

    Returns
    -------
    Engine
        An engine; no connection is opened yet. An SQLite database file is created
        empty with mode 0600 if missing (an existing one, and its ``-wal`` and ``-shm``
        files, are restricted to 0600), so SQLite's own files are private whatever
        the umask: :func:`hiplab.private_files.private_sqlite_file`.

    """
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if is_memory(url):
        # One shared connection, or every checkout would see a new empty database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        if url.database and not url.query.get("uri"):
            private_sqlite_file(Path(url.database))
        engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_on_begin) instead of pysqlite's
    # implicit, late BEGIN, which leaves DDL and SELECTs outside the transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    statement = connection.get_execution_options().get(BEGIN_OPTION, "BEGIN")
    if statement not in ("BEGIN", "BEGIN IMMEDIATE"):
        raise StoreError(f"{BEGIN_OPTION} {statement!r}; allowed: 'BEGIN', 'BEGIN IMMEDIATE'")
    connection.exec_driver_sql(statement)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str:
    """Return the newest migration's revision id (what :func:`upgrade` brings a store to)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None  # the package ships its migrations
    return head


def upgrade(engine: Engine, *, revision: str = "head") -> None:
    """Bring the database schema to the newest migration (``alembic upgrade head``).

    Parameters
    ----------
    engine : Engine
        The store's engine. Already current databases are left untouched.
    revision : str
        The migration to stop at; ``"head"`` (the newest) except in migration tests.

    Raises
    ------
    StoreError
        If the database cannot be reached, is locked, or was migrated by a newer hiplab.

    """
    _migrate(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, *, revision: str) -> None:
    """Take the database schema back to ``revision`` (``alembic downgrade``), as :func:`upgrade`.

    Raises
    ------
    StoreError
        If the database cannot be reached or is locked, or the revision is unknown.

    """
    _migrate(engine, lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, run: Callable[[Config], None]) -> None:
    """Run migrations in one transaction; on SQLite with foreign keys off (see below).

    A migration that must rebuild an SQLite table (to drop a constraint) drops the old
    table, and with foreign keys on, dropping a parent runs the ``ON DELETE CASCADE`` of
    its children: every assessment, plan and login of the people would go. So, as
    SQLite's documentation prescribes for schema changes, foreign keys are switched off
    before the transaction begins (the pragma is ignored inside one),
    ``PRAGMA foreign_key_check`` must find nothing before it commits, and they are
    switched on again afterwards.
    """
    config = _alembic_config()
    try:
        with (
            _MIGRATION_LOCK,
            engine.connect() as connection,
            _foreign_keys_off(connection),
            connection.begin(),
        ):
            config.attributes["connection"] = connection
            run(config)
            _check_foreign_keys(connection)
    except CommandError as exc:
        raise StoreError(
            f"cannot migrate the database at {mask_url(engine.url)}: {exc}; "
            "it may have been written by a newer hiplab"
        ) from exc
    except DBAPIError as exc:
        raise store_error("migrate the database", engine.url, exc) from exc


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None  # a checked-out connection has its driver connection
    raw.execute("PRAGMA foreign_keys = OFF")  # autocommit: no transaction is open yet
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise StoreError(
            f"the migration would leave {len(broken)} rows of {', '.join(tables)} referring "
            "to records that do not exist; nothing was changed"
        )


def store_error(action: str, url: URL, exc: DBAPIError) -> StoreError:
    """Turn a database driver error into a :class:`StoreError` naming the (masked) URL.

    Parameters
    ----------
    action : str
        What was being done, as a verb phrase ("save the assessment").
    url : URL
        The database URL.
    exc : DBAPIError
        The error raised by SQLAlchemy.

    Returns
    -------
    StoreError
        An error whose message says what failed, where, and the driver's reason.

    """
    if isinstance(exc, OperationalError):
        why = "the database cannot be reached or is locked"
    elif isinstance(exc, IntegrityError):
        why = "a database constraint was violated"
    else:
        why = "the database refused the operation"
    detail = str(exc.orig).strip()
    reason = detail.splitlines()[0] if detail else type(exc.orig).__name__
    return StoreError(f"cannot {action}: {why} ({mask_url(url)}): {reason}")
