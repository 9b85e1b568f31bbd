"""The store: repositories by aggregate over SQLite or PostgreSQL, one unit of work.

Build one with :func:`open_store`; nothing touches the disk or the network on import.
The default database is ``$HIPLAB_DATABASE_URL`` when set, else the SQLite file
``hiplab.sqlite`` in the user data folder (``platformdirs.user_data_dir("hiplab")``).

Every repository method runs in one transaction: a write either stores all its rows
or none. Several writes stored both or neither share a unit of work opened with
:meth:`Store.unit_of_work` and passed as ``uow=``. Database failures (cannot connect,
locked, constraint violated) are raised as :class:`~hiplab.errors.StoreError` with the
URL (password masked); unknown people or ids as :class:`~hiplab.errors.NotFoundError`.

Examples
--------
>>> from hiplab.store import open_store
>>> with open_store("sqlite://") as store:
...     store.people.summaries()
[]

"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

from platformdirs import user_data_dir
from sqlalchemy import Engine

from hiplab.private_files import make_private_dir
from hiplab.settings import DATABASE_URL_ENV, SQLITE_FILE, sqlite_file_url
from hiplab.store.accounts import AccountRepository
from hiplab.store.archive import ArchiveRepository
from hiplab.store.assessments import AssessmentRepository
from hiplab.store.core import Database, UnitOfWork
from hiplab.store.engine import create_store_engine, mask_url, parse_url, upgrade
from hiplab.store.jobs import JobRepository
from hiplab.store.logs import SessionLogRepository
from hiplab.store.people import PeopleRepository
from hiplab.store.plans import PlanRepository

__all__ = [
    "SQLITE_FILE",
    "URL_ENV",
    "Store",
    "default_url",
    "mask_url",
    "open_store",
]

URL_ENV = DATABASE_URL_ENV
"""Environment variable that overrides the default database URL (from the settings)."""


def default_url() -> str:
    """Return the database URL used when none is given.

    Returns
    -------
    str
        ``$HIPLAB_DATABASE_URL`` if set and not empty, else an SQLite URL for
        ``hiplab.sqlite`` in the user data folder, which is created (mode 0700) if missing.

    """
    from_env = os.environ.get(URL_ENV, "").strip()
    if from_env:
        return from_env
    folder = Path(user_data_dir("hiplab"))
    make_private_dir(folder)
    return sqlite_file_url(folder)


def open_store(url: str | None = None) -> Store:
    """Open (and migrate to the newest schema) the store at ``url``.

    Parameters
    ----------
    url : str or None
        A SQLAlchemy URL: ``sqlite:///path/file.sqlite``, ``sqlite://`` (in memory) or
        ``postgresql+psycopg://user:password@host:port/db``. None uses :func:`default_url`.

    Returns
    -------
    Store
        An open store; close it with :meth:`Store.close` or use it in a ``with`` block.

    Raises
    ------
    StoreError
        If the URL is invalid or the database cannot be reached or migrated.

    Examples
    --------
    >>> store = open_store("sqlite://")
    >>> store.dialect
    'sqlite'
    >>> store.close()

    """
    parsed = parse_url(url if url is not None else default_url())
    engine = create_store_engine(parsed)
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)


class Store:
    """The store's repositories over one database, and its units of work.

    Attributes
    ----------
    people : PeopleRepository
        People, their coach, and :class:`~hiplab.store.people.PersonRef` look-ups.
    assessments : AssessmentRepository
        Assessments with their test results and reports.
    plans : PlanRepository
        Programmes saved for people.
    logs : SessionLogRepository
        Logs of guided sessions.
    accounts : AccountRepository
        Logins and their sessions.
    jobs : JobRepository
        The background job queue.
    archive : ArchiveRepository
        Exports of a person, backups of the store.

    Parameters
    ----------
    engine : Engine
        An engine whose database is already migrated; use :func:`open_store`.

    """

    def __init__(self, engine: Engine) -> None:
        self._db = Database(engine)
        self.people = PeopleRepository(self._db)
        self.assessments = AssessmentRepository(self._db)
        self.plans = PlanRepository(self._db)
        self.logs = SessionLogRepository(self._db)
        self.accounts = AccountRepository(self._db)
        self.jobs = JobRepository(self._db)
        self.archive = ArchiveRepository(self._db)

    @property
    def url(self) -> str:
        """The database URL, password masked."""
        return self._db.url

    @property
    def dialect(self) -> str:
        """The backend name: ``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect

    def close(self) -> None:
        """Close every connection of the store; later calls raise :class:`StoreError`."""
        self._db.close()

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
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """Open one write transaction; pass it as ``uow=`` to every write that belongs to it.

        The writes are committed together at the end of the block, or all rolled back
        when the block raises. On SQLite the unit holds the write lock from the start.

        Examples
        --------
        >>> from hiplab.store import open_store
        >>> with open_store("sqlite://") as store, store.unit_of_work() as uow:
        ...     ann = store.people.create(name="Ann", age=40, sex="female", uow=uow)
        ...     bob = store.people.create(name="Bob", age=41, sex="male", uow=uow)

        """
        with self._db.unit(writable=True, action="write to the store") as uow:
            yield uow

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """Open one read transaction (one snapshot) for reads passed ``uow=`` inside it.

        A write given this unit raises RuntimeError: it is for reads only.
        """
        with self._db.unit(writable=False, action="read the store") as uow:
            yield uow
