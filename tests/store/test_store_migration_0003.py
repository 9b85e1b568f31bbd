"""Migration 0002 → 0003 (logins, ownership, jobs) on a database made at 0002 with data.

The data is written by today's store and the database then taken back to 0002
(:func:`~hiplab.store.engine.downgrade`): today's store cannot write an 0002 schema.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from hiplab.services.passwords import hash_password
from hiplab.store import NewLogin, PersonRef, open_store
from hiplab.store.engine import create_store_engine, downgrade, head_revision, parse_url
from hiplab.store.tables import Base
from tests.store.builders import make_log, make_programme

NEW_TABLES = {"app_user", "coach_client", "job"}


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_upgrade_0002_to_0003_keeps_the_data(store_url: str, make_input, make_result) -> None:
    with open_store(store_url) as made:  # only 0002's tables are filled
        assessment_id = made.assessments.save(
            person=PersonRef.named("Alice"), data=make_input(), result=make_result()
        ).assessment_id
        plan_id = made.plans.save(
            person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=assessment_id
        )
        made.logs.save(log=make_log(plan_id=plan_id), person=PersonRef.named("Alice"))
    engine = create_store_engine(parse_url(store_url))
    try:
        downgrade(engine, revision="0002")
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

    with open_store(store_url) as store:
        assert _revision(store._db.engine) == head_revision()
        with store._db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        stored = store.assessments.get(assessment_id=assessment_id)
        assert stored.data == make_input() and stored.result == make_result()
        assert [p.id for p in store.plans.of_person(person=PersonRef.named("Alice"))] == [plan_id]
        assert len(store.logs.of_person(person=PersonRef.named("Alice"))) == 1
        alice = store.people.get(person=PersonRef.named("Alice"))
        assert (alice.coach_id, alice.login_email) == (None, None)
        coach = store.accounts.create_user(
            email="c@example.org",
            display_name="C",
            role="coach",
            password_hash=hash_password("x" * 12),
        )
        store.people.assign_coach(person=PersonRef.by_id(alice.id), coach_id=coach.id)
        assert [p.name for p in store.people.of_coach(coach_id=coach.id)] == ["Alice"]
        store.people.create(
            name="Bo",
            age=30,
            sex="male",
            login=NewLogin(
                email="bo@example.org", display_name="Bo", password_hash=hash_password("y" * 12)
            ),
        )
        assert store.jobs.enqueue(kind="k", payload={}, person_id=alice.id).state == "queued"


def test_downgrade_0003_to_0002_drops_only_the_new_tables(
    store_url: str, make_input, make_result
) -> None:
    with open_store(store_url) as store:
        assessment_id = store.assessments.save(
            person=PersonRef.named("Alice"), data=make_input(), result=make_result()
        ).assessment_id
        store.jobs.enqueue(kind="k", payload={})
    engine = create_store_engine(parse_url(store_url))
    try:
        downgrade(engine, revision="0002")
        assert _revision(engine) == "0002"
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    with open_store(store_url) as again:
        assert again.assessments.get(assessment_id=assessment_id).person_name == "Alice"
        assert again.jobs.all() == []
