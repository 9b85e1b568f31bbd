"""Person names are unique per coach, not in the whole store (issue 11 §5).

A coach creating "Alex K." must not learn that another coach has a client of that
name; the command line's people (no coach) stay unique by name and are still named
by it. Logins stay unique in the whole store, and a refusal does not say why.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert

from hiplab.errors import InputError, NotFoundError, StoreError
from hiplab.store import NewLogin, PersonRef, Store, tables

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def _coach(store: Store, email: str) -> int:
    return store.accounts.create_user(
        email=email, display_name="C", role="coach", password_hash=HASH
    ).id


def test_two_coaches_each_have_an_alex_k(store: Store) -> None:
    a, b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    first = store.people.create(name="Alex K.", age=30, sex="male", coach_id=a)
    second = store.people.create(name="Alex K.", age=41, sex="female", coach_id=b)
    assert first.id != second.id
    assert [(p.id, p.age) for p in store.people.of_coach(coach_id=b)] == [(second.id, 41)]


def test_a_coach_cannot_have_two_clients_of_one_name(store: Store) -> None:
    a, b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    store.people.create(name="Alex K.", age=30, sex="male", coach_id=b)
    store.people.create(name="Alex K.", age=30, sex="male", coach_id=a)
    with pytest.raises(InputError) as refused:
        store.people.create(name=" Alex K. ", age=30, sex="male", coach_id=a)
    assert str(refused.value) == (
        "you already have a client named 'Alex K.'; choose another name, e.g. with an "
        "initial or a number"
    )
    assert len(store.people.of_coach(coach_id=a)) == 1


def test_people_without_a_coach_stay_unique_by_name(store: Store) -> None:
    coach = _coach(store, "a@example.org")
    store.people.create(name="Sam", age=30, sex="male")
    with pytest.raises(InputError, match="name 'Sam' is already taken; choose another name"):
        store.people.create(name="Sam", age=30, sex="male")
    store.people.create(name="Sam", age=30, sex="male", coach_id=coach)  # another scope


def test_the_database_itself_keeps_each_scope_unique(store: Store) -> None:
    coach = _coach(store, "a@example.org")
    row = {"age": 30, "sex": "male"}
    for owner in (None, coach):
        with store.unit_of_work() as uow:
            session = uow.session
            session.execute(insert(tables.Person).values(name="Dup", owner_id=owner, **row))
        violated = "cannot write to the store: a database constraint was violated"
        with pytest.raises(StoreError, match=violated), store.unit_of_work() as uow:
            session = uow.session
            session.execute(insert(tables.Person).values(name="Dup", owner_id=owner, **row))


def test_a_name_two_people_share_is_refused_by_name_and_found_by_id(
    store: Store, make_input, make_result
) -> None:
    a, b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    first = store.people.create(name="Alex K.", age=30, sex="male", coach_id=a)
    store.assessments.save(
        person=PersonRef.named("Alex K."), data=make_input(), result=make_result()
    )
    second = store.people.create(name="Alex K.", age=30, sex="male", coach_id=b)
    shared = "more than one person is named 'Alex K.'"
    with pytest.raises(InputError, match=shared):
        store.assessments.history(person=PersonRef.named("Alex K."))
    with pytest.raises(InputError, match=shared):
        store.people.get(person=PersonRef.named("Alex K."))
    with pytest.raises(InputError, match=shared):
        store.assessments.save(
            person=PersonRef.named("Alex K."), data=make_input(), result=make_result()
        )
    assert len(store.assessments.history(person=PersonRef.by_id(first.id))) == 1
    assert store.assessments.history(person=PersonRef.by_id(second.id)) == []
    store.assessments.save(
        person=PersonRef.by_id(second.id), data=make_input(), result=make_result()
    )
    assert len(store.assessments.test_results(person=PersonRef.by_id(second.id))) == 2
    assert (
        store.archive.export_person(person=PersonRef.by_id(second.id), fmt="csv").count("Alex K.")
        == 2
    )
    with pytest.raises(TypeError, match="exactly one of id and name"):
        PersonRef(id=first.id, name="Alex K.")


def test_the_command_line_names_its_people_as_before(store: Store, make_input, make_result) -> None:
    store.assessments.save(person=PersonRef.named("Sam"), data=make_input(), result=make_result())
    store.assessments.save(person=PersonRef.named("Sam"), data=make_input(), result=make_result())
    assert len(store.assessments.history(person=PersonRef.named("Sam"))) == 2
    assert store.people.get(person=PersonRef.named("Sam")).coach_id is None
    close = re.escape("no person named 'Sma'; did you mean 'Sam'?")
    with pytest.raises(NotFoundError, match=close):
        store.assessments.history(person=PersonRef.named("Sma"))


def test_a_new_coach_must_not_have_a_client_of_that_name(store: Store) -> None:
    a, b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    store.people.create(name="Alex K.", age=30, sex="male", coach_id=b)
    moving = store.people.create(name="Alex K.", age=30, sex="male", coach_id=a)
    with pytest.raises(InputError, match=re.escape("you already have a client named 'Alex K.'")):
        store.people.assign_coach(person=PersonRef.by_id(moving.id), coach_id=b)
    assert store.people.get(person=PersonRef.by_id(moving.id)).coach_id == a
    store.people.assign_coach(
        person=PersonRef.by_id(moving.id), coach_id=a
    )  # the same coach again: fine
    loner = store.people.create(name="Jo", age=30, sex="male")
    store.people.assign_coach(person=PersonRef.by_id(loner.id), coach_id=b)
    store.people.create(name="Jo", age=30, sex="male")  # the name is free again without a coach


def test_a_taken_e_mail_is_refused_without_saying_whose(store: Store) -> None:
    a, b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    login = NewLogin(email="alex@example.org", display_name="Alex", password_hash=HASH)
    store.people.create(name="Alex K.", age=30, sex="male", coach_id=a, login=login)
    with pytest.raises(InputError) as refused:
        store.people.create(name="Alexander", age=30, sex="male", coach_id=b, login=login)
    message = str(refused.value)
    assert message == (
        "the e-mail 'alex@example.org' cannot be used for a new login; ask the client "
        "whether they already have a hiplab login, or use another address"
    )
    assert store.people.of_coach(coach_id=b) == []  # no person without their login
