"""The web CSV export cannot carry a spreadsheet formula (issue 11 §5).

A coach can name a client anything; a name starting with ``=``, ``+``, ``-`` or ``@``
reaches the export through the real route quoted, and measured values stay numbers.
"""

from __future__ import annotations

import csv
import io

import pytest
from fastapi import FastAPI

from hiplab.services import clinic
from hiplab.store import Store
from tests.web.conftest import PASSWORD, World, login, new_client

THOMAS = {
    "person": {"age": 34, "sex": "female"},
    "provenance": "clinician",
    "date": "2025-02-01",
    "tests": {
        "thomas": {
            "left": {"thigh_angle_deg": -5.2, "knee_flexion_deg": 85, "thigh_abducts": False},
            "right": {"thigh_angle_deg": 9, "knee_flexion_deg": 68, "thigh_abducts": True},
        }
    },
}


NAMES = [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("+1+2", "'+1+2"),
    ("-1+2", "'-1+2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("Al\r=1", "Al\r=1"),  # one cell: the "=1" never starts a row of its own
]


@pytest.mark.parametrize(("name", "shown"), NAMES)
def test_a_formula_in_a_name_is_quoted_and_numbers_stay_numbers(
    app: FastAPI, store: Store, world: World, name: str, shown: str
) -> None:
    person = clinic.create_client(
        store=store, coach_id=world.coach_a, name=name, age=34, sex="female"
    )
    data = clinic.parse_assessment(THOMAS)
    clinic.record_assessment(recorded_by="coach", store=store, person_id=person.id, data=data)
    coach = new_client(app)
    login(coach, "a@coach.test", PASSWORD)
    response = coach.get(f"/api/v1/people/{person.id}/export?format=csv")
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert {row["person"] for row in rows} == {shown}
    left = [r for r in rows if r["test"] == "thomas_thigh_angle" and r["side"] == "left"]
    assert [r["value"] for r in left] == ["-5.2"]
