"""Follow one person with a single-person model by cropping around them.

:class:`CropTracker` drives a *single-person* model (the bundled MediaPipe
one). Without a subject it searches the whole frame for people
(:func:`~hiplab.motion.track.crop.find_people`) and picks the main subject (or
the ``person_box`` one) among them; then the model sees only the crop around
the subject (:mod:`hiplab.motion.track.crop`). A detection that continues a
distractor's track is refused (:func:`continues`), and people far from the
subject are remembered as distractors (:func:`remember`) to be masked out of
later crops. One step is two halves: :func:`look` runs the model (expensive,
reads the state only, so several frames can be looked at concurrently) and
:meth:`CropTracker.settle` decides, in frame order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from hiplab.motion.keypoints import Detection
from hiplab.motion.pose import ImageArray, PoseEstimator
from hiplab.motion.track.crop import Distractor, Region, crop_region, find_people, render
from hiplab.motion.track.geometry import Box, box_center, det_box, expand, iou, shift
from hiplab.motion.track.identity import distance_to, gate
from hiplab.motion.track.multi_person import Decision, choose
from hiplab.motion.track.params import TrackParams
from hiplab.motion.track.subject import Subject
from hiplab.motion.video import Frame


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
        restart_shift: float,
    ) -> list[Detection]:
        """Return the people the model finds in ``region`` of ``image`` (frame pixels).

        The model is restarted when the region moved more than ``restart_shift`` ×
        ``size`` (the subject's size) since the last call.
        """
        shifted = self.region is not None and moved(self.region, region) > restart_shift * size
        if self.following and shifted:
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
        masks=[d.predicted(params, ahead) for d in state.distractors],
        keep=expand(ahead_subject.predicted_box(), params.mask_margin * subject.extent),
        size=subject.size,
        restart_shift=params.restart_shift,
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
            self.state = CropState(subject.confirm(best), distractors)
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
        if subject is None:
            pick = choose(list(seen.people), self.params, person_box=self.person_box)
            if pick is None:
                self.state = CropState(None, distractors)
                return [(seen.index, None)]
            det = seen.people[pick]
            found = Pending(seen.index, det, None)
            self.state = CropState(Subject.start(det, self.params), distractors, found)
            return []
        best, distractors = self._pick(subject, seen.people, distractors)
        if best is None:
            self.state = CropState(subject.miss(), distractors)
            return [(seen.index, None)]
        if subject.lost_for:
            found = Pending(seen.index, best, subject)
            self.state = CropState(subject.confirm(best), distractors, found)
            return []
        self.state = CropState(subject.confirm(best), distractors)
        return [(seen.index, best)]

    def _pick(
        self, subject: Subject, people: Sequence[Detection], distractors: tuple[Distractor, ...]
    ) -> tuple[Detection | None, tuple[Distractor, ...]]:
        best: Detection | None = None
        far = subject.allowance() / max(subject.size, 1.0)
        for det in sorted(people, key=lambda d: distance_to(subject, d)):
            if (
                best is None
                and gate(subject, det, self.params)
                and not continues(distractors, subject, det, self.params)
            ):
                best = det
                continue
            if (
                subject.settled
                and distance_to(subject, det) > far
                and iou(det_box(det, self.params), subject.predicted_box()) == 0
            ):
                distractors = remember(distractors, det_box(det, self.params), self.params)
        return best, distractors


def continues(
    distractors: Sequence[Distractor], subject: Subject, det: Detection, params: TrackParams
) -> bool:
    """Return True if ``det`` continues a distractor's track better than the subject's."""
    box = det_box(det, params)
    mine = iou(subject.predicted_box(), box)
    floor = params.distractor_min_iou
    return any(max(mine, floor) < iou(d.predicted(params), box) for d in distractors)


def remember(
    distractors: tuple[Distractor, ...], box: Box, params: TrackParams
) -> tuple[Distractor, ...]:
    """Return the distractors with ``box`` added, or continuing the one it overlaps."""
    for i, d in enumerate(distractors):
        if iou(d.predicted(params), box) > params.distractor_link_iou:
            (cx, cy), (px, py) = box_center(box), box_center(d.box)
            steps = max(d.age, 1)
            moved = Distractor(box, ((cx - px) / steps, (cy - py) / steps), 0)
            return (*distractors[:i], moved, *distractors[i + 1 :])
    return (*distractors, Distractor(box))
