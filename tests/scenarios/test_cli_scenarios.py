"""The real ``hiplab`` command on a few personas, and impossible input.

``hiplab assess FILE -f json`` and ``hiplab plan FILE -f json`` run in a subprocess; their
JSON is held to the same expectations as the service's results. A persona with an
impossible value exits 2 with one message naming the field, the value and what is
allowed, and no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hiplab.records.assessment import Assessment
from hiplab.records.programme import Programme
from tests.scenarios.checks import (
    BadInput,
    load_bad_inputs,
    programme_problems,
    referral_problems,
    suggested_test_problems,
)
from tests.scenarios.conftest import LIBRARY, PERSONAS, request_of

CLI_PERSONAS = [
    "desk_worker_central_case",
    "tha_posterior_left_2_months",
    "pregnant_week_34",
    "scfe_12_knee_pain_only",
]
BAD_INPUTS = load_bad_inputs()
BY_ID = {p.id: p for p in PERSONAS}


def hiplab(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HIPLAB_DATA_DIR": str(tmp_path / "data"),
        "HIPLAB_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "COLUMNS": "400",
        "NO_COLOR": "1",
    }
    env.pop("HIPLAB_SETTINGS", None)
    return subprocess.run(
        [sys.executable, "-m", "hiplab", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def write_input(tmp_path: Path, name: str, data: dict[str, object]) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("persona_id", CLI_PERSONAS)
def test_cli_assess_and_plan_meet_the_expectations(tmp_path: Path, persona_id: str) -> None:
    persona = BY_ID[persona_id]
    path = write_input(tmp_path, persona.id, persona.input)

    assessed = hiplab(tmp_path, "assess", str(path), "-f", "json")
    assert assessed.returncode == 0, assessed.stderr
    result = Assessment.model_validate_json(assessed.stdout)
    problems = referral_problems(persona, result)
    problems += suggested_test_problems(persona, result, LIBRARY)

    request = request_of(persona)
    planned = hiplab(
        tmp_path, "plan", str(path), "-f", "json", "--minutes", str(request.minutes),
        "--weeks", str(request.weeks),
    )  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    programme = Programme.model_validate_json(planned.stdout)
    problems += programme_problems(persona, programme, LIBRARY)
    assert not problems, f"{persona.id} through the CLI:\n" + "\n".join(problems)


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[b.id for b in BAD_INPUTS])
@pytest.mark.parametrize("command", ["assess", "plan"])
def test_impossible_input_exits_2_naming_field_value_and_allowed(
    tmp_path: Path, bad: BadInput, command: str
) -> None:
    path = write_input(tmp_path, bad.id, bad.input)
    done = hiplab(tmp_path, command, str(path), "-f", "json")
    message = " ".join(done.stderr.split())
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    missing = [w for w in bad.message if w not in message]
    assert not missing, f"the message does not name {missing}: {message}"
