"""``hiplab serve`` (the web app) and ``hiplab user create`` (its logins)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from hiplab.cli.app import State, app, settings
from hiplab.records.account import ROLES, Role

user_app = typer.Typer(help="Logins of the web app.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(
            "--host", help="Address to listen on (default 127.0.0.1).", show_default=False
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", help="Port to listen on (default 8000).", show_default=False),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes sharing the port (1–64); about one per core.",
        ),
    ] = 1,
) -> None:
    """Run the web app: coach and client pages and the REST API under /api/v1."""
    from hiplab.settings import load_settings
    from hiplab.web import serve as serving

    overrides = {
        "database_url": State.database_url,
        "data_dir": State.data_dir,
        "host": host,
        "port": port,
    }
    resolved = load_settings(overrides=overrides)
    processes = "" if workers == 1 else f", {workers} processes"
    typer.echo(f"hiplab on http://{resolved.host}:{resolved.port}/{processes} (Ctrl+C stops it)")
    serving.run(resolved, overrides, workers=workers)


@user_app.command("create")
def user_create(
    role: Annotated[Role, typer.Option("--role", help=" or ".join(ROLES) + ".")],
    email: Annotated[str, typer.Option("--email", help="Login e-mail (any case).")],
    name: Annotated[str, typer.Option("--name", help="Name shown in the app.")],
    person: Annotated[
        str | None,
        typer.Option("--person", help="Client only: the stored person this login belongs to."),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
    ] = False,
) -> None:
    """Create a login; the password is asked for (or read from stdin), never an argument."""
    from hiplab.services import clinic, storage
    from hiplab.services.passwords import check_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    check_password(password)
    with storage.open_store_for(settings()) as store:
        user = clinic.create_login(
            store=store,
            email=email,
            display_name=name,
            role=role,
            password=password,
            person_name=person,
        )
    typer.echo(f"created {user.role} login {user.email} (id {user.id})")
