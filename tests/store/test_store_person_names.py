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
from hiplab.store import NewLogin, Store, tables

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def _coach(store: Store, email: str) -> int:
    return store.create_user(email=email, display_name="C", role="coach", password_hash=HASH).id


def test_two_coaches_each_have_an_alex_k(store: Store) -> None:
    a, b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    first = store.create_person(name="Alex K.", age=30, sex="male", coach_id=a)
    second = store.create_person(name="Alex K.", age=41, sex="female", coach_id=b)
    assert first.id != second.id
    assert [(p.id, p.age) for p in store.people_of_coach(coach_id=b)] == [(second.id, 41)]


def test_a_coach_cannot_have_two_clients_of_one_name(store: Store) -> None:
    a, b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    store.create_person(name="Alex K.", age=30, sex="male", coach_id=b)
    store.create_person(name="Alex K.", age=30, sex="male", coach_id=a)
    with pytest.raises(InputError) as refused:
        store.create_person(name=" Alex K. ", age=30, sex="male", coach_id=a)
    assert str(refused.value) == (
        "you already have a client named 'Alex K.'; choose another name, e.g. with an "
        "initial or a number"
    )
    assert len(store.people_of_coach(coach_id=a)) == 1


def test_people_without_a_coach_stay_unique_by_name(store: Store) -> None:
    coach = _coach(store, "a@example.org")
    store.create_person(name="Sam", age=30, sex="male")
    with pytest.raises(InputError, match="name 'Sam' is already taken; choose another name"):
        store.create_person(name="Sam", age=30, sex="male")
    store.create_person(name="Sam", age=30, sex="male", coach_id=coach)  # another scope


def test_the_database_itself_keeps_each_scope_unique(store: Store) -> None:
    coach = _coach(store, "a@example.org")
    row = {"age": 30, "sex": "male"}
    for owner in (None, coach):
        with store._transaction("add") as session:
            session.execute(insert(tables.Person).values(name="Dup", owner_id=owner, **row))
        violated = "cannot add again: a database constraint was violated"
        with pytest.raises(StoreError, match=violated), store._transaction("add again") as session:
            session.execute(insert(tables.Person).values(name="Dup", owner_id=owner, **row))


def test_a_name_two_people_share_is_refused_by_name_and_found_by_id(
    store: Store, make_input, make_result
) -> None:
    a, b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    first = store.create_person(name="Alex K.", age=30, sex="male", coach_id=a)
    store.save_assessment(person_name="Alex K.", data=make_input(), result=make_result())
    second = store.create_person(name="Alex K.", age=30, sex="male", coach_id=b)
    shared = "more than one person is named 'Alex K.'"
    with pytest.raises(InputError, match=shared):
        store.history(person_name="Alex K.")
    with pytest.raises(InputError, match=shared):
        store.find_person(name="Alex K.")
    with pytest.raises(InputError, match=shared):
        store.save_assessment(person_name="Alex K.", data=make_input(), result=make_result())
    assert len(store.history(person_id=first.id)) == 1
    assert store.history(person_id=second.id) == []
    store.save_assessment(person_id=second.id, data=make_input(), result=make_result())
    assert len(store.test_results(person_id=second.id)) == 2
    assert store.export_person(person_id=second.id, fmt="csv").count("Alex K.") == 2
    with pytest.raises(TypeError, match="exactly one of person_name and person_id"):
        store.history(person_name="Alex K.", person_id=first.id)


def test_the_command_line_names_its_people_as_before(store: Store, make_input, make_result) -> None:
    store.save_assessment(person_name="Sam", data=make_input(), result=make_result())
    store.save_assessment(person_name="Sam", data=make_input(), result=make_result())
    assert len(store.history(person_name="Sam")) == 2
    assert store.find_person(name="Sam").coach_id is None
    close = re.escape("no person named 'Sma'; did you mean 'Sam'?")
    with pytest.raises(NotFoundError, match=close):
        store.history(person_name="Sma")


def test_a_new_coach_must_not_have_a_client_of_that_name(store: Store) -> None:
    a, b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    store.create_person(name="Alex K.", age=30, sex="male", coach_id=b)
    moving = store.create_person(name="Alex K.", age=30, sex="male", coach_id=a)
    with pytest.raises(InputError, match=re.escape("you already have a client named 'Alex K.'")):
        store.assign_coach(person_id=moving.id, coach_id=b)
    assert store.get_person(person_id=moving.id).coach_id == a
    store.assign_coach(person_id=moving.id, coach_id=a)  # the same coach again: fine
    loner = store.create_person(name="Jo", age=30, sex="male")
    store.assign_coach(person_id=loner.id, coach_id=b)
    store.create_person(name="Jo", age=30, sex="male")  # the name is free again without a coach


def test_a_taken_e_mail_is_refused_without_saying_whose(store: Store) -> None:
    a, b = _coach(store, "a@example.org"), _coach(store, "b@example.org")
    login = NewLogin(email="alex@example.org", display_name="Alex", password_hash=HASH)
    store.create_person(name="Alex K.", age=30, sex="male", coach_id=a, login=login)
    with pytest.raises(InputError) as refused:
        store.create_person(name="Alexander", age=30, sex="male", coach_id=b, login=login)
    message = str(refused.value)
    assert message == (
        "the e-mail 'alex@example.org' cannot be used for a new login; ask the client "
        "whether they already have a hiplab login, or use another address"
    )
    assert store.people_of_coach(coach_id=b) == []  # no person without their login
