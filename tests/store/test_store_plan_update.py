"""Plans changed in place (``update_plan``) and a plan's person, on every store backend."""

from __future__ import annotations

import threading

import pytest

from hiplab.errors import InputError, NotFoundError
from hiplab.records.programme import Programme
from hiplab.store import Store
from tests.store.builders import make_log, make_programme


@pytest.fixture
def alice_plan(store: Store, make_input, make_result) -> int:
    assessment = store.save_assessment(person_name="Alice", data=make_input(), result=make_result())
    return store.save_plan(
        person_name="Alice", programme=make_programme(), assessment_id=assessment
    )


def _longer(programme: Programme) -> Programme:
    return programme.model_copy(update={"minutes": programme.minutes + 5})


def test_update_plan_keeps_id_owner_start_and_logs(store: Store, alice_plan: int) -> None:
    before = store.get_plan(plan_id=alice_plan)
    store.save_session_log(log=make_log(plan_id=alice_plan))

    after = store.update_plan(plan_id=alice_plan, change=_longer)

    assert after.programme.minutes == before.programme.minutes + 5
    reread = store.get_plan(plan_id=alice_plan)
    assert reread == after
    assert (reread.id, reread.created_at, reread.assessment_id, reread.block) == (
        before.id,
        before.created_at,
        before.assessment_id,
        before.block,
    )
    assert [s.log.plan_id for s in store.session_logs(person_name="Alice")] == [alice_plan]
    assert [p.id for p in store.plans(person_name="Alice")] == [alice_plan]


def test_a_failing_change_leaves_the_plan_as_it_was(store: Store, alice_plan: int) -> None:
    before = store.get_plan(plan_id=alice_plan)

    def refuse(_programme: Programme) -> Programme:
        raise InputError("not allowed")

    with pytest.raises(InputError, match="not allowed"):
        store.update_plan(plan_id=alice_plan, change=refuse)
    assert store.get_plan(plan_id=alice_plan) == before


def test_the_block_cannot_change(store: Store, alice_plan: int) -> None:
    before = store.get_plan(plan_id=alice_plan)
    with pytest.raises(InputError, match=r"block 7 differs from plan \d+'s block 1"):
        store.update_plan(plan_id=alice_plan, change=lambda p: p.model_copy(update={"block": 7}))
    assert store.get_plan(plan_id=alice_plan) == before


def test_unknown_plan(store: Store, alice_plan: int) -> None:
    with pytest.raises(NotFoundError, match="no plan with id 999"):
        store.update_plan(plan_id=999, change=_longer)
    with pytest.raises(NotFoundError, match="no plan with id 999"):
        store.person_of_plan(plan_id=999)


def test_person_of_plan(store: Store, alice_plan: int) -> None:
    alice = store.find_person(name="Alice")
    assert store.person_of_plan(plan_id=alice_plan) == alice.id


def test_concurrent_updates_lose_nothing(store: Store, alice_plan: int) -> None:
    """Two writers each add 5 minutes eight times: every addition is kept."""
    start = store.get_plan(plan_id=alice_plan).programme.minutes
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(8):
                store.update_plan(plan_id=alice_plan, change=_longer)
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert store.get_plan(plan_id=alice_plan).programme.minutes == start + 80
