"""Logins (``app_user``) and their sessions (``login_session``): ``store.accounts``.

The store never sees a password: callers hash it (:mod:`hiplab.services.passwords`)
and pass the hash. Inputs are checked here, at the boundary, with
:class:`~hiplab.errors.InputError` messages that name the field, the value and what
is allowed.

Sessions: the web app keeps a random id in each signed-in browser's cookie and gives
the store only the id's SHA-256 digest (64 hexadecimal characters), so the table never
holds a usable cookie. Logout ends one session; "log out everywhere" and a password
change end all of the login's sessions (and bump its ``session_epoch``).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from hiplab.errors import InputError
from hiplab.records.account import ROLES, Role
from hiplab.records.intake import PERSON_NAME_LENGTH
from hiplab.store import tables
from hiplab.store.core import Repository, UnitOfWork, aware, get_record, storable
from hiplab.store.models import NewLogin, StoredUser

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = tables.EMAIL_LENGTH
MAX_NAME = PERSON_NAME_LENGTH
DIGEST_PATTERN = re.compile(r"^[0-9a-f]{64}$")


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
        If it is not ``name@domain.tld`` or is longer than :data:`MAX_EMAIL` characters.

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


def clean_text(field: str, value: str, longest: int) -> str:
    """Return ``value`` trimmed, or raise :class:`InputError` unless 1 to ``longest`` long."""
    cleaned = value.strip()
    if not 1 <= len(cleaned) <= longest:
        raise InputError(f"{field} {value!r} must be 1 to {longest} characters")
    return cleaned


def _check_role(role: str) -> Role:
    if role == "coach":
        return "coach"
    if role == "client":
        return "client"
    raise InputError(f"role {role!r} is not allowed; allowed: {', '.join(ROLES)}")


def _check_hash(password_hash: str) -> str:
    if not password_hash.startswith("$argon2"):
        raise InputError(
            "password_hash must be an argon2 hash (hiplab.services.passwords.hash_password)"
        )
    return password_hash


def clean_login(login: NewLogin) -> NewLogin:
    """Return a new login's fields checked and normalised, or raise :class:`InputError`."""
    return NewLogin(
        email=clean_email(login.email),
        display_name=clean_text("display_name", login.display_name, MAX_NAME),
        password_hash=_check_hash(login.password_hash),
    )


class AccountRepository(Repository):
    """Logins and their sessions (``store.accounts``)."""

    def create_user(
        self,
        *,
        email: str,
        display_name: str,
        role: str,
        password_hash: str,
        person_id: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> StoredUser:
        """Create a login.

        Parameters
        ----------
        email : str
            Unique regardless of case; stored trimmed and lower-cased.
        display_name : str
            The name shown in the app (1 to :data:`MAX_NAME` characters).
        role : {"coach", "client"}
            A coach looks after clients; a client sees only their own data.
        password_hash : str
            An argon2 hash (see :func:`hiplab.services.passwords.hash_password`).
        person_id : int or None
            A client's own person record (required for a client, refused for a coach);
            a person has at most one login.
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

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
        login = clean_login(
            NewLogin(email=email, display_name=display_name, password_hash=password_hash)
        )
        checked_role = _check_role(role)
        if (checked_role == "client") != (person_id is not None):
            raise InputError(
                f"role {role!r} with person_id {person_id!r}: a client login needs its "
                "person (person_id), a coach login has none"
            )
        with self._db.writes(uow, "create the login") as session:
            if person_id is not None:
                get_record(session, tables.Person, person_id, "person")
            row = add_user(session, login, role=checked_role, person_id=person_id)
            return _stored_user(row)

    def by_email(self, *, email: str, uow: UnitOfWork | None = None) -> StoredUser | None:
        """Return the login with this e-mail address (any case), or None."""
        found = self.login_record(email=email, uow=uow)
        return None if found is None else found[0]

    def login_record(
        self, *, email: str, uow: UnitOfWork | None = None
    ) -> tuple[StoredUser, str] | None:
        """Return a login and its password hash by e-mail (any case), or None.

        An address that is not an e-mail address gives None, not an error, so a
        login form can answer every failure with the same words.
        """
        try:
            cleaned = clean_email(email)
        except InputError:
            return None
        with self._db.reads(uow, "read the login") as session:
            row = session.scalars(
                select(tables.AppUser).where(tables.AppUser.email == cleaned)
            ).first()
            return None if row is None else (_stored_user(row), row.password_hash)

    def by_id(self, *, user_id: int, uow: UnitOfWork | None = None) -> StoredUser:
        """Return the login with this id, or raise :class:`NotFoundError`."""
        with self._db.reads(uow, "read the login") as session:
            return _stored_user(get_record(session, tables.AppUser, user_id, "login"))

    def set_password_hash(
        self,
        *,
        user_id: int,
        password_hash: str,
        keep_sessions: bool = False,
        uow: UnitOfWork | None = None,
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
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        """
        checked = _check_hash(password_hash)
        with self._db.writes(uow, "change the password") as session:
            row = get_record(session, tables.AppUser, user_id, "login", for_update=True)
            row.password_hash = checked
            if not keep_sessions:
                row.session_epoch += 1
                _end_all(session, user_id)

    def end_sessions(self, *, user_id: int, uow: UnitOfWork | None = None) -> int:
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
        with self._db.writes(uow, "end the login's sessions") as session:
            row = get_record(session, tables.AppUser, user_id, "login", for_update=True)
            row.session_epoch += 1
            _end_all(session, user_id)
            return row.session_epoch

    def start_session(
        self, *, user_id: int, digest: str, expired_before: datetime, uow: UnitOfWork | None = None
    ) -> None:
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
        uow : UnitOfWork, optional
            Run inside this unit of work instead of a new one.

        Raises
        ------
        InputError
            If ``digest`` is not such a digest.
        NotFoundError
            If there is no such login.

        """
        checked = _check_digest(digest)
        table = tables.LoginSession
        with self._db.writes(uow, "start the session") as session:
            get_record(session, tables.AppUser, user_id, "login")
            session.execute(
                delete(table).where(
                    table.user_id == user_id,
                    or_(table.ended_at.is_not(None), table.created_at < expired_before),
                )
            )
            session.add(table(id=checked, user_id=user_id))

    def live_session_user(
        self, *, digest: str, user_id: int, started_after: datetime, uow: UnitOfWork | None = None
    ) -> tuple[StoredUser, datetime] | None:
        """Return the login of a running session and when the session was last seen.

        A session runs when it exists, belongs to ``user_id``, has not ended and began
        after ``started_after``; anything else (a malformed digest, an id no table can
        hold) gives None.
        """
        if not DIGEST_PATTERN.match(digest) or not storable(user_id):
            return None
        table = tables.LoginSession
        with self._db.reads(uow, "read the session") as session:
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

    def touch_session(self, *, digest: str, uow: UnitOfWork | None = None) -> None:
        """Set a session's ``last_seen_at`` to now (a malformed digest changes nothing)."""
        if not DIGEST_PATTERN.match(digest):
            return
        table = tables.LoginSession
        with self._db.writes(uow, "note the session's use") as session:
            session.execute(
                update(table).where(table.id == digest).values(last_seen_at=tables.utcnow())
            )

    def end_session(self, *, digest: str, uow: UnitOfWork | None = None) -> bool:
        """End one session (logout); return whether a running session was ended."""
        if not DIGEST_PATTERN.match(digest):
            return False
        table = tables.LoginSession
        with self._db.writes(uow, "end the session") as session:
            ended = session.execute(
                update(table)
                .where(table.id == digest, table.ended_at.is_(None))
                .values(ended_at=tables.utcnow())
            )
            return bool(ended.rowcount)  # type: ignore[attr-defined]


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


def add_user(
    session: Session, login: NewLogin, *, role: Role, person_id: int | None
) -> tables.AppUser:
    """Add a checked login (:func:`clean_login`) in an open transaction.

    Raises
    ------
    InputError
        If the e-mail is taken (the message does not say by whom) or the person
        already has a login.

    """
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
