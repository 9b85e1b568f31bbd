"""Scenario fixtures: one store per database for the whole scenario run, each persona planned once.

``scenario_store`` is a SQLite file or a new database on the throw-away PostgreSQL server
(``HIPLAB_TEST_PG_URL``; with ``HIPLAB_REQUIRE_PG`` set a missing server fails), kept for
the session so every persona is assessed, stored and planned once per store and its
results are reused by the assess, plan and edit checks (``scenario_runs``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hiplab.assess.parse import validate
from hiplab.errors import InputError
from hiplab.library import default_library
from hiplab.library.loader import Library
from hiplab.plan.generate import PlanRequest, make_programme
from hiplab.records.assessment import Assessment
from hiplab.records.programme import Programme
from hiplab.services import programmes
from hiplab.services.assessments import assess
from hiplab.store import PersonRef, Store, open_store
from tests.conftest import fresh_pg_database, pg_server
from tests.scenarios.checks import Persona, load_personas

LIBRARY = default_library()
PERSONAS = load_personas(LIBRARY)
PERSONA_IDS = [p.id for p in PERSONAS]
PLANNED = [p for p in PERSONAS if not p.refers]
REFERRALS = [p for p in PERSONAS if p.refers]


def request_of(persona: Persona) -> PlanRequest:
    """Return the persona's planning options, checked as the CLI and the web check them."""
    options = {"minutes": 15, "sessions_per_week": 3, "weeks": 4, **persona.request}
    return programmes.plan_request(
        minutes=options["minutes"],
        sessions_per_week=options["sessions_per_week"],
        weeks=options["weeks"],
        equipment=options.get("equipment"),
        avoid_positions=options.get("avoid_positions"),
    )


@dataclass(frozen=True)
class Run:
    """A persona assessed, stored and planned on one store."""

    persona: Persona
    person_id: int
    assessment_id: int
    result: Assessment
    """The assessment as the store gives it back."""
    programme: Programme
    """The programme as the store gives it back (assigned), or the referral generated."""
    plan_id: int | None
    """The assigned plan (None for a referral, which is never assigned)."""
    assign_refusal: str | None
    """The message assigning a referral was refused with (None when assigned)."""
    direct: Programme
    """The programme made in process from the same input, without any store."""


class Runs:
    """Each persona's run on one store, made on first use and kept."""

    def __init__(self, store: Store, library: Library) -> None:
        self.store = store
        self.library = library
        self._runs: dict[str, Run] = {}

    def __call__(self, persona: Persona) -> Run:
        if persona.id not in self._runs:
            self._runs[persona.id] = self._run(persona)
        return self._runs[persona.id]

    def _run(self, persona: Persona) -> Run:
        data = validate(persona.input, source=persona.id)
        result = assess(data, self.library)
        store = self.store
        assessment_id = store.assessments.save(
            person=PersonRef.named(persona.id), data=data, result=result
        ).assessment_id
        person_id = store.people.get(person=PersonRef.named(persona.id)).id
        request = request_of(persona)
        plan_id: int | None = None
        refusal: str | None = None
        try:
            plan = programmes.assign(
                store=store, person_id=person_id, request=request, assessment_id=assessment_id
            )
            plan_id, programme = plan.id, plan.programme
        except InputError as exc:
            refusal = str(exc)
            programme = programmes.generate(
                store=store, person_id=person_id, request=request, assessment_id=assessment_id
            ).programme
        direct = make_programme(
            assessment=result,
            person=data.person,
            library=self.library,
            request=request,
            label=persona.id,
            start_date=programme.start_date,
        )
        return Run(
            persona=persona,
            person_id=person_id,
            assessment_id=assessment_id,
            result=store.assessments.get(assessment_id=assessment_id).result,
            programme=programme,
            plan_id=plan_id,
            assign_refusal=refusal,
            direct=direct,
        )


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def scenario_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """A store for the whole scenario run: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        folder: Path = tmp_path_factory.mktemp("scenarios")
        store = open_store(f"sqlite:///{folder / 'hiplab.sqlite'}")
        try:
            yield store
        finally:
            store.close()
        return
    with fresh_pg_database(pg_server()) as url:
        store = open_store(url)
        try:
            yield store
        finally:
            store.close()


@pytest.fixture(scope="session")
def scenario_runs(scenario_store: Store) -> Runs:
    """Each persona assessed, stored and planned once on this store."""
    return Runs(scenario_store, LIBRARY)


@pytest.fixture(params=PERSONAS, ids=PERSONA_IDS)
def persona(request: pytest.FixtureRequest) -> Persona:
    """Each persona of personas.yaml, the test id naming it."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def run(scenario_runs: Runs, persona: Persona) -> Run:
    """The persona's run on the store under test (made once per store, then reused)."""
    return scenario_runs(persona)


@pytest.fixture(params=PLANNED, ids=[p.id for p in PLANNED])
def planned_run(scenario_runs: Runs, request: pytest.FixtureRequest) -> Run:
    """The run of each persona that gets a programme (no referral expected)."""
    return scenario_runs(request.param)


@pytest.fixture(params=REFERRALS, ids=[p.id for p in REFERRALS])
def referral_run(scenario_runs: Runs, request: pytest.FixtureRequest) -> Run:
    """The run of each persona that must be referred."""
    return scenario_runs(request.param)
