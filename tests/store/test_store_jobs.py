"""The job queue: enqueue, atomic claim under concurrency, progress, finish/fail, re-queue."""

from __future__ import annotations

import threading

import pytest

from hiplab.errors import InputError, NotFoundError
from hiplab.store import Store, open_store


def test_a_job_goes_from_queued_to_done(store: Store) -> None:
    job = store.enqueue_job(kind="video_analysis", payload={"upload": "a1b2.mp4"})
    assert (job.state, job.progress, job.attempts, job.result) == ("queued", 0.0, 0, None)
    claimed = store.claim_job()
    assert claimed is not None
    assert (claimed.id, claimed.state, claimed.attempts) == (job.id, "running", 1)
    store.update_job_progress(job_id=job.id, progress=0.5)
    assert store.get_job(job_id=job.id).progress == 0.5
    store.finish_job(job_id=job.id, result={"frames": 230})
    done = store.get_job(job_id=job.id)
    assert (done.state, done.progress, done.result, done.error) == (
        "done",
        1.0,
        {"frames": 230},
        None,
    )
    assert done.updated_at >= done.created_at
    assert store.claim_job() is None


def test_a_failed_job_keeps_its_message(store: Store) -> None:
    job = store.enqueue_job(kind="video_analysis", payload={})
    store.claim_job()
    store.fail_job(job_id=job.id, error="the video has no frames")
    failed = store.get_job(job_id=job.id)
    assert (failed.state, failed.error) == ("failed", "the video has no frames")
    with pytest.raises(InputError, match="only a running job can change"):
        store.update_job_progress(job_id=job.id, progress=0.9)


def test_claims_take_the_oldest_job_of_the_asked_kinds(store: Store) -> None:
    first = store.enqueue_job(kind="a", payload={})
    second = store.enqueue_job(kind="b", payload={})
    third = store.enqueue_job(kind="a", payload={})
    claimed_b = store.claim_job(kinds=["b"])
    assert claimed_b is not None and claimed_b.id == second.id
    assert [store.claim_job(kinds=["a"]).id for _ in range(2)] == [first.id, third.id]  # type: ignore[union-attr]
    assert store.claim_job(kinds=["a", "b"]) is None


def test_bad_job_input_is_refused(store: Store) -> None:
    with pytest.raises(InputError, match="job kind 'Video Analysis' is not allowed"):
        store.enqueue_job(kind="Video Analysis", payload={})
    with pytest.raises(InputError, match="payload must be plain JSON"):
        store.enqueue_job(kind="x", payload={"bad": object()})
    with pytest.raises(InputError, match=r"progress 1\.5 is not allowed; allowed: 0 to 1"):
        store.update_job_progress(job_id=1, progress=1.5)
    with pytest.raises(NotFoundError, match="no job with id 404"):
        store.get_job(job_id=404)


def test_two_claimers_never_get_the_same_job(store_url: str) -> None:
    with open_store(store_url) as setup:
        ids = {setup.enqueue_job(kind="work", payload={"n": n}).id for n in range(40)}
    claimed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(6, timeout=30)

    def claimer() -> None:
        try:
            with open_store(store_url) as mine:  # each worker its own engine and connections
                start.wait()
                while (job := mine.claim_job()) is not None:
                    with lock:
                        claimed.append(job.id)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=claimer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(claimed) == sorted(ids)  # every job once: none twice, none lost
    with open_store(store_url) as check:
        assert {j.state for j in check.jobs()} == {"running"}
        assert {j.attempts for j in check.jobs()} == {1}


def test_running_jobs_go_back_to_the_queue_at_restart(store_url: str) -> None:
    with open_store(store_url) as before:
        running = before.enqueue_job(kind="work", payload={}, person_id=None)
        finished = before.enqueue_job(kind="work", payload={})
        waiting = before.enqueue_job(kind="work", payload={})
        before.claim_job()
        before.claim_job()
        before.update_job_progress(job_id=running.id, progress=0.7)
        before.finish_job(job_id=finished.id, result={})
    # The process died here; a new one starts.
    with open_store(store_url) as after:
        assert after.requeue_running_jobs() == 1
        states = {j.id: (j.state, j.progress) for j in after.jobs()}
        assert states == {
            running.id: ("queued", 0.0),
            finished.id: ("done", 1.0),
            waiting.id: ("queued", 0.0),
        }
        again = after.claim_job()
        assert again is not None and (again.id, again.attempts) == (running.id, 2)
        assert after.requeue_running_jobs() == 1
