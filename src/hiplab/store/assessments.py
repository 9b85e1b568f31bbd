"""Assessments with their test results and reports: ``store.assessments``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hiplab.errors import InputError, NotFoundError
from hiplab.records.assessment import Assessment
from hiplab.records.intake import PERSON_NAME_LENGTH, AssessmentInput
from hiplab.records.refs import PersonRef
from hiplab.store import tables
from hiplab.store.core import Repository, UnitOfWork, get_record, insert, owner_of
from hiplab.store.models import (
    AssessmentSummary,
    StoredAssessment,
    StoredReport,
    StoredTestResult,
)
from hiplab.store.people import find, newest_of, person_named
from hiplab.store.rows import read_json, stored_assessment, stored_report


@dataclass(frozen=True)
class SavedAssessment:
    """The ids :meth:`AssessmentRepository.save` created or used.

    Attributes
    ----------
    assessment_id : int
        The new assessment.
    person_id : int
        The person assessed (created by the save when named by a new name).
    report_ids : tuple of int
        The reports saved with it, in the order given.

    """

    assessment_id: int
    person_id: int
    report_ids: tuple[int, ...]


@dataclass(frozen=True)
class AssessedInput:
    """One stored assessment's input, with its id and date (no result parsed)."""

    id: int
    taken_on: date
    data: AssessmentInput


class AssessmentRepository(Repository):
    """Assessments, their test results and their reports (``store.assessments``)."""

    def save(
        self,
        *,
        person: PersonRef,
        data: AssessmentInput,
        result: Assessment,
        reports: Sequence[tuple[str, str | bytes]] = (),
        uow: UnitOfWork | None = None,
    ) -> SavedAssessment:
        """Save an assessment, its test values, and the person's latest age and sex.

        Parameters
        ----------
        person : PersonRef
            Who was assessed. By name (the command line's way) the person is created,
            without a coach, if nobody has the name; by id the person must exist.
        data : AssessmentInput
            The validated input; stored whole, ``data.date`` (or today) is the date.
        result : Assessment
            The result; stored whole, one test-result row per ``result.values`` item.
        reports : sequence of (format, content)
            Reports of this assessment stored in the same transaction (e.g. the
            video analysis a measured assessment came from): both or neither.
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        Returns
        -------
        SavedAssessment
            The ids of the new assessment, of its person and of its reports.

        Raises
        ------
        InputError
            If the name is empty or too long, ``data.date`` is not a calendar date,
            or a report format is not 1 to
            :data:`~hiplab.store.tables.REPORT_FORMAT_LENGTH` characters.
        StoreError
            If the database fails; then nothing of this assessment is stored.

        """
        if person.name is not None:
            check_person_name(person.name)
        taken_on = _taken_on(data.date)
        for fmt, _ in reports:
            check_format(fmt)
        with self._db.writes(uow, "save the assessment") as session:
            who = _upsert_person(session, person, data)
            row = tables.Assessment(
                person=who,
                taken_on=taken_on,
                provenance=data.provenance,
                refer=result.refer,
                input_json=data.model_dump(mode="json"),
                result_json=result.model_dump(mode="json"),
            )
            session.add(row)
            session.flush()
            row.test_results = _test_result_rows(result, provenance=data.provenance)
            report_ids = tuple(
                insert(session, _report_row(row.id, fmt, content)) for fmt, content in reports
            )
            session.flush()
            return SavedAssessment(assessment_id=row.id, person_id=who.id, report_ids=report_ids)

    def get(self, *, assessment_id: int, uow: UnitOfWork | None = None) -> StoredAssessment:
        """Load a saved assessment with its input and result.

        Raises
        ------
        NotFoundError
            If there is no assessment with that id.
        StoreError
            If the stored JSON no longer validates against the current models.

        """
        with self._db.reads(uow, "read the assessment") as session:
            row = get_record(session, tables.Assessment, assessment_id, "assessment")
            return stored_assessment(row)

    def owner(self, *, assessment_id: int, uow: UnitOfWork | None = None) -> int:
        """Return the id of the person an assessment belongs to, or raise NotFoundError."""
        with self._db.reads(uow, "read the assessment") as session:
            return owner_of(session, tables.Assessment, assessment_id, "assessment")

    def history(
        self, *, person: PersonRef, uow: UnitOfWork | None = None
    ) -> list[AssessmentSummary]:
        """List a person's assessments, oldest first (by date, then by id).

        Raises
        ------
        NotFoundError
            If there is no such person; for a name the message suggests close names.

        """
        with self._db.reads(uow, "read the history") as session:
            who = find(session, person)
            rows = session.scalars(
                select(tables.Assessment)
                .where(tables.Assessment.person_id == who.id)
                .order_by(tables.Assessment.taken_on, tables.Assessment.id)
            ).all()
            return [_assessment_summary(row) for row in rows]

    def of_person(
        self, *, person: PersonRef, uow: UnitOfWork | None = None
    ) -> list[StoredAssessment]:
        """Load every assessment of a person with its input and result, oldest first.

        Ordered by date, then by id (save order within a day).

        Raises
        ------
        NotFoundError
            If there is no such person.
        StoreError
            If a stored JSON document no longer validates against the current models.

        """
        with self._db.reads(uow, "read the assessments") as session:
            return [stored_assessment(row) for row in find(session, person).assessments]

    def inputs(self, *, person: PersonRef, uow: UnitOfWork | None = None) -> list[AssessedInput]:
        """Return a person's assessment inputs, oldest first, without parsing the results.

        A name nobody has gives an empty list (progress of nobody is no progress).
        """
        assessment = tables.Assessment
        with self._db.reads(uow, "read the assessment inputs") as session:
            try:
                person_id = find(session, person).id
            except NotFoundError:
                return []
            rows = session.execute(
                select(assessment.id, assessment.taken_on, assessment.input_json)
                .where(assessment.person_id == person_id)
                .order_by(assessment.taken_on, assessment.id)
            ).all()
        return [
            AssessedInput(
                id=i, taken_on=day, data=read_json(AssessmentInput, raw, f"assessment {i}")
            )
            for i, day, raw in rows
        ]

    def latest(self, *, person: PersonRef, uow: UnitOfWork | None = None) -> StoredAssessment:
        """Load a person's newest assessment (latest date, then highest id).

        Raises
        ------
        NotFoundError
            If there is no such person, or the person has no assessment.

        """
        table = tables.Assessment
        with self._db.reads(uow, "read the latest assessment") as session:
            who = find(session, person)
            row = newest_of(session, table, table.taken_on, [who.id]).get(who.id)
            if row is None:
                raise NotFoundError(f"no assessment saved for {who.name!r}")
            return stored_assessment(row)

    def test_results(
        self, *, person: PersonRef, uow: UnitOfWork | None = None
    ) -> list[StoredTestResult]:
        """List every measured value of a person, ordered by date, assessment and entry.

        Raises
        ------
        NotFoundError
            If there is no such person.

        """
        with self._db.reads(uow, "read the test results") as session:
            rows = session.execute(test_results_query(find(session, person).id)).all()
        return [StoredTestResult.model_validate(dict(row._mapping)) for row in rows]

    def save_report(
        self, *, assessment_id: int, fmt: str, content: str | bytes, uow: UnitOfWork | None = None
    ) -> int:
        """Save a rendered report of an assessment and return its id.

        Parameters
        ----------
        assessment_id : int
            The assessment the report renders.
        fmt : str
            Its format, e.g. ``"html"``, ``"md"``, ``"pdf"`` (at most
            :data:`~hiplab.store.tables.REPORT_FORMAT_LENGTH` characters).
        content : str or bytes
            Text for text formats, bytes for binary ones (PDF).
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        Raises
        ------
        InputError
            If ``fmt`` is empty or too long.
        NotFoundError
            If there is no assessment with that id.

        """
        check_format(fmt)
        with self._db.writes(uow, "save the report") as session:
            get_record(session, tables.Assessment, assessment_id, "assessment")
            return insert(session, _report_row(assessment_id, fmt, content))

    def get_report(self, *, report_id: int, uow: UnitOfWork | None = None) -> StoredReport:
        """Load a saved report (``content`` is ``str`` or ``bytes`` as it was saved).

        Raises
        ------
        NotFoundError
            If there is no report with that id.

        """
        with self._db.reads(uow, "read the report") as session:
            return stored_report(get_record(session, tables.Report, report_id, "report"))

    def reports(self, *, assessment_id: int, uow: UnitOfWork | None = None) -> list[StoredReport]:
        """List the saved reports of an assessment, oldest first.

        Raises
        ------
        NotFoundError
            If there is no assessment with that id.

        """
        with self._db.reads(uow, "read the reports") as session:
            get_record(session, tables.Assessment, assessment_id, "assessment")
            query = (
                select(tables.Report)
                .where(tables.Report.assessment_id == assessment_id)
                .order_by(tables.Report.id)
            )
            return [stored_report(row) for row in session.scalars(query)]


def check_person_name(name: str) -> str:
    """Return the name trimmed, or raise InputError unless 1 to PERSON_NAME_LENGTH long."""
    cleaned = name.strip()
    longest = PERSON_NAME_LENGTH
    if not 1 <= len(cleaned) <= longest:
        raise InputError(f"person_name {name!r} must be 1 to {longest} characters")
    return cleaned


def check_format(fmt: str) -> None:
    """Raise InputError unless ``fmt`` is 1 to REPORT_FORMAT_LENGTH characters."""
    longest = tables.REPORT_FORMAT_LENGTH
    if not 1 <= len(fmt) <= longest:
        raise InputError(f"report format {fmt!r} must be 1 to {longest} characters")


def _taken_on(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"date {value!r} is not a calendar date (YYYY-MM-DD)") from None


def _upsert_person(session: Session, person: PersonRef, data: AssessmentInput) -> tables.Person:
    """Return the person by id, or by name (created without a coach if nobody has it)."""
    found: tables.Person | None
    if person.id is not None:
        found = get_record(session, tables.Person, person.id, "person")
    else:
        assert person.name is not None  # a PersonRef has one of the two
        found = person_named(session, person.name)
    if found is None:
        assert person.name is not None
        found = tables.Person(name=person.name, age=data.person.age, sex=data.person.sex.value)
        session.add(found)
    else:
        found.age = data.person.age
        found.sex = data.person.sex.value
    session.flush()
    return found


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


def _report_row(assessment_id: int, fmt: str, content: str | bytes) -> tables.Report:
    row = tables.Report(assessment_id=assessment_id, format=fmt)
    if isinstance(content, str):
        row.text = content
    else:
        row.data = bytes(content)
    return row


def test_results_query(
    person_id: int,
) -> Select[int, date, str, str | None, float, str, str]:
    """Return the query of a person's test results with their dates, oldest first."""
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


def _finding_ids(result_json: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(finding["id"]) for finding in result_json.get("findings", ()))
