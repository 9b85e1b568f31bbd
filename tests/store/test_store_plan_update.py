"""Plans changed in place (``update_plan``) and a plan's person, on every store backend."""

from __future__ import annotations

import threading

import pytest

from hiplab.errors import InputError, NotFoundError
from hiplab.records.programme import Programme
from hiplab.store import PersonRef, Store
from tests.store.builders import make_log, make_programme


@pytest.fixture
def alice_plan(store: Store, make_input, make_result) -> int:
    assessment = store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(), result=make_result()
    ).assessment_id
    return store.plans.save(
        person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=assessment
    )


def _longer(programme: Programme) -> Programme:
    return programme.model_copy(update={"minutes": programme.minutes + 5})


def test_update_plan_keeps_id_owner_start_and_logs(store: Store, alice_plan: int) -> None:
    before = store.plans.get(plan_id=alice_plan)
    store.logs.save(
        log=make_log(plan_id=alice_plan),
        person=PersonRef.named("Alice"),
    )

    after = store.plans.update(plan_id=alice_plan, change=_longer)

    assert after.programme.minutes == before.programme.minutes + 5
    reread = store.plans.get(plan_id=alice_plan)
    assert reread == after
    assert (reread.id, reread.created_at, reread.assessment_id, reread.block) == (
        before.id,
        before.created_at,
        before.assessment_id,
        before.block,
    )
    assert [s.log.plan_id for s in store.logs.of_person(person=PersonRef.named("Alice"))] == [
        alice_plan
    ]
    assert [p.id for p in store.plans.of_person(person=PersonRef.named("Alice"))] == [alice_plan]


def test_a_failing_change_leaves_the_plan_as_it_was(store: Store, alice_plan: int) -> None:
    before = store.plans.get(plan_id=alice_plan)

    def refuse(_programme: Programme) -> Programme:
        raise InputError("not allowed")

    with pytest.raises(InputError, match="not allowed"):
        store.plans.update(plan_id=alice_plan, change=refuse)
    assert store.plans.get(plan_id=alice_plan) == before


def test_the_block_cannot_change(store: Store, alice_plan: int) -> None:
    before = store.plans.get(plan_id=alice_plan)
    with pytest.raises(InputError, match=r"block 7 differs from plan \d+'s block 1"):
        store.plans.update(plan_id=alice_plan, change=lambda p: p.model_copy(update={"block": 7}))
    assert store.plans.get(plan_id=alice_plan) == before


def test_unknown_plan(store: Store, alice_plan: int) -> None:
    with pytest.raises(NotFoundError, match="no plan with id 999"):
        store.plans.update(plan_id=999, change=_longer)
    with pytest.raises(NotFoundError, match="no plan with id 999"):
        store.plans.owner(plan_id=999)


def test_person_of_plan(store: Store, alice_plan: int) -> None:
    alice = store.people.get(person=PersonRef.named("Alice"))
    assert store.plans.owner(plan_id=alice_plan) == alice.id


def test_concurrent_updates_lose_nothing(store: Store, alice_plan: int) -> None:
    """Two writers each add 5 minutes eight times: every addition is kept."""
    start = store.plans.get(plan_id=alice_plan).programme.minutes
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(8):
                store.plans.update(plan_id=alice_plan, change=_longer)
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert store.plans.get(plan_id=alice_plan).programme.minutes == start + 80
