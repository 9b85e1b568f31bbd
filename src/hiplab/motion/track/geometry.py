"""Boxes and body measures of one detection: the units every tracking decision is made in.

Sizes are *body sizes* (:func:`body_size`: 4 × the median torso/thigh/shank
length), which unlike the box do not change when the person crouches, raises
the arms or turns over in a somersault; positions are *anchors*
(:func:`anchor`: the mean of shoulders and hips), which do not move when the
arms swing. Boxes are ``(x, y, w, h)`` in frame pixels, y down.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.keypoints import INDEX, Detection
from hiplab.motion.track.params import TrackParams

Box = tuple[float, float, float, float]
FloatArray = NDArray[np.float64]

TORSO = tuple(INDEX[n] for n in ("left_shoulder", "right_shoulder", "right_hip", "left_hip"))
"""The keypoints of the anchor: shoulders and hips."""
SEGMENTS = tuple(
    (INDEX[f"{side}_{a}"], INDEX[f"{side}_{b}"])
    for side in ("left", "right")
    for a, b in (("shoulder", "hip"), ("hip", "knee"), ("knee", "ankle"))
)
"""The segments of the body size: torso, thigh and shank of each side."""


def box_center(box: Box) -> tuple[float, float]:
    """Return the centre of ``(x, y, w, h)``."""
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def box_size(box: Box) -> float:
    """Return the longer side of a box (at least 1 pixel)."""
    return max(box[2], box[3], 1.0)


def iou(a: Box, b: Box) -> float:
    """Return the intersection over union of two ``(x, y, w, h)`` boxes.

    >>> iou((0, 0, 2, 2), (1, 0, 2, 2))
    0.3333333333333333
    """
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(x1 - x0, 0.0) * max(y1 - y0, 0.0)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def expand(box: Box, by: float) -> Box:
    """Return ``box`` widened by ``by`` pixels on every side."""
    return box[0] - by, box[1] - by, box[2] + 2 * by, box[3] + 2 * by


def found(det: Detection, min_score: float) -> NDArray[np.bool_]:
    """Return the mask of keypoints found with at least ``min_score``."""
    mask: NDArray[np.bool_] = (det.score >= min_score) & np.isfinite(det.xy).all(axis=1)
    return mask


def completeness(det: Detection, min_score: float) -> float:
    """Return the share of keypoints found."""
    return float(found(det, min_score).mean())


def _length(xy: FloatArray, a: int, b: int) -> float:
    return float(np.hypot(*(xy[a] - xy[b])))


def body_size(
    det: Detection, min_score: float, *, memory: FloatArray | None = None
) -> float | None:
    """Return 4 × the median length of the found torso, thigh and shank segments, or None.

    About the standing height from shoulders to ankles, but unlike the box it
    does not change when the person crouches, raises the arms or turns over.

    Parameters
    ----------
    det
        The person.
    min_score
        A keypoint with a lower score is not found.
    memory
        Optional (K, 2) positions where each keypoint is expected (NaN: unknown),
        such as :meth:`~hiplab.motion.track.subject.Subject.predicted_points`. A
        segment ``det`` misses is measured there: in a front-view squat the
        thighs are foreshortened, and a knee dropping out would otherwise move
        the median by a third.

    """
    ok = found(det, min_score)
    lengths = [_length(det.xy, a, b) for a, b in SEGMENTS if ok[a] and ok[b]]
    if memory is not None:
        known = np.isfinite(memory).all(axis=1)
        lengths += [
            _length(memory, a, b)
            for a, b in SEGMENTS
            if not (ok[a] and ok[b]) and known[a] and known[b]
        ]
    return 4 * float(np.median(lengths)) if len(lengths) >= 2 else None


def anchor(
    det: Detection, min_score: float, *, memory: FloatArray | None = None
) -> tuple[float, float] | None:
    """Return the mean of the shoulders and hips (the box centre if fewer than 2).

    Unlike the box centre, it does not move when the arms or a leg swing.

    Parameters
    ----------
    det
        The person.
    min_score
        A keypoint with a lower score is not found.
    memory
        Optional (K, 2) positions where each keypoint is expected (NaN: unknown),
        such as :meth:`~hiplab.motion.track.subject.Subject.predicted_points`. A
        shoulder or hip not found in ``det`` is taken from it, so that a
        keypoint dropping out does not move the anchor by half the torso (at
        least one must be found: the anchor is never only remembered).

    """
    ok = found(det, min_score)
    torso = det.xy[[i for i in TORSO if ok[i]]]
    if memory is not None:
        filled = [memory[i] for i in TORSO if not ok[i] and np.isfinite(memory[i]).all()]
        if len(torso) and filled:
            torso = np.concatenate([torso, np.asarray(filled)])
    if len(torso) >= 2:
        x, y = torso.mean(axis=0)
        return float(x), float(y)
    box = det.box(min_score)
    return None if box is None else box_center(box)


def usable(det: Detection, params: TrackParams) -> bool:
    """Return True if ``det`` has enough keypoints to be followed."""
    return (
        int(found(det, params.min_score).sum()) >= params.min_keypoints
        and body_size(det, params.min_score) is not None
    )


def prominence(det: Detection, min_score: float) -> float:
    """Return ``size² × completeness`` (body size): how much a person is *the* person in view."""
    size = body_size(det, min_score)
    return 0.0 if size is None else size**2 * completeness(det, min_score)


def shift(det: Detection, *, dx: float, dy: float, scale: float) -> Detection:
    """Return a detection from crop pixels to frame pixels (``frame = d + crop / scale``)."""
    # World landmarks are metric and hip-centred: a crop moves and scales the image, not them.
    return Detection(xy=det.xy / scale + np.array([dx, dy]), score=det.score, world=det.world)


def det_box(det: Detection, params: TrackParams) -> Box:
    """Return the box of ``det``'s confident keypoints (an empty box at 0 when there is none)."""
    box = det.box(params.min_score)
    return (0.0, 0.0, 0.0, 0.0) if box is None else box
