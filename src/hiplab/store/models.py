"""Read models returned by the store: frozen, typed, apart from the table models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from hiplab.records.account import Role
from hiplab.records.assessment import Assessment
from hiplab.records.intake import AssessmentInput, Sex
from hiplab.records.programme import Programme, SessionLog

Provenance = Literal["self", "clinician", "video"]
JobState = Literal["queued", "running", "failed", "done"]


class StoreModel(BaseModel):
    """Base of the read models: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonSummary(StoreModel):
    """One person with the count and the latest of their assessments."""

    name: str
    age: int
    sex: Sex
    n_assessments: int
    last_assessed: date | None
    last_refer: bool | None


class AssessmentSummary(StoreModel):
    """One line of a person's history."""

    id: int
    taken_on: date
    provenance: Provenance
    refer: bool
    n_findings: int
    finding_ids: tuple[str, ...]


class StoredAssessment(StoreModel):
    """A saved assessment with its input and its result, as validated models."""

    id: int
    person_id: int
    person_name: str
    taken_on: date
    created_at: datetime
    data: AssessmentInput
    result: Assessment


class StoredTestResult(StoreModel):
    """One measured value of a person's history, with its date and source."""

    assessment_id: int
    taken_on: date
    test: str
    side: Literal["left", "right"] | None
    value: float
    unit: str
    provenance: Provenance


class StoredReport(StoreModel):
    """A saved report: ``content`` is ``str`` for text formats, ``bytes`` for binary ones."""

    id: int
    assessment_id: int
    format: str
    content: str | bytes
    created_at: datetime


class StoredPlan(StoreModel):
    """A saved programme with its id, owner, source assessment and block number."""

    id: int
    person_id: int
    person_name: str
    assessment_id: int | None
    block: int
    created_at: datetime
    programme: Programme


class StoredSessionLog(StoreModel):
    """A saved guided-session log; ``log.plan_id`` is the plan it is stored against."""

    id: int
    log: SessionLog


class PersonLatest(StoreModel):
    """A person's newest assessment and plan, and the session logs of that plan."""

    assessment: StoredAssessment | None
    plan: StoredPlan | None
    plan_logs: tuple[StoredSessionLog, ...]


class StoredUser(StoreModel):
    """A login without its password hash; ``person_id`` is a client's own person.

    ``session_epoch`` is the generation of the login's sessions: a session issued at
    another epoch is ended (see :mod:`hiplab.web.security`).
    """

    id: int
    email: str
    display_name: str
    role: Role
    person_id: int | None
    created_at: datetime
    session_epoch: int


class PersonRecord(StoreModel):
    """A person by id, with the coach who looks after them and their login, if any."""

    id: int
    name: str
    age: int
    sex: Sex
    coach_id: int | None
    login_email: str | None
    created_at: datetime


class StoredJob(StoreModel):
    """A background job: what to do (``kind``, ``payload``), its state and its outcome."""

    id: int
    kind: str
    state: JobState
    owner_id: int | None
    person_id: int | None
    payload: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    progress: float
    attempts: int
    created_at: datetime
    updated_at: datetime
    lease_owner: str | None = None
    """The worker holding a running job (:func:`hiplab.store.jobs.worker_id`), else None."""


class NewLogin(StoreModel):
    """A login to create: the address, the name shown and the argon2 hash of the password."""

    email: str
    display_name: str
    password_hash: str
