"""The identity gate: is this detection the subject, and how close is it to where they should be.

Identity (:func:`rejection`): a detection is the subject only if its anchor lies
within ``max_jump`` body sizes of the predicted anchor (constant velocity), its
body size (when it can be measured) changed by less than ``max_size_change``,
and most of its confident keypoints fall inside the predicted box widened by the
same allowance — otherwise the keypoints *jumped* and the frame is lost. While
lost, the allowance grows by ``search_growth`` sizes per frame, up to
``max_search``: somebody further away is somebody else. A frame that fails is
reported lost (no keypoints) rather than measured on somebody else.

Among the people who pass the gate, the subject is the one whose keypoints lie
nearest, by the median over the keypoints both have, to where the subject's
keypoints should be (:func:`distance_to`): a passer-by whose hips happen to be
near the subject's still has the head, arms and legs elsewhere, and a keypoint
the subject misses just leaves the comparison.

Appearance (clothing colours) is deliberately not used: on the sports2d demo
video the light changes the jumping man's torso colours (roof against the sky,
then grass in the sun) as much as a change to the walking woman does.
"""

from __future__ import annotations

import numpy as np

from hiplab.motion.keypoints import Detection
from hiplab.motion.track.geometry import anchor, body_size, expand, found
from hiplab.motion.track.params import TrackParams
from hiplab.motion.track.subject import Subject


def gate(subject: Subject, det: Detection, params: TrackParams) -> bool:
    """Return True if ``det`` can be the subject: no jump away from the predicted box."""
    return rejection(subject, det, params) is None


def rejection(subject: Subject, det: Detection, params: TrackParams) -> str | None:
    """Return why ``det`` cannot be the subject (``"too few keypoints"``, ``"jump"``…), or None.

    The body size takes segments ``det`` misses from the subject's keypoint
    memory; the size change is checked only when it can be measured at all.
    """
    ok = found(det, params.min_score)
    box, center = det.box(params.min_score), anchor(det, params.min_score)
    size = body_size(det, params.min_score, memory=subject.predicted_points())
    if ok.sum() < params.min_keypoints or box is None or center is None:
        return "too few keypoints"
    allowed = subject.allowance()
    (cx, cy), (px, py) = center, subject.predicted_center()
    if np.hypot(cx - px, cy - py) > allowed:
        return "jump"
    lost = min(subject.lost_for, params.size_change_growth_frames)
    growth = params.max_size_change * (1 + params.size_change_growth * lost)
    if not subject.settled:
        growth *= params.unsettled_size_factor
    ratio = 1.0 if size is None else size / max(subject.size, 1.0)
    if not 1 / growth <= ratio <= growth:
        return "size change"
    x, y, w, h = expand(subject.predicted_box(), allowed)
    pts = det.xy[ok]
    inside = (pts[:, 0] >= x) & (pts[:, 0] <= x + w) & (pts[:, 1] >= y) & (pts[:, 1] <= y + h)
    if inside.mean() < params.inside_fraction:
        return "keypoints jump"
    return None


def distance_to(subject: Subject, det: Detection) -> float:
    """Return how far ``det`` is from where the subject should be, in subject sizes.

    The median, over the keypoints ``det`` has and the subject's memory knows
    (at least ``min_shared``), of each keypoint's distance from its predicted
    place (:meth:`Subject.predicted_points`); otherwise the distance of the
    anchor from the predicted centre. A keypoint missing on either side leaves
    the comparison instead of moving a reference point. The thresholds are the
    subject's :class:`TrackParams`.
    """
    min_score = subject.params.min_score
    expected = subject.predicted_points()
    shared = found(det, min_score) & np.isfinite(expected).all(axis=1)
    if shared.sum() >= subject.params.min_shared:
        gaps = np.hypot(*(det.xy[shared] - expected[shared]).T)
        return float(np.median(gaps) / max(subject.size, 1.0))
    center = anchor(det, min_score)
    if center is None:
        return float("inf")
    (cx, cy), (px, py) = center, subject.predicted_center()
    return float(np.hypot(cx - px, cy - py) / max(subject.size, 1.0))
