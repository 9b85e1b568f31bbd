"""Huge bodies on raw sockets to a real ``hiplab serve``: the server stays small, the disk empty.

Before the body limit, FastAPI read a route's whole body before the guard checked the
session or the CSRF token: a 200 MB JSON body grew the server by 200 MB and a 400 MB
multipart body to ``/login`` was spooled to the temporary folder in full. Here the
server is the command a user runs (uvicorn in a subprocess, its ``TMPDIR`` a folder of
the test); the bodies are sent chunked (no declared length) from a raw socket, and
the server's peak memory is read from ``/proc/PID/status`` (``VmHWM``, reset through
``/proc/PID/clear_refs`` just before each attack). The bounds are sizes, not times:
the growth must be far below the body's size.
"""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hiplab.services import clinic, storage
from hiplab.settings import Settings
from hiplab.web.limits import TOO_LARGE
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
MB = 2**20
CHUNK = 64 * 1024
START_TIMEOUT_S = 60
SOCKET_TIMEOUT_S = 120
"""Only so that a broken server fails the test instead of hanging it; nothing is timed."""


@dataclass(frozen=True)
class Server:
    """A running ``hiplab serve``: its port, process and temporary folder."""

    port: int
    process: subprocess.Popen[bytes]
    spool: Path

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def reset_peak(self) -> int:
        """Reset the process's peak memory to its current size; return that size (bytes)."""
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")
        return self.memory("VmRSS")

    def memory(self, field: str) -> int:
        """Return ``VmRSS`` or ``VmHWM`` (the peak) of the server process, in bytes."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        found = re.search(rf"^{field}:\s+(\d+) kB$", status, re.MULTILINE)
        assert found, status
        return int(found.group(1)) * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``hiplab serve`` on a SQLite store with one coach, its TMPDIR an empty folder."""
    root = tmp_path_factory.mktemp("limits")
    url = f"sqlite:///{root / 'hiplab.sqlite'}"
    with storage.open_store_for(Settings(database_url=url, data_dir=root / "data")) as store:
        clinic.create_login(
            store=store, email="a@coach.test", display_name="A", role="coach", password=PASSWORD
        )
    spool = root / "tmp"
    spool.mkdir()
    port = _free_port()
    env = {
        **os.environ,
        "HIPLAB_DATA_DIR": str(root / "data"),
        "HIPLAB_DATABASE_URL": url,
        "TMPDIR": str(spool),
    }
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "hiplab", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    running = Server(port=port, process=process, spool=spool)
    try:
        _wait_until_up(running)
        yield running
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            httpx.get(server.url + "/login", timeout=2)
            return
        except httpx.TransportError:
            assert server.process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server never answered"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def coach(server: Server) -> dict[str, str]:
    """The coach's session cookie and CSRF token, logged in through the form."""
    with httpx.Client(base_url=server.url) as browser:
        page = browser.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        browser.post(
            "/login",
            data={"email": "a@coach.test", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        csrf = browser.get("/api/v1/me").json()["csrf_token"]
        return {"cookie": f"hiplab_session={browser.cookies['hiplab_session']}", "csrf": csrf}


@pytest.fixture(scope="module")
def anonymous(server: Server) -> dict[str, str]:
    """An anonymous session's cookie and the CSRF token of its login form."""
    with httpx.Client(base_url=server.url) as browser:
        page = browser.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        return {
            "cookie": f"hiplab_session={browser.cookies['hiplab_session']}",
            "csrf": token.group(1),
        }


@dataclass(frozen=True)
class Answer:
    """What the server answered, and how much of the body it had taken by then."""

    status: int | None
    text: str
    sent: int


def send_chunked(port: int, head: str, body: Iterator[bytes]) -> Answer:
    """Send ``head`` and then ``body`` chunked; stop sending once the server answers.

    The answer may be cut short by the server closing the connection on the unread
    rest of the body (a reset): then ``status`` is None.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT_S) as sock:
        sock.sendall(head.encode("latin-1"))
        sent = 0
        try:
            for chunk in body:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered: it takes nothing more
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            else:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the connection on the rest of the body
        return Answer(*_read_answer(sock), sent=sent)


def _read_answer(sock: socket.socket) -> tuple[int | None, str]:
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    found = re.match(rb"HTTP/1\.1 (\d{3}) ", received)
    return (int(found.group(1)) if found else None), received.decode("utf-8", "replace")


def chunks(total: int, fill: bytes = b" ") -> Iterator[bytes]:
    """``total`` bytes of ``fill`` in 64 KiB chunks (white space is valid JSON padding)."""
    piece = fill * (CHUNK // len(fill))
    for _ in range(total // len(piece)):
        yield piece


def head(path: str, *, cookie: str = "", csrf: str = "", content_type: str) -> str:
    """The request line and headers of a chunked POST."""
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Type: {content_type}",
        "Transfer-Encoding: chunked",
    ]
    lines += [f"Cookie: {cookie}"] if cookie else []
    lines += [f"X-CSRF-Token: {csrf}"] if csrf else []
    return "\r\n".join(lines) + "\r\n\r\n"


def send_bounded(server: Server, request: str, body: Iterator[bytes], size: int) -> Answer:
    """Send a ``size``-byte body chunked; check the server took and grew by far less."""
    before = server.reset_peak()
    answer = send_chunked(server.port, request, body)
    growth = server.memory("VmHWM") - before
    assert answer.sent < size // 10, "the server read far more than its limit"
    assert growth < size // 20, (
        f"the server grew by {growth / MB:.0f} MB for a {size // MB} MB body"
    )
    return answer


def test_a_logged_in_200_mb_json_body_is_cut_off_at_the_limit(
    server: Server, coach: dict[str, str]
) -> None:
    """Session and token are right, so only the size limit stands in the way."""
    size = 200 * MB
    request = head(
        "/api/v1/people",
        cookie=coach["cookie"],
        csrf=coach["csrf"],
        content_type="application/json",
    )
    answer = send_bounded(server, request, chunks(size), size)
    assert answer.status in (413, None), answer.text[:500]
    if answer.status is not None:
        assert TOO_LARGE in answer.text
    assert list(server.spool.iterdir()) == []


def test_an_anonymous_200_mb_json_body_is_refused_unread(
    server: Server, anonymous: dict[str, str]
) -> None:
    """A route that needs a login refuses an anonymous session before reading its body."""
    size = 200 * MB
    request = head(
        "/api/v1/people",
        cookie=anonymous["cookie"],
        csrf=anonymous["csrf"],
        content_type="application/json",
    )
    answer = send_bounded(server, request, chunks(size), size)
    assert answer.status in (401, None), answer.text[:500]


def test_a_400_mb_multipart_login_is_never_spooled_to_disk(
    server: Server, anonymous: dict[str, str]
) -> None:
    """The login form is public and its token is in the body: the body is bounded instead."""
    size = 400 * MB
    boundary = "hiplabboundary"
    start = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="csrf_token"\r\n\r\n{anonymous["csrf"]}\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="video"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()

    def body() -> Iterator[bytes]:
        yield start
        yield from chunks(size, b"x")

    request = head(
        "/login",
        cookie=anonymous["cookie"],
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    answer = send_bounded(server, request, body(), size)
    assert answer.status in (413, None), answer.text[:500]
    assert list(server.spool.iterdir()) == [], "a part of the body went to the disk"


def test_a_multipart_post_without_a_session_is_refused_before_any_byte(server: Server) -> None:
    """No session cookie: no CSRF token can be right, so nothing of the body is read."""
    request = head("/login", content_type="multipart/form-data; boundary=b")
    size = 400 * MB
    answer = send_chunked(server.port, request, chunks(size, b"x"))
    assert answer.status in (403, None), answer.text[:500]
    assert answer.sent < size // 10  # what the sockets' buffers took before the refusal
    assert list(server.spool.iterdir()) == []


def test_a_declared_length_over_the_limit_is_refused_before_the_body(
    server: Server, coach: dict[str, str]
) -> None:
    """The answer comes while the client has sent only the headers."""
    request = (
        "POST /api/v1/people HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {400 * MB}\r\nCookie: {coach['cookie']}\r\n"
        f"X-CSRF-Token: {coach['csrf']}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=SOCKET_TIMEOUT_S) as sock:
        sock.sendall(request.encode("latin-1"))
        status, text = _read_answer(sock)
    assert status == 413, text
    assert TOO_LARGE in text
    assert "connection: close" in text.lower()
