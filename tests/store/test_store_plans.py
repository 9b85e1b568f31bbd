"""Plans and session logs in the store, on every backend of the ``store`` fixture."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, event

from hiplab.errors import InputError, NotFoundError, StoreError
from hiplab.store import PersonRef, Store, StoredPlan, tables
from hiplab.store import logs as logs_module
from tests.store.builders import make_log, make_programme


@pytest.fixture
def alice(store: Store, make_input, make_result) -> int:
    """Store Alice with one assessment; return its id."""
    return store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(), result=make_result()
    ).assessment_id


def test_plan_round_trip(store: Store, alice: int) -> None:
    programme = make_programme(block=2)
    plan_id = store.plans.save(
        person=PersonRef.named("Alice"), programme=programme, assessment_id=alice
    )

    stored = store.plans.get(plan_id=plan_id)

    assert isinstance(stored, StoredPlan)
    assert (stored.id, stored.person_name, stored.assessment_id, stored.block) == (
        plan_id,
        "Alice",
        alice,
        2,
    )
    assert stored.programme == programme
    assert stored.created_at.tzinfo is not None
    assert abs((datetime.now(UTC) - stored.created_at).total_seconds()) < 60


def test_plans_are_listed_oldest_first_and_latest_is_last(store: Store, alice: int) -> None:
    first = store.plans.save(
        person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=None
    )
    second = store.plans.save(
        person=PersonRef.named("Alice"), programme=make_programme(block=2), assessment_id=alice
    )

    assert [plan.id for plan in store.plans.of_person(person=PersonRef.named("Alice"))] == [
        first,
        second,
    ]
    assert store.plans.latest(person=PersonRef.named("Alice")).id == second
    assert store.plans.get(plan_id=first).assessment_id is None


def test_plan_needs_a_known_person(store: Store, alice: int) -> None:
    with pytest.raises(NotFoundError, match=r"no person named 'Alise'; did you mean 'Alice'\?"):
        store.plans.save(
            person=PersonRef.named("Alise"), programme=make_programme(), assessment_id=None
        )
    assert store.plans.of_person(person=PersonRef.named("Alice")) == []


def test_plan_assessment_must_exist_and_be_the_persons(
    store: Store, alice: int, make_input, make_result
) -> None:
    bob = store.assessments.save(
        person=PersonRef.named("Bob"), data=make_input(), result=make_result()
    ).assessment_id

    with pytest.raises(NotFoundError, match="no assessment with id 999"):
        store.plans.save(
            person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=999
        )
    with pytest.raises(InputError, match=f"assessment_id {bob} belongs to 'Bob', not 'Alice'"):
        store.plans.save(
            person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=bob
        )
    assert store.plans.of_person(person=PersonRef.named("Alice")) == []


def test_missing_plans(store: Store, alice: int) -> None:
    with pytest.raises(NotFoundError, match="no plan saved for 'Alice'"):
        store.plans.latest(person=PersonRef.named("Alice"))
    with pytest.raises(NotFoundError, match="no plan with id 42"):
        store.plans.get(plan_id=42)
    with pytest.raises(NotFoundError, match="1 people are stored"):
        store.plans.of_person(person=PersonRef.named("Zyx"))


def test_session_log_round_trip_and_order(store: Store, alice: int) -> None:
    plan_id = store.plans.save(
        person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=alice
    )
    later = make_log(
        plan_id=plan_id,
        started_at="2024-03-06T07:00:00Z",
        finished_at="2024-03-06T07:09:30Z",
        done_s=30,
        discomfort=None,
    )
    earlier = make_log(plan_id=plan_id)  # 2024-03-04 18:00 +01:00
    no_plan = make_log(started_at="2024-03-05T12:00:00", finished_at="2024-03-05T12:10:00")
    later_id = store.logs.save(log=later, person=PersonRef.named(later.person))
    earlier_id = store.logs.save(log=earlier, person=PersonRef.named(earlier.person))
    no_plan_id = store.logs.save(log=no_plan, person=PersonRef.named(no_plan.person))

    logs = store.logs.of_person(person=PersonRef.named("Alice"))

    assert [stored.id for stored in logs] == [earlier_id, no_plan_id, later_id]
    assert [stored.log for stored in logs] == [earlier, no_plan, later]
    assert logs[2].log.completion == 0.5


def test_session_log_columns(store: Store, alice: int) -> None:
    log_id = store.logs.save(
        log=make_log(done_s=45, discomfort=3),
        person=PersonRef.named("Alice"),
    )
    with store.unit_of_work() as uow:
        session = uow.session
        row = session.get(tables.SessionLogRow, log_id)
        assert row is not None
        assert (row.week, row.completion, row.discomfort, row.effort, row.quit_early) == (
            1,
            0.75,
            3,
            5,
            True,
        )
        started = (
            row.started_at.replace(tzinfo=UTC) if row.started_at.tzinfo is None else row.started_at
        )
    assert started == datetime(2024, 3, 4, 17, 0, tzinfo=UTC)


def test_session_log_checks(store: Store, alice: int, make_input, make_result) -> None:
    store.assessments.save(person=PersonRef.named("Bob"), data=make_input(), result=make_result())
    bobs_plan = store.plans.save(
        person=PersonRef.named("Bob"), programme=make_programme(), assessment_id=None
    )

    with pytest.raises(NotFoundError, match="did you mean 'Alice'"):
        store.logs.save(log=make_log(person="Alicia"), person=PersonRef.named("Alicia"))
    with pytest.raises(NotFoundError, match="no plan with id 999"):
        store.logs.save(log=make_log(plan_id=999), person=PersonRef.named("Alice"))
    with pytest.raises(InputError, match=f"plan_id {bobs_plan} belongs to 'Bob', not 'Alice'"):
        store.logs.save(
            log=make_log(plan_id=bobs_plan),
            person=PersonRef.named("Alice"),
        )
    with pytest.raises(InputError, match="started_at 'yesterday' is not an ISO 8601 time"):
        store.logs.save(
            log=make_log(started_at="yesterday"),
            person=PersonRef.named("Alice"),
        )
    with pytest.raises(InputError, match=r"finished_at .* is before started_at"):
        store.logs.save(
            log=make_log(finished_at="2024-03-04T17:59:00+01:00"),
            person=PersonRef.named("Alice"),
        )
    assert store.logs.of_person(person=PersonRef.named("Alice")) == []


def test_deleting_an_assessment_or_a_plan_keeps_the_dependants(store: Store, alice: int) -> None:
    plan_id = store.plans.save(
        person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=alice
    )
    store.logs.save(log=make_log(plan_id=plan_id), person=PersonRef.named("Alice"))

    with store.unit_of_work() as uow:
        session = uow.session
        session.execute(delete(tables.Assessment).where(tables.Assessment.id == alice))
    assert store.plans.get(plan_id=plan_id).assessment_id is None

    with store.unit_of_work() as uow:
        session = uow.session
        session.execute(delete(tables.Plan).where(tables.Plan.id == plan_id))
    [stored] = store.logs.of_person(person=PersonRef.named("Alice"))
    assert stored.log.plan_id is None


def test_assessments_and_latest_assessment(store: Store, make_input, make_result) -> None:
    late = store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(date="2024-05-01"), result=make_result()
    ).assessment_id
    early = store.assessments.save(
        person=PersonRef.named("Alice"),
        data=make_input(date="2024-01-01", left=20.0),
        result=make_result(),
    ).assessment_id
    same_day = store.assessments.save(
        person=PersonRef.named("Alice"),
        data=make_input(date="2024-05-01", age=35),
        result=make_result(),
    ).assessment_id

    stored = store.assessments.of_person(person=PersonRef.named("Alice"))

    assert [a.id for a in stored] == [early, late, same_day]
    assert stored[0].data == make_input(date="2024-01-01", left=20.0)
    latest = store.assessments.latest(person=PersonRef.named("Alice"))
    assert (latest.id, latest.taken_on, latest.data.person.age) == (same_day, date(2024, 5, 1), 35)
    with pytest.raises(NotFoundError, match="did you mean 'Alice'"):
        store.assessments.latest(person=PersonRef.named("Alce"))


def test_export_json_has_plans_and_logs(store: Store, alice: int) -> None:
    programme = make_programme()
    plan_id = store.plans.save(
        person=PersonRef.named("Alice"), programme=programme, assessment_id=alice
    )
    log = make_log(plan_id=plan_id)
    log_id = store.logs.save(log=log, person=PersonRef.named(log.person))

    document = json.loads(store.archive.export_person(person=PersonRef.named("Alice"), fmt="json"))

    assert document["version"] == 2
    [plan] = document["plans"]
    assert (plan["id"], plan["assessment_id"], plan["block"]) == (plan_id, alice, 1)
    assert plan["programme"] == programme.model_dump(mode="json")
    assert datetime.fromisoformat(plan["created_at"]).tzinfo is not None
    assert document["session_logs"] == [
        {"id": log_id, "plan_id": plan_id, "log": log.model_dump(mode="json")}
    ]


@pytest.fixture
def explode_after_insert() -> Iterator[None]:
    """Raise right after the INSERT of a plan or a session log reached the database."""

    def boom(*_args: object) -> None:
        raise RuntimeError("boom after insert")

    for table in (tables.Plan, tables.SessionLogRow):
        event.listen(table, "after_insert", boom)
    try:
        yield
    finally:
        for table in (tables.Plan, tables.SessionLogRow):
            event.remove(table, "after_insert", boom)


def test_failure_after_insert_leaves_nothing(
    store: Store, alice: int, explode_after_insert: None
) -> None:
    with pytest.raises(RuntimeError, match="boom after insert"):
        store.plans.save(
            person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=alice
        )
    with pytest.raises(RuntimeError, match="boom after insert"):
        store.logs.save(log=make_log(), person=PersonRef.named("Alice"))

    assert store.plans.of_person(person=PersonRef.named("Alice")) == []
    assert store.logs.of_person(person=PersonRef.named("Alice")) == []


def test_constraint_violation_leaves_nothing(
    store: Store, alice: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_id = store.plans.save(
        person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=alice
    )
    real_row = logs_module._row

    def out_of_range(log, **kwargs):
        row = real_row(log, **kwargs)
        row.completion = 1.5  # breaks the CHECK constraint at INSERT time
        return row

    monkeypatch.setattr(logs_module, "_row", out_of_range)
    with pytest.raises(StoreError, match="constraint"):
        store.logs.save(log=make_log(plan_id=plan_id), person=PersonRef.named("Alice"))

    assert store.logs.of_person(person=PersonRef.named("Alice")) == []
    assert [plan.id for plan in store.plans.of_person(person=PersonRef.named("Alice"))] == [plan_id]


def test_unreadable_stored_programme_is_a_store_error(store: Store, alice: int) -> None:
    plan_id = store.plans.save(
        person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=alice
    )
    with store.unit_of_work() as uow:
        session = uow.session
        row = session.get(tables.Plan, plan_id)
        assert row is not None
        row.programme_json = {"refer": "perhaps"}
    with pytest.raises(StoreError, match=f"plan {plan_id} was stored in a form"):
        store.plans.get(plan_id=plan_id)
