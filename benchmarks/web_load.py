"""Web load figures, printed only: a realistic mix of coaches and clients, and two plain reads.

For each store — a temporary SQLite file and a throw-away PostgreSQL server
(``scripts/pg_test_server.sh`` with its own state file, stopped at the end) — and each
``hiplab serve --workers N`` of ``BENCH_WORKERS`` (``1,2``: one process, then one per
core; uvicorn, access log on as `hiplab serve` has it, on a free loopback port):

* ``mix`` (issue 11 §7; ``benchmarks/web_mix.py``): 10 coaches with 20 clients each,
  the 50 coaches and clients with a login as concurrent simulated users (log in, client
  list, client page, assessment entry, plan preview and assign, progress, export; a
  client's home, today's session, the session log, progress), once with a think time
  between requests (``BENCH_THINK``, mean 2 s: a brisk user) and once back to back (0:
  saturation, the capacity). Each request class has its p50/p99. With
  ``BENCH_PROFILE=1`` (needs ``py-spy``: ``pip install -e ".[bench]"``) the back-to-back run of
  the first store with one worker is sampled, and the functions where the server spends
  its time are printed: the next bottleneck.
* ``reads`` (issue 5): one coach with ``BENCH_CLIENTS`` clients (three assessments
  each), ``BENCH_CONNECTIONS`` concurrent keep-alive connections for ``BENCH_SECONDS``
  per case (after one warm-up second) against the client dashboard ``GET /me`` and the
  JSON API read ``GET /api/v1/people``, from a raw asyncio generator (about 0.1 ms of
  CPU per request). Columns besides req/s and the latency percentiles: ``gen CPU`` the
  share of a core the generator used (near 100 %: generator-bound), ``alone ms`` the
  median latency of requests sent one at a time (the service time), ``CPU ms/req`` the
  server's CPU time per request read from /proc (summed over worker processes). The load
  is a closed loop, so latency ≈ connections / throughput (Little's law).

The mix's users each have an ``httpx.AsyncClient`` (about 1 ms of generator CPU per
request); the generator's CPU share is printed with every run, because on 2 cores it
takes CPU from the server. Nothing is asserted.

Environment: ``BENCH_CASES`` (``mix,reads``), ``BENCH_STORES`` (``sqlite,postgresql``),
``BENCH_WORKERS`` (``1,2``), ``BENCH_SECONDS`` (45 for the mix, 10 for reads),
``BENCH_THINK`` (``2,0``), ``BENCH_COACHES`` (10), ``BENCH_CLIENTS_PER_COACH`` (20),
``BENCH_ACTIVE_CLIENTS`` (4 per coach), ``BENCH_PROFILE`` (0), ``BENCH_CONNECTIONS``
(50), ``BENCH_CLIENTS`` (50), ``BENCH_JSON`` (a file for the mix's figures as JSON).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import json
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import web_mix  # the mix lives next to this script
import web_profile

CASES = os.environ.get("BENCH_CASES", "mix,reads").split(",")
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
MIX_SECONDS = float(os.environ.get("BENCH_SECONDS", "45"))
THINK = [float(x) for x in os.environ.get("BENCH_THINK", "2,0").split(",")]
COACHES = int(os.environ.get("BENCH_COACHES", "10"))
PER_COACH = int(os.environ.get("BENCH_CLIENTS_PER_COACH", "20"))
ACTIVE = int(os.environ.get("BENCH_ACTIVE_CLIENTS", "4"))
PROFILE = os.environ.get("BENCH_PROFILE", "0") == "1"
JSON_OUT = os.environ.get("BENCH_JSON", "")
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
    from hiplab.services import catalogue, clinic, storage
    from hiplab.settings import Settings

    base = yaml.safe_load(catalogue.sample_path().read_text(encoding="utf-8"))
    with storage.open_store_for(Settings(database_url=url, data_dir=data_dir)) as store:
        coach = clinic.create_login(
            store=store, email=COACH_EMAIL, display_name="Coach", role="coach", password=PASSWORD
        )
        for n in range(CLIENTS):
            login = {"email": CLIENT_EMAIL, "password": PASSWORD} if n == 0 else {}
            person = clinic.create_client(
                store=store,
                coach_id=coach.id,
                name=f"Client {n:02d}",
                age=25 + n % 40,
                sex=("female", "male", "other")[n % 3],
                **login,
            )
            for k in range(len(DATES)):
                data = clinic.parse_assessment(visit(base, n, k))
                clinic.record_assessment(
                    store=store, person_id=person.id, data=data, recorded_by="coach"
                )


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


def run_store(name: str, make_db: Any, tmp: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Seed and measure one store: the mix and the reads, each with every worker count."""
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[name]
    mixes: dict[str, Any] = {}
    reads: dict[str, Any] = {}
    if "mix" in CASES:
        url, data_dir = make_db("mix"), tmp / f"data-{name}-mix"
        started = time.perf_counter()
        seeded = web_mix.seed_mix(
            url, data_dir, coaches=COACHES, per_coach=PER_COACH, active=ACTIVE, visit=visit
        )
        print(
            f"{label}: seeded {seeded.people} clients of {COACHES} coaches, "
            f"{seeded.assessments} assessments, in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        for n in WORKERS:
            log = tmp / f"serve-{name}-mix-{n}.log"
            mixes |= run_mix_server(url, data_dir, log, n, seeded, label)
    if "reads" in CASES:
        url, data_dir = make_db("reads"), tmp / f"data-{name}"
        started = time.perf_counter()
        seed(url, data_dir)
        print(f"{label}: seeded {CLIENTS} clients in {time.perf_counter() - started:.1f} s")
        for n in WORKERS:
            log = tmp / f"serve-{name}-{n}.log"
            reads[f"{label} ×{n}"] = run_server(url, data_dir, log, n)
    return mixes, reads


PROFILED: list[str] = []


def run_mix_server(
    url: str, data_dir: Path, log: Path, workers: int, seeded: Any, label: str
) -> dict[str, Any]:
    """Run the mix with each think time against one ``hiplab serve --workers N``."""
    from hiplab.services import catalogue

    base_input = yaml.safe_load(catalogue.sample_path().read_text(encoding="utf-8"))
    raw_input = visit(base_input, 3, 1)  # no red flag: the plan is made, not a referral
    raw_input.pop("date")  # entered today, as a coach does
    results = {}
    with server(url, data_dir, log, workers) as (base, pid):
        for think in THINK:
            profile = PROFILE and think == 0 and not PROFILED
            with web_profile.sampled(pid, MIX_SECONDS + 2, enabled=profile) as samples:
                results[f"{label} ×{workers}, think {think:g} s"] = web_mix.measure_mix(
                    base,
                    pid,
                    seeded,
                    raw_input,
                    think=think,
                    seconds=MIX_SECONDS,
                    cpu_seconds=cpu_seconds,
                )
            if profile:
                PROFILED.append(f"{label} ×{workers}, back to back")
                web_profile.report(samples.path, PROFILED[0])
            print(f"{label} ×{workers} think {think:g} s: done", flush=True)
    return results


def run_server(url: str, data_dir: Path, log: Path, workers: int) -> dict[str, Result]:
    """Measure both read cases against one ``hiplab serve --workers N``."""
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
def postgresql(tmp: Path) -> Iterator[Any]:
    """A throw-away PostgreSQL server of this run (own state file); yield a database maker."""
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

        def make_db(purpose: str) -> str:
            admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "hiplab_bench_{purpose}"'))
            admin.dispose()
            url = make_url(server_url).set(database=f"hiplab_bench_{purpose}")
            return url.render_as_string(False)

        yield make_db
    finally:
        subprocess.run([*script, "stop"], env=env, check=False, capture_output=True)


def report_reads(results: dict[str, dict[str, Result]]) -> None:
    print()
    print(
        f"{CONNECTIONS} concurrent keep-alive connections, {SECONDS:g} s per case after "
        f"{WARM_UP_SECONDS:g} s warm-up, {CLIENTS} clients x {len(DATES)} assessments; "
        "goal p99 < 100 ms"
    )
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


def machine_lines() -> None:
    print()
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; hiplab serve = uvicorn, ×N = --workers N"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average before the report (1, 5, 15 min): {load}")


def main() -> None:
    mixes: dict[str, Any] = {}
    reads: dict[str, dict[str, Result]] = {}
    with tempfile.TemporaryDirectory(prefix="hiplab-load-") as name:
        tmp = Path(name)
        if "sqlite" in STORES:
            mix, read = run_store("sqlite", lambda p: f"sqlite:///{tmp / f'bench-{p}.sqlite'}", tmp)
            mixes, reads = mixes | mix, reads | read
        if "postgresql" in STORES:
            if not shutil.which("bash"):
                raise SystemExit("bash is needed to start PostgreSQL")
            with postgresql(tmp) as make_db:
                mix, read = run_store("postgresql", make_db, tmp)
                mixes, reads = mixes | mix, reads | read
    machine_lines()
    if mixes:
        web_mix.report_mix(mixes)
    if reads:
        report_reads(reads)
    if JSON_OUT:
        figures = {label: web_mix.as_dict(r) for label, r in mixes.items()}
        Path(JSON_OUT).write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
