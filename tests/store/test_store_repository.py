"""Repository methods of the store, on every backend of the ``store`` fixture."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from hiplab.errors import InputError, NotFoundError, StoreError
from hiplab.records.intake import Sex
from hiplab.store import CSV_COLUMNS, PersonRef, Store, tables
from hiplab.store import assessments as store_module


def test_round_trip_save_history_get(store: Store, make_input, make_result) -> None:
    later = store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(date="2024-05-02"), result=make_result()
    ).assessment_id
    earlier_data = make_input(date="2024-01-15", left=20.0)
    earlier_result = make_result(left=20.0, finding=False)
    earlier = store.assessments.save(
        person=PersonRef.named("Alice"), data=earlier_data, result=earlier_result
    ).assessment_id
    same_day = store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(date="2024-05-02"), result=make_result()
    ).assessment_id

    history = store.assessments.history(person=PersonRef.named("Alice"))
    assert [item.id for item in history] == [earlier, later, same_day]
    assert [item.taken_on for item in history] == [
        date(2024, 1, 15),
        date(2024, 5, 2),
        date(2024, 5, 2),
    ]
    assert history[0].n_findings == 0
    assert history[0].finding_ids == ()
    assert history[1].n_findings == 1
    assert history[1].finding_ids == ("hip_internal_rotation_low",)
    assert history[1].provenance == "clinician"
    assert history[1].refer is False

    stored = store.assessments.get(assessment_id=earlier)
    assert stored.id == earlier
    assert stored.person_name == "Alice"
    assert stored.taken_on == date(2024, 1, 15)
    assert stored.data == earlier_data
    assert stored.result == earlier_result
    assert stored.created_at.tzinfo is not None


def test_precautions_survive_the_round_trip(store: Store, make_input, make_result) -> None:
    result = make_result()
    assessment_id = store.assessments.save(
        person=PersonRef.named("Bo"), data=make_input(), result=result
    ).assessment_id
    assert store.assessments.get(assessment_id=assessment_id).result.precautions == (
        result.precautions
    )


def test_missing_date_means_today(store: Store, make_input, make_result) -> None:
    store.assessments.save(
        person=PersonRef.named("Cy"), data=make_input(date=None), result=make_result()
    )
    assert store.assessments.history(person=PersonRef.named("Cy"))[0].taken_on == date.today()


def test_test_results_one_row_per_value(store: Store, make_input, make_result) -> None:
    assessment_id = store.assessments.save(
        person=PersonRef.named("Alice"),
        data=make_input(provenance="video"),
        result=make_result(left=25.5, right=41.0),
    ).assessment_id
    rows = store.assessments.test_results(person=PersonRef.named("Alice"))
    assert [(row.side, row.value, row.unit) for row in rows] == [
        ("left", 25.5, "deg"),
        ("right", 41.0, "deg"),
    ]
    assert {row.provenance for row in rows} == {"video"}
    assert {row.assessment_id for row in rows} == {assessment_id}
    assert {row.taken_on for row in rows} == {date(2024, 3, 1)}


def test_export_json(store: Store, make_input, make_result) -> None:
    data, result = make_input(), make_result()
    assessment_id = store.assessments.save(
        person=PersonRef.named("Alice"), data=data, result=result
    ).assessment_id

    document = json.loads(store.archive.export_person(person=PersonRef.named("Alice"), fmt="json"))

    assert document["format"] == "hiplab-person-export"
    assert document["person"]["name"] == "Alice"
    assert document["person"]["age"] == 34
    assert document["person"]["sex"] == "female"
    [exported] = document["assessments"]
    assert exported["id"] == assessment_id
    assert exported["taken_on"] == "2024-03-01"
    assert exported["input"] == data.model_dump(mode="json")
    assert exported["result"] == result.model_dump(mode="json")


def test_export_csv(store: Store, make_input, make_result) -> None:
    first = store.assessments.save(
        person=PersonRef.named("Alice"),
        data=make_input(date="2024-01-01"),
        result=make_result(left=20.0),
    ).assessment_id
    second = store.assessments.save(
        person=PersonRef.named("Alice"),
        data=make_input(date="2024-02-01"),
        result=make_result(left=22.5),
    ).assessment_id

    text = store.archive.export_person(person=PersonRef.named("Alice"), fmt="csv")
    rows = list(csv.reader(io.StringIO(text)))

    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1:] == [
        ["Alice", "2024-01-01", str(first), "hip_internal_rotation_deg", "left", "20.0", "deg",
         "clinician"],
        ["Alice", "2024-01-01", str(first), "hip_internal_rotation_deg", "right", "40.0", "deg",
         "clinician"],
        ["Alice", "2024-02-01", str(second), "hip_internal_rotation_deg", "left", "22.5", "deg",
         "clinician"],
        ["Alice", "2024-02-01", str(second), "hip_internal_rotation_deg", "right", "40.0", "deg",
         "clinician"],
    ]  # fmt: skip


def test_export_refuses_unknown_format(store: Store, make_input, make_result) -> None:
    store.assessments.save(person=PersonRef.named("Alice"), data=make_input(), result=make_result())
    with pytest.raises(InputError, match="'xml'"):
        store.archive.export_person(person=PersonRef.named("Alice"), fmt="xml")  # type: ignore[arg-type]


def test_people_summary(store: Store, make_input, make_result) -> None:
    assert store.people.summaries() == []
    store.assessments.save(
        person=PersonRef.named("Bob"),
        data=make_input(date="2024-06-01", age=50, sex=Sex.male),
        result=make_result(refer=True),
    )
    store.assessments.save(
        person=PersonRef.named("Alice"),
        data=make_input(date="2024-01-01"),
        result=make_result(refer=True),
    )
    store.assessments.save(
        person=PersonRef.named("Alice"),
        data=make_input(date="2024-03-01", age=35),
        result=make_result(),
    )

    alice, bob = store.people.summaries()

    assert (alice.name, alice.age, alice.sex) == ("Alice", 35, Sex.female)
    assert alice.n_assessments == 2
    assert alice.last_assessed == date(2024, 3, 1)
    assert alice.last_refer is False
    assert (bob.name, bob.age, bob.sex, bob.n_assessments) == ("Bob", 50, Sex.male, 1)
    assert bob.last_assessed == date(2024, 6, 1)
    assert bob.last_refer is True


def _count_rows(store: Store) -> dict[str, int]:
    return {
        "people": len(store.people.summaries()),
        "results": sum(
            len(store.assessments.test_results(person=PersonRef.named(p.name)))
            for p in store.people.summaries()
        ),
        "assessments": sum(p.n_assessments for p in store.people.summaries()),
    }


def test_failed_write_leaves_nothing(
    store: Store, make_input, make_result, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A NOT NULL violation on the last rows rolls back the person and the assessment."""
    store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(age=40), result=make_result()
    )
    before = _count_rows(store)

    def broken_rows(result, *, provenance):
        # Written after the person update and the assessment row have been flushed.
        return [
            tables.TestResult(test="x", side=None, value=None, unit="deg", provenance=provenance)
        ]

    monkeypatch.setattr(store_module, "_test_result_rows", broken_rows)
    with pytest.raises(StoreError, match="constraint"):
        store.assessments.save(
            person=PersonRef.named("Alice"), data=make_input(age=41), result=make_result()
        )
    with pytest.raises(StoreError, match="constraint"):
        store.assessments.save(
            person=PersonRef.named("Newcomer"), data=make_input(), result=make_result()
        )

    assert _count_rows(store) == before
    assert [p.name for p in store.people.summaries()] == ["Alice"]
    assert store.people.summaries()[0].age == 40
    with pytest.raises(NotFoundError):
        store.assessments.history(person=PersonRef.named("Newcomer"))


def test_exception_mid_write_rolls_back(
    store: Store, make_input, make_result, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(result, *, provenance):
        raise RuntimeError("boom")

    monkeypatch.setattr(store_module, "_test_result_rows", explode)
    with pytest.raises(RuntimeError, match="boom"):
        store.assessments.save(
            person=PersonRef.named("Alice"), data=make_input(), result=make_result()
        )

    assert store.people.summaries() == []


def test_unknown_person_suggests_close_names(store: Store, make_input, make_result) -> None:
    store.assessments.save(person=PersonRef.named("Alice"), data=make_input(), result=make_result())
    store.assessments.save(person=PersonRef.named("Bob"), data=make_input(), result=make_result())

    with pytest.raises(NotFoundError, match=r"no person named 'Alise'; did you mean 'Alice'\?"):
        store.assessments.history(person=PersonRef.named("Alise"))
    with pytest.raises(NotFoundError, match="2 people are stored"):
        store.assessments.test_results(person=PersonRef.named("Zyx"))
    with pytest.raises(NotFoundError, match="'Alise'"):
        store.archive.export_person(person=PersonRef.named("Alise"), fmt="json")


def test_unknown_person_in_empty_store(store: Store) -> None:
    with pytest.raises(NotFoundError, match="the store is empty"):
        store.assessments.history(person=PersonRef.named("Alice"))


def test_unknown_assessment(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no assessment with id 999"):
        store.assessments.get(assessment_id=999)
    with pytest.raises(NotFoundError, match="no assessment with id 999"):
        store.assessments.save_report(assessment_id=999, fmt="html", content="<p>x</p>")


def test_reports_text_and_binary(store: Store, make_input, make_result) -> None:
    assessment_id = store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(), result=make_result()
    ).assessment_id
    html = store.assessments.save_report(
        assessment_id=assessment_id, fmt="html", content="<h1>Hip</h1>"
    )
    pdf = store.assessments.save_report(
        assessment_id=assessment_id, fmt="pdf", content=b"%PDF-1.7\x00\xff"
    )

    assert store.assessments.get_report(report_id=html).content == "<h1>Hip</h1>"
    assert store.assessments.get_report(report_id=pdf).content == b"%PDF-1.7\x00\xff"
    assert store.assessments.get_report(report_id=pdf).format == "pdf"
    with pytest.raises(NotFoundError):
        store.assessments.get_report(report_id=pdf + 100)
    with pytest.raises(InputError, match="report format"):
        store.assessments.save_report(assessment_id=assessment_id, fmt="", content="x")


def test_assessment_with_its_reports_in_one_transaction(
    store: Store, make_input, make_result, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = [("motion-json", '{"task": "landing"}'), ("pdf", b"%PDF")]
    assessment_id = store.assessments.save(
        person=PersonRef.named("Alice"), data=make_input(), result=make_result(), reports=reports
    ).assessment_id
    stored = store.assessments.reports(assessment_id=assessment_id)
    assert [(r.format, r.content) for r in stored] == reports
    before = _count_rows(store)

    with pytest.raises(InputError, match="report format"):
        store.assessments.save(
            person=PersonRef.named("Alice"),
            data=make_input(),
            result=make_result(),
            reports=[("", "x")],
        )

    def explode(assessment_id, fmt, content):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module, "_report_row", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        store.assessments.save(
            person=PersonRef.named("Bob"), data=make_input(), result=make_result(), reports=reports
        )
    assert _count_rows(store) == before  # neither the assessment nor its reports
    assert [p.name for p in store.people.summaries()] == ["Alice"]
    with pytest.raises(NotFoundError):
        store.assessments.reports(assessment_id=assessment_id + 100)


def test_input_errors(store: Store, make_input, make_result) -> None:
    with pytest.raises(InputError, match="person_name"):
        store.assessments.save(
            person=PersonRef.named("  "), data=make_input(), result=make_result()
        )
    with pytest.raises(InputError, match="'2024-02-30'"):
        store.assessments.save(
            person=PersonRef.named("Alice"),
            data=make_input(date="2024-02-30"),
            result=make_result(),
        )
    assert store.people.summaries() == []


def test_closed_store_refuses_work(store: Store) -> None:
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.people.summaries()
