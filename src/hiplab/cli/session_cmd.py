"""``hiplab session``: run one session of a stored plan with a timer, keys and voice cues."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from hiplab.cli.app import app, console, fail, settings

if TYPE_CHECKING:
    from hiplab.records.programme import SessionLog
    from hiplab.session.setup import GuidedSession


def _load(person: str | None, plan: int | None, week: int | None) -> GuidedSession:
    from hiplab.services import catalogue, storage
    from hiplab.session.service import prepare_session

    with storage.open_store_for(settings()) as store:
        return prepare_session(
            store=store, library=catalogue.library(), person=person, plan_id=plan, week=week
        )


def _run(guided: GuidedSession, *, voice: bool, time_scale: float) -> SessionLog:
    from hiplab.session.ui import TerminalKeys, run_guided_session
    from hiplab.session.voice import make_voice

    speaker, notice = make_voice(voice)
    if notice:
        console(stderr=True).print(f"[yellow]{notice}[/]")
    try:
        return run_guided_session(
            guided,
            keys=TerminalKeys(sys.stdin),
            voice=speaker,
            console=console(),
            time_scale=time_scale,
            notice=notice,
        )
    finally:
        speaker.close()


def _save(log: SessionLog) -> int:
    from hiplab.errors import StoreError
    from hiplab.services import storage
    from hiplab.session.service import record_session

    try:
        with storage.open_store_for(settings()) as store:
            return record_session(store=store, log=log)
    except StoreError:
        console(stderr=True).print("the session could not be saved; its log was:")
        sys.stderr.write(log.model_dump_json(indent=2) + "\n")
        raise


@app.command("session")
def session(
    person: Annotated[
        str | None,
        typer.Argument(help="Whose latest plan to run (may be left out with --plan)."),
    ] = None,
    plan: Annotated[
        int | None, typer.Option("--plan", help="Run this stored plan id instead.")
    ] = None,
    week: Annotated[
        int | None,
        typer.Option(
            "--week", help="Week to run (default: the week reached with this plan).", min=None
        ),
    ] = None,
    voice: Annotated[
        bool, typer.Option("--voice/--no-voice", help="Speak cues with espeak-ng.")
    ] = True,
    time_scale: Annotated[
        float,
        typer.Option(
            "--time-scale",
            min=0.01,
            max=1000.0,
            help="Run the clock this many times faster (e.g. 20 for a quick try-out).",
        ),
    ] = 1.0,
) -> None:
    """Run a guided session of a stored plan: timer, exercise steps, keys and voice cues."""
    guided = _load(person, plan, week)
    if not sys.stdin.isatty():
        fail("hiplab session needs an interactive terminal, but standard input is not a TTY")
    log = _run(guided, voice=voice, time_scale=time_scale)
    log_id = _save(log)
    from hiplab.session.ui import render_summary

    out = console()
    out.print(render_summary(log, guided.items))
    answers = [
        f"{label} {value}/10"
        for label, value in (("discomfort", log.discomfort), ("effort", log.effort))
        if value is not None
    ]
    out.print(
        f"saved session {log_id} for {guided.person!r}"
        + (f" ({', '.join(answers)})" if answers else "")
        + (" — ended early" if log.quit_early else "")
    )
