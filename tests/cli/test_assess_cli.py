import json
from pathlib import Path

import pytest

from hiplab.services.catalogue import sample_path
from tests.conftest import NO_STORE

from .conftest import Run


def sample_json(tmp_path: Path, **changes: object) -> Path:
    import yaml

    data = yaml.safe_load(sample_path().read_text())
    data.update(changes)
    path = tmp_path / "person.json"
    path.write_text(json.dumps(data))
    return path


@NO_STORE
def test_assess_json_has_the_documented_keys(hiplab: Run, tmp_path: Path) -> None:
    result = hiplab("assess", str(sample_json(tmp_path)), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"refer", "red_flags", "precautions", "findings", "chains", "missing_tests"} <= set(
        report
    )
    assert report["refer"] is False
    finding_ids = {f["id"] for f in report["findings"]}
    assert {
        "hip_flexors_tight",
        "rectus_femoris_tight",
        "hip_internal_rotation_limited",
        "ankle_dorsiflexion_limited",
        "glute_endurance_low",
        "asymmetry",
    } <= finding_ids
    for f in report["findings"]:
        assert set(f) >= {"id", "side", "severity", "value", "norm", "unit", "test"}
    chain = next(c for c in report["chains"] if c["id"] == "hip_flexors->glute_inhibition")
    assert chain["evidence"] == "contested" and "hip_flexors_tight" in chain["because"]


def test_assess_save_then_people_history_export(hiplab: Run, tmp_path: Path) -> None:
    path = sample_json(tmp_path)
    saved = hiplab("assess", str(path), "--save", "--format", "json")
    assert saved.returncode == 0, saved.stderr
    assert "saved assessment" in saved.stderr
    people = json.loads(hiplab("people", "--format", "json").stdout)
    assert [p["name"] for p in people] == ["Sam Sample"]
    history = json.loads(hiplab("history", "Sam Sample", "--format", "json").stdout)
    assert len(history) == 1 and "hip_flexors_tight" in history[0]["finding_ids"]
    csv_out = hiplab("export", "Sam Sample", "--format", "csv")
    assert csv_out.returncode == 0
    assert csv_out.stdout.splitlines()[0].startswith("person,taken_on,assessment_id,test,side")
    assert any(",knee_to_wall,right,8.0," in line for line in csv_out.stdout.splitlines())


def test_no_save_stores_nothing(hiplab: Run, tmp_path: Path) -> None:
    assert (
        hiplab("assess", str(sample_json(tmp_path)), "--format", "json", "--no-save").returncode
        == 0
    )
    assert json.loads(hiplab("people", "--format", "json").stdout) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"person": {"age": 30, "sex": "female"}, '
            '"tests": {"hip_internal_rotation_deg": {"left": 400}}}',
            "tests.hip_internal_rotation_deg.left",
        ),
        ('{"person": {"age": 30, "sex": "female"}, "tets": {}}', "did you mean 'tests'"),
        ('{"person": {"age": 200, "sex": "female"}}', "person.age"),
        (
            '{"person": {"age": 30, "sex": "female"}, "tests": {"knee_to_wall_cm": {"left": -2}}}',
            "-2",
        ),
        ('{"person": {"age": 30, "sex": "fem', "not valid JSON"),
        ("", "empty"),
    ],
)
def test_bad_input_exits_2_with_one_message_and_stores_nothing(
    hiplab: Run, tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = hiplab("assess", str(path), "--save", "--person", "Bad Input")
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert json.loads(hiplab("people", "--format", "json").stdout) == []


@NO_STORE
def test_binary_file_is_refused(hiplab: Run, tmp_path: Path) -> None:
    path = tmp_path / "photo.yaml"
    path.write_bytes(bytes(range(256)))
    result = hiplab("assess", str(path))
    assert result.returncode == 2 and "binary" in result.stderr


def test_missing_file_and_unknown_person(hiplab: Run, tmp_path: Path) -> None:
    missing = hiplab("assess", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    hiplab("assess", str(sample_json(tmp_path)), "--save")
    unknown = hiplab("history", "Sam Sampel")
    assert unknown.returncode == 2 and "Sam Sample" in unknown.stderr


@NO_STORE
def test_red_flag_refers_and_suggests_no_exercises(hiplab: Run, tmp_path: Path) -> None:
    path = sample_json(tmp_path, screening={"night_pain": True, "fever": True})
    report = json.loads(hiplab("assess", str(path), "--format", "json").stdout)
    assert report["refer"] is True
    assert {f["id"] for f in report["red_flags"]} == {"night_pain", "fever"}
    assert report["recommendations"] == []


@NO_STORE
def test_posterior_replacement_precautions_filter_recommendations(
    hiplab: Run, tmp_path: Path
) -> None:
    from hiplab.assess.safety import violations
    from hiplab.library import default_library
    from hiplab.records.assessment import Assessment

    path = sample_json(
        tmp_path,
        screening={"hip_replacement": {"side": "right", "approach": "posterior", "months_ago": 8}},
    )
    report = json.loads(hiplab("assess", str(path), "--format", "json").stdout)
    limits = {(p["motion"], p["max_deg"]) for p in report["precautions"] if "motion" in p}
    assert limits == {("hip_flexion", 90), ("hip_adduction", 0), ("hip_internal_rotation", 0)}
    lib = default_library()
    rules = Assessment.model_validate(report).precautions
    assert report["recommendations"]
    for rec in report["recommendations"]:
        exercise = lib.exercises[rec["exercise_id"]]
        assert violations(exercise, rules, side=rec["only_side"]) == [], rec


@NO_STORE
def test_html_and_pdf_reports(hiplab: Run, tmp_path: Path) -> None:
    path = sample_json(tmp_path)
    html = hiplab("assess", str(path), "--format", "html", "-o", "r.html")
    assert html.returncode == 0, html.stderr
    text = (tmp_path / "r.html").read_text()
    assert "not a diagnosis" in text and "<svg" in text and "hip_flexors" in text
    pdf = hiplab("assess", str(path), "--format", "pdf", "-o", "r.pdf")
    assert pdf.returncode == 0, pdf.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


@NO_STORE
def test_pdf_to_stdout_is_refused(hiplab: Run, tmp_path: Path) -> None:
    result = hiplab("assess", str(sample_json(tmp_path)), "--format", "pdf")
    assert result.returncode == 2 and "-o" in result.stderr


@NO_STORE
def test_text_report_mentions_disclaimer(hiplab: Run, tmp_path: Path) -> None:
    result = hiplab("assess", str(sample_json(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert "not a diagnosis" in result.stdout


def test_demo_writes_report_and_saves(hiplab: Run, tmp_path: Path) -> None:
    result = hiplab("demo", "-o", "out/report.html")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "report.html").is_file()
    assert "<svg" in (tmp_path / "out" / "plan.html").read_text()
    assert "Programme handout" in result.stdout
    assert str(tmp_path / "out" / "report.html") in result.stdout
    assert json.loads(hiplab("people", "--format", "json").stdout)[0]["n_assessments"] == 1


def test_backup(hiplab: Run, tmp_path: Path, store_url: str) -> None:
    hiplab("demo", "-o", "r.html")
    result = hiplab("db", "backup", str(tmp_path / "copy.bak"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "copy.bak").stat().st_size > 0
    again = hiplab("db", "backup", str(tmp_path / "copy.bak"))
    assert again.returncode != 0 and "exist" in again.stderr
