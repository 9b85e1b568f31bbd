"""``hiplab library`` (browse and show exercises) and ``hiplab tests`` (self-test guide)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from hiplab.cli.app import app, console, dump_json, fail, write_output

if TYPE_CHECKING:
    from hiplab.library.models import Exercise, TestDef

library_app = typer.Typer(help="Browse the exercise library.", invoke_without_command=True)
app.add_typer(library_app, name="library")


def _exercise_table(rows: list[Exercise]) -> None:
    from rich.table import Table

    table = Table(
        "id", "name", "kind", "position", "targets", "equipment", title=f"{len(rows)} exercises"
    )
    for e in rows:
        table.add_row(
            e.id,
            e.name,
            e.kind.value,
            e.position.value,
            ", ".join(e.targets.primary),
            ", ".join(e.equipment) or "-",
        )
    console().print(table)


@library_app.callback()
def library(
    ctx: typer.Context,
    target: Annotated[str | None, typer.Option(help="Muscle group id, e.g. iliopsoas.")] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="static_stretch, dynamic_mobility, pnf, activation or strength."),
    ] = None,
    position: Annotated[
        str | None, typer.Option(help="Body position, e.g. supine or kneeling.")
    ] = None,
    equipment: Annotated[str | None, typer.Option(help="Equipment slug, e.g. strap.")] = None,
    fmt: Annotated[
        Literal["table", "json"], typer.Option("--format", "-f", help="table or json.")
    ] = "table",
) -> None:
    """List exercises, filtered by target, kind, position and equipment."""
    if ctx.invoked_subcommand is not None:
        return
    from hiplab.services import catalogue

    rows = catalogue.filter_exercises(
        target=target, kind=kind, position=position, equipment=equipment
    )
    if fmt == "json":
        write_output(dump_json([e.model_dump(mode="json") for e in rows]), None)
    else:
        _exercise_table(rows)


def _print_exercise(e: Exercise) -> None:
    from rich.markup import escape

    from hiplab.library import default_library
    from hiplab.report.html import not_suitable_lines

    c = console()
    d = e.dosage
    dose = f"{d.sets} × {f'{d.hold_s} s hold' if d.hold_s else f'{d.reps} reps'}" + (
        " per side" if d.per_side else ""
    )
    c.print(f"[bold]{escape(e.name)}[/] ({e.id}) — {e.kind.value}, {e.position.value}")
    c.print(
        f"targets: {', '.join(e.targets.primary)}"
        + (f"; also {', '.join(e.targets.secondary)}" if e.targets.secondary else "")
    )
    c.print(f"dosage: {dose}, rest {d.rest_s} s; equipment: {', '.join(e.equipment) or 'none'}")
    needs = (f"{m.replace('_', ' ')} {v.deg:g}°" for m, v in e.joint_demands.items())
    c.print("needs: " + ", ".join(needs))
    for line in not_suitable_lines(e, default_library()):
        c.print(f"not for: {escape(line)}")
    for i, step in enumerate(e.steps, 1):
        c.print(f"  {i}. {escape(step)}")
    c.print("common mistakes: " + escape("; ".join(e.mistakes)))
    if e.regressions or e.progressions:
        c.print(
            f"easier: {', '.join(e.regressions) or '-'}; harder: {', '.join(e.progressions) or '-'}"
        )
    c.print(f"evidence: {escape(e.evidence)}")


@library_app.command("show")
def show(
    exercise_id: Annotated[str, typer.Argument(metavar="ID", help="Exercise id.")],
    fmt: Annotated[
        Literal["text", "json", "svg", "html"],
        typer.Option("--format", "-f", help="text, json, svg or html."),
    ] = "text",
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Show one exercise: steps, dosage, and its picture as SVG or an HTML card."""
    from hiplab.services import catalogue

    e = catalogue.library().exercise(exercise_id)
    if fmt == "text":
        _print_exercise(e)
    elif fmt == "json":
        write_output(dump_json(e.model_dump(mode="json")), out)
    else:
        write_output(catalogue.exercise_picture(e, fmt=fmt), out)


def _print_test(t: TestDef) -> None:
    from rich.markup import escape

    c = console()
    c.print(f"[bold]{escape(t.name)}[/] ({t.id}) — unit {t.unit}, input key tests.{t.input_key}")
    for i, step in enumerate(t.instructions, 1):
        c.print(f"  {i}. {escape(step)}")
    for n in t.norms:
        who: list[str] = [] if n.sex == "any" else [n.sex]
        if (n.age_min, n.age_max) != (0, 120):
            who.append(f"ages {n.age_min}–{n.age_max}")
        group = f" ({', '.join(who)})" if who else ""
        c.print(
            f"  norm{group}: limit {n.limit:g} {t.unit}"
            + (f", typical {n.typical:g}" if n.typical is not None else "")
            + (f" — {escape(n.basis)}" if n.basis else "")
            + f" {escape(f'[{n.source}]')} {escape(n.note)}"
        )
    if t.error:
        e = t.error
        c.print(
            f"  measurement error: {e.mdc:g} {t.unit} {escape(f'[{e.mdc_cited}]')}"
            + (f"; side difference {e.side_difference:g} {t.unit}" if e.side_difference else "")
            + (
                f" {escape(f'[{e.source}]')}"
                if e.side_difference and e.source != e.mdc_cited
                else ""
            )
            + (f" — measured on {escape(e.measured_on)}" if e.measured_on else "")
        )


@app.command("tests")
def tests_cmd(
    test_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Show one test.")] = None,
    picture: Annotated[
        Path | None, typer.Option("--picture", help="Write the test's picture (SVG) here.")
    ] = None,
    self_only: Annotated[
        bool, typer.Option("--self/--all", help="Only tests you can do on your own.")
    ] = False,
) -> None:
    """Explain the standard tests: how to do them, units, norms and measurement error."""
    from hiplab.services import catalogue

    lib = catalogue.library()
    if test_id is None:
        for t in lib.tests.values():
            if t.self_test or not self_only:
                _print_test(t)
        return
    if test_id not in lib.tests:
        from hiplab.library.loader import unknown_id_message

        fail(unknown_id_message("test", test_id, lib.tests))
    test = lib.tests[test_id]
    _print_test(test)
    if picture is not None:
        if test.pose is None:
            fail(f"test {test_id!r} has no picture")
        from hiplab.report.figure import pose_svg

        write_output(pose_svg(test.pose, title=test.name), picture)
