"""Batch analysis: inputs from patterns and folders, output names, outcomes, processes, summary."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from hiplab.errors import InputError
from hiplab.motion import batch
from hiplab.motion.analyze import AnalyzeRequest
from hiplab.motion.batch import BatchItem, InputOutcome
from hiplab.testing import synthetic
from tests.cli.test_analyze_cli import write_openpose

# OpenPose JSON has no frame size (width 0): view.check_subject_size divides by it.

SQUAT = AnalyzeRequest(source=Path("unused"), task="squat", fps=30.0)


def cut_squat(folder: Path) -> Path:
    """Write two squats cut during the second ascent (frame 115 of 150): a partial input."""
    write_openpose(folder, synthetic.squat(reps=2))
    for path in sorted(folder.iterdir())[115:]:
        path.unlink()
    return folder


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Return a folder: squats of 1, 2, 3 reps, a cut squat, malformed JSON, a fake video."""
    folder = tmp_path / "inputs"
    for reps in (1, 2, 3):
        write_openpose(folder / f"squat{reps}", synthetic.squat(reps=reps))
    cut_squat(folder / "squat_cut")
    broken = folder / "broken"
    broken.mkdir()
    (broken / "clip_000000000000_keypoints.json").write_text('{"people": [{"pose_keyp')
    (folder / "notes.mp4").write_text("notes, not a video\n" * 10)
    (folder / "readme.txt").write_text("not an input")
    (folder / ".hidden.mp4").write_text("hidden")
    return folder


# --- inputs ------------------------------------------------------------------------------------


def test_a_folder_of_inputs_expands_to_videos_and_openpose_folders(inputs: Path) -> None:
    found = batch.expand_inputs([inputs])
    assert [p.name for p in found] == [
        "broken",
        "notes.mp4",
        "squat1",
        "squat2",
        "squat3",
        "squat_cut",
    ]
    assert batch.is_batch([inputs])


def test_an_openpose_folder_is_one_input(inputs: Path) -> None:
    assert batch.expand_inputs([inputs / "squat1"]) == [inputs / "squat1"]
    assert not batch.is_batch([inputs / "squat1"])
    assert not batch.is_batch([inputs / "notes.mp4"])
    assert batch.is_batch([inputs / "squat1", inputs / "squat2"])


def test_patterns_are_sorted_and_each_input_counted_once(inputs: Path) -> None:
    pattern = str(inputs / "squat[12]*")
    assert batch.is_pattern(pattern) and batch.is_batch([pattern])
    found = batch.expand_inputs([inputs / "squat2", pattern, str(inputs / "squat1")])
    assert found == [inputs / "squat1", inputs / "squat2"]


def test_an_existing_path_with_pattern_characters_is_not_a_pattern(tmp_path: Path) -> None:
    odd = tmp_path / "take[1].mp4"
    odd.write_bytes(b"x")
    assert not batch.is_pattern(odd)
    assert batch.expand_inputs([odd]) == [odd]


def test_a_pattern_that_matches_nothing_is_refused_by_name(inputs: Path) -> None:
    pattern = str(inputs / "*.mov")
    with pytest.raises(InputError, match=r"no input matches the pattern .*\*\.mov"):
        batch.expand_inputs([inputs / "squat1", pattern])


def test_a_folder_without_inputs_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("x")
    with pytest.raises(InputError, match="no videos"):
        batch.expand_inputs([tmp_path / "empty"])


def test_a_missing_input_is_kept_for_the_batch_to_report(tmp_path: Path) -> None:
    assert batch.expand_inputs([tmp_path / "gone.mp4"]) == [tmp_path / "gone.mp4"]


# --- output folders ----------------------------------------------------------------------------


def test_output_names_are_stems_made_unique_in_input_order(tmp_path: Path) -> None:
    paths = [
        Path("a/squat.mp4"),
        Path("b/squat.mp4"),
        Path("c/Squat.mov"),
        Path("summary.json.mp4"),
    ]
    assert batch.output_names(paths) == ["squat", "squat-2", "Squat-3", "summary.json-2"]
    (tmp_path / "clip.v2").mkdir()
    assert batch.output_names([tmp_path / "clip.v2"]) == ["clip.v2"]


def test_plan_makes_paths_absolute_and_keeps_the_options(tmp_path: Path) -> None:
    template = AnalyzeRequest(source=Path("x"), task="landing", fps=120.0, person_box=(1, 2, 3, 4))
    items = batch.plan_batch([Path("in/a.mp4")], template=template, outdir=Path("out"))
    (item,) = items
    assert item.label == "in/a.mp4" and item.folder == str(Path("out/a"))
    assert item.request.source == Path("in/a.mp4").absolute()
    assert item.request.outdir == Path("out/a").absolute()
    assert (item.request.task, item.request.fps) == ("landing", 120.0)
    assert item.request.person_box == (1, 2, 3, 4)


@pytest.mark.parametrize(
    ("jobs", "cpus", "workers"), [(1, 2, 2), (2, 2, 1), (3, 2, 1), (1, 8, 2), (4, 8, 2), (1, 1, 1)]
)
def test_workers_per_analysis_share_the_cores(jobs: int, cpus: int, workers: int) -> None:
    assert batch.workers_per_analysis(jobs, cpus) == workers


# --- running -----------------------------------------------------------------------------------


def run(inputs: Path, out: Path, **options: object) -> batch.BatchResult:
    items = batch.plan_batch(batch.expand_inputs([inputs]), template=SQUAT, outdir=out)
    return batch.run_batch(items, task="squat", **options)  # type: ignore[arg-type]


def test_bad_inputs_are_reported_and_skipped_the_rest_complete(
    inputs: Path, tmp_path: Path
) -> None:
    seen: list[tuple[int, int, str]] = []
    out = tmp_path / "out"
    result = run(inputs, out, progress=lambda d, t, o: seen.append((d, t, o.input)))
    status = {Path(o.input).name: o.status for o in result.outcomes}
    assert status == {
        "broken": "error",
        "notes.mp4": "error",
        "squat1": "ok",
        "squat2": "ok",
        "squat3": "ok",
        "squat_cut": "partial",
    }
    assert [d for d, _, _ in seen] == [1, 2, 3, 4, 5, 6] and {t for _, t, _ in seen} == {6}
    assert (result.count("ok"), result.count("partial"), result.failed) == (3, 1, 2)
    by_name = {Path(o.input).name: o for o in result.outcomes}
    assert "not valid JSON" in (by_name["broken"].error or "")
    assert "not a video" in (by_name["notes.mp4"].error or "")
    assert by_name["broken"].folder is None and not (out / "broken").exists()
    for reps in (1, 2, 3):
        outcome = by_name[f"squat{reps}"]
        assert outcome.metrics["reps"] == reps and outcome.metrics["complete_reps"] == reps
        assert outcome.folder == str(out / f"squat{reps}") and outcome.frames == 30 + 60 * reps
        metrics = json.loads((out / f"squat{reps}" / "metrics.json").read_text())
        assert metrics["summary"]["reps"] == reps and metrics["partial"] is False
    cut = by_name["squat_cut"]
    assert cut.metrics["complete_reps"] == 1 and cut.frames == 115
    assert json.loads((out / "squat_cut" / "metrics.json").read_text())["partial"] is True


def without_folders(result: batch.BatchResult) -> list[dict[str, object]]:
    return [o.model_dump(exclude={"folder"}) for o in result.outcomes]


def test_two_jobs_give_the_same_results_as_one(inputs: Path, tmp_path: Path) -> None:
    one = run(inputs, tmp_path / "one", jobs=1)
    two = run(inputs, tmp_path / "two", jobs=2)
    assert without_folders(two) == without_folders(one)
    assert two.count("ok") == 3
    for name in ("squat1", "squat3", "squat_cut"):
        docs = [
            json.loads((tmp_path / d / name / "metrics.json").read_text()) for d in ("one", "two")
        ]
        for doc in docs:
            doc.pop("files")
        assert docs[0] == docs[1]


def crash_on_squat2(item: BatchItem) -> InputOutcome:
    """Kill the worker process on ``squat2`` (like a decoder crash); analyse the others."""
    if item.label.endswith("squat2"):
        os._exit(3)
    return batch.analyse_one(item)


def test_a_dying_worker_fails_only_its_own_input(inputs: Path, tmp_path: Path) -> None:
    result = run(inputs, tmp_path / "out", jobs=2, analyse=crash_on_squat2)
    status = {Path(o.input).name: o.status for o in result.outcomes}
    assert status["squat2"] == "error" and "BrokenProcessPool" in (result.outcomes[3].error or "")
    assert status["squat1"] == status["squat3"] == "ok" and status["squat_cut"] == "partial"


def test_an_unexpected_exception_is_reported_by_type(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def boom(request: AnalyzeRequest) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(batch, "analyze", boom)
    (item,) = batch.plan_batch([tmp_path / "a.mp4"], template=SQUAT, outdir=tmp_path)
    outcome = batch.analyse_one(item)
    assert outcome.status == "error"
    assert outcome.error == "ZeroDivisionError: float division by zero"


def test_jobs_below_one_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="jobs 0 is not allowed; allowed: a whole number") as bad:
        batch.run_batch([], task="squat", jobs=0)
    assert bad.value.field == "jobs"


@pytest.mark.parametrize(
    ("address", "needle"), [("127.0.0.1:1", "no Ray cluster answers"), ("nonsense", "host:port")]
)
def test_an_unreachable_ray_address_is_bad_input(address: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle), batch.ray_cluster(address):
        pytest.fail("connected to nothing")


# --- summary -----------------------------------------------------------------------------------


def test_summary_json_and_csv(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(inputs, out)
    json_path, csv_path = batch.write_summary(result, out)
    document = json.loads(json_path.read_text())
    assert document == result.document()
    assert (document["total"], document["ok"], document["partial"], document["failed"]) == (
        6,
        3,
        1,
        2,
    )
    with csv_path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "input",
        "status",
        "frames",
        "fps",
        "reliability",
        "reps",
        "complete_reps",
        "reps_at_or_below_parallel",
        "max_knee_flexion_deg",
        "folder",
        "warnings",
        "error",
    ]
    assert [r["status"] for r in rows] == ["error", "error", "ok", "ok", "ok", "partial"]
    assert [bool(r["reliability"]) for r in rows] == [False, False, True, True, True, True]
    assert rows[4]["reps"] == "3" and rows[4]["folder"] == str(out / "squat3")
    assert "not a video" in rows[1]["error"] and rows[1]["frames"] == ""
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
