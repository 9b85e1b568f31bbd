"""Crop and render the part of a frame a single-person model sees.

A single-person model (the bundled MediaPipe one) returns whoever is most
prominent and so jumps to a passer-by. The model therefore sees only a square
crop around the subject's predicted box (:func:`crop_region`: ``crop_margin``
× its extent, moving with the subject so that the model's own frame-to-frame
tracking stays aligned); while the subject is lost the crop widens with the
distance they may have covered, up to the whole frame (:func:`whole_frame`).
People it rejected are *distractors* (:class:`Distractor`): their predicted
boxes are painted over in later crops (:func:`render`) so that the model lets
go of them. At the start, :func:`find_people` finds the people in view by
running the model on the whole frame again and again, painting over each
person found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from hiplab.motion.keypoints import Detection
from hiplab.motion.pose import ImageArray, PoseEstimator
from hiplab.motion.track.geometry import (
    Box,
    box_center,
    box_size,
    det_box,
    expand,
    iou,
    shift,
    usable,
)
from hiplab.motion.track.params import TrackParams
from hiplab.motion.track.subject import Subject


@dataclass(frozen=True)
class Region:
    """A square (or full-frame) window of the frame fed to the model, and its scale."""

    x0: float
    y0: float
    width: float
    height: float
    scale: float = 1.0

    @property
    def full(self) -> bool:
        """Return True for the whole frame without resampling."""
        return self.x0 == 0 and self.y0 == 0 and self.scale == 1.0


@dataclass(frozen=True)
class Distractor:
    """Someone the model returned who is not the subject, remembered to be masked out."""

    box: Box
    velocity: tuple[float, float] = (0.0, 0.0)
    age: int = 0

    def older(self) -> Distractor:
        """Return the distractor one frame later."""
        return replace(self, age=self.age + 1)

    def predicted(self, params: TrackParams, ahead: int = 0) -> Box:
        """Return the box moved by its velocity to ``ahead`` frames from now, widened with age."""
        steps = self.age + ahead
        x, y, w, h = self.box
        grow = params.mask_margin * box_size(self.box) * (1 + params.distractor_growth * steps)
        moved = (x + self.velocity[0] * steps, y + self.velocity[1] * steps, w, h)
        return expand(moved, grow)


def whole_frame(width: int, height: int, params: TrackParams) -> Region:
    """Return the whole frame, halved until it is at most ``search_max_side`` pixels."""
    halvings = max(0, int(np.ceil(np.log2(max(width, height) / params.search_max_side))))
    return Region(0.0, 0.0, float(width), float(height), scale=0.5**halvings)


def crop_region(subject: Subject, width: int, height: int, params: TrackParams) -> Region:
    """Return the window to search for ``subject`` in a ``width`` × ``height`` frame.

    A square of ``crop_margin`` × the subject's extent around its predicted box,
    widened by the distance it may have moved while lost; the whole frame once
    that covers it.
    """
    moved = subject.allowance() - params.max_jump * subject.size
    side = subject.extent * params.crop_margin + 2 * moved
    if side >= max(width, height):
        return whole_frame(width, height, params)
    cx, cy = box_center(subject.predicted_box())
    side = float(np.ceil(side))
    out = float(params.crop_max_side)
    x0, y0 = float(np.floor(cx - side / 2)), float(np.floor(cy - side / 2))
    return Region(x0, y0, side, side, scale=out / side)


def render(
    image: ImageArray, region: Region, masks: Sequence[Box] = (), keep: Box | None = None
) -> ImageArray:
    """Return the RGB pixels of ``region`` (black outside the frame).

    ``masks`` are painted grey, except where they cover ``keep``.
    """
    import cv2

    out = cv2.cvtColor(image if region.full else _window(image, region), cv2.COLOR_BGR2RGB)
    if not masks:
        return np.asarray(out, dtype=np.uint8)
    kept = None if keep is None else _pixels(keep, region, out.shape)
    saved = None if kept is None else out[kept].copy()
    for box in masks:
        out[_pixels(box, region, out.shape)] = 128
    if kept is not None and saved is not None:
        out[kept] = saved
    return np.asarray(out, dtype=np.uint8)


def _window(image: ImageArray, region: Region) -> ImageArray:
    """Return the pixels of a region, scaled, black where it leaves the frame."""
    import cv2

    height, width = image.shape[:2]
    x0, y0 = max(int(np.ceil(region.x0)), 0), max(int(np.ceil(region.y0)), 0)
    x1 = min(int(np.ceil(region.x0 + region.width)), width)
    y1 = min(int(np.ceil(region.y0 + region.height)), height)
    rows_out = max(round(region.height * region.scale), 1)
    cols_out = max(round(region.width * region.scale), 1)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((rows_out, cols_out, 3), dtype=np.uint8)
    part = image[y0:y1, x0:x1]
    if region.scale != 1.0:
        size = (max(round((x1 - x0) * region.scale), 1), max(round((y1 - y0) * region.scale), 1))
        while part.shape[1] >= 2 * size[0] and part.shape[0] >= 2 * size[1]:
            part = np.asarray(cv2.pyrDown(part), dtype=np.uint8)  # smoothed halving: no aliasing
        if (part.shape[1], part.shape[0]) != size:
            resized = cv2.resize(part, size, interpolation=cv2.INTER_LINEAR)
            part = np.asarray(resized, dtype=np.uint8)
    top = min(max(round((y0 - region.y0) * region.scale), 0), rows_out)
    left = min(max(round((x0 - region.x0) * region.scale), 0), cols_out)
    rows, cols = min(part.shape[0], rows_out - top), min(part.shape[1], cols_out - left)
    if (top, left, rows, cols) == (0, 0, rows_out, cols_out):
        return np.ascontiguousarray(part[:rows, :cols])
    out = np.zeros((rows_out, cols_out, 3), dtype=np.uint8)
    out[top : top + rows, left : left + cols] = part[:rows, :cols]
    return out


def _pixels(box: Box, region: Region, shape: tuple[int, ...]) -> tuple[slice, slice]:
    """Return the array slices of a frame box inside a rendered region."""
    x, y, w, h = box
    c0 = min(max(round((x - region.x0) * region.scale), 0), shape[1])
    r0 = min(max(round((y - region.y0) * region.scale), 0), shape[0])
    c1 = min(max(round((x + w - region.x0) * region.scale), c0), shape[1])
    r1 = min(max(round((y + h - region.y0) * region.scale), r0), shape[0])
    return slice(r0, r1), slice(c0, c1)


def find_people(
    estimator: PoseEstimator, image: ImageArray, params: TrackParams, timestamp_ms: int
) -> list[Detection]:
    """Return up to ``max_people`` people in a BGR frame (frame pixels).

    A single-person model is run again with each person found painted over
    (restart it afterwards: it would keep following the last one).
    """
    region = whole_frame(image.shape[1], image.shape[0], params)
    people: list[Detection] = []
    masks: list[Box] = []
    for _ in range(params.max_people if estimator.single_person else 1):
        seen = estimator.estimate(render(image, region, masks), timestamp_ms=timestamp_ms)
        new = [shift(d, dx=0.0, dy=0.0, scale=region.scale) for d in seen]
        new = [d for d in new if usable(d, params)]
        new = [
            d
            for d in new
            if all(iou(det_box(d, params), m) < params.same_person_iou for m in masks)
        ]
        if not new:
            break
        people += new
        margin = params.mask_margin
        masks += [expand(det_box(d, params), margin * box_size(det_box(d, params))) for d in new]
        if not estimator.single_person:
            break
    return people
