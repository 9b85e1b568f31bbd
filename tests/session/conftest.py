"""A store holding one person with a small literal plan, for the session CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hiplab.records.programme import Programme, Session
from hiplab.store import PersonRef
from tests.store.builders import plan_item, weekly_programme

PERSON = "Sam Session"

# Short doses, timed like the planner (10 s set-up, 5 s side switch, 3 s per activation rep),
# so that a whole session takes 135 s of session time (under 7 s at --time-scale 20):
# bridge 10 + 10 + 5 + 10 = 35 s; hip flexor 10 + 20 + 5 + 20 = 55 s;
# clamshell 10 + 15 + 5 + 15 = 45 s.
SHORT_ITEMS = (
    plan_item("isometric_glute_bridge", side=None, sets=2, hold_s=10, rest_s=5, duration_s=35),
    plan_item(
        "half_kneeling_hip_flexor_stretch", side="both", sets=1, hold_s=20, rest_s=10, duration_s=55
    ),
    plan_item("clamshell", side="both", sets=1, reps=5, rest_s=30, duration_s=45),
)


def programme(*, refer: bool = False, weeks: int = 2) -> Programme:
    """Return a literal programme: the same short session every week (or a referral)."""
    return weekly_programme(
        Session(duration_s=135, items=() if refer else SHORT_ITEMS),
        person=PERSON,
        weeks=0 if refer else weeks,
        sessions_per_week=2,
        minutes=5,
        retest_week=None,
        candidates=0,
        refer=refer,
        reason="night pain: see a doctor before exercising" if refer else "",
    )


def seed(url: str, *, refer: bool = False) -> int:
    """Store ``PERSON`` (from the bundled sample assessment) and a plan; return the plan id."""
    from hiplab.assess.parse import load_assessment_file
    from hiplab.services import catalogue
    from hiplab.services.assessments import assess
    from hiplab.store import open_store

    data = load_assessment_file(catalogue.sample_path())
    result = assess(data, catalogue.library())
    with open_store(url) as store:
        assessment_id = store.assessments.save(
            person=PersonRef.named(PERSON), data=data, result=result
        ).assessment_id
        return store.plans.save(
            person=PersonRef.named(PERSON),
            programme=programme(refer=refer),
            assessment_id=assessment_id,
        )


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli_env(tmp_path: Path, store_url: str) -> dict[str, str]:
    """Environment for a ``hiplab`` child process using the test's store."""
    env = {
        **os.environ,
        "HIPLAB_DATA_DIR": str(tmp_path / "data"),
        "HIPLAB_DATABASE_URL": store_url,
        "COLUMNS": "120",
        "NO_COLOR": "1",
    }
    env.pop("HIPLAB_SETTINGS", None)
    return env


@pytest.fixture
def hiplab(tmp_path: Path, cli_env: dict[str, str]) -> Run:
    """Return a runner for ``hiplab ARGS`` (standard input is a pipe, not a TTY)."""

    def run(*args: str, input: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hiplab", *args],
            capture_output=True,
            text=True,
            env=cli_env,
            cwd=tmp_path,
            input=input,
            timeout=120,
            check=False,
        )

    return run
