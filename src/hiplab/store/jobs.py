"""Background jobs (table ``job``): enqueue, claim atomically, report progress, finish.

A job moves ``queued`` → ``running`` (claimed by one worker) → ``done`` or ``failed``.
:meth:`JobRepository.claim` hands each job to exactly one claimer, on SQLite (the claim
runs under ``BEGIN IMMEDIATE``: one writer at a time) and on PostgreSQL
(``SELECT … FOR UPDATE SKIP LOCKED``: concurrent claimers skip each other's row).

Leases: a claim holds the job for ``lease_seconds`` under the claimer's ``owner`` id
(:func:`worker_id`: host, process and a random part); the worker renews it while it
works (:meth:`JobRepository.renew_lease`, the heartbeat, and every progress report).
A worker that dies stops renewing; once its lease has expired the job is claimed again
(``attempts`` counts the claims), by any server on the store. Progress, finishing and
failing name the owner, and a worker whose lease was taken over gets
:class:`LeaseLostError` instead of writing: of two servers, only the one holding the
lease ends a job, so it ends exactly once. :meth:`JobRepository.requeue_expired` shows
the expired ones as ``queued`` again at start-up; it never touches a live lease. The
servers' clocks must agree to within a few seconds (one machine, or NTP).
:meth:`JobRepository.use_once` uses a finished job's result at most once (e.g. stores
a video analysis's measurements as one assessment, however often it is asked for).

Reached as ``store.jobs``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from hiplab.errors import HiplabError, InputError
from hiplab.store import tables
from hiplab.store.core import Repository, UnitOfWork, aware, get_record, storable
from hiplab.store.models import JobState, StoredJob

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ERROR = 2000
"""Longest error text kept; longer messages are cut (the start says what failed)."""
DEFAULT_LEASE_SECONDS = 30.0
"""How long a claim holds a job without a heartbeat (the worker renews it every third)."""


class LeaseLostError(HiplabError):
    """The job's lease expired and another worker claimed it: this worker must let it go."""


def worker_id() -> str:
    """Return an owner id for this process's claims: host, process id and a random part.

    The random part keeps two processes apart even when a process id is reused.
    """
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(6)}"


@dataclass(frozen=True)
class JobUse:
    """What :meth:`JobRepository.use_once` kept with the job, and whether this call made it."""

    record: dict[str, Any]
    new: bool


def check_kind(kind: str) -> str:
    """Return ``kind`` if it is a job kind name, else raise :class:`InputError`.

    Examples
    --------
    >>> check_kind("video_analysis")
    'video_analysis'

    """
    if not KIND_PATTERN.match(kind):
        raise InputError(
            f"job kind {kind!r} is not allowed; allowed: lower-case letters, digits and "
            "underscores, starting with a letter, at most 40 characters"
        )
    return kind


def _check_json(field: str, value: dict[str, Any]) -> dict[str, Any]:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{field} must be plain JSON (objects, lists, text, numbers): {exc}"
        ) from None
    return value


class JobRepository(Repository):
    """The job queue (``store.jobs``)."""

    def enqueue(
        self,
        *,
        kind: str,
        payload: dict[str, Any],
        owner_id: int | None = None,
        person_id: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> StoredJob:
        """Add a job to the queue.

        Parameters
        ----------
        kind : str
            What to do, e.g. ``"video_analysis"``; workers pick the kinds they handle.
        payload : dict
            The job's input as plain JSON (e.g. the stored upload's name and options).
        owner_id : int or None
            The login that asked for it (None for jobs started outside the web app).
        person_id : int or None
            The person the job is about; deleting the person deletes the job.
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        Returns
        -------
        StoredJob
            The queued job.

        Raises
        ------
        InputError
            If ``kind`` is not a kind name or ``payload`` is not plain JSON.

        """
        row = tables.Job(
            kind=check_kind(kind),
            state="queued",
            owner_id=owner_id,
            person_id=person_id,
            payload_json=_check_json("payload", payload),
            result_json=None,
            progress=0.0,
            attempts=0,
        )
        with self._db.writes(uow, "queue the job") as session:
            session.add(row)
            session.flush()
            return _stored_job(row)

    def claim(
        self,
        *,
        owner: str,
        kinds: Collection[str] | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        uow: UnitOfWork | None = None,
    ) -> StoredJob | None:
        """Take the oldest claimable job (of ``kinds``, if given) and mark it ``running``.

        Claimable: ``queued``, or ``running`` with an expired lease (its worker died).
        Two claimers never get the same job, on either backend.

        Parameters
        ----------
        owner : str
            The claimer's id (:func:`worker_id`), kept as the lease's owner.
        kinds : collection of str, optional
            The job kinds the claimer runs.
        lease_seconds : float
            How long the claim holds without a renewal.
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        Returns
        -------
        StoredJob or None
            The claimed job (``attempts`` counts this claim), or None if none is claimable.

        """
        now = tables.utcnow()
        query = (
            select(tables.Job)
            .where(or_(tables.Job.state == "queued", _expired(now)))
            .order_by(tables.Job.created_at, tables.Job.id)
            .limit(1)
        )
        if kinds is not None:
            query = query.where(tables.Job.kind.in_([check_kind(k) for k in kinds]))
        if self._db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        with self._db.writes(uow, "claim a job") as session:
            row = session.scalars(query).first()
            if row is None:
                return None
            row.state = "running"
            row.progress = 0.0
            row.attempts += 1
            row.lease_owner = owner
            row.lease_expires_at = now + timedelta(seconds=lease_seconds)
            row.updated_at = now
            session.flush()
            return _stored_job(row)

    def renew_lease(
        self,
        *,
        job_id: int,
        owner: str,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        uow: UnitOfWork | None = None,
    ) -> None:
        """Extend ``owner``'s lease on a running job (the heartbeat).

        Raises
        ------
        LeaseLostError
            If the job is no longer running under ``owner``'s lease.

        """
        with self._db.writes(uow, "renew the job's lease") as session:
            row = _leased(session, job_id, owner)
            row.lease_expires_at = tables.utcnow() + timedelta(seconds=lease_seconds)

    def update_progress(
        self,
        *,
        job_id: int,
        progress: float,
        owner: str,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        uow: UnitOfWork | None = None,
    ) -> None:
        """Record how far a running job is, from 0 to 1, and renew ``owner``'s lease.

        Raises
        ------
        InputError
            If ``progress`` is outside 0–1.
        LeaseLostError
            If the job is no longer running under ``owner``'s lease.

        """
        if not 0.0 <= progress <= 1.0:
            raise InputError(f"progress {progress!r} is not allowed; allowed: 0 to 1")
        with self._db.writes(uow, "record the job's progress") as session:
            row = _leased(session, job_id, owner)
            now = tables.utcnow()
            row.progress = progress
            row.lease_expires_at = now + timedelta(seconds=lease_seconds)
            row.updated_at = now

    def finish(
        self, *, job_id: int, owner: str, result: dict[str, Any], uow: UnitOfWork | None = None
    ) -> None:
        """Mark ``owner``'s running job ``done`` with its result (plain JSON).

        Raises :class:`LeaseLostError` if the job is no longer ``owner``'s.
        """
        self._end_job(
            job_id, owner, uow, state="done", result=_check_json("result", result), error=None
        )

    def fail(self, *, job_id: int, owner: str, error: str, uow: UnitOfWork | None = None) -> None:
        """Mark ``owner``'s running job ``failed`` with a message for whoever asked for it.

        Raises :class:`LeaseLostError` if the job is no longer ``owner``'s.
        """
        message = error.strip() or "the job failed without a message"
        self._end_job(job_id, owner, uow, state="failed", result=None, error=message[:MAX_ERROR])

    def _end_job(
        self,
        job_id: int,
        owner: str,
        uow: UnitOfWork | None,
        *,
        state: Literal["done", "failed"],
        result: dict[str, Any] | None,
        error: str | None,
    ) -> None:
        with self._db.writes(uow, f"mark the job {state}") as session:
            row = _leased(session, job_id, owner)
            row.state = state
            row.result_json = result
            row.error = error
            row.lease_owner = None
            row.lease_expires_at = None
            if state == "done":
                row.progress = 1.0
            row.updated_at = tables.utcnow()

    def use_once(
        self,
        *,
        job_id: int,
        key: str,
        use: Callable[[UnitOfWork], dict[str, Any]],
        uow: UnitOfWork | None = None,
    ) -> JobUse:
        """Run ``use`` once for a finished job; keep what it returns in the job's result.

        The job row is locked (SQLite ``BEGIN IMMEDIATE``, PostgreSQL ``FOR UPDATE``)
        while ``result[key]`` is checked, ``use`` runs and its record is written. ``use``
        gets this unit of work and passes it to the store methods it calls, so their
        rows and the record are stored both or neither, and of two concurrent calls the
        second waits, then finds the first one's record and runs nothing.

        Parameters
        ----------
        job_id : int
            A ``done`` job.
        key : str
            Where the record goes in the job's result (e.g. ``"assessment"``).
        use : callable
            Does the work with this store's methods, given the unit of work to pass
            them; returns the record (plain JSON).
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        Returns
        -------
        JobUse
            The record and whether this call made it (False: an earlier call did).

        Raises
        ------
        InputError
            If the job is not done or the record is not plain JSON.
        NotFoundError
            If there is no such job.

        """
        with self._db.writing(uow, "use the job's result") as held:
            session = held.session
            row = get_record(session, tables.Job, job_id, "job", for_update=True)
            if row.state != "done" or row.result_json is None:
                raise InputError(f"job {job_id} is {row.state}; its results come once it is done")
            recorded = row.result_json.get(key)
            if isinstance(recorded, dict):
                return JobUse(record=recorded, new=False)
            record = _check_json(key, use(held))
            # A new dict: a JSON column notices assignment, not changes inside it.
            row.result_json = {**row.result_json, key: record}
            row.updated_at = tables.utcnow()
            return JobUse(record=record, new=True)

    def requeue_expired(self, *, uow: UnitOfWork | None = None) -> int:
        """Put the ``running`` jobs whose lease has expired back in the queue.

        A live worker's job (its lease still running) is never touched, whichever
        server holds it.

        Returns
        -------
        int
            How many jobs were re-queued.

        """
        now = tables.utcnow()
        with self._db.writes(uow, "re-queue jobs whose worker stopped") as session:
            done = session.execute(
                update(tables.Job)
                .where(_expired(now))
                .values(
                    state="queued",
                    progress=0.0,
                    lease_owner=None,
                    lease_expires_at=None,
                    updated_at=now,
                )
            )
            return int(getattr(done, "rowcount", 0) or 0)

    def get(self, *, job_id: int, uow: UnitOfWork | None = None) -> StoredJob:
        """Return a job by id, or raise :class:`NotFoundError`."""
        with self._db.reads(uow, "read the job") as session:
            return _stored_job(get_record(session, tables.Job, job_id, "job"))

    def all(
        self,
        *,
        person_id: int | None = None,
        state: JobState | None = None,
        uow: UnitOfWork | None = None,
    ) -> list[StoredJob]:
        """List jobs, newest first, optionally of one person and/or in one state."""
        if person_id is not None and not storable(person_id):
            return []
        query = select(tables.Job).order_by(tables.Job.created_at.desc(), tables.Job.id.desc())
        if person_id is not None:
            query = query.where(tables.Job.person_id == person_id)
        if state is not None:
            query = query.where(tables.Job.state == state)
        with self._db.reads(uow, "list the jobs") as session:
            return [_stored_job(row) for row in session.scalars(query)]


def _expired(now: datetime) -> Any:
    """Return the condition of a running job whose lease has expired (or never had one)."""
    job = tables.Job
    return and_(
        job.state == "running",
        or_(job.lease_expires_at.is_(None), job.lease_expires_at < now),
    )


def _leased(session: Session, job_id: int, owner: str) -> tables.Job:
    """Return a running job held by ``owner``'s lease, locked; raise LeaseLostError if not."""
    row = get_record(session, tables.Job, job_id, "job", for_update=True)
    if row.state != "running" or row.lease_owner != owner:
        raise LeaseLostError(
            f"job {job_id} is no longer this worker's (it is {row.state}"
            f"{', claimed by another worker' if row.state == 'running' else ''})"
        )
    return row


def _stored_job(row: tables.Job) -> StoredJob:
    return StoredJob.model_validate(
        {
            "id": row.id,
            "kind": row.kind,
            "state": row.state,
            "owner_id": row.owner_id,
            "person_id": row.person_id,
            "payload": row.payload_json,
            "result": row.result_json,
            "error": row.error,
            "progress": row.progress,
            "attempts": row.attempts,
            "created_at": aware(row.created_at),
            "updated_at": aware(row.updated_at),
            "lease_owner": row.lease_owner,
        }
    )
