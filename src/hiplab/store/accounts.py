"""Logins (``app_user``), their sessions (``login_session``), coach ownership and people by id.

Mixed into :class:`~hiplab.store.Store`. The store never sees a password: callers
hash it (:mod:`hiplab.services.passwords`) and pass the hash. Inputs are checked here, at the
boundary, with :class:`~hiplab.errors.InputError` messages that name the field, the
value and what is allowed.

Sessions: the web app keeps a random id in each signed-in browser's cookie and gives
the store only the id's SHA-256 digest (64 hexadecimal characters), so the table never
holds a usable cookie. Logout ends one session; "log out everywhere" and a password
change end all of the login's sessions (and bump its ``session_epoch``).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from hiplab.errors import InputError, NotFoundError
from hiplab.records.intake import Sex
from hiplab.store import tables
from hiplab.store.core import StoreCore, aware, get_record, owner_of, storable
from hiplab.store.models import NewLogin, PersonRecord, Role, StoredUser

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254
MAX_NAME = 120
DIGEST_PATTERN = re.compile(r"^[0-9a-f]{64}$")
AGE_RANGE = (5, 110)
"""Allowed ages, the same as the assessment input's ``person.age``."""


def clean_email(email: str) -> str:
    """Return an e-mail address trimmed and lower-cased, or raise :class:`InputError`.

    Parameters
    ----------
    email : str
        The address as typed.

    Returns
    -------
    str
        The normalised address (the form stored and compared).

    Raises
    ------
    InputError
        If it is not ``name@domain.tld`` or is longer than 254 characters.

    Examples
    --------
    >>> clean_email("  Coach@Example.ORG ")
    'coach@example.org'

    """
    cleaned = email.strip().lower()
    if len(cleaned) > MAX_EMAIL or not EMAIL_PATTERN.match(cleaned):
        raise InputError(
            f"email {email!r} is not an e-mail address; allowed: name@domain.tld, "
            f"at most {MAX_EMAIL} characters"
        )
    return cleaned


def _clean_text(field: str, value: str) -> str:
    cleaned = value.strip()
    if not 1 <= len(cleaned) <= MAX_NAME:
        raise InputError(f"{field} {value!r} must be 1 to {MAX_NAME} characters")
    return cleaned


def _check_role(role: str) -> Role:
    if role == "coach":
        return "coach"
    if role == "client":
        return "client"
    raise InputError(f"role {role!r} is not allowed; allowed: {', '.join(tables.ROLES)}")


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


def _check_hash(password_hash: str) -> str:
    if not password_hash.startswith("$argon2"):
        raise InputError(
            "password_hash must be an argon2 hash (hiplab.services.passwords.hash_password)"
        )
    return password_hash


def _clean_login(login: NewLogin) -> NewLogin:
    return NewLogin(
        email=clean_email(login.email),
        display_name=_clean_text("display_name", login.display_name),
        password_hash=_check_hash(login.password_hash),
    )


class AccountMethods(StoreCore):
    """Store methods for logins, ownership and people by id."""

    def create_user(
        self,
        *,
        email: str,
        display_name: str,
        role: str,
        password_hash: str,
        person_id: int | None = None,
    ) -> StoredUser:
        """Create a login.

        Parameters
        ----------
        email : str
            Unique regardless of case; stored trimmed and lower-cased.
        display_name : str
            The name shown in the app (1 to 120 characters).
        role : {"coach", "client"}
            A coach looks after clients; a client sees only their own data.
        password_hash : str
            An argon2 hash (see :func:`hiplab.services.passwords.hash_password`).
        person_id : int or None
            A client's own person record (required for a client, refused for a coach);
            a person has at most one login.

        Returns
        -------
        StoredUser
            The new login.

        Raises
        ------
        InputError
            If a field is invalid, the e-mail is taken, or the person already has a login.
        NotFoundError
            If there is no person with ``person_id``.

        """
        login = _clean_login(
            NewLogin(email=email, display_name=display_name, password_hash=password_hash)
        )
        checked_role = _check_role(role)
        if (checked_role == "client") != (person_id is not None):
            raise InputError(
                f"role {role!r} with person_id {person_id!r}: a client login needs its "
                "person (person_id), a coach login has none"
            )
        with self._write_transaction("create the login") as session:
            if person_id is not None:
                _person_row(session, person_id)
            row = _add_user(session, login, role=checked_role, person_id=person_id)
            return _stored_user(row)

    def user_by_email(self, *, email: str) -> StoredUser | None:
        """Return the login with this e-mail address (any case), or None."""
        found = self.login_record(email=email)
        return None if found is None else found[0]

    def login_record(self, *, email: str) -> tuple[StoredUser, str] | None:
        """Return a login and its password hash by e-mail (any case), or None.

        An address that is not an e-mail address gives None, not an error, so a
        login form can answer every failure with the same words.
        """
        try:
            cleaned = clean_email(email)
        except InputError:
            return None
        with self._transaction("read the login") as session:
            row = session.scalars(
                select(tables.AppUser).where(tables.AppUser.email == cleaned)
            ).first()
            return None if row is None else (_stored_user(row), row.password_hash)

    def user_by_id(self, *, user_id: int) -> StoredUser:
        """Return the login with this id, or raise :class:`NotFoundError`."""
        with self._transaction("read the login") as session:
            return _stored_user(get_record(session, tables.AppUser, user_id, "login"))

    def set_password_hash(
        self, *, user_id: int, password_hash: str, keep_sessions: bool = False
    ) -> None:
        """Replace a login's password hash; a new password ends the login's sessions.

        Parameters
        ----------
        user_id : int
            The login.
        password_hash : str
            An argon2 hash (see :func:`hiplab.services.passwords.hash_password`).
        keep_sessions : bool
            True for a re-hash of the same password (stronger argon2 parameters at
            login): the sessions stay. Otherwise the password changed, and every
            session of the login, in every browser, is ended (``session_epoch`` + 1).

        """
        checked = _check_hash(password_hash)
        with self._write_transaction("change the password") as session:
            row = get_record(session, tables.AppUser, user_id, "login", for_update=True)
            row.password_hash = checked
            if not keep_sessions:
                row.session_epoch += 1
                _end_all(session, user_id)

    def end_sessions(self, *, user_id: int) -> int:
        """End every session of a login, in every browser ("log out everywhere").

        Every ``login_session`` of the login is marked ended and its ``session_epoch``
        goes up, so every session issued before is refused from the next request.

        Returns
        -------
        int
            The login's new epoch.

        Raises
        ------
        NotFoundError
            If there is no such login.

        """
        with self._write_transaction("end the login's sessions") as session:
            row = get_record(session, tables.AppUser, user_id, "login", for_update=True)
            row.session_epoch += 1
            _end_all(session, user_id)
            return row.session_epoch

    def start_login_session(self, *, user_id: int, digest: str, expired_before: datetime) -> None:
        """Record a new session of a login; forget its ended and expired ones.

        Parameters
        ----------
        user_id : int
            The login that signed in.
        digest : str
            SHA-256 of the session's random id, 64 lower-case hexadecimal characters.
        expired_before : datetime
            Sessions of this login started before this time have expired (the cookie's
            lifetime); they are deleted with the ended ones, so the table stays small.

        Raises
        ------
        InputError
            If ``digest`` is not such a digest.
        NotFoundError
            If there is no such login.

        """
        checked = _check_digest(digest)
        table = tables.LoginSession
        with self._write_transaction("start the session") as session:
            get_record(session, tables.AppUser, user_id, "login")
            session.execute(
                delete(table).where(
                    table.user_id == user_id,
                    or_(table.ended_at.is_not(None), table.created_at < expired_before),
                )
            )
            session.add(table(id=checked, user_id=user_id))

    def live_session_user(
        self, *, digest: str, user_id: int, started_after: datetime
    ) -> tuple[StoredUser, datetime] | None:
        """Return the login of a running session and when the session was last seen.

        A session runs when it exists, belongs to ``user_id``, has not ended and began
        after ``started_after``; anything else (a malformed digest, an id no table can
        hold) gives None.
        """
        if not DIGEST_PATTERN.match(digest) or not storable(user_id):
            return None
        table = tables.LoginSession
        with self._transaction("read the session") as session:
            found = session.execute(
                select(tables.AppUser, table.last_seen_at)
                .join(table, table.user_id == tables.AppUser.id)
                .where(
                    table.id == digest,
                    table.user_id == user_id,
                    table.ended_at.is_(None),
                    table.created_at > started_after,
                )
            ).first()
            return None if found is None else (_stored_user(found[0]), aware(found[1]))

    def touch_login_session(self, *, digest: str) -> None:
        """Set a session's ``last_seen_at`` to now (a malformed digest changes nothing)."""
        if not DIGEST_PATTERN.match(digest):
            return
        table = tables.LoginSession
        with self._write_transaction("note the session's use") as session:
            session.execute(
                update(table).where(table.id == digest).values(last_seen_at=tables.utcnow())
            )

    def end_login_session(self, *, digest: str) -> bool:
        """End one session (logout); return whether a running session was ended."""
        if not DIGEST_PATTERN.match(digest):
            return False
        table = tables.LoginSession
        with self._write_transaction("end the session") as session:
            ended = session.execute(
                update(table)
                .where(table.id == digest, table.ended_at.is_(None))
                .values(ended_at=tables.utcnow())
            )
            return bool(ended.rowcount)  # type: ignore[attr-defined]

    def create_person(
        self,
        *,
        name: str,
        age: int,
        sex: str,
        coach_id: int | None = None,
        login: NewLogin | None = None,
    ) -> PersonRecord:
        """Create a person, optionally looked after by a coach and with a client login.

        Parameters
        ----------
        name : str
            1 to 120 characters, unique among the coach's clients (another coach may
            have a client of that name) or, without a coach, among the people without one.
        age : int
            5 to 110, as in the assessment input.
        sex : {"female", "male", "other"}
            Used to select norms.
        coach_id : int or None
            The coach who looks after the person.
        login : NewLogin or None
            A client login for the person, created in the same transaction.

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
        clean_name = _clean_text("name", name)
        checked_sex = _check_person_fields(age, sex)
        login = None if login is None else _clean_login(login)
        with self._write_transaction("create the person") as session:
            if coach_id is not None:
                _check_coach(session, coach_id)
            _check_name_free(session, clean_name, owner_id=coach_id)
            person = tables.Person(
                name=clean_name, age=age, sex=checked_sex.value, owner_id=coach_id
            )
            session.add(person)
            session.flush()
            if coach_id is not None:
                _link(session, person_id=person.id, coach_id=coach_id)
            if login is not None:
                _add_user(session, login, role="client", person_id=person.id)
            return _person_record(session, person)

    def get_person(self, *, person_id: int) -> PersonRecord:
        """Return a person by id, or raise :class:`NotFoundError`."""
        with self._transaction("read the person") as session:
            return _person_record(session, _person_row(session, person_id))

    def find_person(self, *, name: str) -> PersonRecord:
        """Return the one person with this exact name (the command line's way to name one).

        Raises
        ------
        NotFoundError
            If nobody has the name.
        InputError
            If several people have it (clients of different coaches): see
            :func:`person_named`.

        """
        with self._transaction("read the person") as session:
            person = person_named(session, name.strip())
            if person is None:
                raise NotFoundError(f"no person named {name.strip()!r}")
            return _person_record(session, person)

    def people_of_coach(self, *, coach_id: int) -> list[PersonRecord]:
        """Return the people a coach looks after, by name (one query, logins joined)."""
        with self._transaction("list the coach's people") as session:
            rows = session.execute(
                select(tables.Person, tables.AppUser.email)
                .join(tables.CoachClient, tables.CoachClient.person_id == tables.Person.id)
                .outerjoin(tables.AppUser, tables.AppUser.person_id == tables.Person.id)
                .where(tables.CoachClient.coach_id == coach_id)
                .order_by(func.lower(tables.Person.name), tables.Person.id)
            ).all()
            return [_record(person, coach_id=coach_id, email=email) for person, email in rows]

    def assign_coach(self, *, person_id: int, coach_id: int) -> None:
        """Make ``coach_id`` the coach of ``person_id`` (replacing any other coach).

        Raises
        ------
        InputError
            If ``coach_id`` is not a coach, or the coach already has a client of the
            person's name.
        NotFoundError
            If there is no such person.

        """
        with self._write_transaction("assign the coach") as session:
            person = _person_row(session, person_id)
            _check_coach(session, coach_id)
            if person.owner_id != coach_id:
                _check_name_free(session, person.name, owner_id=coach_id)
            _link(session, person_id=person_id, coach_id=coach_id)

    def person_of_assessment(self, *, assessment_id: int) -> int:
        """Return the id of the person an assessment belongs to, or raise NotFoundError."""
        with self._transaction("read the assessment") as session:
            return owner_of(session, tables.Assessment, assessment_id, "assessment")


def _check_digest(digest: str) -> str:
    if not DIGEST_PATTERN.match(digest):
        raise InputError(
            "the session id must be a SHA-256 digest: 64 characters 0-9 and a-f; "
            f"got {len(digest)} characters"
        )
    return digest


def _end_all(session: Session, user_id: int) -> None:
    table = tables.LoginSession
    session.execute(
        update(table)
        .where(table.user_id == user_id, table.ended_at.is_(None))
        .values(ended_at=tables.utcnow())
    )


def _person_row(session: Session, person_id: int) -> tables.Person:
    return get_record(session, tables.Person, person_id, "person")


def person_named(session: Session, name: str) -> tables.Person | None:
    """Return the one person with exactly this name, or None when nobody has it.

    A name is unique among one coach's clients and among the people without a coach,
    so several people may share it; a name then names nobody in particular.

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


def _add_user(
    session: Session, login: NewLogin, *, role: Role, person_id: int | None
) -> tables.AppUser:
    taken = session.scalars(
        select(tables.AppUser.id).where(tables.AppUser.email == login.email)
    ).first()
    if taken is not None:
        # Logins are unique in the whole store, so do not say whose or whether: ask.
        raise InputError(
            f"the e-mail {login.email!r} cannot be used for a new login; ask the client "
            "whether they already have a hiplab login, or use another address"
        )
    if person_id is not None:
        has_login = session.scalars(
            select(tables.AppUser.id).where(tables.AppUser.person_id == person_id)
        ).first()
        if has_login is not None:
            raise InputError(f"person_id {person_id} already has a login")
    row = tables.AppUser(
        email=login.email,
        display_name=login.display_name,
        role=role,
        password_hash=login.password_hash,
        person_id=person_id,
    )
    session.add(row)
    session.flush()
    return row


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
    _person_row(session, person_id).owner_id = coach_id
    session.flush()


def _stored_user(row: tables.AppUser) -> StoredUser:
    return StoredUser(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        role=_check_role(row.role),
        person_id=row.person_id,
        created_at=aware(row.created_at),
        session_epoch=row.session_epoch,
    )


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
