"""Concurrent writers on one SQLite file (the CLI, web requests, the job worker): none fails."""

from __future__ import annotations

import threading
from pathlib import Path

from hiplab.store import PersonRef, Store, open_store

WRITERS = 4
EACH = 8


def test_concurrent_writers_from_two_processes_worth_of_stores_lose_nothing(
    tmp_path: Path, make_input, make_result
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    stores: list[Store] = [open_store(url), open_store(url)]  # two engines: two "programs"
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write(worker: int) -> None:
        store = stores[worker % 2]
        start.wait()
        try:
            for i in range(EACH):
                # read-then-write: finds or creates the person, then inserts
                store.assessments.save(
                    person=PersonRef.named(f"P{i % 3}"),
                    data=make_input(age=30 + i),
                    result=make_result(),
                )
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        people = stores[0].people.summaries()
        assert sorted(p.name for p in people) == ["P0", "P1", "P2"]
        assert sum(p.n_assessments for p in people) == WRITERS * EACH
    finally:
        for store in stores:
            store.close()
