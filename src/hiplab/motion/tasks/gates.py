"""Is this the task? Each task first checks that the clip shows it, then measures it.

Conventions
-----------
* One pure function per task (:func:`check_squat`, :func:`check_landing`,
  :func:`check_thomas`, :func:`check_hold`), called first by the task's
  analyze function. A gate *refuses* with :class:`NotTheTaskError` (an
  :class:`~hiplab.errors.InputError`: exit code 2 for ``hiplab analyze``, one
  failed input in a batch) when the clip does not show the task, and returns
  :class:`~hiplab.motion.tasks.common.TaskWarning` rows when it is borderline.
  A refusal says what was expected, what was seen and what to film instead, in
  plain words and plain measurements (seconds, degrees, shares of the leg).
* Lengths are in *legs*: the subject's standing hip-to-ankle height in the
  image, so that a threshold holds at any image size and camera distance. An
  adult's leg is about 0.49 of stature (thigh 0.245 + shank 0.246, Winter's
  table as in :mod:`hiplab.testing.synthetic`): ~85 cm.
* A *track break* (:func:`track_breaks`) is a frame where the subject was lost
  (``raw.lost``) or where the whole skeleton jumped: its median keypoint moved
  faster than :data:`MAX_BODY_SPEED_LEGS_S` since the frame before (the
  tracker went to somebody else, or re-found the subject elsewhere). A
  movement spanning a break is not one person's movement and never counts.
* A criterion the keypoints cannot check (its keypoints seen in fewer than
  :data:`MIN_SEEN_SHARE` of the frames) does not refuse by itself; it is named
  in an ``info`` warning.

Squat (:func:`check_squat`): each repetition cut from the hip and knee angles
(side view) or the legs' shortening (front view) must be one person's
(no track break), measured in most of its frames, and

* the mid-hip goes down by at least :data:`MIN_HIP_DROP` of the standing leg
  and comes back to within :data:`RETURN_SHARE` of that descent;
* side view: both knees flex at least :data:`MIN_KNEE_FLEXION_DEG` and both
  hips :data:`MIN_HIP_FLEXION_DEG` at the same time;
* each foot stays planted: its lowest point (heel, toe or ankle, so a heel
  rise keeps the toes' contact) rises at most :data:`MAX_FOOT_LIFT` and its
  ankle moves at most :data:`MAX_FOOT_SLIDE` sideways;
* the mid-hip ends where it started, within :data:`MAX_TRAVEL`.

Repetitions that fail are dropped with a warning; with none left the clip is
refused. Arms never enter: repetitions come from the hips, knees and ankles.

Landing (:func:`check_landing`): a flight — both feet off the floor together
(every seen foot keypoint above :data:`~hiplab.motion.tasks.contact.AIRBORNE_HEIGHT`
of the leg) in at least :data:`MIN_FLIGHT_S` — then a ground contact, with
the mid-hip falling into it (at least :data:`MIN_FALL_SPEED` legs per second
over the last :data:`EDGE_S` before it: the body was in free fall, not
walking) and dropping at least :data:`MIN_LANDING_DROP` of the leg from the
flight's highest point into the contact.

Thomas test (:func:`check_thomas`): lying (trunk at least
:data:`LYING_MIN_TRUNK_DEG` from vertical) with one leg hanging — hip open
(flexion below :data:`HANGING_MAX_HIP_FLEXION_DEG`), thigh within
:data:`THIGH_RANGE_DEG` of horizontal, lower leg hanging at least
:data:`MIN_SHANK_DROP_DEG` below horizontal — still (thigh slower than
:data:`STILL_DEG_S`, mid-hip within :data:`MAX_LYING_SWAY` of the leg) for
:data:`MIN_STILL_S`. Warns when the other knee is not held to the chest.

Hold (:func:`check_hold`): the exercise's pose in at least
:data:`HOLD_MIN_SHARE` of the clip (refused below), warning below
:data:`HOLD_FULL_SHARE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hiplab.errors import InputError
from hiplab.motion.keypoints import KEYPOINTS
from hiplab.motion.tasks import common as c
from hiplab.motion.tasks.contact import (
    AIRBORNE_HEIGHT,
    CONTACT_TOLERANCE,
    Contact,
    foot_heights,
    leg_length,
)
from hiplab.motion.tasks.reps import RepFrames

MIN_SEEN_SHARE = 0.5
"""Share of a movement's frames a keypoint or angle must be measured in to judge it."""
MAX_BODY_SPEED_LEGS_S = 15.0
"""Fastest whole-body speed of one person (legs per second): ~13 m/s, above a sprinter's
top speed (~12 m/s). A skeleton moving faster jumped to somebody or somewhere else."""
EDGE_S = 0.1
"""A movement's start and end levels are medians over its first and last 0.1 s."""

MIN_HIP_DROP = 0.10
"""Least descent of the mid-hip in a squat (legs). With thigh and shank of equal length
the hip lowers by ``1 − (cos a + cos(k − a)) / 2``: a quarter squat (knee k ≈ 50°, shank
a ≈ 20° forward) lowers it ~10 %; walking moves the pelvis up and down ~5 cm (~6 %)."""
RETURN_SHARE = 0.5
"""A repetition ends back up: start and end levels of the hip within half its descent."""
MIN_KNEE_FLEXION_DEG = 40.0
"""Least knee flexion of *both* legs together: below a quarter squat (~45°). Walking bends
one knee to ~60° in swing while the other stays within ~20° in stance."""
MIN_HIP_FLEXION_DEG = 30.0
"""Least hip flexion of both legs together (a quarter squat flexes the hips ~40°)."""
MAX_FOOT_LIFT = 0.12
"""Most a foot's lowest point may rise in a squat (legs): a hop clears ≥ 10 cm (0.12 of an
85 cm leg); a heel rise leaves the toes down, and even the ankle rises < 0.08 at 20°."""
MAX_FOOT_SLIDE = 0.15
"""Most an ankle may move sideways in a squat (legs): a step is ~0.8 of the leg."""
MAX_TRAVEL = 0.25
"""Most the mid-hip may end away from where a repetition started (legs): a squat sits back
~0.25–0.4 of the leg and returns; a single step moves it ~0.8."""

MIN_FLIGHT_S = 0.05
"""Least time both feet are off the floor together before a landing (at least two frames):
a 30 cm drop falls for 0.25 s, a 10 cm hop is 0.29 s in the air."""
MIN_LANDING_DROP = 0.10
"""Least fall of the mid-hip into a landing (legs): a 30 cm box drop lowers it ~0.35, a
10 cm hop ~0.12; stepping down with one foot after the other never has both feet up."""
MIN_FALL_SPEED = 0.6
"""Least mean speed of the mid-hip's fall over the last :data:`EDGE_S` before contact (legs
per second). A body in flight falls freely: after a drop of ``h`` it meets the floor at
``√(2gh)`` and averaged over the last 0.1 s at ``√(2gh) − 0.49 m/s`` — a 5 cm hop ~0.6 legs/s,
a 30 cm box drop ~2.3. Walking moves the pelvis up and down at most ~0.35 legs/s, so feet
that only seem to rise (walking toward a camera that looks down, where the floor's image
line moves as the subject nears) are not a flight."""

LYING_MIN_TRUNK_DEG = 60.0
"""Least trunk angle from vertical taken as lying (the trunk within 30° of horizontal)."""
HANGING_MAX_HIP_FLEXION_DEG = 60.0
"""Most hip flexion of a hanging leg (the hugged leg's is ~120°)."""
THIGH_RANGE_DEG = (-45.0, 60.0)
"""Thigh elevation of a hanging leg (the range the assessment accepts)."""
MIN_SHANK_DROP_DEG = 20.0
"""Least angle of the lower leg below horizontal for a leg hanging over the table's edge
(``thigh_angle − knee_flexion``): a leg lying on the table is level, one hanging is ~90°
down and even a short rectus femoris (knee ~45°, thigh +15°) leaves it 30° down."""
HUGGED_MIN_HIP_FLEXION_DEG = 90.0
"""Least hip flexion of the other leg for its knee to count as held to the chest."""
STILL_DEG_S = 10.0
"""A hanging thigh is still while its angle changes slower than this (deg/s, over ±0.25 s)."""
MIN_STILL_S = 0.5
"""Least duration of a still hang."""
RATE_HALF_WINDOW_S = 0.25
"""Half-window of the still-thigh rate (a frame-to-frame step is too noisy)."""
MAX_LYING_SWAY = 0.10
"""Most the mid-hip may move during a still hang (legs): the subject lies on a table."""

HOLD_MIN_SHARE = 1.0 / 3.0
"""Least share of the clip in the exercise's pose (refused below): a clip filmed for a hold
is mostly the hold — getting in and out takes a few seconds each, so a 20–30 s hold fills
over half its clip — while a pose passed through on the way (sitting down, dancing) lasts
tenths of a second."""
HOLD_FULL_SHARE = 0.5
"""Below this share of the clip in the pose the hold task warns (borderline)."""

SQUAT_EXPECTED = (
    "repeated squats — both hips and knees bending and straightening again from standing, "
    "the feet planted and the subject staying in place"
)
SQUAT_INSTEAD = (
    "Film one person squatting on the spot, the whole body in view, side-on to the camera "
    "(for depth and heel rise) or facing it (for knee alignment)."
)
LANDING_EXPECTED = "a drop landing — both feet leaving the floor, then coming down onto it"
LANDING_INSTEAD = (
    "Film the drop from a 30 cm box onto the floor, side-on or facing the camera, with both "
    "feet in view from the box to the landing."
)
THOMAS_EXPECTED = (
    "the modified Thomas test — lying on the back at a table's edge, one knee held to the "
    "chest and the other leg hanging over the edge, still"
)
THOMAS_INSTEAD = (
    "Film the test side-on with the whole body in view, the hanging leg still for a few seconds."
)


class NotTheTaskError(InputError):
    """The clip does not show the task asked for: refused before anything is measured."""


def refusal(*, task: str, expected: str, seen: str, instead: str) -> NotTheTaskError:
    """Return the refusal of a clip: what was expected, what was seen, what to film instead."""
    return NotTheTaskError(
        f"This clip does not show {task}. Expected {expected}; seen {seen}. {instead}"
    )


# --- shared measurements --------------------------------------------------------------------------


def _median(data: c.FloatArray) -> float | None:
    finite = data[np.isfinite(data)]
    return float(np.median(finite)) if finite.size else None


def _spread(data: c.FloatArray) -> float | None:
    """Return the 5th–95th percentile range of the finite samples (one outlier does not set it)."""
    finite = data[np.isfinite(data)]
    if finite.size == 0:
        return None
    low, high = np.percentile(finite, [5.0, 95.0])
    return float(high - low)


def _seen(data: c.FloatArray) -> bool:
    return data.size > 0 and float(np.isfinite(data).mean()) >= MIN_SEEN_SHARE


def _mean_of(a: c.FloatArray, b: c.FloatArray) -> c.FloatArray:
    """Return the mean of two point tracks where both are measured (NaN elsewhere)."""
    return np.asarray(0.5 * (a + b), dtype=np.float64)


def _skeleton(inp: c.TaskInput) -> tuple[c.FloatArray, c.BoolArray, c.BoolArray]:
    """Return ``(xy (N, K, 2), seen (N, K), lost (N,))`` as detected, else as cleaned."""
    if inp.raw is not None:
        raw = inp.raw
        seen = (raw.score >= c.RAW_MIN_SCORE) & np.isfinite(raw.xy).all(axis=2) & ~raw.lost[:, None]
        return np.asarray(raw.xy, dtype=np.float64), seen, np.asarray(raw.lost, dtype=np.bool_)
    xy = np.stack([c.point(inp.series, name) for name in KEYPOINTS], axis=1)
    seen = np.isfinite(xy).all(axis=2)
    lost = ~seen.any(axis=1) if seen.any() else np.zeros(inp.frames, dtype=bool)
    return xy, seen, lost


def track_breaks(inp: c.TaskInput) -> c.BoolArray:
    """Return the frames where the subject was lost or the whole skeleton jumped.

    A jump at frame ``i``: the median displacement since frame ``i − 1`` of the
    keypoints seen in both is faster than :data:`MAX_BODY_SPEED_LEGS_S`.
    """
    xy, seen, lost = _skeleton(inp)
    broken = lost.copy()
    leg = leg_length(inp)
    if leg is None or inp.frames < 2 or inp.fps <= 0:
        return broken
    both = seen[1:] & seen[:-1]
    step = np.where(both, np.linalg.norm(np.diff(xy, axis=0), axis=2), np.nan)
    moved = np.zeros(inp.frames - 1)
    some = both.any(axis=1)
    moved[some] = np.nanmedian(step[some], axis=1)
    broken[1:] |= moved > MAX_BODY_SPEED_LEGS_S * leg / inp.fps
    return broken


@dataclass(frozen=True)
class Body:
    """Where the subject is per frame (cleaned keypoints, pixels, y down; NaN if not seen).

    ``hip`` is the mid-hip (N, 2); ``ground_y[side]`` the foot's lowest point (the
    largest y of its heel, toe and ankle); ``ankle_x[side]`` its ankle's x.
    """

    hip: c.FloatArray
    ankle_y: c.FloatArray
    ground_y: dict[str, c.FloatArray]
    ankle_x: dict[str, c.FloatArray]


def body_of(inp: c.TaskInput) -> Body:
    """Return the subject's mid-hip and feet per frame."""
    series = inp.series
    hip = _mean_of(c.point(series, "left_hip"), c.point(series, "right_hip"))
    ankles = {s: c.point(series, f"{s}_ankle") for s in c.SIDES}
    ground: dict[str, c.FloatArray] = {}
    for side in c.SIDES:
        lowest = ankles[side][:, 1]
        for part in ("heel", "foot_index"):
            lowest = np.fmax(lowest, c.point(series, f"{side}_{part}")[:, 1])
        ground[side] = np.asarray(lowest, dtype=np.float64)
    return Body(
        hip=hip,
        ankle_y=_mean_of(ankles["left"], ankles["right"])[:, 1],
        ground_y=ground,
        ankle_x={s: ankles[s][:, 0] for s in c.SIDES},
    )


def standing_leg(body: Body, start: int, stop: int, fallback: float | None) -> float | None:
    """Return the standing hip-to-ankle height in ``[start, stop)`` (px): its 95th percentile.

    The tallest frames are the standing ones; ``fallback`` (the median hip → ankle
    distance of the input) when the hips and ankles are not seen often enough.
    """
    height = body.ankle_y[start:stop] - body.hip[start:stop, 1]
    if not _seen(height):
        return fallback
    value = float(np.percentile(height[np.isfinite(height)], 95.0))
    return value if value > 0 else fallback


# --- squat ----------------------------------------------------------------------------------------

REASONS = {
    "tracking": "the subject was lost from view or the tracking jumped to another person",
    "unmeasured": "the hips and knees were not measured in most of its frames",
    "shallow": "the hips did not go down far enough",
    "no_return": "the hips did not come back to where they started",
    "legs": "the knees and hips of both legs did not bend together",
    "feet_lift": "the feet left the floor",
    "feet_move": "the feet moved (stepping, walking or sliding)",
    "travel": "the subject moved across the frame",
}
"""Plain phrase of each reason a movement is not a squat (keys group them in a refusal)."""


@dataclass(frozen=True)
class Reason:
    """Why one movement is not a squat: its kind (a key of :data:`REASONS`) and the detail."""

    kind: str
    detail: str


@dataclass(frozen=True)
class RepCheck:
    """A candidate repetition, why it is not a squat (none: it is one) and what went unchecked."""

    rep: RepFrames
    reasons: tuple[Reason, ...] = ()
    unchecked: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Rep:
    """One candidate's frames, the standing leg (px) and the frames of its start and end."""

    rep: RepFrames
    leg: float
    head: slice
    tail: slice

    @property
    def frames(self) -> slice:
        return slice(self.rep.start, self.rep.end + 1)


def _levels(data: c.FloatArray, rep: _Rep) -> tuple[float | None, float | None]:
    return _median(data[rep.head]), _median(data[rep.tail])


def _depth(body: Body, rep: _Rep) -> list[Reason]:
    y = body.hip[:, 1]
    start, end = _levels(y, rep)
    window = y[rep.frames]
    bottom = float(np.nanmax(window)) if np.isfinite(window).any() else None
    standing = min((v for v in (start, end) if v is not None), default=None)
    if bottom is None or standing is None:
        return []
    drop = (bottom - standing) / rep.leg
    if drop < MIN_HIP_DROP:
        return [
            Reason(
                "shallow",
                f"the hips went down {max(drop, 0.0):.0%} of the leg's length "
                f"(a squat: at least {MIN_HIP_DROP:.0%})",
            )
        ]
    if rep.rep.complete and start is not None and end is not None:
        apart = abs(end - start)
        if apart > RETURN_SHARE * (bottom - standing):
            return [
                Reason(
                    "no_return",
                    f"the hips ended {apart / rep.leg:.0%} of the leg's length above or below "
                    "where they started",
                )
            ]
    return []


def _legs(inp: c.TaskInput, frames: slice) -> list[Reason]:
    """Return why both legs did not flex together (side view; one leg if only one is seen)."""
    found: list[Reason] = []
    for angle, label, least in (
        ("knee_flexion", "knees", MIN_KNEE_FLEXION_DEG),
        ("hip_flexion", "hips", MIN_HIP_FLEXION_DEG),
    ):
        left = c.values(inp.series, f"left_{angle}")[frames]
        right = c.values(inp.series, f"right_{angle}")[frames]
        together = np.fmin(left, right)  # NaN only where neither leg was measured
        if not np.isfinite(together).any():
            continue
        top = float(np.nanmax(together))
        if top < least:
            found.append(
                Reason(
                    "legs",
                    f"the {label} of both legs bent at most {top:.0f}° together "
                    f"(a squat: at least {least:.0f}°)",
                )
            )
    return found


def _feet(body: Body, rep: _Rep) -> tuple[list[Reason], bool]:
    """Return why the feet were not planted, and whether any foot was seen enough to judge."""
    lift = slide = 0.0
    judged = False
    for side in c.SIDES:
        ground, x = body.ground_y[side][rep.frames], body.ankle_x[side][rep.frames]
        if not (_seen(ground) and _seen(x)):
            continue
        judged = True
        lift = max(lift, (_spread(ground) or 0.0) / rep.leg)
        slide = max(slide, (_spread(x) or 0.0) / rep.leg)
    found: list[Reason] = []
    if lift > MAX_FOOT_LIFT:
        found.append(Reason("feet_lift", f"a foot rose {lift:.0%} of the leg's length"))
    if slide > MAX_FOOT_SLIDE:
        found.append(Reason("feet_move", f"a foot moved {slide:.0%} of the leg's length"))
    return found, judged


def _travel(body: Body, rep: _Rep) -> list[Reason]:
    start, end = _levels(body.hip[:, 0], rep)
    if not rep.rep.complete or start is None or end is None:
        return []
    moved = abs(end - start) / rep.leg
    if moved <= MAX_TRAVEL:
        return []
    return [Reason("travel", f"the hips ended {moved:.0%} of the leg's length to the side")]


def _candidate(inp: c.TaskInput, body: Body, rep: RepFrames, leg: float | None) -> _Rep | None:
    height = standing_leg(body, rep.start, rep.end + 1, leg)
    if height is None:
        return None
    edge = max(1, round(EDGE_S * inp.fps))
    return _Rep(
        rep=rep,
        leg=height,
        head=slice(rep.start, min(rep.start + edge, rep.end + 1)),
        tail=slice(max(rep.end + 1 - edge, rep.start), rep.end + 1),
    )


def check_rep(
    inp: c.TaskInput, rep: RepFrames, *, signal: c.FloatArray, body: Body, breaks: c.BoolArray
) -> RepCheck:
    """Return whether one candidate repetition is a squat (see the module conventions)."""
    frames = slice(rep.start, rep.end + 1)
    if breaks[frames].any():
        return RepCheck(rep, (Reason("tracking", REASONS["tracking"]),))
    measured = float(np.isfinite(signal[frames]).mean())
    if measured < MIN_SEEN_SHARE:
        return RepCheck(
            rep, (Reason("unmeasured", f"it was measured in only {measured:.0%} of its frames"),)
        )
    reasons: list[Reason] = []
    unchecked: list[str] = []
    if inp.view == "sagittal":
        reasons += _legs(inp, frames)
    candidate = _candidate(inp, body, rep, leg_length(inp))
    if candidate is None:
        unchecked.append("how far the hips went down and whether the feet stayed planted")
        return RepCheck(rep, tuple(reasons), tuple(unchecked))
    reasons += _depth(body, candidate)
    feet, judged = _feet(body, candidate)
    reasons += feet
    if not judged:
        unchecked.append("whether the feet stayed planted (the feet were not seen)")
    reasons += _travel(body, candidate)
    return RepCheck(rep, tuple(reasons), tuple(unchecked))


def _span(inp: c.TaskInput, rep: RepFrames) -> str:
    time = inp.series.time
    return f"{float(time[rep.start]):.1f}–{float(time[rep.end]):.1f} s"


def _counted(checks: Sequence[RepCheck]) -> str:
    """Return the reasons of the refused movements, each with how many it applies to."""
    kinds = [kind for check in checks for kind in {r.kind for r in check.reasons}]
    return "; ".join(f"{REASONS[k]} ({kinds.count(k)})" for k in REASONS if k in kinds)


def check_squat(
    inp: c.TaskInput, reps: Sequence[RepFrames], *, signal: c.FloatArray
) -> tuple[list[RepFrames], list[c.TaskWarning]]:
    """Return the candidate repetitions that are squats and the warnings; refuse if none is.

    Parameters
    ----------
    inp
        The task input.
    reps
        Candidate repetitions cut from ``signal`` (:func:`~hiplab.motion.tasks.reps.segment_reps`).
    signal
        The movement signal the repetitions were cut from (NaN where not measured).

    """
    if not reps:
        raise refusal(
            task="a squat",
            expected=SQUAT_EXPECTED,
            seen="no repetition: the hips and knees never bent far and straightened again",
            instead=SQUAT_INSTEAD,
        )
    body, breaks = body_of(inp), track_breaks(inp)
    checks = [check_rep(inp, r, signal=signal, body=body, breaks=breaks) for r in reps]
    kept = [k.rep for k in checks if not k.reasons]
    dropped = [k for k in checks if k.reasons]
    if not kept:
        raise refusal(
            task="a squat",
            expected=SQUAT_EXPECTED,
            seen=f"{len(reps)} movement(s) of the hips and knees, none of them a squat — "
            f"{_counted(dropped)}",
            instead=SQUAT_INSTEAD,
        )
    warnings: list[c.TaskWarning] = []
    if dropped:
        what = "; ".join(
            f"{_span(inp, k.rep)}: {', '.join(r.detail for r in k.reasons)}" for k in dropped
        )
        warnings.append(
            c.warning(
                "movements_not_counted",
                f"{len(dropped)} movement(s) were not counted as squats ({what})",
                applies_to=("reps", "summary"),
            )
        )
    unchecked = sorted({u for k in checks if not k.reasons for u in k.unchecked})
    if unchecked:
        warnings.append(
            c.warning(
                "squat_not_fully_checked",
                f"could not check {'; '.join(unchecked)}",
                applies_to=("reps",),
                severity="info",
            )
        )
    return kept, warnings


# --- landing --------------------------------------------------------------------------------------


def _airborne(heights: c.FloatArray, leg: float) -> c.BoolArray:
    """Return the frames where every seen keypoint of a foot is high (as the contact finds)."""
    seen = np.isfinite(heights)
    with np.errstate(invalid="ignore"):
        high = seen & (heights > AIRBORNE_HEIGHT * leg)
    return np.asarray(seen.any(axis=0) & (high | ~seen).all(axis=0), dtype=np.bool_)


def _down(heights: c.FloatArray, leg: float) -> c.BoolArray:
    with np.errstate(invalid="ignore"):
        down = np.isfinite(heights) & (heights <= CONTACT_TOLERANCE * leg)
    return np.asarray(down.any(axis=0), dtype=np.bool_)


def _hip_y(inp: c.TaskInput) -> c.FloatArray:
    """Return the mid-hip's image y as detected (the impact is sharper before the low-pass)."""
    left, right = c.raw_point(inp, "left_hip"), c.raw_point(inp, "right_hip")
    return _mean_of(left, right)[:, 1]


def _fall_speed(inp: c.TaskInput, hip_y: c.FloatArray, ic: int) -> float:
    """Return the mid-hip's mean downward speed over the last :data:`EDGE_S` before ``ic``.

    Pixels per second, image y down; NaN when the hip was not seen at both ends.
    """
    edge = max(1, round(EDGE_S * inp.fps))
    window = hip_y[max(ic - edge, 0) : ic + 1]
    seen = np.flatnonzero(np.isfinite(window))
    if seen.size < 2:
        return float("nan")
    elapsed = (seen[-1] - seen[0]) / inp.fps
    return float((window[seen[-1]] - window[seen[0]]) / elapsed)


def check_landing(inp: c.TaskInput, contact: Contact) -> list[c.TaskWarning]:
    """Refuse a clip without a flight and a landing after it; return warnings (see conventions)."""
    leg = contact.leg_px
    heights = [foot_heights(inp, s) for s in c.SIDES] if leg else []
    both = (
        _airborne(heights[0], leg) & _airborne(heights[1], leg)
        if leg and heights
        else np.zeros(inp.frames, dtype=bool)
    )
    least = max(2, round(MIN_FLIGHT_S * inp.fps))
    ic = contact.frame
    if ic is None or leg is None:
        seen = (
            "both feet off the floor, but never coming back down onto it in the clip"
            if both.sum() >= least
            else "the feet never left the floor together"
        )
        raise refusal(
            task="a landing", expected=LANDING_EXPECTED, seen=seen, instead=LANDING_INSTEAD
        )
    down = _down(heights[0], leg) | _down(heights[1], leg)
    before = np.flatnonzero(down[:ic])
    flight = slice(int(before[-1]) + 1 if before.size else 0, ic)
    if int(both[flight].sum()) < least:
        raise refusal(
            task="a landing",
            expected=LANDING_EXPECTED,
            seen="a foot touching down, but both feet were never off the floor together before "
            "it (a step, not a jump or a drop)",
            instead=LANDING_INSTEAD,
        )
    hip = _hip_y(inp)
    after = hip[ic : ic + max(1, round(EDGE_S * inp.fps))]
    top, at_contact = hip[flight], _median(after)
    if at_contact is None or not np.isfinite(top).any():
        return [
            c.warning(
                "landing_drop_not_checked",
                "the hips were not seen around the landing: whether the body dropped into it "
                "could not be checked",
                severity="info",
            )
        ]
    falling = _fall_speed(inp, hip, ic) / leg
    if np.isfinite(falling) and falling < MIN_FALL_SPEED:
        raise refusal(
            task="a landing",
            expected=LANDING_EXPECTED,
            seen=f"the feet coming down while the hips fell at only {max(falling, 0.0):.1f} leg "
            f"lengths a second just before (a landing: at least {MIN_FALL_SPEED:.1f}, the body "
            "falling freely)",
            instead=LANDING_INSTEAD,
        )
    drop = (at_contact - float(np.nanmin(top))) / leg
    if drop < MIN_LANDING_DROP:
        raise refusal(
            task="a landing",
            expected=LANDING_EXPECTED,
            seen=f"the feet up and down again while the hips dropped only {max(drop, 0.0):.0%} "
            f"of the leg's length into the contact (a landing: at least {MIN_LANDING_DROP:.0%})",
            instead=LANDING_INSTEAD,
        )
    return []


# --- Thomas test ----------------------------------------------------------------------------------


def _filled(inp: c.TaskInput, name: str) -> c.FloatArray:
    return c.values(inp.series, name, include_filled=True)


def lying(inp: c.TaskInput) -> c.BoolArray:
    """Return the frames where the trunk is at least :data:`LYING_MIN_TRUNK_DEG` from vertical."""
    trunk = np.abs(_filled(inp, "trunk_lean"))
    with np.errstate(invalid="ignore"):
        return np.asarray(trunk >= LYING_MIN_TRUNK_DEG, dtype=np.bool_)


def hanging(inp: c.TaskInput, side: c.Side) -> c.BoolArray:
    """Return the frames where ``side``'s leg hangs over a table's edge (see the conventions).

    Judged on measured and gap-filled samples: a dropout shorter than the
    kinematics' fill limit does not split a hang.
    """
    hip = _filled(inp, f"{side}_hip_flexion")
    thigh = _filled(inp, f"{side}_thigh_angle")
    knee = _filled(inp, f"{side}_knee_flexion")
    low, high = THIGH_RANGE_DEG
    with np.errstate(invalid="ignore"):
        leg = (
            (hip < HANGING_MAX_HIP_FLEXION_DEG)
            & (thigh >= low)
            & (thigh <= high)
            & (thigh - knee <= -MIN_SHANK_DROP_DEG)
        )
    return np.asarray(leg & lying(inp), dtype=np.bool_)


def _slow_rate(data: c.FloatArray, fps: float) -> c.FloatArray:
    """Return ``|Δ angle| / Δt`` over ±:data:`RATE_HALF_WINDOW_S` (less noisy than a frame step)."""
    half = max(1, round(RATE_HALF_WINDOW_S * fps))
    rate = np.full(data.shape[0], np.nan)
    if data.shape[0] > 2 * half:
        rate[half:-half] = np.abs(data[2 * half :] - data[: -2 * half]) * fps / (2 * half)
    return rate


def still_run(thigh: c.FloatArray, mask: c.BoolArray, fps: float) -> c.BoolArray:
    """Return the longest run of ``mask`` frames (at least :data:`MIN_STILL_S`) of a still thigh."""
    rate = _slow_rate(np.where(mask, thigh, np.nan), fps)
    with np.errstate(invalid="ignore"):
        still = mask & (rate < STILL_DEG_S)
    best = np.zeros_like(still)
    runs = [
        (a, b)
        for a, b in c.finite_runs(np.where(still, 1.0, np.nan))
        if (b - a) / fps >= MIN_STILL_S
    ]
    if runs:
        a, b = max(runs, key=lambda r: r[1] - r[0])
        best[a:b] = True
    return best


def _sway(inp: c.TaskInput, run: c.BoolArray) -> float | None:
    """Return how far the mid-hip moved over ``run`` (legs), None if not seen."""
    leg = leg_length(inp)
    hip = body_of(inp).hip[run]
    if leg is None or not leg > 0 or not _seen(hip[:, 0]):
        return None
    return max(_spread(hip[:, 0]) or 0.0, _spread(hip[:, 1]) or 0.0) / leg


def _thomas_seen(inp: c.TaskInput, hangs: dict[c.Side, c.BoolArray]) -> str:
    """Return what the clip showed instead of a still hanging leg, in plain words."""
    lying_s = float(lying(inp).sum()) / inp.fps
    hang_s = max(float(m.sum()) for m in hangs.values()) / inp.fps
    if lying_s < MIN_STILL_S or lying(inp).mean() < 0.5:
        trunk = _median(np.abs(_filled(inp, "trunk_lean")))
        upright = "" if trunk is None else f", about {trunk:.0f}° from vertical"
        body = f"the trunk upright in most of the clip{upright} (standing or sitting)"
    else:
        body = f"the subject lying for {lying_s:.1f} s"
    if hang_s == 0:
        return (
            f"{body}, and no leg hanging over a table's edge (the hip open and the lower leg at "
            f"least {MIN_SHANK_DROP_DEG:g}° below horizontal)"
        )
    return f"{body}, and a leg hanging for {hang_s:.1f} s but never still for {MIN_STILL_S:g} s"


def _hugged(inp: c.TaskInput, side: c.Side, run: c.BoolArray) -> list[c.TaskWarning]:
    other: c.Side = "left" if side == "right" else "right"
    flexion = _median(c.values(inp.series, f"{other}_hip_flexion")[run])
    if flexion is None or flexion >= HUGGED_MIN_HIP_FLEXION_DEG:
        return []
    return [
        c.warning(
            "other_knee_not_held",
            f"the {other} knee was not held to the chest while the {side} leg hung (its hip "
            f"bent {flexion:.0f}°, at least {HUGGED_MIN_HIP_FLEXION_DEG:g}° expected): the "
            "lower back may arch and the hanging thigh read lower than it is",
            applies_to=(side,),
        )
    ]


def check_thomas(inp: c.TaskInput) -> list[c.TaskWarning]:
    """Refuse a clip without a still hanging leg of a supine subject; return warnings."""
    hangs = {side: hanging(inp, side) for side in c.SIDES}
    for side in inp.sides():
        run = still_run(_filled(inp, f"{side}_thigh_angle"), hangs[side], inp.fps)
        sway = _sway(inp, run) if run.any() else None
        if run.any() and (sway is None or sway <= MAX_LYING_SWAY):
            return _hugged(inp, side, run)
    raise refusal(
        task="a Thomas test",
        expected=THOMAS_EXPECTED,
        seen=_thomas_seen(inp, hangs),
        instead=THOMAS_INSTEAD,
    )


# --- hold -----------------------------------------------------------------------------------------


def check_hold(*, exercise_name: str, share: float | None) -> list[c.TaskWarning]:
    """Refuse a clip that shows the pose too little; warn when it is borderline.

    Parameters
    ----------
    exercise_name
        The exercise's name (plain words, for the message).
    share
        Share of the clip's frames in the pose on any side (None: no angle of the
        pose was measured often enough to compare).

    """
    instead = f"Film the {exercise_name} held still, side-on, for most of the clip."
    expected = f"the {exercise_name} pose held for at least {HOLD_MIN_SHARE:.0%} of the clip"
    if share is None:
        raise refusal(
            task=f"a {exercise_name} hold",
            expected=expected,
            seen="none of the pose's angles measured in enough of the frames",
            instead=instead,
        )
    if share < HOLD_MIN_SHARE:
        raise refusal(
            task=f"a {exercise_name} hold",
            expected=expected,
            seen=f"the pose in {share:.0%} of the clip",
            instead=instead,
        )
    if share < HOLD_FULL_SHARE:
        return [
            c.warning(
                "pose_held_briefly",
                f"the pose was held in only {share:.0%} of the clip (a hold clip is mostly the "
                f"hold: at least {HOLD_FULL_SHARE:.0%} expected); check it is the exercise",
                applies_to=("sides", "time_in_pose_s"),
            )
        ]
    return []


__all__ = [
    "Body",
    "NotTheTaskError",
    "Reason",
    "RepCheck",
    "body_of",
    "check_hold",
    "check_landing",
    "check_rep",
    "check_squat",
    "check_thomas",
    "hanging",
    "lying",
    "refusal",
    "still_run",
    "track_breaks",
]
