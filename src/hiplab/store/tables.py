"""SQLAlchemy table models of the hiplab store.

Ten tables. Six hold the domain: ``person`` (one row per name), ``assessment`` (one row per saved
assessment, with the validated input and the result kept as JSON), ``test_result``
(one row per measured value, for history and charts), ``report`` (rendered
reports; text formats in ``text``, binary ones such as PDF in ``data``), ``plan``
(one row per saved programme, the whole :class:`~hiplab.records.programme.Programme` as
JSON) and ``session_log`` (one row per guided session done, the whole
:class:`~hiplab.records.programme.SessionLog` as JSON plus queryable columns). Four serve the
web app: ``app_user`` (a login: coach or client; a client's row points at their own
``person``), ``coach_client`` (which coach looks after which person), ``job``
(background work such as a video analysis, with its state and progress) and
``login_session`` (one signed-in browser of a login, ended by its logout).

Conventions
-----------
* Every change to these models needs a numbered Alembic migration in
  ``hiplab/store/migrations/versions``; a test compares the two.
* Times are UTC; ``taken_on`` is the calendar date of the assessment.
* Deleting an assessment deletes its test results and reports (``ON DELETE CASCADE``);
  a plan made from it keeps existing with ``assessment_id`` set to NULL.
* Deleting a person deletes their assessments, plans and session logs; deleting a plan
  keeps its session logs with ``plan_id`` set to NULL.
* Ownership is a link table, ``coach_client``, rather than a ``person.coach_id``
  column: adding it needs no rebuild of ``person`` (on SQLite a rebuild would run
  the cascades of its children), and shared care (two coaches) later only means
  dropping the primary key on ``person_id``. Deleting a coach frees their people;
  deleting a person deletes their client login and their link.
* E-mail addresses are stored trimmed and lower-cased, so the unique constraint on
  ``app_user.email`` makes them unique regardless of case.
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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from hiplab.records.intake import PERSON_NAME_LENGTH

"""Where an assessment's values come from."""

# PERSON_NAME_LENGTH (defined on the record, re-exported above): the longest person name,
# and of a login's display name.
REPORT_FORMAT_LENGTH = 16
"""Longest report format name ("html", "md", "pdf", "video_analysis"…)."""
EMAIL_LENGTH = 254
"""Longest e-mail address of a login (RFC 5321's limit)."""

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
    """A person; age and sex are the latest given.

    The name is unique among one coach's clients (``owner_id``: the coach of the
    person's ``coach_client`` link, kept equal to it by the store), and among the people
    without a coach (the command line's, ``owner_id`` NULL: a partial unique index), so
    two coaches may each have an "Alex K." and neither learns of the other's (0007).
    ``owner_id`` is set to NULL when its coach is deleted; a name that then clashes
    with a person without a coach makes the database refuse the deletion.
    """

    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("owner_id", "name"),
        Index(
            "uq_person_name_unowned",
            "name",
            unique=True,
            sqlite_where=text("owner_id IS NULL"),
            postgresql_where=text("owner_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(PERSON_NAME_LENGTH))
    # use_alter: app_user also refers to person, so the two tables refer to each other
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL", use_alter=True)
    )
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
    format: Mapped[str] = mapped_column(String(REPORT_FORMAT_LENGTH))
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


class AppUser(Base):
    """A login of the web app: a coach, or a client tied to their own person record."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('coach', 'client')", name="role"),
        CheckConstraint(
            "(role = 'coach' AND person_id IS NULL) OR (role = 'client' AND person_id IS NOT NULL)",
            name="client_person",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(PERSON_NAME_LENGTH))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), unique=True
    )
    # Sessions carry the epoch they were issued at; a bump ends all older ones (0004).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class CoachClient(Base):
    """Which coach looks after a person (at most one coach per person for now)."""

    __tablename__ = "coach_client"
    __table_args__ = (Index("ix_coach_client_coach_id", "coach_id"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    coach_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """A unit of background work with its state, progress, input and outcome."""

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'failed', 'done')", name="state"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_job_state_created_at", "state", "created_at", "id"),
        Index("ix_job_owner_id", "owner_id"),
        Index("ix_job_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    payload_json: Mapped[dict[str, Any]]
    result_json: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginSession(Base):
    """One signed-in browser or client of a login, ended by its own logout.

    The cookie carries a random token; only its SHA-256 digest is stored (``id``), so a
    copy of this table cannot be replayed as cookies. A session counts while
    ``ended_at`` is NULL; logout sets it, "log out everywhere" and a password change
    set it on every session of the login.
    """

    __tablename__ = "login_session"
    __table_args__ = (Index("ix_login_session_user_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
