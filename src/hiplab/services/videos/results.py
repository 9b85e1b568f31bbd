"""Video analysis results: a finished job read back, its files, and its measurements stored.

:func:`video_result` reads a finished job back (the analysis, its key metrics with
their uncertainty, warnings, files), :func:`output_file` maps a name from the fixed
:data:`OUTPUT_FILES` allow-list to its file, and :func:`use_measurements` stores the
measured tests as an assessment of the job's person (provenance ``video``) once: its
id is kept in the job's result and later calls return that assessment.

Storing the measured tests of an analysis is one path, :func:`measurement_saver`,
for the web's "use these measurements" and the CLI's ``hiplab analyze --save``
(:func:`save_measurements`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiplab.errors import InputError, NotFoundError
from hiplab.motion.tasks.common import Model
from hiplab.records.refs import PersonRef
from hiplab.services.videos.jobs import JOB_KIND
from hiplab.services.videos.uploads import UPLOAD_ID

if TYPE_CHECKING:
    from hiplab.motion.analyze import Analysis
    from hiplab.motion.tasks.common import TaskWarning
    from hiplab.motion.verdicts import Verdict
    from hiplab.records.intake import AssessmentInput, Person
    from hiplab.settings import Settings
    from hiplab.store import Store, StoredJob, UnitOfWork

OUTPUT_FILES: dict[str, str] = {
    "annotated.mp4": "video/mp4",
    "plot.png": "image/png",
    "angles.csv": "text/csv; charset=utf-8",
    "keypoints.csv": "text/csv; charset=utf-8",
    "angles.mot": "text/plain; charset=utf-8",
    "metrics.json": "application/json",
}
"""The only files of an analysis that can be fetched, by name, and their media types."""


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


REPORT_FORMAT = "motion-json"
"""The format under which an analysis document is stored as its assessment's report."""


class SavedAnalysis(Model):
    """What storing an analysis's measured tests made: person, assessment, report, findings."""

    person: str
    assessment_id: int
    report_id: int
    findings: tuple[str, ...]
    chains: tuple[str, ...]


USED_KEY = "assessment"
"""Where a job's result records the assessment its measurements were stored as."""


@dataclass(frozen=True)
class UsedMeasurements:
    """The assessment a job's measurements are stored as; ``new`` if this call stored it."""

    saved: SavedAnalysis
    new: bool


def stored_use(job: StoredJob) -> SavedAnalysis | None:
    """Return the assessment a job's measurements were already stored as, if any."""
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
    from hiplab.records.intake import Person

    stored = store.people.get(person=PersonRef.by_id(job.person_id))
    save = measurement_saver(
        store=store,
        settings=settings,
        analysis=result.analysis,
        person=stored.name,
        record=Person(age=stored.age, sex=stored.sex),
        person_id=stored.id,
    )
    used = store.jobs.use_once(
        job_id=job.id, key=USED_KEY, use=lambda uow: save(uow).model_dump(mode="json")
    )
    return UsedMeasurements(saved=SavedAnalysis.model_validate(used.record), new=used.new)


def measurement_saver(
    *,
    store: Store,
    settings: Settings,
    analysis: Analysis,
    person: str,
    record: Person,
    person_id: int | None = None,
) -> Callable[[UnitOfWork | None], SavedAnalysis]:
    """Assess an analysis's measured tests now; return the store writes, to run once.

    The writes take the unit of work to run in (None: their own transaction).

    The one path that stores the measurements of a video, for the web (under the job's
    lock, :func:`use_measurements`) and the CLI (at once, :func:`save_measurements`).
    Only the reliable values are stored, each with its uncertainty and verdict
    (``video_measurements``), as an assessment of provenance ``video`` with the analysis
    document as its report, in one transaction.

    Parameters
    ----------
    store : Store
        Where the writes go.
    settings : Settings
        The settings the assessment is made with.
    analysis : Analysis
        The finished analysis.
    person : str
        The person's name (the person is stored by it when ``person_id`` is None).
    record : Person
        The person's age and sex, which a video cannot tell and the norms need.
    person_id : int or None
        The stored person's id, when known.

    Raises
    ------
    InputError
        If the task measures no assessment test, or nothing measured is reliable.

    """
    from hiplab.services.assessments import assess_input

    refusal = refusal_of(analysis)
    if refusal is not None:
        raise InputError(refusal)
    data = measured_input(analysis, record)
    outcome = assess_input(data=data, settings=settings, save=False, person=person)
    document = json.dumps(analysis.document(), ensure_ascii=False)

    def save(uow: UnitOfWork | None = None) -> SavedAnalysis:
        saved = store.assessments.save(
            person=PersonRef.of(id=person_id, name=None if person_id is not None else person),
            data=data,
            result=outcome.result,
            reports=[(REPORT_FORMAT, document)],
            uow=uow,
        )
        return SavedAnalysis(
            person=person,
            assessment_id=saved.assessment_id,
            report_id=saved.report_ids[-1],
            findings=tuple(f.id for f in outcome.result.findings),
            chains=tuple(c.id for c in outcome.result.chains),
        )

    return save


def measured_input(analysis: Analysis, record: Person) -> AssessmentInput:
    """Return the assessment input of an analysis's reliable measurements, dated today."""
    from hiplab.records.intake import AssessmentInput, Tests, VideoMeasurement

    return AssessmentInput(
        person=record,
        tests=Tests.model_validate(analysis.measured_tests),
        provenance="video",
        date=datetime.date.today().isoformat(),
        video_measurements=tuple(
            VideoMeasurement.model_validate(m.model_dump(mode="json")) for m in analysis.measured
        ),
    )


def stored_record(*, store: Store, person: str) -> Person:
    """Return the age and sex of a person's latest stored assessment (checked before work).

    Raises
    ------
    InputError
        Naming the person (field ``save``) when none of their assessments is stored.

    """
    try:
        return store.assessments.latest(person=PersonRef.named(person)).data.person
    except NotFoundError as exc:
        raise InputError(
            f"has no stored assessment to take age and sex from ({exc})",
            field="save",
            value=person,
            hint="store one first with `hiplab assess FILE --save --person NAME`",
        ) from exc


def save_measurements(
    *, store: Store, settings: Settings, analysis: Analysis, person: str, record: Person
) -> SavedAnalysis:
    """Store an analysis's measured tests as an assessment of ``person``, now.

    What ``hiplab analyze --save PERSON`` does (:func:`measurement_saver`, run at once);
    ``record`` comes from :func:`stored_record`, read before the analysis ran.
    """
    return measurement_saver(
        store=store, settings=settings, analysis=analysis, person=person, record=record
    )(None)
