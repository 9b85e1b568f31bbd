"""Re-running kinematics, task and files from an output folder's saved keypoints.

``keypoints.npz`` round-trips a track exactly; a re-run from it gives the same
task results and the same files as the analysis that wrote it (only
``rerun_from`` and the file paths differ), and can measure another task.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hiplab.errors import InputError
from hiplab.motion.analyze import Analysis, AnalyzeRequest, analyze
from hiplab.motion.keypoints import KEYPOINTS, KeypointTrack
from hiplab.motion.keypoints_file import (
    FILE_NAME,
    KeypointOrigin,
    read_keypoints,
    write_keypoints,
)
from hiplab.motion.rerun import analyse_from_keypoints
from hiplab.testing import synthetic
from tests.cli.test_analyze_cli import write_openpose
from tests.motion.task_helpers import physical_landing

K = len(KEYPOINTS)
ORIGIN = KeypointOrigin(input_path="/videos/clip.mp4", input_kind="video", model="full")
TEXT_FILES = ("angles.csv", "angles.mot", "keypoints.csv")


def _floats(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    elements = st.floats(allow_nan=True, allow_infinity=False, width=64)
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def tracks(draw: st.DrawFn) -> KeypointTrack:
    """Any valid track: NaNs anywhere, with or without a 3-D pose, any rate and size."""
    n = draw(st.integers(1, 6))
    world = draw(st.none() | _floats((n, K, 3)))
    fps = draw(st.floats(1.0, 1000.0))
    return KeypointTrack(
        fps=fps,
        width=draw(st.integers(1, 8000)),
        height=draw(st.integers(1, 8000)),
        xy=draw(_floats((n, K, 2))),
        score=draw(_floats((n, K))),
        lost=draw(hnp.arrays(np.bool_, (n,))),
        time_s=draw(_floats((n,))),
        source=draw(st.text(max_size=20)),
        world=world,
    )


@settings(max_examples=30, deadline=None)
@given(track=tracks())
def test_keypoints_npz_round_trips_exactly(
    tmp_path_factory: pytest.TempPathFactory, track: KeypointTrack
) -> None:
    path = tmp_path_factory.mktemp("npz") / FILE_NAME
    write_keypoints(path, track, ORIGIN)
    saved = read_keypoints(path)
    back = saved.track
    assert saved.origin == ORIGIN
    assert (back.fps, back.width, back.height, back.source) == (
        track.fps,
        track.width,
        track.height,
        track.source,
    )
    for name in ("xy", "score", "lost", "time_s"):
        assert np.array_equal(getattr(back, name), getattr(track, name), equal_nan=True), name
        assert getattr(back, name).dtype == getattr(track, name).dtype
    if track.world is None:
        assert back.world is None
    else:
        assert back.world is not None and np.array_equal(back.world, track.world, equal_nan=True)


def test_a_folder_without_keypoints_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder") as missing:
        analyse_from_keypoints(tmp_path / "gone", task="squat")
    assert str(tmp_path / "gone") in str(missing.value)
    (tmp_path / "keypoints.csv").write_text("frame,time_s\n", encoding="utf-8")
    with pytest.raises(InputError) as bare:
        analyse_from_keypoints(tmp_path, task="squat")
    message = str(bare.value)
    assert str(tmp_path) in message and "no keypoints.npz" in message and "rounded" in message


def test_another_format_version_or_a_broken_file_is_refused(tmp_path: Path) -> None:
    track = synthetic.squat(reps=1).track
    write_keypoints(tmp_path / FILE_NAME, track, ORIGIN)
    with np.load(tmp_path / FILE_NAME) as saved:
        arrays = {k: saved[k] for k in saved.files}
    meta = json.loads(str(arrays["meta"][()]))
    arrays["meta"] = np.asarray(json.dumps({**meta, "version": 99}))
    with (tmp_path / FILE_NAME).open("wb") as out:
        np.savez(out, **arrays)
    with pytest.raises(InputError, match="version 99") as newer:
        analyse_from_keypoints(tmp_path, task="squat")
    assert str(tmp_path) in str(newer.value)
    (tmp_path / FILE_NAME).write_bytes(b"not a zip")
    with pytest.raises(InputError, match="cannot be read"):
        read_keypoints(tmp_path / FILE_NAME)


def _document(folder: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    return document


def _same_files(first: Path, again: Path, *, rerun_from: Path) -> None:
    """Assert that a re-run wrote the files of the first analysis (paths and provenance aside)."""
    for name in TEXT_FILES:
        assert (again / name).read_bytes() == (first / name).read_bytes(), name
    assert (again / "plot.png").read_bytes() == (first / "plot.png").read_bytes()
    before, after = read_keypoints(first / FILE_NAME), read_keypoints(again / FILE_NAME)
    assert before.origin == after.origin
    assert np.array_equal(before.track.xy, after.track.xy, equal_nan=True)
    old, new = _document(first), _document(again)
    assert "rerun_from" not in old and new.pop("rerun_from") == str(rerun_from)
    assert {k: v is None for k, v in new.pop("files").items()} == {
        k: v is None for k, v in old.pop("files").items()
    }
    assert new == old


def _same_analysis(first: Analysis, again: Analysis) -> None:
    assert again.result == first.result
    ignore = {"files", "rerun_from"}
    assert again.model_dump(exclude=ignore) == first.model_dump(exclude=ignore)


def test_a_rerun_from_openpose_keypoints_gives_the_same_analysis(tmp_path: Path) -> None:
    folder = write_openpose(tmp_path / "landing", physical_landing(120.0))
    out, again = tmp_path / "out", tmp_path / "again"
    first = analyze(AnalyzeRequest(source=folder, task="landing", fps=120.0, outdir=out))
    seen: list[str] = []
    rerun = analyse_from_keypoints(out, task="landing", to=again, on_stage=seen.append)
    assert seen == ["kinematics", "task", "outputs"]
    assert rerun.rerun_from == str(out)
    _same_analysis(first, rerun)
    _same_files(out, again, rerun_from=out)
    assert "no video" in rerun.skipped_files["annotated_mp4"]

    other = analyse_from_keypoints(out, task="angles")  # in place, another task
    assert other.task == "angles" and _document(out)["task"] == "angles"
    assert read_keypoints(out / FILE_NAME).track.frames == first.frames


@pytest.mark.video
def test_a_rerun_from_the_demo_video_keypoints_gives_the_same_files(
    demo_video_path: Path, tmp_path: Path
) -> None:
    out, again = tmp_path / "out", tmp_path / "again"
    first = analyze(AnalyzeRequest(source=demo_video_path, task="landing", outdir=out))
    rerun = analyse_from_keypoints(out, task="landing", to=again)
    _same_analysis(first, rerun)
    _same_files(out, again, rerun_from=out)
    assert rerun.files["annotated_mp4"] is not None  # drawn over the original video again
    assert read_keypoints(out / FILE_NAME).track.world is not None  # the 3-D pose is kept

    angles = analyse_from_keypoints(out, task="angles", to=tmp_path / "angles")
    assert angles.task == "angles" and angles.frames == first.frames
    assert _document(tmp_path / "angles")["task"] == "angles"


def test_the_saved_keypoints_are_not_among_the_downloads(tmp_path: Path) -> None:
    folder = write_openpose(tmp_path / "landing", physical_landing(120.0))
    first = analyze(AnalyzeRequest(source=folder, task="landing", fps=120.0, outdir=tmp_path))
    assert (tmp_path / FILE_NAME).is_file()
    assert not any(str(path).endswith(FILE_NAME) for path in first.files.values() if path)
