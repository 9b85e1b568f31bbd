"""Backups: an SQLite copy that opens as a store; a JSON dump for PostgreSQL."""

from __future__ import annotations

import base64
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from hiplab.errors import StoreError
from hiplab.store import PersonRef, Store, open_store
from hiplab.store.engine import head_revision
from tests.store.builders import make_log, make_programme

TABLES = ("person", "assessment", "test_result", "report", "plan", "session_log")


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(path)) as connection:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in TABLES
        }


def test_sqlite_backup_is_a_readable_copy(
    sqlite_store: Store, sqlite_url: str, tmp_path: Path, make_input, make_result
) -> None:
    assessment_id = sqlite_store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(), result=make_result()
    ).assessment_id
    sqlite_store.assessments.save_report(
        assessment_id=assessment_id, fmt="pdf", content=b"%PDF\x00"
    )
    target = tmp_path / "backups" / "copy.sqlite"

    assert sqlite_store.archive.backup(path=target) == target

    original = Path(sqlite_url.removeprefix("sqlite:///"))
    copied = _rows(target)
    assert copied == _rows(original)
    assert len(copied["test_result"]) == 2
    assert not target.with_name("copy.sqlite-wal").exists()
    with open_store(f"sqlite:///{target}") as restored:
        assert restored.assessments.history(
            person=PersonRef.named("Alice")
        ) == sqlite_store.assessments.history(person=PersonRef.named("Alice"))


def test_backup_refuses_to_overwrite(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "existing.bak"
    target.write_bytes(b"keep me")

    with pytest.raises(StoreError, match="already exists"):
        store.archive.backup(path=target)

    assert target.read_bytes() == b"keep me"


def test_second_backup_to_same_path_is_refused(sqlite_store: Store, tmp_path: Path) -> None:
    target = sqlite_store.archive.backup(path=tmp_path / "one.sqlite")
    size = target.stat().st_size
    with pytest.raises(StoreError, match="already exists"):
        sqlite_store.archive.backup(path=target)
    assert target.stat().st_size == size


def test_postgresql_backup_is_a_json_dump(
    store: Store, tmp_path: Path, make_input, make_result
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("the JSON dump is the PostgreSQL backup format")
    assessment_id = store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(), result=make_result()
    ).assessment_id
    store.assessments.save_report(assessment_id=assessment_id, fmt="pdf", content=b"%PDF\x00")

    dump = json.loads(store.archive.backup(path=tmp_path / "dump.json").read_text(encoding="utf-8"))

    assert dump["format"] == "hiplab-backup"
    assert dump["alembic_revision"] == head_revision()
    assert [row["name"] for row in dump["tables"]["person"]] == ["Alice"]
    assert len(dump["tables"]["test_result"]) == 2
    [assessment] = dump["tables"]["assessment"]
    assert assessment["taken_on"] == "2024-03-01"
    assert assessment["input_json"] == make_input().model_dump(mode="json")
    [report] = dump["tables"]["report"]
    assert base64.b64decode(report["data"]["base64"]) == b"%PDF\x00"


def test_backups_include_plans_and_session_logs(
    store: Store, store_url: str, tmp_path: Path, make_input, make_result
) -> None:
    assessment_id = store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(), result=make_result()
    ).assessment_id
    programme = make_programme()
    plan_id = store.plans.save(
        person=PersonRef.named("Alice"), programme=programme, assessment_id=assessment_id
    )
    log = make_log(plan_id=plan_id)
    store.logs.save(log=log, person=PersonRef.named(log.person))

    target = store.archive.backup(path=tmp_path / "backup.out")

    if store.dialect == "sqlite":
        with open_store(f"sqlite:///{target}") as restored:
            assert restored.plans.latest(person=PersonRef.named("Alice")).programme == programme
            assert [s.log for s in restored.logs.of_person(person=PersonRef.named("Alice"))] == [
                log
            ]
        return
    tables = json.loads(target.read_text(encoding="utf-8"))["tables"]
    [plan] = tables["plan"]
    assert (plan["id"], plan["assessment_id"], plan["block"]) == (plan_id, assessment_id, 1)
    assert plan["programme_json"] == programme.model_dump(mode="json")
    [session_log] = tables["session_log"]
    assert session_log["plan_id"] == plan_id
    assert session_log["log_json"] == log.model_dump(mode="json")
    assert session_log["started_at"].startswith("2024-03-04T17:00:00")
