"""The job queue: enqueue, atomic claim, progress, finish/fail, re-queue, use a result once."""

from __future__ import annotations

import threading

import pytest

from hiplab.errors import InputError, NotFoundError
from hiplab.store import PersonRef, Store, UnitOfWork, open_store
from hiplab.store.jobs import JobUse, LeaseLostError
from tests.store.conftest import MakeInput, MakeResult

W = "worker-1"
"""The owner id of the claims in these tests (a server's :func:`worker_id`)."""


def test_a_job_goes_from_queued_to_done(store: Store) -> None:
    job = store.jobs.enqueue(kind="video_analysis", payload={"upload": "a1b2.mp4"})
    assert (job.state, job.progress, job.attempts, job.result) == ("queued", 0.0, 0, None)
    claimed = store.jobs.claim(owner=W)
    assert claimed is not None
    assert (claimed.id, claimed.state, claimed.attempts) == (job.id, "running", 1)
    store.jobs.update_progress(job_id=job.id, progress=0.5, owner=W)
    assert store.jobs.get(job_id=job.id).progress == 0.5
    store.jobs.finish(job_id=job.id, owner=W, result={"frames": 230})
    done = store.jobs.get(job_id=job.id)
    assert (done.state, done.progress, done.result, done.error) == (
        "done",
        1.0,
        {"frames": 230},
        None,
    )
    assert done.updated_at >= done.created_at
    assert store.jobs.claim(owner=W) is None


def test_a_failed_job_keeps_its_message(store: Store) -> None:
    job = store.jobs.enqueue(kind="video_analysis", payload={})
    store.jobs.claim(owner=W)
    store.jobs.fail(job_id=job.id, owner=W, error="the video has no frames")
    failed = store.jobs.get(job_id=job.id)
    assert (failed.state, failed.error) == ("failed", "the video has no frames")
    with pytest.raises(LeaseLostError, match="no longer this worker's"):
        store.jobs.update_progress(job_id=job.id, progress=0.9, owner=W)


def test_claims_take_the_oldest_job_of_the_asked_kinds(store: Store) -> None:
    first = store.jobs.enqueue(kind="a", payload={})
    second = store.jobs.enqueue(kind="b", payload={})
    third = store.jobs.enqueue(kind="a", payload={})
    claimed_b = store.jobs.claim(owner=W, kinds=["b"])
    assert claimed_b is not None and claimed_b.id == second.id
    assert [store.jobs.claim(owner=W, kinds=["a"]).id for _ in range(2)] == [first.id, third.id]  # type: ignore[union-attr]
    assert store.jobs.claim(owner=W, kinds=["a", "b"]) is None


def test_bad_job_input_is_refused(store: Store) -> None:
    with pytest.raises(InputError, match="job kind 'Video Analysis' is not allowed"):
        store.jobs.enqueue(kind="Video Analysis", payload={})
    with pytest.raises(InputError, match="payload must be plain JSON"):
        store.jobs.enqueue(kind="x", payload={"bad": object()})
    with pytest.raises(InputError, match=r"progress 1\.5 is not allowed; allowed: 0 to 1"):
        store.jobs.update_progress(job_id=1, progress=1.5, owner=W)
    with pytest.raises(NotFoundError, match="no job with id 404"):
        store.jobs.get(job_id=404)


def test_two_claimers_never_get_the_same_job(store_url: str) -> None:
    with open_store(store_url) as setup:
        ids = {setup.jobs.enqueue(kind="work", payload={"n": n}).id for n in range(40)}
    claimed: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(6, timeout=30)

    def claimer() -> None:
        try:
            with open_store(store_url) as mine:  # each worker its own engine and connections
                start.wait()
                while (job := mine.jobs.claim(owner=W)) is not None:
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
        assert {j.state for j in check.jobs.all()} == {"running"}
        assert {j.attempts for j in check.jobs.all()} == {1}


def test_only_expired_leases_go_back_to_the_queue_at_restart(store_url: str) -> None:
    with open_store(store_url) as before:
        live = before.jobs.enqueue(kind="work", payload={})
        finished = before.jobs.enqueue(kind="work", payload={})
        dead = before.jobs.enqueue(kind="work", payload={})
        waiting = before.jobs.enqueue(kind="work", payload={})
        before.jobs.claim(owner="live-server", lease_seconds=3600.0)
        before.jobs.update_progress(
            job_id=live.id, progress=0.7, owner="live-server", lease_seconds=3600.0
        )
        before.jobs.claim(owner=W)
        before.jobs.finish(job_id=finished.id, owner=W, result={})
        before.jobs.claim(owner="dead-server", lease_seconds=0.0)  # then its process died
    # The dead server's process is gone; another server starts on the same store.
    with open_store(store_url) as after:
        assert after.jobs.requeue_expired() == 1
        states = {j.id: (j.state, j.progress) for j in after.jobs.all()}
        assert states == {
            dead.id: ("queued", 0.0),
            live.id: ("running", 0.7),  # another live server's job is left alone
            finished.id: ("done", 1.0),
            waiting.id: ("queued", 0.0),
        }
        again = after.jobs.claim(owner="new-server")
        assert again is not None and (again.id, again.attempts) == (dead.id, 2)
        assert after.jobs.requeue_expired() == 0


def test_an_expired_lease_is_claimed_again_and_the_old_worker_cannot_end_it(
    store: Store,
) -> None:
    job = store.jobs.enqueue(kind="work", payload={})
    store.jobs.claim(owner="slow", lease_seconds=0.0)  # stopped renewing: expired at once
    taken = store.jobs.claim(owner="fresh")
    assert taken is not None and (taken.id, taken.attempts) == (job.id, 2)
    for write in (
        lambda: store.jobs.update_progress(job_id=job.id, progress=0.5, owner="slow"),
        lambda: store.jobs.renew_lease(job_id=job.id, owner="slow"),
        lambda: store.jobs.finish(job_id=job.id, owner="slow", result={"by": "slow"}),
        lambda: store.jobs.fail(job_id=job.id, owner="slow", error="late"),
    ):
        with pytest.raises(LeaseLostError, match="claimed by another worker"):
            write()
    store.jobs.finish(job_id=job.id, owner="fresh", result={"by": "fresh"})
    done = store.jobs.get(job_id=job.id)
    assert (done.state, done.result) == ("done", {"by": "fresh"})
    with pytest.raises(LeaseLostError, match="it is done"):
        store.jobs.finish(job_id=job.id, owner="fresh", result={"again": True})


def test_a_live_lease_is_never_claimed_twice(store: Store) -> None:
    store.jobs.enqueue(kind="work", payload={})
    assert store.jobs.claim(owner="a", lease_seconds=60.0) is not None
    assert store.jobs.claim(owner="b") is None


# --- using a finished job's result once ------------------------------------------------------


def _done_job(store: Store) -> int:
    job = store.jobs.enqueue(kind="work", payload={})
    store.jobs.claim(owner=W)
    store.jobs.finish(job_id=job.id, owner=W, result={"frames": 230})
    return job.id


def test_a_job_result_is_used_once_with_the_writes_in_the_same_transaction(
    store: Store, make_input: MakeInput, make_result: MakeResult
) -> None:
    job_id = _done_job(store)
    calls: list[int] = []

    def save(uow: UnitOfWork) -> dict[str, object]:
        calls.append(1)
        saved = store.assessments.save(
            person=PersonRef.named("Ann"), data=make_input(), result=make_result(), uow=uow
        ).assessment_id
        return {"assessment_id": saved}

    first = store.jobs.use_once(job_id=job_id, key="assessment", use=save)
    again = store.jobs.use_once(job_id=job_id, key="assessment", use=save)
    assert first.new and not again.new
    assert again.record == first.record and len(calls) == 1
    assert [a.id for a in store.assessments.history(person=PersonRef.named("Ann"))] == [
        first.record["assessment_id"]
    ]
    assert store.jobs.get(job_id=job_id).result == {"frames": 230, "assessment": first.record}


def test_a_failing_use_stores_neither_its_rows_nor_the_record(
    store: Store, make_input: MakeInput, make_result: MakeResult
) -> None:
    job_id = _done_job(store)

    def save_then_fail(uow: UnitOfWork) -> dict[str, object]:
        store.assessments.save(
            person=PersonRef.named("Ann"), data=make_input(), result=make_result(), uow=uow
        )
        raise InputError("the report cannot be rendered")

    with pytest.raises(InputError, match="cannot be rendered"):
        store.jobs.use_once(job_id=job_id, key="assessment", use=save_then_fail)
    assert store.people.summaries() == []
    assert store.jobs.get(job_id=job_id).result == {"frames": 230}
    with pytest.raises(InputError, match="record must be plain JSON"):
        store.jobs.use_once(job_id=job_id, key="record", use=lambda _uow: {"bad": object()})


def test_only_a_done_job_can_be_used(store: Store) -> None:
    job = store.jobs.enqueue(kind="work", payload={})
    with pytest.raises(InputError, match=f"job {job.id} is queued; its results come once"):
        store.jobs.use_once(job_id=job.id, key="k", use=lambda _uow: {})
    with pytest.raises(NotFoundError, match="no job with id 404"):
        store.jobs.use_once(job_id=404, key="k", use=lambda _uow: {})


def test_a_concurrent_second_use_waits_and_finds_the_first_record(store_url: str) -> None:
    """Thread B asks while A holds the job: B must wait, then run nothing.

    A lets B start from inside its own use and waits for B's use (which must not come)
    before it commits; a store without the lock would let B read the job unused.
    """
    with open_store(store_url) as setup:
        job_id = _done_job(setup)
    b_used = threading.Event()
    outcomes: dict[str, object] = {}

    def record_b(_uow: UnitOfWork) -> dict[str, object]:
        b_used.set()
        return {"by": "b"}

    def use_b() -> None:
        with open_store(store_url) as mine:
            outcomes["b"] = mine.jobs.use_once(job_id=job_id, key="k", use=record_b)

    b = threading.Thread(target=use_b)

    def use_a(_uow: UnitOfWork) -> dict[str, object]:
        b.start()
        outcomes["b ran while a held the job"] = b_used.wait(2.0)
        return {"by": "a"}

    with open_store(store_url) as mine:
        outcomes["a"] = mine.jobs.use_once(job_id=job_id, key="k", use=use_a)
    b.join(60)
    assert outcomes["b ran while a held the job"] is False
    assert outcomes["a"] == JobUse(record={"by": "a"}, new=True)
    assert outcomes["b"] == JobUse(record={"by": "a"}, new=False)
