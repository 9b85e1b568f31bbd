"""Pose extraction: video (or OpenPose JSON) → pose → subject track: :func:`extract_track`.

Video, step by step: a decoder thread reads frames into a bounded queue; each
frame goes to one of ``workers`` inference threads (frame ``t`` to worker
``t % workers``), each with its own pose model. A worker first *looks* (runs
the model on the crop it derives from the tracker state after frame
``t - workers``, its own previous frame — :func:`hiplab.motion.track.crop_tracker.look`),
then offers the result to be *settled* in frame order (who is the subject, new
state — :meth:`hiplab.motion.track.crop_tracker.CropTracker.settle`). MediaPipe releases the
GIL while it infers, so the workers keep both CPU cores busy while decoding
overlaps them, and all frames are settled in order by one tracker: the
subject's identity is followed through the whole video with no seam to stitch.
The result does not depend on thread timing (a look always uses the state a
fixed number of frames back). Each MediaPipe model sees every ``workers``-th
frame, which it follows a little less well than consecutive ones (on the demo
video a few more frames are reported lost during the somersault).

Why not split the video in halves, the second starting mid-video? Its tracker
has to find the subject again among the people in view without knowing who it
is; on the sports2d demo video the person detector does not see the jumping
man on the roof at all in frames 103–108 (only the walking woman), so the
second half would start on the wrong person and have to be run again.

Memory: only keypoints are kept; at most ``4 + 3 × workers`` decoded frames
exist at once (their arrays are reused), whatever the length of the video.
Each MediaPipe model takes about 110 MB, so ``workers=2`` peaks near 500 MB.

OpenPose JSON folders (``source`` a directory) are read file by file and the
subject chosen and followed by :class:`~hiplab.motion.track.multi_person.MultiPersonTracker`;
``fps`` is required, and the frame size is unknown (``width == height == 0``).

Errors: bad input raises :class:`~hiplab.errors.InputError`; a stream that ends
before its declared frame count raises
:class:`~hiplab.motion.video.TruncatedVideoError` whose ``partial`` is the
track of the frames read (never returned as if complete); an input in which
nobody is ever found raises InputError.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from hiplab.errors import InputError
from hiplab.motion.keypoints import KEYPOINTS, Detection, FramePoses, KeypointTrack
from hiplab.motion.openpose import check_fps, count_frames, iter_openpose
from hiplab.motion.pose import (
    MEDIAPIPE,
    MEDIAPIPE_TASK,
    MediapipeParams,
    MediapipeTaskParams,
    PoseBackend,
    PoseEstimator,
    create_estimator,
    get_backend,
)
from hiplab.motion.pose_models import PoseModelName
from hiplab.motion.track import (
    Box,
    CropState,
    CropTracker,
    Decision,
    Look,
    MultiPersonTracker,
    TrackParams,
    Viewer,
    look,
)
from hiplab.motion.video import Frame, TruncatedVideoError, VideoInfo, iter_frames, probe_video

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(frames_done, frames_total)`` from the calling thread."""

FloatArray = NDArray[np.float64]


# --- per-frame rows --------------------------------------------------------------------------


class Rows:
    """Keypoints of consecutive frames from 0, growing as frames arrive."""

    def __init__(self) -> None:
        self.count = 0
        self.xy = np.full((64, len(KEYPOINTS), 2), np.nan)
        self.score = np.zeros((64, len(KEYPOINTS)))
        self.lost = np.ones(64, dtype=bool)
        self.time_s = np.full(64, np.nan)
        self.world: FloatArray | None = None

    def _grow(self, size: int) -> None:
        extra = max(size, 2 * self.xy.shape[0]) - self.xy.shape[0]
        if size <= self.xy.shape[0]:
            return
        self.xy = np.concatenate([self.xy, np.full((extra, len(KEYPOINTS), 2), np.nan)])
        self.score = np.concatenate([self.score, np.zeros((extra, len(KEYPOINTS)))])
        self.lost = np.concatenate([self.lost, np.ones(extra, dtype=bool)])
        self.time_s = np.concatenate([self.time_s, np.full(extra, np.nan)])
        if self.world is not None:
            self.world = np.concatenate([self.world, np.full((extra, len(KEYPOINTS), 3), np.nan)])

    def frame(self, index: int, time_s: float) -> None:
        """Record that frame ``index`` was read (lost until a detection is set)."""
        self._grow(index + 1)
        self.time_s[index] = time_s
        self.count = max(self.count, index + 1)

    def set(self, index: int, det: Detection | None) -> None:
        """Store the subject's keypoints for frame ``index`` (None: lost)."""
        if det is not None:
            self.xy[index] = det.xy
            self.score[index] = det.score
            self.lost[index] = False
            if det.world is not None:
                if self.world is None:  # first 3-D pose: the model gives them
                    self.world = np.full((self.xy.shape[0], len(KEYPOINTS), 3), np.nan)
                self.world[index] = det.world

    def track(
        self, *, fps: float, size: tuple[int, int], source: Path, times: bool
    ) -> KeypointTrack:
        """Return the rows as a KeypointTrack (``times``: keep the container's timestamps)."""
        n = self.count
        stamps = self.time_s[:n]
        if not times or not np.isfinite(stamps).all() or (np.diff(stamps) <= 0).any():
            stamps = np.arange(n, dtype=np.float64) / fps
        return KeypointTrack(
            fps=fps,
            width=size[0],
            height=size[1],
            xy=self.xy[:n].copy(),
            score=self.score[:n].copy(),
            lost=self.lost[:n].copy(),
            time_s=np.asarray(stamps, dtype=np.float64).copy(),
            source=str(source),
            world=None if self.world is None else self.world[:n].copy(),
        )


class _Progress:
    """Frames settled so far, reported to the callback from the calling thread."""

    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback
        self._last = 0.0

    def report(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if self.callback is not None and (force or now - self._last >= 0.25):
            self._last = now
            self.callback(self.done, max(self.total, self.done))


# --- look / settle across workers -------------------------------------------------------


class _Steps(Protocol):
    """The two halves of tracking one frame, for one kind of pose model."""

    def snapshot(self) -> object: ...

    def look(self, estimator: PoseEstimator, frame: Frame, state: object, ahead: int) -> object: ...

    def settle(self, frame: Frame, seen: object) -> list[Decision]: ...

    def finish(self) -> list[Decision]: ...


class _CropSteps:
    """Single-person model: crops around the subject (:class:`CropTracker`)."""

    def __init__(self, params: TrackParams, person_box: Box | None) -> None:
        self.tracker = CropTracker(None, params, person_box=person_box)
        self._viewers: dict[int, Viewer] = {}

    def snapshot(self) -> object:
        return self.tracker.state

    def look(self, estimator: PoseEstimator, frame: Frame, state: object, ahead: int) -> object:
        assert isinstance(state, CropState)
        viewer = self._viewers.setdefault(id(estimator), Viewer(estimator))
        return look(viewer, frame, state, self.tracker.params, ahead=ahead)

    def settle(self, frame: Frame, seen: object) -> list[Decision]:
        assert isinstance(seen, Look)
        return self.tracker.settle(seen)

    def finish(self) -> list[Decision]:
        return self.tracker.finish()


class _MultiSteps:
    """Multi-person model: whole frames, everyone associated (:class:`MultiPersonTracker`)."""

    def __init__(self, params: TrackParams, person_box: Box | None) -> None:
        self.tracker = MultiPersonTracker(params, person_box=person_box)

    def snapshot(self) -> object:
        return None

    def look(self, estimator: PoseEstimator, frame: Frame, state: object, ahead: int) -> object:
        import cv2

        rgb = np.asarray(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        people = estimator.estimate(rgb, timestamp_ms=round(frame.time_s * 1000))
        return FramePoses(frame.index, frame.time_s, tuple(people))

    def settle(self, frame: Frame, seen: object) -> list[Decision]:
        assert isinstance(seen, FramePoses)
        return self.tracker.push(seen)

    def finish(self) -> list[Decision]:
        return self.tracker.finish()


class _Turns:
    """Frames settled in order, whichever worker looked at them: states after each frame.

    A worker *offers* a frame it has looked at; the frame is settled at once if
    it is the next one, and the offering worker then also settles the frames
    others offered meanwhile. No worker waits for its own frame to be settled.
    """

    def __init__(self, initial: object) -> None:
        self._cond = threading.Condition()
        self._states: dict[int, object] = {-1: initial}
        self._offered: dict[int, Callable[[], object]] = {}
        self._next = 0
        self.failed = False

    def state_after(self, index: int) -> object:
        """Return the state once frame ``index`` is settled (-1 or less: the initial state)."""
        index = max(index, -1)
        with self._cond:
            self._cond.wait_for(lambda: self._next > index or self.failed)
            if self.failed:
                raise _Aborted
            return self._states[index]

    def offer(self, index: int, step: Callable[[], object]) -> None:
        """Settle frame ``index`` with ``step`` in its turn; keep the state it returns."""
        with self._cond:
            self._offered[index] = step
            while self._next in self._offered and not self.failed:
                settle = self._offered.pop(self._next)
                self._states[self._next] = settle()
                self._states.pop(self._next - 64, None)
                self._next += 1
            self._cond.notify_all()

    def fail(self) -> None:
        """Wake every waiting worker so that it stops."""
        with self._cond:
            self.failed = True
            self._cond.notify_all()


class _Aborted(Exception):
    """Another worker failed: stop quietly (its error is the one reported)."""


@dataclass
class _Shared:
    """What the workers share."""

    steps: _Steps
    turns: _Turns
    rows: Rows
    progress: _Progress
    lag: int
    """A look at frame ``t`` uses the state after frame ``t - lag``."""


def _work(shared: _Shared, estimator: PoseEstimator, frames: queue.Queue[Frame | None]) -> None:
    try:
        while (frame := frames.get()) is not None:
            state = shared.turns.state_after(frame.index - shared.lag)
            seen = shared.steps.look(estimator, frame, state, shared.lag)

            def settle(frame: Frame = frame, seen: object = seen) -> object:
                shared.rows.frame(frame.index, frame.time_s)
                for index, det in shared.steps.settle(frame, seen):
                    shared.rows.set(index, det)
                shared.progress.done += 1
                return shared.steps.snapshot()

            shared.turns.offer(frame.index, settle)
    except _Aborted:
        return
    except BaseException:
        shared.turns.fail()
        raise


def _hand_over(
    target: queue.Queue[Frame | None], item: Frame | None, futures: list[Future[None]]
) -> None:
    """Put ``item`` in a worker's queue unless a worker has failed (then raise its error)."""
    while True:
        for future in futures:
            if future.done() and future.exception() is not None:
                future.result()
        try:
            target.put(item, timeout=0.1)
        except queue.Full:
            continue
        return


def _stop(
    inboxes: list[queue.Queue[Frame | None]], futures: list[Future[None]], *, failed: bool
) -> None:
    """Tell every worker that no frame follows (after a failure, without waiting)."""
    for inbox in inboxes:
        if not failed:
            _hand_over(inbox, None, futures)
            continue
        with suppress(queue.Full):  # a busy worker stops at its next turn: the turns failed
            inbox.put_nowait(None)


def _run_video(
    info: VideoInfo,
    estimators: list[PoseEstimator],
    steps: _Steps,
    progress: _Progress,
) -> tuple[Rows, TruncatedVideoError | None]:
    workers = len(estimators)
    # lag = workers: each worker's look uses the state after its own previous frame. A
    # larger lag would let workers run ahead of each other, but crops predicted from an
    # older state lose MediaPipe's own tracking more often (measured with lag 3 on the
    # demo video: 29 instead of 23 ms of inference CPU per frame, 25% slower overall).
    shared = _Shared(steps, _Turns(steps.snapshot()), Rows(), progress, lag=workers)
    inboxes: list[queue.Queue[Frame | None]] = [queue.Queue(maxsize=1) for _ in estimators]
    truncated: TruncatedVideoError | None = None
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hiplab-pose") as pool:
        futures = [
            pool.submit(_work, shared, e, q) for e, q in zip(estimators, inboxes, strict=True)
        ]
        frames = iter_frames(info, threads=1 if workers > 1 else 0)
        try:
            for frame in frames:
                _hand_over(inboxes[frame.index % workers], frame, futures)
                progress.report()
        except TruncatedVideoError as error:
            truncated = error
        except BaseException:
            shared.turns.fail()
            raise
        finally:
            try:
                _stop(inboxes, futures, failed=shared.turns.failed)
            finally:
                frames.close()
        for future in futures:
            future.result()
    for index, det in steps.finish():
        shared.rows.set(index, det)
    return shared.rows, truncated


@contextmanager
def _single_threaded_opencv() -> Iterator[None]:
    """Run OpenCV's own operations on one thread for the duration, then restore its setting.

    Crops, resizes and colour conversions are small and run next to decoding and
    inference threads that already keep every core busy; OpenCV's thread pool
    only adds waiting (measured on the demo video: 8.2 s instead of 5.5 s).
    """
    import cv2

    previous = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)


# --- public API ------------------------------------------------------------------------------


def _check_person_box(person_box: Iterable[float] | None) -> Box | None:
    if person_box is None:
        return None
    values = tuple(float(v) for v in person_box)
    if len(values) != 4 or not all(np.isfinite(values)):
        raise InputError(field="person_box", value=person_box, allowed="four numbers x,y,w,h")
    x, y, w, h = values
    if w <= 0 or h <= 0:
        raise InputError(
            "has a width or height that is not positive",
            field="person_box",
            value=values,
            allowed="w > 0 and h > 0",
        )
    return x, y, w, h


def _pose_setup(
    backend: str | None, model: PoseModelName | Path | None
) -> tuple[PoseBackend[Any], Any]:
    """Return the backend and its params: a model name is MEDIAPIPE's, a Path MEDIAPIPE_TASK's."""
    name = backend or (MEDIAPIPE_TASK.name if isinstance(model, Path) else MEDIAPIPE.name)
    spec = get_backend(name)
    if spec is MEDIAPIPE_TASK:
        if not isinstance(model, Path):
            raise InputError(
                f"is needed by backend {spec.name}: the path of a MediaPipe .task file",
                field="model",
            )
        return spec, MediapipeTaskParams(model=model)
    if isinstance(model, Path):
        raise InputError(
            f"is a model file, used by the {MEDIAPIPE_TASK.name} backend, not by {spec.name}",
            field="model",
            value=str(model),
        )
    if spec is MEDIAPIPE:
        return spec, MediapipeParams() if model is None else MediapipeParams(model=model)
    if model is not None:
        raise InputError(
            f"is a pose model of the {MEDIAPIPE.name} backend, not of {spec.name}",
            field="model",
            value=model,
        )
    return spec, spec.params_type()


def _finish(
    track: KeypointTrack, truncated: TruncatedVideoError | None, source: Path
) -> KeypointTrack:
    if truncated is not None:
        raise TruncatedVideoError(
            f"{source}: the video stream stops after {track.frames} of the "
            f"{truncated.frames_declared} frames its container declares (corrupt or truncated "
            f"file); the track of those {track.frames} frames is partial, not a complete result",
            frames_read=track.frames,
            frames_declared=truncated.frames_declared,
            partial=track,
        )
    if track.frames and track.lost.all():
        raise InputError(f"{source}: no person found in any of its {track.frames} frames")
    return track


def extract_track(
    source: str | Path,
    *,
    backend: str | None = None,
    model: PoseModelName | Path | None = None,
    fps: float | None = None,
    person_box: Iterable[float] | None = None,
    workers: int = 2,
    progress: ProgressCallback | None = None,
    params: TrackParams | None = None,
) -> KeypointTrack:
    """Return the subject's keypoint track from a video file or an OpenPose JSON folder.

    Parameters
    ----------
    source
        A video file (mp4/mov/avi/webm…) or a folder of OpenPose ``*_keypoints.json``.
    backend
        Pose backend name (:data:`hiplab.motion.pose.BACKENDS`); default ``mediapipe``,
        or ``mediapipe_task`` when ``model`` is a path. Not used for JSON folders.
    model
        ``"lite"``, ``"full"`` or ``"heavy"``: the ``mediapipe`` backend's model
        (default ``full``, :data:`~hiplab.motion.pose_models.POSE_MODELS`); a
        :class:`~pathlib.Path`: a MediaPipe ``.task`` file for ``mediapipe_task``.
    fps
        Frame rate: required for JSON; for a video it overrides the container's
        (e.g. a slow-motion clip), times then being ``index / fps``.
    person_box
        ``(x, y, w, h)`` in pixels of the first frames: follow the person it
        overlaps most instead of the main subject.
    workers
        Inference threads, each with its own pose model (2 uses both cores).
    progress
        ``progress(frames_done, frames_total)``, called from the calling thread.
    params
        Tracking parameters (:class:`~hiplab.motion.track.params.TrackParams`).

    """
    path = Path(source)
    box = _check_person_box(person_box)
    tracking = params or TrackParams()
    if workers < 1:
        raise InputError(f"workers must be at least 1; got {workers}")
    if path.is_dir():
        return _from_openpose(path, fps=fps, person_box=box, params=tracking, progress=progress)
    spec, chosen = _pose_setup(backend, model)
    info = probe_video(path)
    rate = info.fps if fps is None else check_fps(fps, path)
    meter = _Progress(info.frame_count, progress)
    with _single_threaded_opencv(), ThreadPoolExecutor(max_workers=workers) as pool:
        estimators = list(pool.map(lambda _: create_estimator(spec, chosen), range(workers)))
    try:
        single = estimators[0].single_person
        steps: _Steps = (_CropSteps if single else _MultiSteps)(tracking, box)
        with _single_threaded_opencv():
            rows, truncated = _run_video(info, estimators, steps, meter)
    finally:
        for estimator in estimators:
            estimator.close()
    meter.report(force=True)
    track = rows.track(fps=rate, size=(info.width, info.height), source=path, times=fps is None)
    return _finish(track, truncated, path)


def _from_openpose(
    folder: Path,
    *,
    fps: float | None,
    person_box: Box | None,
    params: TrackParams,
    progress: ProgressCallback | None,
) -> KeypointTrack:
    rate = check_fps(fps, folder)
    meter = _Progress(count_frames(folder), progress)
    tracker = MultiPersonTracker(params, person_box=person_box)
    rows = Rows()
    for poses in iter_openpose(folder, fps=rate):
        rows.frame(poses.index, poses.time_s)
        for index, det in tracker.push(poses):
            rows.set(index, det)
        meter.done += 1
        meter.report()
    for index, det in tracker.finish():
        rows.set(index, det)
    meter.report(force=True)
    track = rows.track(fps=rate, size=(0, 0), source=folder, times=False)
    return _finish(track, None, folder)
