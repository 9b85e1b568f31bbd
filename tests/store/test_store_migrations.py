"""Migration 0001 → 0002 on a database made at 0001 with data, on every backend.

The data is written by today's store and the database then taken back to 0001
(:func:`~hiplab.store.engine.downgrade`): today's store cannot write an 0001 schema.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from hiplab.store import PersonRef, open_store
from hiplab.store.engine import create_store_engine, downgrade, head_revision, parse_url
from hiplab.store.tables import Base
from tests.store.builders import make_log, make_programme

NEW_TABLES = {"plan", "session_log"}


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _store_at_0001(url: str, make_input, make_result) -> tuple[int, int]:
    """Fill 0001's tables, take the store back to 0001; return the assessment and report ids."""
    with open_store(url) as store:
        assessment_id = store.assessments.save(
            person=PersonRef.named("Alice"), data=make_input(), result=make_result()
        ).assessment_id
        report_id = store.assessments.save_report(
            assessment_id=assessment_id, fmt="pdf", content=b"%PDF\x00"
        )
    engine = create_store_engine(parse_url(url))
    try:
        downgrade(engine, revision="0001")
        assert _revision(engine) == "0001"
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    return assessment_id, report_id


def test_upgrade_0001_to_0002_keeps_the_data(store_url: str, make_input, make_result) -> None:
    assessment_id, report_id = _store_at_0001(store_url, make_input, make_result)

    with open_store(store_url) as store:
        assert _revision(store._db.engine) == head_revision()
        assert set(inspect(store._db.engine).get_table_names()) >= NEW_TABLES
        with store._db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        stored = store.assessments.get(assessment_id=assessment_id)
        assert stored.data == make_input()
        assert stored.result == make_result()
        assert len(store.assessments.test_results(person=PersonRef.named("Alice"))) == 2
        assert store.assessments.get_report(report_id=report_id).content == b"%PDF\x00"
        plan_id = store.plans.save(
            person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=assessment_id
        )
        store.logs.save(log=make_log(plan_id=plan_id), person=PersonRef.named("Alice"))
        assert [
            log.log.plan_id for log in store.logs.of_person(person=PersonRef.named("Alice"))
        ] == [plan_id]


def test_downgrade_0002_to_0001_drops_only_the_new_tables(
    store_url: str, make_input, make_result
) -> None:
    with open_store(store_url) as store:
        assessment_id = store.assessments.save(
            person=PersonRef.named("Alice"), data=make_input(), result=make_result()
        ).assessment_id
        store.plans.save(
            person=PersonRef.named("Alice"), programme=make_programme(), assessment_id=None
        )
        engine = create_store_engine(parse_url(store_url))
    try:
        downgrade(engine, revision="0001")
        assert _revision(engine) == "0001"
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    with open_store(store_url) as again:  # upgrades back to 0002, data kept
        assert again.assessments.get(assessment_id=assessment_id).person_name == "Alice"
        assert again.plans.of_person(person=PersonRef.named("Alice")) == []
