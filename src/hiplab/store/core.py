"""What every repository of the store shares: the database, units of work, row helpers.

A :class:`UnitOfWork` is one transaction, opened explicitly with
:meth:`Database.unit` (in the public API: :meth:`~hiplab.store.Store.unit_of_work`
for writes, :meth:`~hiplab.store.Store.reading` for reads). Every repository method
takes an optional keyword ``uow``: given, the method runs inside that transaction;
omitted, it opens its own. Nothing is joined implicitly: a caller that needs several
writes stored both or neither opens one unit and passes it to each of them.

A write unit is the one writer path: on SQLite it takes the write lock before reading
(``BEGIN IMMEDIATE``), so concurrent writers — the CLI, the web app's requests and its
job worker — queue behind ``busy_timeout`` instead of failing at once with "database
is locked" when a read snapshot goes stale.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

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


@dataclass(frozen=True)
class UnitOfWork:
    """One open transaction of a store, passed as ``uow=`` to the repository methods.

    Attributes
    ----------
    session : Session
        The transaction's session (repositories only).
    writable : bool
        False for :meth:`~hiplab.store.Store.reading`: a write inside raises RuntimeError.

    """

    session: Session
    writable: bool


class Database:
    """The engine, its sessions and the units of work of one store.

    Parameters
    ----------
    engine : Engine
        An engine whose database is already migrated; use :func:`~hiplab.store.open_store`.

    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.closed = False

    @property
    def url(self) -> str:
        """The database URL, password masked."""
        return mask_url(self.engine.url)

    @property
    def dialect(self) -> str:
        """The backend name: ``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Close every connection; later units of work raise :class:`StoreError`."""
        self.closed = True
        self.engine.dispose()

    @contextmanager
    def unit(self, *, writable: bool, action: str) -> Iterator[UnitOfWork]:
        """Open one transaction: commit at the end of the block, roll back on any error.

        Parameters
        ----------
        writable : bool
            True: a read-then-write unit as the only writer (SQLite ``BEGIN IMMEDIATE``;
            PostgreSQL callers that pick a row to change lock it themselves).
        action : str
            What the unit does, for the error message ("cannot {action}: …").

        """
        if self.closed:
            raise StoreError(f"cannot {action}: the store {self.url} is closed")
        try:
            if writable:
                with self._write_session() as session:
                    yield UnitOfWork(session=session, writable=True)
            else:
                with self._sessions.begin() as session:
                    yield UnitOfWork(session=session, writable=False)
        except DBAPIError as exc:
            raise store_error(action, self.engine.url, exc) from exc

    @contextmanager
    def _write_session(self) -> Iterator[Session]:
        with self.engine.connect() as connection:
            if self.dialect == "sqlite":
                connection.execution_options(**{BEGIN_OPTION: "BEGIN IMMEDIATE"})
            with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                yield session

    @contextmanager
    def reads(self, uow: UnitOfWork | None, action: str) -> Iterator[Session]:
        """Yield the session of ``uow``, or of a new read unit when it is None."""
        if uow is not None:
            yield uow.session
            return
        with self.unit(writable=False, action=action) as own:
            yield own.session

    @contextmanager
    def writes(self, uow: UnitOfWork | None, action: str) -> Iterator[Session]:
        """Yield the session of ``uow`` (which must be writable), or of a new write unit."""
        with self.writing(uow, action) as unit:
            yield unit.session

    @contextmanager
    def writing(self, uow: UnitOfWork | None, action: str) -> Iterator[UnitOfWork]:
        """Yield ``uow`` (which must be writable), or a new write unit when it is None."""
        if uow is not None:
            if not uow.writable:
                raise RuntimeError(f"cannot {action} inside Store.reading(): it is for reads only")
            yield uow
            return
        with self.unit(writable=True, action=action) as own:
            yield own


class Repository:
    """Base of the store's repositories: each works on one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self._db = db


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


def insert(session: Session, row: Any) -> int:
    """Add a new row and return the id the database gave it."""
    session.add(row)
    session.flush()
    return int(row.id)
