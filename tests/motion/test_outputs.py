"""Output files: angles.csv, angles.mot, keypoints.csv, metrics.json, plot.png; atomic writes."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

from hiplab.motion.keypoints import KEYPOINTS
from hiplab.motion.kinematics import track_to_series
from hiplab.motion.output_files import atomic_file
from hiplab.motion.outputs import (
    ANGLE_COLUMNS,
    CAMERA_COLUMNS,
    OutputRequest,
    angles_csv,
    angles_mot,
    keypoints_csv,
    write_outputs,
)
from hiplab.testing import synthetic

from .task_helpers import series_of

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def small_series() -> tuple[np.ndarray, object]:
    knee = np.array([10.0, 20.5, np.nan, 40.25])
    series = series_of({"right_knee_flexion": knee, "trunk_lean": np.zeros(4)}, fps=10.0)
    return knee, series


def test_angles_csv_columns_and_empty_cells() -> None:
    _, series = small_series()
    rows = list(csv.reader(io.StringIO(angles_csv(series))))  # type: ignore[arg-type]
    header = rows[0]
    assert header[:2] == ["frame", "time_s"]
    angles = len(ANGLE_COLUMNS)
    assert header[2 : 2 + angles] == list(ANGLE_COLUMNS)
    assert header[2 + angles : 2 + 2 * angles] == [f"{c}_sd" for c in ANGLE_COLUMNS]
    assert header[2 + 2 * angles :] == list(CAMERA_COLUMNS)
    assert header[2:6] == [
        "left_hip_flexion",
        "right_hip_flexion",
        "left_knee_flexion",
        "right_knee_flexion",
    ]
    assert "trunk_lean" in header and "left_ankle_dorsiflexion" in header
    knee = header.index("right_knee_flexion")
    assert [r[knee] for r in rows[1:]] == ["10.000", "20.500", "", "40.250"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2", "3"]
    assert rows[2][1] == "0.100000"
    hip = header.index("left_hip_flexion")
    assert all(r[hip] == "" for r in rows[1:])  # not measured in this series
    knee_sd = header.index("right_knee_flexion_sd")
    assert rows[3][knee_sd] == ""  # no uncertainty where there is no value
    yaw = header.index("camera_yaw_deg")
    assert all(r[yaw] == "" for r in rows[1:])  # no geometry given


def test_angles_csv_carries_per_frame_uncertainty_and_camera() -> None:
    from hiplab.motion.camera import CameraGeometry

    _, series = small_series()
    sd = np.array([3.0, 4.0, 5.0, 6.5])
    series = series.with_frame_sd("right_knee_flexion", sd)  # type: ignore[attr-defined]
    camera = CameraGeometry(
        yaw_deg=np.array([90.0, 88.0, 45.0, np.nan]),
        yaw_sd_deg=np.full(4, 10.0),
        pitch_deg=np.full(4, 5.0),
        pitch_sd_deg=np.full(4, 7.0),
        source="world",
    )
    rows = list(csv.DictReader(io.StringIO(angles_csv(series, camera))))  # type: ignore[arg-type]
    assert [r["right_knee_flexion_sd"] for r in rows] == ["3.000", "4.000", "", "6.500"]
    assert [r["camera_yaw_deg"] for r in rows] == ["90.000", "88.000", "45.000", ""]
    assert [r["camera_view"] for r in rows] == ["right_side", "right_side", "oblique", "unknown"]
    assert rows[0]["camera_pitch_sd_deg"] == "7.000"


def parse_mot(text: str) -> tuple[dict[str, str], list[str], np.ndarray]:
    lines = text.splitlines()
    end = lines.index("endheader")
    meta = dict(line.split("=", 1) for line in lines[1:end] if "=" in line)
    columns = lines[end + 1].split("\t")
    data = np.array([[float(v) for v in line.split("\t")] for line in lines[end + 2 :]])
    return meta, columns, data


def test_mot_header_parses_as_opensim_storage() -> None:
    knee, series = small_series()
    text = angles_mot(series)  # type: ignore[arg-type]
    assert text.splitlines()[0] == "angles"
    meta, columns, data = parse_mot(text)
    assert meta == {"version": "1", "nRows": "4", "nColumns": "3", "inDegrees": "yes"}
    assert columns == ["time", "right_knee_flexion", "trunk_lean"]
    assert data.shape == (4, 3)
    np.testing.assert_allclose(data[:, 0], [0.0, 0.1, 0.2, 0.3])
    np.testing.assert_allclose(data[:, 1], knee)  # NaN where not measured
    assert math.isnan(data[2, 1])


def test_keypoints_csv_is_empty_where_not_found() -> None:
    capture = synthetic.squat(
        synthetic.CaptureOptions(
            dropouts=(
                synthetic.Dropout(3, 5),
                synthetic.Dropout(8, 9, keypoints=("left_heel",)),
            )
        ),
        reps=1,
    )
    rows = list(csv.reader(io.StringIO(keypoints_csv(capture.track))))
    header = rows[0]
    assert header == [
        "frame",
        "time_s",
        *(f"{k}_{a}" for k in KEYPOINTS for a in ("x", "y", "score")),
    ]
    assert {
        "left_hip_x",
        "right_knee_y",
        "left_ankle_score",
        "left_heel_x",
        "left_foot_index_y",
    } <= set(header)
    assert len(rows) == capture.track.frames + 1
    assert all(cell == "" for cell in rows[1 + 3][2:])  # subject lost
    heel = header.index("left_heel_x")
    assert rows[1 + 8][heel : heel + 3] == ["", "", ""]
    assert rows[1 + 8][heel + 3] != ""  # the next keypoint is there
    assert float(rows[1][header.index("nose_x")]) == pytest.approx(
        capture.track.xy[0, 0, 0], abs=0.01
    )


def test_atomic_file_leaves_nothing_when_the_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "angles.csv"
    with pytest.raises(RuntimeError), atomic_file(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []
    with atomic_file(target) as tmp:
        assert tmp.suffix == ".csv" and tmp.name.startswith(".")
        tmp.write_text("whole", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "whole"
    assert [p.name for p in tmp_path.iterdir()] == ["angles.csv"]


def test_write_outputs_without_video(tmp_path: Path) -> None:
    capture = synthetic.squat(reps=1)
    series, _ = track_to_series(capture.track)
    seen: dict[str, object] = {}

    def document(files: dict[str, str | None], skipped: dict[str, str]) -> dict[str, object]:
        seen["files"], seen["skipped"] = dict(files), dict(skipped)
        return {"task": "squat", "files": files, "skipped_files": skipped}

    files, skipped = write_outputs(
        tmp_path / "out",
        OutputRequest(
            series=series, track=capture.track, document=document, events=[("bottom", 30)]
        ),
    )
    out = tmp_path / "out"
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "angles.csv",
        "angles.mot",
        "keypoints.csv",
        "keypoints.npz",
        "metrics.json",
        "plot.png",
    ]
    assert files["annotated_mp4"] is None
    assert "OpenPose" in skipped["annotated_mp4"]
    assert json.loads((out / "metrics.json").read_text(encoding="utf-8"))["task"] == "squat"
    assert seen["skipped"] == skipped
    png = (out / "plot.png").read_bytes()
    assert png.startswith(PNG_MAGIC)
    from PIL import Image

    with Image.open(out / "plot.png") as image:
        width, height = image.size
    assert width >= 800 and height >= 300
