"""``Store.latest_of_people`` reads at once what the one-person reads give one at a time.

The coach's client list relies on it (issue 11 §7: the list made three queries per
client); each person's answer must equal their own newest assessment and plan, and the
logs that may count for that plan (of that plan or of no plan), on both stores.
"""

from __future__ import annotations

from hiplab.errors import NotFoundError
from hiplab.store import PersonRef, Store
from tests.store.builders import make_log, make_programme


def _expected(store: Store, name: str) -> tuple[int | None, int | None, list[int]]:
    try:
        assessment: int | None = store.assessments.latest(person=PersonRef.named(name)).id
    except NotFoundError:
        assessment = None
    try:
        plan = store.plans.latest(person=PersonRef.named(name))
    except NotFoundError:
        return assessment, None, []
    logs = [
        log.id
        for log in store.logs.of_person(person=PersonRef.named(name))
        if log.log.plan_id in (plan.id, None)
    ]
    return assessment, plan.id, logs


def _seed(store: Store, make_input, make_result) -> dict[str, int]:
    ids = {}
    # Ann: two assessments on one day (the higher id wins), two plans, logs of each and of none
    for day in ("2024-03-01", "2024-05-01", "2024-05-01"):
        a = store.assessments.save(
            person=PersonRef.named("Ann"), data=make_input(date=day), result=make_result()
        ).assessment_id
    old = store.plans.save(
        person=PersonRef.named("Ann"), programme=make_programme(), assessment_id=a
    )
    new = store.plans.save(
        person=PersonRef.named("Ann"), programme=make_programme(block=2), assessment_id=a
    )
    store.logs.save(
        log=make_log(person="Ann", plan_id=old),
        person=PersonRef.named("Ann"),
    )
    store.logs.save(
        log=make_log(person="Ann", plan_id=new),
        person=PersonRef.named("Ann"),
    )
    store.logs.save(
        log=make_log(
            person="Ann",
            plan_id=None,
            started_at="2024-03-02T08:00:00+00:00",
            finished_at="2024-03-02T08:10:00+00:00",
        ),
        person=PersonRef.named("Ann"),
    )
    # Ben: an assessment, no plan; Cy: nothing at all
    store.assessments.save(person=PersonRef.named("Ben"), data=make_input(), result=make_result())
    for name in ("Ann", "Ben"):
        ids[name] = store.people.get(person=PersonRef.named(name)).id
    ids["Cy"] = store.people.create(name="Cy", age=30, sex="male").id
    return ids


def test_each_answer_equals_the_one_person_reads(store: Store, make_input, make_result) -> None:
    ids = _seed(store, make_input, make_result)
    found = store.people.latest_of(person_ids=[*ids.values(), 99_999])
    assert sorted(found) == sorted(ids.values())  # nobody's id is left out
    for name, person_id in ids.items():
        latest = found[person_id]
        got = (
            latest.assessment.id if latest.assessment else None,
            latest.plan.id if latest.plan else None,
            [log.id for log in latest.plan_logs],
        )
        assert got == _expected(store, name), name
    ann = found[ids["Ann"]]
    assert ann.plan is not None and ann.plan.block == 2
    assert len(ann.plan_logs) == 2  # the new plan's and the one of no plan, not the old one's
    assert found[ids["Cy"]].assessment is None and found[ids["Cy"]].plan_logs == ()


def test_no_people_no_queries_needed(store: Store) -> None:
    assert store.people.latest_of(person_ids=[]) == {}
