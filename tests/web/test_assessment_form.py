"""The assessment form: generated from the schema, saved through the same validation as the CLI."""

from __future__ import annotations

from hiplab.assess.parse import validate
from hiplab.errors import InputError
from hiplab.store import Store
from hiplab.web.assessment_form import form_groups, form_to_input
from tests.web.conftest import TestClient, World, csrf_of_page, login


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
    login(client, "a@coach.test")
    token = csrf_of_page(client.get(f"/people/{world.alice}/assessments/new").text)
    form = {
        "csrf_token": token,
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
    response = client.post(f"/people/{world.alice}/assessments", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/people/{world.alice}"
    stored = store.latest_assessment(person_name="Alice")
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
    assert store.latest_assessment(person_name="Alice").data.tests.deep_squat_fms == 2
    broken = client.post(
        f"/people/{world.alice}/assessments",
        data={"csrf_token": token, "document": "person: [unclosed\n"},
    )
    assert broken.status_code == 422
    assert "input: not valid YAML at line" in broken.text
