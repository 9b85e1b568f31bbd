"""Migration 0007 (person names per coach) keeps every row, on SQLite and PostgreSQL.

0007 rebuilds ``person`` on SQLite; dropping the old table with foreign keys on would run
the ``ON DELETE CASCADE`` of every child. A store full of children (assessments, test
results, reports, plans, session logs, logins, links, jobs, login sessions) is taken
back to 0006 and up again, and every table keeps its rows.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from hiplab.store import NewLogin, PersonRef, open_store
from hiplab.store.engine import (
    MIGRATIONS_DIR,
    create_store_engine,
    downgrade,
    head_revision,
    parse_url,
    upgrade,
)
from hiplab.store.tables import Base
from tests.store.builders import make_log, make_programme

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def _fill(url: str, make_input, make_result) -> None:
    with open_store(url) as store:
        coach = store.accounts.create_user(
            email="c@example.org", display_name="C", role="coach", password_hash=HASH
        )
        login = NewLogin(email="alice@example.org", display_name="Alice", password_hash=HASH)
        alice = store.people.create(
            name="Alice", age=34, sex="female", coach_id=coach.id, login=login
        )
        for name in ("Alice", "Sam"):
            assessment_id = store.assessments.save(
                person=PersonRef.named(name),
                data=make_input(),
                result=make_result(),
                reports=[("html", "<p>")],
            ).assessment_id
            plan_id = store.plans.save(
                person=PersonRef.named(name),
                programme=make_programme(),
                assessment_id=assessment_id,
            )
            store.logs.save(
                log=make_log(plan_id=plan_id).model_copy(update={"person": name}),
                person=PersonRef.named(name),
            )
        store.jobs.enqueue(kind="k", payload={}, owner_id=coach.id, person_id=alice.id)
        client = store.accounts.by_email(email="alice@example.org")
        assert client is not None
        digest = hashlib.sha256(b"cookie").hexdigest()
        store.accounts.start_session(
            user_id=client.id, digest=digest, expired_before=datetime.now(UTC)
        )


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(text(f"SELECT COUNT(*) FROM {table.name}")).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def _owners(engine: Engine) -> dict[str, int | None]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, owner_id FROM person")).all()
    return {name: owner for name, owner in rows}


def test_0007_down_and_up_keeps_every_row(store_url: str, make_input, make_result) -> None:
    _fill(store_url, make_input, make_result)
    engine = create_store_engine(parse_url(store_url))
    try:
        before = _counts(engine)
        assert all(before.values()), before  # every table has rows that could be lost
        owners = _owners(engine)
        assert owners["Sam"] is None and owners["Alice"] is not None
        downgrade(engine, revision="0006")
        assert _counts(engine) == before
        assert "owner_id" not in {c["name"] for c in inspect(engine).get_columns("person")}
        upgrade(engine)
        assert _counts(engine) == before
        assert _owners(engine) == owners  # from coach_client
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar() == head_revision()
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            if engine.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
    with open_store(store_url) as store:
        assert [p.name for p in store.people.summaries()] == ["Alice", "Sam"]
        assert len(store.logs.of_person(person=PersonRef.named("Alice"))) == 1


def test_0007_refuses_an_sqlite_connection_with_foreign_keys_on(
    sqlite_url: str, make_input, make_result
) -> None:
    _fill(sqlite_url, make_input, make_result)
    engine = create_store_engine(parse_url(sqlite_url))
    try:
        downgrade(engine, revision="0006")
        before = _counts(engine)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("path_separator", "os")
        refused = "would delete every person's records"
        with pytest.raises(RuntimeError, match=refused), engine.begin() as connection:
            config.attributes["connection"] = connection  # foreign keys on: it would cascade
            command.upgrade(config, "0007")
        assert _counts(engine) == before
    finally:
        engine.dispose()
