"""``hiplab progress`` as a subprocess against a store filled with literal assessments."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from hiplab.store import open_store
from tests.cli.conftest import Run
from tests.progress.conftest import PERSON, save_visits


@pytest.fixture
def stored(store_url: str) -> str:
    with open_store(store_url) as store:
        save_visits(store)
    return PERSON


def test_text_to_the_terminal(hiplab: Run, stored: str) -> None:
    done = hiplab("progress", stored, "--as-of", "2024-05-01")

    assert done.returncode == 0, done.stderr
    assert "Progress of Alice Example, as of 2024-05-01" in done.stdout
    assert "+6° real change (better)" in done.stdout
    assert "+3° no real change" in done.stdout
    assert "No plan saved yet." in done.stdout
    assert "not a diagnosis" in done.stdout


def test_text_as_of_before_the_second_visit(hiplab: Run, stored: str) -> None:
    done = hiplab("progress", stored, "--as-of", "2024-02-01")
    assert done.returncode == 0, done.stderr
    assert "real change" not in done.stdout
    assert "28° " in done.stdout and "31°" not in done.stdout


def test_html_to_a_file(hiplab: Run, stored: str, tmp_path: Path) -> None:
    done = hiplab("progress", stored, "--format", "html", "-o", "out/progress.html")

    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "progress.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Not a diagnosis" in page
    assert "plot-hip_internal_rotation" in page
    assert "progress written to out/progress.html" in done.stderr


def test_png_to_the_default_file_in_the_current_folder(
    hiplab: Run, stored: str, tmp_path: Path
) -> None:
    done = hiplab("progress", stored, "-f", "png", "--as-of", "2024-05-01")

    assert done.returncode == 0, done.stderr
    data = (tmp_path / "progress-alice-example.png").read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size[0] == 1350


def test_text_to_a_file(hiplab: Run, stored: str, tmp_path: Path) -> None:
    done = hiplab("progress", stored, "--output", "p.txt", "--as-of", "2024-05-01")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "+6° real change (better)" in (tmp_path / "p.txt").read_text(encoding="utf-8")


def test_unknown_person_exits_2_with_a_suggestion(hiplab: Run, stored: str) -> None:
    done = hiplab("progress", "Alice Exampel")
    assert done.returncode == 2
    assert "no person named 'Alice Exampel'; did you mean 'Alice Example'?" in done.stderr


def test_bad_date_and_format_exit_2(hiplab: Run, stored: str) -> None:
    assert hiplab("progress", stored, "--as-of", "May 1st").returncode == 2
    assert hiplab("progress", stored, "--format", "pdf").returncode == 2
