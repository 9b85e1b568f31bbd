"""Pose backends: a small registry of estimators that turn an RGB image into detections.

Each backend is a :class:`PoseBackend` with a typed parameter class and a
factory; :data:`BACKENDS` maps its name to it. An estimator takes an RGB
``uint8`` image (a whole frame or a crop) and returns the people it found as
:class:`~hiplab.motion.keypoints.Detection` in that image's pixel coordinates,
keypoints in :data:`~hiplab.motion.keypoints.KEYPOINTS` order, MediaPipe
*visibility* as score. Placing crops back into the frame and keeping the subject
is :mod:`hiplab.motion.track`'s job.

Backends
--------
``mediapipe``
    The legacy ``mediapipe.solutions.pose`` model in one of its three sizes
    (:data:`~hiplab.motion.pose_models.POSE_MODELS`): ``lite``, ``full``
    (the default) or ``heavy``, i.e. ``model_complexity`` 0, 1 or 2, with the
    ``pose_detection.tflite`` detector. The ``mediapipe==0.10.21`` wheel ships
    only ``full``; ``scripts/install_pose_models.py`` (run by ``make``) adds
    ``lite`` and ``heavy`` from the pinned npm release. Before the graph is
    created the chosen file is checked to be in mediapipe's model folder with
    its pinned sha256 — otherwise :class:`~hiplab.errors.InputError` says how
    to install it — because mediapipe itself would try to download a missing
    file at run time. Video mode (``static_image_mode=False``: the landmark
    model follows the person from the previous call and the detector runs only
    when it loses it). Single person: it returns the most prominent person
    only. Landmark smoothing is off by default because the tracker feeds it
    moving crops, where MediaPipe's smoothing would act in a moving frame of
    reference; filtering is a later stage.
``mediapipe_task``
    A user-supplied MediaPipe ``.task`` bundle (``--model PATH``) through the
    Tasks API ``PoseLandmarker`` in VIDEO running mode; up to ``num_poses``
    people per image. Nothing is downloaded.

Heavy imports (``mediapipe``) happen when an estimator is created, never on import.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from hiplab.errors import InputError
from hiplab.motion.keypoints import KEYPOINTS, Detection
from hiplab.motion.pose_models import (
    DEFAULT_POSE_MODEL,
    MODULES_SUBDIR,
    POSE_MODELS,
    PoseModelFile,
    PoseModelName,
    model_names,
)

ImageArray = NDArray[np.uint8]

MEDIAPIPE_LANDMARKS: tuple[int, ...] = (
    0,
    11,
    12,
    13,
    14,
    15,
    16,
    23,
    24,
    25,
    26,
    27,
    28,
    29,
    30,
    31,
    32,
)
"""Index in MediaPipe's 33 pose landmarks of each name in KEYPOINTS (same order)."""

if len(MEDIAPIPE_LANDMARKS) != len(KEYPOINTS):  # pragma: no cover - guards an edit of KEYPOINTS
    raise RuntimeError("MEDIAPIPE_LANDMARKS must list one landmark per name in KEYPOINTS")


class PoseEstimator(Protocol):
    """What every backend's estimator does."""

    single_person: bool

    def estimate(self, rgb: ImageArray, *, timestamp_ms: int) -> list[Detection]:
        """Return the people found in ``rgb`` (pixel coordinates of ``rgb``).

        ``timestamp_ms`` must increase from call to call (video running mode).
        """
        ...

    def restart(self) -> None:
        """Forget the person followed from previous calls (next call detects afresh)."""
        ...

    def close(self) -> None:
        """Release the model."""
        ...


def landmarks_to_detection(values: NDArray[np.float64], width: int, height: int) -> Detection:
    """Return a Detection from MediaPipe's (33, 3) normalised ``x, y, visibility`` rows.

    >>> rows = np.tile([0.5, 0.25, 0.9], (33, 1))
    >>> det = landmarks_to_detection(rows, 200, 100)
    >>> det.xy[0].tolist(), float(det.score[0])
    ([100.0, 25.0], 0.9)
    """
    if values.shape != (33, 3):
        raise ValueError(f"expected (33, 3) landmark rows; got {values.shape}")
    picked = values[list(MEDIAPIPE_LANDMARKS)]
    xy = picked[:, :2] * np.array([width, height], dtype=np.float64)
    score = np.clip(np.nan_to_num(picked[:, 2], nan=0.0), 0.0, 1.0)
    return Detection(xy=xy, score=score)


def world_points(landmarks: Sequence[Any]) -> NDArray[np.float64]:
    """Return the (K, 3) world landmarks (metres, camera axes) of KEYPOINTS from MediaPipe's 33."""
    rows = np.array([(lm.x, lm.y, lm.z) for lm in landmarks], dtype=np.float64)
    return np.asarray(rows[list(MEDIAPIPE_LANDMARKS)], dtype=np.float64)


def _rows(landmarks: Sequence[Any]) -> NDArray[np.float64]:
    return np.array(
        [(lm.x, lm.y, lm.visibility if lm.visibility is not None else 0.0) for lm in landmarks],
        dtype=np.float64,
    )


def _check_unit(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise InputError(f"{name} must be between 0 and 1; got {value!r}")


INSTALL_COMMAND = ".venv/bin/python scripts/install_pose_models.py"
"""How the lite and heavy models get installed (``make`` runs it when it sets up the venv)."""


def mediapipe_model_dir() -> Path:
    """Return the folder the mediapipe solution reads its landmark models from.

    Found with :func:`importlib.util.find_spec`, so mediapipe is not imported yet.
    """
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("mediapipe is not installed; install hiplab with its dependencies")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*MODULES_SUBDIR)


@lru_cache(maxsize=8)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    """Return a file's sha256; cached by path, size and time, as every worker checks the model."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def check_pose_model(name: PoseModelName, folder: Path | None = None) -> Path:
    """Return the path of model ``name``'s file once it is there with its pinned sha256.

    Parameters
    ----------
    name
        ``lite``, ``full`` or ``heavy``.
    folder
        Where to look (default: :func:`mediapipe_model_dir`).

    Raises
    ------
    InputError
        When the name is unknown, the file is missing, or its checksum differs.

    """
    pinned = _pinned(name)
    path = (folder or mediapipe_model_dir()) / pinned.file
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise InputError(
            f"the {name} pose model is not installed ({pinned.file} is missing from "
            f"{path.parent}); install it with: {INSTALL_COMMAND} (make does this)"
        ) from None
    if _sha256(str(path), stat.st_size, stat.st_mtime_ns) != pinned.sha256:
        raise InputError(
            f"the {name} pose model at {path} is not the expected file (its checksum differs: "
            f"damaged or another version); reinstall it with: {INSTALL_COMMAND}"
        )
    return path


def _pinned(name: str) -> PoseModelFile:
    if name not in POSE_MODELS:
        raise InputError(f"unknown pose model {name!r}; the models are {model_names()}")
    return POSE_MODELS[cast(PoseModelName, name)]


@dataclass(frozen=True)
class MediapipeParams:
    """Parameters of the legacy MediaPipe pose model (``model``: lite, full or heavy)."""

    model: PoseModelName = DEFAULT_POSE_MODEL
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    smooth_landmarks: bool = False

    def __post_init__(self) -> None:
        _pinned(self.model)
        _check_unit("min_detection_confidence", self.min_detection_confidence)
        _check_unit("min_tracking_confidence", self.min_tracking_confidence)

    @property
    def complexity(self) -> int:
        """Return mediapipe's ``model_complexity`` of the chosen model (0, 1 or 2)."""
        return POSE_MODELS[self.model].complexity


class MediapipePose:
    """The legacy ``mediapipe.solutions.pose`` model (lite, full or heavy; video mode)."""

    single_person = True

    def __init__(self, params: MediapipeParams) -> None:
        self.params = params
        check_pose_model(params.model)  # else mediapipe would download a missing file
        self._pose = self._create()

    def _create(self) -> Any:
        from mediapipe.python.solutions import pose as mp_pose

        return mp_pose.Pose(
            static_image_mode=False,
            model_complexity=self.params.complexity,
            smooth_landmarks=self.params.smooth_landmarks,
            enable_segmentation=False,
            min_detection_confidence=self.params.min_detection_confidence,
            min_tracking_confidence=self.params.min_tracking_confidence,
        )

    def estimate(self, rgb: ImageArray, *, timestamp_ms: int) -> list[Detection]:
        """Return the most prominent person in ``rgb``, if any (``timestamp_ms`` is not needed)."""
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return []
        height, width = rgb.shape[:2]
        found = landmarks_to_detection(_rows(result.pose_landmarks.landmark), width, height)
        if result.pose_world_landmarks is None:
            return [found]
        return [replace(found, world=world_points(result.pose_world_landmarks.landmark))]

    def restart(self) -> None:
        """Make the next image be searched with the detector.

        Shown a blank image, the model loses whoever it followed (about 12 ms);
        restarting the graph would take 65 ms of CPU.
        """
        self._pose.process(np.zeros((64, 64, 3), dtype=np.uint8))

    def close(self) -> None:
        """Release the graph."""
        self._pose.close()


@dataclass(frozen=True)
class MediapipeTaskParams:
    """Parameters of a user-supplied MediaPipe ``.task`` pose landmarker bundle."""

    model: Path
    num_poses: int = 2
    min_pose_detection_confidence: float = 0.5
    min_pose_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5

    def __post_init__(self) -> None:
        if not 1 <= self.num_poses <= 10:
            raise InputError(f"num_poses must be between 1 and 10; got {self.num_poses!r}")
        _check_unit("min_pose_detection_confidence", self.min_pose_detection_confidence)
        _check_unit("min_pose_presence_confidence", self.min_pose_presence_confidence)
        _check_unit("min_tracking_confidence", self.min_tracking_confidence)


class MediapipeTaskPose:
    """A ``.task`` PoseLandmarker bundle through MediaPipe's Tasks API, VIDEO running mode."""

    def __init__(self, params: MediapipeTaskParams) -> None:
        model = Path(params.model)
        if not model.is_file():
            raise InputError(f"pose model not found: {model} (expected a MediaPipe .task file)")
        self.params = params
        self.single_person = params.num_poses == 1
        self._landmarker = self._create()
        self._last_ms = -1

    def _create(self) -> Any:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.params.model)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=self.params.num_poses,
            min_pose_detection_confidence=self.params.min_pose_detection_confidence,
            min_pose_presence_confidence=self.params.min_pose_presence_confidence,
            min_tracking_confidence=self.params.min_tracking_confidence,
        )
        try:
            return vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as error:
            raise InputError(
                f"{self.params.model} is not a usable MediaPipe pose landmarker bundle: {error}"
            ) from error

    def estimate(self, rgb: ImageArray, *, timestamp_ms: int) -> list[Detection]:
        """Return every person found in ``rgb``."""
        import mediapipe as mp

        stamp = max(int(timestamp_ms), self._last_ms + 1)  # VIDEO mode needs increasing stamps
        self._last_ms = stamp
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        result = self._landmarker.detect_for_video(image, stamp)
        height, width = rgb.shape[:2]
        worlds = list(result.pose_world_landmarks or ())
        found = [landmarks_to_detection(_rows(p), width, height) for p in result.pose_landmarks]
        if len(worlds) != len(found):
            return found
        return [replace(d, world=world_points(w)) for d, w in zip(found, worlds, strict=True)]

    def restart(self) -> None:
        """Create the landmarker afresh (forgets the people it followed)."""
        self._landmarker.close()
        self._landmarker = self._create()
        self._last_ms = -1

    def close(self) -> None:
        """Release the landmarker."""
        self._landmarker.close()


P = TypeVar("P")


@dataclass(frozen=True)
class PoseBackend(Generic[P]):
    """A named pose backend: its typed parameters and the factory of its estimator."""

    name: str
    summary: str
    params_type: type[P]
    create: Callable[[P], PoseEstimator]


MEDIAPIPE: PoseBackend[MediapipeParams] = PoseBackend(
    name="mediapipe",
    summary="MediaPipe's legacy solutions.pose model (lite, full or heavy), one person",
    params_type=MediapipeParams,
    create=MediapipePose,
)
MEDIAPIPE_TASK: PoseBackend[MediapipeTaskParams] = PoseBackend(
    name="mediapipe_task",
    summary="user-supplied MediaPipe .task pose landmarker (Tasks API, VIDEO mode), several people",
    params_type=MediapipeTaskParams,
    create=MediapipeTaskPose,
)
BACKENDS: Mapping[str, PoseBackend[Any]] = {b.name: b for b in (MEDIAPIPE, MEDIAPIPE_TASK)}


def get_backend(name: str) -> PoseBackend[Any]:
    """Return the backend called ``name``; InputError naming the allowed ones otherwise."""
    try:
        return BACKENDS[name]
    except KeyError:
        allowed = ", ".join(sorted(BACKENDS))
        raise InputError(f"unknown pose backend {name!r}; allowed: {allowed}") from None


def create_estimator(backend: PoseBackend[P], params: P) -> PoseEstimator:
    """Create the estimator of ``backend`` with ``params`` (checked against its params type)."""
    if not isinstance(params, backend.params_type):
        raise TypeError(
            f"backend {backend.name!r} takes {backend.params_type.__name__}; "
            f"got {type(params).__name__}"
        )
    return backend.create(params)
