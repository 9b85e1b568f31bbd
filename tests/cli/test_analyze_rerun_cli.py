"""``hiplab analyze --from-keypoints FOLDER``: the later stages again, in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.cli.test_analyze_cli import assert_bad_input, write_openpose
from tests.conftest import NO_STORE
from tests.motion.task_helpers import physical_landing


@pytest.fixture
def first_run(hiplab: Run, tmp_path: Path) -> tuple[Path, dict[str, object]]:
    """A landing analysed once from OpenPose JSON: its output folder and its JSON document."""
    source = write_openpose(tmp_path / "landing", physical_landing(120.0, peak_knee=75.0))
    out = tmp_path / "first"
    done = hiplab(
        "analyze", str(source), "--task", "landing", "--fps", "120", "-f", "json", "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    return out, json.loads(done.stdout)


@NO_STORE
def test_a_rerun_gives_the_same_task_results_and_files(
    hiplab: Run, first_run: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    folder, first = first_run
    again_dir = tmp_path / "again"
    done = hiplab(
        "analyze", "--from-keypoints", str(folder), "--task", "landing", "-f", "json",
        "-o", str(again_dir),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    again = json.loads(done.stdout)
    assert again["rerun_from"] == str(folder)
    for key in ("initial_contact_frame", "peak_knee_flexion_deg", "stiff_landing", "measured"):
        assert again[key] == first[key], key
    for name in ("angles.csv", "keypoints.csv"):
        assert (again_dir / name).read_bytes() == (folder / name).read_bytes(), name


@NO_STORE
def test_a_rerun_can_score_another_task_and_says_so_in_text(
    hiplab: Run, first_run: tuple[Path, dict[str, object]]
) -> None:
    folder, _ = first_run
    done = hiplab("analyze", "--from-keypoints", str(folder), "--task", "angles")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.strip()


@NO_STORE
@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (["--fps", "60"], ["--fps", "pose estimation"]),
        (["--model", "lite"], ["--model", "pose estimation"]),
        (["--jobs", "2"], ["--jobs", "pose estimation"]),
        (["clip.mp4"], ["INPUT", "either INPUT or --from-keypoints"]),
    ],
)
def test_options_of_pose_estimation_are_refused_with_a_rerun(
    hiplab: Run, first_run: tuple[Path, dict[str, object]], extra: list[str], needles: list[str]
) -> None:
    folder, _ = first_run
    done = hiplab("analyze", "--from-keypoints", str(folder), "--task", "landing", *extra)
    assert_bad_input(done, *needles)


@NO_STORE
def test_a_folder_without_saved_keypoints_is_refused_by_name(hiplab: Run, tmp_path: Path) -> None:
    empty = tmp_path / "not-an-analysis"
    empty.mkdir()
    done = hiplab("analyze", "--from-keypoints", str(empty), "--task", "angles")
    assert_bad_input(done, "not-an-analysis")
    assert "Traceback" not in done.stderr


@NO_STORE
def test_no_input_and_no_folder_says_what_is_needed(hiplab: Run) -> None:
    done = hiplab("analyze", "--task", "angles")
    assert_bad_input(done, "INPUT is needed", "--from-keypoints")


def test_a_rerun_stores_its_measurements_with_save(
    hiplab: Run, first_run: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    folder, first = first_run
    sample = tmp_path / "sample.yaml"
    sample.write_text(hiplab("sample").stdout)
    assert hiplab("assess", str(sample), "--save", "--person", "Ann").returncode == 0
    done = hiplab(
        "analyze", "--from-keypoints", str(folder), "--task", "landing", "-f", "json",
        "-o", str(tmp_path / "again"), "--save", "Ann",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    saved = json.loads(done.stdout)["saved"]
    assert saved["person"] == "Ann"
    assert json.loads(done.stdout)["measured"] == first["measured"]
    history = hiplab("history", "Ann", "-f", "json")
    assert str(saved["assessment_id"]) in history.stdout


@NO_STORE
def test_a_rerun_of_a_task_that_measures_nothing_refuses_save_before_any_work(
    hiplab: Run, first_run: tuple[Path, dict[str, object]]
) -> None:
    folder, _ = first_run
    done = hiplab("analyze", "--from-keypoints", str(folder), "--task", "angles", "--save", "Ann")
    assert_bad_input(done, "--task", "nothing to store")
