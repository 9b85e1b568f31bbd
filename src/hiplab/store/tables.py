"""SQLAlchemy table models of the hiplab store.

Six tables: ``person`` (one row per name), ``assessment`` (one row per saved
assessment, with the validated input and the result kept as JSON), ``test_result``
(one row per measured value, for history and charts), ``report`` (rendered
reports; text formats in ``text``, binary ones such as PDF in ``data``), ``plan``
(one row per saved programme, the whole :class:`~hiplab.plan.models.Programme` as
JSON) and ``session_log`` (one row per guided session done, the whole
:class:`~hiplab.plan.models.SessionLog` as JSON plus queryable columns).

Conventions
-----------
* Every change to these models needs a numbered Alembic migration in
  ``hiplab/store/migrations/versions``; a test compares the two.
* Times are UTC; ``taken_on`` is the calendar date of the assessment.
* Deleting an assessment deletes its test results and reports (``ON DELETE CASCADE``);
  a plan made from it keeps existing with ``assessment_id`` set to NULL.
* Deleting a person deletes their assessments, plans and session logs; deleting a plan
  keeps its session logs with ``plan_id`` set to NULL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

PROVENANCES = ("self", "clinician", "video")
"""Where an assessment's values come from."""

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_PROVENANCE_CHECK = "provenance IN ('self', 'clinician', 'video')"


def utcnow() -> datetime:
    """Return the current time in UTC.

    Returns
    -------
    datetime
        A timezone-aware datetime.

    """
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable migration names)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class Person(Base):
    """A person, identified by a unique name; age and sex are the latest given."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    age: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="person", order_by=lambda: [Assessment.taken_on, Assessment.id]
    )
    plans: Mapped[list[Plan]] = relationship(
        back_populates="person",
        order_by=lambda: [Plan.created_at, Plan.id],
        passive_deletes=True,
    )
    session_logs: Mapped[list[SessionLogRow]] = relationship(
        back_populates="person",
        order_by=lambda: [SessionLogRow.started_at, SessionLogRow.id],
        passive_deletes=True,
    )


class Assessment(Base):
    """One saved assessment: its input and result as JSON, plus queryable columns."""

    __tablename__ = "assessment"
    __table_args__ = (
        CheckConstraint(_PROVENANCE_CHECK, name="provenance"),
        Index("ix_assessment_person_taken_on", "person_id", "taken_on", "id"),
        Index("ix_assessment_taken_on", "taken_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    taken_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    provenance: Mapped[str] = mapped_column(String(16))
    refer: Mapped[bool]
    input_json: Mapped[dict[str, Any]]
    result_json: Mapped[dict[str, Any]]

    person: Mapped[Person] = relationship(back_populates="assessments")
    test_results: Mapped[list[TestResult]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )
    reports: Mapped[list[Report]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )


class TestResult(Base):
    """One measured value of one assessment (test, side, value, unit)."""

    __tablename__ = "test_result"
    __table_args__ = (
        CheckConstraint(_PROVENANCE_CHECK, name="provenance"),
        CheckConstraint("side IS NULL OR side IN ('left', 'right')", name="side"),
        Index("ix_test_result_assessment_id", "assessment_id"),
        Index("ix_test_result_test", "test"),
    )
    __test__ = False  # not a pytest test class

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    test: Mapped[str] = mapped_column(String(80))
    side: Mapped[str | None] = mapped_column(String(8))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    provenance: Mapped[str] = mapped_column(String(16))

    assessment: Mapped[Assessment] = relationship(back_populates="test_results")


class Report(Base):
    """A rendered report: exactly one of ``text`` (HTML, Markdown…) or ``data`` (PDF) is set."""

    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint("(text IS NULL) <> (data IS NULL)", name="one_content"),
        Index("ix_report_assessment_id", "assessment_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="reports")


class Plan(Base):
    """A saved programme (one block) for a person, optionally made from an assessment."""

    __tablename__ = "plan"
    __table_args__ = (
        CheckConstraint("block >= 1", name="block"),
        Index("ix_plan_person_created_at", "person_id", "created_at", "id"),
        Index("ix_plan_assessment_id", "assessment_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL")
    )
    block: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    programme_json: Mapped[dict[str, Any]]

    person: Mapped[Person] = relationship(back_populates="plans")


class SessionLogRow(Base):
    """One guided session as done: the log as JSON plus the columns worth querying."""

    __tablename__ = "session_log"
    __table_args__ = (
        CheckConstraint("week >= 1", name="week"),
        CheckConstraint("completion >= 0 AND completion <= 1", name="completion"),
        CheckConstraint("discomfort IS NULL OR discomfort BETWEEN 0 AND 10", name="discomfort"),
        CheckConstraint("effort IS NULL OR effort BETWEEN 0 AND 10", name="effort"),
        Index("ix_session_log_person_started_at", "person_id", "started_at", "id"),
        Index("ix_session_log_plan_id", "plan_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"))
    week: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completion: Mapped[float] = mapped_column(Float)
    discomfort: Mapped[int | None] = mapped_column(Integer)
    effort: Mapped[int | None] = mapped_column(Integer)
    quit_early: Mapped[bool]
    log_json: Mapped[dict[str, Any]]

    person: Mapped[Person] = relationship(back_populates="session_logs")
