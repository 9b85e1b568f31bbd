"""``keypoints.npz``: the tracked subject as saved, so later stages can run again without pose.

Conventions
-----------
* Written beside ``keypoints.csv`` by :func:`hiplab.motion.outputs.write_outputs`;
  read back by :func:`read_keypoints`, exactly: the arrays are stored as the
  tracker produced them (float64, NaN where not found), not rounded as in the
  CSV, so kinematics, tasks and outputs computed from the file give the same
  numbers as from the video.
* Arrays (time first, :class:`~hiplab.motion.keypoints.KeypointTrack` order):
  ``xy`` (N, K, 2) pixels, ``score`` (N, K), ``lost`` (N,), ``time_s`` (N,),
  and ``world`` (N, K, 3) metres when the pose model gave a 3-D pose (absent
  otherwise). ``keypoints`` lists the K names.
* ``meta`` is one JSON text: ``format`` (:data:`FORMAT`), ``version``
  (:data:`VERSION`), ``fps``, ``width``, ``height``, the track's ``source``,
  and the :class:`KeypointOrigin` (input path and kind, pose model).
* Read with ``allow_pickle=False``: the file holds numbers and text only.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from hiplab.errors import InputError
from hiplab.motion.keypoints import KEYPOINTS, KeypointTrack
from hiplab.motion.output_files import atomic_file

FORMAT = "hiplab-keypoints"
"""The ``format`` named in every file's ``meta``."""
VERSION = 1
"""The layout version this hiplab writes and reads; another version is refused."""
FILE_NAME = "keypoints.npz"

InputKind = Literal["video", "openpose_json"]


@dataclass(frozen=True)
class KeypointOrigin:
    """Where a saved track came from: the input, its kind and the pose model that made it."""

    input_path: str
    input_kind: InputKind
    model: str


@dataclass(frozen=True)
class SavedKeypoints:
    """A track read back from ``keypoints.npz``, and where it came from."""

    track: KeypointTrack
    origin: KeypointOrigin


def write_keypoints(path: Path, track: KeypointTrack, origin: KeypointOrigin) -> None:
    """Write ``track`` and ``origin`` to ``path`` (atomically; see the module conventions)."""
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "fps": float(track.fps),
        "width": int(track.width),
        "height": int(track.height),
        "source": track.source,
        "input_path": origin.input_path,
        "input_kind": origin.input_kind,
        "model": origin.model,
    }
    arrays: dict[str, Any] = {
        "xy": track.xy,
        "score": track.score,
        "lost": track.lost,
        "time_s": track.time_s,
        "keypoints": np.asarray(KEYPOINTS),
        "meta": np.asarray(json.dumps(meta)),
    }
    if track.world is not None:
        arrays["world"] = track.world
    with atomic_file(path) as tmp, tmp.open("wb") as out:
        np.savez_compressed(out, **arrays)


def _refuse(path: Path, what: str) -> InputError:
    folder = path.parent
    return InputError(
        f"cannot re-run the analysis in {folder}: {what}; analyse the video (or OpenPose "
        "folder) again to make a new output folder"
    )


def _meta(path: Path, raw: Any) -> dict[str, Any]:
    meta = json.loads(str(raw[()]))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _refuse(path, f"{path.name} is not a hiplab keypoints file")
    if meta.get("version") != VERSION:
        raise _refuse(
            path,
            f"{path.name} was written in keypoints format version {meta.get('version')!r}, "
            f"and this hiplab reads version {VERSION}",
        )
    return meta


def read_keypoints(path: Path) -> SavedKeypoints:
    """Return the track and origin saved in ``path`` by :func:`write_keypoints`.

    Raises
    ------
    InputError
        Naming the folder and what is missing: no such file, not a keypoints
        file, another format version, or keypoints other than this hiplab's.

    """
    if not path.is_file():
        older = " (keypoints.csv alone is not enough: it is rounded)"
        extra = older if (path.parent / "keypoints.csv").is_file() else ""
        raise _refuse(path, f"it has no {path.name}{extra}")
    try:
        with np.load(path, allow_pickle=False) as saved:
            meta = _meta(path, saved["meta"])
            names = tuple(str(n) for n in saved["keypoints"])
            arrays = {k: np.array(saved[k]) for k in ("xy", "score", "lost", "time_s")}
            world = np.array(saved["world"]) if "world" in saved.files else None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise _refuse(path, f"{path.name} cannot be read ({exc})") from exc
    if names != KEYPOINTS:
        raise _refuse(path, f"{path.name} holds other keypoints than this hiplab's")
    track = KeypointTrack(
        fps=float(meta["fps"]),
        width=int(meta["width"]),
        height=int(meta["height"]),
        xy=arrays["xy"],
        score=arrays["score"],
        lost=arrays["lost"].astype(bool),
        time_s=arrays["time_s"],
        source=str(meta["source"]),
        world=world,
    )
    origin = KeypointOrigin(
        input_path=str(meta["input_path"]),
        input_kind=meta["input_kind"],
        model=str(meta["model"]),
    )
    return SavedKeypoints(track, origin)
