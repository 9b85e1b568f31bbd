"""``hiplab serve --workers 2``: two real server processes share one port, key and store.

A session made by one process must be honoured by the other (the secret key file is
created once, by the parent, before they start); the store is migrated once; each
worker listens on its own socket (the kernel spreads connections over them); a second
server on the same port is refused; bad values of ``--workers`` are refused with exit
code 2. HTTP only, no browser.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.e2e.conftest import COACH_EMAIL, _started, login_cookies


def _listening_sockets(port: int) -> int:
    """Count the TCP sockets in LISTEN state on ``port`` (Linux /proc/net/tcp)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    fields = [row.split() for row in rows]
    return sum(1 for f in fields if f[3] == "0A" and f[1].endswith(f":{port:04X}"))


def test_two_workers_honour_each_others_sessions(tmp_path: Path) -> None:
    store_url = f"sqlite:///{tmp_path / 'hiplab.sqlite'}"
    with _started(store_url, tmp_path, "sqlite", "--workers", "2") as server:
        server.create_coach()
        port = int(server.url.rsplit(":", 1)[1])
        listening = _listening_sockets(port)
        again = server.hiplab("serve", "--port", str(port), "--workers", "2")
        cookies = login_cookies(server.url)
        answers = []
        for _ in range(40):  # a new connection each time: the kernel spreads them
            with httpx.Client(base_url=server.url, cookies=cookies) as fresh:
                answers.append(fresh.get("/api/v1/me"))
        log = server.output()
    assert listening == 2  # one socket per worker, not one shared socket
    assert again.returncode == 2, again.stdout + again.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in again.stderr
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["email"] for a in answers} == {COACH_EMAIL}
    started = set(re.findall(r"Started server process \[(\d+)\]", log))
    assert len(started) == 2, log
    # the server was stopped with SIGTERM: it stopped its workers, none is left behind
    assert not [pid for pid in started if Path(f"/proc/{pid}").exists()]
    assert (tmp_path / "data" / "secret_key").is_file()


def test_a_bad_worker_count_is_refused(tmp_path: Path) -> None:
    for bad in ("0", "65", "two"):
        done = subprocess.run(
            [sys.executable, "-m", "hiplab", "serve", "--workers", bad],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, (bad, done.stdout, done.stderr)
        assert "--workers" in done.stderr
        assert "Traceback" not in done.stderr
