"""Programmes in the web app: generate, preview, assign and edit, through pages and the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from hiplab.errors import InputError
from hiplab.services import clinic, plans, programmes
from hiplab.services.catalogue import sample_path
from hiplab.settings import Settings
from hiplab.store import PersonRef, Store
from tests.web.conftest import TestClient, World, csrf_of_page, login

OPTIONS = {"minutes": "15", "sessions_per_week": "3", "weeks": "4"}
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def sample_input(**screening: Any) -> dict[str, Any]:
    """The bundled sample person's tests, with extra screening answers."""
    data: dict[str, Any] = yaml.safe_load(sample_path().read_text(encoding="utf-8"))
    data["person"].pop("name")
    data["screening"].update(screening)
    return data


def new_client(store: Store, world: World, name: str, raw: dict[str, Any] | None) -> int:
    """Create a client of coach A, with an assessment of ``raw`` unless None."""
    person = clinic.create_client(
        store=store, coach_id=world.coach_a, name=name, age=34, sex="female"
    )
    if raw is not None:
        clinic.record_assessment(
            recorded_by="coach",
            store=store,
            person_id=person.id,
            data=clinic.parse_assessment(raw),
        )
    return person.id


def default_request() -> Any:
    return programmes.plan_request(
        minutes=15, sessions_per_week=3, weeks=4, equipment=None, avoid_positions=None
    )


@pytest.fixture
def coach(client: TestClient, world: World) -> str:
    """Coach A logged in on ``client``; returns the CSRF token."""
    return login(client, "a@coach.test")


def hidden_fields(html: str, form_testid: str) -> dict[str, list[str]]:
    """The hidden inputs of a form, as the browser would post them."""
    form = html.split(f'data-testid="{form_testid}"', 1)[1].split("</form>", 1)[0]
    fields: dict[str, list[str]] = {}
    for name, value in HIDDEN.findall(form):
        fields.setdefault(name, []).append(value)
    return fields


# ------------------------------------------------------------- generate/assign
def test_coach_previews_then_assigns_what_hiplab_plan_makes(
    client: TestClient, coach: str, world: World, store: Store, settings: Settings
) -> None:
    page = client.get(f"/people/{world.alice}/plans")
    assert page.status_code == 200
    assert 'data-testid="generate-form"' in page.text
    assert 'data-testid="no-plan"' in page.text
    token = csrf_of_page(page.text)

    preview = client.post(
        f"/people/{world.alice}/plans/preview",
        data={"csrf_token": token, **OPTIONS, "equipment": ["mini_band"]},
    )
    assert preview.status_code == 200
    assert "Assign this programme" in preview.text
    assert 'data-testid="plan-week-4"' in preview.text
    assert "<svg" in preview.text  # the exercises' pictures
    assert store.plans.of_person(person=PersonRef.named("Alice")) == []  # a preview stores nothing

    fields = hidden_fields(preview.text, "assign-form")
    assert fields["assessment_id"] == [str(world.alice_assessment)]
    assert fields["equipment"] == ["mini_band"]
    assigned = client.post(f"/people/{world.alice}/plans", data=fields, follow_redirects=False)
    assert assigned.status_code == 303
    plan_id = int(assigned.headers["location"].split("/")[2].split("?")[0])

    stored = store.plans.get(plan_id=plan_id)
    cli = plans.make_plan(
        source=str(world.alice_assessment),
        settings=settings,
        request=plans.check_request(
            minutes=15, sessions_per_week=3, weeks=4, equipment="mini_band", avoid_positions=None
        ),
        save=False,
    )
    assert stored.programme == cli.programme
    assert stored.assessment_id == world.alice_assessment

    shown = client.get(assigned.headers["location"])
    assert shown.status_code == 200
    assert "Assigned to Alice." in shown.text
    first = stored.programme.weeks[0].session.items[0]
    assert first.name in shown.text
    assert f"/plans/{plan_id}/edit?week=1&amp;item=1" in shown.text
    listing = client.get(f"/people/{world.alice}/plans").text
    assert f'<a href="/plans/{plan_id}">Plan {plan_id}</a>' in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"minutes": "500"}, "--minutes is 500; allowed: 5 to 120"),
        ({"minutes": "abc"}, "--minutes &#39;abc&#39; is not a whole number; allowed: 5 to 120"),
        ({"weeks": "0"}, "--weeks is 0; allowed: 1 to 52"),
        ({"sessions_per_week": "15"}, "--sessions-per-week is 15; allowed: 1 to 14"),
    ],
)
def test_bad_options_get_the_cli_message_and_keep_the_form(
    client: TestClient,
    coach: str,
    world: World,
    store: Store,
    changes: dict[str, str],
    message: str,
) -> None:
    token = csrf_of_page(client.get(f"/people/{world.alice}/plans").text)
    response = client.post(
        f"/people/{world.alice}/plans/preview", data={"csrf_token": token, **OPTIONS, **changes}
    )
    assert response.status_code == 422
    assert message in response.text
    name, value = next(iter(changes.items()))
    assert f'name="{name}" type="number"' in response.text
    assert f'value="{value}"' in response.text
    assert store.plans.of_person(person=PersonRef.named("Alice")) == []


def test_unknown_equipment_gets_the_cli_message(
    client: TestClient, coach: str, world: World
) -> None:
    with pytest.raises(InputError) as cli:
        plans.check_request(
            minutes=15, sessions_per_week=3, weeks=4, equipment="rocket", avoid_positions=None
        )
    response = client.post(
        f"/api/v1/people/{world.alice}/plans/preview",
        json={"equipment": ["rocket"]},
        headers={"X-CSRF-Token": coach},
    )
    assert response.status_code == 422
    assert response.json() == {"detail": str(cli.value)}
    assert response.json()["detail"].startswith("--equipment: ")


def test_red_flags_refuse_a_programme_with_the_reason(
    client: TestClient, coach: str, world: World, store: Store
) -> None:
    rex = new_client(store, world, "Rex", sample_input(fever=True))
    token = csrf_of_page(client.get(f"/people/{rex}/plans").text)

    page = client.post(f"/people/{rex}/plans/preview", data={"csrf_token": token, **OPTIONS})
    api = client.post(f"/api/v1/people/{rex}/plans", json={}, headers={"X-CSRF-Token": coach})

    assert page.status_code == api.status_code == 422
    reason = api.json()["detail"]
    assert reason.startswith("See a clinician before starting. A fever")
    assert "the same day" in reason
    assert "A fever or feeling unwell together with hip or back pain" in page.text
    assert "Assign this programme" not in page.text
    assert store.plans.of_person(person=PersonRef.named("Rex")) == []


def test_no_assessment_no_programme(
    client: TestClient, coach: str, world: World, store: Store
) -> None:
    nova = new_client(store, world, "Nova", None)
    response = client.post(f"/api/v1/people/{nova}/plans", json={}, headers={"X-CSRF-Token": coach})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Nova has no assessment yet: record one before making a programme"
    }


def test_api_preview_assign_list_and_get(
    client: TestClient, coach: str, world: World, store: Store
) -> None:
    headers = {"X-CSRF-Token": coach}
    preview = client.post(
        f"/api/v1/people/{world.alice}/plans/preview", json={"weeks": 2}, headers=headers
    )
    assert preview.status_code == 200
    assert len(preview.json()["programme"]["weeks"]) == 2
    assert store.plans.of_person(person=PersonRef.named("Alice")) == []

    created = client.post(f"/api/v1/people/{world.alice}/plans", json={"weeks": 2}, headers=headers)
    assert created.status_code == 201
    body = created.json()
    assert body["programme"] == preview.json()["programme"]
    assert (body["person_id"], body["assessment_id"]) == (world.alice, world.alice_assessment)

    listed = client.get(f"/api/v1/people/{world.alice}/plans").json()
    assert [p["id"] for p in listed] == [body["id"]]
    assert client.get(f"/api/v1/plans/{body['id']}").json() == body


def test_an_assessment_of_someone_else_is_not_found(
    client: TestClient, coach: str, world: World, store: Store
) -> None:
    other = new_client(store, world, "Olga", sample_input())
    response = client.post(
        f"/api/v1/people/{other}/plans",
        json={"assessment_id": world.alice_assessment},
        headers={"X-CSRF-Token": coach},
    )
    assert response.status_code == 404
    assert store.plans.of_person(person=PersonRef.named("Olga")) == []


# ------------------------------------------------------------------- editing
@pytest.fixture
def alice_plan(store: Store, world: World) -> int:
    return programmes.assign(store=store, person_id=world.alice, request=default_request()).id


def test_swap_and_dose_through_the_pages(
    client: TestClient, coach: str, world: World, store: Store, alice_plan: int
) -> None:
    before = store.plans.get(plan_id=alice_plan).programme
    items = before.weeks[0].session.items
    number = next(n for n, i in enumerate(items, start=1) if i.exercise_id.startswith("side_lying"))
    edit = client.get(f"/plans/{alice_plan}/edit?week=1&item={number}")
    assert edit.status_code == 200
    assert 'id="swap-side_lying_abduction"' in edit.text
    token = csrf_of_page(edit.text)

    swapped = client.post(
        f"/plans/{alice_plan}/swap",
        data={
            "csrf_token": token,
            "week": "1",
            "item": str(number),
            "exercise_id": "side_lying_abduction",
            "scope": "following",
        },
        follow_redirects=False,
    )
    assert swapped.status_code == 303
    assert swapped.headers["location"] == f"/plans/{alice_plan}?changed=1-{number}#week-1"
    after = store.plans.get(plan_id=alice_plan)
    assert after.id == alice_plan
    for week in after.programme.weeks:
        ids = {i.exercise_id for i in week.session.items}
        assert "side_lying_abduction" in ids
        assert "side_lying_abduction_knee_bent" not in ids
    page = client.get(swapped.headers["location"]).text
    assert "Saved the change to week 1" in page

    bad = client.post(
        f"/plans/{alice_plan}/dose",
        data={"csrf_token": token, "week": "1", "item": str(number), "reps": "99"},
    )
    assert bad.status_code == 422
    assert "reps 99 is outside the allowed range 1 to 50" in bad.text
    assert store.plans.get(plan_id=alice_plan) == after

    good = client.post(
        f"/plans/{alice_plan}/dose",
        data={"csrf_token": token, "week": "2", "item": str(number), "reps": "15", "sets": ""},
        follow_redirects=False,
    )
    assert good.status_code == 303
    week2 = store.plans.get(plan_id=alice_plan).programme.weeks[1].session
    assert week2.items[number - 1].reps == 15
    assert week2.duration_s == sum(i.duration_s for i in week2.items)
    assert week2.duration_s > after.programme.weeks[1].session.duration_s


def test_form_input_that_is_not_a_number_is_named(
    client: TestClient, coach: str, world: World, alice_plan: int
) -> None:
    token = csrf_of_page(client.get(f"/plans/{alice_plan}/edit").text)
    response = client.post(
        f"/plans/{alice_plan}/dose",
        data={"csrf_token": token, "week": "1", "item": "1", "sets": "two"},
    )
    assert response.status_code == 422
    assert "sets &#39;two&#39; is not a whole number; allowed: 1 to 10" in response.text
    unchosen = client.post(
        f"/plans/{alice_plan}/swap", data={"csrf_token": token, "week": "1", "item": "1"}
    )
    assert unchosen.status_code == 422
    assert "exercise_id is empty; choose the exercise to swap to" in unchosen.text


def test_a_forbidden_swap_is_refused_with_the_precaution(
    client: TestClient, coach: str, world: World, store: Store
) -> None:
    """A posterior hip replacement: no exercise that takes the hip past 90° of flexion."""
    tess = new_client(
        store,
        world,
        "Tess",
        sample_input(hip_replacement={"side": "left", "approach": "posterior", "months_ago": 6}),
    )
    plan = programmes.assign(store=store, person_id=tess, request=default_request())
    before = store.plans.get(plan_id=plan.id)
    refused = []
    for number in range(1, len(plan.programme.weeks[0].session.items) + 1):
        choices = client.get(f"/api/v1/plans/{plan.id}/choices?week=1&item={number}").json()
        refused += [(number, c) for c in choices["choices"] if not c["allowed"]]
    assert refused, "the plan should have an item with a deep-flexion variant"
    number, choice = refused[0]
    assert any("needs hip flexion of" in reason for reason in choice["refused"])

    api = client.post(
        f"/api/v1/plans/{plan.id}/swap",
        json={"week": 1, "item": number, "exercise_id": choice["exercise_id"]},
        headers={"X-CSRF-Token": coach},
    )
    assert api.status_code == 422
    detail = api.json()["detail"]
    assert detail.startswith(choice["name"])
    assert "would break this person's precautions: it needs hip flexion of" in detail
    assert "posterior hip replacement on the left" in detail

    edit = client.get(f"/plans/{plan.id}/edit?week=1&item={number}")
    assert "Not allowed for this person: it needs hip flexion of" in edit.text
    page = client.post(
        f"/plans/{plan.id}/swap",
        data={
            "csrf_token": csrf_of_page(edit.text),
            "week": "1",
            "item": str(number),
            "exercise_id": choice["exercise_id"],
        },
    )
    assert page.status_code == 422
    assert "posterior hip replacement on the left" in page.text
    assert store.plans.get(plan_id=plan.id) == before


def test_edits_after_a_red_flag_assessment_are_refused(
    client: TestClient, coach: str, world: World, store: Store, alice_plan: int
) -> None:
    clinic.record_assessment(
        recorded_by="coach",
        store=store,
        person_id=world.alice,
        data=clinic.parse_assessment({**sample_input(fever=True), "date": "2030-01-01"}),
    )
    response = client.patch(
        f"/api/v1/plans/{alice_plan}/dose",
        json={"week": 1, "item": 1, "sets": 2},
        headers={"X-CSRF-Token": coach},
    )
    assert response.status_code == 422
    assert (
        "has red flags; see a clinician before changing the programme"
        in (response.json()["detail"])
    )


def test_the_client_reads_the_plan_but_cannot_edit(
    app: Any, world: World, store: Store, alice_plan: int
) -> None:
    alice = TestClient(app)
    csrf = login(alice, "alice@client.test")
    page = alice.get(f"/plans/{alice_plan}")
    assert page.status_code == 200
    assert "/edit?week=" not in page.text
    assert '<a class="button" href="/me/session">Start today\'s session</a>' in page.text
    response = alice.patch(
        f"/api/v1/plans/{alice_plan}/dose",
        json={"week": 1, "item": 1, "sets": 2},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 404
    assert alice.get(f"/api/v1/plans/{alice_plan}").status_code == 200


def test_handouts(client: TestClient, coach: str, alice_plan: int) -> None:
    html = client.get(f"/plans/{alice_plan}/handout.html")
    pdf = client.get(f"/plans/{alice_plan}/handout.pdf")
    ics = client.get(f"/plans/{alice_plan}/handout.ics")
    assert html.status_code == pdf.status_code == ics.status_code == 200
    assert html.text.lstrip().lower().startswith("<!doctype html")
    assert pdf.content.startswith(b"%PDF")
    assert ics.text.startswith("BEGIN:VCALENDAR")
    assert ics.headers["content-disposition"] == f'attachment; filename="plan-{alice_plan}.ics"'
