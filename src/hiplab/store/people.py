"""People (table ``person``), their coach, and the one way to find a person (:func:`find`).

A store method that is about a person takes a :class:`~hiplab.records.refs.PersonRef`.

A person is named by id (the web app's way) or by name (the command line's way). A
name is unique among one coach's clients and among the people without a coach, so a
name several people share names nobody in particular and is refused.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from hiplab.errors import InputError, NotFoundError
from hiplab.records.intake import PERSON_NAME_LENGTH, Sex
from hiplab.records.refs import PersonRef
from hiplab.store import tables
from hiplab.store.accounts import add_user, clean_login, clean_text
from hiplab.store.core import Repository, UnitOfWork, aware, get_record, storable
from hiplab.store.models import NewLogin, PersonLatest, PersonRecord, PersonSummary
from hiplab.store.rows import stored_assessment, stored_plan, stored_session_log

AGE_RANGE = (5, 110)
"""Allowed ages, the same as the assessment input's ``person.age``."""


def find(session: Session, person: PersonRef) -> tables.Person:
    """Return the person's row (close names are suggested when a name names nobody).

    Raises
    ------
    NotFoundError
        If there is no such person.
    InputError
        If several people have the name (:func:`person_named`).

    """
    if person.id is not None:
        return get_record(session, tables.Person, person.id, "person")
    assert person.name is not None  # a PersonRef has one of the two
    found = person_named(session, person.name)
    if found is not None:
        return found
    raise NotFoundError(f"no person named {person.name!r}; {_hint(session, person.name)}")


def _hint(session: Session, name: str) -> str:
    names = list(session.scalars(select(tables.Person.name).order_by(tables.Person.name)))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(candidate) for candidate in close) + "?"
    if names:
        return f"{len(names)} people are stored; list them with people()"
    return "the store is empty"


def person_named(session: Session, name: str) -> tables.Person | None:
    """Return the one person with exactly this name, or None when nobody has it.

    Raises
    ------
    InputError
        If more than one person has the name.

    """
    found = session.scalars(select(tables.Person).where(tables.Person.name == name).limit(2)).all()
    if len(found) > 1:
        raise InputError(
            f"more than one person is named {name!r} (clients of different coaches), so the "
            "name does not say which one; open them in the web app, where each coach sees "
            "their own clients"
        )
    return found[0] if found else None


class PeopleRepository(Repository):
    """People: create, look up, list, and who coaches them (``store.people``)."""

    def create(
        self,
        *,
        name: str,
        age: int,
        sex: str,
        coach_id: int | None = None,
        login: NewLogin | None = None,
        uow: UnitOfWork | None = None,
    ) -> PersonRecord:
        """Create a person, optionally looked after by a coach and with a client login.

        Parameters
        ----------
        name : str
            1 to :data:`~hiplab.records.intake.PERSON_NAME_LENGTH` characters, unique among
            the coach's clients (another coach may have a client of that name) or,
            without a coach, among the people without one.
        age : int
            5 to 110, as in the assessment input.
        sex : {"female", "male", "other"}
            Used to select norms.
        coach_id : int or None
            The coach who looks after the person.
        login : NewLogin or None
            A client login for the person, created in the same transaction.
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        Returns
        -------
        PersonRecord
            The new person.

        Raises
        ------
        InputError
            If a field is invalid, the name is taken in its scope, the e-mail cannot be
            used (the message does not say whether someone has it), or ``coach_id`` is
            not a coach.

        """
        clean_name = clean_text("name", name, PERSON_NAME_LENGTH)
        checked_sex = _check_person_fields(age, sex)
        login = None if login is None else clean_login(login)
        with self._db.writes(uow, "create the person") as session:
            if coach_id is not None:
                _check_coach(session, coach_id)
            _check_name_free(session, clean_name, owner_id=coach_id)
            row = tables.Person(name=clean_name, age=age, sex=checked_sex.value, owner_id=coach_id)
            session.add(row)
            session.flush()
            if coach_id is not None:
                _link(session, person_id=row.id, coach_id=coach_id)
            if login is not None:
                add_user(session, login, role="client", person_id=row.id)
            return _person_record(session, row)

    def get(self, *, person: PersonRef, uow: UnitOfWork | None = None) -> PersonRecord:
        """Return a person with their coach and login, or raise :class:`NotFoundError`."""
        with self._db.reads(uow, "read the person") as session:
            return _person_record(session, find(session, person))

    def summaries(self, *, uow: UnitOfWork | None = None) -> list[PersonSummary]:
        """List everyone in the store, by name.

        Returns
        -------
        list of PersonSummary
            Name, latest age and sex, number of assessments, and the date and refer
            decision of the latest assessment (None when there is none).

        """
        with self._db.reads(uow, "list people") as session:
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

    def of_coach(self, *, coach_id: int, uow: UnitOfWork | None = None) -> list[PersonRecord]:
        """Return the people a coach looks after, by name (one query, logins joined)."""
        with self._db.reads(uow, "list the coach's people") as session:
            rows = session.execute(
                select(tables.Person, tables.AppUser.email)
                .join(tables.CoachClient, tables.CoachClient.person_id == tables.Person.id)
                .outerjoin(tables.AppUser, tables.AppUser.person_id == tables.Person.id)
                .where(tables.CoachClient.coach_id == coach_id)
                .order_by(func.lower(tables.Person.name), tables.Person.id)
            ).all()
            return [_record(person, coach_id=coach_id, email=email) for person, email in rows]

    def assign_coach(
        self, *, person: PersonRef, coach_id: int, uow: UnitOfWork | None = None
    ) -> None:
        """Make ``coach_id`` the coach of the person (replacing any other coach).

        Raises
        ------
        InputError
            If ``coach_id`` is not a coach, or the coach already has a client of the
            person's name.
        NotFoundError
            If there is no such person.

        """
        with self._db.writes(uow, "assign the coach") as session:
            row = find(session, person)
            _check_coach(session, coach_id)
            if row.owner_id != coach_id:
                _check_name_free(session, row.name, owner_id=coach_id)
            _link(session, person_id=row.id, coach_id=coach_id)

    def latest_of(
        self, *, person_ids: Sequence[int], uow: UnitOfWork | None = None
    ) -> dict[int, PersonLatest]:
        """Read many people's newest assessment and plan and that plan's logs at once.

        A coach's client list shows this for every client: three queries whatever the
        number of clients, instead of three per client.

        Parameters
        ----------
        person_ids : sequence of int
            The people; ids of nobody are left out of the answer.
        uow : UnitOfWork, optional
            Read inside this unit of work instead of a new one.

        Returns
        -------
        dict of int to PersonLatest
            Per person id: the newest assessment (latest date, then highest id) and plan
            (latest ``created_at``, then highest id), or None, and the plan's session
            logs, oldest first.

        """
        ids = sorted(set(person_ids))
        with self._db.reads(uow, "read the clients' latest records") as session:
            assessments = newest_of(session, tables.Assessment, tables.Assessment.taken_on, ids)
            plans = newest_of(session, tables.Plan, tables.Plan.created_at, ids)
            logs = _logs_of_plans(session, plans)
            known = session.scalars(select(tables.Person.id).where(tables.Person.id.in_(ids)))
            return {
                person_id: _person_latest(assessments.get(person_id), plans.get(person_id), logs)
                for person_id in known
            }


def _check_person_fields(age: int, sex: str) -> Sex:
    low, high = AGE_RANGE
    if not low <= age <= high:
        raise InputError(f"age {age} is not allowed; allowed: {low} to {high}")
    try:
        return Sex(sex)
    except ValueError:
        raise InputError(
            f"sex {sex!r} is not allowed; allowed: {', '.join(s.value for s in Sex)}"
        ) from None


def _check_name_free(session: Session, name: str, *, owner_id: int | None) -> None:
    """Refuse a name already used in its scope: the coach's clients, or the coachless."""
    scope = (
        tables.Person.owner_id.is_(None) if owner_id is None else tables.Person.owner_id == owner_id
    )
    taken = session.scalars(
        select(tables.Person.id).where(tables.Person.name == name, scope).limit(1)
    ).first()
    if taken is None:
        return
    if owner_id is None:
        raise InputError(f"name {name!r} is already taken; choose another name")
    raise InputError(
        f"you already have a client named {name!r}; choose another name, e.g. with an "
        "initial or a number"
    )


def _check_coach(session: Session, coach_id: int) -> None:
    coach = session.get(tables.AppUser, coach_id) if storable(coach_id) else None
    if coach is None or coach.role != "coach":
        raise InputError(f"coach_id {coach_id} is not a coach login")


def _link(session: Session, *, person_id: int, coach_id: int) -> None:
    """Link a person to their coach; the person's name scope follows (``owner_id``)."""
    _check_coach(session, coach_id)
    link = session.get(tables.CoachClient, person_id)
    if link is None:
        session.add(tables.CoachClient(person_id=person_id, coach_id=coach_id))
    else:
        link.coach_id = coach_id
    get_record(session, tables.Person, person_id, "person").owner_id = coach_id
    session.flush()


def _person_record(session: Session, person: tables.Person) -> PersonRecord:
    coach_id = session.scalars(
        select(tables.CoachClient.coach_id).where(tables.CoachClient.person_id == person.id)
    ).first()
    email = session.scalars(
        select(tables.AppUser.email).where(tables.AppUser.person_id == person.id)
    ).first()
    return _record(person, coach_id=coach_id, email=email)


def _record(person: tables.Person, *, coach_id: int | None, email: str | None) -> PersonRecord:
    return PersonRecord(
        id=person.id,
        name=person.name,
        age=person.age,
        sex=Sex(person.sex),
        coach_id=coach_id,
        login_email=email,
        created_at=aware(person.created_at),
    )


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


_Row = TypeVar("_Row", tables.Assessment, tables.Plan)


def newest_of(
    session: Session, table: type[_Row], when: Any, person_ids: Sequence[int]
) -> dict[int, _Row]:
    """Each person's newest row of ``table`` by ``when`` then id, in one query.

    The one way the store finds a newest assessment or plan, for one person or many.
    """
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
        assessment=None if assessment is None else stored_assessment(assessment),
        plan=None if plan is None else stored_plan(plan),
        plan_logs=()
        if plan is None
        else tuple(stored_session_log(row) for row in logs[plan.person_id]),
    )


def check_owned(
    session: Session, table: Any, record_id: int, what: str, person: tables.Person
) -> None:
    """Raise NotFoundError without the record, InputError if it is someone else's."""
    row = get_record(session, table, record_id, what)
    if row.person_id != person.id:
        raise InputError(
            f"{what}_id {record_id} belongs to {row.person.name!r}, not {person.name!r}"
        )
