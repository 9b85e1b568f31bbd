"""Files of an analysis: angles.csv and .mot, keypoints.csv and .npz, metrics.json, plot, video.

Conventions
-----------
* ``angles.csv``: columns ``frame,time_s``, then every angle of
  :data:`ANGLE_COLUMNS` (sided ``{side}_{angle}``, then plain names such as
  ``trunk_lean``) whether or not this view measures it, then any other angle
  channel; degrees with 3 decimals; an empty cell where the angle was not
  measured (missing keypoint, gap filled, other view, or withheld because
  the camera's angle makes it meaningless: :mod:`hiplab.motion.projection`).
  Then ``{angle}_sd`` for the same angles: the standard uncertainty of that
  frame's value (deg; empty where the value is). Then the camera's geometry
  that frame (:mod:`hiplab.motion.camera`): ``camera_yaw_deg`` (0 in front of
  the subject, +90 at their right side, ±180 behind), ``camera_yaw_sd_deg``,
  ``camera_pitch_deg`` (+ looking down), ``camera_pitch_sd_deg`` and
  ``camera_view`` (front, right_side, back, left_side, oblique or unknown);
  empty when no geometry was estimated. Frames are 0-based.
* ``angles.mot``: an OpenSim motion (Storage) file — a name line,
  ``version=1``, ``nRows``, ``nColumns`` (time included), ``inDegrees=yes``,
  ``endheader``, then a tab-separated header ``time`` + the angle channels
  this view measures, and one row per frame; ``NaN`` where not measured
  (OpenSim reads it as a missing value).
* ``keypoints.csv``: ``frame,time_s``, then ``{name}_x,{name}_y,{name}_score``
  for every name in :data:`~hiplab.motion.keypoints.KEYPOINTS`, as detected
  (pixels, y down, before cleaning); all three empty where the keypoint was
  not found (score 0, NaN, or the subject lost in that frame).
* ``keypoints.npz``: the same track unrounded, with the frame size, frame rate
  and where it came from (:mod:`hiplab.motion.keypoints_file`), so that
  kinematics, task and files can be made again without pose estimation
  (:func:`hiplab.motion.rerun.analyse_from_keypoints`). Not listed in the
  document's ``files`` (what a user downloads): it is the re-run's input.
* ``metrics.json``: the analysis document (what ``--format json`` prints).
* Every file is written to a temporary name in the same folder and renamed
  into place when complete (:func:`~hiplab.motion.output_files.atomic_file`),
  so a crash never leaves a half-written file under its real name. :func:`write_outputs` writes
  ``metrics.json`` last: its presence means the set is complete.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from hiplab.errors import InputError
from hiplab.motion.keypoints import KEYPOINTS, KeypointTrack
from hiplab.motion.keypoints_file import FILE_NAME as KEYPOINTS_FILE
from hiplab.motion.keypoints_file import InputKind, KeypointOrigin, write_keypoints
from hiplab.motion.output_files import measured, write_text
from hiplab.motion.series import TimeSeries
from hiplab.spreadsheet import csv_text

if TYPE_CHECKING:
    from hiplab.motion.camera import CameraGeometry

FloatArray = NDArray[np.float64]
SIDED_ANGLES = (
    "hip_flexion",
    "knee_flexion",
    "ankle_dorsiflexion",
    "thigh_angle",
    "knee_fppa",
    "pelvic_drop",
)
PLAIN_ANGLES = ("trunk_lean", "trunk_lateral_lean")
ANGLE_COLUMNS: tuple[str, ...] = (
    *(f"{side}_{angle}" for angle in SIDED_ANGLES for side in ("left", "right")),
    *PLAIN_ANGLES,
)
DECIMALS = 3
FILE_NAMES = {
    "angles_csv": "angles.csv",
    "angles_mot": "angles.mot",
    "keypoints_csv": "keypoints.csv",
    "plot_png": "plot.png",
    "annotated_mp4": "annotated.mp4",
    "metrics_json": "metrics.json",
}


def _cell(value: float) -> str:
    return "" if not math.isfinite(value) else f"{value:.{DECIMALS}f}"


def angle_columns(series: TimeSeries) -> list[str]:
    """Return the angle columns of ``angles.csv``: the standard ones, then other angles."""
    extra = sorted(
        name for name, unit in series.units.items() if unit == "deg" and name not in ANGLE_COLUMNS
    )
    return [*ANGLE_COLUMNS, *extra]


CAMERA_COLUMNS = (
    "camera_yaw_deg",
    "camera_yaw_sd_deg",
    "camera_pitch_deg",
    "camera_pitch_sd_deg",
    "camera_view",
)


def frame_sd(series: TimeSeries, name: str) -> FloatArray:
    """Return a channel's per-frame uncertainty where it is measured (NaN elsewhere)."""
    if name not in series.data:
        return np.full(series.frames, np.nan)
    return np.where(np.isfinite(measured(series, name)), series.frame_sd(name), np.nan)


def _camera_cells(camera: CameraGeometry | None, frames: int) -> list[list[str]]:
    """Return the camera columns' cells, one list per frame."""
    if camera is None or camera.frames != frames:
        return [[""] * len(CAMERA_COLUMNS) for _ in range(frames)]
    numbers = (camera.yaw_deg, camera.yaw_sd_deg, camera.pitch_deg, camera.pitch_sd_deg)
    views = camera.views()
    return [[*(_cell(float(values[i])) for values in numbers), views[i]] for i in range(frames)]


def angles_csv(series: TimeSeries, camera: CameraGeometry | None = None) -> str:
    """Return ``angles.csv`` (see the module conventions)."""
    columns = angle_columns(series)
    data = [measured(series, name) for name in columns]
    sds = [frame_sd(series, name) for name in columns]
    cameras = _camera_cells(camera, series.frames)
    rows: list[list[object]] = [
        ["frame", "time_s", *columns, *(f"{c}_sd" for c in columns), *CAMERA_COLUMNS]
    ]
    for i in range(series.frames):
        values = [_cell(float(d[i])) for d in (*data, *sds)]
        rows.append([i, f"{series.time[i]:.6f}", *values, *cameras[i]])
    return csv_text(rows)


def mot_channels(series: TimeSeries) -> list[str]:
    """Return the angle channels this series measures, in ``angles.csv`` order."""
    return [name for name in angle_columns(series) if name in series.data]


def angles_mot(series: TimeSeries, *, name: str = "angles") -> str:
    """Return an OpenSim ``.mot`` motion file of the measured angle channels."""
    columns = mot_channels(series)
    data = [measured(series, c) for c in columns]
    lines = [
        name,
        "version=1",
        f"nRows={series.frames}",
        f"nColumns={len(columns) + 1}",
        "inDegrees=yes",
        "endheader",
        "\t".join(["time", *columns]),
    ]
    for i in range(series.frames):
        values = [float(d[i]) for d in data]
        cells = [f"{v:.{DECIMALS}f}" if math.isfinite(v) else "NaN" for v in values]
        lines.append("\t".join([f"{series.time[i]:.6f}", *cells]))
    return "\n".join(lines) + "\n"


def keypoints_csv(track: KeypointTrack) -> str:
    """Return ``keypoints.csv`` of the track as detected (see the module conventions)."""
    rows: list[list[object]] = [
        ["frame", "time_s", *(f"{k}_{a}" for k in KEYPOINTS for a in ("x", "y", "score"))]
    ]
    found = (track.score > 0) & np.isfinite(track.xy).all(axis=-1) & ~track.lost[:, None]
    for i in range(track.frames):
        row: list[object] = [i, f"{track.time_s[i]:.6f}"]
        for k in range(len(KEYPOINTS)):
            if found[i, k]:
                x, y = track.xy[i, k]
                row += [f"{x:.2f}", f"{y:.2f}", f"{track.score[i, k]:.3f}"]
            else:
                row += ["", "", ""]
        rows.append(row)
    return csv_text(rows)


@dataclass(frozen=True)
class OutputRequest:
    """Everything the files are made from."""

    series: TimeSeries
    track: KeypointTrack
    document: Callable[[dict[str, str | None], dict[str, str]], dict[str, object]]
    events: Sequence[tuple[str, int]] = ()
    video: Path | None = None
    labels: Sequence[str] = ()
    camera: CameraGeometry | None = None
    origin: KeypointOrigin | None = None
    """Where the track came from, for ``keypoints.npz`` (default: its source, model unknown)."""
    video_skipped: str = "the input has no video (OpenPose JSON keypoints only)"
    """Why there is no ``annotated.mp4`` when ``video`` is None."""


def _origin(request: OutputRequest) -> KeypointOrigin:
    if request.origin is not None:
        return request.origin
    kind: InputKind = "openpose_json" if request.video is None else "video"
    return KeypointOrigin(input_path=request.track.source, input_kind=kind, model="unknown")


def write_outputs(
    outdir: Path, request: OutputRequest
) -> tuple[dict[str, str | None], dict[str, str]]:
    """Write every file into ``outdir``; return ``(files written, files skipped with why)``.

    ``metrics.json`` is written last, from ``request.document(files, skipped)``.
    """
    from hiplab.motion.outputs_media import EncodingError, write_annotated_video, write_plot

    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {outdir}: {exc.strerror}") from exc
    paths = {key: outdir / name for key, name in FILE_NAMES.items()}
    files: dict[str, str | None] = dict.fromkeys(FILE_NAMES)
    skipped: dict[str, str] = {}
    write_text(paths["angles_csv"], angles_csv(request.series, request.camera))
    write_text(paths["angles_mot"], angles_mot(request.series))
    write_text(paths["keypoints_csv"], keypoints_csv(request.track))
    # Saved for re-runs, not listed in ``files``: the document lists what a user downloads.
    write_keypoints(outdir / KEYPOINTS_FILE, request.track, _origin(request))
    for key in ("angles_csv", "angles_mot", "keypoints_csv"):
        files[key] = str(paths[key])
    write_plot(paths["plot_png"], request.series, request.events)
    files["plot_png"] = str(paths["plot_png"])
    if request.video is None:
        skipped["annotated_mp4"] = request.video_skipped
    else:
        try:
            write_annotated_video(
                paths["annotated_mp4"],
                video=request.video,
                series=request.series,
                events=request.events,
                labels=request.labels,
            )
            files["annotated_mp4"] = str(paths["annotated_mp4"])
        except EncodingError as exc:
            skipped["annotated_mp4"] = str(exc)
    files["metrics_json"] = str(paths["metrics_json"])
    document = request.document(files, skipped)
    write_text(paths["metrics_json"], json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return files, skipped
