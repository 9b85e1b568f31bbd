"""A real store filled with literal assessments, a plan and session logs.

Assessments are built the way the CLI builds them: ``validate`` → ``assess`` with the
bundled library → ``Store.save_assessment``. Values are chosen against the library's
minimal detectable changes (hip internal rotation 5.4°, external rotation 8.6°,
Thomas thigh angle 5°, knee-to-wall 1.9 cm).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from hiplab.assess.parse import validate
from hiplab.library.loader import default_library
from hiplab.progress.build import plan_start_day
from hiplab.services.assessments import assess
from hiplab.store import PersonRef, Store, open_store
from tests.store.builders import make_log, make_programme

PERSON = "Alice Example"

VISITS: list[dict[str, Any]] = [
    {
        "date": "2024-01-10",
        "ir": (28.0, 38.0),
        "er": (30.0, 40.0),
        "thomas": (8.0, 2.0),
        "ktw": (7.0, 10.0),
        "pain": [5, 2],
    },
    {
        "date": "2024-02-20",
        "ir": (31.0, 38.0),  # left +3 < 5.4: no real change
        "er": (39.0, 41.0),  # left +9 > 8.6: real change
        "thomas": (4.0, 1.0),  # −4 < 5: no real change
        "ktw": (9.5, 10.2),  # left +2.5 > 1.9: real change
        "pain": [3],
    },
    {
        "date": "2024-04-02",
        "ir": (37.0, 39.0),  # left +6 > 5.4: real change
        "er": (40.0, 41.0),
        "thomas": (-2.0, -1.0),  # −6 > 5: real change
        "ktw": (10.0, 10.5),
        "pain": [],
    },
]


def visit_input(visit: dict[str, Any], *, age: int = 34) -> dict[str, Any]:
    """Return the raw input document of one visit (as a YAML file would hold it)."""
    ir, er, thomas, ktw = visit["ir"], visit["er"], visit["thomas"], visit["ktw"]
    return {
        "person": {"name": PERSON, "age": age, "sex": "female"},
        "date": visit["date"],
        "provenance": "clinician",
        "symptoms": [{"region": "front_of_hip", "side": "left", "pain": p} for p in visit["pain"]],
        "tests": {
            "hip_internal_rotation_deg": {"left": ir[0], "right": ir[1]},
            "hip_external_rotation_deg": {"left": er[0], "right": er[1]},
            "thomas": {
                "left": {"thigh_angle_deg": thomas[0], "thigh_abducts": True},
                "right": {"thigh_angle_deg": thomas[1]},
            },
            "knee_to_wall_cm": {"left": ktw[0], "right": ktw[1]},
        },
    }


def save_visits(store: Store, visits: list[dict[str, Any]] = VISITS) -> list[int]:
    """Validate, assess and save every visit; return the assessment ids."""
    ids = []
    for visit in visits:
        data = validate(visit_input(visit), source=visit["date"])
        result = assess(data, default_library())
        ids.append(
            store.assessments.save(
                person=PersonRef.named(PERSON), data=data, result=result
            ).assessment_id
        )
    return ids


def at(day: date, hour: int = 18) -> str:
    """Return an ISO time on ``day`` at ``hour`` in UTC+01:00."""
    return datetime(day.year, day.month, day.day, hour, 0).isoformat() + "+01:00"


@dataclass(frozen=True)
class Filled:
    """A filled store and what was put in it."""

    store: Store
    url: str
    assessment_ids: list[int]
    plan_id: int
    start: date


def log_sessions(store: Store, *, plan_id: int, start: date, offsets: list[int]) -> None:
    """Save one full session on each of ``start + offset`` days (discomfort falls)."""
    for n, offset in enumerate(offsets):
        day = start + timedelta(days=offset)
        store.logs.save(
            log=make_log(
                person=PERSON,
                plan_id=plan_id,
                started_at=at(day),
                finished_at=at(day, 19),
                done_s=60 if n % 4 else 45,
                discomfort=max(0, 4 - n // 2),
                week=offset // 7 + 1,
            ),
            person=PersonRef.named(PERSON),
        )


@pytest.fixture
def filled(store_url: str) -> Iterator[Filled]:
    """Three visits, a 4-week plan of 3 sessions a week, and 7 logged sessions.

    Sessions (days after the plan's first day): week 1 on days 0, 2, 4 (target met);
    week 2 on days 8, 10 (missed); week 3 on days 14, 16 (in progress at day 17).
    """
    with open_store(store_url) as store:
        ids = save_visits(store)
        plan_id = store.plans.save(
            person=PersonRef.named(PERSON),
            programme=make_programme(person=PERSON, sessions_per_week=3, weeks=4),
            assessment_id=ids[-1],
        )
        start = plan_start_day(store.plans.get(plan_id=plan_id))
        log_sessions(store, plan_id=plan_id, start=start, offsets=[0, 2, 4, 8, 10, 14, 16])
        yield Filled(store=store, url=store_url, assessment_ids=ids, plan_id=plan_id, start=start)
