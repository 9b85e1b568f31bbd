"""The followed person's state: last box, anchor, velocity, body size and keypoint memory.

Keypoint memory: the subject remembers where each keypoint was last seen (for
up to ``memory_frames`` frames, :class:`~hiplab.motion.track.params.TrackParams`).
A shoulder or hip the model misses in a frame is taken at its remembered place
(moved with the subject's velocity) when the subject's anchor is computed, so a
dropout does not move the anchor and never enters the velocity.

A :class:`Subject` is immutable: :meth:`Subject.confirm` and :meth:`Subject.miss`
return the next state. It carries the :class:`TrackParams` it was started with.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.keypoints import KEYPOINTS, Detection
from hiplab.motion.track.geometry import TORSO, Box, FloatArray, anchor, body_size, box_size, found
from hiplab.motion.track.params import TrackParams


@dataclass(frozen=True)
class Subject:
    """The followed person: last confirmed box, centre velocity (px/frame), frames lost.

    ``size`` is the running body size (:func:`~hiplab.motion.track.geometry.body_size`),
    the unit of every allowance. ``points`` (K, 2) is where each keypoint was last
    seen (NaN: never) and ``ages`` (K,) how many frames ago (see :meth:`predicted_points`).
    """

    box: Box
    params: TrackParams = field(compare=False, repr=False)
    center: tuple[float, float] = (0.0, 0.0)
    velocity: tuple[float, float] = (0.0, 0.0)
    size: float = 0.0
    lost_for: int = 0
    seen: int = 1
    streak: int = 1
    points: FloatArray | None = field(default=None, compare=False, repr=False)
    ages: NDArray[np.int64] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def start(cls, det: Detection, params: TrackParams) -> Subject:
        """Return a subject first seen as ``det`` (which must be usable)."""
        min_score = params.min_score
        box, size, center = det.box(min_score), body_size(det, min_score), anchor(det, min_score)
        if box is None or size is None or center is None:
            raise ValueError("a subject starts from a detection with a box and a body size")
        ok = found(det, min_score)
        points = np.where(ok[:, None], det.xy, np.nan)
        ages = np.where(ok, 0, params.memory_frames + 1).astype(np.int64)
        return cls(box=box, params=params, center=center, size=size, points=points, ages=ages)

    @property
    def extent(self) -> float:
        """Return the size of the region the person may occupy (box or body size)."""
        return max(box_size(self.box), self.size)

    def predicted_center(self) -> tuple[float, float]:
        """Return where the anchor should be now (constant velocity, ≤ ``predict_frames`` ahead)."""
        steps = min(self.lost_for + 1, self.params.predict_frames)
        return self.center[0] + self.velocity[0] * steps, self.center[1] + self.velocity[1] * steps

    def predicted_points(self) -> FloatArray:
        """Return where each keypoint should be now (K, 2), NaN if unknown.

        A keypoint's last position moved with the centre's velocity for the
        frames since it was seen (≤ ``predict_frames``); forgotten after
        ``memory_frames`` frames. The array is shared by the calls on one state:
        do not modify it.
        """
        return self._predicted

    @cached_property
    def _predicted(self) -> FloatArray:
        # every candidate of a frame is compared with it, several times
        ages = self._ages()
        steps = np.minimum(ages + 1, self.params.predict_frames)[:, None]
        moved = self._points() + np.asarray(self.velocity) * steps
        out: FloatArray = np.where((ages <= self.params.memory_frames)[:, None], moved, np.nan)
        out.flags.writeable = False
        return out

    def predicted_box(self) -> Box:
        """Return the last box moved with the predicted anchor."""
        px, py = self.predicted_center()
        dx, dy = px - self.center[0], py - self.center[1]
        return self.box[0] + dx, self.box[1] + dy, self.box[2], self.box[3]

    def allowance(self) -> float:
        """Return how far (pixels) the centre may be from the prediction."""
        params = self.params
        return self.size * min(
            params.max_jump + params.search_growth * self.lost_for, params.max_search
        )

    def confirm(self, det: Detection) -> Subject:
        """Return the state after the subject was found as ``det``.

        The anchor and the body size take a keypoint ``det`` misses from the
        keypoint memory, and the velocity follows only the shoulders and hips
        seen in both frames, so a keypoint dropping out or coming back never
        enters the velocity. A body size that cannot be measured keeps the
        running one.
        """
        min_score, weight = self.params.min_score, self.params.size_smoothing
        memory = self.predicted_points()
        box, new = det.box(min_score), body_size(det, min_score, memory=memory)
        center = anchor(det, min_score, memory=memory)
        if box is None or center is None:
            raise ValueError("confirm needs a detection with a box")
        ok = found(det, min_score)
        size = self.size
        if new is not None:
            size = (1 - weight) * self.size + weight * new if self.settled else new
        velocity = (0.0, 0.0)
        if self.settled and not self.lost_for:  # a loose first fit or a re-find says nothing
            velocity = self._velocity(det, ok, size)
        return replace(
            self,
            box=box,
            center=center,
            velocity=velocity,
            size=size,
            lost_for=0,
            seen=self.seen + 1,
            streak=1 if self.lost_for else self.streak + 1,
            points=np.where(ok[:, None], det.xy, self._points()),
            ages=np.where(ok, 0, self._ages() + 1).astype(np.int64),
        )

    def _velocity(self, det: Detection, ok: NDArray[np.bool_], size: float) -> tuple[float, float]:
        """Return the velocity updated with the torso's move since the last frame (≤ max_speed).

        Only the shoulders and hips found in both frames count: one that drops out
        or comes back moves the mean of the found ones, not the body.
        """
        both = [i for i in TORSO if ok[i] and self._ages()[i] == 0]
        if not both:
            return self.velocity
        weight = self.params.velocity_smoothing
        dx, dy = (det.xy[both] - self._points()[both]).mean(axis=0)
        vx = weight * float(dx) + (1 - weight) * self.velocity[0]
        vy = weight * float(dy) + (1 - weight) * self.velocity[1]
        cap = min(self.params.max_speed * size / max(float(np.hypot(vx, vy)), 1e-9), 1.0)
        return vx * cap, vy * cap

    @property
    def settled(self) -> bool:
        """Return True once the subject was confirmed on a few frames.

        A model's first fit after detecting someone is often loose, so the size
        check and the velocity wait for this.
        """
        return self.seen >= self.params.settle_frames

    @property
    def solid(self) -> bool:
        """Return True if the subject was followed without a gap for a while and lost only briefly.

        Only then is a detection far from it surely somebody else (a distractor).
        """
        settle = self.params.settle_frames
        return self.streak >= settle and self.lost_for <= settle

    def miss(self) -> Subject:
        """Return the state after a frame without the subject."""
        return replace(self, lost_for=self.lost_for + 1, ages=self._ages() + 1)

    def _ages(self) -> NDArray[np.int64]:
        if self.ages is None:
            return np.full(len(KEYPOINTS), self.params.memory_frames + 1, dtype=np.int64)
        return self.ages

    def _points(self) -> FloatArray:
        return np.full((len(KEYPOINTS), 2), np.nan) if self.points is None else self.points
