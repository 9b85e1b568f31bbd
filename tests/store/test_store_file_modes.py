"""File modes (issue 11 §5): the data folder 0700, the SQLite files and backups 0600.

Every test sets the permissive umask 022 (folders 0755, files 0644 by default) and
restores the one it found, so the modes come from hiplab, not from the test runner.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hiplab.private_files import make_private_dir, private_sqlite_file, restrict_file
from hiplab.services import storage
from hiplab.settings import Settings
from hiplab.store import PersonRef, Store, open_store

pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="POSIX file modes"),
    pytest.mark.usefixtures("permissive_umask"),
]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_and_its_wal_and_shm_are_0600(tmp_path: Path, make_input, make_result) -> None:
    database = tmp_path / "hiplab.sqlite"
    with open_store(f"sqlite:///{database}") as store:
        store.assessments.save(
            person=PersonRef.named("Alice"), data=make_input(), result=make_result()
        )
        companions = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
        assert all(path.exists() for path in companions)  # WAL mode, a connection open
        assert [mode(p) for p in (database, *companions)] == [0o600, 0o600, 0o600]


def test_an_existing_store_readable_by_others_is_restricted(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite"
    with open_store(f"sqlite:///{database}"):
        pass
    wal = database.with_name("old.sqlite-wal")
    wal.write_bytes(b"")
    os.chmod(database, 0o644)
    os.chmod(wal, 0o664)
    with open_store(f"sqlite:///{database}") as store:
        assert store.people.summaries() == []
        assert (mode(database), mode(wal)) == (0o600, 0o600)


def test_the_data_folder_is_created_0700(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"
    with storage.open_store_for(Settings(data_dir=data_dir)):
        pass
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "hiplab.sqlite") == 0o600


def test_the_secret_key_makes_its_folder_0700(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    Settings(data_dir=data_dir).resolved_secret_key()
    assert (mode(data_dir), mode(data_dir / "secret_key")) == (0o700, 0o600)


def test_an_existing_data_folder_keeps_its_mode(tmp_path: Path) -> None:
    data_dir = tmp_path / "shared"
    data_dir.mkdir(mode=0o750)
    make_private_dir(data_dir)
    assert mode(data_dir) == 0o750


def test_backups_are_0600(store: Store, tmp_path: Path) -> None:
    target = store.archive.backup(path=tmp_path / "backups" / "copy.bak")
    assert mode(target) == 0o600


def test_a_missing_folder_is_left_to_sqlite(tmp_path: Path) -> None:
    private_sqlite_file(tmp_path / "absent" / "x.sqlite")
    assert not (tmp_path / "absent").exists()
    restrict_file(tmp_path / "nothing-here")  # a missing file is no error
