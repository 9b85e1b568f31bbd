"""Demo logins: seeded once, idempotent, the coach owns the demo person, passwords work."""

from __future__ import annotations

from pathlib import Path

from hiplab.services import assessments, catalogue, storage
from hiplab.services.clinic import authenticate, create_login
from hiplab.services.demo import DEMO_CLIENT_EMAIL, DEMO_COACH_EMAIL, DEMO_PASSWORD, seed_web_demo
from hiplab.settings import Settings
from hiplab.store import PersonRef


def _settings(tmp_path: Path, store_url: str) -> Settings:
    return Settings(database_url=store_url, data_dir=tmp_path / "data")


def _stored_sample(settings: Settings) -> str:
    outcome = assessments.assess_file(path=catalogue.sample_path(), settings=settings, save=True)
    return outcome.person


def test_seed_is_idempotent_and_logins_work(tmp_path: Path, store_url: str) -> None:
    settings = _settings(tmp_path, store_url)
    person = _stored_sample(settings)
    first = seed_web_demo(settings=settings, person_name=person)
    again = seed_web_demo(settings=settings, person_name=person)
    assert first.created == (DEMO_COACH_EMAIL, DEMO_CLIENT_EMAIL)
    assert again.created == ()
    assert again.client_email == DEMO_CLIENT_EMAIL
    with storage.open_store_for(settings) as store:
        coach = authenticate(store=store, email=DEMO_COACH_EMAIL, password=DEMO_PASSWORD)
        client = authenticate(store=store, email=DEMO_CLIENT_EMAIL, password=DEMO_PASSWORD)
        assert coach is not None and coach.role == "coach"
        assert client is not None and client.role == "client"
        owned = [p.name for p in store.people.of_coach(coach_id=coach.id)]
        assert owned == [person]
        assert client.person_id == store.people.get(person=PersonRef.named(person)).id


def test_a_person_with_another_login_keeps_it(tmp_path: Path, store_url: str) -> None:
    settings = _settings(tmp_path, store_url)
    person = _stored_sample(settings)
    with storage.open_store_for(settings) as store:
        create_login(
            store=store,
            email="own@example.org",
            display_name="Own",
            role="client",
            password="another long password",
            person_name=person,
        )
    seeded = seed_web_demo(settings=settings, person_name=person)
    assert seeded.client_email is None
    assert seeded.created == (DEMO_COACH_EMAIL,)
    assert seeded.person == person
