"""Migration 0002 → 0003 (logins, ownership, jobs) on a database made at 0002 with data.

The data is written by today's store and the database then taken back to 0002
(:func:`~hiplab.store.engine.downgrade`): today's store cannot write an 0002 schema.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from hiplab.services.passwords import hash_password
from hiplab.store import NewLogin, open_store
from hiplab.store.engine import create_store_engine, downgrade, head_revision, parse_url
from hiplab.store.tables import Base
from tests.store.builders import make_log, make_programme

NEW_TABLES = {"app_user", "coach_client", "job"}


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_upgrade_0002_to_0003_keeps_the_data(store_url: str, make_input, make_result) -> None:
    with open_store(store_url) as made:  # only 0002's tables are filled
        assessment_id = made.save_assessment(
            person_name="Alice", data=make_input(), result=make_result()
        )
        plan_id = made.save_plan(
            person_name="Alice", programme=make_programme(), assessment_id=assessment_id
        )
        made.save_session_log(log=make_log(plan_id=plan_id))
    engine = create_store_engine(parse_url(store_url))
    try:
        downgrade(engine, revision="0002")
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

    with open_store(store_url) as store:
        assert _revision(store._engine) == head_revision()
        with store._engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        stored = store.get_assessment(assessment_id=assessment_id)
        assert stored.data == make_input() and stored.result == make_result()
        assert [p.id for p in store.plans(person_name="Alice")] == [plan_id]
        assert len(store.session_logs(person_name="Alice")) == 1
        alice = store.find_person(name="Alice")
        assert (alice.coach_id, alice.login_email) == (None, None)
        coach = store.create_user(
            email="c@example.org",
            display_name="C",
            role="coach",
            password_hash=hash_password("x" * 12),
        )
        store.assign_coach(person_id=alice.id, coach_id=coach.id)
        assert [p.name for p in store.people_of_coach(coach_id=coach.id)] == ["Alice"]
        store.create_person(
            name="Bo",
            age=30,
            sex="male",
            login=NewLogin(
                email="bo@example.org", display_name="Bo", password_hash=hash_password("y" * 12)
            ),
        )
        assert store.enqueue_job(kind="k", payload={}, person_id=alice.id).state == "queued"


def test_downgrade_0003_to_0002_drops_only_the_new_tables(
    store_url: str, make_input, make_result
) -> None:
    with open_store(store_url) as store:
        assessment_id = store.save_assessment(
            person_name="Alice", data=make_input(), result=make_result()
        )
        store.enqueue_job(kind="k", payload={})
    engine = create_store_engine(parse_url(store_url))
    try:
        downgrade(engine, revision="0002")
        assert _revision(engine) == "0002"
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    with open_store(store_url) as again:
        assert again.get_assessment(assessment_id=assessment_id).person_name == "Alice"
        assert again.jobs() == []
