"""Is this the task? Gates pass the synthetic tasks and refuse what is not the task.

Negatives are built with the synthetic generator (standing, walking across the
frame, arm raises, squats that hop or travel, a jump that never lands, sitting,
lying flat, a clip without the hold pose) or as analytic figures where one
criterion at a time fails. The real sports2d demo video (a man dancing and
jumping on a roof and somersaulting down, a woman walking past; nobody squats)
is analysed once per session.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from hiplab.errors import InputError
from hiplab.library.loader import default_library
from hiplab.motion.analyze import find_exercise, kinematics
from hiplab.motion.keypoints import INDEX, KeypointTrack
from hiplab.motion.tasks import TaskInput, TaskOptions, get_task
from hiplab.motion.tasks.common import TaskResult
from hiplab.motion.tasks.gates import (
    HOLD_FULL_SHARE,
    HOLD_MIN_SHARE,
    MAX_BODY_SPEED_LEGS_S,
    NotTheTaskError,
    track_breaks,
)
from hiplab.motion.tasks.hold import analyze_hold, hold_keyframe, side_view_problem, targets_for
from hiplab.motion.tasks.landing import analyze_landing
from hiplab.motion.tasks.squat import HEEL_RISE_FRACTION, analyze_squat
from hiplab.motion.tasks.thomas import analyze_thomas
from hiplab.testing import synthetic as syn
from tests.motion.demo_video import DemoTrackRun

from .task_helpers import capture_input, physical_landing, raised_cosine, task_input, truth_frames

NOISY = syn.CaptureOptions(fps=30.0, noise_px=2.0, seed=3)
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def codes(result: TaskResult) -> set[str]:
    return {w.code for w in result.warnings}


def assert_plain(message: str) -> None:
    """A refusal says what was expected, seen and to film, with no ids."""
    assert "Expected" in message and "seen" in message and "Film" in message
    assert not SNAKE_CASE.search(message), message


def moved(capture: syn.Capture, dx: np.ndarray) -> syn.Capture:
    """Return the capture with the whole figure shifted right by ``dx[frame]`` pixels."""
    xy = capture.track.xy.copy()
    xy[..., 0] += dx[:, None]
    return replace(capture, track=replace(capture.track, xy=xy))


# --- squat: synthetic positives -------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: syn.squat(NOISY, facing="right"),
        lambda: syn.squat(NOISY, facing="left", heel_rise_deg=15.0),
        lambda: syn.squat(NOISY, peak_knee=70.0, peak_trunk=25.0),  # shallow, as test_fms
        lambda: syn.squat(replace(NOISY, dropouts=syn.burst_dropouts(210, 30.0, seed=1))),
        lambda: syn.frontal_squat(NOISY),
        lambda: syn.frontal_squat(NOISY, toward_camera=False),
    ],
    ids=["side-right", "side-left-heels", "shallow", "dropouts", "front", "back"],
)
def test_squat_gate_passes_synthetic_squats(make: Callable[[], syn.Capture]) -> None:
    capture = make()
    result = analyze_squat(capture_input(capture))
    assert len(result.reps) == len(truth_frames(capture, "bottom"))
    assert "movements_not_counted" not in codes(result)


# --- squat: synthetic negatives -------------------------------------------------------------------


def arm_raises(options: syn.CaptureOptions) -> syn.Capture:
    """Stand still and raise both arms overhead three times (turned about the shoulders)."""
    capture = syn.standing(options)
    n = capture.track.frames
    angle = np.radians(150.0) * 0.5 * (1 - np.cos(2 * np.pi * 0.5 * np.arange(n) / options.fps))
    xy = capture.track.xy.copy()
    for side in ("left", "right"):
        shoulder = xy[:, INDEX[f"{side}_shoulder"]]
        for part in ("elbow", "wrist"):
            v = xy[:, INDEX[f"{side}_{part}"]] - shoulder
            cos, sin = np.cos(angle), np.sin(angle)
            turned = np.stack([cos * v[:, 0] + sin * v[:, 1], -sin * v[:, 0] + cos * v[:, 1]], 1)
            xy[:, INDEX[f"{side}_{part}"]] = shoulder + turned
    return replace(capture, track=replace(capture.track, xy=xy))


def joints_of(capture: syn.Capture) -> syn.SagittalPose:
    """Return the set joint angles of a sagittal capture (its truth), upright."""
    truth = capture.truth
    sides = ("left", "right")
    return syn.SagittalPose(
        hip_flexion={s: truth.channel(f"{s}_hip_flexion") for s in sides},
        knee_flexion={s: truth.channel(f"{s}_knee_flexion") for s in sides},
        ankle_dorsiflexion={s: truth.channel(f"{s}_ankle_dorsiflexion") for s in sides},
        trunk_lean=truth.channel("trunk_lean"),
        rotation=np.zeros(truth.frames),
    )


def hopping_squats(options: syn.CaptureOptions) -> syn.Capture:
    """Squats ending in a 15 cm hop each: the feet leave the floor."""
    base = syn.squat(options)
    n, hop = base.track.frames, 0.15 * options.body.px_per_metre
    lift = np.zeros(n)
    for start in truth_frames(base, "rep_start"):
        lift = np.maximum(lift, raised_cosine(n, start + 40, 20, hop))
    return syn.render_sagittal(joints_of(base), options, lift=lift)


def travelling_squats(options: syn.CaptureOptions) -> syn.Capture:
    """Squats while drifting sideways one leg length per repetition."""
    capture = syn.squat(options)
    leg = options.body.px(options.body.thigh + options.body.shank)
    per_frame = leg / (2.0 * options.fps)
    return moved(capture, per_frame * np.arange(capture.track.frames))


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: syn.standing(NOISY), "no repetition"),
        (lambda: arm_raises(NOISY), "no repetition"),
        (lambda: syn.walking(NOISY), "movement"),
        (lambda: hopping_squats(NOISY), "the feet left the floor"),
        (lambda: travelling_squats(NOISY), "the feet moved"),
    ],
    ids=["standing", "arm-raises", "walking", "hopping", "travelling"],
)
def test_squat_gate_refuses_what_is_not_a_squat(
    make: Callable[[], syn.Capture], needle: str
) -> None:
    with pytest.raises(NotTheTaskError, match=needle) as refused:
        analyze_squat(capture_input(make()))
    assert_plain(str(refused.value))


def test_walking_is_refused_on_its_legs_and_its_travel() -> None:
    with pytest.raises(NotTheTaskError) as refused:
        analyze_squat(capture_input(syn.walking(NOISY)))
    message = str(refused.value)
    assert "moved across the frame" in message or "the feet moved" in message
    assert "did not bend together" in message


def test_a_rep_with_the_subject_lost_is_not_counted() -> None:
    base = syn.squat(NOISY)
    bottom = truth_frames(base, "bottom")[1]
    lost = syn.squat(replace(NOISY, dropouts=(syn.Dropout(bottom - 4, bottom + 4),)))
    result = analyze_squat(capture_input(lost))
    assert len(result.reps) == 2
    assert all(not (r.start_frame <= bottom <= r.end_frame) for r in result.reps)
    assert "movements_not_counted" in codes(result)


def test_a_rep_where_the_track_jumps_to_another_person_is_not_counted() -> None:
    capture = syn.squat(NOISY)
    bottom = truth_frames(capture, "bottom")[1]
    shift = np.zeros(capture.track.frames)
    shift[bottom - 5 : bottom + 5] = 500.0  # somebody else, half the frame away
    result = analyze_squat(capture_input(moved(capture, shift)))
    assert len(result.reps) == 2
    notes = [w.message for w in result.warnings if w.code == "movements_not_counted"]
    assert notes and "tracking jumped" in notes[0]


def test_track_breaks_find_a_whole_skeleton_jump_not_a_fast_limb() -> None:
    capture = syn.standing(replace(NOISY, noise_px=0.0))
    leg = NOISY.body.px(NOISY.body.thigh + NOISY.body.shank)
    jump = 2 * MAX_BODY_SPEED_LEGS_S * leg / NOISY.fps  # twice the fastest run in one frame
    fast_arm = capture.track.xy.copy()
    fast_arm[60, INDEX["left_wrist"]] += jump  # one keypoint: not the skeleton
    jumped = capture.track.xy.copy()
    jumped[100:, :, 0] += jump
    arm = replace(capture, track=replace(capture.track, xy=fast_arm))
    person = replace(capture, track=replace(capture.track, xy=jumped))
    assert not track_breaks(capture_input(capture)).any()
    assert not track_breaks(capture_input(arm)).any()
    assert np.flatnonzero(track_breaks(capture_input(person))).tolist() == [100]


# --- squat: analytic figure, one criterion at a time ---------------------------------------------

FPS = 30.0
N, REP, STARTS = 210, 60, (15, 75, 135)
LEG = 480.0


def bumps(peak: float, base: float = 0.0) -> np.ndarray:
    out = np.full(N, base)
    for start in STARTS:
        out = np.maximum(out, raised_cosine(N, start, REP, peak, base))
    return out


def figure(
    *,
    drop: float = 0.3,
    heel: np.ndarray | None = None,
    drift: np.ndarray | None = None,
    lift: np.ndarray | None = None,
    hip_offset: np.ndarray | None = None,
    left_knee: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """A side-view squat figure: angles and keypoints (pixels, y down), feet at y 900."""
    phase = bumps(1.0)
    zero = np.zeros(N)
    heel = zero if heel is None else heel
    dx = zero if drift is None else drift
    up = zero if lift is None else lift
    hip_y = 900.0 - LEG + drop * LEG * phase - up + (zero if hip_offset is None else hip_offset)
    channels: dict[str, np.ndarray] = {"trunk_lean": bumps(35.0, 5.0)}
    for side, off in (("left", -6.0), ("right", 6.0)):
        channels[f"{side}_hip_flexion"] = bumps(100.0, 5.0)
        channels[f"{side}_knee_flexion"] = bumps(110.0, 3.0)
        channels[f"{side}_ankle_dorsiflexion"] = bumps(30.0)
        channels[f"{side}_thigh_angle"] = bumps(100.0, -90.0)
        for name, x, y in (
            ("hip", 500.0 - 0.3 * LEG * phase, hip_y),
            ("knee", 540.0 + zero, 660.0 - up),  # only the shank's length is read
            ("ankle", 500.0 + zero, 900.0 - up),
            ("heel", 470.0 + zero, 910.0 - up - heel),
            ("foot_index", 570.0 + zero, 910.0 - up),
        ):
            channels[f"{side}_{name}_x"] = np.asarray(x + off + dx, dtype=np.float64)
            channels[f"{side}_{name}_y"] = np.asarray(y, dtype=np.float64)
    if left_knee is not None:
        channels["left_knee_flexion"] = left_knee
    return channels


def squat_of(channels: dict[str, np.ndarray]) -> TaskResult:
    return analyze_squat(task_input(channels, fps=FPS))


def test_analytic_figure_passes_every_squat_criterion() -> None:
    result = squat_of(figure())
    assert len(result.reps) == 3
    assert not codes(result) & {"movements_not_counted", "squat_not_fully_checked"}


@pytest.mark.parametrize(
    ("channels", "needle"),
    [
        (figure(drop=0.05), "the hips did not go down far enough"),
        (figure(lift=bumps(0.2 * LEG)), "the feet left the floor"),
        (figure(drift=np.arange(N) * LEG / REP), "moved across the frame"),
        (figure(left_knee=np.full(N, 5.0)), "did not bend together"),
        (
            figure(
                hip_offset=sum(
                    np.where(np.arange(N) >= s + REP // 2, 0.4 * LEG, 0.0) for s in STARTS
                )
            ),
            "did not come back",
        ),
    ],
    ids=["shallow", "feet-lift", "travel", "one-leg", "no-return"],
)
def test_each_squat_criterion_can_refuse(channels: dict[str, np.ndarray], needle: str) -> None:
    with pytest.raises(NotTheTaskError, match=needle) as refused:
        squat_of(channels)
    assert_plain(str(refused.value))


def test_a_rep_measured_in_few_frames_is_not_counted() -> None:
    channels = figure()
    for name in [k for k in channels if k.endswith(("_flexion", "_dorsiflexion"))]:
        channels[name] = channels[name].copy()
        channels[name][STARTS[1] : STARTS[1] + REP - 10] = np.nan
    result = squat_of(channels)
    assert len(result.reps) == 2
    notes = [w.message for w in result.warnings if w.code == "movements_not_counted"]
    assert notes and "measured in only" in notes[0]


def test_feet_not_seen_are_named_as_not_checked() -> None:
    channels = {k: v for k, v in figure().items() if not k.endswith(("ankle_x", "heel_x"))}
    result = squat_of(channels)
    assert len(result.reps) == 3
    notes = [w.message for w in result.warnings if w.code == "squat_not_fully_checked"]
    assert notes and "feet" in notes[0]


# --- heel rise: bounded by the foot, and the FMS says the same ------------------------------------


def test_heel_rise_within_the_foot_is_measured() -> None:
    result = squat_of(figure(heel=bumps(30.0)))  # 30 px on a 243 px shank
    assert result.summary.heel_rise is not None
    assert result.summary.heel_rise.heels_rise is True
    for rep in result.reps:
        assert rep.heel_rise_fraction == pytest.approx(30.0 / np.hypot(40.0, 240.0), abs=0.01)


@pytest.mark.parametrize(
    ("heel_px", "why"),
    [(150.0, "higher than the 100 px foot"), (-40.0, "below where the heel stood")],
)
def test_an_impossible_heel_rise_is_unmeasurable_not_clipped(heel_px: float, why: str) -> None:
    heel = np.sign(heel_px) * bumps(abs(heel_px))
    result = squat_of(figure(heel=heel))
    assert all(rep.heel_rise_fraction is None for rep in result.reps), why
    assert result.summary.heel_rise is None
    assert "heel_rise_unmeasurable" in codes(result)
    fms = result.summary.fms_deep_squat
    assert fms is not None and fms.criteria.heels_down is None


def test_heel_rise_stays_below_the_foot_on_a_corrupted_synthetic_squat() -> None:
    capture = syn.squat(NOISY)
    bottom = truth_frames(capture, "bottom")[1]
    xy = capture.track.xy.copy()
    foot = NOISY.body.px(NOISY.body.foot)
    for side in ("left", "right"):
        xy[bottom - 10 : bottom + 10, INDEX[f"{side}_heel"], 1] -= 2.5 * foot
    corrupted = replace(capture, track=replace(capture.track, xy=xy))
    result = analyze_squat(capture_input(corrupted))
    shank = NOISY.body.px(NOISY.body.shank)
    assert [r.heel_rise_fraction is None for r in result.reps] == [False, True, False]
    assert all((r.heel_rise_fraction or 0.0) <= foot / shank for r in result.reps)
    assert result.summary.heel_rise is not None
    assert result.summary.heel_rise.reps_unmeasurable == 1


@pytest.mark.parametrize(
    ("heel", "rises"),
    [
        (bumps(30.0), True),  # every repetition
        (raised_cosine(N, STARTS[0], REP, 30.0), False),  # only the first: a heels-down rep exists
        (np.zeros(N), False),
    ],
    ids=["all", "one", "none"],
)
def test_the_fms_heels_criterion_is_the_heel_rise_result(heel: np.ndarray, rises: bool) -> None:
    result = squat_of(figure(heel=heel))
    heel_rise, fms = result.summary.heel_rise, result.summary.fms_deep_squat
    assert heel_rise is not None and fms is not None
    assert heel_rise.heels_rise is rises
    assert fms.criteria.heels_down is (not rises)
    if rises:
        assert heel_rise.max_fraction_of_shank is not None
        assert heel_rise.max_fraction_of_shank > HEEL_RISE_FRACTION


# --- landing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: physical_landing(60.0),
        lambda: physical_landing(120.0, seed=2),
        lambda: syn.drop_landing(syn.CaptureOptions(fps=60.0, noise_px=2.0)),
        lambda: syn.drop_landing(syn.CaptureOptions(fps=120.0, noise_px=2.0), facing="left"),
        lambda: syn.frontal_landing(syn.CaptureOptions(fps=120.0, noise_px=2.0)),
    ],
    ids=["physical-60", "physical-120", "generator-60", "generator-120-left", "front-120"],
)
def test_landing_gate_passes_synthetic_landings(make: Callable[[], syn.Capture]) -> None:
    capture = make()
    result = analyze_landing(capture_input(capture, landing=True))
    (ic,) = truth_frames(capture, "initial_contact")
    assert result.initial_contact_frame is not None
    assert abs(result.initial_contact_frame - ic) <= 6


def jump_without_landing(options: syn.CaptureOptions) -> syn.Capture:
    """Stand, jump 30 cm, and the clip ends at the top of the jump."""
    still, n = round(0.5 * options.fps), round(0.75 * options.fps)
    t = np.clip(np.arange(n) - still, 0, None) / options.fps
    speed = np.sqrt(2 * syn.GRAVITY * 0.30)
    height = np.clip(speed * t - 0.5 * syn.GRAVITY * t**2, 0.0, None)
    pose = syn.standing(options, seconds=n / options.fps)
    capture = syn.render_sagittal(
        syn.SagittalPose(
            hip_flexion={s: pose.truth.channel(f"{s}_hip_flexion") for s in ("left", "right")},
            knee_flexion={s: pose.truth.channel(f"{s}_knee_flexion") for s in ("left", "right")},
            ankle_dorsiflexion={s: np.zeros(n) for s in ("left", "right")},
            trunk_lean=np.full(n, 2.0),
            rotation=np.zeros(n),
        ),
        options,
        lift=height * options.body.px_per_metre,
    )
    return capture


FAST = syn.CaptureOptions(fps=120.0, noise_px=2.0, seed=1)


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: jump_without_landing(FAST), "never coming back down"),
        (lambda: syn.standing(FAST, seconds=2.0), "never left the floor"),
        (lambda: syn.squat(replace(FAST, fps=60.0)), "never left the floor"),
    ],
    ids=["no-landing", "standing", "squat"],
)
def test_landing_gate_refuses_without_a_flight_and_a_landing(
    make: Callable[[], syn.Capture], needle: str
) -> None:
    with pytest.raises(NotTheTaskError, match=needle) as refused:
        analyze_landing(capture_input(make(), landing=True))
    assert_plain(str(refused.value))


def analytic_drop(
    *, hip_falls: bool = True, right_foot_up: bool = True, hip_late_px: float = 0.0
) -> dict[str, np.ndarray]:
    """Feet come down 150 px onto the floor at frame 40 (120 fps); leg 380 px.

    ``hip_falls=False`` holds the hips still, except (``hip_late_px``) a fall by
    that much in the last 0.1 s before contact.
    """
    n, ic = 120, 40
    frames = np.arange(n)
    foot_y = np.where(frames < ic, 600.0 - 150.0 * np.clip((ic - frames) / 20, 0, 1), 600.0)
    knee = np.where(frames < ic, 20.0, 20.0 + 60.0 * np.clip((frames - ic) / 18, 0, 1))
    late = hip_late_px * np.clip((frames - (ic - 12)) / 12, 0, 1)
    hip_y = foot_y - 400.0 if hip_falls else 200.0 + late
    channels: dict[str, np.ndarray] = {"trunk_lean": np.full(n, 10.0)}
    for side in ("left", "right"):
        feet = foot_y if (side == "left" or right_foot_up) else np.full(n, 600.0)
        channels[f"{side}_knee_flexion"] = knee
        channels[f"{side}_hip_flexion"] = knee + 5.0
        for name, x, y in (
            ("hip", 500.0, hip_y),
            ("knee", 510.0, (hip_y + feet) / 2),
            ("ankle", 500.0, feet - 20.0),
            ("heel", 490.0, feet),
            ("foot_index", 540.0, feet - 10.0),
        ):
            channels[f"{side}_{name}_x"] = np.full(n, x)
            channels[f"{side}_{name}_y"] = np.asarray(y, dtype=np.float64)
    return channels


def test_landing_gate_passes_the_analytic_drop() -> None:
    result = analyze_landing(task_input(analytic_drop(), fps=120.0))
    assert result.initial_contact_frame == 40


@pytest.mark.parametrize(
    ("channels", "needle"),
    [
        (analytic_drop(hip_falls=False), "the hips fell at only 0.0 leg lengths a second"),
        (analytic_drop(hip_falls=False, hip_late_px=30.0), "the hips dropped only 9%"),
        (analytic_drop(right_foot_up=False), "a step"),
    ],
    ids=["hips-still", "hips-fall-late-and-little", "one-foot"],
)
def test_each_landing_criterion_can_refuse(channels: dict[str, np.ndarray], needle: str) -> None:
    with pytest.raises(NotTheTaskError, match=needle):
        analyze_landing(task_input(channels, fps=120.0))


# --- Thomas test ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "facing"), [("right", "right"), ("left", "left"), ("left", "right")]
)
def test_thomas_gate_passes_synthetic_tests(side: syn.Side, facing: syn.Facing) -> None:
    capture = syn.thomas_test(NOISY, side=side, facing=facing, thigh_angle=5.0, knee_flexion=70.0)
    result = analyze_thomas(capture_input(capture))
    assert getattr(result, side) is not None
    assert "other_knee_not_held" not in codes(result)


def posed(
    n: int,
    *,
    hips: tuple[float, float],
    knees: tuple[float, float],
    rotation: float,
    sway: np.ndarray | None = None,
) -> syn.Capture:
    """A still figure (right, left) pinned at the hip; ``sway`` swings the right thigh (deg)."""
    swing = np.zeros(n) if sway is None else sway
    pose = syn.SagittalPose(
        hip_flexion={"right": hips[0] + swing, "left": np.full(n, hips[1])},
        knee_flexion={"right": np.full(n, knees[0]), "left": np.full(n, knees[1])},
        ankle_dorsiflexion={"right": np.zeros(n), "left": np.zeros(n)},
        trunk_lean=np.zeros(n),
        rotation=np.full(n, rotation),
    )
    return syn.render_sagittal(pose, NOISY, anchor="hip")


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: posed(90, hips=(90.0, 90.0), knees=(90.0, 90.0), rotation=0.0), "upright"),
        (lambda: syn.standing(NOISY, seconds=3.0), "upright"),
        (lambda: posed(90, hips=(0.0, 0.0), knees=(0.0, 0.0), rotation=90.0), "no leg hanging"),
        (
            lambda: posed(
                90,
                hips=(-10.0, 125.0),
                knees=(80.0, 130.0),
                rotation=90.0,
                sway=25.0 * np.sin(2 * np.pi * np.arange(90) / 30.0),
            ),
            "never still",
        ),
    ],
    ids=["seated", "standing", "lying-flat", "leg-swinging"],
)
def test_thomas_gate_refuses_what_is_not_a_thomas_test(
    make: Callable[[], syn.Capture], needle: str
) -> None:
    with pytest.raises(NotTheTaskError, match=needle) as refused:
        analyze_thomas(capture_input(make()))
    assert_plain(str(refused.value))


def test_thomas_gate_warns_when_the_other_knee_is_not_held() -> None:
    capture = posed(90, hips=(-10.0, 40.0), knees=(80.0, 100.0), rotation=90.0)
    result = analyze_thomas(capture_input(capture))
    assert result.right is not None
    assert "other_knee_not_held" in codes(result)


# --- hold -----------------------------------------------------------------------------------------


def test_hold_gate_passes_the_synthetic_hold() -> None:
    capture = syn.hold(
        NOISY, facing="left", target_knee=140.0, target_ankle=35.0, target_trunk=25.0
    )
    result = analyze_hold(
        capture_input(capture), exercise=default_library().exercises["deep_squat_hold"]
    )
    assert result.sides["both"].time_in_pose_s >= 7.0
    assert "pose_held_briefly" not in codes(result)


def held_share(share: float, n: int = 300) -> dict[str, np.ndarray]:
    key = hold_keyframe(default_library().exercises["deep_squat_hold"])
    targets = targets_for(key, mirrored=False, legs=("left", "right"))
    inside = round(share * n)
    out = {}
    for target in targets:
        data = np.full(n, target.angle + 40.0)
        data[20 : 20 + inside] = target.angle
        out[target.channel] = data
    return out


@pytest.mark.parametrize(
    ("share", "outcome"),
    [(0.2, "refused"), (0.4, "pose_held_briefly"), (0.7, "ok")],
)
def test_hold_gate_share_of_the_clip(share: float, outcome: str) -> None:
    exercise = default_library().exercises["deep_squat_hold"]
    assert HOLD_MIN_SHARE < 0.4 < HOLD_FULL_SHARE < 0.7
    inp = task_input(held_share(share))
    if outcome == "refused":
        with pytest.raises(NotTheTaskError, match="the pose in 20% of the clip") as refused:
            analyze_hold(inp, exercise=exercise)
        assert_plain(str(refused.value))
        return
    result = analyze_hold(inp, exercise=exercise)
    assert ("pose_held_briefly" in codes(result)) is (outcome != "ok")


def test_a_clip_without_the_hold_pose_is_refused() -> None:
    exercise = default_library().exercises["deep_squat_hold"]
    with pytest.raises(NotTheTaskError, match=r"(?i)deep squat hold"):
        analyze_hold(capture_input(syn.standing(NOISY)), exercise=exercise)


def test_standing_still_is_no_exercise_hold() -> None:
    """Every pose a side camera can check differs from standing by more than its tolerance."""
    assert held_exercises(capture_input(syn.standing(NOISY, seconds=6.0))) == []


def test_a_thomas_test_is_no_two_sided_hold() -> None:
    """The hanging leg alone resembles a hip thrust's leg; a two-sided pose needs both legs."""
    capture = syn.thomas_test(NOISY, side="left", facing="right", thigh_angle=5.0)
    held = held_exercises(capture_input(capture))
    two_sided = {e.id for e in default_library().exercises.values() if not e.unilateral}
    assert not two_sided & set(held)


@pytest.mark.parametrize(
    ("exercise_id", "needle"),
    [
        ("standing_hip_abduction", "moves sideways"),
        ("side_lying_itb_stretch", "moves sideways"),
        ("tibialis_wall_raise", "within 15° of standing upright"),
    ],
)
def test_a_hold_a_side_camera_cannot_check_is_refused_before_the_clip(
    exercise_id: str, needle: str
) -> None:
    exercise = default_library().exercises[exercise_id]
    with pytest.raises(InputError, match=needle) as refused:
        analyze_hold(capture_input(syn.standing(NOISY)), exercise=exercise)
    assert not isinstance(refused.value, NotTheTaskError)  # the request, not the clip
    assert "Choose an exercise" in str(refused.value)
    assert not SNAKE_CASE.search(str(refused.value))
    with pytest.raises(InputError, match=needle):
        find_exercise(exercise_id)


def test_a_two_sided_hold_with_one_leg_unseen_counts_that_leg_and_says_so() -> None:
    channels = held_share(0.7)
    for name in [k for k in channels if k.startswith("left_")]:
        channels[name] = np.full(300, np.nan)
    result = analyze_hold(
        task_input(channels), exercise=default_library().exercises["deep_squat_hold"]
    )
    assert set(result.sides) == {"right"}
    assert "one_leg_checked" in codes(result)


def test_the_trunk_alone_does_not_make_a_side_in_the_pose() -> None:
    """Left leg unmeasured, right leg out of the pose, trunk on target: no side holds it."""
    channels = held_share(1.0)
    for name in [k for k in channels if k.startswith("left_")]:
        channels[name] = np.full(300, np.nan)
    for name in [k for k in channels if k.startswith("right_")]:
        channels[name] = channels[name] + 40.0
    with pytest.raises(NotTheTaskError, match="0% of the clip"):
        analyze_hold(task_input(channels), exercise=default_library().exercises["deep_squat_hold"])


# --- the sports2d demo video: nobody squats, lies for a Thomas test or holds a pose ---------------


@pytest.fixture
def demo_track(demo_track_run: DemoTrackRun) -> KeypointTrack:
    """The demo's subject track, extracted once for the session (tests/conftest.py)."""
    return demo_track_run.track


def demo_input(track: KeypointTrack, task: str) -> TaskInput:
    series, camera, notes = kinematics(track, get_task(task))
    return TaskInput(
        series=series, view=camera.view, near_side=camera.near_side, warnings=notes, raw=track
    )


@pytest.mark.parametrize("task", ["squat", "thomas"])
def test_demo_video_is_not_a_squat_nor_a_thomas_test(demo_track: KeypointTrack, task: str) -> None:
    with pytest.raises(NotTheTaskError) as refused:
        get_task(task).measure(demo_input(demo_track, task), TaskOptions())
    assert_plain(str(refused.value))


def held_exercises(inp: TaskInput) -> list[str]:
    """Return the library exercises a side camera can check whose hold ``inp`` is accepted as."""
    held = []
    for exercise in default_library().exercises.values():
        if side_view_problem(exercise) is not None:
            continue
        try:
            analyze_hold(inp, exercise=exercise)
        except NotTheTaskError:
            continue
        held.append(exercise.id)
    return held


def test_demo_video_holds_no_exercise_pose(demo_track: KeypointTrack) -> None:
    assert held_exercises(demo_input(demo_track, "hold")) == []


def test_demo_video_drop_off_the_roof_is_a_landing(demo_track: KeypointTrack) -> None:
    """The man does come down from the roof onto the ground: the landing gate lets it through."""
    result = analyze_landing(demo_input(demo_track, "landing"))
    assert result.initial_contact_frame is not None
