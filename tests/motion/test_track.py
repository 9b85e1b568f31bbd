"""Keeping the subject: geometry, the identity gate, and both trackers on scripted scenes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiplab.motion.keypoints import INDEX, KEYPOINTS, Detection, FramePoses
from hiplab.motion.track import CropTracker, Look, MultiPersonTracker, Subject, TrackParams
from hiplab.motion.track.crop import crop_region
from hiplab.motion.track.geometry import anchor, body_size, iou
from hiplab.motion.track.identity import rejection
from hiplab.motion.track.multi_person import choose
from hiplab.motion.video import Frame
from hiplab.testing.synthetic import CaptureOptions, squat
from tests.motion.demo_video import BoxModel, Walker, box_frames, box_skeleton

PARAMS = TrackParams()


def standing(x: float = 300.0, top: float = 100.0, height: float = 200.0) -> Detection:
    xy = box_skeleton(x - 0.175 * height, top, 0.35 * height, height)
    return Detection(xy=xy, score=np.full(len(KEYPOINTS), 0.9))


def test_iou() -> None:
    assert iou((0, 0, 2, 2), (0, 0, 2, 2)) == 1.0
    assert iou((0, 0, 2, 2), (1, 0, 2, 2)) == pytest.approx(1 / 3)
    assert iou((0, 0, 1, 1), (5, 5, 1, 1)) == 0.0


@settings(max_examples=60, deadline=None)
@given(
    angle=st.floats(-180, 180),
    scale=st.floats(0.3, 3.0),
    dx=st.floats(-500, 500),
    dy=st.floats(-500, 500),
)
def test_body_size_ignores_turning_and_moving(
    angle: float, scale: float, dx: float, dy: float
) -> None:
    """A somersault or a walk does not change the body size; zooming scales it."""
    det = standing()
    a = np.radians(angle)
    turn = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    moved = Detection(xy=(det.xy @ turn.T) * scale + [dx, dy], score=det.score)
    before = body_size(det, 0.3)
    assert before is not None
    assert body_size(moved, 0.3) == pytest.approx(before * scale, rel=1e-6)


def test_anchor_ignores_the_arms() -> None:
    det = standing()
    raised = det.xy.copy()
    for wrist in ("left_wrist", "right_wrist", "left_elbow", "right_elbow"):
        raised[INDEX[wrist], 1] -= 150  # arms up
    assert anchor(Detection(raised, det.score), 0.3) == pytest.approx(anchor(det, 0.3))


def test_body_size_needs_two_segments() -> None:
    det = standing()
    score = np.zeros(len(KEYPOINTS))
    score[[INDEX["left_shoulder"], INDEX["left_hip"]]] = 0.9
    assert body_size(Detection(det.xy, score), 0.3) is None


def test_gate_reasons() -> None:
    subject = Subject.start(standing(), PARAMS)
    subject = subject.confirm(standing()).confirm(standing()).confirm(standing())
    assert rejection(subject, standing(x=305), PARAMS) is None
    assert rejection(subject, standing(x=600), PARAMS) == "jump"
    assert rejection(subject, standing(top=60, height=300), PARAMS) == "size change"
    few = Detection(standing().xy, np.where(np.arange(len(KEYPOINTS)) < 3, 0.9, 0.0))
    assert rejection(subject, few, PARAMS) == "too few keypoints"
    # while lost, the allowed distance grows (but never beyond max_search sizes)
    lost = subject
    for _ in range(15):
        lost = lost.miss()
    assert rejection(lost, standing(x=600), PARAMS) is None
    for _ in range(100):
        lost = lost.miss()
    assert rejection(lost, standing(x=300 + 4 * lost.size), PARAMS) == "jump"


def test_choose_main_subject_or_the_boxed_one() -> None:
    small, big = standing(x=200, height=150), standing(x=600, height=250)
    assert choose([small, big], PARAMS) == 1  # the largest, most complete person
    box = small.box()
    assert box is not None
    assert choose([small, big], PARAMS, person_box=box) == 0
    assert choose([small, big], PARAMS, person_box=(900, 900, 10, 10)) is None


def test_crop_follows_the_subject_and_widens_while_lost() -> None:
    subject = Subject.start(standing(x=300), PARAMS)
    tight = crop_region(subject, 1280, 720, PARAMS)
    assert tight.width == tight.height  # a square around the subject
    assert tight.x0 < 300 < tight.x0 + tight.width
    wide = crop_region(subject.miss().miss().miss(), 1280, 720, PARAMS)
    assert wide.width > tight.width
    lost = subject
    for _ in range(30):
        lost = lost.miss()
    widest = crop_region(lost, 1280, 720, PARAMS)
    assert widest == crop_region(lost.miss(), 1280, 720, PARAMS)  # no further than max_search
    whole = crop_region(lost, 800, 450, PARAMS)  # covers a smaller frame: the whole frame
    assert (whole.x0, whole.y0, whole.width, whole.height) == (0, 0, 800, 450)


def _settled(looks: list[tuple[Detection, ...]]) -> dict[int, bool]:
    tracker = CropTracker(None, PARAMS)
    decisions = []
    for i, people in enumerate(looks):
        decisions += tracker.settle(Look(i, people, searched=i == 0))
    decisions += tracker.finish()
    indices = [index for index, _ in decisions]
    assert sorted(indices) == list(range(len(looks)))  # every frame decided once
    return {index: det is not None for index, det in decisions}


def test_a_find_after_a_loss_needs_a_later_frame_to_agree() -> None:
    """A single far-off fit after the subject went missing is reported lost, never measured."""
    tracked = [(standing(),)] * 6
    found = _settled(
        [
            *tracked,
            (),  # 6: missing
            (standing(x=380),),  # 7: a find, pending
            (standing(x=900),),  # 8: somebody else: the find is dropped
            (standing(x=310),),  # 9: found again, pending
            (standing(x=311),),  # 10: agrees
        ]
    )
    assert sorted(i for i, ok in found.items() if not ok) == [6, 7, 8]
    assert found[0] and found[9] and found[10]  # the first find waits for frame 1 too


def test_a_pending_find_may_wait_through_frames_with_nobody() -> None:
    tracked = [(standing(),)] * 6
    found = _settled([*tracked, (), (standing(x=330),), (), (standing(x=335),)])
    assert sorted(i for i, ok in found.items() if not ok) == [6, 8]
    unconfirmed = _settled([*tracked, (), (standing(x=330),), (), (), ()])
    assert sorted(i for i, ok in unconfirmed.items() if not ok) == [6, 7, 8, 9, 10]


def _frames_with(walkers: list[Walker], count: int) -> list[Frame]:
    return [Frame(i, i / 30, image) for i, image in enumerate(box_frames(walkers, count))]


def _follow(frames: list[Frame], **kwargs: object) -> dict[int, Detection | None]:
    tracker = CropTracker(BoxModel(), PARAMS, **kwargs)  # type: ignore[arg-type]
    out: dict[int, Detection | None] = {}
    for frame in frames:
        out.update(tracker.step(frame))
    out.update(tracker.finish())
    return out


def _hip_x(det: Detection | None) -> float | None:
    return None if det is None else float(det.xy[[INDEX["left_hip"], INDEX["right_hip"]], 0].mean())


@pytest.mark.parametrize("behind", [True, False])
def test_a_bigger_passer_by_is_never_measured(behind: bool) -> None:
    """The fake model returns the biggest person in view, as MediaPipe's does.

    On whole frames it jumps to the passer-by; the crop tracker reports the
    subject lost while they cross and finds the subject again afterwards.
    """
    n = 80
    subject = Walker(np.full(n, 300.0), floor=480, height=200, color=(0, 200, 0))
    walker = Walker(np.linspace(1150, -200, n), floor=500, height=280, color=(0, 0, 220))
    frames = _frames_with([walker, subject] if behind else [subject, walker], n)
    bare = BoxModel()
    assert any(
        _hip_x(bare.estimate(f.image[..., ::-1].copy(), timestamp_ms=0)[0]) != 300 for f in frames
    )
    out = _follow(frames)
    assert sorted(out) == list(range(n))
    hips = {i: _hip_x(det) for i, det in out.items()}
    measured = {i: x for i, x in hips.items() if x is not None}
    tall = {i: np.ptp(d.xy[:, 1]) for i, d in out.items() if d is not None}
    assert max(tall.values()) < 240  # the passer-by is 280 px tall: never measured
    assert all(abs(x - 300) < 40 for x in measured.values())  # the subject, maybe half hidden
    crossing = range(40, 65)
    assert any(hips[i] is None for i in crossing)  # lost while the passer-by covers them
    assert all(hips[i] is not None for i in range(n - 5, n))  # and found again
    assert len(measured) > n / 2


def test_person_box_picks_the_smaller_person() -> None:
    n = 20
    small = Walker(np.linspace(200, 260, n), floor=480, height=160, color=(0, 200, 0))
    big = Walker(np.full(n, 700.0), floor=500, height=260, color=(200, 0, 0))
    frames = _frames_with([small, big], n)
    main = _follow(frames)
    assert all(abs((_hip_x(d) or 700) - 700) < 10 for d in main.values())
    boxed = _follow(frames, person_box=small.box(0))
    xs = {i: _hip_x(d) for i, d in boxed.items()}
    assert all(x is None or abs(x - small.x[i]) < 10 for i, x in xs.items())
    assert sum(x is not None for x in xs.values()) >= n - 2


def test_multi_person_tracker_keeps_the_main_subject_through_a_crossing() -> None:
    capture = squat(CaptureOptions(distractor=True, distractor_scale=0.9), reps=1)
    tracker = MultiPersonTracker(PARAMS)
    out: dict[int, Detection | None] = {}
    for poses in capture.frames:
        out.update(tracker.push(poses))
    out.update(tracker.finish())
    assert sorted(out) == list(range(len(capture.frames)))
    for i, det in out.items():
        slot = capture.subject_slot[i]
        if det is not None:
            assert slot is not None
            assert det.xy == pytest.approx(capture.frames[i].people[slot].xy)
    assert sum(d is not None for d in out.values()) > 0.9 * len(out)


def test_multi_person_tracker_reports_a_missing_subject() -> None:
    frames = [FramePoses(i, i / 30, (standing(x=300 + i),)) for i in range(20)]
    frames[10:13] = [FramePoses(i, i / 30, (standing(x=900),)) for i in range(10, 13)]
    tracker = MultiPersonTracker(PARAMS)
    out: dict[int, Detection | None] = {}
    for poses in frames:
        out.update(tracker.push(poses))
    out.update(tracker.finish())
    assert [i for i, d in sorted(out.items()) if d is None] == [10, 11, 12]


def test_track_params_refuse_out_of_range_values_by_name() -> None:
    with pytest.raises(ValueError, match=r"TrackParams\.link_min_iou is out of range: 2"):
        TrackParams(link_min_iou=2)
    with pytest.raises(ValueError, match=r"TrackParams\.memory_frames"):
        TrackParams(memory_frames=-1)


def test_a_subject_follows_the_params_it_was_started_with() -> None:
    short = TrackParams(settle_frames=2)
    subject = Subject.start(standing(), short).confirm(standing())
    assert subject.settled and not Subject.start(standing(), PARAMS).confirm(standing()).settled
