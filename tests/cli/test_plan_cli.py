import json
from pathlib import Path

import pytest
import yaml

from hiplab.services.catalogue import sample_path
from tests.conftest import NO_STORE

from .conftest import Run


def sample(tmp_path: Path, name: str = "person.yaml", **tests: object) -> Path:
    data = yaml.safe_load(sample_path().read_text())
    data["tests"].update(tests)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def test_plan_json_has_the_documented_keys_and_is_reproducible(hiplab: Run, tmp_path: Path) -> None:
    first = hiplab("plan", str(sample(tmp_path)), "--format", "json", "--weeks", "3")
    assert first.returncode == 0, first.stderr
    again = hiplab("plan", str(sample(tmp_path)), "--format", "json", "--weeks", "3")
    assert first.stdout == again.stdout
    plan = json.loads(first.stdout)
    assert {"refer", "reason", "sessions_per_week", "weeks", "retest_week"} <= set(plan)
    item = plan["weeks"][0]["session"]["items"][0]
    assert {
        "exercise_id",
        "name",
        "kind",
        "position",
        "side",
        "sets",
        "hold_s",
        "reps",
        "rest_s",
        "duration_s",
        "addresses",
    } <= set(item)
    assert all(w["session"]["duration_s"] <= 15 * 60 for w in plan["weeks"])
    assert plan["retest_week"] == 3


def test_handout_html_pdf_and_calendar(hiplab: Run, tmp_path: Path) -> None:
    src = str(sample(tmp_path))
    assert hiplab("plan", src, "-f", "html", "-o", "plan.html").returncode == 0
    assert "<svg" in (tmp_path / "plan.html").read_text()
    assert hiplab("plan", src, "-f", "pdf", "-o", "plan.pdf").returncode == 0
    assert (tmp_path / "plan.pdf").read_bytes().startswith(b"%PDF")
    ics = hiplab("plan", src, "-f", "ics", "--weeks", "2", "--sessions-per-week", "2")
    assert ics.returncode == 0
    assert ics.stdout.count("BEGIN:VEVENT") == 2 * 2 + 1


@NO_STORE
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--minutes", "0"], "--minutes is 0; allowed: 5 to 120"),
        (["--weeks", "99"], "--weeks is 99"),
        (["--equipment", "trampoline"], "unknown equipment 'trampoline'"),
        (["--avoid-positions", "handstand"], "unknown avoid positions 'handstand'"),
    ],
)
def test_bad_options_exit_2(hiplab: Run, tmp_path: Path, args: list[str], expected: str) -> None:
    result = hiplab("plan", str(sample(tmp_path)), *args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_stored_assessment_exits_2(hiplab: Run) -> None:
    result = hiplab("plan", "999")
    assert result.returncode == 2 and "999" in result.stderr


def test_red_flag_plan_refers(hiplab: Run, tmp_path: Path) -> None:
    data = yaml.safe_load(sample_path().read_text())
    data["screening"]["fever"] = True
    path = tmp_path / "flag.yaml"
    path.write_text(yaml.safe_dump(data))
    plan = json.loads(hiplab("plan", str(path), "-f", "json").stdout)
    assert plan["refer"] is True and plan["weeks"] == [] and "fever" in plan["reason"].lower()


def test_save_then_replan_from_remeasured_assessment(hiplab: Run, tmp_path: Path) -> None:
    first = hiplab("plan", str(sample(tmp_path)), "--save", "-f", "json")
    assert first.returncode == 0, first.stderr
    assert "saved plan" in first.stderr
    retest = sample(tmp_path, "retest.yaml", hip_internal_rotation_deg={"left": 31, "right": 31})
    second = hiplab("plan", str(retest), "--save", "-f", "json")
    assert second.returncode == 0, second.stderr
    plan = json.loads(second.stdout)
    assert plan["block"] == 2
    texts = [c["text"] for c in plan["changes"]]
    assert any(t.startswith("right hip IR 22° → 31°, now within norm") for t in texts)
    history = json.loads(hiplab("history", "Sam Sample", "-f", "json").stdout)
    assert len(history) == 2
    by_id = json.loads(hiplab("plan", str(history[0]["id"]), "-f", "json").stdout)
    assert by_id["person"] == "Sam Sample"


def test_plan_after_assess_does_not_store_the_assessment_twice(hiplab: Run, tmp_path: Path) -> None:
    src = str(sample(tmp_path))
    assert hiplab("assess", src, "--save").returncode == 0
    assert hiplab("plan", src, "--save").returncode == 0
    history = json.loads(hiplab("history", "Sam Sample", "-f", "json").stdout)
    assert len(history) == 1
