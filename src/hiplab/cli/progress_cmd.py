"""``hiplab progress``: a person's measurements, plan adherence and pain over time."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from hiplab.cli.app import app, console, settings, write_output

if TYPE_CHECKING:
    from hiplab.progress.models import ProgressReport

ProgressFormat = Literal["text", "html", "png"]


def default_output(person: str, fmt: ProgressFormat) -> Path:
    """Return the file written in the current folder when ``-o`` is not given.

    Parameters
    ----------
    person : str
        The person's name.
    fmt : {"text", "html", "png"}
        The format; it gives the suffix.

    Returns
    -------
    Path
        ``progress-<name>.<fmt>`` with the name lower-cased and reduced to letters,
        digits and dashes.

    Examples
    --------
    >>> default_output("Sam  Sample", "png").name
    'progress-sam-sample.png'

    """
    slug = re.sub(r"[^\w]+", "-", person.strip().lower(), flags=re.ASCII).strip("-") or "person"
    return Path(f"progress-{slug}.{fmt}")


@app.command()
def progress(
    person: Annotated[str, typer.Argument(help="The person's name as stored.")],
    fmt: Annotated[
        ProgressFormat, typer.Option("--format", "-f", help="text, html or png.")
    ] = "text",
    out: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here (html/png default: progress-<person>.<format> in this folder).",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Show progress as it was on this day, YYYY-MM-DD (default: today).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show test values against norms and measurement error, plan adherence and pain."""
    from hiplab.progress.build import gather_progress
    from hiplab.services import catalogue, storage

    day = as_of.date() if as_of is not None else date.today()
    with storage.open_store_for(settings()) as store:
        report = gather_progress(
            store=store, person_name=person, library=catalogue.library(), as_of=day
        )
    if fmt == "text" and out is None:
        from hiplab.progress.text import render_text

        render_text(report, console=console())
        return
    out = out or default_output(report.person, fmt)
    write_output(_render(report, fmt), out)
    console(stderr=True).print(f"progress written to {out}")


def _render(report: ProgressReport, fmt: ProgressFormat) -> str | bytes:
    if fmt == "text":
        import io

        from rich.console import Console

        from hiplab.progress.text import render_text

        buffer = io.StringIO()
        render_text(report, console=Console(file=buffer, width=120, color_system=None))
        return buffer.getvalue()
    if fmt == "html":
        from hiplab.progress.html import render_html

        return render_html(report)
    from hiplab.progress.png import render_png

    return render_png(report)
