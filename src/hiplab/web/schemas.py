"""Request and response bodies of the REST API (kept apart from the store's read models).

Request bodies take plain types: the values are checked by the store and the domain,
so the API answers with the same messages as the CLI (422, ``{"detail": message}``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from hiplab.records.account import Role
from hiplab.store import MAX_RECORD_ID, PersonRecord

RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
"""An id in a request body: the range a table can hold, declared so clients see it."""


class ApiModel(BaseModel):
    """Base of the API bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class MeOut(ApiModel):
    """The logged-in user and the session's CSRF token (send it as ``X-CSRF-Token``)."""

    id: int
    email: str
    display_name: str
    role: Role
    person_id: int | None
    csrf_token: str


class PersonCreate(ApiModel):
    """A new client of the calling coach; ``email`` and ``password`` create their login."""

    name: str = Field(max_length=1000)
    age: int
    sex: str = Field(max_length=20)
    email: str | None = Field(default=None, max_length=1000)
    password: str | None = Field(default=None, max_length=2000)


class PersonOut(ApiModel):
    """A person as the API shows it."""

    id: int
    name: str
    age: int
    sex: str
    has_login: bool
    created_at: datetime

    @classmethod
    def of(cls, person: PersonRecord) -> PersonOut:
        """Return the API view of a stored person."""
        return cls(
            id=person.id,
            name=person.name,
            age=person.age,
            sex=person.sex.value,
            has_login=person.login_email is not None,
            created_at=person.created_at,
        )


class AssessmentOut(ApiModel):
    """A stored assessment: its input (as entered) and its result."""

    id: int
    person_id: int
    taken_on: date
    created_at: datetime
    input: dict[str, Any]
    result: dict[str, Any]
