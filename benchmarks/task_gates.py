"""Task gates on every clip at hand: true positives, true rejections, false accepts and refusals.

Each task (``squat``, ``landing``, ``thomas``, ``hold`` with the library's
``deep_squat_hold``, ``angles``) runs on each clip available offline, and
the gate's answer is set against what the clip truly shows:

* the sports2d demo video (:func:`tests.motion.demo_video.demo_video`: a man
  jumps about on a roof and comes down from it to the ground, landing on his
  feet, while a woman walks past below; 230 frames at 30 fps) — a landing, no
  squat, Thomas test or held pose;
* the four Pose2Sim demo cameras (:func:`tests.motion.multicam.pose2sim_demo`:
  a man walks, swings his right leg out to the side and up while standing on
  the left, steps on; 100 frames at 60 fps; filmed from 24–37° off his front
  or back) — no squat, landing, Thomas test or held pose;
* synthetic captures (:mod:`hiplab.testing.synthetic`, stick figures rendered
  as keypoint tracks with 2 px noise): squats from the side and the front,
  drop landings from the side (the generator's and a free fall) and the
  front, a Thomas test, a held deep squat at ``deep_squat_hold``'s pose, and
  two negatives built the way ``tests/motion/test_gates.py`` builds them:
  standing still and walking across the frame.

Videos go through :func:`hiplab.motion.analyze.analyze` (what ``hiplab
analyze`` runs; the video is tracked again for every task). Tracks go through
the same stages after tracking: :func:`hiplab.motion.analyze.kinematics_found`
in the task's view, then the task's ``measure``. ``angles`` is expected to
accept any clip of a person. A clip whose truth for a task is open (a held
deep squat is also two slow squats) is listed but not scored.

Outcomes: ``accepted``; ``warned`` (accepted with a gate warning, its code
shown); ``refused`` (:class:`~hiplab.motion.tasks.gates.NotTheTaskError`,
the "seen …" part of its message shown); ``refused*`` (another input error,
e.g. the camera or frame rate, before the gate). Then a hold scan: for each
clip, the library exercises whose hold the clip is accepted as (of those a
side-on camera can check: not moving sideways, not within the tolerance of
standing; videos tracked once for it). Nothing is asserted.

Usage: ``.venv/bin/python benchmarks/task_gates.py [--no-video]`` (``--no-video``: the
synthetic captures only, in seconds).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.motion import multicam as mc  # noqa: E402
from tests.motion.demo_video import demo_video  # noqa: E402

from hiplab.errors import InputError  # noqa: E402
from hiplab.library.loader import default_library  # noqa: E402
from hiplab.library.models import Exercise  # noqa: E402
from hiplab.motion.keypoints import KeypointTrack  # noqa: E402
from hiplab.motion.tasks.gates import NotTheTaskError  # noqa: E402
from hiplab.motion.tasks.hold import side_view_problem  # noqa: E402
from hiplab.testing import synthetic as syn  # noqa: E402

TaskName = Literal["squat", "landing", "thomas", "hold", "angles"]
TASKS: tuple[TaskName, ...] = ("squat", "landing", "thomas", "hold", "angles")
HOLD_EXERCISE = "deep_squat_hold"
GATE_WARNINGS = frozenset(
    {
        "movements_not_counted",
        "squat_not_fully_checked",
        "landing_drop_not_checked",
        "other_knee_not_held",
        "pose_held_briefly",
    }
)
"""The warning codes the gates themselves give (:mod:`hiplab.motion.tasks.gates`)."""
NOISY = syn.CaptureOptions(fps=30.0, noise_px=2.0, seed=3)
NOISY_120 = replace(NOISY, fps=120.0)
Expected = Literal["yes", "no", "open"]
Outcome = Literal["accepted", "warned", "refused", "refused*"]


@dataclass(frozen=True)
class Clip:
    """One input: a video file or a keypoint track, what it shows and which tasks it is."""

    name: str
    shows: str
    tasks: frozenset[TaskName]
    """The tasks the clip truly is (``angles`` is added to every clip)."""
    open_tasks: frozenset[TaskName] = frozenset()
    holds: frozenset[str] = frozenset()
    """The library exercises whose hold the clip truly shows (for the hold scan)."""
    video: Path | None = None
    track: KeypointTrack | None = None

    def expected(self, task: TaskName) -> Expected:
        """Return whether the clip is the task (``open``: either answer is defensible)."""
        if task in self.open_tasks:
            return "open"
        return "yes" if task == "angles" or task in self.tasks else "no"


@dataclass(frozen=True)
class Row:
    """One clip × task: the gate's answer against the truth."""

    clip: Clip
    task: TaskName
    outcome: Outcome
    note: str

    @property
    def accepted(self) -> bool:
        """Return True when the task measured the clip (with or without a gate warning)."""
        return self.outcome in ("accepted", "warned")

    @property
    def verdict(self) -> str:
        """Return ``TP``, ``TR``, ``FA``, ``FR`` or ``—`` (open truth)."""
        expected = self.clip.expected(self.task)
        if expected == "open":
            return "—"
        if expected == "yes":
            return "TP" if self.accepted else "FR"
        return "FA" if self.accepted else "TR"


# --- clips ----------------------------------------------------------------------------------------


def held_squat(exercise: Exercise) -> syn.Capture:
    """Return the synthetic hold at the exercise's drawn knee, ankle and trunk angles."""
    from hiplab.motion.tasks.hold import hold_keyframe

    key = hold_keyframe(exercise)
    return syn.hold(
        NOISY,
        target_knee=float(key.right.knee_flexion),
        target_ankle=float(key.right.ankle_dorsiflexion),
        target_trunk=float(key.trunk_deg),
    )


def synthetic_clips(exercise: Exercise) -> list[Clip]:
    """Return the synthetic captures with their truth."""
    makers: list[tuple[str, str, frozenset[TaskName], Callable[[], syn.Capture]]] = [
        ("syn squat side", "3 squats, side view", frozenset({"squat"}), lambda: syn.squat(NOISY)),
        (
            "syn squat front",
            "2 squats, front view",
            frozenset({"squat"}),
            lambda: syn.frontal_squat(NOISY),
        ),
        (
            "syn landing side",
            "drop landing, side (generator's)",
            frozenset({"landing"}),
            lambda: syn.drop_landing(NOISY_120),
        ),
        (
            "syn free fall",
            "drop landing, side, free fall",
            frozenset({"landing"}),
            lambda: syn.free_fall_landing(NOISY_120),
        ),
        (
            "syn landing front",
            "drop landing, front view",
            frozenset({"landing"}),
            lambda: syn.frontal_landing(NOISY_120),
        ),
        (
            "syn thomas",
            "modified Thomas test",
            frozenset({"thomas"}),
            lambda: syn.thomas_test(NOISY),
        ),
        (
            "syn hold",
            f"held deep squat ({exercise.id})",
            frozenset({"hold"}),
            lambda: held_squat(exercise),
        ),
        ("syn standing", "standing still", frozenset(), lambda: syn.standing(NOISY)),
        ("syn walking", "walking across", frozenset(), lambda: syn.walking(NOISY)),
    ]
    clips = [
        Clip(name=name, shows=shows, tasks=tasks, track=make().track)
        for name, shows, tasks, make in makers
    ]
    # entered, left and re-entered slowly: two slow squats as well as a hold
    open_tasks: dict[str, frozenset[TaskName]] = {"syn hold": frozenset({"squat"})}
    holds = {"syn hold": {exercise.id}, "syn thomas": {"bed_edge_thomas_stretch"}}
    return [
        replace(
            c,
            open_tasks=open_tasks.get(c.name, frozenset()),
            holds=frozenset(holds.get(c.name, set())),
        )
        for c in clips
    ]


def video_clips() -> list[Clip]:
    """Return the real videos at hand (fetched into the test cache if needed)."""
    clips = []
    demo = demo_video()
    if isinstance(demo, str):
        print(f"sports2d demo video unavailable: {demo}", file=sys.stderr)
    else:
        clips.append(
            Clip(
                name="sports2d demo",
                shows="jumps on a roof, comes down, lands",
                tasks=frozenset({"landing"}),
                video=demo,
            )
        )
    folder = mc.pose2sim_demo()
    if isinstance(folder, str):
        print(f"Pose2Sim demo unavailable: {folder}", file=sys.stderr)
        return clips
    for name, video in zip(mc.CAMERA_NAMES, mc.video_paths(folder), strict=True):
        side = "front" if name in ("cam01", "cam02") else "back"
        clips.append(
            Clip(
                name=f"pose2sim {name}",
                shows=f"walk + sideways leg swing ({side})",
                tasks=frozenset(),
                video=video,
            )
        )
    return clips


# --- running the tasks ----------------------------------------------------------------------------


def _seen(message: str, width: int = 90) -> str:
    """Return the short form of a refusal: its "seen …" clause, else its start."""
    found = re.search(r"seen (.+?)\.(?: [A-Z]|$)", message)
    text = found.group(1) if found else message
    return text if len(text) <= width else text[: width - 1] + "…"


def _answer(run: Callable[[], Sequence[str]]) -> tuple[Outcome, str]:
    """Return the outcome and note of one task run (``run`` returns the warning codes)."""
    try:
        codes = run()
    except NotTheTaskError as refused:
        return "refused", _seen(str(refused))
    except InputError as error:
        return "refused*", _seen(str(error))
    gate = sorted(set(codes) & GATE_WARNINGS)
    return ("warned", ", ".join(gate)) if gate else ("accepted", "")


def track_codes(track: KeypointTrack, task: TaskName, exercise: Exercise | None) -> list[str]:
    """Run a task on a track as ``analyze`` does after tracking; return its warning codes."""
    from hiplab.motion.analyze import kinematics_found
    from hiplab.motion.tasks import TaskInput, TaskOptions, get_task

    spec = get_task(task)
    series, camera, warnings, _ = kinematics_found(track, spec)
    inp = TaskInput(
        series=series, view=camera.view, near_side=camera.near_side, warnings=warnings, raw=track
    )
    result = spec.measure(inp, TaskOptions(exercise=exercise if spec.needs_exercise else None))
    return [w.code for w in result.warnings]


def video_codes(video: Path, task: TaskName) -> list[str]:
    """Run ``hiplab analyze``'s entry point on a video; return the result's warning codes."""
    from hiplab.motion.analyze import AnalyzeRequest, analyze

    exercise = HOLD_EXERCISE if task == "hold" else None
    analysis = analyze(AnalyzeRequest(source=video, task=task, exercise=exercise))
    return [w.code for w in analysis.result.warnings]


def run_clip(clip: Clip, exercise: Exercise) -> list[Row]:
    """Return the rows of one clip, every task."""
    out = []
    for task in TASKS:
        if clip.video is not None:
            video = clip.video
            outcome, note = _answer(lambda: video_codes(video, task))  # noqa: B023
        else:
            assert clip.track is not None
            track = clip.track
            outcome, note = _answer(lambda: track_codes(track, task, exercise))  # noqa: B023
        out.append(Row(clip, task, outcome, note))
    return out


def clip_track(clip: Clip) -> KeypointTrack:
    """Return a clip's track (a video tracked as ``hiplab analyze`` tracks it; Pose2Sim cached)."""
    if clip.track is not None:
        return clip.track
    assert clip.video is not None
    if clip.name.startswith("pose2sim"):
        return mc.camera_track(clip.video)  # extract_track with the default model, cached
    from hiplab.motion.pose_extraction import extract_track

    return extract_track(clip.video)


def held_exercises(track: KeypointTrack, exercises: Sequence[Exercise]) -> list[str]:
    """Return the ids of the exercises whose hold the track is accepted as."""
    from hiplab.motion.analyze import kinematics_found
    from hiplab.motion.tasks import TaskInput, get_task
    from hiplab.motion.tasks.hold import analyze_hold

    try:
        series, camera, warnings, _ = kinematics_found(track, get_task("hold"))
    except InputError:
        return []
    inp = TaskInput(
        series=series, view=camera.view, near_side=camera.near_side, warnings=warnings, raw=track
    )
    held = []
    for exercise in exercises:
        try:
            analyze_hold(inp, exercise=exercise)
        except InputError:
            continue
        held.append(exercise.id)
    return held


# --- printing -------------------------------------------------------------------------------------


def print_rows(rows: Sequence[Row]) -> None:
    print(
        "Task gates per clip (TP true positive, TR true rejection, FA false accept, "
        "FR false refusal, — truth open; refused* = refused before the gate)"
    )
    head = f"{'clip':18} {'truly shows':36} {'task':8} {'answer':9} {'':3}"
    print(f"{head} note (refusal: what was seen; warning codes)")
    last = ""
    for r in rows:
        name, shows = (r.clip.name, r.clip.shows) if r.clip.name != last else ("", "")
        last = r.clip.name
        print(f"{name:18} {shows:36} {r.task:8} {r.outcome:9} {r.verdict:3} {r.note}")


def print_summary(rows: Sequence[Row]) -> None:
    print("\nSummary (warned counts as accepted)")
    print(f"{'task':8} {'TP':>4} {'TR':>4} {'FA':>4} {'FR':>4} {'open':>5}")
    for task in (*TASKS, None):
        picked = [r for r in rows if task is None or r.task == task]
        counts = {v: sum(r.verdict == v for r in picked) for v in ("TP", "TR", "FA", "FR", "—")}
        print(
            f"{task or 'all':8} {counts['TP']:>4d} {counts['TR']:>4d} {counts['FA']:>4d} "
            f"{counts['FR']:>4d} {counts['—']:>5d}"
        )
    wrong = [r for r in rows if r.verdict in ("FA", "FR")]
    for r in wrong:
        print(f"  {r.verdict}: {r.clip.name} ({r.clip.shows}) as {r.task}: {r.outcome} {r.note}")
    if not wrong:
        print("  no false accept or false refusal")


def print_holds(held: Sequence[tuple[Clip, list[str]]], total: int) -> None:
    print(f"\nHold scan: library exercises (of {total}) whose hold each clip is accepted as")
    print(f"{'clip':18} {'n':>3}  the clip's own exercise (✓ accepted, ✗ refused); others accepted")
    for clip, ids in held:
        own = " ".join(f"{e} {'✓' if e in ids else '✗'}" for e in sorted(clip.holds)) or "—"
        others = ", ".join(e for e in ids if e not in clip.holds) or "none"
        print(f"{clip.name:18} {len(ids):>3d}  {own}; {others}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--no-video", action="store_true", help="the synthetic captures only")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    exercises = default_library().exercises
    exercise = exercises[HOLD_EXERCISE]
    clips = ([] if args.no_video else video_clips()) + synthetic_clips(exercise)
    rows = [row for clip in clips for row in run_clip(clip, exercise)]
    print_rows(rows)
    print_summary(rows)
    checkable = [e for e in exercises.values() if side_view_problem(e) is None]
    held = [(clip, held_exercises(clip_track(clip), checkable)) for clip in clips]
    print_holds(held, len(checkable))


if __name__ == "__main__":
    main()
