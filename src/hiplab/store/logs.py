"""Logs of guided sessions: ``store.logs``."""

from __future__ import annotations

from datetime import UTC, datetime

from hiplab.errors import InputError
from hiplab.records.programme import SessionLog
from hiplab.records.refs import PersonRef
from hiplab.store import tables
from hiplab.store.core import Repository, UnitOfWork, aware, insert
from hiplab.store.models import StoredSessionLog
from hiplab.store.people import check_owned, find
from hiplab.store.rows import stored_session_log


class SessionLogRepository(Repository):
    """Session logs: save and list (``store.logs``)."""

    def save(self, *, log: SessionLog, person: PersonRef, uow: UnitOfWork | None = None) -> int:
        """Save the log of a guided session and return its id.

        Parameters
        ----------
        log : SessionLog
            The log; stored whole. ``log.plan_id``, when set, must be one of the
            person's plans. ``started_at`` and ``finished_at`` are ISO 8601 times (a
            time without offset is read as UTC for the queryable columns; the JSON
            keeps the text). ``log.person`` is only the name shown in the log.
        person : PersonRef
            Whose log it is (the command line names ``log.person``).
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        Raises
        ------
        NotFoundError
            If there is no such person or the plan does not exist.
        InputError
            If a time is not ISO 8601, the session ends before it starts, or the
            plan belongs to someone else.
        StoreError
            If the database fails; then nothing of this log is stored.

        """
        started = _log_time("started_at", log.started_at)
        finished = _log_time("finished_at", log.finished_at)
        if finished < started:
            raise InputError(
                f"finished_at {log.finished_at!r} is before started_at {log.started_at!r}"
            )
        with self._db.writes(uow, "save the session log") as session:
            who = find(session, person)
            if log.plan_id is not None:
                check_owned(session, tables.Plan, log.plan_id, "plan", who)
            return insert(session, _row(log, person_id=who.id, started=started, finished=finished))

    def of_person(
        self, *, person: PersonRef, uow: UnitOfWork | None = None
    ) -> list[StoredSessionLog]:
        """List a person's session logs, oldest first (by start time, then id).

        ``log.plan_id`` is None when its plan was deleted.

        Raises
        ------
        NotFoundError
            If there is no such person.

        """
        with self._db.reads(uow, "read the session logs") as session:
            return [stored_session_log(row) for row in find(session, person).session_logs]


def _log_time(field: str, value: str) -> datetime:
    """Parse an ISO 8601 time of a session log into UTC (no offset: taken as UTC)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{field} {value!r} is not an ISO 8601 time (e.g. 2025-01-31T18:30:00+01:00)"
        ) from None
    return aware(moment).astimezone(UTC)


def _row(
    log: SessionLog, *, person_id: int, started: datetime, finished: datetime
) -> tables.SessionLogRow:
    return tables.SessionLogRow(
        person_id=person_id,
        plan_id=log.plan_id,
        week=log.week,
        started_at=started,
        finished_at=finished,
        completion=log.completion,
        discomfort=log.discomfort,
        effort=log.effort,
        quit_early=log.quit_early,
        log_json=log.model_dump(mode="json"),
    )
