"""Video analysis in the web app: upload, the background job, its results page and files.

Pages (no JavaScript needed; ``static/upload.js`` adds an upload progress bar and opens the
chosen task's camera set-up guide, and ``static/job.js`` polls a running job):

* ``GET /people/{person_id}/videos`` — a person's analyses and, for their coach, the
  upload form (also on the person's page);
* ``POST /people/{person_id}/videos`` — the upload (multipart: ``video``, ``task``,
  ``exercise``, ``fps``); 303 to the job's page, or the form again with the message
  (413 too large, 415 not a video, 422 bad options);
* ``GET /jobs/{job_id}`` — state and progress while queued or running, then the
  annotated video, the plot, the key metrics with their uncertainty and verdict, the
  caveats, the advice and the downloads; a failed job shows its message;
* ``GET /jobs/{job_id}/files/{file}`` — one output file by a name of the fixed
  :data:`~hiplab.services.videos.results.OUTPUT_FILES` allow-list (HTTP Range supported, so the
  video can seek);
* ``GET /jobs/{job_id}/use-measurements`` — the confirmation step: exactly what would be
  stored (only the reliable values, each with its uncertainty and verdict), for whom, and a
  button that confirms;
* ``POST /jobs/{job_id}/use-measurements`` with ``confirm=yes`` — store them as the person's
  assessment (provenance ``video``) and go to the person's page; without ``confirm`` nothing
  is stored and the confirmation step is shown again.

The results page says what ``hiplab analyze`` prints, in plain words
(:mod:`hiplab.web.video_view`): the camera's angle to the body, the verdict of the analysis
and of each number, each number's ``± sd``, the caveats (never their codes) and what to do
next; the upload form shows the camera set-up guide of the chosen task.

The same under ``/api/v1`` (JSON): ``POST /people/{person_id}/videos`` (202 and the
job), ``GET /jobs/{job_id}``, ``GET /people/{person_id}/jobs``,
``GET /jobs/{job_id}/files/{file}``, ``POST /jobs/{job_id}/use-measurements``.

Upload size: the request body is counted as it arrives (:class:`UploadRoute`) and cut
off once it passes ``max_upload_mb`` (plus a little for the form fields:
:func:`hiplab.web.limits.upload_body_limit`), whoever
reads it — the CSRF check of a plain form post reads the form before the route does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message, Receive

from hiplab.errors import InputError
from hiplab.motion.tasks.registry import TASKS
from hiplab.records.refs import PersonRef
from hiplab.services.videos import jobs as video_jobs
from hiplab.services.videos import results, uploads
from hiplab.services.videos.results import OUTPUT_FILES, VideoResult
from hiplab.settings import Settings
from hiplab.store import Store, StoredJob
from hiplab.web import video_view
from hiplab.web.authz import PersonCoachViewer, PersonViewer, Viewer
from hiplab.web.deps import SettingsDep, StateDep, StoreDep, app_state
from hiplab.web.errors import error_response, form_message
from hiplab.web.jobs import JobContext, JobHandler
from hiplab.web.limits import upload_body_limit, upload_limit
from hiplab.web.pages import render, see_other
from hiplab.web.schemas import ApiModel

if TYPE_CHECKING:
    from hiplab.motion.verdicts import Verdict
    from hiplab.services.videos.results import SavedAnalysis

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"
FILE_LABELS = {
    "annotated.mp4": "Annotated video (MP4, VP9)",
    "plot.png": "Plot of the angles (PNG)",
    "angles.csv": "Joint angles per frame (CSV)",
    "keypoints.csv": "Keypoints per frame (CSV)",
    "angles.mot": "Joint angles for OpenSim (.mot)",
    "metrics.json": "Every measurement (JSON)",
}
DOWNLOADS = ("angles.csv", "keypoints.csv", "angles.mot", "metrics.json")
CONFIRM = "yes"
"""The value of the ``confirm`` field that stores the measurements."""


class BodyTooLarge(Exception):
    """A request body passed the upload limit while it was being read."""


def limited_receive(receive: Receive, *, declared: str | None, limit: int) -> Receive:
    """Wrap ``receive`` so that reading more than ``limit`` body bytes raises BodyTooLarge.

    A ``Content-Length`` above the limit is refused at the first read, before any byte.
    """
    received = 0
    too_big = declared is not None and declared.isdigit() and int(declared) > limit

    async def receive_limited() -> Message:
        nonlocal received
        if too_big:
            raise BodyTooLarge
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
        return message

    return receive_limited


class UploadRoute(APIRoute):
    """A route whose request body is counted while it streams and cut off at the limit.

    The answer is 413 with the limit in the message (JSON for the API, the error page
    otherwise); whatever was read is dropped (Starlette closes its spooled files).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Return FastAPI's handler, run on a request whose body is limited."""
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            settings = app_state(request).settings
            body = Request(
                request.scope,
                limited_receive(
                    request.receive,
                    declared=request.headers.get("content-length"),
                    limit=upload_body_limit(settings),
                ),
            )
            try:
                return await handler(body)
            except BodyTooLarge:
                refused = uploads.too_large(upload_limit(settings))
                return error_response(body, refused.http_status, form_message(refused))
            finally:
                # A form read only for its CSRF token (a refused post) is closed here too.
                await body.close()

        return limited


router = APIRouter(include_in_schema=False, route_class=UploadRoute)
api_router = APIRouter(prefix=API_PREFIX, route_class=UploadRoute, tags=["videos"])


# --- the job ------------------------------------------------------------------------------------


def video_analysis_job(context: JobContext) -> dict[str, Any]:
    """Run a ``video_analysis`` job (registered by ``create_app``).

    Once its end is stored, the source video is deleted (unless ``keep_uploads``).
    """
    upload_dir = context.settings.resolved_upload_dir()

    def clean(state: str) -> None:
        video_jobs.clean_after_job(
            payload=context.job.payload,
            state=state,
            upload_dir=upload_dir,
            keep_uploads=context.settings.keep_uploads,
        )

    context.when_ended(clean)
    return video_jobs.run_analysis(
        payload=context.job.payload, upload_dir=upload_dir, progress=context.progress
    )


def remove_stale_uploads(store: Store, settings: Settings) -> None:
    """At start-up, before any request: delete the uploads a stop left behind."""
    removed = video_jobs.remove_stale_uploads(
        store=store,
        upload_dir=settings.resolved_upload_dir(),
        keep_uploads=settings.keep_uploads,
    )
    if removed:
        log.info("removed or cleaned %d stale upload folder(s)", removed)


JOB_HANDLERS: dict[str, JobHandler] = {video_jobs.JOB_KIND: video_analysis_job}
"""The job kinds this module runs, for ``create_app``'s default handlers."""


# --- API bodies ---------------------------------------------------------------------------------


class VideoInputOut(ApiModel):
    """What was uploaded and how it is analysed (the file name is the client's, shown only)."""

    filename: str
    size: int | None
    task: str
    exercise: str | None
    fps: float | None


class VerdictOut(ApiModel):
    """How far a number can be trusted: ``reliable``, ``rough`` or ``not_measured``, and why."""

    level: Literal["reliable", "rough", "not_measured"]
    reason: str
    text: str


class MetricOut(ApiModel):
    """A key number of the task with its standard uncertainty (same unit) and verdict."""

    name: str
    value: float | int | bool | None
    uncertainty: float | None
    verdict: VerdictOut | None = None


class MeasuredOut(ApiModel):
    """A reliable test value that "use these measurements" stores, as it is stored."""

    test: str
    label: str
    value: float
    unit: str
    uncertainty: float | None
    verdict: VerdictOut


class WarningOut(ApiModel):
    """A named limit of the measurement."""

    code: str
    severity: str
    message: str


class VideoSummaryOut(ApiModel):
    """A finished analysis: input facts, verdict, key metrics, warnings, advice, what is stored.

    ``measured`` are the reliable values "use these measurements" stores (each with its
    uncertainty and verdict), ``measured_tests_left_out`` what was not offered and why.
    """

    task: str
    frames: int
    fps: float
    duration_s: float
    partial: bool
    verdict: VerdictOut
    metrics: list[MetricOut]
    warnings: list[WarningOut]
    advice: list[str]
    measured: list[MeasuredOut]
    measured_tests: dict[str, Any] | None
    measured_tests_left_out: list[str]
    can_use_measurements: bool
    use_measurements_refusal: str | None
    stored_assessment_id: int | None
    files: dict[str, str]
    skipped_files: dict[str, str]


class JobOut(ApiModel):
    """A background job as the API shows it (``video`` and ``result`` for video analyses)."""

    id: int
    kind: str
    state: Literal["queued", "running", "failed", "done"]
    progress: float
    error: str | None
    attempts: int
    person_id: int | None
    created_at: datetime
    updated_at: datetime
    page_url: str
    video: VideoInputOut | None
    result: VideoSummaryOut | None


class SavedOut(ApiModel):
    """What "use these measurements" stored: the assessment, its report, findings, chains."""

    assessment_id: int
    report_id: int
    person_id: int
    findings: list[str]
    chains: list[str]
    person_url: str


def _video_input(job: StoredJob) -> VideoInputOut | None:
    if job.kind != video_jobs.JOB_KIND:
        return None
    payload = job.payload
    size, fps = payload.get("size"), payload.get("fps")
    return VideoInputOut(
        filename=uploads.clean_filename(str(payload.get("filename") or "")),
        size=size if isinstance(size, int) else None,
        task=str(payload.get("task", "")),
        exercise=payload.get("exercise") if isinstance(payload.get("exercise"), str) else None,
        fps=float(fps) if isinstance(fps, int | float) else None,
    )


def _file_url(job_id: int, name: str) -> str:
    return f"/jobs/{job_id}/files/{name}"


def _summary(job: StoredJob, result: VideoResult) -> VideoSummaryOut:
    analysis = result.analysis
    return VideoSummaryOut(
        task=analysis.task,
        frames=analysis.frames,
        fps=analysis.fps,
        duration_s=analysis.duration_s,
        partial=analysis.partial,
        verdict=_verdict_out(analysis.verdict),
        metrics=[
            MetricOut(
                name=m.name,
                value=m.value,
                uncertainty=m.uncertainty,
                verdict=None if m.verdict is None else _verdict_out(m.verdict),
            )
            for m in result.metrics
        ],
        warnings=[
            WarningOut(code=w.code, severity=w.severity, message=w.message) for w in result.warnings
        ],
        advice=list(analysis.advice),
        measured=[MeasuredOut.model_validate(m.model_dump(mode="json")) for m in analysis.measured],
        measured_tests=analysis.measured_tests,
        measured_tests_left_out=list(analysis.measured_tests_left_out),
        can_use_measurements=result.can_use_measurements,
        use_measurements_refusal=result.refusal,
        stored_assessment_id=_stored_assessment_id(job),
        files={name: _file_url(job.id, name) for name in result.files},
        skipped_files=result.skipped_files,
    )


def _verdict_out(verdict: Verdict) -> VerdictOut:
    return VerdictOut(level=verdict.level, reason=verdict.reason, text=verdict.text)


def _stored_assessment_id(job: StoredJob) -> int | None:
    used = results.stored_use(job)
    return None if used is None else used.assessment_id


def _result_of(job: StoredJob) -> VideoResult | None:
    if job.kind != video_jobs.JOB_KIND or job.state != "done":
        return None
    return results.video_result(job)


def job_out(job: StoredJob) -> JobOut:
    """Return the API view of a job."""
    result = _result_of(job)
    return JobOut(
        id=job.id,
        kind=job.kind,
        state=job.state,
        progress=job.progress,
        error=job.error,
        attempts=job.attempts,
        person_id=job.person_id,
        created_at=job.created_at,
        updated_at=job.updated_at,
        page_url=f"/jobs/{job.id}",
        video=_video_input(job),
        result=None if result is None else _summary(job, result),
    )


# --- the upload ---------------------------------------------------------------------------------


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def form_values(form: FormData) -> dict[str, str]:
    """Return the text fields of an upload form, to show them again."""
    return {name: _text(form, name) for name in ("task", "exercise", "fps")}


async def accept_upload(
    request: Request, form: FormData, *, person_id: int, owner_id: int
) -> StoredJob:
    """Check the options, store the video and queue its analysis.

    Raises
    ------
    InputError
        Bad or missing fields, or an upload refused; its ``http_status`` says how
        (413 too large, 415 not an accepted video, 422 otherwise).

    """
    state = app_state(request)
    values = form_values(form)
    options = uploads.parse_options(
        task=values["task"], exercise=values["exercise"], fps=values["fps"]
    )
    upload = form.get("video")
    if not isinstance(upload, UploadFile) or (not upload.filename and not upload.size):
        raise InputError(
            "is needed: choose a video file to upload", field="video", allowed=uploads.ALLOWED_WORDS
        )
    upload_dir = state.settings.resolved_upload_dir()
    stored = await run_in_threadpool(
        uploads.store_upload,
        stream=upload.file,
        filename=upload.filename,
        upload_dir=upload_dir,
        max_bytes=upload_limit(state.settings),
    )
    return await run_in_threadpool(
        video_jobs.enqueue_analysis,
        store=state.store,
        upload=stored,
        options=options,
        person_id=person_id,
        owner_id=owner_id,
        upload_dir=upload_dir,
    )


# --- pages --------------------------------------------------------------------------------------


def _videos_page(
    request: Request,
    viewer: Viewer,
    store: Store,
    person_id: int,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    from hiplab.motion.tasks.hold import side_view_problem
    from hiplab.services.catalogue import library

    person = store.people.get(person=PersonRef.by_id(person_id))
    jobs = [j for j in store.jobs.all(person_id=person_id) if j.kind == video_jobs.JOB_KIND]
    exercises = sorted(
        (e.id, e.name) for e in library().exercises.values() if side_view_problem(e) is None
    )
    return render(
        request,
        "videos.html.j2",
        viewer=viewer,
        status=status,
        title=f"Video analyses of {person.name}",
        person=person,
        person_id=person.id,
        jobs=[(job, _video_input(job)) for job in jobs],
        video_form=values or {"task": "squat", "exercise": "", "fps": ""},
        setup_guides=video_view.guides(),
        exercises=exercises,
        task_titles={name: spec.title for name, spec in TASKS.items()},
        max_mb=app_state(request).settings.max_upload_mb,
        error=error,
    )


@router.get("/people/{person_id}/videos", name="person_videos")
def person_videos(
    request: Request, person_id: int, viewer: PersonViewer, store: StoreDep
) -> HTMLResponse:
    """List a person's video analyses; their coach also gets the upload form."""
    return _videos_page(request, viewer, store, person_id)


@router.post("/people/{person_id}/videos", name="video_upload", response_model=None)
async def video_upload(
    request: Request, person_id: int, viewer: PersonCoachViewer, state: StateDep
) -> Response:
    """Take an uploaded video and queue its analysis; show the form again if refused."""
    form = await request.form(max_files=1, max_fields=20)
    try:
        job = await accept_upload(request, form, person_id=person_id, owner_id=viewer.id)
    except InputError as refused:
        return await run_in_threadpool(
            _videos_page,
            request,
            viewer,
            state.store,
            person_id,
            values=form_values(form),
            error=form_message(refused),
            status=refused.http_status,
        )
    finally:
        await form.close()
    return see_other(f"/jobs/{job.id}")


def _exercise_name(exercise_id: str | None) -> str | None:
    """Return a library exercise's name (None for none, or an id no longer in the library)."""
    from hiplab.services.catalogue import library

    found = library().exercises.get(exercise_id) if exercise_id else None
    return found.name if found else None


def _job_page(
    request: Request,
    viewer: Viewer,
    store: Store,
    job: StoredJob,
    *,
    error: str | None = None,
    status: int = 200,
    already_stored: bool = False,
) -> HTMLResponse:
    result, video = _result_of(job), _video_input(job)
    person = (
        store.people.get(person=PersonRef.by_id(job.person_id))
        if job.person_id is not None
        else None
    )
    return render(
        request,
        "video_job.html.j2",
        viewer=viewer,
        status=status,
        title=f"Analysis {job.id}",
        job=job,
        person=person,
        video=video,
        task_words=video_view.task_title(video.task) if video else "",
        exercise_name=_exercise_name(video.exercise if video else None),
        result=result,
        **(video_view.results_context(result) if result else {}),
        downloads=[(n, FILE_LABELS[n]) for n in DOWNLOADS if result and n in result.files],
        file_labels=FILE_LABELS,
        error=error,
        used=results.stored_use(job) if result else None,
        already_stored=already_stored,
    )


@router.get("/jobs/{job_id}", name="job_page")
def job_page(
    request: Request, job_id: int, viewer: PersonViewer, store: StoreDep, already_stored: int = 0
) -> HTMLResponse:
    """Show a job: progress while it runs, then its results (or its error).

    ``already_stored=1`` adds the notice that a repeated "use these measurements"
    stored nothing new.
    """
    job = store.jobs.get(job_id=job_id)
    return _job_page(request, viewer, store, job, already_stored=bool(already_stored))


def _file_response(job: StoredJob, name: str, settings: Settings) -> FileResponse:
    path = results.output_file(job=job, name=name, upload_dir=settings.resolved_upload_dir())
    inline = name in ("annotated.mp4", "plot.png")
    return FileResponse(
        path,
        media_type=OUTPUT_FILES[name],
        filename=f"analysis-{job.id}-{name}",
        content_disposition_type="inline" if inline else "attachment",
        headers={"Cache-Control": "private, max-age=3600"},
    )


@router.get("/jobs/{job_id}/files/{file}", name="job_file")
def job_file(
    job_id: int, file: str, _viewer: PersonViewer, store: StoreDep, settings: SettingsDep
) -> FileResponse:
    """Return one output file of a finished analysis (Range requests answered with 206)."""
    return _file_response(store.jobs.get(job_id=job_id), file, settings)


def _confirm_page(
    request: Request,
    viewer: Viewer,
    store: Store,
    job: StoredJob,
    *,
    error: str | None = None,
    status: int = 200,
    refused: int = 422,
) -> Response:
    """Show exactly what "use these measurements" stores, and the button that confirms it.

    A job that nothing can be stored from shows its results page with the reason
    (status ``refused``); one already stored goes to its results page, which names the
    assessment.
    """
    try:
        result = results.video_result(job)
    except InputError as exc:
        return _job_page(request, viewer, store, job, error=form_message(exc), status=refused)
    if result.refusal is not None or job.person_id is None:
        refusal = result.refusal or f"job {job.id} is not about a person"
        return _job_page(request, viewer, store, job, error=refusal, status=refused)
    if results.stored_use(job) is not None:
        return see_other(f"/jobs/{job.id}")
    return render(
        request,
        "video_confirm.html.j2",
        viewer=viewer,
        status=status,
        title="Store these measurements?",
        job=job,
        video=_video_input(job),
        person=store.people.get(person=PersonRef.by_id(job.person_id)),
        today=date.today().isoformat(),
        rows=video_view.stored_rows(result.analysis.measured),
        left_out=list(result.analysis.measured_tests_left_out),
        task_title=video_view.task_title(result.analysis.task),
        confirm=CONFIRM,
        error=error,
    )


@router.get("/jobs/{job_id}/use-measurements", name="job_confirm_measurements", response_model=None)
def job_confirm_measurements(
    request: Request, job_id: int, viewer: PersonCoachViewer, store: StoreDep
) -> Response:
    """Show what would be stored as the person's assessment; storing needs the confirmation.

    A job that nothing can be stored from shows its results page saying why (200: the
    page answers the question).
    """
    return _confirm_page(request, viewer, store, store.jobs.get(job_id=job_id), refused=200)


@router.post("/jobs/{job_id}/use-measurements", name="job_use_measurements", response_model=None)
def job_use_measurements(
    request: Request,
    job_id: int,
    viewer: PersonCoachViewer,
    state: StateDep,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Store the reliable measurements as the person's assessment once confirmed; show the person.

    Without ``confirm=yes`` nothing is stored: the confirmation step is shown again. Once
    stored, another post (a second click, the back button) stores nothing and goes to the
    job's page, which names the assessment they are stored as.
    """
    job = state.store.jobs.get(job_id=job_id)
    if confirm != CONFIRM and results.stored_use(job) is None:
        message = "Nothing was stored yet: check the values below, then confirm."
        return _confirm_page(request, viewer, state.store, job, error=message, status=422)
    try:
        used = results.use_measurements(store=state.store, settings=state.settings, job=job)
    except InputError as exc:
        return _job_page(
            request, viewer, state.store, job, error=form_message(exc), status=exc.http_status
        )
    if not used.new:
        return see_other(f"/jobs/{job.id}?already_stored=1")
    return see_other(f"/people/{job.person_id}")


# --- API ----------------------------------------------------------------------------------------


@api_router.post(
    "/people/{person_id}/videos",
    status_code=202,
    response_model=JobOut,
    responses={413: {"description": "too large"}, 415: {"description": "not a video"}},
)
async def api_video_upload(request: Request, person_id: int, viewer: PersonCoachViewer) -> Response:
    """Upload a video (multipart: ``video``, ``task``, ``exercise``, ``fps``); queue its analysis.

    Answers 202 with the queued job (``Location``: its API URL); poll it until ``state``
    is ``done`` or ``failed``.
    """
    form = await request.form(max_files=1, max_fields=20)
    try:  # a refusal goes to the app's one error handler, with the status it carries
        job = await accept_upload(request, form, person_id=person_id, owner_id=viewer.id)
    finally:
        await form.close()
    body = job_out(job).model_dump(mode="json")
    return JSONResponse(body, status_code=202, headers={"Location": f"{API_PREFIX}/jobs/{job.id}"})


@api_router.get("/jobs/{job_id}")
def api_job(job_id: int, _viewer: PersonViewer, store: StoreDep) -> JobOut:
    """Return a job: state, progress (0–1), error, and for a finished analysis its summary."""
    return job_out(store.jobs.get(job_id=job_id))


@api_router.get("/people/{person_id}/jobs")
def api_person_jobs(person_id: int, _viewer: PersonViewer, store: StoreDep) -> list[JobOut]:
    """List a person's jobs, newest first."""
    return [job_out(job) for job in store.jobs.all(person_id=person_id)]


@api_router.get("/jobs/{job_id}/files/{file}", response_class=FileResponse)
def api_job_file(
    job_id: int, file: str, _viewer: PersonViewer, store: StoreDep, settings: SettingsDep
) -> FileResponse:
    """Return an output file of a finished analysis by name (Range requests supported).

    Names: ``annotated.mp4``, ``plot.png``, ``angles.csv``, ``keypoints.csv``,
    ``angles.mot``, ``metrics.json``.
    """
    return _file_response(store.jobs.get(job_id=job_id), file, settings)


@api_router.post(
    "/jobs/{job_id}/use-measurements",
    status_code=201,
    responses={200: {"model": SavedOut, "description": "stored before: the same assessment"}},
)
def api_use_measurements(
    job_id: int, _viewer: PersonCoachViewer, state: StateDep, response: Response
) -> SavedOut:
    """Store the measured tests as an assessment of the job's person (provenance ``video``).

    201 with the new assessment the first time; 200 with that same assessment on every
    later call, which stores nothing. 422 with the reason when the task measures no
    assessment test or the job is not done.
    """
    job = state.store.jobs.get(job_id=job_id)
    used = results.use_measurements(store=state.store, settings=state.settings, job=job)
    if not used.new:
        response.status_code = 200
    return _saved_out(used.saved, person_id=job.person_id)


def _saved_out(saved: SavedAnalysis, *, person_id: int | None) -> SavedOut:
    assert person_id is not None  # use_measurements refuses a job without a person
    return SavedOut(
        assessment_id=saved.assessment_id,
        report_id=saved.report_id,
        person_id=person_id,
        findings=list(saved.findings),
        chains=list(saved.chains),
        person_url=f"/people/{person_id}",
    )
