"""Store fixtures: a fresh store per test, on SQLite and (when available) PostgreSQL.

PostgreSQL runs only when ``HIPLAB_TEST_PG_URL`` points at a server (any database on
it, e.g. ``postgresql+psycopg://hiplab@127.0.0.1:5433/postgres``); each test then gets
its own new database, dropped afterwards. ``scripts/pg_test_server.sh start`` prints
the line to export. With ``HIPLAB_REQUIRE_PG`` set (CI), a missing URL fails instead
of skipping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from hiplab.records.assessment import Assessment, Finding, JointLimit, TestValue
from hiplab.records.intake import AssessmentInput, Person, Rotation, Sex, Tests
from hiplab.store import Store, open_store

MakeInput = Callable[..., AssessmentInput]
MakeResult = Callable[..., Assessment]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    opened = open_store(sqlite_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def make_input() -> MakeInput:
    """Build a literal input: a person, hip internal rotation per side, a date."""

    def build(
        *,
        age: int = 34,
        sex: Sex = Sex.female,
        date: str | None = "2024-03-01",
        provenance: str = "clinician",
        left: float = 28.0,
        right: float = 40.0,
    ) -> AssessmentInput:
        return AssessmentInput(
            person=Person(name="ignored by the store", age=age, sex=sex),
            tests=Tests(hip_internal_rotation_deg=Rotation(left=left, right=right)),
            provenance=provenance,  # type: ignore[arg-type]
            date=date,
        )

    return build


@pytest.fixture
def make_result() -> MakeResult:
    """Build a literal result: two test values, optionally a finding and a precaution."""

    def build(
        *, left: float = 28.0, right: float = 40.0, refer: bool = False, finding: bool = True
    ) -> Assessment:
        findings = (
            Finding(
                id="hip_internal_rotation_low",
                side="left",
                severity="mild",
                value=left,
                norm=None,
                unit="deg",
                test="hip_internal_rotation_deg",
                summary="Left hip internal rotation is below its norm.",
            ),
        )
        precaution = JointLimit(
            joint="hip", side="left", motion="flexion", max_deg=90.0, reason="literal test"
        )
        return Assessment(
            refer=refer,
            red_flags=(),
            precautions=(precaution,) if finding else (),
            findings=findings if finding else (),
            chains=(),
            recommendations=(),
            missing_tests=(),
            values=(
                TestValue(test="hip_internal_rotation_deg", side="left", value=left, unit="deg"),
                TestValue(test="hip_internal_rotation_deg", side="right", value=right, unit="deg"),
            ),
            notes=(),
            disclaimer="Not medical advice.",
        )

    return build
