"""extract_track end to end: the real demo video through the real model, and scripted videos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hiplab.errors import InputError
from hiplab.motion import pose
from hiplab.motion.keypoints import KeypointTrack
from hiplab.motion.pose_extraction import extract_track
from hiplab.motion.video import TruncatedVideoError
from tests.motion.demo_video import (
    BoxModel,
    BoxModelParams,
    DemoTrackRun,
    Walker,
    box_frames,
    clip,
    faststart,
    set_rotation,
    write_video,
)


def hips(track: KeypointTrack) -> np.ndarray:
    return (track.point("left_hip") + track.point("right_hip")) / 2


# --- the real demo video: a man jumping on a roof, a woman walking past below -------------------


@pytest.fixture
def demo_track(demo_track_run: DemoTrackRun) -> tuple[KeypointTrack, list[tuple[int, int]]]:
    """The demo's track and progress calls, extracted once for the session (tests/conftest.py)."""
    return demo_track_run.track, list(demo_track_run.progress)


def test_demo_track_shape_and_time(demo_track: tuple[KeypointTrack, list[tuple[int, int]]]) -> None:
    track, calls = demo_track
    assert (track.frames, track.width, track.height, track.fps) == (230, 1768, 994, 30.0)
    assert track.xy.shape == (230, 17, 2)
    assert track.time_s[:3] == pytest.approx([0.0, 1 / 30, 2 / 30], abs=1e-3)
    assert np.isnan(track.xy[track.lost]).all() and (track.score[track.lost] == 0).all()
    assert calls[-1] == (230, 230)  # progress reached the end
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_demo_subject_found_on_most_frames(
    demo_track: tuple[KeypointTrack, list[tuple[int, int]]],
) -> None:
    track, _ = demo_track
    assert (~track.lost).mean() > 0.75


def test_demo_subject_is_the_jumping_man_throughout(
    demo_track: tuple[KeypointTrack, list[tuple[int, int]]],
) -> None:
    """The bundled model alone leaves him for the walking woman in frames ~170-200.

    The woman walks right to left along the bottom of the frame (hips y ≈ 730,
    x from ~1500 at frame 40 to ~0 at frame 200); the man is on the roof (hips
    y < 460, x 600-900) until he somersaults down to the right (x > 950) and
    runs off to the right.
    """
    track, _ = demo_track
    hip = hips(track)
    ok = ~track.lost
    roof = [i for i in range(10, 150) if ok[i]]
    assert len(roof) > 120
    assert all(600 < hip[i, 0] < 900 and hip[i, 1] < 460 for i in roof)
    landed = [i for i in range(200, 226) if ok[i]]
    assert len(landed) > 20
    assert all(hip[i, 0] > 1000 for i in landed)
    crossing = range(160, 205)
    assert all(hip[i, 0] > 700 for i in crossing if ok[i])  # never the woman (x < 450 there)
    assert any(track.lost[i] for i in crossing)  # lost while he somersaults, and reported


def test_demo_track_has_no_identity_jumps(
    demo_track: tuple[KeypointTrack, list[tuple[int, int]]],
) -> None:
    track, _ = demo_track
    hip = hips(track)
    shoulders = (track.point("left_shoulder") + track.point("right_shoulder")) / 2
    ankles = (track.point("left_ankle") + track.point("right_ankle")) / 2
    height = float(np.nanmedian(np.linalg.norm(shoulders - ankles, axis=1)))
    assert 200 < height < 400
    ok = ~track.lost
    both = ok[1:] & ok[:-1]
    step = np.abs(np.diff(hip[:, 0]))[both]
    assert step.max() < 0.25 * height  # consecutive frames: no jump to somebody else
    found = np.flatnonzero(ok)
    gaps = np.diff(found)
    moved = np.abs(np.diff(hip[found, 0]))
    assert (moved < 0.25 * height * gaps + 0.6 * height).all()  # across lost gaps: plausible speed


def test_person_box_follows_the_woman(demo_video_path: Path, tmp_path: Path) -> None:
    """Frames 100-159 of the demo video; a box drawn around the woman selects her."""
    short = clip(demo_video_path, tmp_path / "clip.mp4", 100, 160)
    track = extract_track(short, person_box=(880, 540, 300, 420))
    hip = hips(track)
    ok = ~track.lost
    assert track.frames == 60
    assert ok.mean() > 0.8
    assert (hip[ok, 1] > 600).all()  # below the roof, where she walks
    assert hip[ok, 0][-1] < hip[ok, 0][0] - 150  # walking to the left


# --- scripted videos through a fake model (registered as a backend) ---------------------------


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> str:
    backend = pose.PoseBackend("boxes", "test boxes", BoxModelParams, BoxModel)
    monkeypatch.setitem(pose.BACKENDS, "boxes", backend)  # type: ignore[attr-defined]
    return "boxes"


def crossing_video(path: Path, n: int = 70) -> tuple[Path, Walker, Walker]:
    subject = Walker(np.full(n, 300.0), floor=480, height=200, color=(0, 200, 0))
    walker = Walker(np.linspace(1150, -200, n), floor=500, height=280, color=(0, 0, 220))
    return write_video(path, box_frames([walker, subject], n), fps=30), subject, walker


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_workers_keep_the_subject(tmp_path: Path, boxes: str, workers: int) -> None:
    video, _, _ = crossing_video(tmp_path / "cross.mp4")
    track = extract_track(video, backend=boxes, workers=workers)
    hip = hips(track)
    ok = ~track.lost
    assert ok.mean() > 0.5
    assert np.abs(hip[ok, 0] - 300).max() < 40
    assert np.ptp(track.xy[ok][:, :, 1], axis=1).max() < 240  # never the 280 px passer-by


def test_interleaved_workers_are_deterministic(tmp_path: Path, boxes: str) -> None:
    video, _, _ = crossing_video(tmp_path / "cross.mp4")
    first = extract_track(video, backend=boxes, workers=2)
    second = extract_track(video, backend=boxes, workers=2)
    assert np.array_equal(first.lost, second.lost)
    assert np.array_equal(first.xy, second.xy, equal_nan=True)


def test_fps_override_sets_the_time_base(tmp_path: Path, boxes: str) -> None:
    video, _, _ = crossing_video(tmp_path / "cross.mp4", n=20)
    track = extract_track(video, backend=boxes, fps=240)
    assert track.fps == 240
    assert track.time_s == pytest.approx(np.arange(20) / 240)


def test_rotated_video_gives_upright_coordinates(tmp_path: Path, boxes: str) -> None:
    """Stored lying on its side with a 90° tag, as phones store portrait videos."""
    n = 12
    lying = Walker(np.full(n, 260.0), floor=300, height=200, color=(0, 200, 0))
    stored = write_video(tmp_path / "stored.mp4", box_frames([lying], n, width=640, height=360))
    tagged = tmp_path / "tagged.mp4"
    tagged.write_bytes(set_rotation(faststart(stored.read_bytes()), 90))
    track = extract_track(tagged, backend=boxes)
    assert (track.width, track.height) == (360, 640)
    x, y, w, h = lying.box(0)
    centre = np.array([360 - (y + h / 2), x + w / 2])  # clockwise turn of the stored centre
    ok = ~track.lost
    middle = np.nanmean(track.xy[ok], axis=1)
    assert np.abs(middle - centre).max() < 0.25 * h


def test_truncated_video_returns_a_partial_track(tmp_path: Path, boxes: str) -> None:
    video, _, _ = crossing_video(tmp_path / "cross.mp4", n=40)
    data = faststart(video.read_bytes())
    mdat = data.index(b"mdat")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: mdat + (len(data) - mdat) // 2])
    with pytest.raises(TruncatedVideoError, match="partial, not a complete result") as caught:
        extract_track(cut, backend=boxes, workers=2)
    error = caught.value
    partial = error.partial
    assert isinstance(partial, KeypointTrack)
    assert 0 < partial.frames == error.frames_read < error.frames_declared == 40
    assert not partial.lost[:5].any()


def test_no_person_anywhere(tmp_path: Path, boxes: str) -> None:
    empty = write_video(tmp_path / "empty.mp4", box_frames([], 10))
    with pytest.raises(InputError, match="no person found in any of its 10 frames"):
        extract_track(empty, backend=boxes)


def test_bad_arguments(tmp_path: Path, boxes: str) -> None:
    video, _, _ = crossing_video(tmp_path / "cross.mp4", n=5)
    with pytest.raises(InputError, match="workers must be at least 1; got 0"):
        extract_track(video, backend=boxes, workers=0)
    with pytest.raises(InputError, match="allowed: four numbers x,y,w,h") as short:
        extract_track(video, backend=boxes, person_box=(1, 2, 3))
    assert short.value.field == "person_box"
    with pytest.raises(InputError, match="width or height that is not positive") as flat:
        extract_track(video, backend=boxes, person_box=(1, 2, 0, 5))
    assert (flat.value.field, flat.value.value) == ("person_box", (1.0, 2.0, 0.0, 5.0))
    with pytest.raises(InputError, match="video file not found"):
        extract_track(tmp_path / "missing.mp4", backend=boxes)
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(InputError, match="is not a video"):
        extract_track(text, backend=boxes)


def test_a_worker_failure_is_raised_not_hung(
    tmp_path: Path, boxes: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    video, _, _ = crossing_video(tmp_path / "cross.mp4", n=30)
    original = BoxModel.estimate

    def flaky(self: BoxModel, rgb: np.ndarray, *, timestamp_ms: int) -> list[object]:
        if self.calls >= 7:
            raise RuntimeError("model crashed")
        return original(self, rgb, timestamp_ms=timestamp_ms)  # type: ignore[return-value]

    monkeypatch.setattr(BoxModel, "estimate", flaky)
    with pytest.raises(RuntimeError, match="model crashed"):
        extract_track(video, backend=boxes, workers=2)
