"""Plans and session logs in the store, on every backend of the ``store`` fixture."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, event

from hiplab.errors import InputError, NotFoundError, StoreError
from hiplab.store import Store, StoredPlan, tables
from hiplab.store import store as store_module
from tests.store.builders import make_log, make_programme


@pytest.fixture
def alice(store: Store, make_input, make_result) -> int:
    """Store Alice with one assessment; return its id."""
    return store.save_assessment(person_name="Alice", data=make_input(), result=make_result())


def test_plan_round_trip(store: Store, alice: int) -> None:
    programme = make_programme(block=2)
    plan_id = store.save_plan(person_name="Alice", programme=programme, assessment_id=alice)

    stored = store.get_plan(plan_id=plan_id)

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
    first = store.save_plan(person_name="Alice", programme=make_programme(), assessment_id=None)
    second = store.save_plan(
        person_name="Alice", programme=make_programme(block=2), assessment_id=alice
    )

    assert [plan.id for plan in store.plans(person_name="Alice")] == [first, second]
    assert store.latest_plan(person_name="Alice").id == second
    assert store.get_plan(plan_id=first).assessment_id is None


def test_plan_needs_a_known_person(store: Store, alice: int) -> None:
    with pytest.raises(NotFoundError, match=r"no person named 'Alise'; did you mean 'Alice'\?"):
        store.save_plan(person_name="Alise", programme=make_programme(), assessment_id=None)
    assert store.plans(person_name="Alice") == []


def test_plan_assessment_must_exist_and_be_the_persons(
    store: Store, alice: int, make_input, make_result
) -> None:
    bob = store.save_assessment(person_name="Bob", data=make_input(), result=make_result())

    with pytest.raises(NotFoundError, match="no assessment with id 999"):
        store.save_plan(person_name="Alice", programme=make_programme(), assessment_id=999)
    with pytest.raises(InputError, match=f"assessment_id {bob} belongs to 'Bob', not 'Alice'"):
        store.save_plan(person_name="Alice", programme=make_programme(), assessment_id=bob)
    assert store.plans(person_name="Alice") == []


def test_missing_plans(store: Store, alice: int) -> None:
    with pytest.raises(NotFoundError, match="no plan saved for 'Alice'"):
        store.latest_plan(person_name="Alice")
    with pytest.raises(NotFoundError, match="no plan with id 42"):
        store.get_plan(plan_id=42)
    with pytest.raises(NotFoundError, match="1 people are stored"):
        store.plans(person_name="Zyx")


def test_session_log_round_trip_and_order(store: Store, alice: int) -> None:
    plan_id = store.save_plan(person_name="Alice", programme=make_programme(), assessment_id=alice)
    later = make_log(
        plan_id=plan_id,
        started_at="2024-03-06T07:00:00Z",
        finished_at="2024-03-06T07:09:30Z",
        done_s=30,
        discomfort=None,
    )
    earlier = make_log(plan_id=plan_id)  # 2024-03-04 18:00 +01:00
    no_plan = make_log(started_at="2024-03-05T12:00:00", finished_at="2024-03-05T12:10:00")
    later_id = store.save_session_log(log=later)
    earlier_id = store.save_session_log(log=earlier)
    no_plan_id = store.save_session_log(log=no_plan)

    logs = store.session_logs(person_name="Alice")

    assert [stored.id for stored in logs] == [earlier_id, no_plan_id, later_id]
    assert [stored.log for stored in logs] == [earlier, no_plan, later]
    assert logs[2].log.completion == 0.5


def test_session_log_columns(store: Store, alice: int) -> None:
    log_id = store.save_session_log(log=make_log(done_s=45, discomfort=3))
    with store._transaction("read") as session:
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
    store.save_assessment(person_name="Bob", data=make_input(), result=make_result())
    bobs_plan = store.save_plan(person_name="Bob", programme=make_programme(), assessment_id=None)

    with pytest.raises(NotFoundError, match="did you mean 'Alice'"):
        store.save_session_log(log=make_log(person="Alicia"))
    with pytest.raises(NotFoundError, match="no plan with id 999"):
        store.save_session_log(log=make_log(plan_id=999))
    with pytest.raises(InputError, match=f"plan_id {bobs_plan} belongs to 'Bob', not 'Alice'"):
        store.save_session_log(log=make_log(plan_id=bobs_plan))
    with pytest.raises(InputError, match="started_at 'yesterday' is not an ISO 8601 time"):
        store.save_session_log(log=make_log(started_at="yesterday"))
    with pytest.raises(InputError, match=r"finished_at .* is before started_at"):
        store.save_session_log(log=make_log(finished_at="2024-03-04T17:59:00+01:00"))
    assert store.session_logs(person_name="Alice") == []


def test_deleting_an_assessment_or_a_plan_keeps_the_dependants(store: Store, alice: int) -> None:
    plan_id = store.save_plan(person_name="Alice", programme=make_programme(), assessment_id=alice)
    store.save_session_log(log=make_log(plan_id=plan_id))

    with store._transaction("delete") as session:
        session.execute(delete(tables.Assessment).where(tables.Assessment.id == alice))
    assert store.get_plan(plan_id=plan_id).assessment_id is None

    with store._transaction("delete") as session:
        session.execute(delete(tables.Plan).where(tables.Plan.id == plan_id))
    [stored] = store.session_logs(person_name="Alice")
    assert stored.log.plan_id is None


def test_assessments_and_latest_assessment(store: Store, make_input, make_result) -> None:
    late = store.save_assessment(
        person_name="Alice", data=make_input(date="2024-05-01"), result=make_result()
    )
    early = store.save_assessment(
        person_name="Alice", data=make_input(date="2024-01-01", left=20.0), result=make_result()
    )
    same_day = store.save_assessment(
        person_name="Alice", data=make_input(date="2024-05-01", age=35), result=make_result()
    )

    stored = store.assessments(person_name="Alice")

    assert [a.id for a in stored] == [early, late, same_day]
    assert stored[0].data == make_input(date="2024-01-01", left=20.0)
    latest = store.latest_assessment(person_name="Alice")
    assert (latest.id, latest.taken_on, latest.data.person.age) == (same_day, date(2024, 5, 1), 35)
    with pytest.raises(NotFoundError, match="did you mean 'Alice'"):
        store.latest_assessment(person_name="Alce")


def test_export_json_has_plans_and_logs(store: Store, alice: int) -> None:
    programme = make_programme()
    plan_id = store.save_plan(person_name="Alice", programme=programme, assessment_id=alice)
    log = make_log(plan_id=plan_id)
    log_id = store.save_session_log(log=log)

    document = json.loads(store.export_person(person_name="Alice", fmt="json"))

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
        store.save_plan(person_name="Alice", programme=make_programme(), assessment_id=alice)
    with pytest.raises(RuntimeError, match="boom after insert"):
        store.save_session_log(log=make_log())

    assert store.plans(person_name="Alice") == []
    assert store.session_logs(person_name="Alice") == []


def test_constraint_violation_leaves_nothing(
    store: Store, alice: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_id = store.save_plan(person_name="Alice", programme=make_programme(), assessment_id=alice)
    real_row = store_module._session_log_row

    def out_of_range(log, **kwargs):
        row = real_row(log, **kwargs)
        row.completion = 1.5  # breaks the CHECK constraint at INSERT time
        return row

    monkeypatch.setattr(store_module, "_session_log_row", out_of_range)
    with pytest.raises(StoreError, match="constraint"):
        store.save_session_log(log=make_log(plan_id=plan_id))

    assert store.session_logs(person_name="Alice") == []
    assert [plan.id for plan in store.plans(person_name="Alice")] == [plan_id]


def test_unreadable_stored_programme_is_a_store_error(store: Store, alice: int) -> None:
    plan_id = store.save_plan(person_name="Alice", programme=make_programme(), assessment_id=alice)
    with store._transaction("corrupt") as session:
        row = session.get(tables.Plan, plan_id)
        assert row is not None
        row.programme_json = {"refer": "perhaps"}
    with pytest.raises(StoreError, match=f"plan {plan_id} was stored in a form"):
        store.get_plan(plan_id=plan_id)
