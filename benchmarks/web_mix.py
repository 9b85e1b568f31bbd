"""The realistic mix of ``benchmarks/web_load.py``: simulated coaches and clients, printed only.

Seeded store: ``BENCH_COACHES`` coaches, each with ``BENCH_CLIENTS_PER_COACH`` clients
(two assessments each); the first ``BENCH_ACTIVE_CLIENTS`` clients of every coach have
a login and an assigned plan. Every coach and every client with a login is one
simulated user (default 10 + 40 = 50 concurrent users), each with its own
``httpx.AsyncClient`` (its own cookies, like a browser), doing what the web app is for:

* a coach: open the client list, open one of their clients, enter an assessment
  (JSON API), preview a plan (page form), assign it, open the client's progress,
  export the client's data (CSV);
* a client: open their home page, open today's session, log it (page form), open
  their progress.

Every user logs in at the start through the login form and logs out and in again
every ``LOGIN_EVERY`` rounds. Between two requests a user waits a random time with
mean ``think`` seconds (exponential; 0: back to back, the saturation case).

Each request class has its own count, p50, p99 and error count; the statement lines
compare the goals (issue 11 §7: p99 < 250 ms for page reads and < 1 s for plan
previews at 50 concurrent users with 2 workers) and give the rates of coach rounds
and client sessions the server sustained.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "load test password 1"
CSRF_IN_PAGE = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
ERROR_IN_PAGE = re.compile(r'role="alert"[^>]*>(.*?)</', re.S)
TAG = re.compile(r"<[^>]+>")
DONE_BOX = re.compile(r'name="done" value="(\d+)"')
LOGIN_EVERY = 10
WARM_UP_SECONDS = 2.0
PAGE_GOAL_MS = 250.0
PREVIEW_GOAL_MS = 1000.0
PLAN_FORM = {"minutes": "20", "sessions_per_week": "3", "weeks": "4"}

# request class -> group; the groups carry the goals
CLASSES = {
    "login page": "page read",
    "log in": "log in/out",
    "log out": "log in/out",
    "coach: client list": "page read",
    "coach: client page": "page read",
    "coach: progress page": "page read",
    "client: home page": "page read",
    "client: today's session": "page read",
    "client: progress page": "page read",
    "assessment entry (API)": "write",
    "plan preview": "plan preview",
    "plan assign": "write",
    "session log": "write",
    "export (CSV)": "export",
}


@dataclass(frozen=True)
class Seeded:
    """Who the simulated users are: coach e-mail -> their clients' ids; client logins."""

    coaches: dict[str, list[int]]
    clients: list[str]
    people: int
    assessments: int


@dataclass
class Tally:
    """What the simulated users measured after the warm-up."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    first_error: dict[str, str] = field(default_factory=dict)
    """The words of the first error answer of each class (what went wrong)."""
    coach_rounds: int = 0
    client_sessions: int = 0

    def count_coach(self) -> None:
        self.coach_rounds += 1

    def count_client(self) -> None:
        self.client_sessions += 1

    def add(self, case: str, ms: float, problem: str | None, words: str = "") -> None:
        self.latencies[case].append(ms)
        if problem is not None:
            self.errors[case][problem] = self.errors[case].get(problem, 0) + 1
            self.first_error.setdefault(case, words)


@dataclass
class Window:
    """When requests count: from ``start`` (after the log-ins and the warm-up) to ``stop``."""

    start: float = float("inf")
    stop: float = float("inf")

    def open(self, seconds: float) -> None:
        self.start = time.perf_counter() + WARM_UP_SECONDS
        self.stop = self.start + seconds


@dataclass(frozen=True)
class MixResult:
    """Figures of one mix run."""

    think_s: float
    users: int
    seconds: float
    wall_s: float
    """The whole run with the first log-ins and the warm-up: the span of the CPU times."""
    tally: Tally
    generator_cpu_s: float
    server_cpu_s: float

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.tally.latencies.values())


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (nearest rank) of ``values``, NaN if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


# ------------------------------------------------------------------- seeding
def seed_mix(
    url: str, data_dir: Path, *, coaches: int, per_coach: int, active: int, visit: Any
) -> Seeded:
    """Create the coaches, their clients (two assessments each) and the active clients' plans.

    ``visit(base, n, k)`` makes the raw input of visit ``k`` of client ``n``.
    """
    import yaml

    from hiplab.services import catalogue, clinic, programmes, storage
    from hiplab.settings import Settings

    base = yaml.safe_load(catalogue.sample_path().read_text(encoding="utf-8"))
    request = programmes.plan_request(
        minutes=20, sessions_per_week=3, weeks=4, equipment=None, avoid_positions=None
    )
    found: dict[str, list[int]] = {}
    clients: list[str] = []
    with storage.open_store_for(Settings(database_url=url, data_dir=data_dir)) as store:
        for c in range(coaches):
            email = f"coach{c:02d}@bench.test"
            coach = clinic.create_login(
                store=store, email=email, display_name=f"Coach {c}", role="coach", password=PASSWORD
            )
            found[email] = []
            for n in range(per_coach):
                login = {}
                if n < active:
                    login = {"email": f"client{c:02d}-{n:02d}@bench.test", "password": PASSWORD}
                    clients.append(login["email"])
                person = clinic.create_client(
                    store=store,
                    coach_id=coach.id,
                    name=f"Client {n:02d}",  # names are per coach: every coach has a "Client 00"
                    age=25 + n % 40,
                    sex=("female", "male", "other")[n % 3],
                    **login,
                )
                found[email].append(person.id)
                for k in range(2):
                    data = clinic.parse_assessment(visit(base, c * per_coach + n, k))
                    clinic.record_assessment(
                        store=store, person_id=person.id, data=data, recorded_by="coach"
                    )
                if n < active:
                    programmes.assign(store=store, person_id=person.id, request=request)
    people = coaches * per_coach
    return Seeded(coaches=found, clients=clients, people=people, assessments=2 * people)


# --------------------------------------------------------- simulated users
class User:
    """One simulated person with their own browser (cookies), timing every request."""

    def __init__(
        self, http: httpx.AsyncClient, tally: Tally, window: Window, think: float, seed: int
    ) -> None:
        self.http = http
        self.tally = tally
        self.window = window
        self.think = think
        self.random = random.Random(seed)
        self.csrf = ""

    async def call(
        self, case: str, method: str, path: str, expect: int, **kwargs: Any
    ) -> httpx.Response | None:
        """Send one request after the think time; record its latency and any error.

        After the window's end nothing is sent (None), so every user stops at once.
        """
        if self.think > 0:
            await asyncio.sleep(self.random.expovariate(1 / self.think))
        started = time.perf_counter()
        if started >= self.window.stop:
            return None
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self._record(case, started, type(exc).__name__, str(exc))
            return None
        problem = None if response.status_code == expect else str(response.status_code)
        self._record(case, started, problem, _words(response) if problem else "")
        if problem is None and (token := CSRF_IN_PAGE.search(response.text)):
            self.csrf = token.group(1)
        return response if problem is None else None

    def _record(self, case: str, started: float, problem: str | None, words: str) -> None:
        if started >= self.window.start:
            self.tally.add(case, (time.perf_counter() - started) * 1000, problem, words)

    async def log_in(self, email: str, home: str) -> bool:
        page = await self.call("login page", "GET", "/login", 200)
        if page is None:
            return False
        form = {"email": email, "password": PASSWORD, "csrf_token": self.csrf}
        if await self.call("log in", "POST", "/login", 303, data=form) is None:
            return False
        return await self.call(self.home_case, "GET", home, 200) is not None

    async def log_out(self) -> None:
        await self.call("log out", "POST", "/logout", 303, data={"csrf_token": self.csrf})

    home_case = "login page"


class Coach(User):
    """A coach going through one of their clients per round."""

    home_case = "coach: client list"

    async def round(self, people: list[int], raw_input: dict[str, Any]) -> bool:
        pid = self.random.choice(people)
        base = f"/people/{pid}"
        if await self.call("coach: client list", "GET", "/coach", 200) is None:
            return False
        if await self.call("coach: client page", "GET", base, 200) is None:
            return False
        headers = {"X-CSRF-Token": self.csrf}
        api = f"/api/v1{base}/assessments"
        made = await self.call(
            "assessment entry (API)", "POST", api, 201, json=raw_input, headers=headers
        )
        if made is None:
            return False
        form = {**PLAN_FORM, "csrf_token": self.csrf}
        preview = await self.call("plan preview", "POST", f"{base}/plans/preview", 200, data=form)
        if preview is None:
            return False
        hidden = dict(HIDDEN.findall(preview.text))
        form["assessment_id"] = hidden.get("assessment_id", "")
        if await self.call("plan assign", "POST", f"{base}/plans", 303, data=form) is None:
            return False
        await self.call("coach: progress page", "GET", f"{base}/progress", 200)
        export = f"/api/v1{base}/export"
        await self.call("export (CSV)", "GET", export, 200, params={"format": "csv"})
        return True


class Client(User):
    """A client doing today's session from the checklist page."""

    home_case = "client: home page"

    async def round(self) -> bool:
        if await self.call("client: home page", "GET", "/me", 200) is None:
            return False
        page = await self.call("client: today's session", "GET", "/me/session", 200)
        if page is None:
            return False
        hidden = dict(HIDDEN.findall(page.text))
        form: dict[str, Any] = {key: hidden.get(key, "") for key in ("plan_id", "week")}
        form |= {"started_at": hidden.get("started_at", ""), "csrf_token": self.csrf}
        form |= {"done": DONE_BOX.findall(page.text), "discomfort": "2", "effort": "5"}
        if await self.call("session log", "POST", "/me/session", 303, data=form) is None:
            return False
        await self.call("client: progress page", "GET", "/me/progress", 200)
        return True


async def _loop(
    user: User,
    email: str,
    home: str,
    one_round: Callable[[], Awaitable[bool]],
    count: Callable[[], None],
) -> None:
    """Do rounds until the window closes; log out and in every LOGIN_EVERY rounds."""
    rounds = 0
    logged_in = True
    while time.perf_counter() < user.window.stop:
        if not logged_in or (rounds and rounds % LOGIN_EVERY == 0):
            if logged_in:
                await user.log_out()
            logged_in = await user.log_in(email, home)
            if not logged_in:
                await asyncio.sleep(0.5)  # a refused login: try again, not in a tight loop
                continue
        ok = await one_round()
        rounds += 1
        if ok and time.perf_counter() >= user.window.start:
            count()


async def run_mix(
    base: str, seeded: Seeded, raw_input: dict[str, Any], *, think: float, seconds: float
) -> Tally:
    """Log every simulated user in (not counted), then run them for WARM_UP + ``seconds``.

    The first log-ins of 50 users at once would be a storm no real morning has
    (each is a deliberately slow password check), so they come before the window.
    """
    tally, window = Tally(), Window()
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    async with contextlib.AsyncExitStack() as stack:
        users: list[tuple[User, str, str, Callable[[], Awaitable[bool]], Callable[[], None]]]
        users = []
        for i, (email, people) in enumerate(seeded.coaches.items()):
            http = await stack.enter_async_context(_browser(base, limits))
            coach = Coach(http, tally, window, think, seed=i)
            users.append(
                (coach, email, "/coach", partial(coach.round, people, raw_input), tally.count_coach)
            )
        for j, email in enumerate(seeded.clients):
            http = await stack.enter_async_context(_browser(base, limits))
            client = Client(http, tally, window, think, seed=1000 + j)
            users.append((client, email, "/me", client.round, tally.count_client))
        gate = asyncio.Semaphore(2)  # one log-in per core at a time

        async def first_log_in(user: User, email: str, home: str) -> None:
            async with gate:
                user.think = 0  # no thinking while everybody logs in
                if not await user.log_in(email, home):
                    raise SystemExit(f"{email} could not log in")
                user.think = think

        await asyncio.gather(*(first_log_in(u, e, h) for u, e, h, _, _ in users))
        window.open(seconds)
        await asyncio.gather(*(_loop(*user) for user in users))
    return tally


def _words(response: httpx.Response) -> str:
    """The message of an error answer: the page's error paragraph or the JSON detail."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return str(response.json().get("detail", ""))[:200]
    found = ERROR_IN_PAGE.search(response.text)
    return TAG.sub("", found.group(1)).strip()[:200] if found else response.text[:200]


def _browser(base: str, limits: httpx.Limits) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, timeout=120, limits=limits, follow_redirects=False)


def measure_mix(
    base: str,
    pid: int,
    seeded: Seeded,
    raw_input: dict[str, Any],
    *,
    think: float,
    seconds: float,
    cpu_seconds: Callable[[int], float],
) -> MixResult:
    """Run the mix once against the server ``pid``; CPU of this process and the server."""
    cpu, server_cpu, wall = time.process_time(), cpu_seconds(pid), time.perf_counter()
    tally = asyncio.run(run_mix(base, seeded, raw_input, think=think, seconds=seconds))
    return MixResult(
        think_s=think,
        users=len(seeded.coaches) + len(seeded.clients),
        seconds=seconds,
        wall_s=time.perf_counter() - wall,
        tally=tally,
        generator_cpu_s=time.process_time() - cpu,
        server_cpu_s=cpu_seconds(pid) - server_cpu,
    )


# -------------------------------------------------------------------- report
def group_latencies(result: MixResult, group: str) -> list[float]:
    """All latencies of the classes in ``group``."""
    return [
        ms
        for case, values in result.tally.latencies.items()
        if CLASSES[case] == group
        for ms in values
    ]


def report_mix(results: dict[str, MixResult]) -> None:
    """Print one table per run (class rows, goal rows) and the rates."""
    for label, r in results.items():
        shape = "back to back" if r.think_s == 0 else f"think time {r.think_s:g} s (mean)"
        print(f"\n{label} · {r.users} users, {shape}, {r.seconds:.0f} s after warm-up")
        print(f"  {'request class':28s} {'n':>6s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>7s}")
        for case in CLASSES:
            values = r.tally.latencies.get(case, [])
            errors = r.tally.errors.get(case, {})
            wrong = sum(errors.values())
            print(
                f"  {case:28s} {len(values):6d} {percentile(values, 50):8.1f} "
                f"{percentile(values, 99):8.1f} {wrong:7d}" + (f"  {errors}" if errors else "")
            )
            if errors:
                print(f"  {'':28s} first error: {r.tally.first_error.get(case, '')}")
        _goals(r)


def _goals(r: MixResult) -> None:
    pages = percentile(group_latencies(r, "page read"), 99)
    previews = percentile(group_latencies(r, "plan preview"), 99)
    print(
        f"  goal rows: all page reads p99 {pages:.0f} ms (goal < {PAGE_GOAL_MS:.0f}: "
        f"{'met' if pages < PAGE_GOAL_MS else 'missed'}); plan previews p99 {previews:.0f} ms "
        f"(goal < {PREVIEW_GOAL_MS:.0f}: {'met' if previews < PREVIEW_GOAL_MS else 'missed'})"
    )
    per_s = r.requests / r.seconds
    cpu_ms = r.server_cpu_s * 1000 / max(r.requests, 1)
    server_share, generator_share = r.server_cpu_s / r.wall_s, r.generator_cpu_s / r.wall_s
    print(
        f"  {per_s:.1f} req/s; {r.tally.coach_rounds / r.seconds * 3600:.0f} coach rounds/h and "
        f"{r.tally.client_sessions / r.seconds * 3600:.0f} client sessions/h; server CPU "
        f"{server_share:.0%} of one core ({cpu_ms:.1f} ms per counted request)"
        f"; load generator CPU {generator_share:.0%} of one core"
    )


def as_dict(result: MixResult) -> dict[str, Any]:
    """The figures of one run as plain data (for ``BENCH_JSON``)."""
    classes = {
        case: {
            "n": len(values),
            "p50_ms": percentile(values, 50),
            "p99_ms": percentile(values, 99),
            "errors": dict(result.tally.errors.get(case, {})),
        }
        for case, values in result.tally.latencies.items()
    }
    return {
        "think_s": result.think_s,
        "users": result.users,
        "seconds": result.seconds,
        "wall_s": result.wall_s,
        "requests": result.requests,
        "generator_cpu_s": result.generator_cpu_s,
        "server_cpu_s": result.server_cpu_s,
        "coach_rounds": result.tally.coach_rounds,
        "client_sessions": result.tally.client_sessions,
        "classes": classes,
    }
