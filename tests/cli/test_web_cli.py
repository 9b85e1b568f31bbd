"""``hiplab user create`` and ``hiplab serve`` as a user runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from hiplab.services.catalogue import sample_path
from tests.cli.conftest import Run

PASSWORD = "a password long enough"


def test_user_create_coach_and_client(hiplab: Run) -> None:
    done = hiplab(
        "user", "create", "--role", "coach", "--email", "Dana@Example.org", "--name", "Dana",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "created coach login dana@example.org" in done.stdout
    again = hiplab(
        "user", "create", "--role", "coach", "--email", "DANA@example.org", "--name", "D",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert again.returncode == 2
    assert "e-mail 'dana@example.org' cannot be used for a new login" in " ".join(
        again.stderr.split()
    )

    missing = hiplab(
        "user", "create", "--role", "client", "--email", "alex@example.org", "--name", "Alex",
        "--person", "Alex", "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert missing.returncode == 2
    assert "no person named 'Alex'" in missing.stderr
    saved = hiplab("assess", str(sample_path()), "--save", "--person", "Alex")
    assert saved.returncode == 0, saved.stderr
    client = hiplab(
        "user", "create", "--role", "client", "--email", "alex@example.org", "--name", "Alex",
        "--person", "Alex", "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert client.returncode == 0, client.stderr
    assert "created client login alex@example.org" in client.stdout


def test_user_create_refuses_bad_input(hiplab: Run) -> None:
    short = hiplab(
        "user", "create", "--role", "coach", "--email", "a@b.org", "--name", "A",
        "--password-stdin", input="short\n",
    )  # fmt: skip
    assert short.returncode == 2
    assert "the password has 5 characters; allowed: 10 to 1024" in short.stderr
    no_person = hiplab(
        "user", "create", "--role", "client", "--email", "a@b.org", "--name", "A",
        "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert no_person.returncode == 2
    assert "a client login needs --person NAME" in no_person.stderr
    bad_role = hiplab("user", "create", "--role", "admin", "--email", "a@b.org", "--name", "A")
    assert bad_role.returncode == 2


def test_cli_start_up_does_not_import_the_web_stack() -> None:
    code = (
        "import sys\n"
        "from hiplab.cli import app\n"
        "for args in (['serve', '--help'], ['user', 'create', '--help']):\n"
        "    try:\n"
        "        app(args, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = [m for m in ('fastapi', 'starlette', 'uvicorn', 'argon2', 'sqlalchemy')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr
    assert "--password-stdin" in done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_answers_on_the_given_port(tmp_path: Path, store_url: str) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "HIPLAB_DATA_DIR": str(tmp_path / "data"),
        "HIPLAB_DATABASE_URL": store_url,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "hiplab", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.2)
        assert response.status_code == 200
        assert "Log in" in response.text
        schema = httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5).json()
        assert "/api/v1/people/{person_id}/assessments" in schema["paths"]
        assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    # uvicorn shuts down cleanly, then re-raises SIGTERM (exit status -15).
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert f"hiplab on http://127.0.0.1:{port}/" in output
