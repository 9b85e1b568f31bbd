"""``Store.reading()``: reads given its unit share one connection and transaction.

Writes given a reading unit are refused; reads not given it are not joined to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from hiplab.store import PersonRef, Store, UnitOfWork


@contextmanager
def checkouts(store: Store) -> Iterator[list[int]]:
    """Count the connections the store takes from its pool inside the block."""
    engine = store._db.engine  # the test looks under the hood: the pool is the point
    taken: list[int] = []

    def on_checkout(*_args: Any) -> None:
        taken.append(1)

    event.listen(engine, "checkout", on_checkout)
    try:
        yield taken
    finally:
        event.remove(engine, "checkout", on_checkout)


def _reads(store: Store, name: str, uow: UnitOfWork | None = None) -> None:
    person = store.people.get(person=PersonRef.named(name), uow=uow)
    store.people.get(person=PersonRef.by_id(person.id), uow=uow)
    store.assessments.history(person=PersonRef.named(name), uow=uow)
    store.people.summaries(uow=uow)


def test_reads_inside_share_one_connection(store: Store, make_input, make_result) -> None:
    store.assessments.save(person=PersonRef.named("Ada"), data=make_input(), result=make_result())
    with checkouts(store) as apart:
        _reads(store, "Ada")
    with checkouts(store) as together, store.reading() as uow:
        _reads(store, "Ada", uow)
    assert len(apart) >= 4
    assert len(together) == 1


def test_reads_not_given_the_unit_do_not_join_it(store: Store, make_input, make_result) -> None:
    """Nothing is joined implicitly: a read without ``uow`` opens its own transaction."""
    store.assessments.save(person=PersonRef.named("Ada"), data=make_input(), result=make_result())
    with checkouts(store) as taken, store.reading() as uow:
        store.people.summaries(uow=uow)  # the unit now holds its connection
        _reads(store, "Ada")
    assert len(taken) >= 5


def test_a_write_inside_reading_is_refused_and_the_store_stays_usable(
    store: Store, make_input, make_result
) -> None:
    with pytest.raises(RuntimeError, match="reads only"), store.reading() as uow:
        store.assessments.save(
            person=PersonRef.named("Ada"), data=make_input(), result=make_result(), uow=uow
        )
    assert store.people.summaries() == []
    store.assessments.save(person=PersonRef.named("Ada"), data=make_input(), result=make_result())
    assert [p.name for p in store.people.summaries()] == ["Ada"]
