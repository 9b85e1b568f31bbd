"""Limits are defined once and every column, check and message reads them (issue 12 §3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiplab.errors import InputError
from hiplab.records.intake import PERSON_NAME_LENGTH, Person
from hiplab.records.refs import PersonRef
from hiplab.settings import Settings, sqlite_file_url
from hiplab.store import Store, tables
from tests.store.conftest import MakeInput, MakeResult


def test_the_person_name_limit_of_the_record_is_the_columns() -> None:
    assert tables.Person.__table__.c.name.type.length == PERSON_NAME_LENGTH
    assert tables.AppUser.__table__.c.display_name.type.length == PERSON_NAME_LENGTH
    Person(name="x" * PERSON_NAME_LENGTH, age=30, sex="female")
    with pytest.raises(ValueError, match=f"at most {PERSON_NAME_LENGTH} characters"):
        Person(name="x" * (PERSON_NAME_LENGTH + 1), age=30, sex="female")


def test_every_name_check_reads_the_limit(
    store: Store, make_input: MakeInput, make_result: MakeResult
) -> None:
    longest = "n" * PERSON_NAME_LENGTH
    assert store.people.create(name=longest, age=30, sex="male").name == longest
    allowed = f"must be 1 to {PERSON_NAME_LENGTH} characters"
    with pytest.raises(InputError, match=allowed):
        store.people.create(name=longest + "n", age=30, sex="male")
    with pytest.raises(InputError, match=allowed):
        store.assessments.save(
            person=PersonRef.named(longest + "n"), data=make_input(), result=make_result()
        )


def test_the_report_format_limit_is_the_columns(
    store: Store, make_input: MakeInput, make_result: MakeResult
) -> None:
    longest = tables.REPORT_FORMAT_LENGTH
    assert tables.Report.__table__.c.format.type.length == longest
    saved = store.assessments.save(
        person=PersonRef.named("Ann"),
        data=make_input(),
        result=make_result(),
        reports=[("f" * longest, "ok")],
    )
    with pytest.raises(InputError, match=f"must be 1 to {longest} characters"):
        store.assessments.save_report(
            assessment_id=saved.assessment_id, fmt="f" * (longest + 1), content="x"
        )


def test_the_default_database_url_is_written_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from hiplab.store import default_url
    from hiplab.store import store as store_module

    monkeypatch.delenv("HIPLAB_DATABASE_URL", raising=False)
    monkeypatch.setattr(store_module, "user_data_dir", lambda app: str(tmp_path))
    assert default_url() == sqlite_file_url(tmp_path)
    assert Settings(data_dir=tmp_path).resolved_database_url() == sqlite_file_url(tmp_path)
