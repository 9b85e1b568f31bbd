"""The assessment form: generated from the schema, saved through the same validation as the CLI."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from hiplab.assess.parse import validate
from hiplab.errors import InputError
from hiplab.records.intake import Screening
from hiplab.store import PersonRef, Store
from hiplab.web.assessment_form import form_groups, form_to_input
from tests.web.conftest import TestClient, World, csrf_of_page, login


def submit(client: TestClient, person_id: int, fields: dict[str, Any]) -> Any:
    """Log in as coach A, open the person's form and post ``fields`` with its CSRF token."""
    login(client, "a@coach.test")
    token = csrf_of_page(client.get(f"/people/{person_id}/assessments/new").text)
    return client.post(
        f"/people/{person_id}/assessments",
        data={"csrf_token": token, **fields},
        follow_redirects=False,
    )


def test_every_test_of_the_schema_has_a_labelled_input(client: TestClient, world: World) -> None:
    login(client, "a@coach.test")
    page = client.get(f"/people/{world.alice}/assessments/new")
    assert page.status_code == 200
    paths = [f.path for g in form_groups() for f in g.fields]
    for path in ("tests.hip_internal_rotation_deg.left", "tests.faber.right.positive",
                 "tests.thomas.left.thigh_angle_deg", "screening.hip_replacement.approach",
                 "person.age", "symptoms[0].region", "provenance", "date"):  # fmt: skip
        assert path in paths
    for group in form_groups():
        for field in group.fields:
            if field.kind != "multi":
                assert f'for="{field.id}"' in page.text, field.path
                assert f'id="{field.id}"' in page.text, field.path
    assert 'name="person.age" value="34"' in page.text  # filled from the person


def test_the_form_saves_what_a_file_would(client: TestClient, world: World, store: Store) -> None:
    form = {
        "person.age": "35",
        "person.sex": "female",
        "person.activities": ["running", "yoga"],
        "tests.hip_internal_rotation_deg.left": "18",
        "tests.hip_internal_rotation_deg.right": "41.5",
        "tests.faber.left.positive": "yes",
        "tests.faber.right.positive": "no",
        "symptoms[0].region": "groin",
        "symptoms[0].side": "left",
        "symptoms[0].pain": "3",
        "provenance": "clinician",
        "date": "2025-02-01",
    }
    response = submit(client, world.alice, form)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/people/{world.alice}"
    stored = store.assessments.latest(person=PersonRef.named("Alice"))
    expected = validate(
        {
            "person": {"age": 35, "sex": "female", "activities": ["running", "yoga"]},
            "tests": {
                "hip_internal_rotation_deg": {"left": 18, "right": 41.5},
                "faber": {"left": {"positive": True}, "right": {"positive": False}},
            },
            "symptoms": [{"region": "groin", "side": "left", "pain": 3}],
            "provenance": "clinician",
            "date": "2025-02-01",
        }
    )
    assert stored.data == expected
    assert stored.taken_on.isoformat() == "2025-02-01"


def _cli_message(data: dict[str, object]) -> str:
    try:
        validate(data, source="input")
    except InputError as exc:
        return str(exc)
    raise AssertionError("the data was valid")


def test_bad_input_gets_the_cli_message(client: TestClient, world: World) -> None:
    login(client, "alice@client.test")  # a client may enter their own self-test
    token = csrf_of_page(client.get(f"/people/{world.alice}/assessments/new").text)
    form = {
        "csrf_token": token,
        "person.age": "34",
        "person.sex": "female",
        "tests.hip_internal_rotation_deg.left": "95",
        "tests.knee_to_wall_cm.right": "abc",
    }
    response = client.post(f"/people/{world.alice}/assessments", data=form)
    assert response.status_code == 422
    message = _cli_message(form_to_input({k: v for k, v in form.items() if k != "csrf_token"}, {}))
    assert "'tests.hip_internal_rotation_deg.left' has value 95.0" in message
    assert "'tests.knee_to_wall_cm.right' has value \"abc\"" in message
    for line in message.splitlines():
        assert line.strip().replace('"', "&#34;").replace("'", "&#39;") in response.text
    assert 'name="tests.knee_to_wall_cm.right" value="abc"' in response.text  # kept
    assert 'aria-invalid="true"' in response.text


def test_a_pasted_file_is_read_like_a_file(client: TestClient, world: World, store: Store) -> None:
    login(client, "a@coach.test")
    token = csrf_of_page(client.get(f"/people/{world.alice}/assessments/new").text)
    document = "person:\n  age: 36\n  sex: female\ntests:\n  deep_squat_fms: 2\n"
    response = client.post(
        f"/people/{world.alice}/assessments",
        data={"csrf_token": token, "document": document},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert store.assessments.latest(person=PersonRef.named("Alice")).data.tests.deep_squat_fms == 2
    broken = client.post(
        f"/people/{world.alice}/assessments",
        data={"csrf_token": token, "document": "person: [unclosed\n"},
    )
    assert broken.status_code == 422
    assert "input: not valid YAML at line" in broken.text


class _Text(HTMLParser):
    """The text a person reads on a page: text nodes, not tags or attribute values."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style", "code", "textarea")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style", "code", "textarea")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def readable_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


NEW_QUESTIONS = ("long_term_steroids", "iv_drug_use", "obligatory_external_rotation",
                 "hip_impingement", "falls_or_poor_balance", "bladder_bowel_change",
                 "progressive_weakness", "cancer_history")  # fmt: skip


def test_the_form_asks_every_question_in_plain_words(client: TestClient, world: World) -> None:
    login(client, "a@coach.test")
    page = client.get(f"/people/{world.alice}/assessments/new").text
    text = readable_text(page)
    for key in NEW_QUESTIONS:
        question = Screening.model_fields[key].description
        assert question and question.replace("'", "&#39;") in page, key
        assert f'name="screening.{key}"' in page
    for words in ("leg (running down it)", "wrist", "shoulder", "front or inside of the thigh",
                  "at night (it wakes you or keeps you awake)", "since a fall or an injury",
                  "It brought on pain", "FABER (figure-4) test, left", "FADIR test",
                  "desk work", "Safety questions"):  # fmt: skip
        assert words.replace("'", "&#39;") in page, words
    assert 'name="tests.fadir.right.painful"' in page
    assert 'value="down_the_leg"' in page  # the value sent is still the schema's id
    snake = re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text)
    assert snake == [], snake  # no ids, keys or flags in what a person reads


def test_the_new_fields_are_saved_as_a_file_would_hold_them(
    client: TestClient, world: World, store: Store
) -> None:
    form = {
        "person.age": "35",
        "person.sex": "female",
        "screening.hip_impingement": "on",
        "screening.falls_or_poor_balance": "on",
        "tests.faber.left.positive": "yes",
        "tests.faber.left.painful": "on",
        "tests.fadir.right.positive": "yes",
        "symptoms[0].region": "down_the_leg",
        "symptoms[0].side": "left",
        "symptoms[0].pain": "2",
        "symptoms[0].timing": ["with_activity"],
        "symptoms[1].region": "wrist",
        "symptoms[1].pain": "1",
        "symptoms[2].region": "shoulder",
        "symptoms[2].pain": "0",
        "date": "2025-03-01",
    }
    response = submit(client, world.alice, form)
    assert response.status_code == 303, response.text
    stored = store.assessments.latest(person=PersonRef.named("Alice"))
    expected = validate(
        {
            "person": {"age": 35, "sex": "female"},
            "screening": {"hip_impingement": True, "falls_or_poor_balance": True},
            "tests": {
                "faber": {"left": {"positive": True, "painful": True}},
                "fadir": {"right": {"positive": True}},
            },
            "symptoms": [
                {"region": "down_the_leg", "side": "left", "pain": 2, "timing": ["with_activity"]},
                {"region": "wrist", "pain": 1},
                {"region": "shoulder", "pain": 0},
            ],
            "date": "2025-03-01",
        }
    )
    assert stored.data == expected
    assert stored.result.refer is False  # precautions, not red flags


def test_a_red_flag_from_the_form_shows_who_and_when(
    client: TestClient, world: World, store: Store
) -> None:
    form = {
        "person.age": "12",
        "person.sex": "female",
        "screening.long_term_steroids": "on",
        "tests.hip_internal_rotation_deg.left": "15",
        "symptoms[0].region": "knee",
        "symptoms[0].pain": "3",
        "symptoms[0].timing": ["at_night", "after_injury"],
        "date": "2025-03-02",
    }
    response = submit(client, world.alice, form)
    assert response.status_code == 303, response.text
    result = store.assessments.latest(person=PersonRef.named("Alice")).result
    assert {f.id for f in result.red_flags} == {
        "long_term_steroids", "rest_or_night_pain", "pain_after_injury", "possible_scfe",
    }  # fmt: skip
    page = client.get(f"/people/{world.alice}").text
    assert "see a clinician first" in page
    assert "See a doctor who can arrange a hip X-ray of both hips" in page
    assert "See your family doctor (GP) within a few days." in page
    assert page.index("X-ray") < page.index("within a few days")  # most urgent first


def test_a_wrong_timing_gets_the_cli_message(client: TestClient, world: World) -> None:
    form = {
        "person.age": "30",
        "person.sex": "male",
        "symptoms[0].region": "groin",
        "symptoms[0].pain": "2",
        "symptoms[0].timing": ["at_dawn"],
    }
    response = submit(client, world.alice, form)
    assert response.status_code == 422
    assert "symptoms[0].timing[0]" in response.text
    assert "at_dawn" in response.text
    assert "at_rest" in response.text  # what is allowed


def test_the_form_says_which_tests_are_not_suggested_for_this_client(
    client: TestClient, world: World, store: Store
) -> None:
    """After a posterior hip replacement on the left, FADIR on the left is not suggested."""
    from hiplab.services import clinic

    person = clinic.create_client(
        store=store, coach_id=world.coach_a, name="Pat", age=66, sex="female"
    )
    thr = {"side": "left", "approach": "posterior", "months_ago": 3}
    raw = {"person": {"age": 66, "sex": "female"}, "screening": {"hip_replacement": thr}}
    clinic.record_assessment(
        recorded_by="coach",
        store=store,
        person_id=person.id,
        data=clinic.parse_assessment(raw),
    )
    login(client, "a@coach.test")
    page = client.get(f"/people/{person.id}/assessments/new").text
    notes = re.findall(
        r"<legend>([^<]+)</legend>\s*<p class=\"hint\" role=\"note\">([^<]+)</p>", page
    )
    by_legend = dict(notes)
    fadir_left = next(legend for legend in by_legend if "FADIR" in legend and "left" in legend)
    assert by_legend[fadir_left].startswith("Not suggested for Pat: it needs hip")
    assert not any("FADIR" in legend and "right" in legend for legend in by_legend)
    # Alice has no such precaution: no notes at all.
    assert 'role="note"' not in client.get(f"/people/{world.alice}/assessments/new").text
