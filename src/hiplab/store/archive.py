"""Everything about one person as a file, and the whole store as a backup: ``store.archive``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.exc import DBAPIError

from hiplab.errors import InputError, StoreError
from hiplab.records.refs import PersonRef
from hiplab.spreadsheet import csv_text
from hiplab.store import backup as backups
from hiplab.store import tables
from hiplab.store.assessments import test_results_query
from hiplab.store.core import Repository, UnitOfWork, aware
from hiplab.store.engine import store_error
from hiplab.store.models import StoredTestResult
from hiplab.store.people import find

CSV_COLUMNS = ("person", "taken_on", "assessment_id", "test", "side", "value", "unit", "provenance")
"""Columns of :meth:`ArchiveRepository.export_person` with ``fmt="csv"``, in order."""

EXPORT_FORMAT = "hiplab-person-export"
EXPORT_VERSION = 2


class ArchiveRepository(Repository):
    """Exports of a person and backups of the whole store (``store.archive``)."""

    def export_person(
        self,
        *,
        person: PersonRef,
        fmt: Literal["json", "csv"],
        uow: UnitOfWork | None = None,
    ) -> str:
        """Export everything stored about a person.

        Parameters
        ----------
        person : PersonRef
            Whom to export.
        fmt : {"json", "csv"}
            ``json``: the person, every assessment with its input and result, every
            plan and every session log (``{"format": "hiplab-person-export",
            "version": 2, "person": {…}, "assessments": [{"id", "taken_on",
            "created_at", "provenance", "refer", "input", "result"}, …],
            "plans": [{"id", "assessment_id", "block", "created_at", "programme"}, …],
            "session_logs": [{"id", "plan_id", "log"}, …]}``). ``csv``: one row per
            test result with the columns of :data:`CSV_COLUMNS`.
        uow : UnitOfWork, optional
            Read inside this unit of work instead of a new one.

        Returns
        -------
        str
            The export text.

        Raises
        ------
        InputError
            If ``fmt`` is neither ``json`` nor ``csv``.
        NotFoundError
            If there is no such person.

        """
        if fmt == "json":
            with self._db.reads(uow, "export the person") as session:
                document = _person_document(find(session, person))
            return json.dumps(document, indent=2, ensure_ascii=False)
        if fmt == "csv":
            with self._db.reads(uow, "export the person") as session:
                row = find(session, person)
                rows = session.execute(test_results_query(row.id)).all()
                name = row.name
            return _csv(name, [StoredTestResult.model_validate(dict(r._mapping)) for r in rows])
        raise InputError(f"export format {fmt!r} is not supported; use 'json' or 'csv'")

    def backup(self, *, path: Path) -> Path:
        """Back the whole store up into a new file.

        Parameters
        ----------
        path : Path
            The new file. SQLite stores are copied as an SQLite database;
            PostgreSQL stores are dumped as JSON (see :mod:`hiplab.store.backup`).

        Returns
        -------
        Path
            The path written.

        Raises
        ------
        StoreError
            If the file already exists (never overwritten) or the copy fails; a
            failed backup leaves no file behind.

        """
        path = Path(path)
        db = self._db
        if db.closed:
            raise StoreError(f"cannot back up: the store {db.url} is closed")
        backups.claim_new_file(path)
        try:
            if db.dialect == "sqlite":
                backups.sqlite_backup(db.engine, path)
            else:
                backups.json_dump(db.engine, path)
        except BaseException as exc:
            path.unlink(missing_ok=True)
            if isinstance(exc, DBAPIError):
                raise store_error("back up the store", db.engine.url, exc) from exc
            raise
        return path


def _person_document(person: tables.Person) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "person": {
            "name": person.name,
            "age": person.age,
            "sex": person.sex,
            "created_at": aware(person.created_at).isoformat(),
        },
        "assessments": [
            {
                "id": row.id,
                "taken_on": row.taken_on.isoformat(),
                "created_at": aware(row.created_at).isoformat(),
                "provenance": row.provenance,
                "refer": row.refer,
                "input": row.input_json,
                "result": row.result_json,
            }
            for row in person.assessments
        ],
        "plans": [
            {
                "id": row.id,
                "assessment_id": row.assessment_id,
                "block": row.block,
                "created_at": aware(row.created_at).isoformat(),
                "programme": row.programme_json,
            }
            for row in person.plans
        ],
        "session_logs": [
            {"id": row.id, "plan_id": row.plan_id, "log": row.log_json}
            for row in person.session_logs
        ],
    }


def _csv(person_name: str, rows: list[StoredTestResult]) -> str:
    return csv_text(
        [
            CSV_COLUMNS,
            *(
                (
                    person_name.strip(),
                    row.taken_on.isoformat(),
                    row.assessment_id,
                    row.test,
                    row.side or "",
                    row.value,
                    row.unit,
                    row.provenance,
                )
                for row in rows
            ),
        ]
    )
