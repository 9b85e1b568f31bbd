"""Choose the main subject among several people and follow them through multi-person frames.

:class:`MultiPersonTracker` works on :class:`~hiplab.motion.keypoints.FramePoses`
that already hold everyone (OpenPose JSON, multi-person models). It buffers a
short warm-up window, links detections into tracklets by box IoU
(:func:`tracklets`) and picks the *main subject* — the tracklet with the
largest sum of ``size² × completeness``
(:func:`~hiplab.motion.track.geometry.prominence`) — or, with ``person_box``,
the tracklet whose first boxes overlap it most. It then follows that person
frame by frame through the identity gate (:mod:`hiplab.motion.track.identity`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hiplab.motion.keypoints import Detection, FramePoses
from hiplab.motion.track.geometry import Box, det_box, iou, prominence, usable
from hiplab.motion.track.identity import distance_to, gate
from hiplab.motion.track.params import TrackParams
from hiplab.motion.track.subject import Subject

Decision = tuple[int, Detection | None]
"""A tracker's final word on one frame: its index and the subject's detection (None: lost)."""


def choose(
    people: Sequence[Detection], params: TrackParams, *, person_box: Box | None = None
) -> int | None:
    """Return the index of the subject among ``people`` in one frame, or None.

    With ``person_box``: the person whose box overlaps it most (IoU ≥
    ``person_box_min_iou``). Otherwise the most prominent person.
    """
    candidates = [i for i, p in enumerate(people) if usable(p, params)]
    if not candidates:
        return None
    if person_box is not None:
        overlaps = {i: iou(det_box(people[i], params), person_box) for i in candidates}
        best = max(overlaps, key=lambda i: overlaps[i])
        return best if overlaps[best] >= params.person_box_min_iou else None
    return max(candidates, key=lambda i: prominence(people[i], params.min_score))


def tracklets(
    window: Sequence[FramePoses], params: TrackParams
) -> list[list[tuple[int, Detection]]]:
    """Link the people of consecutive frames into tracklets (greedy box IoU ≥ ``link_min_iou``)."""
    chains: list[list[tuple[int, Detection]]] = []
    for t, poses in enumerate(window):
        live = [c for c in chains if t - c[-1][0] <= params.link_max_gap]
        people = [p for p in poses.people if usable(p, params)]
        pairs = [
            (iou(det_box(c[-1][1], params), det_box(p, params)), ci, pi)
            for ci, c in enumerate(live)
            for pi, p in enumerate(people)
        ]
        used_c: set[int] = set()
        used_p: set[int] = set()
        for score, ci, pi in sorted(pairs, key=lambda s: -s[0]):
            if score < params.link_min_iou or ci in used_c or pi in used_p:
                continue
            live[ci].append((t, people[pi]))
            used_c.add(ci)
            used_p.add(pi)
        for pi, p in enumerate(people):
            if pi not in used_p:
                chains.append([(t, p)])
    return chains


def choose_tracklet(
    chains: Sequence[Sequence[tuple[int, Detection]]],
    params: TrackParams,
    person_box: Box | None = None,
) -> int | None:
    """Return the index of the main subject's tracklet (or the one ``person_box`` selects)."""
    if not chains:
        return None
    if person_box is not None:
        overlap = [max(iou(det_box(d, params), person_box) for _, d in c[:3]) for c in chains]
        best = int(np.argmax(overlap))
        return best if overlap[best] >= params.person_box_min_iou else None
    weight = [sum(prominence(d, params.min_score) for _, d in c) for c in chains]
    return int(np.argmax(weight))


class MultiPersonTracker:
    """Follow one person through frames that list everyone (see the module docstring)."""

    def __init__(
        self,
        params: TrackParams,
        *,
        person_box: Box | None = None,
        subject: Subject | None = None,
    ) -> None:
        self.params = params
        self.person_box = person_box
        self.subject = subject
        self._window: list[FramePoses] = []

    def push(self, poses: FramePoses) -> list[Decision]:
        """Add one frame; return the decisions that became final (warm-up delays some)."""
        if self.subject is not None:
            return [(poses.index, self._follow(poses))]
        self._window.append(poses)
        if len(self._window) < self.params.warmup_frames:
            return []
        return self._settle()

    def finish(self) -> list[Decision]:
        """Return the decisions still held back at the end of the input."""
        return self._settle() if self._window else []

    def _settle(self) -> list[Decision]:
        window, self._window = self._window, []
        chains = tracklets(window, self.params)
        best = choose_tracklet(chains, self.params, self.person_box)
        if best is None:
            return [(p.index, None) for p in window]
        first, det = chains[best][0]
        self.subject = Subject.start(det, self.params)
        out: list[Decision] = [(p.index, None) for p in window[:first]]
        out.append((window[first].index, det))
        out += [(p.index, self._follow(p)) for p in window[first + 1 :]]
        return out

    def _follow(self, poses: FramePoses) -> Detection | None:
        subject = self.subject
        assert subject is not None
        fits = [p for p in poses.people if gate(subject, p, self.params)]
        if not fits:
            self.subject = subject.miss()
            return None
        best = min(fits, key=lambda p: distance_to(subject, p))
        self.subject = subject.confirm(best)
        return best
