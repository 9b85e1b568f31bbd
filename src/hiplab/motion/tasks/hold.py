"""Hold an exercise's pose: time inside the pose's tolerance, per side, and the intervals.

Conventions
-----------
* The target is the exercise's keyframe labelled ``hold`` (else its last
  keyframe) with the pose's ``tolerance_deg``. Its angles map to measured
  channels: ``hip_flexion``, ``knee_flexion``, ``ankle_dorsiflexion`` per side
  to ``{side}_{angle}`` and ``trunk_deg`` to ``trunk_lean`` (both from
  vertical, positive forward; the difference is wrapped to ±180°).
  ``hip_abduction`` is not compared (a side view cannot see it), nor is a
  channel measured in fewer than half the frames (e.g. the far leg hidden);
  both are listed with the reason. Arm angles are ignored.
* A frame is *in the pose* when every compared angle is within the tolerance.
  Samples the kinematics filled across a short keypoint gap (≤ 100 ms, linear
  interpolation; ``TimeSeries.usable(..., include_filled=True)``) count as
  measured: a 5 % dropout rate would otherwise break a hold every second. A
  frame where an angle is still not measured does not count by itself.
* Runs shorter apart than :data:`MERGE_GAP_S` (0.2 s) are merged and the gap
  counted: a flicker at the edge of the tolerance, or a still unmeasured
  stretch too short for the pose to have been left and re-entered. Longer
  gaps are never bridged: a frame seen outside the pose, or missing longer than
  the kinematics would fill, ends the interval.
  Intervals are ``[start_s, end_s]`` with ``end_s`` the end of the last frame,
  so a 60 s hold counts only the seconds the pose is right.
* Sides of a one-sided exercise: ``right`` is the pose as the library draws
  it (the keyframe's ``right`` angles on the subject's right leg), ``left``
  its mirror image (the keyframe's ``right`` angles on the left leg). For a
  two-sided exercise each side is that leg's angles (and the trunk) against
  the keyframe's same side, and ``both`` needs both legs.
* A side is measured only when at least one of its legs' angles is compared
  (each leg of a two-sided side; any leg for a one-sided exercise): the trunk
  alone does not tell one pose from another.
* A two-sided exercise is held with both legs: the frames of ``both`` set the
  share of the clip in the pose, so one leg resting in a similar position
  (the hanging leg of a Thomas test against a hip thrust's) does not pass. Only
  when one leg is not measured often enough do that leg's frames stand in,
  with the ``one_leg_checked`` warning.
* An exercise whose hold a side camera cannot check is refused before any
  frame is read (:func:`side_view_problem`): a pose drawn in the frontal plane
  (its movement is sideways: abduction, a sideways lean, side lying) or one
  whose compared angles are all within the tolerance of standing upright.
* The clip must show the pose: the frames in the pose (on any side of a
  one-sided exercise, on ``both`` of a two-sided one), over all
  the clip's frames, at least :data:`~hiplab.motion.tasks.gates.HOLD_MIN_SHARE`
  (refused below, warned below
  :data:`~hiplab.motion.tasks.gates.HOLD_FULL_SHARE`;
  :func:`~hiplab.motion.tasks.gates.check_hold`). A clip where no angle of the
  pose is measured often enough is refused too.
* Uncertainty of a time in the pose: each interval edge is uncertain by one
  frame and by the time the angle takes to cross its own uncertainty
  (``σ_angle / |ω|``), added in quadrature over the edges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from hiplab.errors import InputError
from hiplab.motion.tasks import common as c
from hiplab.motion.tasks.filming import DISTANCE, FPS_30, HIP_HEIGHT
from hiplab.motion.tasks.gates import check_hold
from hiplab.motion.tasks.spec import Document, Metric, TaskOptions, TaskSpec

if TYPE_CHECKING:
    from hiplab.library.models import Exercise, Keyframe

MERGE_GAP_S = 0.2
MIN_MEASURED_FRACTION = 0.5
MAX_EDGE_SD_S = 2.0
LIMB_ANGLES = ("hip_flexion", "knee_flexion", "ankle_dorsiflexion")
NOT_COMPARED = ("hip_abduction",)
SideKey = Literal["left", "right", "both"]
SIDE_KEYS: tuple[Literal["left", "right"], ...] = ("left", "right")


class NotCompared(c.Model):
    """A target angle left out, and why."""

    angle: str
    reason: str


class HoldSide(c.Model):
    """Time in the pose for one side."""

    orientation: str
    time_in_pose_s: float
    longest_hold_s: float
    holds_reaching_target: int | None
    intervals: tuple[tuple[float, float], ...]


class HoldResult(c.TaskResult):
    """The hold task's result."""

    task: str = "hold"
    exercise: str
    exercise_name: str
    keyframe: str
    tolerance_deg: float
    target_hold_s: float | None
    targets: dict[str, float]
    compared: tuple[str, ...]
    not_compared: tuple[NotCompared, ...]
    sides: dict[str, HoldSide]
    time_in_pose_s: dict[str, float]


@dataclass(frozen=True)
class Target:
    """One channel and the angle it should hold."""

    channel: str
    angle: float


def hold_keyframe(exercise: Exercise) -> Keyframe:
    """Return the keyframe a hold is measured against."""
    frames = exercise.pose.keyframes
    return next((k for k in frames if k.label == "hold"), frames[-1])


def side_view_problem(exercise: Exercise) -> str | None:
    """Return why a side-on camera cannot check ``exercise``'s hold (None when it can).

    Examples
    --------
    >>> from hiplab.library.loader import default_library
    >>> exercises = default_library().exercises
    >>> side_view_problem(exercises["deep_squat_hold"]) is None
    True
    >>> print(side_view_problem(exercises["standing_hip_abduction"]))  # doctest: +ELLIPSIS
    Standing hip abduction moves sideways ...

    """
    if exercise.pose.view == "frontal":
        return (
            f"{exercise.name} moves sideways (the legs out to the side, a sideways lean or lying "
            "on the side), which a side-on camera cannot see, so its hold cannot be checked "
            "from video."
        )
    keyframe = hold_keyframe(exercise)
    tolerance = exercise.pose.tolerance_deg
    angles = [t.angle for t in targets_for(keyframe, mirrored=False, legs=("left", "right"))]
    if all(abs(a) <= tolerance for a in angles):
        return (
            f"{exercise.name} is within {tolerance:.0f}° of standing upright in every "
            "angle a side-on camera measures, so the camera cannot tell holding it from "
            "standing still."
        )
    return None


def require_side_view(exercise: Exercise) -> None:
    """Raise :class:`~hiplab.errors.InputError` when a side-on camera cannot check the hold."""
    problem = side_view_problem(exercise)
    if problem is not None:
        raise InputError(f"{problem} Choose an exercise with a forward or backward bend to check.")


def targets_for(keyframe: Keyframe, *, mirrored: bool, legs: tuple[c.Side, ...]) -> list[Target]:
    """Return the channel targets of a keyframe (``mirrored`` swaps the legs)."""
    out = [Target("trunk_lean", keyframe.trunk_deg)]
    for side in legs:
        source = ("left" if side == "right" else "right") if mirrored else side
        limb = getattr(keyframe, source)
        out += [Target(f"{side}_{a}", float(getattr(limb, a))) for a in LIMB_ANGLES]
    return out


def _inside(inp: c.TaskInput, targets: list[Target], tolerance: float) -> c.BoolArray:
    """Return the frames where every target is measured (or gap-filled) within ``tolerance``.

    The targets' channels exist (:func:`_usable` kept only measured ones).
    """
    ok = np.ones(inp.frames, dtype=bool)
    for target in targets:
        data = inp.series.channel(target.channel, include_filled=True)
        difference = (data - target.angle + 180.0) % 360.0 - 180.0
        ok &= np.isfinite(difference) & (np.abs(difference) <= tolerance)
    return ok


def _intervals(mask: c.BoolArray, fps: float) -> list[tuple[int, int]]:
    runs = c.finite_runs(np.where(mask, 1.0, np.nan))
    merged: list[tuple[int, int]] = []
    gap = max(1, round(MERGE_GAP_S * fps))
    for start, stop in runs:
        if merged and start - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    return merged


def _edge_sd(inp: c.TaskInput, targets: list[Target], frame: int) -> float:
    fps = inp.fps
    worst = 0.0
    for target in targets:
        rate = c.at(c.velocity(inp.series, target.channel), min(frame, inp.frames - 1))
        if rate:
            worst = max(worst, c.channel_sd(inp.series, target.channel) / abs(rate))
    return math.hypot(1.0 / fps, min(worst, MAX_EDGE_SD_S))


def _side(
    inp: c.TaskInput,
    targets: list[Target],
    orientation: str,
    tolerance: float,
    target_s: float | None,
) -> tuple[HoldSide, float, c.BoolArray]:
    """Return one side's hold, its uncertainty (s) and the frames of its merged intervals."""
    fps = inp.fps
    runs = _intervals(_inside(inp, targets, tolerance), fps)
    held = np.zeros(inp.frames, dtype=bool)
    for a, b in runs:
        held[a:b] = True
    seconds = [(b - a) / fps for a, b in runs]
    edges = [e for a, b in runs for e in (a, b)]
    sd = math.sqrt(sum(_edge_sd(inp, targets, e) ** 2 for e in edges)) if edges else 1.0 / fps
    times = inp.series.time
    intervals = tuple(
        (round(float(times[a]), 3), round(float(times[b - 1]) + 1.0 / fps, 3)) for a, b in runs
    )
    side = HoldSide(
        orientation=orientation,
        time_in_pose_s=round(sum(seconds), 2),
        longest_hold_s=round(max(seconds, default=0.0), 2),
        holds_reaching_target=None
        if target_s is None
        else sum(1 for s in seconds if s >= target_s),
        intervals=intervals,
    )
    return side, sd, held


def _measures_legs(kept: list[Target], legs: tuple[c.Side, ...], *, each: bool) -> bool:
    """Return True when ``kept`` compares an angle of every leg in ``legs`` (``each``) or of any."""
    seen = {t.channel.split("_", 1)[0] for t in kept if t.channel != "trunk_lean"}
    return set(legs) <= seen if each else bool(seen & set(legs))


def _usable(inp: c.TaskInput, targets: list[Target]) -> tuple[list[Target], list[NotCompared]]:
    kept: list[Target] = []
    dropped: list[NotCompared] = []
    for target in targets:
        measured = np.isfinite(c.values(inp.series, target.channel)).mean() if inp.frames else 0.0
        if measured >= MIN_MEASURED_FRACTION:
            kept.append(target)
        else:
            dropped.append(
                NotCompared(
                    angle=target.channel,
                    reason=f"measured in {measured:.0%} of frames (at least "
                    f"{MIN_MEASURED_FRACTION:.0%} needed)",
                )
            )
    return kept, dropped


@dataclass(frozen=True)
class Plan:
    """One side of a hold: how it is oriented, the legs it covers and its targets."""

    orientation: str
    legs: tuple[c.Side, ...]
    targets: list[Target]


def _plans(exercise: Exercise, keyframe: Keyframe) -> dict[SideKey, Plan]:
    both: tuple[c.Side, ...] = ("left", "right")
    if exercise.unilateral:
        return {
            "right": Plan("as drawn", both, targets_for(keyframe, mirrored=False, legs=both)),
            "left": Plan("mirrored", both, targets_for(keyframe, mirrored=True, legs=both)),
        }
    return {
        side: Plan(
            f"{side} leg and trunk", (side,), targets_for(keyframe, mirrored=False, legs=(side,))
        )
        for side in SIDE_KEYS
    } | {
        "both": Plan("both legs and trunk", both, targets_for(keyframe, mirrored=False, legs=both))
    }


def _share_in_pose(
    held: dict[str, c.BoolArray], *, two_sided: bool
) -> tuple[float | None, list[c.TaskWarning]]:
    """Return the share of the clip in the pose (see the conventions) and a one-leg warning.

    ``held`` maps each measured side to its frames in the pose; None when no side
    was measured.
    """
    if not held:
        return None, []
    if two_sided and "both" in held:
        return float(held["both"].mean()), []
    frames = np.logical_or.reduce(list(held.values()))
    if not two_sided:
        return float(frames.mean()), []
    leg = " and ".join(held)
    note = c.warning(
        "one_leg_checked",
        f"only the {leg} leg was seen often enough to check; the other leg's position is not known",
        applies_to=("sides", "time_in_pose_s"),
        severity="info",
    )
    return float(frames.mean()), [note]


def analyze_hold(inp: c.TaskInput, *, exercise: Exercise) -> HoldResult:
    """Measure how long the subject holds ``exercise``'s pose (see the module conventions).

    Raises :class:`~hiplab.motion.tasks.gates.NotTheTaskError` when the clip
    shows the pose too little, or none of its angles is measured often enough.
    """
    require_side_view(exercise)
    keyframe = hold_keyframe(exercise)
    tolerance = exercise.pose.tolerance_deg
    target_s = float(exercise.dosage.hold_s) if exercise.dosage.hold_s else None
    skipped = [
        NotCompared(angle=f"{s}_{a}", reason="not measurable from a 2-D side view")
        for s in c.SIDES
        for a in NOT_COMPARED
        if getattr(getattr(keyframe, s), a) != 0
    ]
    warnings: list[c.TaskWarning] = []
    if inp.view != "sagittal":
        warnings.append(c.wrong_view("hold", "sagittal", inp.view, ("sides", "time_in_pose_s")))
    sides: dict[str, HoldSide] = {}
    sd: dict[str, float | None] = {}
    compared: set[str] = set()
    held: dict[str, c.BoolArray] = {}
    for key, plan in _plans(exercise, keyframe).items():
        kept, dropped = _usable(inp, plan.targets)
        skipped += [d for d in dropped if d.angle not in {s.angle for s in skipped}]
        if not _measures_legs(kept, plan.legs, each=not exercise.unilateral):
            continue
        compared |= {t.channel for t in kept}
        side, side_sd, frames = _side(inp, kept, plan.orientation, tolerance, target_s)
        sides[key] = side
        sd[f"time_in_pose_s.{key}"] = round(side_sd, 2)
        held[key] = frames
    share, one_leg = _share_in_pose(held, two_sided=not exercise.unilateral)
    warnings += one_leg
    warnings += check_hold(exercise_name=exercise.name, share=share)
    return HoldResult(
        view=inp.view,
        uncertainty=sd,
        warnings=(*inp.warnings, *warnings),
        exercise=exercise.id,
        exercise_name=exercise.name,
        keyframe=keyframe.label,
        tolerance_deg=tolerance,
        target_hold_s=target_s,
        targets={
            t.channel: t.angle
            for t in targets_for(keyframe, mirrored=False, legs=("left", "right"))
        },
        compared=tuple(sorted(compared)),
        not_compared=tuple(skipped),
        sides=sides,
        time_in_pose_s={k: v.time_in_pose_s for k, v in sides.items()},
    )


# --- the registry's entry -----------------------------------------------------------------------


def key_metrics(doc: Document) -> dict[str, Metric]:
    """Return the numbers a summary shows of a hold: the time in the pose, per side."""
    return {f"{side}_time_in_pose_s": hold["time_in_pose_s"] for side, hold in doc["sides"].items()}


def text_lines(doc: Document) -> list[str]:
    """Return the text summary's lines of a hold: one per side."""
    return [
        f"{side} ({hold['orientation']}): {hold['time_in_pose_s']:g} s in the pose, "
        f"longest {hold['longest_hold_s']:g} s, {len(hold['intervals'])} interval(s)"
        for side, hold in doc["sides"].items()
    ]


def _measure(inp: c.TaskInput, options: TaskOptions) -> HoldResult:
    if options.exercise is None:
        raise InputError(
            "is needed by the hold task", field="exercise", allowed="the id of a library exercise"
        )
    return analyze_hold(inp, exercise=options.exercise)


SETUP_STEPS: tuple[str, ...] = (
    "Film from the side, square to the person, unless the exercise is done facing the camera.",
    HIP_HEIGHT,
    DISTANCE,
    FPS_30,
    "Start filming before getting into the pose and hold it still for the time the exercise asks.",
)
"""How to film the task (before the set-up steps every task shares)."""

SPEC = TaskSpec(
    name="hold",
    title="Held exercise pose",
    summary="time inside an exercise's pose tolerance, per side",
    choice="time in the pose (needs the exercise)",
    setup_steps=SETUP_STEPS,
    view="sagittal",
    needs_exercise=True,
    result_type=HoldResult,
    measure=_measure,
    key_metrics=key_metrics,
    text_lines=text_lines,
)
