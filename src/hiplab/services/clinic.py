"""Use-cases of a coaching practice, shared by the web app and the CLI.

Logins (``hiplab user create``, the login form), a coach's people and their
dashboard rows, a person's overview, assessments entered for a person and their
reports. Keyword-only functions over an open :class:`~hiplab.store.Store` (the web
app keeps one open; the CLI opens one per command with
:func:`hiplab.services.storage.open_store_for`). No HTTP and no printing here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from hiplab.errors import InputError, NotFoundError
from hiplab.records.refs import PersonRef
from hiplab.services.assessments import AssessOutcome, ReportFormat, render_report
from hiplab.services.catalogue import library

if TYPE_CHECKING:
    from hiplab.records.account import Role
    from hiplab.records.assessment import Assessment
    from hiplab.records.intake import AssessmentInput
    from hiplab.store import (
        AssessmentSummary,
        PersonRecord,
        Store,
        StoredAssessment,
        StoredUser,
    )
    from hiplab.store.models import PersonLatest, StoredPlan, StoredSessionLog


@dataclass(frozen=True)
class Flags:
    """Safety flags of an assessment: red flags (see a clinician) and precautions.

    Each red flag is its reason followed by whom to see and how soon, in plain words.
    """

    refer: bool
    red_flags: tuple[str, ...]
    precautions: tuple[str, ...]


@dataclass(frozen=True)
class ClientRow:
    """One line of a coach's client list."""

    person: PersonRecord
    last_assessed: date | None
    flags: Flags | None
    adherence: str
    adherence_ratio: float | None


@dataclass(frozen=True)
class PersonOverview:
    """What a person's page shows: who, their latest assessment, history, adherence."""

    person: PersonRecord
    latest: StoredAssessment | None
    flags: Flags | None
    history: tuple[AssessmentSummary, ...]
    adherence: str


def create_login(
    *,
    store: Store,
    email: str,
    display_name: str,
    role: str,
    password: str,
    person_name: str | None = None,
) -> StoredUser:
    """Create a coach login, or a client login for an existing person (by name).

    Raises
    ------
    InputError
        If a field or the password breaks its rules, the e-mail is taken, a client has
        no ``person_name`` or a coach has one.
    NotFoundError
        If no person has ``person_name``.

    """
    from hiplab.services.passwords import hash_password

    if role == "client" and not person_name:
        raise InputError("a client login needs --person NAME (the client's stored person)")
    if role != "client" and person_name:
        raise InputError(f"--person is only for client logins, not for role {role!r}")
    person_id = store.people.get(person=PersonRef.named(person_name)).id if person_name else None
    return store.accounts.create_user(
        email=email,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
        person_id=person_id,
    )


def _verified_login(store: Store, email: str, password: str) -> tuple[StoredUser, str] | None:
    """Return the login and its hash when ``password`` is its password, else None.

    An unknown address costs the same argon2 work as a wrong password.
    """
    from hiplab.services.passwords import verify_or_waste_time

    found = store.accounts.login_record(email=email)
    if not verify_or_waste_time(None if found is None else found[1], password):
        return None
    return found


def authenticate(*, store: Store, email: str, password: str) -> StoredUser | None:
    """Return the login whose e-mail and password match, else None (whatever was wrong).

    An unknown address costs the same argon2 work as a wrong password. A hash made
    with older argon2 parameters is replaced after a successful check.
    """
    from hiplab.services.passwords import hash_password, needs_rehash

    found = _verified_login(store, email, password)
    if found is None:
        return None
    user, password_hash = found
    if needs_rehash(password_hash):
        store.accounts.set_password_hash(  # the same password: its sessions stay
            user_id=user.id, password_hash=hash_password(password), keep_sessions=True
        )
    return user


def change_password(*, store: Store, user: StoredUser, new: str, confirm: str) -> StoredUser:
    """Replace a login's password; return the login.

    The caller has checked the current password with :func:`authenticate` (the web
    layer does, where a wrong one counts against the login's attempts); it is not
    checked again here.

    The change ends every session of the login (its ``session_epoch`` goes up); the
    caller starts a new one for the browser that made the change, with the returned
    login's epoch.

    Raises
    ------
    InputError
        If the two new passwords differ, or the new one breaks the password rules
        (:func:`hiplab.services.passwords.check_password`).

    """
    from hiplab.services.passwords import hash_password

    if new != confirm:
        raise InputError("the new password and its repetition differ; type the same twice")
    store.accounts.set_password_hash(user_id=user.id, password_hash=hash_password(new))
    return store.accounts.by_id(user_id=user.id)


def create_client(
    *,
    store: Store,
    coach_id: int,
    name: str,
    age: int,
    sex: str,
    email: str | None = None,
    password: str | None = None,
) -> PersonRecord:
    """Create a person looked after by ``coach_id``, with a client login when ``email`` is set.

    Raises
    ------
    InputError
        If a field is invalid, the name or e-mail is taken, or only one of ``email``
        and ``password`` is given.

    """
    from hiplab.services.passwords import hash_password
    from hiplab.store import NewLogin

    if bool(email) != bool(password):
        raise InputError("a client login needs both email and password (or neither)")
    login = None
    if email and password:
        login = NewLogin(email=email, display_name=name, password_hash=hash_password(password))
    return store.people.create(name=name, age=age, sex=sex, coach_id=coach_id, login=login)


def flags_of(result: Assessment) -> Flags:
    """Return the safety flags of an assessment in plain words."""
    from hiplab.assess.safety import shown
    from hiplab.records.assessment import most_urgent_first
    from hiplab.report.html import precaution_view

    lib = library()
    return Flags(
        refer=result.refer,
        red_flags=tuple(flag.told for flag in most_urgent_first(result.red_flags)),
        precautions=tuple(precaution_view(p, lib).text for p in shown(result.precautions)),
    )


def adherence_of(store: Store, person: PersonRecord, *, today: date) -> tuple[str, float | None]:
    """Return adherence to the person's latest plan in words, and as a ratio (or None)."""
    try:
        plan = store.plans.latest(person=PersonRef.by_id(person.id))
    except NotFoundError:
        return adherence_in_words(None, (), today=today)
    return adherence_in_words(
        plan, store.logs.of_person(person=PersonRef.by_id(person.id)), today=today
    )


def adherence_in_words(
    plan: StoredPlan | None, logs: Sequence[StoredSessionLog], *, today: date
) -> tuple[str, float | None]:
    """Return adherence to ``plan`` in words and as a ratio (None without a plan or a start)."""
    from hiplab.progress._format import adherence_words
    from hiplab.progress.build import adherence

    if plan is None:
        return "no plan", None
    found = adherence(plan, logs, as_of=today)
    if found is None:
        return "plan starts later", None
    return adherence_words(found), found.ratio


def client_rows(*, store: Store, coach_id: int, today: date) -> list[ClientRow]:
    """Return a coach's people with their last assessment, flags and adherence.

    Four queries whatever the number of clients
    (:meth:`~hiplab.store.people.PeopleRepository.latest_of`).
    """
    with store.reading() as uow:  # one connection and transaction for all the reads
        people = store.people.of_coach(coach_id=coach_id, uow=uow)
        latest = store.people.latest_of(person_ids=[p.id for p in people], uow=uow)
    return [_client_row(person, latest[person.id], today) for person in people]


def _client_row(person: PersonRecord, latest: PersonLatest, today: date) -> ClientRow:
    words, ratio = adherence_in_words(latest.plan, latest.plan_logs, today=today)
    newest = latest.assessment
    return ClientRow(
        person=person,
        last_assessed=newest.taken_on if newest else None,
        flags=flags_of(newest.result) if newest else None,
        adherence=words,
        adherence_ratio=ratio,
    )


def person_overview(*, store: Store, person_id: int, today: date) -> PersonOverview:
    """Return a person, their latest assessment with its flags, history and adherence."""
    with store.reading() as uow:  # one connection and transaction for the reads
        person = store.people.get(person=PersonRef.by_id(person_id), uow=uow)
        latest = store.people.latest_of(person_ids=[person.id], uow=uow)[person.id]
        history = tuple(store.assessments.history(person=PersonRef.by_id(person.id), uow=uow))
    words, _ratio = adherence_in_words(latest.plan, latest.plan_logs, today=today)
    newest = latest.assessment
    return PersonOverview(
        person=person,
        latest=newest,
        flags=flags_of(newest.result) if newest else None,
        history=history,
        adherence=words,
    )


def tests_not_suggested(*, store: Store, person_id: int) -> dict[str, str]:
    """Return form path prefix → why, for each test (and side) unsafe for the person.

    Judged with today's safety rules on the person's latest answers (a hip replacement, a
    pregnancy…); a person with no assessment yet gets none.
    """
    from hiplab.assess.safety import precautions, withheld_test

    store.people.get(person=PersonRef.by_id(person_id))  # NotFoundError for nobody
    try:
        latest = store.assessments.latest(person=PersonRef.by_id(person_id))
    except NotFoundError:
        return {}
    rules = precautions(latest.data)
    out: dict[str, str] = {}
    for test in library().tests.values():
        withheld = withheld_test(test, rules)
        if withheld is None:
            continue
        head = "tests." + test.input_key.partition(".")[0]
        for prefix in [f"{head}.{side}" for side in withheld.sides] or [head]:
            out.setdefault(prefix, withheld.reason)
    return out


def parse_assessment(raw: Any) -> AssessmentInput:
    """Validate assessment input given as data (a form or a JSON body).

    The messages are the CLI's (:func:`hiplab.assess.parse.validate`): they name the
    dotted field, the value and what is allowed.
    """
    from hiplab.assess.parse import validate

    return validate(raw, source="input")


ENTERED_PROVENANCES: dict[Role, tuple[str, ...]] = {
    "coach": ("self", "clinician"),
    "client": ("self",),
}
"""Who measured, as each login may enter it in a form or the API. ``video`` is never
entered: it comes only from a finished analysis
(:func:`hiplab.services.videos.use_measurements`)."""


def check_provenance(*, provenance: str, recorded_by: Role) -> None:
    """Refuse a provenance the login entering the assessment may not claim.

    Parameters
    ----------
    provenance : {"self", "clinician", "video"}
        Who measured the values, as the input says.
    recorded_by : {"coach", "client"}
        The role of the login entering them.

    Raises
    ------
    InputError
        For ``clinician`` entered by a client (only a coach measures as a clinician) and
        for ``video`` entered by anyone (video values come from a finished analysis).

    """
    allowed = ENTERED_PROVENANCES[recorded_by]
    if provenance in allowed:
        return
    words = ", ".join(allowed)
    if provenance == "video":
        raise InputError(
            "provenance 'video' cannot be entered: values measured from a video are stored "
            "from the finished analysis ('Use these measurements in the assessment' on the "
            f"video's results page); allowed here: {words}"
        )
    raise InputError(
        f"provenance {provenance!r} is for values a coach measured; you can record values "
        f"you measured yourself; allowed: {words}"
    )


def record_assessment(
    *, store: Store, person_id: int, data: AssessmentInput, recorded_by: Role
) -> int:
    """Assess ``data`` and save it for the person; return the new assessment's id.

    Parameters
    ----------
    store : Store
        The open store.
    person_id : int
        The person measured.
    data : AssessmentInput
        The validated input.
    recorded_by : {"coach", "client"}
        The role of the login entering it; its provenance must be one this role may
        claim (:func:`check_provenance`).

    Raises
    ------
    InputError
        If the provenance is not allowed for ``recorded_by``.
    NotFoundError
        If there is no such person.

    """
    from hiplab.services.assessments import assess

    check_provenance(provenance=data.provenance, recorded_by=recorded_by)
    person = store.people.get(person=PersonRef.by_id(person_id))
    result = assess(data, library())
    return store.assessments.save(
        person=PersonRef.by_id(person.id), data=data, result=result
    ).assessment_id


def assessment_report(*, store: Store, assessment_id: int, fmt: ReportFormat) -> str | bytes:
    """Render a stored assessment as JSON, HTML or PDF (as ``hiplab assess -f`` does)."""
    stored = store.assessments.get(assessment_id=assessment_id)
    outcome = AssessOutcome(
        data=stored.data,
        result=stored.result,
        person=stored.person_name,
        date=stored.taken_on.isoformat(),
        assessment_id=stored.id,
    )
    return render_report(outcome, fmt)


def export_person(*, store: Store, person_id: int, fmt: Literal["json", "csv"]) -> str:
    """Export everything stored about a person (as ``hiplab export``)."""
    return store.archive.export_person(person=PersonRef.by_id(person_id), fmt=fmt)
