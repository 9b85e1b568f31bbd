"""Pose backends: the registry, the landmark mapping, and both MediaPipe models on a real frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hiplab.errors import InputError
from hiplab.motion.keypoints import INDEX, KEYPOINTS
from hiplab.motion.pose import (
    BACKENDS,
    MEDIAPIPE,
    MEDIAPIPE_LANDMARKS,
    MEDIAPIPE_TASK,
    MediapipeParams,
    MediapipeTaskParams,
    create_estimator,
    get_backend,
    landmarks_to_detection,
)
from hiplab.motion.pose_extraction import extract_track
from hiplab.motion.video import iter_frames, probe_video


def demo_rgb(video: Path, index: int) -> np.ndarray:
    import cv2

    (frame,) = list(iter_frames(probe_video(video), start=index, stop=index + 1))
    return np.asarray(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def test_registry_names_and_params() -> None:
    assert set(BACKENDS) == {"mediapipe", "mediapipe_task"}
    assert get_backend("mediapipe") is MEDIAPIPE
    assert MEDIAPIPE.params_type is MediapipeParams
    assert MEDIAPIPE_TASK.params_type is MediapipeTaskParams
    with pytest.raises(
        InputError, match="unknown pose backend 'openpifpaf'; allowed: mediapipe, mediapipe_task"
    ):
        get_backend("openpifpaf")


def test_params_are_checked() -> None:
    with pytest.raises(
        InputError, match=r"min_detection_confidence must be between 0 and 1; got 1\.5"
    ):
        MediapipeParams(min_detection_confidence=1.5)
    with pytest.raises(InputError, match="num_poses must be between 1 and 10; got 0"):
        MediapipeTaskParams(model=Path("x.task"), num_poses=0)
    with pytest.raises(TypeError, match="takes MediapipeTaskParams; got MediapipeParams"):
        create_estimator(MEDIAPIPE_TASK, MediapipeParams())


def test_landmark_mapping() -> None:
    rows = np.zeros((33, 3))
    rows[:, 0] = np.arange(33) / 100  # x encodes the landmark number
    rows[:, 1] = 0.5
    rows[:, 2] = np.linspace(-0.5, 1.5, 33)  # out-of-range visibility is clipped
    det = landmarks_to_detection(rows, width=1000, height=200)
    assert det.xy[INDEX["left_hip"]].tolist() == pytest.approx([230.0, 100.0])  # MediaPipe 23
    assert det.xy[INDEX["right_foot_index"]].tolist() == pytest.approx([320.0, 100.0])  # 32
    assert det.xy[INDEX["nose"], 0] == 0.0
    assert len(MEDIAPIPE_LANDMARKS) == len(KEYPOINTS)
    assert det.score.min() >= 0.0 and det.score.max() <= 1.0
    with pytest.raises(ValueError, match=r"expected \(33, 3\)"):
        landmarks_to_detection(np.zeros((17, 3)), 1, 1)


def test_bundled_model_finds_the_man_on_the_roof(demo_video_path: Path) -> None:
    """In an 800 px square around the roof (scaled to 400 px) the man is found frame after frame."""
    import cv2

    estimator = create_estimator(MEDIAPIPE, MediapipeParams())
    found = []
    try:
        assert estimator.single_person
        for i in range(10, 20):
            crop = demo_rgb(demo_video_path, i)[0:800, 300:1100]
            small = np.asarray(cv2.resize(crop, (400, 400)), dtype=np.uint8)
            found.append(estimator.estimate(small, timestamp_ms=i * 33))
    finally:
        estimator.close()
    assert sum(len(f) == 1 for f in found) >= 8
    person = found[-1][0]
    assert person.score[INDEX["left_hip"]] > 0.5
    hip = person.xy[INDEX["left_hip"]] * 2 + [300, 0]  # back to frame pixels
    assert 450 < hip[0] < 850 and 100 < hip[1] < 450  # on the roof, upper middle of the frame
    nose, ankle = person.xy[INDEX["nose"]], person.xy[INDEX["left_ankle"]]
    assert nose[1] < person.xy[INDEX["left_hip"], 1] < ankle[1]  # pixels, y down


def test_task_bundle_finds_both_people(demo_video_path: Path, pose_task: Path) -> None:
    estimator = create_estimator(MEDIAPIPE_TASK, MediapipeTaskParams(model=pose_task, num_poses=3))
    try:
        assert not estimator.single_person
        import cv2

        people: list[object] = []
        for frame in iter_frames(probe_video(demo_video_path), stop=66):
            rgb = np.asarray(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), dtype=np.uint8)
            people = estimator.estimate(rgb, timestamp_ms=frame.index * 33)
    finally:
        estimator.close()
    hips = sorted(p.xy[INDEX["left_hip"]].tolist() for p in people)  # type: ignore[attr-defined]
    assert len(hips) >= 2
    assert hips[0][1] < 500  # the man on the roof
    assert hips[-1][1] > 600  # the woman walking below


def test_task_model_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"pose model not found: .*missing\.task"):
        create_estimator(MEDIAPIPE_TASK, MediapipeTaskParams(model=tmp_path / "missing.task"))
    junk = tmp_path / "junk.task"
    junk.write_text("not a model")
    with pytest.raises(
        InputError, match=r"junk\.task is not a usable MediaPipe pose landmarker bundle"
    ):
        create_estimator(MEDIAPIPE_TASK, MediapipeTaskParams(model=junk))


def test_backend_choice_errors(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"  # never opened: the choice is checked first
    with pytest.raises(InputError, match="used by the mediapipe_task backend, not by mediapipe"):
        extract_track(video, backend="mediapipe", model=tmp_path / "m.task")
    with pytest.raises(InputError, match="model is needed by backend mediapipe_task") as no_model:
        extract_track(video, backend="mediapipe_task")
    assert no_model.value.field == "model" and "--" not in str(no_model.value)
    with pytest.raises(InputError, match="unknown pose backend 'yolo'"):
        extract_track(video, backend="yolo")
