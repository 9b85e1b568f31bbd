"""Web load figures: requests/s and latency of two reads at 50 connections, printed only.

For each store — a temporary SQLite file and a throw-away PostgreSQL server
(``scripts/pg_test_server.sh`` with its own state file, stopped at the end) — this
seeds one coach with ``BENCH_CLIENTS`` clients (three assessments each, the first
client with a login), starts ``hiplab serve`` as a subprocess on a free loopback port
(uvicorn, its default single worker, access log on as `hiplab serve` has it), logs in
through the login form and drives ``BENCH_CONNECTIONS`` concurrent keep-alive
connections for ``BENCH_SECONDS`` per case (after one warm-up second) against:

* the client dashboard ``GET /me`` (logged in as the client), and
* a JSON API read ``GET /api/v1/people`` (logged in as the coach: 50 people).

The load generator is asyncio in this process (one core, raw keep-alive connections:
about 0.1 ms of CPU per request), so a very fast server may still be limited by it.
Columns besides req/s and the latency percentiles:
``gen CPU`` the share of a core the generator used (near 100 %: generator-bound),
``alone ms`` the median latency of requests sent one at a time (the service time, no
queueing), ``CPU ms/req`` the server's CPU time per request read from /proc (steady
whatever else the machine runs). The load is a closed loop: each connection sends its
next request when the last one is answered, so latency ≈ connections / throughput
(Little's law) and p99 < 100 ms at 50 connections needs more than 500 req/s, i.e. less
than 2 ms of server CPU per request on the one worker.
Goal (issue 5): p99 under 100 ms. Nothing is asserted.

Each store is run with ``hiplab serve --workers N`` for every N of ``BENCH_WORKERS``
(``1,2``: one process, then one per core); ``CPU ms/req`` then sums the worker processes.

Environment: ``BENCH_SECONDS`` (10), ``BENCH_CONNECTIONS`` (50), ``BENCH_CLIENTS`` (50),
``BENCH_STORES`` (``sqlite,postgresql``), ``BENCH_WORKERS`` (``1,2``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
STORES = os.environ.get("BENCH_STORES", "sqlite,postgresql").split(",")
WORKERS = [int(n) for n in os.environ.get("BENCH_WORKERS", "1,2").split(",")]
WARM_UP_SECONDS = 1.0
PASSWORD = "load test password 1"
COACH_EMAIL = "coach@bench.test"
CLIENT_EMAIL = "client00@bench.test"
ROOT = Path(__file__).resolve().parent.parent
HIPLAB = Path(sys.executable).parent / "hiplab"
CSRF_IN_PAGE = re.compile(r'name="csrf_token" value="([^"]+)"')
DATES = ("2026-01-10", "2026-03-01", "2026-05-15")


@dataclass(frozen=True)
class Result:
    """Figures of one case."""

    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    generator_cpu_s: float
    error_kinds: dict[str, int] = dataclasses.field(default_factory=dict)
    """Non-200 answers by status code, transport errors by exception name."""
    server_cpu_ms: float = float("nan")
    """Server CPU time per request (warm-up included): the cost, whatever else runs."""
    alone_ms: float = float("nan")
    """Median latency of requests sent one at a time (the service time)."""

    def percentile(self, q: float) -> float:
        """Return the q-th percentile latency (nearest rank), ms."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def visit(base: dict[str, Any], n: int, k: int) -> dict[str, Any]:
    """The sample assessment with values shifted per client ``n`` and visit ``k``."""
    data = copy.deepcopy(base)
    data["person"].pop("name", None)
    data["date"] = DATES[k]
    tests = data["tests"]
    shift = (n % 7) + 3 * k
    tests["hip_internal_rotation_deg"] = {"left": 20 + shift, "right": 18 + shift}
    tests["hip_external_rotation_deg"] = {"left": 30 + shift, "right": 32 + shift}
    tests["knee_to_wall_cm"] = {"left": 7.0 + k, "right": 8.5 + k}
    return data


def seed(url: str, data_dir: Path) -> None:
    """One coach, CLIENTS clients with three assessments each, the first with a login."""
    from hiplab import clinic_service, services
    from hiplab.settings import Settings

    base = yaml.safe_load(services.sample_path().read_text(encoding="utf-8"))
    with services.open_store_for(Settings(database_url=url, data_dir=data_dir)) as store:
        coach = clinic_service.create_login(
            store=store, email=COACH_EMAIL, display_name="Coach", role="coach", password=PASSWORD
        )
        for n in range(CLIENTS):
            login = {"email": CLIENT_EMAIL, "password": PASSWORD} if n == 0 else {}
            person = clinic_service.create_client(
                store=store,
                coach_id=coach.id,
                name=f"Client {n:02d}",
                age=25 + n % 40,
                sex=("female", "male", "other")[n % 3],
                **login,
            )
            for k in range(len(DATES)):
                data = clinic_service.parse_assessment(visit(base, n, k))
                clinic_service.record_assessment(store=store, person_id=person.id, data=data)


@contextlib.contextmanager
def server(url: str, data_dir: Path, log: Path, workers: int) -> Iterator[tuple[str, int]]:
    """Run ``hiplab serve`` on a free loopback port; yield its base URL and process id."""
    port = free_port()
    argv = [str(HIPLAB), "--db", url, "--data-dir", str(data_dir)]
    argv += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process)
            yield base, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"hiplab serve exited with {process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit("hiplab serve did not answer within 60 s")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process and its children have used so far.

    Read from Linux /proc: the process itself and its live child processes (the
    worker processes of ``--workers N``).
    """
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is not None and (int(entry.name) == pid or int(fields[1]) == pid):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def session_cookies(base: str, email: str) -> httpx.Cookies:
    """Log in through the form; return the session's cookies."""
    with httpx.Client(base_url=base) as browser:
        found = CSRF_IN_PAGE.search(browser.get("/login").text)
        assert found
        form = {"email": email, "password": PASSWORD, "csrf_token": found.group(1)}
        response = browser.post("/login", data=form)
        if response.status_code != 303:
            raise SystemExit(f"login as {email} failed: {response.status_code}")
        return httpx.Cookies(browser.cookies)


class Answer(Exception):
    """A response the load generator could not read as HTTP/1.1."""


async def read_response(reader: asyncio.StreamReader) -> str:
    """Read one HTTP/1.1 response (Content-Length or chunked body); return its status code."""
    status = (await reader.readline()).split(b" ", 2)
    if len(status) < 2:
        raise Answer("connection closed")
    length, chunked = 0, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        await reader.readexactly(length)
        return status[1].decode()
    while size := int((await reader.readline()).split(b";")[0], 16):
        await reader.readexactly(size + 2)
    await reader.readline()
    return status[1].decode()


async def drive(base: str, path: str, cookies: httpx.Cookies, pid: int) -> Result:
    """CONNECTIONS workers request ``path`` back to back for WARM_UP + SECONDS.

    Each worker keeps one raw keep-alive connection (asyncio streams, the request bytes
    built once): about 0.1 ms of generator CPU per request, against more than 1 ms for
    an HTTP client library, so that the server, not the generator, sets the pace.
    """
    host, port = base.removeprefix("http://").split(":")
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n\r\n").encode()
    latencies: list[float] = []
    errors = 0
    kinds: Counter[str] = Counter()
    sent = 0
    started = time.perf_counter()
    measure_from = started + WARM_UP_SECONDS
    stop = measure_from + SECONDS

    async def worker() -> None:
        nonlocal errors, sent
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while (now := time.perf_counter()) < stop:
                sent += 1
                try:
                    writer.write(request)
                    outcome = await read_response(reader)
                except (OSError, Answer, asyncio.IncompleteReadError, ValueError) as exc:
                    outcome = type(exc).__name__
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                done = time.perf_counter()
                if now >= measure_from:
                    latencies.append((done - now) * 1000)
                    if outcome != "200":
                        errors += 1
                        kinds[outcome] += 1
        finally:
            writer.close()

    cpu = time.process_time()
    server_cpu = cpu_seconds(pid)
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return Result(
        requests=len(latencies),
        errors=errors,
        seconds=time.perf_counter() - measure_from,
        latencies_ms=latencies,
        generator_cpu_s=time.process_time() - cpu,
        error_kinds=dict(kinds),
        server_cpu_ms=(cpu_seconds(pid) - server_cpu) * 1000 / max(sent, 1),
    )


def serial_ms(base: str, path: str, cookies: httpx.Cookies, n: int = 40) -> float:
    """Median latency of ``n`` requests one after another: the service time, no queueing."""
    times = []
    with httpx.Client(base_url=base, cookies=cookies) as client:
        for _ in range(n):
            started = time.perf_counter()
            client.get(path).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run_store(name: str, url: str, tmp: Path) -> dict[str, dict[str, Result]]:
    """Seed the store, then measure it with each worker count; keys "store ×N"."""
    data_dir = tmp / f"data-{name}"
    started = time.perf_counter()
    seed(url, data_dir)
    print(f"{name}: seeded {CLIENTS} clients in {time.perf_counter() - started:.1f} s", flush=True)
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[name]
    return {
        f"{label} ×{n}": run_server(url, data_dir, tmp / f"serve-{name}-{n}.log", n)
        for n in WORKERS
    }


def run_server(url: str, data_dir: Path, log: Path, workers: int) -> dict[str, Result]:
    """Measure both cases against one ``hiplab serve --workers N``."""
    with server(url, data_dir, log, workers) as (base, pid):
        cases = {
            "client dashboard GET /me": ("/me", session_cookies(base, CLIENT_EMAIL)),
            "JSON API GET /api/v1/people": ("/api/v1/people", session_cookies(base, COACH_EMAIL)),
        }
        results = {}
        for case, (path, jar) in cases.items():
            alone = serial_ms(base, path, jar)
            loaded = asyncio.run(drive(base, path, jar, pid))
            results[case] = dataclasses.replace(loaded, alone_ms=alone)
        return results


@contextlib.contextmanager
def postgresql(tmp: Path) -> Iterator[str]:
    """A throw-away PostgreSQL server of this run (own state file); yield a database URL."""
    env = {**os.environ, "HIPLAB_PG_STATE": str(tmp / "pg.state")}
    script = ["bash", str(ROOT / "scripts" / "pg_test_server.sh")]
    line = subprocess.run(
        [*script, "start"], env=env, check=True, capture_output=True, text=True
    ).stdout
    found = re.search(r"HIPLAB_TEST_PG_URL=(\S+)", line)
    if not found:
        raise SystemExit(f"pg_test_server.sh printed no URL: {line!r}")
    server_url = found.group(1).strip("'\"")
    try:
        from sqlalchemy import create_engine, make_url, text

        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "hiplab_bench"'))
        admin.dispose()
        yield make_url(server_url).set(database="hiplab_bench").render_as_string(False)
    finally:
        subprocess.run([*script, "stop"], env=env, check=False, capture_output=True)


def report(results: dict[str, dict[str, Result]]) -> None:
    print()
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; hiplab serve = uvicorn, ×N = --workers N"
    )
    print(
        f"{CONNECTIONS} concurrent keep-alive connections, {SECONDS:g} s per case after "
        f"{WARM_UP_SECONDS:g} s warm-up, {CLIENTS} clients x {len(DATES)} assessments; "
        "goal p99 < 100 ms"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average before the report (1, 5, 15 min): {load}")
    header = f"{'case':30s} {'store':15s} {'req/s':>8s} {'p50 ms':>8s} {'p90 ms':>8s} "
    print(
        header
        + f"{'p99 ms':>8s} {'errors':>7s} {'gen CPU':>8s} {'alone ms':>9s} {'CPU ms/req':>10s}"
    )
    cases = sorted({case for by_case in results.values() for case in by_case})
    for case in cases:
        for store, by_case in results.items():
            r = by_case[case]
            print(
                f"{case:30s} {store:15s} {r.requests / r.seconds:8.1f} {r.percentile(50):8.1f} "
                f"{r.percentile(90):8.1f} {r.percentile(99):8.1f} {r.errors:7d} "
                f"{r.generator_cpu_s / r.seconds:7.0%} {r.alone_ms:9.1f} {r.server_cpu_ms:10.2f}"
            )
            if r.error_kinds:
                print(f"{'':30s} errors: {r.error_kinds}")


def main() -> None:
    results: dict[str, dict[str, Result]] = {}
    with tempfile.TemporaryDirectory(prefix="hiplab-load-") as name:
        tmp = Path(name)
        if "sqlite" in STORES:
            results |= run_store("sqlite", f"sqlite:///{tmp / 'bench.sqlite'}", tmp)
        if "postgresql" in STORES:
            if not shutil.which("bash"):
                raise SystemExit("bash is needed to start PostgreSQL")
            with postgresql(tmp) as url:
                results |= run_store("postgresql", url, tmp)
    report(results)


if __name__ == "__main__":
    main()
