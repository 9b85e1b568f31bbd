"""Logins, coach ownership and people by id."""

from __future__ import annotations

import pytest

from hiplab.errors import InputError, NotFoundError
from hiplab.services.passwords import hash_password
from hiplab.store import NewLogin, PersonRef, Store
from tests.store.old_logins import OLD_EMAIL, login_emails, store_with_old_login

HASH = hash_password("a long enough password")


def _coach(store: Store, email: str = "coach@example.org") -> int:
    return store.accounts.create_user(
        email=email, display_name="Coach", role="coach", password_hash=HASH
    ).id


def test_emails_are_unique_whatever_their_case(store: Store) -> None:
    user = store.accounts.create_user(
        email="  Dana@Example.ORG ", display_name=" Dana ", role="coach", password_hash=HASH
    )
    assert (user.email, user.display_name, user.role, user.person_id) == (
        "dana@example.org",
        "Dana",
        "coach",
        None,
    )
    refused = r"the e-mail 'dana@example\.org' cannot be used for a new login; ask the client"
    with pytest.raises(InputError, match=refused):
        store.accounts.create_user(
            email="DANA@example.org", display_name="D", role="coach", password_hash=HASH
        )
    found = store.accounts.login_record(email="dAnA@example.org")
    assert found is not None and found[0] == user and found[1] == HASH
    assert store.accounts.by_email(email="nobody@example.org") is None
    assert store.accounts.login_record(email="not an address") is None
    assert store.accounts.by_id(user_id=user.id) == user


def test_login_fields_are_checked_at_the_boundary(store: Store) -> None:
    with pytest.raises(InputError, match="email 'x@' is not an e-mail address"):
        store.accounts.create_user(email="x@", display_name="X", role="coach", password_hash=HASH)
    with pytest.raises(InputError, match="role 'admin' is not allowed; allowed: coach, client"):
        store.accounts.create_user(
            email="x@y.org", display_name="X", role="admin", password_hash=HASH
        )
    with pytest.raises(InputError, match="a client login needs its person"):
        store.accounts.create_user(
            email="x@y.org", display_name="X", role="client", password_hash=HASH
        )
    with pytest.raises(InputError, match="must be an argon2 hash"):
        store.accounts.create_user(
            email="x@y.org", display_name="X", role="coach", password_hash="plain"
        )
    with pytest.raises(NotFoundError, match="no person with id 99"):
        store.accounts.create_user(
            email="x@y.org", display_name="X", role="client", password_hash=HASH, person_id=99
        )


def test_a_coach_sees_only_their_people(store: Store) -> None:
    coach_a, coach_b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    login = NewLogin(email="Zoe@Example.org", display_name="Zoe", password_hash=HASH)
    zoe = store.people.create(name="Zoe", age=30, sex="female", coach_id=coach_a, login=login)
    adam = store.people.create(name="adam", age=40, sex="male", coach_id=coach_a)
    store.people.create(name="Bea", age=50, sex="other", coach_id=coach_b)
    assert [p.name for p in store.people.of_coach(coach_id=coach_a)] == ["adam", "Zoe"]
    assert zoe.coach_id == coach_a and zoe.login_email == "zoe@example.org"
    assert adam.login_email is None
    client = store.accounts.by_email(email="zoe@example.org")
    assert client is not None and (client.role, client.person_id) == ("client", zoe.id)
    store.people.assign_coach(person=PersonRef.by_id(adam.id), coach_id=coach_b)
    assert [p.name for p in store.people.of_coach(coach_id=coach_b)] == ["adam", "Bea"]


def test_person_creation_is_one_transaction(store: Store) -> None:
    coach = _coach(store)
    store.accounts.create_user(
        email="taken@example.org", display_name="T", role="coach", password_hash=HASH
    )
    login = NewLogin(email="taken@example.org", display_name="Yan", password_hash=HASH)
    with pytest.raises(InputError, match="cannot be used for a new login"):
        store.people.create(name="Yan", age=30, sex="male", coach_id=coach, login=login)
    assert store.people.of_coach(coach_id=coach) == []  # no person without its login
    with pytest.raises(InputError, match="age 4 is not allowed; allowed: 5 to 110"):
        store.people.create(name="Yan", age=4, sex="male")
    with pytest.raises(InputError, match="sex 'f' is not allowed; allowed: female, male, other"):
        store.people.create(name="Yan", age=30, sex="f")
    store.people.create(name="Yan", age=30, sex="male")
    with pytest.raises(InputError, match="name 'Yan' is already taken"):
        store.people.create(name=" Yan ", age=30, sex="male")
    with pytest.raises(InputError, match="coach_id 424242 is not a coach login"):
        store.people.create(name="Xi", age=30, sex="male", coach_id=424242)


def test_deleting_a_person_deletes_their_login(store: Store, make_input, make_result) -> None:
    coach = _coach(store)
    login = NewLogin(email="p@example.org", display_name="P", password_hash=HASH)
    person = store.people.create(name="P", age=30, sex="male", coach_id=coach, login=login)
    assessment_id = store.assessments.save(
        person=PersonRef.named("P"), data=make_input(), result=make_result()
    ).assessment_id
    assert store.assessments.owner(assessment_id=assessment_id) == person.id
    from sqlalchemy import delete

    from hiplab.store import tables

    with store.unit_of_work() as uow:
        session = uow.session
        session.execute(delete(tables.Person).where(tables.Person.id == person.id))
    assert store.accounts.by_email(email="p@example.org") is None
    assert store.people.of_coach(coach_id=coach) == []
    assert store.accounts.by_id(user_id=coach).role == "coach"


# --- ending sessions ---------------------------------------------------------------------------


def test_a_new_password_and_log_out_everywhere_move_the_session_epoch(store: Store) -> None:
    coach = _coach(store)
    assert store.accounts.by_id(user_id=coach).session_epoch == 0
    assert store.accounts.end_sessions(user_id=coach) == 1
    store.accounts.set_password_hash(
        user_id=coach, password_hash=hash_password("another password!")
    )
    assert store.accounts.by_id(user_id=coach).session_epoch == 2
    # A re-hash of the same password (stronger argon2 parameters) keeps the sessions.
    store.accounts.set_password_hash(user_id=coach, password_hash=HASH, keep_sessions=True)
    found = store.accounts.login_record(email="coach@example.org")
    assert found is not None and found[0].session_epoch == 2 and found[1] == HASH
    with pytest.raises(NotFoundError, match="no login with id 404"):
        store.accounts.end_sessions(user_id=404)


def test_migration_0004_starts_every_login_at_epoch_0_and_goes_back(store_url: str) -> None:
    from sqlalchemy import inspect

    from hiplab.store import open_store
    from hiplab.store.engine import downgrade

    with store_with_old_login(store_url, revision="0003", password_hash=HASH) as engine:
        with open_store(store_url) as store:
            found = store.accounts.login_record(email=OLD_EMAIL)
            assert found is not None and found[0].session_epoch == 0
            assert store.accounts.end_sessions(user_id=found[0].id) == 1
        downgrade(engine, revision="0003")
        columns = {c["name"] for c in inspect(engine).get_columns("app_user")}
        assert "session_epoch" not in columns and "password_hash" in columns
        assert login_emails(engine) == [OLD_EMAIL]
