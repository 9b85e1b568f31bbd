"""Keypoint names and the per-frame containers every pose backend produces.

Conventions
-----------
* Image coordinates in pixels: x to the right, y *down* (as decoders and pose
  models give them). Angle code converts to y-up where it needs to.
* Left/right are the *subject's* sides, whatever side of the image they are on.
* A keypoint that was not found has score 0 and NaN coordinates; scores are in
  [0, 1] (MediaPipe visibility, OpenPose confidence).
* Frames are 0-based indices of the input; ``time_s = index / fps`` unless the
  container gives exact timestamps.
* ``world`` (optional) holds the pose model's metric 3-D keypoints (MediaPipe
  ``pose_world_landmarks``): metres, origin between the hips, axes of the
  *camera* (x image right, y image down, z away from the camera). They carry
  the body's orientation relative to the camera (:mod:`hiplab.motion.camera`);
  OpenPose JSON and synthetic tracks have none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

KEYPOINTS: tuple[str, ...] = (
    "nose",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
INDEX: dict[str, int] = {name: i for i, name in enumerate(KEYPOINTS)}

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Detection:
    """One person in one frame: ``xy`` (K, 2) pixels and ``score`` (K,) in KEYPOINTS order.

    ``world`` is the (K, 3) metric 3-D pose in camera axes when the model gives one.
    """

    xy: FloatArray
    score: FloatArray
    world: FloatArray | None = None

    def box(self, min_score: float = 0.3) -> tuple[float, float, float, float] | None:
        """Return the bounding box ``(x, y, w, h)`` of confident keypoints, or None."""
        ok = (self.score >= min_score) & np.isfinite(self.xy).all(axis=1)
        if ok.sum() < 2:
            return None
        x0, y0 = self.xy[ok].min(axis=0)
        x1, y1 = self.xy[ok].max(axis=0)
        return float(x0), float(y0), float(x1 - x0), float(y1 - y0)


@dataclass(frozen=True)
class FramePoses:
    """All people a backend found in one frame."""

    index: int
    time_s: float
    people: tuple[Detection, ...] = ()


@dataclass
class KeypointTrack:
    """The tracked subject over a whole input: time-first arrays, NaN where not found.

    ``xy`` is (N, K, 2) pixels, ``score`` (N, K); ``lost`` (N,) marks frames
    where the subject was not found or tracking could not confirm identity.
    ``world`` is (N, K, 3) metres in camera axes (NaN where not found), or None
    when the source gives no 3-D pose.
    """

    fps: float
    width: int
    height: int
    xy: FloatArray
    score: FloatArray
    lost: NDArray[np.bool_]
    time_s: FloatArray = field(default_factory=lambda: np.zeros(0))
    source: str = ""
    world: FloatArray | None = None

    def __post_init__(self) -> None:
        n = self.xy.shape[0]
        if self.xy.shape != (n, len(KEYPOINTS), 2) or self.score.shape != (n, len(KEYPOINTS)):
            raise ValueError(
                f"xy must be (N, {len(KEYPOINTS)}, 2) and score (N, {len(KEYPOINTS)}); "
                f"got {self.xy.shape} and {self.score.shape}"
            )
        if self.world is not None and self.world.shape != (n, len(KEYPOINTS), 3):
            raise ValueError(f"world must be (N, {len(KEYPOINTS)}, 3); got {self.world.shape}")
        if self.time_s.size == 0:
            self.time_s = np.arange(n, dtype=np.float64) / self.fps

    @property
    def frames(self) -> int:
        """Return the number of frames."""
        return int(self.xy.shape[0])

    def point(self, name: str) -> FloatArray:
        """Return the (N, 2) pixel track of one keypoint."""
        return self.xy[:, INDEX[name], :]
