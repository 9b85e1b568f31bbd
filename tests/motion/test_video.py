"""Streaming decoder: frames, rotation, seeking, bounded memory, and every bad input."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from hiplab.errors import InputError
from hiplab.motion.video import (
    TruncatedVideoError,
    container_kind,
    iter_frames,
    iter_scaled_frames,
    normalise_rotation,
    probe_video,
    rotate_frame,
)
from tests.motion.demo_video import faststart, marker_frames, set_rotation, write_video


@pytest.fixture
def small_video(tmp_path: Path) -> Path:
    return write_video(tmp_path / "small.mp4", marker_frames(20), fps=25)


def _white_corner(image: np.ndarray) -> tuple[float, float]:
    """Return the (row, column) centre of the white marker."""
    rows, cols = np.nonzero(image[..., 0] > 200)
    keep = rows < image.shape[0] - 12  # ignore the frame-number bar
    return float(rows[keep].mean()), float(cols[keep].mean())


def test_probe_reports_size_rate_count(small_video: Path) -> None:
    info = probe_video(small_video)
    assert (info.width, info.height, info.frame_count, info.rotation) == (160, 120, 20, 0)
    assert info.fps == pytest.approx(25.0)


def test_frames_stream_in_order_with_times(small_video: Path) -> None:
    frames = list(iter_frames(probe_video(small_video)))
    assert [f.index for f in frames] == list(range(20))
    assert frames[0].image.shape == (120, 160, 3)
    assert frames[0].image.dtype == np.uint8
    assert [f.time_s for f in frames] == pytest.approx([i / 25 for i in range(20)], abs=1e-3)


def test_seek_starts_at_the_requested_frame(small_video: Path) -> None:
    info = probe_video(small_video)
    every = {f.index: f.image for f in iter_frames(info)}
    part = list(iter_frames(info, start=7, stop=12))
    assert [f.index for f in part] == [7, 8, 9, 10, 11]
    for frame in part:
        assert np.array_equal(frame.image, every[frame.index])


def test_queue_is_bounded_and_early_stop_ends_the_decoder(small_video: Path) -> None:
    before = threading.active_count()
    frames = iter_frames(probe_video(small_video), queue_frames=2)
    first = next(frames)
    assert first.index == 0
    frames.close()
    assert threading.active_count() == before


@pytest.mark.parametrize(
    ("degrees", "rotation"), [(90.0, 90), (-90.0, 270), (180.0, 180), (0.0, 0)]
)
def test_normalise_rotation(degrees: float, rotation: int) -> None:
    assert normalise_rotation(degrees) == rotation


def test_odd_rotation_is_refused() -> None:
    with pytest.raises(InputError, match="multiples of 90"):
        normalise_rotation(45.0)


def test_rotate_frame_turns_clockwise() -> None:
    image = np.zeros((2, 3, 3), dtype=np.uint8)
    image[0, 0] = 255  # top-left
    assert rotate_frame(image, 90)[0, 1, 0] == 255  # clockwise: top-left goes top-right
    assert rotate_frame(image, 90).shape == (3, 2, 3)
    assert rotate_frame(image, 180)[1, 2, 0] == 255
    assert rotate_frame(image, 270)[2, 0, 0] == 255
    assert rotate_frame(image, 0) is image


@pytest.mark.parametrize(
    ("degrees", "corner"),
    [(90, "top-right"), (180, "bottom-right"), (270, "bottom-left")],
)
def test_rotation_tag_is_honoured(
    tmp_path: Path, small_video: Path, degrees: int, corner: str
) -> None:
    """A phone-style rotation matrix in the track header turns the frames upright."""
    tagged = tmp_path / f"rot{degrees}.mp4"
    tagged.write_bytes(set_rotation(faststart(small_video.read_bytes()), degrees))
    info = probe_video(tagged)
    assert info.rotation == degrees
    upright = (120, 160) if degrees == 180 else (160, 120)
    assert (info.height, info.width) == upright
    frame = next(iter(iter_frames(info)))
    assert frame.image.shape[:2] == upright
    row, col = _white_corner(frame.image)
    height, width = upright
    expected = {
        "top-right": (row < height / 2, col > width / 2),
        "bottom-right": (row > height / 2, col > width / 2),
        "bottom-left": (row > height / 2, col < width / 2),
    }[corner]
    assert expected == (True, True)


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_scaled_frames_are_upright_small_copies_of_every_frame(
    tmp_path: Path, small_video: Path, degrees: int
) -> None:
    """The annotated video's second pass: every frame, in order, upright, scaled to the size."""
    tagged = tmp_path / f"rot{degrees}.mp4"
    tagged.write_bytes(set_rotation(faststart(small_video.read_bytes()), degrees))
    info = probe_video(tagged)
    size = (info.width // 2, info.height // 2)
    full = list(iter_frames(info))
    small = list(iter_scaled_frames(info, size))
    assert [f.index for f in small] == list(range(20))
    assert all(f.image.shape == (size[1], size[0], 3) for f in small)
    row, col = _white_corner(small[3].image)
    full_row, full_col = _white_corner(full[3].image)
    # within 8 px (the bar cut-off of _white_corner trims the half-size marker); a wrong
    # orientation would put it 60+ px away
    assert (row * 2, col * 2) == (pytest.approx(full_row, abs=8), pytest.approx(full_col, abs=8))
    assert small[5].time_s == pytest.approx(5 / 25)


def test_scaled_frames_stop_cleanly_when_the_consumer_stops(small_video: Path) -> None:
    before = threading.active_count()
    frames = iter_scaled_frames(probe_video(small_video), (80, 60), queue_frames=2)
    assert next(frames).index == 0
    frames.close()
    assert threading.active_count() == before


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"video file not found: .*nope\.mp4"):
        probe_video(tmp_path / "nope.mp4")


def test_directory_is_not_a_video(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        probe_video(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        probe_video(empty)


def test_text_file_named_mp4_is_not_a_video(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("these are my squat notes, not a video\n")
    assert container_kind(text) is None
    with pytest.raises(InputError, match=r"notes\.mp4 is not a video"):
        probe_video(text)


def test_zero_frames(tmp_path: Path) -> None:
    """OpenCV's writer closed before any frame: a valid MP4 container without a video stream."""
    import cv2

    path = tmp_path / "zero.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (160, 120))
    writer.release()
    assert container_kind(path) == "MP4/QuickTime"
    with pytest.raises(InputError, match=r"no decodable video stream \(zero frames"):
        probe_video(path)


def test_zero_decodable_frames(tmp_path: Path, small_video: Path) -> None:
    """The header survives but the media data is gone: it opens and yields nothing."""
    data = faststart(small_video.read_bytes())
    mdat = data.index(b"mdat")
    cut = tmp_path / "headless.mp4"
    cut.write_bytes(data[: mdat + 8])
    with pytest.raises(InputError, match="contains no decodable video frames"):
        probe_video(cut)


def test_truncated_mid_file_reports_frames_read(tmp_path: Path) -> None:
    """Bytes cut in the middle of the media data: the frames before are read, marked partial."""
    source = write_video(tmp_path / "noisy.mp4", _noisy_frames(30), fps=25)
    data = faststart(source.read_bytes())
    mdat = data.index(b"mdat")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: mdat + (len(data) - mdat) // 2])
    info = probe_video(cut)
    assert info.frame_count == 30
    read: list[int] = []
    with pytest.raises(TruncatedVideoError) as caught:
        read.extend(frame.index for frame in iter_frames(info))
    error = caught.value
    assert isinstance(error, InputError)
    assert 0 < error.frames_read < 30
    assert error.frames_read == len(read)
    assert error.frames_declared == 30
    assert f"only the first {error.frames_read} frames could be read" in str(error)
    assert "partial" in str(error)


def test_truncated_end_loses_the_index(tmp_path: Path, small_video: Path) -> None:
    """OpenCV writes the index last: without it the file does not open at all."""
    data = small_video.read_bytes()
    cut = tmp_path / "cut_end.mp4"
    cut.write_bytes(data[: len(data) * 3 // 4])
    with pytest.raises(InputError, match="no decodable video stream"):
        probe_video(cut)


def _noisy_frames(count: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (120, 160, 3), dtype=np.uint8) for _ in range(count)]
