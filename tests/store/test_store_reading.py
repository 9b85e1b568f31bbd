"""``Store.reading()``: several reads, one connection and one transaction; writes refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from hiplab.store import Store


@contextmanager
def checkouts(store: Store) -> Iterator[list[int]]:
    """Count the connections the store takes from its pool inside the block."""
    engine = store._engine  # the test looks under the hood: the pool is the point
    taken: list[int] = []

    def on_checkout(*_args: Any) -> None:
        taken.append(1)

    event.listen(engine, "checkout", on_checkout)
    try:
        yield taken
    finally:
        event.remove(engine, "checkout", on_checkout)


def _reads(store: Store, name: str) -> None:
    person = store.find_person(name=name)
    store.get_person(person_id=person.id)
    store.history(person_name=name)
    store.people()


def test_reads_inside_share_one_connection(store: Store, make_input, make_result) -> None:
    store.save_assessment(person_name="Ada", data=make_input(), result=make_result())
    with checkouts(store) as apart:
        _reads(store, "Ada")
    with checkouts(store) as together, store.reading():
        _reads(store, "Ada")
    assert len(apart) >= 4
    assert len(together) == 1


def test_nested_reading_joins_the_outer_one(store: Store, make_input, make_result) -> None:
    store.save_assessment(person_name="Ada", data=make_input(), result=make_result())
    with checkouts(store) as taken, store.reading():
        with store.reading():
            _reads(store, "Ada")
        _reads(store, "Ada")
    assert len(taken) == 1


def test_a_write_inside_reading_is_refused_and_the_store_stays_usable(
    store: Store, make_input, make_result
) -> None:
    with pytest.raises(RuntimeError, match="reads only"), store.reading():
        store.save_assessment(person_name="Ada", data=make_input(), result=make_result())
    assert store.people() == []
    store.save_assessment(person_name="Ada", data=make_input(), result=make_result())
    assert [p.name for p in store.people()] == ["Ada"]
