"""One explicit unit of work: several writes stored together, or none of them.

Also the typed answer of ``store.assessments.save`` and the transitional delegates the
video use cases still call (their use of the job's unit is the one place left that
shares a transaction without ``uow=``).
"""

from __future__ import annotations

import pytest

from hiplab.errors import InputError, NotFoundError
from hiplab.store import PersonRef, SavedAssessment, Store, UnitOfWork
from tests.store.builders import make_log, make_programme
from tests.store.conftest import MakeInput, MakeResult


def _write_a_person_an_assessment_a_plan_and_a_log(
    store: Store, make_input: MakeInput, make_result: MakeResult, *, fail: bool
) -> None:
    with store.unit_of_work() as uow:
        person = store.people.create(name="Alice", age=34, sex="female", uow=uow)
        alice = PersonRef.by_id(person.id)
        saved = store.assessments.save(
            person=alice, data=make_input(), result=make_result(), uow=uow
        )
        plan_id = store.plans.save(
            person=alice, programme=make_programme(), assessment_id=saved.assessment_id, uow=uow
        )
        store.logs.save(log=make_log(plan_id=plan_id), person=alice, uow=uow)
        if fail:
            raise RuntimeError("the fourth write was the last one before the crash")


def test_several_writes_in_one_unit_are_stored_together(
    store: Store, make_input: MakeInput, make_result: MakeResult
) -> None:
    _write_a_person_an_assessment_a_plan_and_a_log(store, make_input, make_result, fail=False)
    alice = PersonRef.named("Alice")
    assert [p.n_assessments for p in store.people.summaries()] == [1]
    plan = store.plans.latest(person=alice)
    assert plan.assessment_id == store.assessments.latest(person=alice).id
    assert [log.log.plan_id for log in store.logs.of_person(person=alice)] == [plan.id]


def test_a_failure_inside_the_unit_rolls_every_write_back(
    store: Store, make_input: MakeInput, make_result: MakeResult
) -> None:
    with pytest.raises(RuntimeError, match="before the crash"):
        _write_a_person_an_assessment_a_plan_and_a_log(store, make_input, make_result, fail=True)
    assert store.people.summaries() == []
    with pytest.raises(NotFoundError, match="no person named 'Alice'"):
        store.plans.of_person(person=PersonRef.named("Alice"))
    # the store is usable afterwards: the unit released its lock
    _write_a_person_an_assessment_a_plan_and_a_log(store, make_input, make_result, fail=False)
    assert [p.name for p in store.people.summaries()] == ["Alice"]


def test_a_refused_write_inside_the_unit_rolls_the_earlier_ones_back(
    store: Store, make_input: MakeInput, make_result: MakeResult
) -> None:
    with pytest.raises(InputError, match="report format ''"), store.unit_of_work() as uow:
        store.people.create(name="Bob", age=40, sex="male", uow=uow)
        store.assessments.save(
            person=PersonRef.named("Bob"),
            data=make_input(),
            result=make_result(),
            reports=[("", "no format")],
            uow=uow,
        )
    assert store.people.summaries() == []


def test_a_write_outside_the_unit_is_not_part_of_it(
    store: Store, make_input: MakeInput, make_result: MakeResult
) -> None:
    """No implicit joining: a write without ``uow`` commits on its own.

    The unit here only reads (it never takes SQLite's write lock), so the write
    outside it can go ahead while it is open.
    """
    with pytest.raises(RuntimeError, match="undo"), store.reading() as uow:
        assert store.people.summaries(uow=uow) == []
        store.people.create(name="Cy", age=50, sex="other")
        raise RuntimeError("undo the unit")
    assert [p.name for p in store.people.summaries()] == ["Cy"]


def test_save_assessment_answers_the_ids_it_created(
    store: Store, make_input: MakeInput, make_result: MakeResult
) -> None:
    saved = store.assessments.save(
        person=PersonRef.named("Dee"),
        data=make_input(),
        result=make_result(),
        reports=[("html", "<p>one</p>"), ("pdf", b"%PDF")],
    )
    assert isinstance(saved, SavedAssessment)
    stored = store.assessments.get(assessment_id=saved.assessment_id)
    assert stored.person_id == saved.person_id
    assert store.people.get(person=PersonRef.by_id(saved.person_id)).name == "Dee"
    reports = store.assessments.reports(assessment_id=saved.assessment_id)
    assert saved.report_ids == tuple(r.id for r in reports)
    assert [r.format for r in reports] == ["html", "pdf"]
    again = store.assessments.save(
        person=PersonRef.by_id(saved.person_id), data=make_input(), result=make_result()
    )
    assert again.person_id == saved.person_id and again.report_ids == ()
    assert again.assessment_id != saved.assessment_id


def test_a_jobs_one_use_writes_in_the_jobs_unit_both_or_neither(
    store: Store, make_input: MakeInput, make_result: MakeResult
) -> None:
    """``jobs.use_once`` hands its unit to the callback: the saves and the record, or nothing."""
    job = store.jobs.enqueue(kind="work", payload={})
    store.jobs.claim(owner="w")
    store.jobs.finish(job_id=job.id, owner="w", result={})
    store.people.create(name="Eve", age=30, sex="female")
    eve = PersonRef.named("Eve")

    def save_then_fail(uow: UnitOfWork) -> dict[str, object]:
        store.assessments.save(person=eve, data=make_input(), result=make_result(), uow=uow)
        raise InputError("the report cannot be rendered")

    with pytest.raises(InputError, match="cannot be rendered"):
        store.jobs.use_once(job_id=job.id, key="used", use=save_then_fail)
    assert store.assessments.history(person=eve) == []

    def save(uow: UnitOfWork) -> dict[str, object]:
        saved = store.assessments.save(
            person=eve, data=make_input(), result=make_result(), reports=[("md", "x")], uow=uow
        )
        return {"id": saved.assessment_id, "reports": len(saved.report_ids)}

    used = store.jobs.use_once(job_id=job.id, key="used", use=save)
    assert used.new and used.record["reports"] == 1
    assert [a.id for a in store.assessments.history(person=eve)] == [used.record["id"]]
