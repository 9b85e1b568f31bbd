"""Video analysis jobs: queue an upload's analysis, run it, clean up after it.

1. :func:`enqueue_analysis` queues a ``video_analysis`` job with the upload's id
   (both or neither: a failed enqueue removes the upload);
2. :func:`run_analysis` is the job: :func:`hiplab.motion.analyze.analyze` with its
   output folder ``upload_dir/<uuid>/out``, progress reported from the frames and the
   stages, and the result made public (:func:`publish`: the display name instead of
   server paths, also in ``metrics.json``);
3. once the job's end is stored, :func:`clean_after_job` deletes the source video
   (sensitive health data) unless ``keep_uploads``, and :func:`remove_stale_uploads`
   at start-up deletes what a stop left behind.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiplab.errors import InputError
from hiplab.services.videos.uploads import (
    CONTAINERS,
    UPLOAD_ID,
    StoredUpload,
    VideoOptions,
    clean_filename,
    parse_options,
    remove_source,
    remove_upload,
)

if TYPE_CHECKING:
    from hiplab.motion.analyze import Analysis
    from hiplab.store import Store, StoredJob

JOB_KIND = "video_analysis"
STAGE_PROGRESS = {"track": 0.8, "kinematics": 0.85, "task": 0.9, "outputs": 0.99}
"""Job progress when each stage of the analysis ends (frames fill 0.02–0.8)."""
FRAMES_START, FRAMES_END = 0.02, 0.8


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
        return store.jobs.enqueue(
            kind=JOB_KIND,
            payload=job_input.payload(size=upload.size, container=upload.container),
            owner_id=owner_id,
            person_id=person_id,
        )
    except BaseException:
        remove_upload(upload_dir=upload_dir, upload_id=upload.upload_id)
        raise


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
        str(job.payload.get("upload_id")): job.state
        for job in store.jobs.all()
        if job.kind == JOB_KIND
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
    from hiplab.motion.output_files import write_text

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
