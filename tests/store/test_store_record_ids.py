"""Ids no table can hold (0, negative, past 32 bits) are "not found" on both backends.

API fuzzing sent ``assessment_id: -847983806144680448``; PostgreSQL refused the query
("integer out of range") and the caller saw a 503. Every lookup by id goes through
:func:`hiplab.store.core.get_record` / ``owner_of`` now; this test calls each public one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hiplab.errors import NotFoundError
from hiplab.store import PersonRef, Store
from hiplab.store.core import MAX_RECORD_ID, storable

UNHOLDABLE = [0, -1, MAX_RECORD_ID + 1, -847983806144680448, 2**63 - 1, 2**70]

LOOKUPS: dict[str, Callable[[Store, int], Any]] = {
    "user_by_id": lambda store, n: store.accounts.by_id(user_id=n),
    "set_password_hash": lambda store, n: store.accounts.set_password_hash(
        user_id=n, password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"
    ),
    "get_person": lambda store, n: store.people.get(person=PersonRef.by_id(n)),
    "person_of_assessment": lambda store, n: store.assessments.owner(assessment_id=n),
    "get_assessment": lambda store, n: store.assessments.get(assessment_id=n),
    "reports": lambda store, n: store.assessments.reports(assessment_id=n),
    "get_report": lambda store, n: store.assessments.get_report(report_id=n),
    "get_plan": lambda store, n: store.plans.get(plan_id=n),
    "person_of_plan": lambda store, n: store.plans.owner(plan_id=n),
    "update_plan": lambda store, n: store.plans.update(plan_id=n, change=lambda p: p),
    "get_job": lambda store, n: store.jobs.get(job_id=n),
    "finish_job": lambda store, n: store.jobs.finish(job_id=n, owner="w", result={}),
}


@pytest.mark.parametrize("name", sorted(LOOKUPS))
def test_an_id_no_table_can_hold_is_not_found(store: Store, name: str) -> None:
    for number in UNHOLDABLE:
        with pytest.raises(NotFoundError, match=rf"with id {number}\b"):
            LOOKUPS[name](store, number)


def test_the_jobs_of_an_impossible_person_are_none(store: Store) -> None:
    store.jobs.enqueue(kind="video_analysis", payload={})
    assert store.jobs.all(person_id=2**63) == []
    assert len(store.jobs.all()) == 1


def test_the_largest_holdable_id_is_looked_up_not_refused(store: Store) -> None:
    assert storable(MAX_RECORD_ID) and storable(1)
    assert not storable(0) and not storable(MAX_RECORD_ID + 1)
    with pytest.raises(NotFoundError, match=f"no assessment with id {MAX_RECORD_ID}"):
        store.assessments.get(assessment_id=MAX_RECORD_ID)
