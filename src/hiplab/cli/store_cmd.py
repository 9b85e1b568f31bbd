"""``hiplab people``, ``history``, ``export`` and ``db`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from hiplab.cli.app import app, console, db_app, dump_json, settings, write_output
from hiplab.records.refs import PersonRef

if TYPE_CHECKING:
    from hiplab.store import Store

TableOrJson = Literal["table", "json"]


@app.command()
def people(
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List the people in the store with their last assessment."""
    from rich.table import Table

    from hiplab.services import storage

    with storage.open_store_for(settings()) as store:
        rows = store.people.summaries()
    if fmt == "json":
        write_output(dump_json([r.model_dump(mode="json") for r in rows]), None)
        return
    table = Table("person", "age", "sex", "assessments", "last assessed", "refer")
    for r in rows:
        table.add_row(
            r.name,
            str(r.age),
            r.sex,
            str(r.n_assessments),
            str(r.last_assessed or "-"),
            "yes" if r.last_refer else "no",
        )
    console().print(table)


@app.command()
def history(
    person: Annotated[str, typer.Argument(help="The person's name as stored.")],
    fmt: Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Show one person's assessments over time."""
    from rich.table import Table

    from hiplab.services import storage

    with storage.open_store_for(settings()) as store:
        rows = store.assessments.history(person=PersonRef.named(person))
    if fmt == "json":
        write_output(dump_json([r.model_dump(mode="json") for r in rows]), None)
        return
    table = Table("id", "date", "provenance", "refer", "findings", title=f"history of {person}")
    for r in rows:
        table.add_row(
            str(r.id),
            str(r.taken_on),
            r.provenance,
            "yes" if r.refer else "no",
            ", ".join(r.finding_ids) or "none",
        )
    console().print(table)


@app.command()
def export(
    person: Annotated[str, typer.Argument(help="The person's name as stored.")],
    fmt: Annotated[
        Literal["json", "csv", "fhir"],
        typer.Option(
            "--format",
            "-f",
            help="json (everything), csv (one row per value) or fhir (a FHIR R4 Bundle).",
        ),
    ] = "json",
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Export everything stored about one person as JSON or CSV, or their measurements as FHIR."""
    from hiplab.services import storage

    with storage.open_store_for(settings()) as store:
        if fmt == "fhir":
            content = dump_json(_fhir_bundle(store, person))
        else:
            content = store.archive.export_person(person=PersonRef.named(person), fmt=fmt)
    write_output(content, out)


def _fhir_bundle(store: Store, person: str) -> dict[str, Any]:
    """Return the person's FHIR Bundle: the web's ``export.fhir.json``, by name."""
    from datetime import UTC, datetime

    from hiplab.services import catalogue
    from hiplab.services.export import gather_bundle

    return gather_bundle(
        store=store, person_name=person, library=catalogue.library(), timestamp=datetime.now(UTC)
    )


@db_app.command("backup")
def backup(path: Annotated[Path, typer.Argument(help="New backup file (must not exist).")]) -> None:
    """Copy the store to PATH (SQLite: a consistent database copy; PostgreSQL: a JSON dump)."""
    from hiplab.services import storage

    with storage.open_store_for(settings()) as store:
        written = store.archive.backup(path=path)
    typer.echo(f"backup written to {written}")


@db_app.command("path")
def db_path() -> None:
    """Print the store URL in use (password masked)."""
    from hiplab.store.store import mask_url

    typer.echo(mask_url(settings().resolved_database_url()))
