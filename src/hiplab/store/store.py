"""The store: keyword-only repository methods over SQLite or PostgreSQL.

Build one with :func:`open_store`; nothing touches the disk or the network on import.
The default database is ``$HIPLAB_DATABASE_URL`` when set, else the SQLite file
``hiplab.sqlite`` in the user data folder (``platformdirs.user_data_dir("hiplab")``).

Every method runs in one transaction: a write either stores all its rows or none.
Database failures (cannot connect, locked, constraint violated) are raised as
:class:`~hiplab.errors.StoreError` with the URL (password masked); unknown people
or ids as :class:`~hiplab.errors.NotFoundError`.

Examples
--------
>>> from hiplab.store import open_store
>>> with open_store("sqlite://") as store:
...     store.people()
[]

"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from platformdirs import user_data_dir
from pydantic import BaseModel, ValidationError
from sqlalchemy import URL, Select, and_, func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hiplab.errors import InputError, NotFoundError, StoreError
from hiplab.private_files import make_private_dir
from hiplab.records.assessment import Assessment
from hiplab.records.intake import AssessmentInput
from hiplab.records.programme import Programme, SessionLog
from hiplab.spreadsheet import csv_text
from hiplab.store import backup as backups
from hiplab.store import tables
from hiplab.store.accounts import AccountMethods, person_named
from hiplab.store.core import StoreCore, aware, get_record, owner_of
from hiplab.store.engine import create_store_engine, mask_url, parse_url, store_error, upgrade
from hiplab.store.jobs import JobMethods
from hiplab.store.models import (
    AssessmentSummary,
    PersonLatest,
    PersonSummary,
    StoredAssessment,
    StoredPlan,
    StoredReport,
    StoredSessionLog,
    StoredTestResult,
)

__all__ = [
    "CSV_COLUMNS",
    "SQLITE_FILE",
    "URL_ENV",
    "Store",
    "default_url",
    "mask_url",
    "open_store",
]

URL_ENV = "HIPLAB_DATABASE_URL"
"""Environment variable that overrides the default database URL."""

SQLITE_FILE = "hiplab.sqlite"
"""File name of the default SQLite database in the user data folder."""

CSV_COLUMNS = ("person", "taken_on", "assessment_id", "test", "side", "value", "unit", "provenance")
"""Columns of :meth:`Store.export_person` with ``fmt="csv"``, in order."""

EXPORT_FORMAT = "hiplab-person-export"
EXPORT_VERSION = 2
_MAX_FORMAT_LENGTH = 16


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
    return URL.create("sqlite", database=str(folder / SQLITE_FILE)).render_as_string()


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


class Store(AccountMethods, JobMethods, StoreCore):
    """Repository of people, assessments, test results, reports, plans and session logs.

    Logins, coach ownership and background jobs come from the mixins
    :class:`~hiplab.store.accounts.AccountMethods` and :class:`~hiplab.store.jobs.JobMethods`;
    the engine and transactions from :class:`~hiplab.store.core.StoreCore`.

    Parameters
    ----------
    engine : Engine
        An engine whose database is already migrated; use :func:`open_store`.

    """

    def save_assessment(
        self,
        *,
        data: AssessmentInput,
        result: Assessment,
        reports: Sequence[tuple[str, str | bytes]] = (),
        person_name: str | None = None,
        person_id: int | None = None,
    ) -> int:
        """Save an assessment, its test values, and the person's latest age and sex.

        Parameters
        ----------
        person_name : str, optional
            Who was assessed, by name (the command line's way): the person is created,
            without a coach, if nobody has the name.
        person_id : int, optional
            Who was assessed, by id (the web app's way); give this or ``person_name``.
        data : AssessmentInput
            The validated input; stored whole, ``data.date`` (or today) is the date.
        result : Assessment
            The result; stored whole, one test-result row per ``result.values`` item.
        reports : sequence of (format, content)
            Reports of this assessment stored in the same transaction (e.g. the
            video analysis a measured assessment came from): both or neither.

        Returns
        -------
        int
            The id of the new assessment.

        Raises
        ------
        InputError
            If the name is empty, ``data.date`` is not a calendar date, or a
            report format is not 1 to 16 characters.
        StoreError
            If the database fails; then nothing of this assessment is stored.

        """
        name = None if person_name is None else _clean_name(person_name)
        taken_on = _taken_on(data.date)
        for fmt, _ in reports:
            _check_format(fmt)
        with self._write_transaction("save the assessment") as session:
            person = _upsert_person(session, name=name, person_id=person_id, data=data)
            row = tables.Assessment(
                person=person,
                taken_on=taken_on,
                provenance=data.provenance,
                refer=result.refer,
                input_json=data.model_dump(mode="json"),
                result_json=result.model_dump(mode="json"),
            )
            session.add(row)
            session.flush()
            row.test_results = _test_result_rows(result, provenance=data.provenance)
            session.add_all(_report_row(row.id, fmt, content) for fmt, content in reports)
            session.flush()
            return row.id

    def save_report(self, *, assessment_id: int, fmt: str, content: str | bytes) -> int:
        """Save a rendered report of an assessment.

        Parameters
        ----------
        assessment_id : int
            The assessment the report renders.
        fmt : str
            Its format, e.g. ``"html"``, ``"md"``, ``"pdf"`` (at most 16 characters).
        content : str or bytes
            Text for text formats, bytes for binary ones (PDF).

        Returns
        -------
        int
            The id of the new report.

        Raises
        ------
        InputError
            If ``fmt`` is empty or too long.
        NotFoundError
            If there is no assessment with that id.

        """
        _check_format(fmt)
        with self._write_transaction("save the report") as session:
            get_record(session, tables.Assessment, assessment_id, "assessment")
            return _insert(session, _report_row(assessment_id, fmt, content))

    def get_report(self, *, report_id: int) -> StoredReport:
        """Load a saved report.

        Parameters
        ----------
        report_id : int
            The id returned by :meth:`save_report`.

        Returns
        -------
        StoredReport
            The report; ``content`` is ``str`` or ``bytes`` as it was saved.

        Raises
        ------
        NotFoundError
            If there is no report with that id.

        """
        with self._transaction("read the report") as session:
            return _stored_report(get_record(session, tables.Report, report_id, "report"))

    def reports(self, *, assessment_id: int) -> list[StoredReport]:
        """List the saved reports of an assessment, oldest first.

        Raises
        ------
        NotFoundError
            If there is no assessment with that id.

        """
        with self._transaction("read the reports") as session:
            get_record(session, tables.Assessment, assessment_id, "assessment")
            query = (
                select(tables.Report)
                .where(tables.Report.assessment_id == assessment_id)
                .order_by(tables.Report.id)
            )
            return [_stored_report(row) for row in session.scalars(query)]

    def people(self) -> list[PersonSummary]:
        """List everyone in the store, by name.

        Returns
        -------
        list of PersonSummary
            Name, latest age and sex, number of assessments, and the date and refer
            decision of the latest assessment (None when there is none).

        """
        with self._transaction("list people") as session:
            rows = session.execute(_people_query()).all()
        return [
            PersonSummary.model_validate(
                {
                    "name": row.name,
                    "age": row.age,
                    "sex": row.sex,
                    "n_assessments": row.n or 0,
                    "last_assessed": row.taken_on,
                    "last_refer": row.refer,
                }
            )
            for row in rows
        ]

    def history(
        self, *, person_name: str | None = None, person_id: int | None = None
    ) -> list[AssessmentSummary]:
        """List a person's assessments, oldest first (by date, then by id).

        Parameters
        ----------
        person_name : str, optional
            The person's name, as saved (the command line's way; a name several people
            share is refused).
        person_id : int, optional
            The person's id (the web app's way); give this or ``person_name``.

        Returns
        -------
        list of AssessmentSummary
            One summary per assessment.

        Raises
        ------
        NotFoundError
            If nobody has that name; the message suggests close names.

        """
        with self._transaction("read the history") as session:
            person = _find_person(session, person_name, person_id)
            rows = session.scalars(
                select(tables.Assessment)
                .where(tables.Assessment.person_id == person.id)
                .order_by(tables.Assessment.taken_on, tables.Assessment.id)
            ).all()
            return [_assessment_summary(row) for row in rows]

    def get_assessment(self, *, assessment_id: int) -> StoredAssessment:
        """Load a saved assessment with its input and result.

        Parameters
        ----------
        assessment_id : int
            The id returned by :meth:`save_assessment`.

        Returns
        -------
        StoredAssessment
            The ids, the person's name, the date, and the input and result models.

        Raises
        ------
        NotFoundError
            If there is no assessment with that id.
        StoreError
            If the stored JSON no longer validates against the current models.

        """
        with self._transaction("read the assessment") as session:
            row = get_record(session, tables.Assessment, assessment_id, "assessment")
            return _stored_assessment(row)

    def test_results(
        self, *, person_name: str | None = None, person_id: int | None = None
    ) -> list[StoredTestResult]:
        """List every measured value of a person, oldest first.

        Parameters
        ----------
        person_name : str, optional
            The person's name, as saved (the command line's way; a name several people
            share is refused).
        person_id : int, optional
            The person's id (the web app's way); give this or ``person_name``.

        Returns
        -------
        list of StoredTestResult
            One row per value, ordered by date, assessment and entry order.

        Raises
        ------
        NotFoundError
            If nobody has that name.

        """
        with self._transaction("read the test results") as session:
            person = _find_person(session, person_name, person_id)
            rows = session.execute(_test_results_query(person.id)).all()
        return [StoredTestResult.model_validate(dict(row._mapping)) for row in rows]

    def assessments(
        self, *, person_name: str | None = None, person_id: int | None = None
    ) -> list[StoredAssessment]:
        """Load every assessment of a person with its input and result, oldest first.

        Parameters
        ----------
        person_name : str, optional
            The person's name, as saved (the command line's way; a name several people
            share is refused).
        person_id : int, optional
            The person's id (the web app's way); give this or ``person_name``.

        Returns
        -------
        list of StoredAssessment
            Ordered by date, then by id (save order within a day).

        Raises
        ------
        NotFoundError
            If nobody has that name; the message suggests close names.
        StoreError
            If a stored JSON document no longer validates against the current models.

        """
        with self._transaction("read the assessments") as session:
            person = _find_person(session, person_name, person_id)
            return [_stored_assessment(row) for row in person.assessments]

    def latest_assessment(
        self, *, person_name: str | None = None, person_id: int | None = None
    ) -> StoredAssessment:
        """Load a person's newest assessment (latest date, then highest id).

        Parameters
        ----------
        person_name : str, optional
            The person's name, as saved (the command line's way; a name several people
            share is refused).
        person_id : int, optional
            The person's id (the web app's way); give this or ``person_name``.

        Returns
        -------
        StoredAssessment
            The newest assessment with its input and result.

        Raises
        ------
        NotFoundError
            If nobody has that name, or the person has no assessment.

        """
        with self._transaction("read the latest assessment") as session:
            person = _find_person(session, person_name, person_id)
            row = _newest(
                session, tables.Assessment, person, tables.Assessment.taken_on, "assessment"
            )
            return _stored_assessment(row)

    def save_plan(
        self,
        *,
        programme: Programme,
        assessment_id: int | None,
        person_name: str | None = None,
        person_id: int | None = None,
    ) -> int:
        """Save a programme for a person who is already in the store.

        Parameters
        ----------
        person_name : str, optional
            Whose plan it is; the person must exist (plans follow an assessment).
        person_id : int, optional
            The person's id instead of the name.
        programme : Programme
            The programme; stored whole, ``programme.block`` is the block number.
        assessment_id : int or None
            The assessment the plan was made from; it must be this person's.

        Returns
        -------
        int
            The id of the new plan.

        Raises
        ------
        NotFoundError
            If nobody has that name (close names are suggested) or the assessment
            does not exist.
        InputError
            If the assessment belongs to someone else.
        StoreError
            If the database fails; then nothing of this plan is stored.

        """
        with self._write_transaction("save the plan") as session:
            person = _find_person(session, person_name, person_id)
            if assessment_id is not None:
                _check_owned(session, tables.Assessment, assessment_id, "assessment", person)
            return _insert(
                session,
                _plan_row(person_id=person.id, programme=programme, assessment_id=assessment_id),
            )

    def get_plan(self, *, plan_id: int) -> StoredPlan:
        """Load a saved plan.

        Parameters
        ----------
        plan_id : int
            The id returned by :meth:`save_plan`.

        Returns
        -------
        StoredPlan
            The plan with its programme as a validated model.

        Raises
        ------
        NotFoundError
            If there is no plan with that id.
        StoreError
            If the stored programme no longer validates against the current models.

        """
        with self._transaction("read the plan") as session:
            return _stored_plan(get_record(session, tables.Plan, plan_id, "plan"))

    def person_of_plan(self, *, plan_id: int) -> int:
        """Return the id of the person a plan belongs to, or raise NotFoundError."""
        with self._transaction("read the plan") as session:
            return owner_of(session, tables.Plan, plan_id, "plan")

    def update_plan(self, *, plan_id: int, change: Callable[[Programme], Programme]) -> StoredPlan:
        """Replace a plan's programme in place by ``change(programme)``, as one writer.

        The plan keeps its id, person, assessment, block and ``created_at`` (so the
        session logs stored against it and its adherence weeks stay as they were).
        ``change`` runs inside the transaction with the row locked (SQLite: the write
        lock; PostgreSQL: ``SELECT … FOR UPDATE``), so two edits never lose each other.

        Parameters
        ----------
        plan_id : int
            The plan to change.
        change : callable
            Returns the new programme from the stored one; an exception it raises
            leaves the plan untouched and propagates.

        Returns
        -------
        StoredPlan
            The plan as now stored.

        Raises
        ------
        NotFoundError
            If there is no plan with that id.
        InputError
            If the new programme has another block number than the plan.
        StoreError
            If the database fails; then the plan is unchanged.

        """
        with self._write_transaction("update the plan") as session:
            row = get_record(session, tables.Plan, plan_id, "plan", for_update=True)
            before = _stored_plan(row)
            programme = change(before.programme)
            if programme.block != row.block:
                raise InputError(
                    f"block {programme.block} differs from plan {plan_id}'s block {row.block}"
                )
            row.programme_json = programme.model_dump(mode="json")
            session.flush()
            return before.model_copy(update={"programme": programme})

    def latest_plan(
        self, *, person_name: str | None = None, person_id: int | None = None
    ) -> StoredPlan:
        """Load a person's newest plan (latest ``created_at``, then highest id).

        Parameters
        ----------
        person_name : str, optional
            The person's name, as saved (the command line's way; a name several people
            share is refused).
        person_id : int, optional
            The person's id (the web app's way); give this or ``person_name``.

        Returns
        -------
        StoredPlan
            The newest plan.

        Raises
        ------
        NotFoundError
            If nobody has that name, or the person has no plan.

        """
        with self._transaction("read the latest plan") as session:
            person = _find_person(session, person_name, person_id)
            return _stored_plan(
                _newest(session, tables.Plan, person, tables.Plan.created_at, "plan")
            )

    def plans(
        self, *, person_name: str | None = None, person_id: int | None = None
    ) -> list[StoredPlan]:
        """List a person's plans, oldest first (by ``created_at``, then id).

        Parameters
        ----------
        person_name : str, optional
            The person's name, as saved (the command line's way; a name several people
            share is refused).
        person_id : int, optional
            The person's id (the web app's way); give this or ``person_name``.

        Returns
        -------
        list of StoredPlan
            Every plan of the person; empty when there is none.

        Raises
        ------
        NotFoundError
            If nobody has that name.

        """
        with self._transaction("read the plans") as session:
            person = _find_person(session, person_name, person_id)
            return [_stored_plan(row) for row in person.plans]

    def save_session_log(self, *, log: SessionLog, person_id: int | None = None) -> int:
        """Save the log of a guided session for ``log.person``.

        Parameters
        ----------
        log : SessionLog
            The log; stored whole. ``log.person`` must be a stored name unless
            ``person_id`` is given;
            ``log.plan_id``, when set, must be one of that person's plans.
            ``started_at`` and ``finished_at`` are ISO 8601 times (a time without
            offset is read as UTC for the queryable columns; the JSON keeps the text).
        person_id : int, optional
            Whose log it is, by id (the web app's way); ``log.person`` is then only the
            name shown in the log.

        Returns
        -------
        int
            The id of the new log.

        Raises
        ------
        NotFoundError
            If nobody has that name or the plan does not exist.
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
        with self._write_transaction("save the session log") as session:
            person = _find_person(session, log.person if person_id is None else None, person_id)
            if log.plan_id is not None:
                _check_owned(session, tables.Plan, log.plan_id, "plan", person)
            return _insert(
                session,
                _session_log_row(log, person_id=person.id, started=started, finished=finished),
            )

    def session_logs(
        self, *, person_name: str | None = None, person_id: int | None = None
    ) -> list[StoredSessionLog]:
        """List a person's session logs, oldest first (by start time, then id).

        Parameters
        ----------
        person_name : str, optional
            The person's name, as saved (the command line's way; a name several people
            share is refused).
        person_id : int, optional
            The person's id (the web app's way); give this or ``person_name``.

        Returns
        -------
        list of StoredSessionLog
            One per saved session; ``log.plan_id`` is None when its plan was deleted.

        Raises
        ------
        NotFoundError
            If nobody has that name.

        """
        with self._transaction("read the session logs") as session:
            person = _find_person(session, person_name, person_id)
            return [_stored_session_log(row) for row in person.session_logs]

    def latest_of_people(self, *, person_ids: Sequence[int]) -> dict[int, PersonLatest]:
        """Read many people's newest assessment and plan and that plan's logs at once.

        A coach's client list shows this for every client: three queries whatever the
        number of clients, instead of three per client.

        Parameters
        ----------
        person_ids : sequence of int
            The people; ids of nobody are left out of the answer.

        Returns
        -------
        dict of int to PersonLatest
            Per person id: the newest assessment (latest date, then highest id) and plan
            (latest ``created_at``, then highest id), or None, and the plan's session
            logs, oldest first.

        """
        ids = sorted(set(person_ids))
        with self._transaction("read the clients' latest records") as session:
            assessments = _newest_of(session, tables.Assessment, tables.Assessment.taken_on, ids)
            plans = _newest_of(session, tables.Plan, tables.Plan.created_at, ids)
            logs = _logs_of_plans(session, plans)
            known = session.scalars(select(tables.Person.id).where(tables.Person.id.in_(ids)))
            return {
                person_id: _person_latest(assessments.get(person_id), plans.get(person_id), logs)
                for person_id in known
            }

    def export_person(
        self,
        *,
        fmt: Literal["json", "csv"],
        person_name: str | None = None,
        person_id: int | None = None,
    ) -> str:
        """Export everything stored about a person.

        Parameters
        ----------
        person_name : str, optional
            The person's name, as saved (the command line's way; a name several people
            share is refused).
        person_id : int, optional
            The person's id (the web app's way); give this or ``person_name``.
        fmt : {"json", "csv"}
            ``json``: the person, every assessment with its input and result, every
            plan and every session log (``{"format": "hiplab-person-export",
            "version": 2, "person": {…}, "assessments": [{"id", "taken_on",
            "created_at", "provenance", "refer", "input", "result"}, …],
            "plans": [{"id", "assessment_id", "block", "created_at", "programme"}, …],
            "session_logs": [{"id", "plan_id", "log"}, …]}``). ``csv``: one row per
            test result with the columns of :data:`CSV_COLUMNS`.

        Returns
        -------
        str
            The export text.

        Raises
        ------
        InputError
            If ``fmt`` is neither ``json`` nor ``csv``.
        NotFoundError
            If nobody has that name.

        """
        if fmt == "json":
            with self._transaction("export the person") as session:
                document = _person_document(_find_person(session, person_name, person_id))
            return json.dumps(document, indent=2, ensure_ascii=False)
        if fmt == "csv":
            with self._transaction("export the person") as session:
                person = _find_person(session, person_name, person_id)
                rows = session.execute(_test_results_query(person.id)).all()
                name = person.name
            return _csv(name, [StoredTestResult.model_validate(dict(r._mapping)) for r in rows])
        raise InputError(f"export format {fmt!r} is not supported; use 'json' or 'csv'")

    def backup(self, *, path: Path) -> Path:
        """Back the whole store up into a new file.

        Parameters
        ----------
        path : Path
            The new file. SQLite stores are copied as an SQLite database;
            PostgreSQL stores are dumped as JSON (see :mod:`hiplab.store.backup`).

        Returns
        -------
        Path
            The path written.

        Raises
        ------
        StoreError
            If the file already exists (never overwritten) or the copy fails; a
            failed backup leaves no file behind.

        """
        path = Path(path)
        if self._closed:
            raise StoreError(f"cannot back up: the store {self.url} is closed")
        backups.claim_new_file(path)
        try:
            if self.dialect == "sqlite":
                backups.sqlite_backup(self._engine, path)
            else:
                backups.json_dump(self._engine, path)
        except BaseException as exc:
            path.unlink(missing_ok=True)
            if isinstance(exc, DBAPIError):
                raise store_error("back up the store", self._engine.url, exc) from exc
            raise
        return path


def _clean_name(person_name: str) -> str:
    name = person_name.strip()
    if not name or len(name) > 120:
        raise InputError(f"person_name {person_name!r} must be 1 to 120 characters")
    return name


def _taken_on(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"date {value!r} is not a calendar date (YYYY-MM-DD)") from None


_aware = aware


def _upsert_person(
    session: Session, *, name: str | None, person_id: int | None, data: AssessmentInput
) -> tables.Person:
    """Return the person by id, or by name (created without a coach if nobody has it)."""
    if (name is None) == (person_id is None):
        raise TypeError("give exactly one of person_name and person_id")
    if person_id is not None:
        person: tables.Person | None = get_record(session, tables.Person, person_id, "person")
    else:
        assert name is not None
        person = person_named(session, name)
    if person is None:
        assert name is not None
        person = tables.Person(name=name, age=data.person.age, sex=data.person.sex.value)
        session.add(person)
    else:
        person.age = data.person.age
        person.sex = data.person.sex.value
    session.flush()
    return person


def _test_result_rows(result: Assessment, *, provenance: str) -> list[tables.TestResult]:
    return [
        tables.TestResult(
            test=value.test,
            side=value.side,
            value=value.value,
            unit=value.unit,
            provenance=provenance,
        )
        for value in result.values
    ]


_Row = TypeVar("_Row", tables.Assessment, tables.Plan)
_Model = TypeVar("_Model", bound=BaseModel)


def _newest(
    session: Session, table: type[_Row], person: tables.Person, when: Any, what: str
) -> _Row:
    """Return the person's newest row of ``table`` by ``when`` then id, or raise NotFoundError."""
    row = session.scalars(
        select(table)
        .where(table.person_id == person.id)
        .order_by(when.desc(), table.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFoundError(f"no {what} saved for {person.name!r}")
    return row


def _newest_of(
    session: Session, table: type[_Row], when: Any, person_ids: Sequence[int]
) -> dict[int, _Row]:
    """Each person's newest row of ``table`` by ``when`` then id, in one query."""
    rank = (
        func.row_number()
        .over(partition_by=table.person_id, order_by=(when.desc(), table.id.desc()))
        .label("rank")
    )
    ranked = select(table.id, rank).where(table.person_id.in_(person_ids)).subquery()
    rows = session.scalars(
        select(table).join(ranked, table.id == ranked.c.id).where(ranked.c.rank == 1)
    )
    return {row.person_id: row for row in rows}


def _logs_of_plans(
    session: Session, plans: dict[int, tables.Plan]
) -> dict[int, list[tables.SessionLogRow]]:
    """Per person, the logs that may count for their plan: of that plan or of no plan.

    Oldest first (by start time, then id), as :func:`hiplab.progress.build.plan_sessions`
    reads them.
    """
    log = tables.SessionLogRow
    found: dict[int, list[tables.SessionLogRow]] = {person_id: [] for person_id in plans}
    rows = session.scalars(
        select(log)
        .where(
            or_(
                log.plan_id.in_([plan.id for plan in plans.values()]),
                and_(log.plan_id.is_(None), log.person_id.in_(list(plans))),
            )
        )
        .order_by(log.started_at, log.id)
    )
    for row in rows:
        found[row.person_id].append(row)
    return found


def _person_latest(
    assessment: tables.Assessment | None,
    plan: tables.Plan | None,
    logs: dict[int, list[tables.SessionLogRow]],
) -> PersonLatest:
    return PersonLatest(
        assessment=None if assessment is None else _stored_assessment(assessment),
        plan=None if plan is None else _stored_plan(plan),
        plan_logs=()
        if plan is None
        else tuple(_stored_session_log(row) for row in logs[plan.person_id]),
    )


def _find_person(session: Session, person_name: str | None, person_id: int | None) -> tables.Person:
    """Return the person by id, or the one person with the name (close names on a miss).

    Raises
    ------
    TypeError
        Unless exactly one of the name and the id is given.
    NotFoundError
        If there is no such person.
    InputError
        If several people have the name (:func:`~hiplab.store.accounts.person_named`).

    """
    if (person_name is None) == (person_id is None):
        raise TypeError("give exactly one of person_name and person_id")
    if person_id is not None:
        return get_record(session, tables.Person, person_id, "person")
    assert person_name is not None
    name = person_name.strip()
    person = person_named(session, name)
    if person is not None:
        return person
    names = list(session.scalars(select(tables.Person.name).order_by(tables.Person.name)))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + " or ".join(repr(candidate) for candidate in close) + "?"
    elif names:
        hint = f"{len(names)} people are stored; list them with people()"
    else:
        hint = "the store is empty"
    raise NotFoundError(f"no person named {name!r}; {hint}")


def _check_owned(
    session: Session, table: type[_Row], record_id: int, what: str, person: tables.Person
) -> None:
    """Raise NotFoundError without the record, InputError if it is someone else's."""
    row = get_record(session, table, record_id, what)
    if row.person_id != person.id:
        raise InputError(
            f"{what}_id {record_id} belongs to {row.person.name!r}, not {person.name!r}"
        )


def _insert(session: Session, row: tables.Report | tables.Plan | tables.SessionLogRow) -> int:
    """Add a new row and return the id the database gave it."""
    session.add(row)
    session.flush()
    return row.id


def _plan_row(*, person_id: int, programme: Programme, assessment_id: int | None) -> tables.Plan:
    return tables.Plan(
        person_id=person_id,
        assessment_id=assessment_id,
        block=programme.block,
        programme_json=programme.model_dump(mode="json"),
    )


def _log_time(field: str, value: str) -> datetime:
    """Parse an ISO 8601 time of a session log into UTC (no offset: taken as UTC)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{field} {value!r} is not an ISO 8601 time (e.g. 2025-01-31T18:30:00+01:00)"
        ) from None
    return _aware(moment).astimezone(UTC)


def _stored_report(row: tables.Report) -> StoredReport:
    return StoredReport(
        id=row.id,
        assessment_id=row.assessment_id,
        format=row.format,
        content=row.text if row.text is not None else (row.data or b""),
        created_at=_aware(row.created_at),
    )


def _check_format(fmt: str) -> None:
    if not fmt or len(fmt) > _MAX_FORMAT_LENGTH:
        raise InputError(f"report format {fmt!r} must be 1 to 16 characters")


def _report_row(assessment_id: int, fmt: str, content: str | bytes) -> tables.Report:
    row = tables.Report(assessment_id=assessment_id, format=fmt)
    if isinstance(content, str):
        row.text = content
    else:
        row.data = bytes(content)
    return row


def _session_log_row(
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


def _read_json(model: type[_Model], document: Any, what: str) -> _Model:
    """Validate a stored JSON document; StoreError names the record if it no longer fits."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise StoreError(f"{what} was stored in a form this hiplab cannot read: {exc}") from exc


def _stored_plan(row: tables.Plan) -> StoredPlan:
    programme = _read_json(Programme, row.programme_json, f"plan {row.id}")
    return StoredPlan(
        id=row.id,
        person_id=row.person_id,
        person_name=row.person.name,
        assessment_id=row.assessment_id,
        block=row.block,
        created_at=_aware(row.created_at),
        programme=programme,
    )


def _stored_session_log(row: tables.SessionLogRow) -> StoredSessionLog:
    log = _read_json(SessionLog, row.log_json, f"session log {row.id}")
    # The column is authoritative: it becomes NULL when the plan is deleted.
    return StoredSessionLog(id=row.id, log=log.model_copy(update={"plan_id": row.plan_id}))


def _people_query() -> Select[Any]:
    assessment = tables.Assessment
    ranked = select(
        assessment.person_id,
        assessment.taken_on,
        assessment.refer,
        func.row_number()
        .over(
            partition_by=assessment.person_id,
            order_by=(assessment.taken_on.desc(), assessment.id.desc()),
        )
        .label("rank"),
        func.count().over(partition_by=assessment.person_id).label("n"),
    ).subquery()
    person = tables.Person
    return (
        select(person.name, person.age, person.sex, ranked.c.n, ranked.c.taken_on, ranked.c.refer)
        .outerjoin(ranked, and_(ranked.c.person_id == person.id, ranked.c.rank == 1))
        .order_by(person.name)
    )


def _test_results_query(
    person_id: int,
) -> Select[int, date, str, str | None, float, str, str]:
    result, assessment = tables.TestResult, tables.Assessment
    return (
        select(
            result.assessment_id,
            assessment.taken_on,
            result.test,
            result.side,
            result.value,
            result.unit,
            result.provenance,
        )
        .join(assessment, result.assessment_id == assessment.id)
        .where(assessment.person_id == person_id)
        .order_by(assessment.taken_on, assessment.id, result.id)
    )


def _finding_ids(result_json: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(finding["id"]) for finding in result_json.get("findings", ()))


def _assessment_summary(row: tables.Assessment) -> AssessmentSummary:
    finding_ids = _finding_ids(row.result_json)
    return AssessmentSummary.model_validate(
        {
            "id": row.id,
            "taken_on": row.taken_on,
            "provenance": row.provenance,
            "refer": row.refer,
            "n_findings": len(finding_ids),
            "finding_ids": finding_ids,
        }
    )


def _stored_assessment(row: tables.Assessment) -> StoredAssessment:
    data = _read_json(AssessmentInput, row.input_json, f"assessment {row.id}")
    result = _read_json(Assessment, row.result_json, f"assessment {row.id}")
    return StoredAssessment(
        id=row.id,
        person_id=row.person_id,
        person_name=row.person.name,
        taken_on=row.taken_on,
        created_at=_aware(row.created_at),
        data=data,
        result=result,
    )


def _person_document(person: tables.Person) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "person": {
            "name": person.name,
            "age": person.age,
            "sex": person.sex,
            "created_at": _aware(person.created_at).isoformat(),
        },
        "assessments": [
            {
                "id": row.id,
                "taken_on": row.taken_on.isoformat(),
                "created_at": _aware(row.created_at).isoformat(),
                "provenance": row.provenance,
                "refer": row.refer,
                "input": row.input_json,
                "result": row.result_json,
            }
            for row in person.assessments
        ],
        "plans": [
            {
                "id": row.id,
                "assessment_id": row.assessment_id,
                "block": row.block,
                "created_at": _aware(row.created_at).isoformat(),
                "programme": row.programme_json,
            }
            for row in person.plans
        ],
        "session_logs": [
            {"id": row.id, "plan_id": row.plan_id, "log": row.log_json}
            for row in person.session_logs
        ],
    }


def _csv(person_name: str, rows: list[StoredTestResult]) -> str:
    return csv_text(
        [
            CSV_COLUMNS,
            *(
                (
                    person_name.strip(),
                    row.taken_on.isoformat(),
                    row.assessment_id,
                    row.test,
                    row.side or "",
                    row.value,
                    row.unit,
                    row.provenance,
                )
                for row in rows
            ),
        ]
    )
