"""``hiplab plan``: an optimised multi-week programme from an assessment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hiplab.cli.app import app, console, fail, settings, write_output
from hiplab.services.plans import PlanFormat

if TYPE_CHECKING:
    from hiplab.records.programme import Programme


@app.command()
def plan(
    source: Annotated[
        str,
        typer.Argument(
            metavar="INPUT", help="Assessment file (.json/.yaml) or a stored assessment id."
        ),
    ],
    minutes: Annotated[int, typer.Option(help="Time budget per session, minutes (5–120).")] = 15,
    sessions_per_week: Annotated[int, typer.Option(help="Sessions per week (1–14).")] = 3,
    weeks: Annotated[int, typer.Option(help="Weeks in the block (1–52); a re-test ends it.")] = 4,
    equipment: Annotated[
        str | None, typer.Option(help="Equipment you have, comma-separated (e.g. strap,band).")
    ] = None,
    avoid_positions: Annotated[
        str | None, typer.Option(help="Positions to avoid, comma-separated (e.g. kneeling,prone).")
    ] = None,
    fmt: Annotated[
        PlanFormat, typer.Option("--format", "-f", help="text, json, html, pdf or ics.")
    ] = "text",
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Store the assessment and the plan.")
    ] = False,
    person: Annotated[
        str | None, typer.Option(help="Store under this name (default: person.name).")
    ] = None,
) -> None:
    """Make a personalised multi-week programme that respects every precaution."""
    from hiplab.services import plans

    request = plans.check_request(
        minutes=minutes,
        sessions_per_week=sessions_per_week,
        weeks=weeks,
        equipment=equipment,
        avoid_positions=avoid_positions,
    )
    outcome = plans.make_plan(
        source=source, settings=settings(), request=request, save=save, person=person
    )
    if fmt == "text" and out is None:
        from hiplab.report.plan_text import render_plan_text

        render_plan_text(outcome.programme, console=console())
    elif fmt == "pdf" and out is None:
        fail("PDF output needs -o FILE.pdf")
    else:
        write_output(_content(outcome.programme, fmt), out)
    if outcome.plan_id is not None:
        console(stderr=True).print(f"saved plan {outcome.plan_id} for {outcome.source.person!r}")


def _content(programme: Programme, fmt: PlanFormat) -> str | bytes:
    from hiplab.services import plans

    if fmt == "text":
        from io import StringIO

        from rich.console import Console

        from hiplab.report.plan_text import render_plan_text

        buffer = StringIO()
        render_plan_text(programme, console=Console(file=buffer, width=110, color_system=None))
        return buffer.getvalue()
    return plans.render_plan(programme, fmt)
