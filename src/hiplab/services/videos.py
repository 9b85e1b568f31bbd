"""Video analysis use-cases shared by the web app and any other edge: upload → job → result.

A video moves through four steps, each a keyword-only function here:

1. :func:`parse_options` checks the task, exercise and frame rate the user chose
   (messages name the form field, the value and what is allowed);
2. :func:`store_upload` streams the uploaded bytes to
   ``upload_dir/<uuid>/video.<ext>`` in chunks, refusing them once they pass the size
   limit (:class:`UploadTooLarge`) or when their first bytes are no accepted video
   container (:class:`UnsupportedVideo`) — the client's file name never reaches the
   filesystem, it is kept only to be shown; :func:`enqueue_analysis` then queues a
   ``video_analysis`` job with the upload's id (both or neither: a failed enqueue
   removes the upload);
3. :func:`run_analysis` is the job: :func:`hiplab.motion.analyze.analyze` with its
   output folder ``upload_dir/<uuid>/out``, progress reported from the frames and the
   stages, and the result made public (:func:`publish`: the display name instead of
   server paths, also in ``metrics.json``); once the job's end is stored,
   :func:`clean_after_job` deletes the source video (sensitive health data) unless
   ``keep_uploads``, and :func:`remove_stale_uploads` at start-up deletes what a stop
   left behind;
4. :func:`video_result` reads a finished job back (the analysis, its key metrics with
   their uncertainty, warnings, files), :func:`output_file` maps a name from the fixed
   :data:`OUTPUT_FILES` allow-list to its file, and :func:`use_measurements` stores the
   measured tests as an assessment of the job's person (provenance ``video``) once: its
   id is kept in the job's result and later calls return that assessment.

Nothing here speaks HTTP; the web layer maps :class:`UploadTooLarge` to 413,
:class:`UnsupportedVideo` to 415 and other :class:`~hiplab.errors.InputError` to 422.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from hiplab.errors import InputError, NotFoundError, StoreError
from hiplab.motion.tasks.names import TASK_NAMES

if TYPE_CHECKING:
    from hiplab.motion.analyze import Analysis, SavedAnalysis
    from hiplab.motion.tasks.common import TaskWarning
    from hiplab.motion.tasks.names import TaskName
    from hiplab.motion.verdicts import Verdict
    from hiplab.settings import Settings
    from hiplab.store import Store, StoredJob

JOB_KIND = "video_analysis"
CONTAINERS: dict[str, str] = {
    "MP4/QuickTime": "mp4",
    "QuickTime": "mov",
    "Matroska/WebM": "mkv",
    "AVI": "avi",
}
"""Accepted container families (:func:`hiplab.motion.video.container_kind`) → stored extension."""
ALLOWED_WORDS = "MP4, MOV (QuickTime), WebM, MKV (Matroska) or AVI"
NOT_VIDEO_BRANDS = frozenset(
    {b"heic", b"heix", b"mif1", b"msf1", b"avif", b"M4A ", b"M4B ", b"M4P "}
)
"""ISO media brands of still images and audio: an ``ftyp`` box, but no video to analyse."""
OUTPUT_FILES: dict[str, str] = {
    "annotated.mp4": "video/mp4",
    "plot.png": "image/png",
    "angles.csv": "text/csv; charset=utf-8",
    "keypoints.csv": "text/csv; charset=utf-8",
    "angles.mot": "text/plain; charset=utf-8",
    "metrics.json": "application/json",
}
"""The only files of an analysis that can be fetched, by name, and their media types."""
CHUNK = 1 << 20
"""Bytes copied at a time (1 MiB): an upload is never held in memory as a whole."""
MIN_FPS, MAX_FPS = 1.0, 1000.0
MAX_NAME = 200
"""Longest display name kept for an uploaded file (characters)."""
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
STAGE_PROGRESS = {"track": 0.8, "kinematics": 0.85, "task": 0.9, "outputs": 0.99}
"""Job progress when each stage of the analysis ends (frames fill 0.02–0.8)."""
FRAMES_START, FRAMES_END = 0.02, 0.8


class UploadTooLarge(InputError):
    """The upload is larger than ``max_upload_mb`` (HTTP 413)."""

    http_status: ClassVar[int] = 413


class UnsupportedVideo(InputError):
    """The upload's content is no accepted video container, whatever its name (HTTP 415)."""

    http_status: ClassVar[int] = 415


@dataclass(frozen=True)
class VideoOptions:
    """How a video is analysed: the task, the exercise of a ``hold``, the frame rate."""

    task: TaskName
    exercise: str | None = None
    fps: float | None = None


@dataclass(frozen=True)
class StoredUpload:
    """An upload kept on disk: its generated id and file name, size, container, display name."""

    upload_id: str
    video: str
    size: int
    container: str
    filename: str


@dataclass(frozen=True)
class VideoJobInput:
    """The payload of a ``video_analysis`` job, checked (it names files on disk)."""

    upload_id: str
    video: str
    filename: str
    options: VideoOptions

    @classmethod
    def of(cls, payload: Mapping[str, Any]) -> VideoJobInput:
        """Read a job payload; InputError if it does not name an upload properly."""
        upload_id, video = payload.get("upload_id"), payload.get("video")
        allowed_videos = {f"video.{ext}" for ext in CONTAINERS.values()}
        if not isinstance(upload_id, str) or not UPLOAD_ID.match(upload_id):
            raise InputError("the job's upload id is malformed; upload the video again")
        if video not in allowed_videos:
            raise InputError("the job's video name is malformed; upload the video again")
        options = parse_options(
            task=str(payload.get("task", "")),
            exercise=payload.get("exercise"),
            fps=payload.get("fps"),
        )
        filename = clean_filename(str(payload.get("filename") or ""))
        return cls(upload_id=upload_id, video=str(video), filename=filename, options=options)

    def payload(self, *, size: int, container: str) -> dict[str, Any]:
        """Return the plain-JSON payload stored with the job."""
        return {
            "upload_id": self.upload_id,
            "video": self.video,
            "filename": self.filename,
            "size": size,
            "container": container,
            "task": self.options.task,
            "exercise": self.options.exercise,
            "fps": self.options.fps,
        }


# --- 1. options ---------------------------------------------------------------------------------


def parse_options(
    *, task: str, exercise: str | None = None, fps: str | float | None = None
) -> VideoOptions:
    """Check the options of an analysis as a form or an API call gives them.

    Blank ``exercise`` and ``fps`` mean none (the video's own frame rate).

    Raises
    ------
    InputError
        Naming the field, the value and what is allowed.

    Examples
    --------
    >>> parse_options(task="landing", fps="120")
    VideoOptions(task='landing', exercise=None, fps=120.0)

    """
    name = next((n for n in TASK_NAMES if n == task.strip()), None)
    if name is None:
        raise InputError(field="task", value=task.strip(), allowed=TASK_NAMES)
    chosen = (exercise or "").strip() or None
    if name == "hold":
        _check_exercise(chosen)
    elif chosen is not None:
        raise InputError(
            f"is used only with task hold, not with task {name}",
            field="exercise",
            value=chosen,
            allowed="empty",
        )
    return VideoOptions(task=name, exercise=chosen, fps=_fps(fps))


def _check_exercise(chosen: str | None) -> None:
    """Raise InputError unless ``chosen`` names a library exercise (the pose a hold keeps)."""
    from hiplab.motion.analyze import find_exercise

    allowed = "the id of a library exercise whose pose is held (e.g. pigeon_stretch)"
    if chosen is None:
        raise InputError("is needed by the hold task", field="exercise", allowed=allowed)
    try:
        find_exercise(chosen)
    except InputError as exc:
        # The library's own words say why (close ids, or a hold no side view can check).
        raise InputError(f"cannot be used: {exc}", field="exercise", value=chosen) from None


def _fps(value: str | float | None) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    allowed = f"{MIN_FPS:g} to {MAX_FPS:g} frames per second, or empty for the video's own"
    try:
        fps = float(value)
    except (TypeError, ValueError):
        raise InputError("is not a number", field="fps", value=value, allowed=allowed) from None
    if not MIN_FPS <= fps <= MAX_FPS:  # also refuses nan
        raise InputError(field="fps", value=value, allowed=allowed)
    return fps


def clean_filename(name: str) -> str:
    r"""Return a client's file name fit to show: no folders, no control characters, not too long.

    It is only ever shown (escaped); files are stored under generated names.

    >>> clean_filename("C:\\clips\\squat\x00.mp4")
    'squat.mp4'
    """
    base = re.split(r"[/\\]", name)[-1]
    shown = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return shown[:MAX_NAME] or "video"


# --- 2. upload ----------------------------------------------------------------------------------


def store_upload(
    *, stream: BinaryIO, filename: str | None, upload_dir: Path, max_bytes: int
) -> StoredUpload:
    """Copy an upload to ``upload_dir/<uuid>/video.<ext>`` in chunks; refuse it part-way if too big.

    Parameters
    ----------
    stream : binary file
        The uploaded bytes, read in :data:`CHUNK` pieces.
    filename : str or None
        The client's name of the file: shown, never used as a path.
    upload_dir : Path
        Folder of uploads (``Settings.resolved_upload_dir``), never served directly.
    max_bytes : int
        The largest file accepted.

    Raises
    ------
    UploadTooLarge
        As soon as more than ``max_bytes`` arrive (nothing is left on disk).
    UnsupportedVideo
        If the first bytes announce no accepted container (nothing is left on disk).
    InputError
        If the file is empty.
    StoreError
        If the upload folder cannot be written.

    """
    shown = clean_filename(filename or "")
    upload_id = uuid.uuid4().hex
    folder = upload_dir / upload_id
    try:
        upload_dir.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700)
    except OSError as exc:
        raise StoreError(f"cannot keep the upload in {upload_dir}: {exc.strerror}") from None
    try:
        part = folder / "upload.part"
        size = _copy(stream, part, max_bytes=max_bytes, shown=shown)
        container = sniff_container(part, shown=shown)
        video = f"video.{CONTAINERS[container]}"
        part.rename(folder / video)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise StoreError(f"cannot keep the upload in {upload_dir}: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return StoredUpload(
        upload_id=upload_id, video=video, size=size, container=container, filename=shown
    )


def too_large(max_bytes: int) -> UploadTooLarge:
    """Return the refusal of an upload over the limit (also used before any byte is read)."""
    return UploadTooLarge(
        f"is larger than the {max_bytes / 2**20:g} MB allowed (max_upload_mb)",
        field="video",
        hint="cut or compress the clip and upload it again",
    )


def _copy(stream: BinaryIO, target: Path, *, max_bytes: int, shown: str) -> int:
    size = 0
    with target.open("wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise too_large(max_bytes)
            out.write(chunk)
    if size == 0:
        raise InputError(
            "is empty (0 bytes)", field="video", value=shown, hint="choose a video file"
        )
    return size


def sniff_container(path: Path, *, shown: str) -> str:
    """Return the accepted container family of a file from its first bytes (never its name).

    Raises
    ------
    UnsupportedVideo
        Naming what the content looks like and what is allowed.

    """
    from hiplab.motion.video import container_kind

    kind = container_kind(path)
    with path.open("rb") as handle:
        head = handle.read(12)
    if kind == "AVI" and head[8:12] != b"AVI ":
        kind = None  # RIFF holds WAV audio and WebP images too
    if kind == "MP4/QuickTime" and head[8:12] in NOT_VIDEO_BRANDS:
        kind = None
    if kind not in CONTAINERS:
        found = f"it is {kind}" if kind else "its content is no video container"
        raise UnsupportedVideo(
            f"is no accepted video: {found}",
            field="video",
            value=shown,
            allowed=f"{ALLOWED_WORDS} (recognised from the content, not the file name)",
        )
    return kind


def enqueue_analysis(
    *,
    store: Store,
    upload: StoredUpload,
    options: VideoOptions,
    person_id: int,
    owner_id: int | None,
    upload_dir: Path,
) -> StoredJob:
    """Queue the analysis of a stored upload for a person; remove the upload if that fails."""
    job_input = VideoJobInput(
        upload_id=upload.upload_id, video=upload.video, filename=upload.filename, options=options
    )
    try:
        return store.enqueue_job(
            kind=JOB_KIND,
            payload=job_input.payload(size=upload.size, container=upload.container),
            owner_id=owner_id,
            person_id=person_id,
        )
    except BaseException:
        remove_upload(upload_dir=upload_dir, upload_id=upload.upload_id)
        raise


def remove_upload(*, upload_dir: Path, upload_id: str) -> None:
    """Delete an upload's folder (the video and its outputs)."""
    if UPLOAD_ID.match(upload_id):
        shutil.rmtree(upload_dir / upload_id, ignore_errors=True)


def remove_source(*, upload_dir: Path, upload_id: str) -> None:
    """Delete an upload's video (and any part of it), keeping the analysis outputs (``out/``)."""
    if not UPLOAD_ID.match(upload_id):
        return
    folder = upload_dir / upload_id
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # outputs remain, or the folder is gone
        folder.rmdir()  # only when nothing is left


def clean_after_job(
    *, payload: Mapping[str, Any], state: str, upload_dir: Path, keep_uploads: bool
) -> None:
    """Delete what an ended ``video_analysis`` job no longer needs (unless ``keep_uploads``).

    A ``done`` job keeps its outputs (the files its page serves) and loses its source
    video; a ``failed`` job serves nothing, so its whole folder goes. Queued and running
    jobs are left alone.
    """
    upload_id = payload.get("upload_id")
    if keep_uploads or not isinstance(upload_id, str):
        return
    if state == "done":
        remove_source(upload_dir=upload_dir, upload_id=upload_id)
    elif state == "failed":
        remove_upload(upload_dir=upload_dir, upload_id=upload_id)


STALE_UPLOAD_S = 6 * 3600.0
"""Age (since its last write) from which an upload folder without a job is left over.

Another server on the same store may be receiving an upload right now (its job is
queued only once the file is complete), so a folder without a job is deleted only
when nothing in it has been written for longer than any upload takes: 6 hours, where
the largest upload over a slow 1 Mbit/s line takes under an hour."""


def remove_stale_uploads(
    *, store: Store, upload_dir: Path, keep_uploads: bool, now: float | None = None
) -> int:
    """At server start, delete what a stop left behind in ``upload_dir``.

    The folder of a job that no longer exists, or never did, goes whole once it is
    older than :data:`STALE_UPLOAD_S` (``now``: the clock, seconds since the epoch;
    default the time of the call); an ended job's folder is cleaned as
    :func:`clean_after_job` would have done. Queued and running jobs' folders are
    left alone, whichever server runs them.

    Returns
    -------
    int
        How many upload folders were cleaned or removed.

    """
    if not upload_dir.is_dir():
        return 0
    states = {
        str(job.payload.get("upload_id")): job.state for job in store.jobs() if job.kind == JOB_KIND
    }
    cleaned = 0
    for folder in upload_dir.iterdir():
        if not folder.is_dir() or not UPLOAD_ID.match(folder.name):
            continue
        state = states.get(folder.name)
        if state is None:
            if not _left_over(folder, time.time() if now is None else now):
                continue
            remove_upload(upload_dir=upload_dir, upload_id=folder.name)
        elif state in ("done", "failed") and not keep_uploads and _has_source(folder, state):
            clean_after_job(
                payload={"upload_id": folder.name},
                state=state,
                upload_dir=upload_dir,
                keep_uploads=False,
            )
        else:
            continue
        cleaned += 1
    return cleaned


def _left_over(folder: Path, now: float) -> bool:
    """Whether nothing in ``folder`` or under it was written for :data:`STALE_UPLOAD_S`."""
    try:
        newest = max(p.stat().st_mtime for p in (folder, *folder.rglob("*")))
    except OSError:  # a file went away meanwhile: somebody is working on it
        return False
    return now - newest > STALE_UPLOAD_S


def _has_source(folder: Path, state: str) -> bool:
    """Whether an ended job's folder still holds something :func:`clean_after_job` deletes."""
    return state == "failed" or any(p.is_file() for p in folder.iterdir())


# --- 3. the job ---------------------------------------------------------------------------------


class _Meter:
    """Turn frames and stages into one rising job fraction; skip steps below 1 %."""

    def __init__(self, report: Callable[[float], None]) -> None:
        self._report = report
        self._last = 0.0

    def _to(self, fraction: float) -> None:
        if fraction >= self._last + 0.01:
            self._last = fraction
            self._report(fraction)

    def frames(self, done: int, total: int) -> None:
        if total > 0:
            self._to(FRAMES_START + (FRAMES_END - FRAMES_START) * min(done / total, 1.0))

    def stage(self, name: str) -> None:
        self._to(STAGE_PROGRESS.get(name, self._last))


def run_analysis(
    *, payload: Mapping[str, Any], upload_dir: Path, progress: Callable[[float], None]
) -> dict[str, Any]:
    """Run a ``video_analysis`` job: analyse the upload, write the files, return the result.

    A re-run (after a restart) starts from an empty output folder.

    Raises
    ------
    InputError
        A malformed video, nobody in view, a landing below 30 fps…: the message names
        the upload by its display name, never by its path on the server, and the
        upload is removed (it cannot be analysed).

    """
    from hiplab.motion.analyze import AnalyzeRequest, analyze

    job = VideoJobInput.of(payload)
    folder = upload_dir / job.upload_id
    source, outdir = folder / job.video, folder / "out"
    if not source.is_file():
        raise InputError(f"video {job.filename!r} is no longer stored; upload it again")
    shutil.rmtree(outdir, ignore_errors=True)
    meter = _Meter(progress)
    request = AnalyzeRequest(
        source=source,
        task=job.options.task,
        exercise=job.options.exercise,
        fps=job.options.fps,
        outdir=outdir,
    )
    try:
        analysis = analyze(request, on_stage=meter.stage, progress=meter.frames)
    except InputError as exc:
        # This video cannot be analysed, now or later: keep nothing of it.
        remove_upload(upload_dir=upload_dir, upload_id=job.upload_id)
        raise without_paths(exc, source=source, folder=folder, filename=job.filename) from None
    return publish(analysis, filename=job.filename, outdir=outdir)


def without_paths(error: InputError, *, source: Path, folder: Path, filename: str) -> InputError:
    """Return ``error`` (its field kept) with the upload's server paths replaced by words.

    The user sees the upload by its display name: a path on the server is none of
    their business (and tells the upload folder's layout).
    """

    def scrub(text: str) -> str:
        return text.replace(str(source), repr(filename)).replace(str(folder), "the upload's folder")

    value = error.value
    if isinstance(value, Path | str):
        value = filename if str(value) == str(source) else scrub(str(value))
    hint = None if error.hint is None else scrub(error.hint)
    return InputError(
        scrub(error.problem), field=error.field, value=value, allowed=error.allowed, hint=hint
    )


def publish(analysis: Analysis, *, filename: str, outdir: Path) -> dict[str, Any]:
    """Return the job result of an analysis, with no server path in it (nor in metrics.json).

    ``source`` becomes the display name and ``files`` the bare file names.
    """
    from hiplab.motion.outputs import write_text

    public = analysis.model_copy(
        update={
            "source": filename,
            "files": {k: None if v is None else Path(v).name for k, v in analysis.files.items()},
        }
    )
    if analysis.files.get("metrics_json"):
        text = json.dumps(public.document(), indent=2, ensure_ascii=False) + "\n"
        write_text(outdir / "metrics.json", text)
    # JSON text first: pydantic writes nan/inf as null, which the store's plain JSON needs.
    return {"analysis": json.loads(public.model_dump_json())}


# --- 4. results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricRow:
    """One key number of a task: name, value, standard uncertainty (same unit) and verdict.

    ``path`` is the number's dotted place among the document's uncertainties and
    verdicts (``reps.2.peak_knee_flexion_deg``), None for a count or a yes/no.
    """

    name: str
    value: Any
    uncertainty: float | None
    path: str | None = None
    verdict: Verdict | None = None


@dataclass(frozen=True)
class VideoResult:
    """A finished analysis as the results page and the API show it."""

    analysis: Analysis
    document: dict[str, Any]
    metrics: tuple[MetricRow, ...]
    warnings: tuple[TaskWarning, ...]
    files: tuple[str, ...]
    skipped_files: dict[str, str]
    refusal: str | None

    @property
    def can_use_measurements(self) -> bool:
        """Whether the measured tests can be stored as an assessment."""
        return self.refusal is None


def load_analysis(data: Mapping[str, Any]) -> Analysis:
    """Rebuild an :class:`~hiplab.motion.analyze.Analysis` from its stored JSON."""
    from pydantic import ValidationError

    from hiplab.motion.analyze import Analysis
    from hiplab.motion.tasks.registry import TASKS

    try:
        result = TASKS[str(data["task"])].result_type.model_validate(data["result"])
        return Analysis.model_validate({**data, "result": result})
    except (KeyError, TypeError, ValidationError) as exc:
        raise InputError(
            f"the stored analysis cannot be read ({exc}); analyse the video again"
        ) from None


def uncertainties(document: Mapping[str, Any]) -> dict[str, float]:
    """Return every standard uncertainty of a result document by its dotted path.

    A repetition's own map gives ``reps.0.peak_knee_flexion_deg``; the top-level
    map's keys are paths already (``right.thigh_angle_deg``).

    >>> uncertainties({"uncertainty": {"a_deg": 2.0}, "reps": [{"uncertainty": {"b_s": 0.1}}]})
    {'a_deg': 2.0, 'reps.0.b_s': 0.1}
    """
    found: dict[str, float] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, Mapping):
            own = node.get("uncertainty")
            if isinstance(own, Mapping):
                found.update(
                    {f"{prefix}{k}": float(v) for k, v in own.items() if isinstance(v, int | float)}
                )
            for key, child in node.items():
                if key != "uncertainty":
                    walk(child, f"{prefix}{key}.")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{prefix}{i}.")

    walk(document, "")
    return found


def _deepest_rep(document: Mapping[str, Any]) -> int | None:
    knees = [r.get("peak_knee_flexion_deg") for r in document.get("reps") or ()]
    measured = [(k, i) for i, k in enumerate(knees) if isinstance(k, int | float)]
    return max(measured)[1] if measured else None


def metric_path(task: str, name: str, document: Mapping[str, Any]) -> str:
    """Return where a key metric's uncertainty and verdict are kept (see :func:`uncertainties`).

    >>> metric_path("thomas", "left_thigh_angle_deg", {})
    'left.thigh_angle_deg'
    >>> metric_path("hold", "left_time_in_pose_s", {})
    'time_in_pose_s.left'
    """
    side, _, rest = name.partition("_")
    sided = side in ("left", "right")
    if task == "squat" and name == "max_knee_flexion_deg":
        deepest = _deepest_rep(document)
        return name if deepest is None else f"reps.{deepest}.peak_knee_flexion_deg"
    if task == "thomas" and sided:
        return f"{side}.{rest}"
    if task == "hold" and sided:
        return f"{rest}.{side}"
    if task == "angles":
        return name.removesuffix("_range_deg")
    return name


def refusal_of(analysis: Analysis) -> str | None:
    """Return why nothing can be stored as an assessment, in plain words; None if it can."""
    from hiplab.motion.tasks.registry import TASKS, get_task

    spec = get_task(analysis.task)
    if not spec.measured_tests:
        stored = "; ".join(f"{s.title}: {s.stored_words}" for s in TASKS.values() if s.stored_words)
        return (
            f"{spec.title} measures no assessment test, so there is nothing to add to an "
            f"assessment (what the others store: {stored})"
        )
    if not analysis.measured:
        notes = "; ".join(analysis.measured_tests_left_out)
        return "nothing in this analysis is reliable enough to store" + (
            f" ({notes})" if notes else ""
        )
    return None


def _metric_rows(analysis: Analysis, document: dict[str, Any]) -> tuple[MetricRow, ...]:
    from hiplab.motion.tasks.registry import get_task

    sds = uncertainties(document)
    rows = []
    for name, value in get_task(analysis.task).key_metrics(document).items():
        path = metric_path(analysis.task, name, document)
        rows.append(
            MetricRow(
                name=name,
                value=value,
                uncertainty=sds.get(path),
                path=path if path in sds else None,
                verdict=analysis.verdicts.get(path),
            )
        )
    return tuple(rows)


def video_result(job: StoredJob) -> VideoResult:
    """Return a finished video job's analysis, key metrics, warnings and files.

    Raises
    ------
    InputError
        If the job is not a finished video analysis.

    """
    if job.kind != JOB_KIND:
        raise InputError(f"job {job.id} is a {job.kind} job, not a video analysis")
    if job.state != "done" or job.result is None:
        raise InputError(f"job {job.id} is {job.state}; its results come once it is done")
    analysis = load_analysis(job.result.get("analysis") or {})
    document = analysis.document()
    files = tuple(name for name in analysis.files.values() if name in OUTPUT_FILES)
    return VideoResult(
        analysis=analysis,
        document=document,
        metrics=_metric_rows(analysis, document),
        warnings=analysis.result.warnings,
        files=files,
        skipped_files=dict(analysis.skipped_files),
        refusal=refusal_of(analysis),
    )


def output_file(*, job: StoredJob, name: str, upload_dir: Path) -> Path:
    """Return the path of one output file of a finished video job.

    Only names in :data:`OUTPUT_FILES` are looked up, and the folder comes from the
    stored job, so no part of a request reaches the filesystem.

    Raises
    ------
    NotFoundError
        If the name is not allowed, the job is not a finished video analysis or the
        file was not written.

    """
    if name not in OUTPUT_FILES or job.kind != JOB_KIND or job.state != "done":
        raise NotFoundError(f"no file {name!r} for job {job.id}")
    upload_id = job.payload.get("upload_id")
    if not isinstance(upload_id, str) or not UPLOAD_ID.match(upload_id):
        raise NotFoundError(f"no file {name!r} for job {job.id}")
    path = upload_dir / upload_id / "out" / name
    if not path.is_file():
        raise NotFoundError(f"no file {name!r} for job {job.id}")
    return path


USED_KEY = "assessment"
"""Where a job's result records the assessment its measurements were stored as."""


@dataclass(frozen=True)
class UsedMeasurements:
    """The assessment a job's measurements are stored as; ``new`` if this call stored it."""

    saved: SavedAnalysis
    new: bool


def stored_use(job: StoredJob) -> SavedAnalysis | None:
    """Return the assessment a job's measurements were already stored as, if any."""
    from hiplab.motion.analyze import SavedAnalysis

    record = (job.result or {}).get(USED_KEY)
    return SavedAnalysis.model_validate(record) if isinstance(record, dict) else None


def use_measurements(*, store: Store, settings: Settings, job: StoredJob) -> UsedMeasurements:
    """Store a finished analysis's measured tests as an assessment of the job's person, once.

    Age and sex come from the person's stored record; provenance is ``video`` and the
    analysis document is kept as a report. The assessment, its report and its id on
    the job are one transaction that locks the job
    (:meth:`~hiplab.store.jobs.JobMethods.use_job_once`): a second call, even a
    concurrent one, stores nothing and returns the first call's assessment.

    Raises
    ------
    InputError
        If the job is not a finished video analysis, or it measured nothing reliable.

    """
    result = video_result(job)
    if result.refusal is not None:
        raise InputError(result.refusal)
    if job.person_id is None:
        raise InputError(f"job {job.id} is not about a person")
    earlier = stored_use(job)
    if earlier is not None:
        return UsedMeasurements(saved=earlier, new=False)
    save = _assessment_saver(store=store, settings=settings, job=job, analysis=result.analysis)
    used = store.use_job_once(job_id=job.id, key=USED_KEY, use=save)
    from hiplab.motion.analyze import SavedAnalysis

    return UsedMeasurements(saved=SavedAnalysis.model_validate(used.record), new=used.new)


def _assessment_saver(
    *, store: Store, settings: Settings, job: StoredJob, analysis: Analysis
) -> Callable[[], dict[str, Any]]:
    """Assess the measured tests now; return the store writes, run under the job's lock.

    Only the reliable values are stored, each with its uncertainty and verdict.
    """
    from hiplab.motion.analyze import REPORT_FORMAT, SavedAnalysis
    from hiplab.records.intake import AssessmentInput, Person, Tests, VideoMeasurement
    from hiplab.services.assessments import assess_input

    assert job.person_id is not None  # checked by use_measurements
    person = store.get_person(person_id=job.person_id)
    data = AssessmentInput(
        person=Person(age=person.age, sex=person.sex),
        tests=Tests.model_validate(analysis.measured_tests),
        provenance="video",
        date=datetime.date.today().isoformat(),
        video_measurements=tuple(
            VideoMeasurement.model_validate(m.model_dump(mode="json")) for m in analysis.measured
        ),
    )
    outcome = assess_input(data=data, settings=settings, save=False, person=person.name)
    document = json.dumps(analysis.document(), ensure_ascii=False)

    def save() -> dict[str, Any]:
        assessment_id = store.save_assessment(
            person_id=person.id,
            data=data,
            result=outcome.result,
            reports=[(REPORT_FORMAT, document)],
        )
        saved = SavedAnalysis(
            person=person.name,
            assessment_id=assessment_id,
            report_id=store.reports(assessment_id=assessment_id)[-1].id,
            findings=tuple(f.id for f in outcome.result.findings),
            chains=tuple(c.id for c in outcome.result.chains),
        )
        return saved.model_dump(mode="json")

    return save
