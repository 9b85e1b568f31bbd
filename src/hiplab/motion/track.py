"""Keep the subject: choose one person and follow them, or report them lost.

Two trackers share one identity gate (:func:`gate`):

* :class:`MultiPersonTracker` works on :class:`~hiplab.motion.keypoints.FramePoses`
  that already hold everyone (OpenPose JSON, multi-person models). It buffers a
  short warm-up window, links detections into tracklets by box IoU and picks
  the *main subject* — the tracklet with the largest sum of ``size² ×
  completeness`` (:func:`prominence`) — or, with ``person_box``, the tracklet
  whose first boxes overlap it most. It then follows that person frame by frame.
* :class:`CropTracker` drives a *single-person* model (the bundled MediaPipe
  one, which returns whoever is most prominent and so jumps to a passer-by). At
  the start it finds the people in view by running the model on the whole
  frame again and again, painting over each person found, and picks the main
  subject (or the ``person_box`` one) among them. Then the model sees only a
  square crop around the subject's predicted box (``crop_margin`` × its extent,
  moving with the subject so that the model's own frame-to-frame tracking stays
  aligned); while the subject is lost the crop widens with the distance they
  may have covered, up to the whole frame. People it rejected are remembered as
  *distractors*: their predicted boxes are painted over in later crops so that
  the model lets go of them, and a detection that continues a distractor's
  track is refused.

Sizes are *body sizes* (:func:`body_size`: 4 × the median torso/thigh/shank
length), which unlike the box do not change when the person crouches, raises
the arms or turns over in a somersault; positions are *anchors*
(:func:`anchor`: the mean of shoulders and hips), which do not move when the
arms swing.

Keypoint memory: the subject remembers where each keypoint was last seen (for
up to ``MEMORY_FRAMES`` frames). A shoulder or hip the model misses in a frame
is taken at its remembered place (moved with the subject's velocity) when the
subject's anchor is computed, so a dropout does not move the anchor and never
enters the velocity. Among the people who pass the gate, the subject is the one
whose keypoints lie nearest, by the median over the keypoints both have, to
where the subject's keypoints should be (:func:`distance_to`): a passer-by whose
hips happen to be near the subject's still has the head, arms and legs
elsewhere, and a keypoint the subject misses just leaves the comparison.

Identity (:func:`rejection`): a detection is the subject only if its anchor lies
within ``max_jump`` body sizes of the predicted anchor (constant velocity), its
body size (when it can be measured) changed by less than ``max_size_change``,
and most of its confident keypoints fall inside the predicted box widened by the
same allowance — otherwise the keypoints *jumped* and the frame is lost. While
lost, the allowance grows by ``search_growth`` sizes per frame, up to
``max_search``: somebody further away is somebody else. A frame that fails is
reported lost (no keypoints) rather than measured on somebody else.

Appearance (clothing colours) is deliberately not used: on the sports2d demo
video the light changes the jumping man's torso colours (roof against the sky,
then grass in the sun) as much as a change to the walking woman does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from hiplab.motion.keypoints import INDEX, KEYPOINTS, Detection, FramePoses
from hiplab.motion.pose import ImageArray, PoseEstimator
from hiplab.motion.video import Frame

Box = tuple[float, float, float, float]
FloatArray = NDArray[np.float64]

SETTLE_FRAMES = 4
"""Confirmations after which a subject's size and speed are trusted."""

MAX_SPEED = 0.2
"""Largest predicted speed of the subject's centre, in sizes per frame."""

MEMORY_FRAMES = 15
"""Frames a keypoint's last position is remembered (the pose changes meanwhile).

Covers a dropout of 0.5 s at 30 fps, 0.125 s at 120 fps; the prediction moves a
remembered keypoint with the velocity for at most 10 frames."""

MIN_SHARED = 4
"""Keypoints a detection must share with the subject's memory to be compared one by one.

With fewer, the anchors are compared instead (:func:`distance_to`)."""

_TORSO = tuple(INDEX[n] for n in ("left_shoulder", "right_shoulder", "right_hip", "left_hip"))
_SEGMENTS = tuple(
    (INDEX[f"{side}_{a}"], INDEX[f"{side}_{b}"])
    for side in ("left", "right")
    for a, b in (("shoulder", "hip"), ("hip", "knee"), ("knee", "ankle"))
)


@dataclass(frozen=True)
class TrackParams:
    """How the subject is kept. Sizes are in units of the subject's size (longer box side)."""

    min_score: float = 0.3
    """A keypoint with at least this score counts as found."""
    min_keypoints: int = 6
    """A detection with fewer found keypoints is not used."""
    crop_margin: float = 2.0
    """Side of the square crop around the subject, in subject sizes."""
    crop_max_side: int = 512
    """Crops larger than this many pixels are scaled down before inference."""
    search_max_side: int = 960
    """The whole frame, searched to find people, is halved until it is this size or less.

    MediaPipe samples its landmark region from the image without smoothing, so
    a large frame aliases; a smoothed smaller one finds people more often."""
    max_jump: float = 0.35
    """Largest distance from the predicted centre, in sizes, for the same person."""
    max_size_change: float = 1.25
    """Largest ratio between a detection's body size and the subject's."""
    inside_fraction: float = 0.6
    """Share of confident keypoints that must fall inside the widened predicted box."""
    search_growth: float = 0.12
    """While lost, the allowed distance grows by this many sizes per frame."""
    max_search: float = 2.0
    """The allowed distance never exceeds this many sizes: further away is somebody else."""
    confirm_within: int = 3
    """Frames a find after a loss may wait for a frame that agrees (frames with nobody)."""
    max_people: int = 3
    """People searched for when choosing the subject with a single-person model."""
    warmup_frames: int = 15
    """Frames looked at to choose the main subject among several people."""
    distractor_frames: int = 45
    """Frames a rejected person is remembered and masked out of crops."""

    def __post_init__(self) -> None:
        checks = {
            "min_score": 0 <= self.min_score <= 1,
            "min_keypoints": self.min_keypoints >= 2,
            "crop_margin": self.crop_margin >= 1,
            "crop_max_side": self.crop_max_side >= 64,
            "search_max_side": self.search_max_side >= 64,
            "max_jump": self.max_jump > 0,
            "max_size_change": self.max_size_change >= 1,
            "inside_fraction": 0 <= self.inside_fraction <= 1,
            "search_growth": self.search_growth >= 0,
            "max_people": self.max_people >= 1,
            "confirm_within": self.confirm_within >= 1,
            "warmup_frames": self.warmup_frames >= 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"TrackParams.{name} is out of range: {getattr(self, name)!r}")


# --- boxes ---------------------------------------------------------------------------------


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
        such as :meth:`Subject.predicted_points`. A segment ``det`` misses is
        measured there: in a front-view squat the thighs are foreshortened, and
        a knee dropping out would otherwise move the median by a third.

    """
    ok = found(det, min_score)
    lengths = [_length(det.xy, a, b) for a, b in _SEGMENTS if ok[a] and ok[b]]
    if memory is not None:
        known = np.isfinite(memory).all(axis=1)
        lengths += [
            _length(memory, a, b)
            for a, b in _SEGMENTS
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
        such as :meth:`Subject.predicted_points`. A shoulder or hip not found in
        ``det`` is taken from it, so that a keypoint dropping out does not move
        the anchor by half the torso (at least one must be found: the anchor
        is never only remembered).

    """
    ok = found(det, min_score)
    torso = det.xy[[i for i in _TORSO if ok[i]]]
    if memory is not None:
        filled = [memory[i] for i in _TORSO if not ok[i] and np.isfinite(memory[i]).all()]
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


# --- subject state and identity gate -----------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """The followed person: last confirmed box, centre velocity (px/frame), frames lost.

    ``size`` is the running body size (:func:`body_size`), the unit of every allowance.
    ``points`` (K, 2) is where each keypoint was last seen (NaN: never) and
    ``ages`` (K,) how many frames ago (see :meth:`predicted_points`).
    """

    box: Box
    center: tuple[float, float] = (0.0, 0.0)
    velocity: tuple[float, float] = (0.0, 0.0)
    size: float = 0.0
    lost_for: int = 0
    seen: int = 1
    streak: int = 1
    points: FloatArray | None = field(default=None, compare=False, repr=False)
    ages: NDArray[np.int64] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def start(cls, det: Detection, min_score: float) -> Subject:
        """Return a subject first seen as ``det`` (which must be :func:`usable`)."""
        box, size, center = det.box(min_score), body_size(det, min_score), anchor(det, min_score)
        if box is None or size is None or center is None:
            raise ValueError("a subject starts from a detection with a box and a body size")
        ok = found(det, min_score)
        points = np.where(ok[:, None], det.xy, np.nan)
        ages = np.where(ok, 0, MEMORY_FRAMES + 1).astype(np.int64)
        return cls(box=box, center=center, size=size, points=points, ages=ages)

    @property
    def extent(self) -> float:
        """Return the size of the region the person may occupy (box or body size)."""
        return max(box_size(self.box), self.size)

    def predicted_center(self) -> tuple[float, float]:
        """Return where the :func:`anchor` should be now (constant velocity, ≤ 10 frames ahead)."""
        steps = min(self.lost_for + 1, 10)
        return self.center[0] + self.velocity[0] * steps, self.center[1] + self.velocity[1] * steps

    def predicted_points(self) -> FloatArray:
        """Return where each keypoint should be now (K, 2), NaN if unknown.

        A keypoint's last position moved with the centre's velocity for the
        frames since it was seen (≤ 10); forgotten after ``MEMORY_FRAMES`` frames.
        The array is shared by the calls on one state: do not modify it.
        """
        return self._predicted

    @cached_property
    def _predicted(self) -> FloatArray:
        # every candidate of a frame is compared with it, several times
        ages = self._ages()
        moved = self._points() + np.asarray(self.velocity) * np.minimum(ages + 1, 10)[:, None]
        out: FloatArray = np.where((ages <= MEMORY_FRAMES)[:, None], moved, np.nan)
        out.flags.writeable = False
        return out

    def predicted_box(self) -> Box:
        """Return the last box moved with the predicted anchor."""
        px, py = self.predicted_center()
        dx, dy = px - self.center[0], py - self.center[1]
        return self.box[0] + dx, self.box[1] + dy, self.box[2], self.box[3]

    def allowance(self, params: TrackParams) -> float:
        """Return how far (pixels) the centre may be from the prediction."""
        return self.size * min(
            params.max_jump + params.search_growth * self.lost_for, params.max_search
        )

    def confirm(self, det: Detection, min_score: float) -> Subject:
        """Return the state after the subject was found as ``det``.

        The anchor and the body size take a keypoint ``det`` misses from the
        keypoint memory, and the velocity follows only the shoulders and hips
        seen in both frames, so a keypoint dropping out or coming back never
        enters the velocity. A body size that cannot be measured keeps the
        running one.
        """
        memory = self.predicted_points()
        box, new = det.box(min_score), body_size(det, min_score, memory=memory)
        center = anchor(det, min_score, memory=memory)
        if box is None or center is None:
            raise ValueError("confirm needs a detection with a box")
        ok = found(det, min_score)
        size = self.size if new is None else 0.8 * self.size + 0.2 * new if self.settled else new
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
        """Return the velocity updated with the torso's move since the last frame (≤ MAX_SPEED).

        Only the shoulders and hips found in both frames count: one that drops out
        or comes back moves the mean of the found ones, not the body.
        """
        both = [i for i in _TORSO if ok[i] and self._ages()[i] == 0]
        if not both:
            return self.velocity
        dx, dy = (det.xy[both] - self._points()[both]).mean(axis=0)
        vx = 0.5 * float(dx) + 0.5 * self.velocity[0]
        vy = 0.5 * float(dy) + 0.5 * self.velocity[1]
        cap = min(MAX_SPEED * size / max(float(np.hypot(vx, vy)), 1e-9), 1.0)
        return vx * cap, vy * cap

    @property
    def settled(self) -> bool:
        """Return True once the subject was confirmed on a few frames.

        A model's first fit after detecting someone is often loose, so the size
        check and the velocity wait for this.
        """
        return self.seen >= SETTLE_FRAMES

    @property
    def solid(self) -> bool:
        """Return True if the subject was followed without a gap for a while and lost only briefly.

        Only then is a detection far from it surely somebody else (a distractor).
        """
        return self.streak >= SETTLE_FRAMES and self.lost_for <= SETTLE_FRAMES

    def miss(self) -> Subject:
        """Return the state after a frame without the subject."""
        return replace(self, lost_for=self.lost_for + 1, ages=self._ages() + 1)

    def _ages(self) -> NDArray[np.int64]:
        if self.ages is None:
            return np.full(len(KEYPOINTS), MEMORY_FRAMES + 1, dtype=np.int64)
        return self.ages

    def _points(self) -> FloatArray:
        return np.full((len(KEYPOINTS), 2), np.nan) if self.points is None else self.points


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
    allowed = subject.allowance(params)
    (cx, cy), (px, py) = center, subject.predicted_center()
    if np.hypot(cx - px, cy - py) > allowed:
        return "jump"
    growth = params.max_size_change * (1 + 0.05 * min(subject.lost_for, 4))
    if not subject.settled:
        growth *= 2
    ratio = 1.0 if size is None else size / max(subject.size, 1.0)
    if not 1 / growth <= ratio <= growth:
        return "size change"
    x, y, w, h = expand(subject.predicted_box(), allowed)
    pts = det.xy[ok]
    inside = (pts[:, 0] >= x) & (pts[:, 0] <= x + w) & (pts[:, 1] >= y) & (pts[:, 1] <= y + h)
    if inside.mean() < params.inside_fraction:
        return "keypoints jump"
    return None


def distance_to(subject: Subject, det: Detection, min_score: float) -> float:
    """Return how far ``det`` is from where the subject should be, in subject sizes.

    The median, over the keypoints ``det`` has and the subject's memory knows
    (at least ``MIN_SHARED``), of each keypoint's distance from its predicted
    place (:meth:`Subject.predicted_points`); otherwise the distance of the
    anchor from the predicted centre. A keypoint missing on either side leaves
    the comparison instead of moving a reference point.
    """
    expected = subject.predicted_points()
    shared = found(det, min_score) & np.isfinite(expected).all(axis=1)
    if shared.sum() >= MIN_SHARED:
        gaps = np.hypot(*(det.xy[shared] - expected[shared]).T)
        return float(np.median(gaps) / max(subject.size, 1.0))
    center = anchor(det, min_score)
    if center is None:
        return float("inf")
    (cx, cy), (px, py) = center, subject.predicted_center()
    return float(np.hypot(cx - px, cy - py) / max(subject.size, 1.0))


# --- choosing the subject ----------------------------------------------------------------


def choose(
    people: Sequence[Detection], params: TrackParams, *, person_box: Box | None = None
) -> int | None:
    """Return the index of the subject among ``people`` in one frame, or None.

    With ``person_box``: the person whose box overlaps it most (IoU ≥ 0.1).
    Otherwise the most prominent person (:func:`prominence`).
    """
    candidates = [i for i, p in enumerate(people) if usable(p, params)]
    if not candidates:
        return None
    if person_box is not None:
        overlaps = {i: iou(_box(people[i], params), person_box) for i in candidates}
        best = max(overlaps, key=lambda i: overlaps[i])
        return best if overlaps[best] >= 0.1 else None
    return max(candidates, key=lambda i: prominence(people[i], params.min_score))


def _box(det: Detection, params: TrackParams) -> Box:
    box = det.box(params.min_score)
    return (0.0, 0.0, 0.0, 0.0) if box is None else box


def tracklets(
    window: Sequence[FramePoses], params: TrackParams
) -> list[list[tuple[int, Detection]]]:
    """Link the people of consecutive frames into tracklets (greedy box IoU ≥ 0.3)."""
    chains: list[list[tuple[int, Detection]]] = []
    for t, poses in enumerate(window):
        live = [c for c in chains if t - c[-1][0] <= 3]
        people = [p for p in poses.people if usable(p, params)]
        pairs = [
            (iou(_box(c[-1][1], params), _box(p, params)), ci, pi)
            for ci, c in enumerate(live)
            for pi, p in enumerate(people)
        ]
        used_c: set[int] = set()
        used_p: set[int] = set()
        for score, ci, pi in sorted(pairs, key=lambda s: -s[0]):
            if score < 0.3 or ci in used_c or pi in used_p:
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
        overlap = [max(iou(_box(d, params), person_box) for _, d in c[:3]) for c in chains]
        best = int(np.argmax(overlap))
        return best if overlap[best] >= 0.1 else None
    weight = [sum(prominence(d, params.min_score) for _, d in c) for c in chains]
    return int(np.argmax(weight))


# --- multi-person input ----------------------------------------------------------------


Decision = tuple[int, Detection | None]


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
        self.subject = Subject.start(det, self.params.min_score)
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
        best = min(fits, key=lambda p: distance_to(subject, p, self.params.min_score))
        self.subject = subject.confirm(best, self.params.min_score)
        return best


# --- single-person model on crops ---------------------------------------------------------


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

    def predicted(self, ahead: int = 0) -> Box:
        """Return the box moved by its velocity to ``ahead`` frames from now, widened with age."""
        steps = self.age + ahead
        x, y, w, h = self.box
        grow = 0.1 * box_size(self.box) * (1 + 0.1 * steps)
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
    moved = subject.allowance(params) - params.max_jump * subject.size
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
        new = [d for d in new if all(iou(_box(d, params), m) < 0.5 for m in masks)]
        if not new:
            break
        people += new
        masks += [expand(_box(d, params), 0.1 * box_size(_box(d, params))) for d in new]
        if not estimator.single_person:
            break
    return people


@dataclass(frozen=True)
class Pending:
    """A detection found after the subject was missing, waiting for a later frame to agree.

    ``before`` is the subject as it was before (None when it had never been found);
    ``waited`` counts the frames since in which the model saw nobody at all.
    """

    index: int
    det: Detection
    before: Subject | None
    waited: int = 0


@dataclass(frozen=True)
class CropState:
    """What a :class:`CropTracker` knows after a frame: subject, distractors, pending find."""

    subject: Subject | None = None
    distractors: tuple[Distractor, ...] = ()
    pending: Pending | None = None


@dataclass(frozen=True)
class Look:
    """What the model saw in one frame, in frame pixels, and whether it searched the frame."""

    index: int
    people: tuple[Detection, ...]
    searched: bool


class Viewer:
    """A single-person pose model and the region it looked at last.

    MediaPipe follows a person from one call to the next by the position of its
    last landmarks in the *previous image*. When the region fed to it moves or
    changes scale a lot (after the subject was found again, or the search
    widened), that position points somewhere else; :meth:`see` then restarts the
    model so that it detects afresh in this image instead of returning nothing.
    """

    def __init__(self, estimator: PoseEstimator) -> None:
        self.estimator = estimator
        self.region: Region | None = None
        self.following = False

    def see(
        self,
        image: ImageArray,
        region: Region,
        *,
        timestamp_ms: int,
        masks: Sequence[Box] = (),
        keep: Box | None = None,
        size: float = 0.0,
    ) -> list[Detection]:
        """Return the people the model finds in ``region`` of ``image`` (frame pixels).

        ``size`` is the subject's size, the unit of how far a region may move
        before the model is restarted.
        """
        if self.following and self.region is not None and moved(self.region, region) > 0.25 * size:
            self.estimator.restart()
        seen = self.estimator.estimate(
            render(image, region, masks, keep), timestamp_ms=timestamp_ms
        )
        self.region, self.following = region, bool(seen)
        return [shift(d, dx=region.x0, dy=region.y0, scale=region.scale) for d in seen]

    def forget(self) -> None:
        """Restart the model (after it was run on other images)."""
        self.estimator.restart()
        self.region, self.following = None, False


def moved(before: Region, after: Region) -> float:
    """Return how far (frame pixels) a point seen at the same place in both regions moves."""
    dx0, dy0 = after.x0 - before.x0, after.y0 - before.y0
    dx1 = dx0 + after.width - before.width
    dy1 = dy0 + after.height - before.height
    return float(max(abs(dx0), abs(dy0), abs(dx1), abs(dy1)))


def look(
    viewer: Viewer,
    frame: Frame,
    state: CropState,
    params: TrackParams,
    *,
    ahead: int = 1,
) -> Look:
    """Run the model for ``frame`` given the state ``ahead`` frames earlier.

    Without a subject, the whole frame is searched for people
    (:func:`find_people`); otherwise the model sees the crop around the
    subject's predicted box (:func:`crop_region`), distractors masked. This is
    the expensive half of a tracking step; it only reads ``state``, so several
    frames can be looked at concurrently (one viewer each).
    """
    stamp = round(frame.time_s * 1000)
    subject = state.subject
    if subject is None:
        people = find_people(viewer.estimator, frame.image, params, stamp)
        viewer.forget()
        return Look(frame.index, tuple(people), searched=True)
    ahead_subject = replace(subject, lost_for=subject.lost_for + ahead - 1)
    height, width = frame.image.shape[:2]
    people = viewer.see(
        frame.image,
        crop_region(ahead_subject, width, height, params),
        timestamp_ms=stamp,
        masks=[d.predicted(ahead) for d in state.distractors],
        keep=expand(ahead_subject.predicted_box(), 0.1 * subject.extent),
        size=subject.size,
    )
    return Look(frame.index, tuple(people), searched=False)


class CropTracker:
    """Follow one person with a single-person model by cropping around them (module docstring).

    A person found after the subject was missing (or first found) is only
    *pending*: the decision for that frame waits for a later frame showing the
    same person close by (frames where the model sees nobody at all may come in
    between, up to ``confirm_within``); a frame showing somebody else, or none in
    time, drops the find (that frame is reported lost). One bad fit in the middle
    of a somersault is thus never reported. :meth:`step` does one frame;
    :func:`look` and :meth:`settle` are its two halves, for callers that run the
    model on several frames at once.
    Decisions come back as ``(frame index, detection or None)``, each frame
    once, a pending frame's when it is decided; :meth:`finish` returns the last.
    """

    def __init__(
        self,
        estimator: PoseEstimator | None,
        params: TrackParams,
        *,
        person_box: Box | None = None,
        state: CropState | None = None,
    ) -> None:
        self.viewer = None if estimator is None else Viewer(estimator)
        self.params = params
        self.person_box = person_box
        self.state = state or CropState()

    @property
    def subject(self) -> Subject | None:
        """Return the followed subject (None before it is found)."""
        return self.state.subject

    def step(self, frame: Frame) -> list[Decision]:
        """Track one frame; return the decisions that became final."""
        if self.viewer is None:
            raise ValueError("CropTracker.step needs an estimator")
        return self.settle(look(self.viewer, frame, self.state, self.params))

    def finish(self) -> list[Decision]:
        """Return the decision still pending at the end: lost (nothing confirmed it)."""
        pending = self.state.pending
        self.state = replace(self.state, pending=None)
        return [] if pending is None else [(pending.index, None)]

    def settle(self, seen: Look) -> list[Decision]:
        """Decide who in ``seen`` is the subject and update the state (frames in order).

        Returns the decisions made: usually this frame's; none while a find is
        pending; the pending frame's and this one's when it is decided.
        """
        distractors = tuple(
            d.older() for d in self.state.distractors if d.age < self.params.distractor_frames
        )
        subject, pending = self.state.subject, self.state.pending
        if pending is None:
            return self._settle(seen, subject, distractors)
        assert subject is not None  # a pending find is the tentative subject
        best, distractors = self._pick(subject, seen.people, distractors)
        if best is not None:  # a later frame agrees: the find was right
            self.state = CropState(subject.confirm(best, self.params.min_score), distractors)
            return [(pending.index, pending.det), (seen.index, best)]
        if not seen.people and pending.waited + 1 < self.params.confirm_within:
            waiting = replace(pending, waited=pending.waited + 1)
            self.state = CropState(subject.miss(), distractors, waiting)
            return [(seen.index, None)]
        # contradicted, or nothing confirmed it in time: forget the find, resume from before it
        before = pending.before
        if before is not None:
            before = replace(before, lost_for=before.lost_for + seen.index - pending.index)
        return [(pending.index, None), *self._settle(seen, before, distractors)]

    def _settle(
        self, seen: Look, subject: Subject | None, distractors: tuple[Distractor, ...]
    ) -> list[Decision]:
        min_score = self.params.min_score
        if subject is None:
            pick = choose(list(seen.people), self.params, person_box=self.person_box)
            if pick is None:
                self.state = CropState(None, distractors)
                return [(seen.index, None)]
            det = seen.people[pick]
            found = Pending(seen.index, det, None)
            self.state = CropState(Subject.start(det, min_score), distractors, found)
            return []
        best, distractors = self._pick(subject, seen.people, distractors)
        if best is None:
            self.state = CropState(subject.miss(), distractors)
            return [(seen.index, None)]
        if subject.lost_for:
            found = Pending(seen.index, best, subject)
            self.state = CropState(subject.confirm(best, min_score), distractors, found)
            return []
        self.state = CropState(subject.confirm(best, min_score), distractors)
        return [(seen.index, best)]

    def _pick(
        self, subject: Subject, people: Sequence[Detection], distractors: tuple[Distractor, ...]
    ) -> tuple[Detection | None, tuple[Distractor, ...]]:
        best: Detection | None = None
        far = subject.allowance(self.params) / max(subject.size, 1.0)
        for det in sorted(people, key=lambda d: distance_to(subject, d, self.params.min_score)):
            if (
                best is None
                and gate(subject, det, self.params)
                and not continues(distractors, subject, det, self.params)
            ):
                best = det
                continue
            if (
                subject.settled
                and distance_to(subject, det, self.params.min_score) > far
                and iou(_box(det, self.params), subject.predicted_box()) == 0
            ):
                distractors = remember(distractors, _box(det, self.params))
        return best, distractors


def continues(
    distractors: Sequence[Distractor], subject: Subject, det: Detection, params: TrackParams
) -> bool:
    """Return True if ``det`` continues a distractor's track better than the subject's."""
    box = _box(det, params)
    mine = iou(subject.predicted_box(), box)
    return any(max(mine, 0.3) < iou(d.predicted(), box) for d in distractors)


def remember(distractors: tuple[Distractor, ...], box: Box) -> tuple[Distractor, ...]:
    """Return the distractors with ``box`` added, or continuing the one it overlaps."""
    for i, d in enumerate(distractors):
        if iou(d.predicted(), box) > 0.2:
            (cx, cy), (px, py) = box_center(box), box_center(d.box)
            steps = max(d.age, 1)
            moved = Distractor(box, ((cx - px) / steps, (cy - py) / steps), 0)
            return (*distractors[:i], moved, *distractors[i + 1 :])
    return (*distractors, Distractor(box))
