"""Analyse one input end to end: source → track → kinematics → task metrics → files.

This is the use-case behind ``hiplab analyze`` (and the batch runner built on
it): plain arguments in (:class:`AnalyzeRequest`, picklable), a typed result
out (:class:`Analysis`). Stages, each a function of the previous one's output:

1. :func:`hiplab.motion.pose_extraction.extract_track` (video or OpenPose JSON);
2. :func:`hiplab.motion.kinematics.track_to_series` in the view the task
   needs (quality warnings; a ``refuse`` warning — a landing below 30 fps —
   stops with :class:`~hiplab.errors.InputError`);
3. the task (:data:`hiplab.motion.tasks.TASKS`);
4. the files (:func:`hiplab.motion.outputs.write_outputs`), when an output
   folder is given — among them ``keypoints.npz``, from which
   :func:`hiplab.motion.rerun.analyse_from_keypoints` runs stages 2–4 again.

Storing the measured tests (``--save``, "use these measurements") is a use
case above this domain module (:mod:`hiplab.services.videos`); it stores
:attr:`Analysis.measured` and reports what it stored as
:class:`~hiplab.services.videos.results.SavedAnalysis`.

Bad input (missing file, not a video, no frames, corrupt stream, nobody in
view, malformed OpenPose JSON, no frame rate for JSON, bad person box,
unknown exercise) raises :class:`~hiplab.errors.InputError`, structured where it
is about one option (its ``field``: ``task``, ``exercise``, ``fps``, ``model``)
so that each edge names the option in its own words. A stream that
breaks off mid-file is refused as a whole: its frames would be a partial
result presented as the video. ``partial`` in the result marks measurements
that the input cuts short (a repetition or landing at the edge of the video).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, SerializeAsAny

from hiplab.errors import InputError
from hiplab.motion.measured_tests import MeasuredTest, measured_tests
from hiplab.motion.pose_models import DEFAULT_POSE_MODEL, PoseModelName
from hiplab.motion.tasks.common import Model, TaskResult, TaskWarning
from hiplab.motion.tasks.names import TaskName
from hiplab.motion.tasks.registry import MEASURING_TASKS, TASKS
from hiplab.motion.verdicts import RETEST_ADVICE, STORE_ADVICE, Verdict

if TYPE_CHECKING:
    from hiplab.library.models import Exercise
    from hiplab.motion.keypoints import KeypointTrack
    from hiplab.motion.keypoints_file import KeypointOrigin
    from hiplab.motion.kinematics import Kinematics
    from hiplab.motion.series import TimeSeries
    from hiplab.motion.tasks import TaskSpec

MEASURED_TESTS: dict[str, str] = {
    name: spec.measured_words for name, spec in TASKS.items() if spec.measured_words
}
"""Which assessment inputs each measuring task stores (read from the task registry)."""
LABELS: dict[str, tuple[str, ...]] = {
    "sagittal": ("hip_flexion", "knee_flexion", "ankle_dorsiflexion"),
    "frontal": ("knee_fppa",),
}


@dataclass(frozen=True)
class AnalyzeRequest:
    """What to analyse, and how (plain values: safe to pickle for a worker process).

    ``model`` is the pose model: ``"lite"``, ``"full"`` (the default) or
    ``"heavy"`` for MediaPipe's legacy model of that size, or the
    :class:`~pathlib.Path` of a MediaPipe ``.task`` bundle.
    """

    source: Path
    task: TaskName
    exercise: str | None = None
    fps: float | None = None
    model: PoseModelName | Path = DEFAULT_POSE_MODEL
    person_box: tuple[float, float, float, float] | None = None
    outdir: Path | None = None
    workers: int = 2


class Camera(Model):
    """How the subject was filmed, as detected.

    ``yaw_deg`` is the camera's direction seen from the subject (0 in front, +90
    at the subject's right side, ±180 behind) and ``pitch_deg`` how far it looks
    down, each with its standard uncertainty (:mod:`hiplab.motion.camera`);
    ``frames_by_view`` counts the frames of each view (front, side, back, oblique).
    """

    view: Literal["sagittal", "frontal"]
    detected_view: Literal["sagittal", "frontal"] | None
    facing: Literal["left", "right"] | None = None
    near_side: Literal["left", "right"] | None = None
    width_ratio: float | None = None
    yaw_deg: float | None = None
    yaw_sd_deg: float | None = None
    pitch_deg: float | None = None
    pitch_sd_deg: float | None = None
    geometry_from: Literal["3-D pose", "2-D keypoints"] | None = None
    frames_by_view: dict[str, int] = Field(default_factory=dict)


class Analysis(Model):
    """One analysed input: what it was, how it was filmed, the task's metrics, the files.

    ``verdict`` is the whole analysis's reliability, ``verdicts`` each angle's and
    time's (by dotted path in the document), ``advice`` what to do next in plain
    words; ``measured`` the reliable assessment tests (with uncertainty and
    verdict) that "use these measurements" stores as ``measured_tests``.
    """

    source: str
    input_kind: Literal["video", "openpose_json"]
    task: TaskName
    exercise: str | None = None
    fps: float
    frames: int
    duration_s: float
    width: int
    height: int
    frames_lost: int
    camera: Camera
    result: SerializeAsAny[TaskResult]
    verdict: Verdict = Verdict(level="reliable")
    verdicts: dict[str, Verdict] = Field(default_factory=dict)
    advice: tuple[str, ...] = ()
    measured: tuple[MeasuredTest, ...] = ()
    measured_tests: dict[str, Any] | None = None
    measured_tests_left_out: tuple[str, ...] = ()
    files: dict[str, str | None] = Field(default_factory=dict)
    skipped_files: dict[str, str] = Field(default_factory=dict)
    rerun_from: str | None = None
    """The output folder whose saved keypoints this analysis re-ran (None: from the input)."""

    @property
    def partial(self) -> bool:
        """Return True when some measurement is cut short by the input."""
        return self.result.partial

    def document(self) -> dict[str, Any]:
        """Return the JSON document: input facts, then the task's keys at the top level."""
        result = self.result.model_dump(mode="json")
        head = self.model_dump(mode="json", exclude={"result", "files", "skipped_files"})
        head.pop("task")
        if head["rerun_from"] is None:  # only a re-run says so
            head.pop("rerun_from")
        return {
            "source": head.pop("source"),
            "task": self.task,
            **head,
            **{k: v for k, v in result.items() if k != "task"},
            "files": self.files,
            "skipped_files": self.skipped_files,
        }


def check_task(task: str, exercise: str | None) -> TaskSpec:
    """Return the task by name, checking its exercise (needed by a hold, refused otherwise)."""
    from hiplab.motion.tasks import get_task

    spec = get_task(task)
    if spec.needs_exercise:
        find_exercise(exercise)
    elif exercise is not None:
        raise InputError(
            f"is used only with task hold, not with task {spec.name}",
            field="exercise",
            value=exercise,
        )
    return spec


def check_save(spec: TaskSpec) -> None:
    """Refuse to store a task that measures no assessment tests (nothing to store)."""
    if spec.name not in MEASURING_TASKS:
        raise InputError(
            "measures no assessment tests, so it has nothing to store",
            field="task",
            value=spec.name,
            allowed=MEASURING_TASKS,
        )


def check_request(request: AnalyzeRequest, *, save: bool = False) -> TaskSpec:
    """Validate a request's options before any work; return the task."""
    spec = check_task(request.task, request.exercise)
    if request.fps is not None and not (np.isfinite(request.fps) and request.fps > 0):
        raise InputError(
            field="fps", value=request.fps, allowed="a positive number of frames per second"
        )
    if save:
        check_save(spec)
    if isinstance(request.model, Path):
        if not request.model.is_file():
            raise InputError(
                "is no such file (a MediaPipe .task model)", field="model", value=str(request.model)
            )
    else:
        from hiplab.motion.pose import check_pose_model

        check_pose_model(request.model)  # installed, with its pinned checksum
    return spec


def find_exercise(exercise_id: str | None) -> Exercise:
    """Return the library exercise of a hold by id.

    InputError naming close ids for an unknown one, and saying why for one whose
    hold a side-on camera cannot check
    (:func:`~hiplab.motion.tasks.hold.side_view_problem`).
    """
    from hiplab.library.loader import default_library, unknown_id_message
    from hiplab.motion.tasks.hold import require_side_view

    if exercise_id is None:
        raise InputError(
            "is needed by task hold: the id of a library exercise",
            field="exercise",
            hint="see `hiplab library` for the ids",
        )
    exercises = default_library().exercises
    if exercise_id not in exercises:
        raise InputError(unknown_id_message("exercise", exercise_id, list(exercises)))
    require_side_view(exercises[exercise_id])
    return exercises[exercise_id]


def _track(
    request: AnalyzeRequest, progress: Callable[[int, int], None] | None = None
) -> KeypointTrack:
    from hiplab.motion.pose_extraction import extract_track
    from hiplab.motion.video import TruncatedVideoError

    if not request.source.exists():
        raise InputError(f"input not found: {request.source}")
    try:
        track = extract_track(
            request.source,
            model=request.model,
            fps=request.fps,
            person_box=request.person_box,
            workers=request.workers,
            progress=progress,
        )
    except TruncatedVideoError as exc:
        raise InputError(f"{exc} — refused rather than analysed as if complete") from exc
    if track.frames == 0:
        raise InputError(f"{request.source}: no frames to analyse")
    return track


def _warnings(found: list[Any]) -> tuple[TaskWarning, ...]:
    return tuple(
        TaskWarning(code=w.code, severity=w.severity, message=w.message, value=w.value)
        for w in found
    )


def _camera(spec: TaskSpec, found: Kinematics) -> Camera:
    """Return the camera facts of a kinematics result."""
    estimate, geometry = found.estimate, found.camera
    counts: dict[str, int] = {}
    for name in geometry.views() if geometry is not None else ():
        counts[name] = counts.get(name, 0) + 1
    return Camera(
        view=found.view,
        detected_view=estimate.view if estimate else None,
        facing=estimate.facing if estimate else None,
        near_side=estimate.near_side if estimate and found.view == "sagittal" else None,
        width_ratio=round(estimate.width_ratio, 3) if estimate else None,
        yaw_deg=estimate.yaw_deg if estimate else None,
        yaw_sd_deg=estimate.yaw_sd_deg if estimate else None,
        pitch_deg=estimate.pitch_deg if estimate else None,
        pitch_sd_deg=estimate.pitch_sd_deg if estimate else None,
        geometry_from=None
        if geometry is None
        else ("3-D pose" if geometry.source == "world" else "2-D keypoints"),
        frames_by_view=counts,
    )


def kinematics(
    track: KeypointTrack, spec: TaskSpec
) -> tuple[TimeSeries, Camera, tuple[TaskWarning, ...]]:
    """Run the kinematics in the task's view; refuse on a ``refuse`` warning."""
    series, camera, warnings, _ = kinematics_found(track, spec)
    return series, camera, warnings


def kinematics_found(
    track: KeypointTrack, spec: TaskSpec
) -> tuple[TimeSeries, Camera, tuple[TaskWarning, ...], Kinematics]:
    """Like :func:`kinematics`, also returning the whole kinematics result (camera per frame)."""
    from hiplab.motion.kinematics import run_kinematics

    found = run_kinematics(track, view=spec.view, landing=spec.landing)
    refused = [w for w in found.warnings if w.severity == "refuse"]
    if refused:
        raise InputError("; ".join(w.message for w in refused))
    warnings = _warnings(list(found.warnings))
    lost = int(track.lost.sum())
    if lost:
        message = (
            f"the subject was not found in {lost} of {track.frames} frames (not measured there)"
        )
        warnings += (TaskWarning(code="frames_lost", severity="info", message=message),)
    return found.series, _camera(spec, found), warnings, found


def event_frames(result: TaskResult, fps: float) -> list[tuple[str, int]]:
    """Return the task's events as ``(label, frame)`` for the plot and the video."""
    data = result.model_dump()
    events: list[tuple[str, int]] = []
    for i, rep in enumerate(data.get("reps") or (), start=1):
        events += [(f"rep {i} start", rep["start_frame"]), (f"rep {i} bottom", rep["bottom_frame"])]
        events.append((f"rep {i} end", rep["end_frame"]))
    for key, label in (
        ("initial_contact_frame", "initial contact"),
        ("peak_knee_flexion_frame", "peak knee flexion"),
    ):
        if data.get(key) is not None:
            events.append((label, int(data[key])))
    for side, hold in (data.get("sides") or {}).items():
        for start, end in hold["intervals"]:
            events += [
                (f"{side} in pose", round(start * fps)),
                (f"{side} out", round(end * fps) - 1),
            ]
    return sorted(events, key=lambda e: e[1])


def judged(
    result: TaskResult, camera: Camera
) -> tuple[dict[str, Verdict], Verdict, tuple[str, ...]]:
    """Return a result's verdict per metric, its overall verdict and what to do next."""
    from hiplab.motion import verdicts as v

    document = result.model_dump(mode="json")
    flat = camera.geometry_from == "2-D keypoints"
    verdicts = v.metric_verdicts(document, fallback=v.FLAT_REASON if flat else "")
    warnings = document.get("warnings") or []
    overall = v.analysis_verdict(verdicts, warnings)
    advice = v.advice(warnings)
    if overall.level != "reliable" and flat:
        advice.append(v.FLAT_ADVICE)
    return verdicts, overall, tuple(advice)


StageHook = Callable[[str], None]
"""Called with a stage's name when it ends: ``track``, ``kinematics``, ``task``, ``outputs``."""


def analyze(
    request: AnalyzeRequest,
    *,
    on_stage: StageHook | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Analysis:
    """Analyse one input (see the module docstring); write the files if ``outdir`` is set.

    ``on_stage`` is told when each stage ends (for progress and timing); ``progress``
    gets ``(frames_done, frames_total)`` while the track is extracted (the longest stage).
    """
    from hiplab.motion.keypoints_file import KeypointOrigin

    done = on_stage or (lambda _stage: None)
    spec = check_request(request)
    exercise = find_exercise(request.exercise) if spec.needs_exercise else None
    track = _track(request, progress)
    done("track")
    origin = KeypointOrigin(
        input_path=str(request.source),
        input_kind="openpose_json" if request.source.is_dir() else "video",
        model=str(request.model),
    )
    return analyse_track(
        track, spec=spec, exercise=exercise, origin=origin, outdir=request.outdir, on_stage=done
    )


def analyse_track(
    track: KeypointTrack,
    *,
    spec: TaskSpec,
    exercise: Exercise | None,
    origin: KeypointOrigin,
    outdir: Path | None = None,
    rerun_from: Path | None = None,
    on_stage: StageHook | None = None,
) -> Analysis:
    """Run the stages after tracking: kinematics, the task, the verdicts and the files.

    ``origin`` says where the track came from (the input, its kind, the pose
    model); the annotated video is drawn over the input video when it is still
    there. ``rerun_from`` marks a re-run from a saved track
    (:func:`hiplab.motion.rerun.analyse_from_keypoints`).
    """
    from hiplab.motion.tasks import TaskInput, TaskOptions

    done = on_stage or (lambda _stage: None)
    series, camera, warnings, found = kinematics_found(track, spec)
    done("kinematics")
    task_input = TaskInput(
        series=series, view=camera.view, near_side=camera.near_side, warnings=warnings, raw=track
    )
    result = spec.measure(task_input, TaskOptions(exercise=exercise))
    verdicts, overall, advice = judged(result, camera)
    tests, kept, left_out = measured_tests(result, verdicts, overall)
    advice = advice or (STORE_ADVICE if kept else RETEST_ADVICE,)
    analysis = Analysis(
        source=origin.input_path,
        input_kind=origin.input_kind,
        task=spec.name,
        exercise=None if exercise is None else exercise.id,
        fps=round(float(track.fps), 3),
        frames=track.frames,
        duration_s=round(track.frames / track.fps, 3),
        width=track.width,
        height=track.height,
        frames_lost=int(track.lost.sum()),
        camera=camera,
        result=result,
        verdict=overall,
        verdicts=verdicts,
        advice=advice,
        measured=tuple(kept),
        measured_tests=None if tests is None else tests.model_dump(mode="json", exclude_none=True),
        measured_tests_left_out=tuple(left_out),
        rerun_from=None if rerun_from is None else str(rerun_from),
    )
    done("task")
    if outdir is not None:
        analysis = _write(analysis, outdir, found, track, origin)
        done("outputs")
    return analysis


def _video_of(origin: KeypointOrigin) -> tuple[Path | None, str]:
    """Return the input video to draw on (None if there is none) and why there is none."""
    if origin.input_kind != "video":
        return None, "the input has no video (OpenPose JSON keypoints only)"
    video = Path(origin.input_path)
    if not video.is_file():
        return None, f"the video {video} is no longer there to draw on"
    return video, ""


def _write(
    analysis: Analysis,
    outdir: Path,
    found: Kinematics,
    track: KeypointTrack,
    origin: KeypointOrigin,
) -> Analysis:
    from hiplab.motion.outputs import OutputRequest, write_outputs

    names = LABELS[analysis.camera.view]
    sides = ("left", "right") if analysis.camera.near_side is None else (analysis.camera.near_side,)
    labels = [f"{s}_{n}" for n in names for s in sides]
    video, no_video = _video_of(origin)

    def document(files: dict[str, str | None], skipped: dict[str, str]) -> dict[str, object]:
        return analysis.model_copy(update={"files": files, "skipped_files": skipped}).document()

    files, skipped = write_outputs(
        outdir,
        OutputRequest(
            series=found.series,
            track=track,
            document=document,
            events=event_frames(analysis.result, analysis.fps),
            video=video,
            labels=labels,
            camera=found.camera,
            origin=origin,
            video_skipped=no_video,
        ),
    )
    return analysis.model_copy(update={"files": files, "skipped_files": skipped})
