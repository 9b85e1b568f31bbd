"""``hiplab export PERSON -f csv`` cannot carry a spreadsheet formula (issue 11 §5).

The real command, in a subprocess, on SQLite and PostgreSQL: a name starting with a
formula character is quoted with ``'``; a negative measured value stays a number.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.cli.test_assess_cli import sample_json

THOMAS = {
    "left": {"thigh_angle_deg": -5.2, "knee_flexion_deg": 85, "thigh_abducts": False},
    "right": {"thigh_angle_deg": 9, "knee_flexion_deg": 68, "thigh_abducts": True},
}


def _tests_with_negative_thigh_angle() -> dict[str, object]:
    import yaml

    from hiplab.services.catalogue import sample_path

    tests: dict[str, object] = yaml.safe_load(sample_path().read_text())["tests"]
    return {**tests, "thomas": THOMAS}


@pytest.mark.parametrize("name", ["=1+2", "+1+2", "-1+2", "@SUM(A1)"])
def test_csv_export_quotes_a_formula_name_and_keeps_numbers(
    hiplab: Run, tmp_path: Path, name: str
) -> None:
    path = sample_json(tmp_path, tests=_tests_with_negative_thigh_angle())
    saved = hiplab("assess", str(path), "--save", f"--person={name}", "--format", "json")
    assert saved.returncode == 0, saved.stderr
    out = tmp_path / "export.csv"
    result = hiplab("export", "-f", "csv", "-o", str(out), "--", name)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert rows
    assert {row["person"] for row in rows} == {"'" + name}
    left = [r for r in rows if r["test"] == "thomas_thigh_angle" and r["side"] == "left"]
    assert [r["value"] for r in left] == ["-5.2"]
