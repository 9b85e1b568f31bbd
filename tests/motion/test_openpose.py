"""OpenPose JSON folders: skeletons by keypoint count, several people, every malformed input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hiplab.errors import InputError
from hiplab.motion.keypoints import INDEX, KEYPOINTS, Detection
from hiplab.motion.openpose import FORMATS, iter_openpose, list_keypoint_files, read_keypoint_file
from hiplab.motion.pose_extraction import extract_track
from hiplab.testing.synthetic import CaptureOptions, squat


def flat(det: Detection, count: int) -> list[float]:
    """Return a detection as the flat OpenPose list of a ``count``-point skeleton."""
    table = np.zeros((count, 3))
    for name, column in FORMATS[count].index.items():
        k = INDEX[name]
        if det.score[k] > 0:
            table[column] = [*det.xy[k], det.score[k]]
    return [round(float(v), 3) for v in table.ravel()]


def write_folder(folder: Path, frames: list[list[list[float]]], start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, people in enumerate(frames):
        document = {
            "version": 1.3,
            "people": [{"person_id": [-1], "pose_keypoints_2d": p} for p in people],
        }
        (folder / f"clip_{start + i:012d}_keypoints.json").write_text(json.dumps(document))
    return folder


def person(x: float = 100.0, y: float = 50.0, score: float = 0.9) -> Detection:
    """A standing person: keypoints in KEYPOINTS order going down from (x, y)."""
    xy = np.array(
        [[x + (5 if "right" in n else -5), y + 10.0 * k] for k, n in enumerate(KEYPOINTS)]
    )
    return Detection(xy=xy, score=np.full(len(KEYPOINTS), score))


def test_body25_points_land_on_their_names(tmp_path: Path) -> None:
    values = [0.0] * 75
    values[9 * 3 : 9 * 3 + 3] = [300.0, 400.0, 0.8]  # BODY_25 9 = right hip
    values[21 * 3 : 21 * 3 + 3] = [250.0, 700.0, 0.6]  # 21 = left heel
    values[19 * 3 : 19 * 3 + 3] = [270.0, 710.0, 0.7]  # 19 = left big toe
    path = tmp_path / "a_000000000000_keypoints.json"
    path.write_text(json.dumps({"people": [{"pose_keypoints_2d": values}]}))
    (det,), form = read_keypoint_file(path)
    assert form is not None and form.name == "BODY_25"
    assert det.xy[INDEX["right_hip"]].tolist() == [300.0, 400.0]
    assert det.score[INDEX["right_hip"]] == pytest.approx(0.8)
    assert det.xy[INDEX["left_heel"]].tolist() == [250.0, 700.0]
    assert det.xy[INDEX["left_foot_index"]].tolist() == [270.0, 710.0]
    assert np.isnan(det.xy[INDEX["left_hip"]]).all()  # confidence 0: not found
    assert det.score[INDEX["left_hip"]] == 0.0


@pytest.mark.parametrize(
    ("count", "name"), [(17, "COCO_17"), (18, "COCO_18"), (25, "BODY_25"), (26, "HALPE_26")]
)
def test_skeleton_told_by_keypoint_count(tmp_path: Path, count: int, name: str) -> None:
    truth = person()
    path = write_folder(tmp_path, [[flat(truth, count)]]) / "clip_000000000000_keypoints.json"
    (det,), form = read_keypoint_file(path)
    assert form is not None and form.name == name
    for k, key in enumerate(KEYPOINTS):
        if key in FORMATS[count].index:
            assert det.xy[k] == pytest.approx(truth.xy[k], abs=1e-3)
        else:  # COCO has no feet
            assert det.score[k] == 0.0 and np.isnan(det.xy[k]).all()


def test_several_people_per_file(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, [[flat(person(100), 25), flat(person(400), 25), []]])
    (poses,) = list(iter_openpose(folder, fps=30))
    assert len(poses.people) == 2  # an empty list is a dropped person
    assert [p.xy[0, 0] for p in poses.people] == pytest.approx([95.0, 395.0])


def test_missing_files_are_frames_with_nobody(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, [[flat(person(), 18)]], start=5)
    write_folder(folder, [[flat(person(), 18)]], start=8)
    assert [i for i, _ in list_keypoint_files(folder)] == [0, 3]
    frames = list(iter_openpose(folder, fps=10))
    assert [f.index for f in frames] == [0, 1, 2, 3]
    assert [len(f.people) for f in frames] == [1, 0, 0, 1]
    assert frames[3].time_s == pytest.approx(0.3)


def test_fps_is_required(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, [[flat(person(), 25)]])
    with pytest.raises(InputError, match="fps is required for OpenPose JSON input") as missing:
        extract_track(folder)
    assert missing.value.field == "fps" and "--" not in str(missing.value)
    with pytest.raises(InputError, match="fps -5 is not allowed; allowed: a positive") as bad:
        extract_track(folder, fps=-5)
    assert (bad.value.field, bad.value.value) == ("fps", -5)


def test_malformed_json_names_file_and_problem(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, [[flat(person(), 25)]] * 3)
    bad = folder / "clip_000000000001_keypoints.json"
    bad.write_text('{"people": [{"pose_keypoints_2d": [1, 2, 0.5,,]}]}')
    with pytest.raises(
        InputError, match=r"clip_000000000001_keypoints\.json: not valid JSON \(.* line 1"
    ):
        extract_track(folder, fps=30)


def test_partial_json_cut_short(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, [[flat(person(), 25)]] * 2)
    cut = folder / "clip_000000000001_keypoints.json"
    cut.write_text(cut.read_text()[:40])
    with pytest.raises(InputError, match=r"clip_000000000001_keypoints\.json: .*cut short"):
        list(iter_openpose(folder, fps=30))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": 1.3}, "no 'people' list"),
        ([1, 2, 3], "no 'people' list"),
        ({"people": [{"face_keypoints_2d": []}]}, r"people\[0\] has no 'pose_keypoints_2d'"),
        (
            {"people": [{"pose_keypoints_2d": [1.0] * 60}]},
            "has 20 keypoints; known skeletons: COCO_17",
        ),
        (
            {"people": [{"pose_keypoints_2d": [1.0] * 53}]},
            "53 values, not x, y, confidence triples",
        ),
        ({"people": [{"pose_keypoints_2d": ["a"] * 75}]}, "must be a list of numbers"),
    ],
)
def test_bad_documents(tmp_path: Path, document: object, message: str) -> None:
    path = tmp_path / "x_000000000000_keypoints.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=message) as caught:
        read_keypoint_file(path)
    assert "x_000000000000_keypoints.json" in str(caught.value)


def test_mixed_skeletons_are_refused(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, [[flat(person(), 25)], [flat(person(), 18)]])
    with pytest.raises(InputError, match="is COCO_18 but earlier people are BODY_25"):
        list(iter_openpose(folder, fps=30))


def test_no_folder_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="OpenPose folder not found"):
        list_keypoint_files(tmp_path / "missing")
    with pytest.raises(InputError, match=r"contains no OpenPose files \(\*_keypoints\.json\)"):
        extract_track(tmp_path, fps=30)


def test_nobody_in_any_frame(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, [[], []])
    with pytest.raises(InputError, match="no person found in any of its 2 frames"):
        extract_track(folder, fps=30)


def _squat_folder(tmp_path: Path, count: int = 25, **options: object) -> tuple[Path, object]:
    capture = squat(CaptureOptions(distractor=True, **options), reps=1)  # type: ignore[arg-type]
    frames = [[flat(p, count) for p in poses.people] for poses in capture.frames]
    return write_folder(tmp_path / "json", frames), capture


def test_folder_track_keeps_the_subject_past_a_distractor(tmp_path: Path) -> None:
    folder, capture = _squat_folder(tmp_path)
    track = extract_track(folder, fps=30)
    assert (track.width, track.height, track.fps) == (0, 0, 30)
    assert track.frames == capture.track.frames  # type: ignore[attr-defined]
    assert track.time_s[:3] == pytest.approx([0, 1 / 30, 2 / 30])
    truth = capture.track.xy  # type: ignore[attr-defined]
    ok = ~track.lost
    assert ok.mean() > 0.9
    error = np.linalg.norm(track.xy[ok] - truth[ok], axis=-1)
    assert np.nanmax(error) < 1.0  # never the distractor (hundreds of pixels away)


def test_person_box_selects_the_distractor(tmp_path: Path) -> None:
    folder, capture = _squat_folder(tmp_path)
    first = capture.frames[0]  # type: ignore[attr-defined]
    slot = capture.subject_slot[0]  # type: ignore[attr-defined]
    other = first.people[1 - slot]
    box = other.box()
    assert box is not None
    track = extract_track(folder, fps=30, person_box=box)
    assert not track.lost.any()
    for i, poses in enumerate(capture.frames):  # type: ignore[attr-defined]
        slot = capture.subject_slot[i]  # type: ignore[attr-defined]
        (walker,) = [p for j, p in enumerate(poses.people) if j != slot]
        assert track.xy[i] == pytest.approx(walker.xy, abs=1e-2)  # through the crossing too
