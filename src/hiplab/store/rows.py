"""Rows of the tables turned into the store's read models (:mod:`hiplab.store.models`).

Shared by the repositories: a plan read by :mod:`~hiplab.store.plans` and one read with
a person's latest records (:mod:`~hiplab.store.people`) are built the same way.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from hiplab.errors import StoreError
from hiplab.records.assessment import Assessment
from hiplab.records.intake import AssessmentInput
from hiplab.records.programme import Programme, SessionLog
from hiplab.store import tables
from hiplab.store.core import aware
from hiplab.store.models import StoredAssessment, StoredPlan, StoredReport, StoredSessionLog

_Model = TypeVar("_Model", bound=BaseModel)


def read_json(model: type[_Model], document: Any, what: str) -> _Model:
    """Validate a stored JSON document; StoreError names the record if it no longer fits."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise StoreError(f"{what} was stored in a form this hiplab cannot read: {exc}") from exc


def stored_assessment(row: tables.Assessment) -> StoredAssessment:
    """Return an assessment row with its input and result as validated models."""
    data = read_json(AssessmentInput, row.input_json, f"assessment {row.id}")
    result = read_json(Assessment, row.result_json, f"assessment {row.id}")
    return StoredAssessment(
        id=row.id,
        person_id=row.person_id,
        person_name=row.person.name,
        taken_on=row.taken_on,
        created_at=aware(row.created_at),
        data=data,
        result=result,
    )


def stored_plan(row: tables.Plan) -> StoredPlan:
    """Return a plan row with its programme as a validated model."""
    programme = read_json(Programme, row.programme_json, f"plan {row.id}")
    return StoredPlan(
        id=row.id,
        person_id=row.person_id,
        person_name=row.person.name,
        assessment_id=row.assessment_id,
        block=row.block,
        created_at=aware(row.created_at),
        programme=programme,
    )


def stored_session_log(row: tables.SessionLogRow) -> StoredSessionLog:
    """Return a session-log row; its plan id is the column's (NULL once the plan is gone)."""
    log = read_json(SessionLog, row.log_json, f"session log {row.id}")
    # The column is authoritative: it becomes NULL when the plan is deleted.
    return StoredSessionLog(id=row.id, log=log.model_copy(update={"plan_id": row.plan_id}))


def stored_report(row: tables.Report) -> StoredReport:
    """Return a report row; the content is text or bytes as it was saved."""
    return StoredReport(
        id=row.id,
        assessment_id=row.assessment_id,
        format=row.format,
        content=row.text if row.text is not None else (row.data or b""),
        created_at=aware(row.created_at),
    )
