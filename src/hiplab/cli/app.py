"""The CLI application object, global options and shared helpers for commands.

Exit codes: 0 success, 1 unexpected failure, 2 bad input (bad file, unknown
id, invalid option value), 3 store unavailable.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from hiplab import __version__
from hiplab.errors import HiplabError, InputError, StoreError

if TYPE_CHECKING:
    from rich.console import Console

    from hiplab.settings import Settings

app = typer.Typer(
    name="hiplab",
    help="Assess tight hips against published norms, explain the kinetic chain, browse exercises.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Store maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

EXIT_INPUT = 2
EXIT_STORE = 3
CLI_OPTIONS: dict[str, str] = {
    "task": "--task",
    "exercise": "--exercise",
    "fps": "--fps",
    "model": "--model",
    "person_box": "--person-box",
    "save": "--save",
    "output": "--output",
    "format": "--format",
    "jobs": "--jobs",
    "ray": "--ray",
    "source": "INPUT",
    "from_keypoints": "--from-keypoints",
}
"""How the CLI names a domain error's field (:attr:`hiplab.errors.InputError.field`)."""


class State:
    """Global options given before the command."""

    database_url: str | None = None
    data_dir: Path | None = None


def settings() -> Settings:
    """Return the settings for this invocation (file < env < global flags)."""
    from hiplab.settings import load_settings

    return load_settings(overrides={"database_url": State.database_url, "data_dir": State.data_dir})


def console(*, stderr: bool = False) -> Console:
    """Return a rich console (stderr for messages)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print ``message`` as an error and exit with ``code`` (inside a command)."""
    _report(message)
    raise typer.Exit(code)


def write_output(content: str | bytes, out: Path | None) -> None:
    """Write to ``out`` (atomically) or stdout."""
    if out is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        tmp.replace(out)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hiplab {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Store URL (overrides HIPLAB_DATABASE_URL).", show_default=False),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="Folder of the default SQLite store (overrides HIPLAB_DATA_DIR)."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Hiplab: hip mobility assessment and exercise library. Not a diagnosis."""
    State.database_url = db
    State.data_dir = data_dir


def _report(message: str) -> None:
    from rich.markup import escape

    console(stderr=True).print(f"[bold red]error:[/] {escape(message)}")


def option_name(field: str) -> str:
    """Return the CLI's name of a domain field: its option (``--task``), else the field itself."""
    return CLI_OPTIONS.get(field, field)


def input_message(error: InputError) -> str:
    """Return an input error in the CLI's words: a structured field named as its option."""
    return error.render(option_name)


def run() -> None:
    """Run the CLI, turning domain errors into one-line messages and exit codes."""
    try:
        app(standalone_mode=True)
    except InputError as exc:
        _report(input_message(exc))
        sys.exit(EXIT_INPUT)
    except StoreError as exc:
        _report(str(exc))
        sys.exit(EXIT_STORE)
    except HiplabError as exc:
        _report(str(exc))
        sys.exit(1)


def dump_json(value: object) -> str:
    """Return ``value`` as indented JSON with a trailing newline."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n"
