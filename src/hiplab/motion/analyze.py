"""Analyse one input end to end: source → track → kinematics → task metrics → files → store.

This is the use-case behind ``hiplab analyze`` (and the batch runner built on
it): plain arguments in (:class:`AnalyzeRequest`, picklable), a typed result
out (:class:`Analysis`). Stages, each a function of the previous one's output:

1. :func:`hiplab.motion.pipeline.extract_track` (video or OpenPose JSON);
2. :func:`hiplab.motion.kinematics.track_to_series` in the view the task
   needs (quality warnings; a ``refuse`` warning — a landing below 30 fps —
   stops with :class:`~hiplab.errors.InputError`);
3. the task (:data:`hiplab.motion.tasks.TASKS`);
4. the files (:func:`hiplab.motion.outputs.write_outputs`), when an output
   folder is given;
5. :func:`save_analysis` stores the measured tests as an assessment with
   provenance ``"video"`` (and the analysis document as a report).

Bad input (missing file, not a video, no frames, corrupt stream, nobody in
view, malformed OpenPose JSON, ``--fps`` missing for JSON, bad person box,
unknown exercise) raises :class:`~hiplab.errors.InputError`. A stream that
breaks off mid-file is refused as a whole: its frames would be a partial
result presented as the video. ``partial`` in the result marks measurements
that the input cuts short (a repetition or landing at the edge of the video).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, SerializeAsAny

from hiplab.errors import InputError
from hiplab.motion.tasks.common import Model, TaskResult, TaskWarning

if TYPE_CHECKING:
    from hiplab.assess.schema import Person, Tests
    from hiplab.library.models import Exercise
    from hiplab.motion.keypoints import KeypointTrack
    from hiplab.motion.series import TimeSeries
    from hiplab.motion.tasks import TaskSpec
    from hiplab.settings import Settings

TaskName = Literal["squat", "landing", "thomas", "hold", "angles"]
MEASURED_TESTS: dict[str, str] = {
    "squat": (
        "deep_squat_fms, only when the filmed criteria cap it below 3 (the best score they "
        "allow; a video never confirms a 3)"
    ),
    "landing": "landing_peak_knee_flexion_deg (peak knee flexion of the measured leg)",
    "thomas": "thomas.{side}.thigh_angle_deg and knee_flexion_deg",
}
REPORT_FORMAT = "motion-json"
LABELS: dict[str, tuple[str, ...]] = {
    "sagittal": ("hip_flexion", "knee_flexion", "ankle_dorsiflexion"),
    "frontal": ("knee_fppa",),
}


@dataclass(frozen=True)
class AnalyzeRequest:
    """What to analyse, and how (plain values: safe to pickle for a worker process)."""

    source: Path
    task: TaskName
    exercise: str | None = None
    fps: float | None = None
    model: Path | None = None
    person_box: tuple[float, float, float, float] | None = None
    outdir: Path | None = None
    workers: int = 2


class Camera(Model):
    """How the subject was filmed, as detected."""

    view: Literal["sagittal", "frontal"]
    detected_view: Literal["sagittal", "frontal"] | None
    facing: Literal["left", "right"] | None = None
    near_side: Literal["left", "right"] | None = None
    width_ratio: float | None = None


class Analysis(Model):
    """One analysed input: what it was, how it was filmed, the task's metrics, the files."""

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
    measured_tests: dict[str, Any] | None = None
    measured_tests_left_out: tuple[str, ...] = ()
    files: dict[str, str | None] = Field(default_factory=dict)
    skipped_files: dict[str, str] = Field(default_factory=dict)

    @property
    def partial(self) -> bool:
        """Return True when some measurement is cut short by the input."""
        return self.result.partial

    def document(self) -> dict[str, Any]:
        """Return the JSON document: input facts, then the task's keys at the top level."""
        result = self.result.model_dump(mode="json")
        head = self.model_dump(mode="json", exclude={"result", "files", "skipped_files"})
        head.pop("task")
        return {
            "source": head.pop("source"),
            "task": self.task,
            **head,
            **{k: v for k, v in result.items() if k != "task"},
            "files": self.files,
            "skipped_files": self.skipped_files,
        }


def check_request(request: AnalyzeRequest, *, save: bool = False) -> TaskSpec:
    """Validate a request's options before any work; return the task."""
    from hiplab.motion.tasks import get_task

    spec = get_task(request.task)
    if spec.needs_exercise:
        find_exercise(request.exercise)
    elif request.exercise is not None:
        raise InputError(f"--exercise is used only with --task hold, not with --task {spec.name}")
    if request.fps is not None and not (np.isfinite(request.fps) and request.fps > 0):
        raise InputError(f"--fps must be a positive number of frames per second; got {request.fps}")
    if save and spec.name not in MEASURED_TESTS:
        allowed = "; ".join(f"{k}: {v}" for k, v in MEASURED_TESTS.items())
        raise InputError(
            f"--save stores measured assessment tests, and --task {spec.name} measures none "
            f"(tasks that do: {allowed})"
        )
    if request.model is not None and not request.model.is_file():
        raise InputError(f"--model {request.model}: no such file (a MediaPipe .task model)")
    return spec


def find_exercise(exercise_id: str | None) -> Exercise:
    """Return a library exercise by id; InputError naming close ids otherwise."""
    from hiplab.library.loader import unknown_id_message
    from hiplab.services import library

    if exercise_id is None:
        raise InputError("--task hold needs --exercise ID (see `hiplab library`)")
    exercises = library().exercises
    if exercise_id not in exercises:
        raise InputError(unknown_id_message("exercise", exercise_id, list(exercises)))
    return exercises[exercise_id]


def _track(
    request: AnalyzeRequest, progress: Callable[[int, int], None] | None = None
) -> KeypointTrack:
    from hiplab.motion.pipeline import extract_track
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
    return tuple(TaskWarning(code=w.code, severity=w.severity, message=w.message) for w in found)


def kinematics(
    track: KeypointTrack, spec: TaskSpec
) -> tuple[TimeSeries, Camera, tuple[TaskWarning, ...]]:
    """Run the kinematics in the task's view; refuse on a ``refuse`` warning."""
    from hiplab.motion.kinematics import track_to_series
    from hiplab.motion.view import detect_view

    series, found = track_to_series(track, view=spec.view, landing=spec.landing)
    refused = [w for w in found if w.severity == "refuse"]
    if refused:
        raise InputError("; ".join(w.message for w in refused))
    try:
        estimate = detect_view(track)
    except InputError:
        estimate = None
    view = spec.view or (estimate.view if estimate else "sagittal")
    camera = Camera(
        view=view,
        detected_view=estimate.view if estimate else None,
        facing=estimate.facing if estimate else None,
        near_side=estimate.near_side if estimate and view == "sagittal" else None,
        width_ratio=round(estimate.width_ratio, 3) if estimate else None,
    )
    warnings = _warnings(found)
    lost = int(track.lost.sum())
    if lost:
        message = (
            f"the subject was not found in {lost} of {track.frames} frames (not measured there)"
        )
        warnings += (TaskWarning(code="frames_lost", severity="info", message=message),)
    return series, camera, warnings


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


def _in_schema(model: type[Any], field_name: str, value: float | None) -> bool:
    """Return True when ``value`` passes the assessment schema's bounds for the field."""
    from pydantic import ValidationError

    if value is None:
        return False
    try:
        model.model_validate({field_name: value})
    except ValidationError:
        return False
    return True


def measured_tests(result: TaskResult) -> tuple[Tests | None, list[str]]:
    """Return the assessment tests a task measured (provenance video) and what was left out.

    A value outside the range the assessment accepts is left out, with a note.
    """
    from hiplab.assess.schema import LandingKnee, Tests, ThomasSide

    data = result.model_dump()
    raw: dict[str, Any] = {}
    left_out: list[str] = []
    if result.task == "landing" and data.get("peak_knee_flexion_deg") is not None:
        side = data.get("measured_side") or "right"
        value = data["peak_knee_flexion_deg"]
        if _in_schema(LandingKnee, side, value):
            raw["landing_peak_knee_flexion_deg"] = {side: value}
        else:
            left_out.append(f"landing peak knee flexion {value}° is outside 0–160°")
    fms = (data.get("summary") or {}).get("fms_deep_squat") if result.task == "squat" else None
    if fms is not None and fms["best_possible_score"] < 3:
        raw["deep_squat_fms"] = fms["best_possible_score"]
    elif fms is not None:
        left_out.append(
            "FMS deep squat: every filmed criterion holds, but a video cannot confirm a 3"
        )
    if result.task == "thomas":
        legs: dict[str, dict[str, float]] = {}
        for side in ("left", "right"):
            leg = data.get(side)
            if leg is None:
                continue
            for key in ("thigh_angle_deg", "knee_flexion_deg"):
                if _in_schema(ThomasSide, key, leg[key]):
                    legs.setdefault(side, {})[key] = leg[key]
                elif leg[key] is not None:
                    left_out.append(f"Thomas {side} {key} {leg[key]} is outside its range")
        if legs:
            raw["thomas"] = legs
    return (Tests.model_validate(raw) if raw else None), left_out


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
    from hiplab.motion.tasks import TaskInput, TaskOptions

    done = on_stage or (lambda _stage: None)
    spec = check_request(request)
    exercise = find_exercise(request.exercise) if spec.needs_exercise else None
    track = _track(request, progress)
    done("track")
    series, camera, warnings = kinematics(track, spec)
    done("kinematics")
    task_input = TaskInput(
        series=series, view=camera.view, near_side=camera.near_side, warnings=warnings, raw=track
    )
    result = spec.measure(task_input, TaskOptions(exercise=exercise))
    tests, left_out = measured_tests(result)
    analysis = Analysis(
        source=str(request.source),
        input_kind="openpose_json" if request.source.is_dir() else "video",
        task=spec.name,
        exercise=request.exercise,
        fps=round(float(track.fps), 3),
        frames=track.frames,
        duration_s=round(track.frames / track.fps, 3),
        width=track.width,
        height=track.height,
        frames_lost=int(track.lost.sum()),
        camera=camera,
        result=result,
        measured_tests=None if tests is None else tests.model_dump(mode="json", exclude_none=True),
        measured_tests_left_out=tuple(left_out),
    )
    done("task")
    if request.outdir is not None:
        analysis = _write(analysis, request, series, track)
        done("outputs")
    return analysis


def _write(
    analysis: Analysis, request: AnalyzeRequest, series: TimeSeries, track: KeypointTrack
) -> Analysis:
    from hiplab.motion.outputs import OutputRequest, write_outputs

    assert request.outdir is not None
    names = LABELS[analysis.camera.view]
    sides = ("left", "right") if analysis.camera.near_side is None else (analysis.camera.near_side,)
    labels = [f"{s}_{n}" for n in names for s in sides]

    def document(files: dict[str, str | None], skipped: dict[str, str]) -> dict[str, object]:
        return analysis.model_copy(update={"files": files, "skipped_files": skipped}).document()

    files, skipped = write_outputs(
        request.outdir,
        OutputRequest(
            series=series,
            track=track,
            document=document,
            events=event_frames(analysis.result, analysis.fps),
            video=None if request.source.is_dir() else request.source,
            labels=labels,
        ),
    )
    return analysis.model_copy(update={"files": files, "skipped_files": skipped})


class SavedAnalysis(Model):
    """What ``--save`` stored."""

    person: str
    assessment_id: int
    report_id: int
    findings: tuple[str, ...]
    chains: tuple[str, ...]


def stored_person(*, person: str, settings: Settings) -> Person:
    """Return the age/sex record of PERSON's latest stored assessment (checked before work).

    The video cannot tell age and sex, which the assessment's norms need.
    """
    from hiplab.errors import NotFoundError
    from hiplab.services import open_store_for

    with open_store_for(settings) as store:
        try:
            return store.latest_assessment(person_name=person).data.person
        except NotFoundError as exc:
            raise InputError(
                f"--save {person!r}: no stored assessment of this person to take age and sex "
                f"from ({exc}); store one first with `hiplab assess FILE --save --person NAME`"
            ) from exc


def save_analysis(
    *, analysis: Analysis, person: str, settings: Settings, record: Person | None = None
) -> SavedAnalysis:
    """Store the measured tests as an assessment (provenance ``video``) and the document.

    ``record`` is the person's age/sex record (default: from their latest stored
    assessment, :func:`stored_person`).
    """
    from hiplab.assess.schema import AssessmentInput, Tests
    from hiplab.services import assess_input, open_store_for

    if analysis.measured_tests is None:
        raise InputError(f"--task {analysis.task} measured no assessment test; nothing to save")
    data = AssessmentInput(
        person=record or stored_person(person=person, settings=settings),
        tests=Tests.model_validate(analysis.measured_tests),
        provenance="video",
        date=dt.date.today().isoformat(),
    )
    document = json.dumps(analysis.document(), ensure_ascii=False)
    outcome = assess_input(
        data=data,
        settings=settings,
        save=True,
        person=person,
        reports=[(REPORT_FORMAT, document)],  # one transaction: both or neither
    )
    assert outcome.assessment_id is not None
    with open_store_for(settings) as store:
        report_id = store.reports(assessment_id=outcome.assessment_id)[-1].id
    return SavedAnalysis(
        person=outcome.person,
        assessment_id=outcome.assessment_id,
        report_id=report_id,
        findings=tuple(f.id for f in outcome.result.findings),
        chains=tuple(c.id for c in outcome.result.chains),
    )
