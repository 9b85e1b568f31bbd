"""The job worker: handlers by kind, progress, failures with clear messages, restarts."""

from __future__ import annotations

import time
from pathlib import Path

from hiplab.errors import InputError
from hiplab.settings import Settings
from hiplab.store import open_store
from hiplab.web.app import create_app
from hiplab.web.jobs import JobContext, run_one
from tests.web.conftest import TestClient


def _settings(tmp_path: Path, store_url: str) -> Settings:
    return Settings(database_url=store_url, data_dir=tmp_path / "data")


def _count_frames(context: JobContext) -> dict[str, object]:
    context.progress(0.5)
    return {"frames": context.job.payload["frames"], "attempt": context.job.attempts}


def _wait_for(store_url: str, job_id: int, state: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    with open_store(store_url) as store:
        while store.jobs.get(job_id=job_id).state != state:
            assert time.monotonic() < deadline, f"job {job_id} never became {state}"
            time.sleep(0.05)


def test_a_restart_requeues_and_finishes_a_job_left_running(tmp_path: Path, store_url: str) -> None:
    settings = _settings(tmp_path, store_url)
    with open_store(store_url) as store:
        job = store.jobs.enqueue(kind="count_frames", payload={"frames": 230})
        # A worker took it ... and its server died: the lease is not renewed and expires.
        assert store.jobs.claim(owner="dead-server", lease_seconds=0.0) is not None
    app = create_app(settings, job_handlers={"count_frames": _count_frames})
    with TestClient(app):
        _wait_for(store_url, job.id, "done")
    with open_store(store_url) as store:
        done = store.jobs.get(job_id=job.id)
    assert done.result == {"frames": 230, "attempt": 2}
    assert (done.progress, done.attempts, done.error) == (1.0, 2, None)


def test_failures_are_recorded_and_the_worker_goes_on(tmp_path: Path, store_url: str) -> None:
    def bad_video(_context: JobContext) -> dict[str, object]:
        raise InputError("video.mp4: the file has no video frames")

    def bug(_context: JobContext) -> dict[str, object]:
        raise ZeroDivisionError("internal detail that users must not see")

    handlers = {"bad_video": bad_video, "bug": bug, "count_frames": _count_frames}
    settings = _settings(tmp_path, store_url)
    with open_store(store_url) as store:
        ids = [
            store.jobs.enqueue(kind=kind, payload={"frames": 3})
            for kind in ("bad_video", "bug", "count_frames", "nobody_handles_this")
        ]
        assert [run_one(store, settings, handlers) for _ in range(4)] == [True, True, True, False]
        jobs = [store.jobs.get(job_id=j.id) for j in ids]
    assert [(j.state, j.error) for j in jobs] == [
        ("failed", "video.mp4: the file has no video frames"),
        ("failed", "the bug job failed unexpectedly"),
        ("done", None),
        ("queued", None),
    ]


def test_no_handlers_no_worker(tmp_path: Path, store_url: str) -> None:
    settings = _settings(tmp_path, store_url)
    with open_store(store_url) as store:
        job = store.jobs.enqueue(kind="count_frames", payload={"frames": 1})
        assert run_one(store, settings, {}) is False
    with TestClient(create_app(settings)):
        time.sleep(0.2)
    with open_store(store_url) as store:
        assert store.jobs.get(job_id=job.id).state == "queued"
