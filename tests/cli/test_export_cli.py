"""``hiplab export PERSON -f fhir``: the web's FHIR bundle from the command line.

The real command runs in a subprocess against a fresh store (SQLite and PostgreSQL);
the bundle is checked with the ``fhir.resources`` models and against the one the web
app serves for the same person.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from hiplab.report.fhir import TESTS_SYSTEM
from hiplab.services import clinic
from hiplab.settings import Settings
from hiplab.store import PersonRef, open_store
from hiplab.web.app import create_app
from tests.cli.conftest import Run
from tests.cli.test_assess_cli import sample_json
from tests.web.conftest import PASSWORD, TestClient, login

PERSON = "Sam Sample"


def _saved(hiplab: Run, tmp_path: Path) -> None:
    saved = hiplab("assess", str(sample_json(tmp_path)), "--save", "--format", "json")
    assert saved.returncode == 0, saved.stderr


def _observations(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
    ]


def test_fhir_export_is_a_valid_bundle_of_the_persons_observations(
    hiplab: Run, tmp_path: Path
) -> None:
    _saved(hiplab, tmp_path)
    result = hiplab("export", PERSON, "-f", "fhir")
    assert result.returncode == 0, result.stderr
    bundle = json.loads(result.stdout)
    Bundle.model_validate(bundle)  # raises if FHIR refuses it
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    [patient] = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert patient["resource"]["name"] == [{"text": PERSON}]
    observations = _observations(bundle)
    assert {o["subject"]["reference"] for o in observations} == {patient["fullUrl"]}
    # One observation per value the CSV export lists, named by the same test ids.
    rows = list(csv.DictReader(io.StringIO(hiplab("export", PERSON, "-f", "csv").stdout)))
    assert len(observations) == len(rows) > 0
    codes = {
        c["code"] for o in observations for c in o["code"]["coding"] if c["system"] == TESTS_SYSTEM
    }
    assert codes == {row["test"] for row in rows}
    assert "thomas_thigh_angle" in codes


def test_fhir_export_writes_the_file_given(hiplab: Run, tmp_path: Path) -> None:
    _saved(hiplab, tmp_path)
    target = tmp_path / "out" / "sam.fhir.json"
    result = hiplab("export", PERSON, "--format", "fhir", "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    Bundle.model_validate_json(target.read_text(encoding="utf-8"))


def test_bad_format_and_unknown_person_exit_2(hiplab: Run, tmp_path: Path) -> None:
    bad = hiplab("export", PERSON, "-f", "hl7")
    assert bad.returncode == 2
    message = " ".join(bad.stderr.split())  # the error box wraps lines
    assert "'hl7' is not one of 'json', 'csv', 'fhir'" in message
    assert "Traceback" not in bad.stderr
    _saved(hiplab, tmp_path)
    unknown = hiplab("export", "Sam Sampel", "-f", "fhir")
    assert unknown.returncode == 2
    assert "no person named 'Sam Sampel'; did you mean 'Sam Sample'?" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_the_cli_bundle_is_the_one_the_web_serves(
    hiplab: Run, tmp_path: Path, store_url: str
) -> None:
    _saved(hiplab, tmp_path)
    cli = json.loads(hiplab("export", PERSON, "-f", "fhir").stdout)
    with open_store(store_url) as store:
        coach = clinic.create_login(
            store=store, email="c@coach.test", display_name="C", role="coach", password=PASSWORD
        )
        person = store.people.get(person=PersonRef.named(PERSON))
        store.people.assign_coach(person=PersonRef.by_id(person.id), coach_id=coach.id)
    settings = Settings(database_url=store_url, data_dir=tmp_path / "web")
    with TestClient(create_app(settings, run_jobs=False)) as browser:
        login(browser, "c@coach.test")
        served = browser.get(f"/api/v1/people/{person.id}/export.fhir.json")
    assert served.status_code == 200
    web = served.json()
    assert cli.pop("timestamp") and web.pop("timestamp")  # when each was assembled
    assert cli == web
