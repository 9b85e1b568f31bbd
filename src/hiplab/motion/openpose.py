"""Reader of OpenPose JSON folders (``*_keypoints.json``: OpenPose, Sports2D, Pose2Sim).

One file per frame, each ``{"people": [{"pose_keypoints_2d": [x0, y0, c0, x1, ...]}, ...]}``
with every person's keypoints as flat ``x, y, confidence`` triples in pixels.
The skeleton is told apart by its keypoint count (:data:`FORMATS`): BODY_25
(25) and COCO-18 (18) from OpenPose, and HALPE-26 (26) and COCO-17 (17) as
Sports2D and Pose2Sim write them. A keypoint with confidence 0 (OpenPose writes
``0, 0, 0``) was not found: NaN coordinates, score 0. Skeletons without feet
(COCO) leave heels and toes not found.

Frames: files are ordered by the last number in their name (``..._000012_keypoints.json``),
and the frame index is that number minus the smallest one, so a missing file
is a frame with nobody in it; names without a number are taken in name order.
JSON carries no time base, so ``fps`` is required, and no frame size.

Every problem — no such folder, no keypoint files, a file that is not valid or
complete JSON, a missing or mistyped field, an unknown keypoint count, a mix of
skeletons — raises :class:`~hiplab.errors.InputError` naming the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hiplab.errors import InputError
from hiplab.motion.keypoints import KEYPOINTS, Detection, FramePoses

SUFFIX = "_keypoints.json"


@dataclass(frozen=True)
class OpenPoseFormat:
    """A skeleton: its name, keypoint count and where each KEYPOINTS name sits in it."""

    name: str
    count: int
    index: Mapping[str, int]

    def column(self, name: str) -> int | None:
        """Return the position of ``name`` in this skeleton, or None if it has no such point."""
        return self.index.get(name)


_COCO17 = {
    "nose": 0,
    "left_shoulder": 5,
    "right_shoulder": 6,
    "left_elbow": 7,
    "right_elbow": 8,
    "left_wrist": 9,
    "right_wrist": 10,
    "left_hip": 11,
    "right_hip": 12,
    "left_knee": 13,
    "right_knee": 14,
    "left_ankle": 15,
    "right_ankle": 16,
}
_BODY25 = {
    "nose": 0,
    "right_shoulder": 2,
    "right_elbow": 3,
    "right_wrist": 4,
    "left_shoulder": 5,
    "left_elbow": 6,
    "left_wrist": 7,
    "right_hip": 9,
    "right_knee": 10,
    "right_ankle": 11,
    "left_hip": 12,
    "left_knee": 13,
    "left_ankle": 14,
    "left_foot_index": 19,  # big toe
    "left_heel": 21,
    "right_foot_index": 22,
    "right_heel": 24,
}
_COCO18 = {
    "nose": 0,
    "right_shoulder": 2,
    "right_elbow": 3,
    "right_wrist": 4,
    "left_shoulder": 5,
    "left_elbow": 6,
    "left_wrist": 7,
    "right_hip": 8,
    "right_knee": 9,
    "right_ankle": 10,
    "left_hip": 11,
    "left_knee": 12,
    "left_ankle": 13,
}
_HALPE26 = {
    **_COCO17,
    "left_foot_index": 20,  # big toe
    "right_foot_index": 21,
    "left_heel": 24,
    "right_heel": 25,
}

FORMATS: Mapping[int, OpenPoseFormat] = {
    f.count: f
    for f in (
        OpenPoseFormat("COCO_17", 17, _COCO17),
        OpenPoseFormat("COCO_18", 18, _COCO18),
        OpenPoseFormat("BODY_25", 25, _BODY25),
        OpenPoseFormat("HALPE_26", 26, _HALPE26),
    )
}


def _frame_number(path: Path) -> int | None:
    numbers = re.findall(r"\d+", path.name[: -len(SUFFIX)])
    return int(numbers[-1]) if numbers else None


def list_keypoint_files(folder: str | Path) -> list[tuple[int, Path]]:
    """Return ``(frame index, file)`` for every ``*_keypoints.json`` in ``folder``, in order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"OpenPose folder not found: {folder}")
    files = sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file())
    if not files:
        raise InputError(f"{folder} contains no OpenPose files (*{SUFFIX})")
    numbers = [_frame_number(p) for p in files]
    if any(n is None for n in numbers):
        return list(enumerate(files))
    known = [n for n in numbers if n is not None]
    if len(set(known)) != len(known):
        raise InputError(f"{folder}: two keypoint files carry the same frame number")
    first = min(known)
    return sorted((n - first, p) for n, p in zip(known, files, strict=True))


def parse_person(
    values: Any, path: Path, person: int, expected: OpenPoseFormat | None
) -> tuple[Detection, OpenPoseFormat]:
    """Return one person's Detection and skeleton from its ``pose_keypoints_2d`` list."""
    where = f"{path}: people[{person}].pose_keypoints_2d"
    if not isinstance(values, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    ):
        raise InputError(f"{where} must be a list of numbers")
    if len(values) % 3:
        raise InputError(f"{where} has {len(values)} values, not x, y, confidence triples")
    count = len(values) // 3
    form = FORMATS.get(count)
    if form is None:
        known = ", ".join(f"{f.name} ({n})" for n, f in FORMATS.items())
        raise InputError(f"{where} has {count} keypoints; known skeletons: {known}")
    if expected is not None and form is not expected:
        raise InputError(f"{where} is {form.name} but earlier people are {expected.name}")
    table = np.asarray(values, dtype=np.float64).reshape(count, 3)
    if not np.isfinite(table).all():
        raise InputError(f"{where} contains non-finite values")
    xy = np.full((len(KEYPOINTS), 2), np.nan)
    score = np.zeros(len(KEYPOINTS))
    for k, name in enumerate(KEYPOINTS):
        column = form.column(name)
        if column is not None and table[column, 2] > 0:
            xy[k] = table[column, :2]
            score[k] = min(table[column, 2], 1.0)
    return Detection(xy=xy, score=score), form


def read_keypoint_file(
    path: Path, *, expected: OpenPoseFormat | None = None
) -> tuple[list[Detection], OpenPoseFormat | None]:
    """Return the people of one JSON file and their skeleton (None when nobody is in it)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
            "the file is malformed or was cut short"
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read ({error})") from error
    if not isinstance(document, dict) or not isinstance(document.get("people"), list):
        raise InputError(f"{path}: no 'people' list (is this an OpenPose keypoints file?)")
    people: list[Detection] = []
    form = expected
    for i, entry in enumerate(document["people"]):
        if not isinstance(entry, dict) or "pose_keypoints_2d" not in entry:
            raise InputError(f"{path}: people[{i}] has no 'pose_keypoints_2d'")
        if not entry["pose_keypoints_2d"]:
            continue  # OpenPose writes an empty list for a person it dropped
        detection, form = parse_person(entry["pose_keypoints_2d"], path, i, form)
        people.append(detection)
    return people, form


FPS_ALLOWED = "a positive number of frames per second"


def check_fps(fps: float | None, source: Path) -> float:
    """Return ``fps`` if it is a positive number; InputError saying it is required otherwise."""
    if fps is None:
        raise InputError(
            f"is required for OpenPose JSON input ({source} has no time base)",
            field="fps",
            allowed=FPS_ALLOWED,
        )
    if not np.isfinite(fps) or fps <= 0:
        raise InputError(field="fps", value=fps, allowed=FPS_ALLOWED)
    return float(fps)


def iter_openpose(folder: str | Path, *, fps: float | None) -> Iterator[FramePoses]:
    """Yield one :class:`FramePoses` per frame of an OpenPose JSON folder (gaps: nobody)."""
    folder = Path(folder)
    rate = check_fps(fps, folder)
    files = list_keypoint_files(folder)
    form: OpenPoseFormat | None = None
    expected_index = 0
    for index, path in files:
        while expected_index < index:  # a frame whose file is missing: nobody found
            yield FramePoses(index=expected_index, time_s=expected_index / rate)
            expected_index += 1
        people, form = read_keypoint_file(path, expected=form)
        yield FramePoses(index=index, time_s=index / rate, people=tuple(people))
        expected_index = index + 1


def count_frames(folder: str | Path) -> int:
    """Return the number of frames an OpenPose folder spans (last index + 1)."""
    files = list_keypoint_files(folder)
    return files[-1][0] + 1
