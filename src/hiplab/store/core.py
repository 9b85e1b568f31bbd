"""The base every part of the :class:`~hiplab.store.store.Store` shares: engine, transactions.

The repository methods live in mixins by subject (:mod:`hiplab.store.accounts`,
:mod:`hiplab.store.jobs`, and the domain methods in :mod:`hiplab.store.store`); each
method opens one transaction with :meth:`StoreCore._transaction` (reads) or
:meth:`StoreCore._write_transaction` (every write: the one writer path. On SQLite it
takes the write lock before reading, so concurrent writers — the CLI, the web app's
requests and its job worker — queue behind ``busy_timeout`` instead of failing at once
with "database is locked" when a read snapshot goes stale).

A store method called while the same thread holds one of this store's write
transactions joins it instead of opening a second one (which on SQLite would wait
for its own lock): that is how :meth:`~hiplab.store.jobs.JobMethods.use_job_once`
runs :meth:`~hiplab.store.Store.save_assessment` inside the transaction that locks
the job, so the assessment and its record on the job are stored both or neither.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from hiplab.errors import NotFoundError, StoreError
from hiplab.store.engine import BEGIN_OPTION, mask_url, store_error

MAX_RECORD_ID = 2**31 - 1
"""Largest id a table can hold (``Integer`` columns: 32 bits on PostgreSQL). A larger
number is a record that cannot exist: looking it up answers "not found" instead of
letting SQLite's driver overflow or PostgreSQL refuse the query (found by API fuzzing)."""

Row = TypeVar("Row")


class StoreCore:
    """Engine, sessions and transactions of a store; see :class:`~hiplab.store.Store`.

    Parameters
    ----------
    engine : Engine
        An engine whose database is already migrated; use :func:`~hiplab.store.open_store`.

    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._closed = False
        # .session / .writable: the transaction this thread has open (reading() or a
        # write transaction), which the store methods it calls join
        self._current = threading.local()

    def _open_session(self) -> tuple[Session, bool] | None:
        """Return this thread's open transaction and whether it may write, if any."""
        session: Session | None = getattr(self._current, "session", None)
        return None if session is None else (session, bool(self._current.writable))

    @contextmanager
    def _joined_by_this_thread(self, session: Session, *, writable: bool) -> Iterator[Session]:
        """Make ``session`` the one this thread's store calls join until the block ends."""
        self._current.session, self._current.writable = session, writable
        try:
            yield session
        finally:
            self._current.session = None

    @property
    def url(self) -> str:
        """The database URL, password masked."""
        return mask_url(self._engine.url)

    @property
    def dialect(self) -> str:
        """The backend name: ``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    def close(self) -> None:
        """Close every connection of the store; later calls raise :class:`StoreError`."""
        self._closed = True
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Make every read of this thread inside the block share one transaction.

        Reads only: a write inside the block raises RuntimeError (it would need the
        write lock while this thread holds a read snapshot). Inside another open
        transaction (a nested block, or a write transaction) it joins that one.
        """
        if self._open_session() is not None:
            yield
            return
        with (
            self._transaction("read the store") as session,
            self._joined_by_this_thread(session, writable=False),
        ):
            yield

    @contextmanager
    def _transaction(self, action: str) -> Iterator[Session]:
        """Run a block in one transaction: commit at the end, roll back on any error.

        Inside this thread's open transaction (:meth:`reading` or a write
        transaction) the block joins it instead.
        """
        if (current := self._open_session()) is not None:
            yield current[0]
            return
        if self._closed:
            raise StoreError(f"cannot {action}: the store {self.url} is closed")
        try:
            with self._sessions.begin() as session:
                yield session
        except DBAPIError as exc:
            raise store_error(action, self._engine.url, exc) from exc

    @contextmanager
    def _write_transaction(self, action: str) -> Iterator[Session]:
        """Run a read-then-write block as the only writer (SQLite ``BEGIN IMMEDIATE``).

        PostgreSQL needs no such lock for correctness here: callers that pick a row to
        change lock it themselves (``SELECT … FOR UPDATE SKIP LOCKED``).

        Store methods called inside the block (same thread) join this transaction.
        """
        if (current := self._open_session()) is not None:
            session, writable = current
            if not writable:
                raise RuntimeError(f"cannot {action} inside Store.reading(): it is for reads only")
            yield session
            return
        if self._closed:
            raise StoreError(f"cannot {action}: the store {self.url} is closed")
        try:
            with self._engine.connect() as connection:
                if self.dialect == "sqlite":
                    connection.execution_options(**{BEGIN_OPTION: "BEGIN IMMEDIATE"})
                with (
                    Session(bind=connection, expire_on_commit=False) as session,
                    session.begin(),
                    self._joined_by_this_thread(session, writable=True),
                ):
                    yield session
        except DBAPIError as exc:
            raise store_error(action, self._engine.url, exc) from exc


def aware(moment: datetime) -> datetime:
    """Return ``moment`` with UTC attached when the database dropped the time zone.

    Parameters
    ----------
    moment : datetime
        A time read from the store (SQLite returns naive times; they are UTC).

    Returns
    -------
    datetime
        A timezone-aware time.

    """
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def storable(record_id: int) -> bool:
    """Whether a table could hold a record with this id (1 … :data:`MAX_RECORD_ID`)."""
    return 1 <= record_id <= MAX_RECORD_ID


def get_record(
    session: Session, table: type[Row], record_id: int, what: str, *, for_update: bool = False
) -> Row:
    """Return the row of ``table`` with this id, or raise :class:`NotFoundError`.

    Parameters
    ----------
    session : Session
        The open transaction.
    table : type
        The mapped class.
    record_id : int
        Any integer; one no table can hold is simply not found.
    what : str
        The record's name in the message ("no {what} with id {record_id}").
    for_update : bool
        Lock the row until the transaction ends.

    """
    row = session.get(table, record_id, with_for_update=for_update) if storable(record_id) else None
    if row is None:
        raise NotFoundError(f"no {what} with id {record_id}")
    return row


def owner_of(session: Session, table: Any, record_id: int, what: str) -> int:
    """Return ``person_id`` of a record without loading the rest of its row."""
    found = (
        session.scalars(select(table.person_id).where(table.id == record_id)).first()
        if storable(record_id)
        else None
    )
    if found is None:
        raise NotFoundError(f"no {what} with id {record_id}")
    return int(found)
