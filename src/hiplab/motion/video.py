"""Streaming video decoding: one frame at a time, in a decode thread, rotation honoured.

Frames come out as :class:`Frame` ``(index, time_s, image)`` with ``image`` a
BGR ``uint8`` array already turned upright: the container's rotation tag
(``CAP_PROP_ORIENTATION_META``, the clockwise angle a player applies) is applied
here with :func:`rotate_frame`, and OpenCV's own auto-rotation is switched off
so that it can never be applied twice. :class:`VideoInfo` reports the upright
width and height.

A decode thread fills a bounded queue (8 frames by default), so decoding
overlaps whatever the consumer does with a frame (pose inference) while memory
stays bounded whatever the length of the video.

Bad input raises :class:`~hiplab.errors.InputError` with a message naming the
file: missing, a directory, not a video, no video frames, and a stream that ends
before the frame count its container declares — :class:`TruncatedVideoError`,
which says how many frames could be read; the frames already yielded are then
a *partial* result and callers must not present them as complete.

Timestamps: ``time_s`` is the frame's presentation time from the container
(``CAP_PROP_POS_MSEC``), which follows variable frame rates; callers that need
``index / fps`` (see :func:`frame_times`) can use it instead.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Generator, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hiplab.errors import InputError

ImageArray = NDArray[np.uint8]

ROTATIONS: tuple[int, ...] = (0, 90, 180, 270)
"""Clockwise rotations a container may ask for, in degrees."""

DEFAULT_QUEUE_FRAMES = 4

# Leading bytes of the containers a phone or camera writes: used only to say *why*
# OpenCV could not open a file (a damaged video vs something that is not a video).
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (4, b"ftyp", "MP4/QuickTime"),
    (4, b"moov", "QuickTime"),
    (4, b"mdat", "QuickTime"),
    (4, b"free", "QuickTime"),
    (4, b"wide", "QuickTime"),
    (0, b"\x1a\x45\xdf\xa3", "Matroska/WebM"),
    (0, b"RIFF", "AVI"),
    (0, b"\x00\x00\x01\xba", "MPEG-PS"),
    (0, b"OggS", "Ogg"),
)


class TruncatedVideoError(InputError):
    """The stream ended before the declared frame count: the frames read are a partial result.

    ``partial`` may carry whatever the caller built from the frames read (for the
    pipeline: the partial :class:`~hiplab.motion.keypoints.KeypointTrack`).
    """

    def __init__(
        self, message: str, *, frames_read: int, frames_declared: int, partial: Any = None
    ) -> None:
        super().__init__(message)
        self.frames_read = frames_read
        self.frames_declared = frames_declared
        self.partial = partial


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video; ``width``/``height`` are upright (after rotation).

    ``frame_count`` is the count the container declares (0 when it declares none).
    """

    path: Path
    fps: float
    width: int
    height: int
    frame_count: int
    rotation: int = 0


@dataclass(frozen=True)
class Frame:
    """One decoded, upright BGR frame."""

    index: int
    time_s: float
    image: ImageArray


def normalise_rotation(degrees: float) -> int:
    """Return a container rotation as one of :data:`ROTATIONS` (clockwise degrees).

    >>> normalise_rotation(-90.0)
    270
    """
    value = round(degrees) % 360
    if value not in ROTATIONS:
        raise InputError(f"rotation {degrees!r}: only multiples of 90 degrees are supported")
    return value


def rotate_frame(image: ImageArray, rotation: int) -> ImageArray:
    """Return ``image`` turned clockwise by ``rotation`` degrees (0, 90, 180 or 270)."""
    if rotation == 0:
        return image
    if rotation == 180:
        return np.ascontiguousarray(image[::-1, ::-1])
    if rotation == 90:
        return np.ascontiguousarray(np.rot90(image, k=-1))
    if rotation == 270:
        return np.ascontiguousarray(np.rot90(image, k=1))
    raise ValueError(f"rotation must be one of {ROTATIONS}; got {rotation!r}")


def container_kind(path: Path) -> str | None:
    """Return the container family a file's first bytes announce, or None."""
    with path.open("rb") as handle:
        head = handle.read(16)
    for offset, magic, kind in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return kind
    return None


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"video file not found: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a video file")
    if path.stat().st_size == 0:
        raise InputError(f"{path} is empty (0 bytes): not a video")


def _open_capture(path: Path, *, threads: int = 0) -> Any:
    """Open ``path`` with OpenCV's FFmpeg backend, auto-rotation off; raise InputError if not."""
    import cv2

    _check_file(path)
    params = [cv2.CAP_PROP_N_THREADS, threads] if threads > 0 else []
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, params)
    if not capture.isOpened():
        capture.release()
        kind = container_kind(path)
        if kind is None:
            raise InputError(f"{path} is not a video: OpenCV/FFmpeg cannot read it")
        raise InputError(
            f"{path} looks like a {kind} file but has no decodable video stream "
            "(zero frames, or a damaged or truncated file)"
        )
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    return capture


def _info_from_capture(path: Path, capture: Any) -> VideoInfo:
    import cv2

    fps = float(capture.get(cv2.CAP_PROP_FPS))
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    count = max(int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), 0)
    rotation = normalise_rotation(float(capture.get(cv2.CAP_PROP_ORIENTATION_META)))
    if not np.isfinite(fps) or fps <= 0:
        raise InputError(f"{path}: the container gives no frame rate (fps={fps!r}); pass --fps")
    if width <= 0 or height <= 0:
        raise InputError(
            f"{path} contains no decodable video frames (its video stream has no frame size, "
            f"{width}x{height}: damaged or truncated file)"
        )
    if rotation in (90, 270):
        width, height = height, width
    return VideoInfo(
        path=path, fps=fps, width=width, height=height, frame_count=count, rotation=rotation
    )


def probe_video(path: str | Path) -> VideoInfo:
    """Return the :class:`VideoInfo` of a video file; InputError if it cannot be decoded.

    The first frame is decoded too, so a file whose container opens but whose
    stream holds no frame is refused here.
    """
    path = Path(path)
    capture = _open_capture(path)
    try:
        info = _info_from_capture(path, capture)
        if not capture.grab():
            declared = f" of the {info.frame_count} it declares" if info.frame_count else ""
            raise InputError(f"{path} contains no decodable video frames (0 read{declared})")
    finally:
        capture.release()
    return info


@dataclass(frozen=True)
class _End:
    frames_read: int


@dataclass(frozen=True)
class _Failed:
    error: BaseException


def _seek(capture: Any, start: int) -> None:
    """Position ``capture`` so that the next read returns frame ``start``."""
    import cv2

    if start == 0:
        return
    if capture.set(cv2.CAP_PROP_POS_FRAMES, start) and (
        int(capture.get(cv2.CAP_PROP_POS_FRAMES)) == start
    ):
        return
    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)  # container cannot seek: skip frames instead
    for _ in range(start):
        if not capture.grab():
            return


class _Buffers:
    """Frame arrays the decoder writes into again once nobody else holds them.

    Decoding into fresh 5 MB arrays at 30+ frames/s from one thread while other
    threads free them makes the C allocator keep ever more memory (about 100 MB
    more peak RSS on the demo video with two inference threads); reused arrays
    keep memory flat and save the page faults. An array is free again when only
    this pool refers to it (CPython reference counts), so a consumer may keep a
    frame as long as it likes — the pool then simply allocates another.
    """

    LIMIT = 32

    def __init__(self) -> None:
        self._arrays: list[ImageArray] = []

    def take(self, shape: tuple[int, ...]) -> ImageArray | None:
        """Return a free array of ``shape`` (None: let the decoder allocate one)."""
        for array in self._arrays:
            # referenced only by the list, the loop variable and getrefcount's argument
            if sys.getrefcount(array) <= 3 and array.shape == shape:
                return array
        return None

    def keep(self, array: ImageArray) -> None:
        """Add a newly decoded array to the pool (up to LIMIT arrays)."""
        if len(self._arrays) < self.LIMIT and not any(a is array for a in self._arrays):
            self._arrays.append(array)


class _Decoder(threading.Thread):
    """Decode frames ``[start, stop)`` into a bounded queue, then an end marker."""

    def __init__(self, capture: Any, info: VideoInfo, start: int, stop: int | None, size: int):
        super().__init__(name=f"decode-{info.path.name}-{start}", daemon=True)
        self.capture = capture
        self.info = info
        self.start_index = start
        self.stop_index = stop
        self.frames: queue.Queue[Frame | _End | _Failed] = queue.Queue(maxsize=size)
        self.cancelled = threading.Event()

    def _put(self, item: Frame | _End | _Failed) -> bool:
        while not self.cancelled.is_set():
            try:
                self.frames.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def run(self) -> None:
        import cv2

        index = self.start_index
        try:
            _seek(self.capture, index)
            buffers, shape = _Buffers(), self._shape()
            while self.stop_index is None or index < self.stop_index:
                reuse = buffers.take(shape)
                ok, image = self.capture.read() if reuse is None else self.capture.read(reuse)
                if not ok:
                    break
                buffers.keep(image)
                msec = float(self.capture.get(cv2.CAP_PROP_POS_MSEC))
                frame = Frame(index, msec / 1000.0, rotate_frame(image, self.info.rotation))
                if not self._put(frame):
                    return
                index += 1
            self._put(_End(index - self.start_index))
        except Exception as error:  # handed to the consumer thread, which re-raises it
            self._put(_Failed(error))
        finally:
            self.capture.release()

    def _shape(self) -> tuple[int, ...]:
        """Return the shape of the decoded (not yet rotated) frames."""
        if self.info.rotation in (90, 270):
            return (self.info.width, self.info.height, 3)
        return (self.info.height, self.info.width, 3)

    def cancel(self) -> None:
        self.cancelled.set()
        while True:
            try:
                self.frames.get_nowait()
            except queue.Empty:
                break
        self.join()


def _expected_frames(info: VideoInfo, start: int, stop: int | None) -> int | None:
    """Return how many frames ``[start, stop)`` must yield, or None if the container cannot say."""
    if info.frame_count <= 0:
        return None if stop is None else stop - start
    end = info.frame_count if stop is None else min(stop, info.frame_count)
    return max(end - start, 0)


def iter_frames(
    info: VideoInfo,
    *,
    start: int = 0,
    stop: int | None = None,
    queue_frames: int = DEFAULT_QUEUE_FRAMES,
    threads: int = 0,
) -> Generator[Frame, None, None]:
    """Yield the frames ``[start, stop)`` of a probed video, decoded in a background thread.

    At most ``queue_frames`` decoded frames wait in memory. ``threads`` is
    FFmpeg's decoding thread count (0: its default). When the stream ends before
    ``stop`` (or before the declared frame count), :class:`TruncatedVideoError`
    is raised after the last frame that could be read.
    """
    if start < 0 or (stop is not None and stop < start):
        raise ValueError(f"frame range [{start}, {stop}) is not valid")
    if queue_frames < 1:
        raise ValueError(f"queue_frames must be at least 1; got {queue_frames}")
    capture = _open_capture(info.path, threads=threads)
    decoder = _Decoder(capture, info, start, stop, queue_frames)
    decoder.start()
    try:
        while True:
            item = decoder.frames.get()
            if isinstance(item, Frame):
                yield item
            elif isinstance(item, _Failed):
                raise InputError(f"{info.path}: decoding failed: {item.error}") from item.error
            else:
                _check_complete(info, start, stop, item.frames_read)
                return
    finally:
        decoder.cancel()


def _check_complete(info: VideoInfo, start: int, stop: int | None, frames_read: int) -> None:
    expected = _expected_frames(info, start, stop)
    if expected is None or frames_read >= expected:
        return
    last = start + frames_read
    raise TruncatedVideoError(
        f"{info.path}: the video stream stops after frame {last} of the "
        f"{info.frame_count} its container declares (corrupt or truncated file); "
        f"only the first {last} frames could be read, so any result is partial",
        frames_read=last,
        frames_declared=info.frame_count,
    )


def frame_times(count: int, fps: float, start: int = 0) -> NDArray[np.float64]:
    """Return ``index / fps`` for ``count`` frames from ``start``."""
    return (np.arange(count, dtype=np.float64) + start) / fps


def iter_scaled_frames(
    info: VideoInfo, size: tuple[int, int], *, queue_frames: int = DEFAULT_QUEUE_FRAMES
) -> Generator[Frame, None, None]:
    """Yield every frame of a probed video scaled to ``size`` (upright width, height).

    For a second pass over a video already read whole (the annotated video):
    FFmpeg scales from the decoded YUV planes straight to small BGR (area
    filter), which on the 1768 × 994 demo video takes 1.0 s instead of 1.9 s for
    full-size BGR frames resized by OpenCV. Decoding runs in a background thread
    (:func:`prefetch`); frame times are ``index / fps``.
    """
    return prefetch(_scaled_frames(info, size), queue_frames)


def _scaled_frames(info: VideoInfo, size: tuple[int, int]) -> Iterator[Frame]:
    from importlib import import_module

    av: Any = import_module("av")  # untyped
    width, height = size if info.rotation in (0, 180) else size[::-1]
    with av.open(str(info.path)) as container:
        stream = container.streams.video[0]
        stream.thread_count = 1  # the consumer draws and encodes on the other core
        for index, decoded in enumerate(container.decode(stream)):
            image = decoded.to_ndarray(
                width=width, height=height, format="bgr24", interpolation="AREA"
            )
            upright = rotate_frame(np.asarray(image, dtype=np.uint8), info.rotation)
            yield Frame(index, index / info.fps, upright)


def prefetch(items: Iterator[Frame], size: int) -> Generator[Frame, None, None]:
    """Yield ``items`` produced by a background thread, at most ``size`` ahead of the consumer.

    An exception of the producer is re-raised in the consumer; closing the
    generator early stops the producer.
    """
    box: queue.Queue[Frame | _End | _Failed] = queue.Queue(maxsize=size)
    stop = threading.Event()

    def produce() -> None:
        count = 0
        try:
            for item in items:
                while not stop.is_set():
                    with suppress(queue.Full):
                        box.put(item, timeout=0.1)
                        break
                if stop.is_set():
                    return
                count += 1
            box.put(_End(count))
        except Exception as error:  # re-raised by the consumer
            box.put(_Failed(error))

    thread = threading.Thread(target=produce, name="prefetch", daemon=True)
    thread.start()
    try:
        while not isinstance(item := box.get(), _End):
            if isinstance(item, _Failed):
                raise InputError(f"decoding failed: {item.error}") from item.error
            yield item
    finally:
        stop.set()
        with suppress(queue.Empty):
            while True:
                box.get_nowait()
        thread.join()
