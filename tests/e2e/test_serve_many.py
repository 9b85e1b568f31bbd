"""Several ``hiplab serve`` processes on one store: correct by design, not by refusal.

Each server is the command a user runs, in its own process, on one SQLite file or one
PostgreSQL database, sharing the upload folder (as servers behind one proxy would):

* a second server refused for a busy port changes nothing — the first one's running
  job keeps its lease, an upload still arriving keeps its folder — and exits with
  code 2 and a message;
* a second server on another port starts and leaves the first one's job alone;
* ``kill -9`` of the server running a video analysis: the other server takes the job
  over once its lease has expired and finishes it, exactly once.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from hiplab.store import Store, StoredJob, open_store
from tests.conftest import fresh_pg_database, pg_server
from tests.e2e.conftest import Server, _started, login_cookies
from tests.motion.demo_video import demo_video

LEASE_S = "2"
"""The servers' ``job_lease_seconds``: short, so that a takeover comes quickly."""
HANG_GUARD_S = 600.0
"""Longest wait for a job's state (a hang guard, not a speed requirement)."""

pytestmark = pytest.mark.parametrize(
    "store_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hiplab.sqlite'}"
        return
    with fresh_pg_database(pg_server()) as url:
        yield url


@pytest.fixture
def shared_uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One upload folder and secret for every server started in the test."""
    uploads = tmp_path / "uploads"
    monkeypatch.setenv("HIPLAB_UPLOAD_DIR", str(uploads))
    monkeypatch.setenv("HIPLAB_SECRET_KEY", "a shared secret key of more than thirty-two chars")
    monkeypatch.setenv("HIPLAB_JOB_LEASE_SECONDS", LEASE_S)
    return uploads


@contextmanager
def servers(store_url: str, root: Path, count: int) -> Iterator[list[Server]]:
    """Start ``count`` servers on one store, each with its own data folder and log."""
    with ExitStack() as stack:
        started = []
        for n in range(count):
            folder = root / f"server-{n}"
            folder.mkdir()
            started.append(stack.enter_context(_started(store_url, folder, "many")))
        yield started


def coach_and_client(server: Server) -> tuple[httpx.Client, int]:
    """Create the coach login and a client; return the coach's API client and the person id."""
    server.create_coach()
    client = httpx.Client(base_url=server.url, cookies=login_cookies(server.url), timeout=60)
    client.headers["X-CSRF-Token"] = client.get("/api/v1/me").json()["csrf_token"]
    person = client.post("/api/v1/people", json={"name": "Alex K.", "age": 30, "sex": "male"})
    assert person.status_code == 201, person.text
    return client, int(person.json()["id"])


def upload_demo(client: httpx.Client, person_id: int) -> int:
    """Upload the sports2d demo video as a landing; return its job's id."""
    video = demo_video()
    if isinstance(video, str):
        pytest.skip(video)
    answer = client.post(
        f"/api/v1/people/{person_id}/videos",
        files={"video": ("roof jump.mp4", video.read_bytes(), "video/mp4")},
        data={"task": "landing"},
    )
    assert answer.status_code == 202, answer.text
    return int(answer.json()["id"])


def wait_for(store: Store, job_id: int, *, running: bool) -> StoredJob:
    """Wait until the job runs with some progress (``running``) or has ended."""
    deadline = time.monotonic() + HANG_GUARD_S
    while True:
        job = store.jobs.get(job_id=job_id)
        if running and job.state == "running" and job.progress > 0:
            return job
        if not running and job.state in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job.state}"
        time.sleep(0.1)


def holder_pid(job: StoredJob) -> int:
    """Return the process id in a running job's lease owner (``host:pid:random``)."""
    assert job.lease_owner is not None
    return int(job.lease_owner.split(":")[1])


def test_a_refused_second_server_changes_nothing(
    store_url: str, tmp_path: Path, shared_uploads: Path
) -> None:
    with servers(store_url, tmp_path, 1) as [first]:
        with open_store(store_url) as store:
            job = store.jobs.enqueue(kind="not_run_by_a_server", payload={})
            store.jobs.claim(owner="live-worker", lease_seconds=3600.0)
        arriving = shared_uploads / uuid.uuid4().hex
        arriving.mkdir(parents=True)
        (arriving / "upload.part").write_bytes(b"the first megabytes")
        port = first.url.rsplit(":", 1)[1]
        again = first.hiplab("serve", "--port", port)
        elsewhere = tmp_path / "other-port"
        elsewhere.mkdir()
        with servers(store_url, elsewhere, 1) as [second]:  # started: it re-queues nothing live
            assert httpx.get(second.url + "/login").status_code == 200
        with open_store(store_url) as store:
            after = store.jobs.get(job_id=job.id)
    assert again.returncode == 2, again.stdout + again.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in again.stderr
    assert "Traceback" not in again.stderr
    assert (after.state, after.attempts, after.lease_owner) == ("running", 1, "live-worker")
    assert (arriving / "upload.part").read_bytes() == b"the first megabytes"


def test_kill_9_of_the_server_running_a_job_the_other_finishes_it_once(
    store_url: str, tmp_path: Path, shared_uploads: Path
) -> None:
    with servers(store_url, tmp_path, 2) as pair, open_store(store_url) as store:
        client, person_id = coach_and_client(pair[0])
        try:
            job_id = upload_demo(client, person_id)
        finally:
            client.close()
        running = wait_for(store, job_id, running=True)
        victim = holder_pid(running)
        os.kill(victim, signal.SIGKILL)
        ended = wait_for(store, job_id, running=False)
        logs = [server.output() for server in pair]
    assert (ended.state, ended.error) == ("done", None)
    assert ended.attempts == 2  # the killed run, and the other server's
    assert ended.lease_owner is None
    assert ended.result is not None and ended.result["analysis"]["task"] == "landing"
    survivor = next(log for log in logs if f"[{victim}]" not in log)
    assert "let go" not in survivor  # the survivor never lost its own lease
    upload = shared_uploads / str(running.payload["upload_id"])
    assert (upload / "out" / "metrics.json").is_file()
    assert not list(upload.glob("video.*"))  # the source went once the job was done
