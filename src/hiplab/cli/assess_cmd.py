"""``hiplab assess`` and ``hiplab demo``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer

from hiplab.cli.app import app, console, fail, settings, write_output
from hiplab.motion.tasks.names import names_in_words
from hiplab.services.assessments import ReportFormat

FORMATS: tuple[str, ...] = get_args(ReportFormat)

if TYPE_CHECKING:
    from hiplab.services.assessments import AssessOutcome


def show(outcome: AssessOutcome, fmt: ReportFormat, out: Path | None) -> None:
    """Render an outcome in ``fmt`` to ``out`` or the terminal."""
    from hiplab.services import assessments

    if fmt == "text":
        from hiplab.report.text import render_text

        if out is None:
            render_text(outcome.result, console=console())
            return
        from rich.console import Console

        with out.open("w", encoding="utf-8") as handle:
            render_text(outcome.result, console=Console(file=handle, width=100, color_system=None))
        return
    if fmt == "pdf" and out is None:
        fail("PDF output needs -o FILE.pdf")
    write_output(assessments.render_report(outcome, fmt), out)


def _saved_line(outcome: AssessOutcome) -> None:
    if outcome.assessment_id is not None:
        console(stderr=True).print(
            f"saved assessment {outcome.assessment_id} for {outcome.person!r}"
        )


@app.command()
def assess(
    file: Annotated[
        Path | None,
        typer.Argument(help="Assessment file (.json/.yaml). Omit it for a guided interview."),
    ] = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help=f"Output format: {names_in_words(get_args(ReportFormat))}."
        ),
    ] = "text",
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here.")
    ] = None,
    save: Annotated[
        bool | None,
        typer.Option(
            "--save/--no-save",
            help="Store the result (default: on for the interview, off for files).",
            show_default=False,
        ),
    ] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Store under this name (default: person.name).")
    ] = None,
) -> None:
    """Assess a person's hip tests against published norms and explain what they may mean."""
    from hiplab.services import assessments

    if file is None:
        from hiplab.cli.interview import run_interview

        data = run_interview(console())
        outcome = assessments.assess_input(
            data=data, settings=settings(), save=True if save is None else save, person=person
        )
    else:
        outcome = assessments.assess_file(
            path=file, settings=settings(), save=bool(save), person=person
        )
    show(outcome, fmt, out)
    _saved_line(outcome)
    if out is not None:
        console(stderr=True).print(f"report written to {out}")


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the HTML report.")
    ] = Path("out/report.html"),
) -> None:
    """Assess the bundled sample person, plan a programme, store both, write report and handout."""
    from hiplab.report.plan_text import render_plan_text
    from hiplab.services import assessments, catalogue, plans

    outcome = assessments.assess_file(path=catalogue.sample_path(), settings=settings(), save=True)
    show(outcome, "text", None)
    write_output(assessments.render_report(outcome, "html"), out)
    _saved_line(outcome)
    request = plans.check_request(
        minutes=15, sessions_per_week=3, weeks=4, equipment=None, avoid_positions=None
    )
    planned = plans.make_plan(
        source=str(outcome.assessment_id), settings=settings(), request=request, save=True
    )
    render_plan_text(planned.programme, console=console())
    handout = out.with_name("plan.html")
    write_output(plans.render_plan(planned.programme, "html"), handout)
    typer.echo(f"HTML report: {out.resolve()}")
    typer.echo(f"Programme handout: {handout.resolve()}")
    _demo_logins(outcome.person)


def _demo_logins(person: str) -> None:
    from hiplab.services.demo import seed_web_demo

    logins = seed_web_demo(settings=settings(), person_name=person)
    typer.echo(
        f"Web app (hiplab serve): coach {logins.coach_email}"
        + (f", client {logins.client_email}" if logins.client_email else "")
        + f", password {logins.password!r} (demo only)"
    )


@app.command("sample")
def sample() -> None:
    """Print the bundled sample assessment (a template for your own file)."""
    from hiplab.services import catalogue

    typer.echo(catalogue.sample_path().read_text(encoding="utf-8"), nl=False)
