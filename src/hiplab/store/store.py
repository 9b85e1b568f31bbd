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
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from platformdirs import user_data_dir
from sqlalchemy import Engine

from hiplab.private_files import make_private_dir
from hiplab.records.assessment import Assessment
from hiplab.records.intake import AssessmentInput
from hiplab.records.refs import PersonRef
from hiplab.settings import DATABASE_URL_ENV, SQLITE_FILE, sqlite_file_url
from hiplab.store.accounts import AccountRepository
from hiplab.store.archive import ArchiveRepository
from hiplab.store.assessments import AssessmentRepository
from hiplab.store.core import Database, UnitOfWork
from hiplab.store.engine import create_store_engine, mask_url, parse_url, upgrade
from hiplab.store.jobs import DEFAULT_LEASE_SECONDS, JobRepository, JobUse
from hiplab.store.logs import SessionLogRepository
from hiplab.store.models import (
    AssessmentSummary,
    PersonRecord,
    StoredAssessment,
    StoredJob,
    StoredReport,
)
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
        self._video_unit = threading.local()  # transitional, see use_job_once

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

    # Transitional: used by the video use cases until they move to the repositories.
    # use_job_once's callback calls save_assessment and reports without a unit of work,
    # so for the duration of the callback (this thread only) those two delegates use
    # the job's unit; the repositories themselves never join anything implicitly.
    def claim_job(
        self,
        *,
        owner: str,
        kinds: Sequence[str] | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> StoredJob | None:
        """Transitional: :meth:`JobRepository.claim`."""
        return self.jobs.claim(owner=owner, kinds=kinds, lease_seconds=lease_seconds)

    def fail_job(self, *, job_id: int, owner: str, error: str) -> None:
        """Transitional: :meth:`JobRepository.fail`."""
        self.jobs.fail(job_id=job_id, owner=owner, error=error)

    def finish_job(self, *, job_id: int, owner: str, result: dict[str, Any]) -> None:
        """Transitional: :meth:`JobRepository.finish`."""
        self.jobs.finish(job_id=job_id, owner=owner, result=result)

    def renew_job_lease(
        self, *, job_id: int, owner: str, lease_seconds: float = DEFAULT_LEASE_SECONDS
    ) -> None:
        """Transitional: :meth:`JobRepository.renew_lease`."""
        self.jobs.renew_lease(job_id=job_id, owner=owner, lease_seconds=lease_seconds)

    def enqueue_job(
        self,
        *,
        kind: str,
        payload: dict[str, Any],
        owner_id: int | None = None,
        person_id: int | None = None,
    ) -> StoredJob:
        """Transitional: :meth:`JobRepository.enqueue`."""
        return self.jobs.enqueue(kind=kind, payload=payload, owner_id=owner_id, person_id=person_id)

    # jobs(...): JobRepository.__call__ (the attribute is the repository itself)

    def get_job(self, *, job_id: int) -> StoredJob:
        """Transitional: :meth:`JobRepository.get`."""
        return self.jobs.get(job_id=job_id)

    def update_job_progress(
        self,
        *,
        job_id: int,
        progress: float,
        owner: str,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        """Transitional: :meth:`JobRepository.update_progress`."""
        self.jobs.update_progress(
            job_id=job_id, progress=progress, owner=owner, lease_seconds=lease_seconds
        )

    def use_job_once(self, *, job_id: int, key: str, use: Callable[[], dict[str, Any]]) -> JobUse:
        """Transitional: :meth:`JobRepository.use_once` with a callback that takes no unit."""
        return self.jobs.use_once(job_id=job_id, key=key, use=self._in_video_unit(use))

    def get_person(self, *, person_id: int) -> PersonRecord:
        """Transitional: :meth:`PeopleRepository.get` by id."""
        return self.people.get(person=PersonRef.by_id(person_id), uow=self._video_uow())

    def latest_assessment(
        self, *, person_name: str | None = None, person_id: int | None = None
    ) -> StoredAssessment:
        """Transitional: :meth:`AssessmentRepository.latest`."""
        person = PersonRef.of(id=person_id, name=person_name)
        return self.assessments.latest(person=person, uow=self._video_uow())

    def reports(self, *, assessment_id: int) -> list[StoredReport]:
        """Transitional: :meth:`AssessmentRepository.reports`."""
        return self.assessments.reports(assessment_id=assessment_id, uow=self._video_uow())

    def save_assessment(
        self,
        *,
        data: AssessmentInput,
        result: Assessment,
        reports: Sequence[tuple[str, str | bytes]] = (),
        person_name: str | None = None,
        person_id: int | None = None,
    ) -> int:
        """Transitional: :meth:`AssessmentRepository.save`; returns the assessment id."""
        person = PersonRef.of(id=person_id, name=person_name)
        saved = self.assessments.save(
            person=person, data=data, result=result, reports=reports, uow=self._video_uow()
        )
        return saved.assessment_id

    # Transitional too: read by tests of the video use cases (tests/web/test_videos.py,
    # tests/motion/test_save_analysis.py), which move with them.
    def history(
        self, *, person_name: str | None = None, person_id: int | None = None
    ) -> list[AssessmentSummary]:
        """Transitional: :meth:`AssessmentRepository.history`."""
        return self.assessments.history(person=PersonRef.of(id=person_id, name=person_name))

    def get_assessment(self, *, assessment_id: int) -> StoredAssessment:
        """Transitional: :meth:`AssessmentRepository.get`."""
        return self.assessments.get(assessment_id=assessment_id)

    # people(): PeopleRepository.__call__ (the attribute is the repository itself)

    def _in_video_unit(
        self, use: Callable[[], dict[str, Any]]
    ) -> Callable[[UnitOfWork], dict[str, Any]]:
        def run(uow: UnitOfWork) -> dict[str, Any]:
            self._video_unit.uow = uow
            try:
                return use()
            finally:
                self._video_unit.uow = None

        return run

    def _video_uow(self) -> UnitOfWork | None:
        found: UnitOfWork | None = getattr(self._video_unit, "uow", None)
        return found
