"""``hiplab analyze``: measure a squat, landing, Thomas test or held pose from a video.

One plain INPUT (a video, or an OpenPose JSON folder) is analysed here and
printed. Several INPUTs, a quoted pattern or a folder of videos run a batch
(:mod:`hiplab.motion.batch`): a progress bar on stderr, one folder per input
in OUTDIR, a summary table (or ``--format json``: the summary document), and
exit code 1 when some input failed (each failure is reported, the rest finish).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from hiplab.cli.app import app, console, dump_json, fail, settings
from hiplab.errors import InputError
from hiplab.motion.tasks.names import TaskName, names_in_words

if TYPE_CHECKING:
    from rich.console import Console

    from hiplab.motion.analyze import Analysis, AnalyzeRequest
    from hiplab.motion.batch import BatchResult, InputOutcome
    from hiplab.motion.pose_models import PoseModelName
    from hiplab.services.videos.results import SavedAnalysis

TextOrJson = Literal["text", "json"]


def parse_person_box(value: str | None) -> tuple[float, float, float, float] | None:
    """Parse ``x,y,w,h`` (pixels); exit 2 naming the option when it is not four numbers."""
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0 or min(numbers[:2]) < 0:
        fail(
            f"--person-box {value!r}: expected x,y,w,h in pixels (four numbers, x and y ≥ 0, "
            "w and h > 0), e.g. --person-box 100,50,300,600"
        )
    x, y, w, h = numbers
    return x, y, w, h


def parse_model(value: str | None) -> PoseModelName | Path:
    """Return the pose model named by ``--model``: lite, full or heavy, else a .task file's path.

    A name wins over a file of the same name; exit 2 when the value is neither.
    """
    from hiplab.motion.pose_models import DEFAULT_POSE_MODEL, POSE_MODELS, model_names

    if value is None:
        return DEFAULT_POSE_MODEL
    for name in POSE_MODELS:
        if value == name:
            return name
    path = Path(value)
    if not path.is_file():
        fail(
            f"pose model {value!r} is none of {model_names()}, and no file has that name "
            "(the other choice is the path of a MediaPipe .task model file)"
        )
    return path


VIEW_WORDS = {"sagittal": "side", "frontal": "front or back"}


def render_text(analysis: Analysis, out: Console) -> None:
    """Print a short summary of an analysis: camera, reliability, metrics, notes, what next."""
    from rich.markup import escape

    from hiplab.motion.tasks.registry import get_task
    from hiplab.motion.verdicts import camera_text, unreliable_lines

    doc = analysis.document()
    camera = doc["camera"]
    out.print(
        f"[bold]{escape(doc['task'])}[/] — {escape(doc['source'])}: {doc['frames']} frames at "
        f"{doc['fps']:g} fps, {VIEW_WORDS[camera['view']]} view"
        + (f", {camera['near_side']} side nearer" if camera.get("near_side") else "")
    )
    out.print(f"camera: {escape(camera_text(camera))}")
    out.print(f"reliability: [bold]{escape(doc['verdict']['text'])}[/]")
    if doc["partial"]:
        out.print("[bold yellow]PARTIAL:[/] the video cuts a measurement short; see the notes")
    for line in (*get_task(doc["task"]).text_lines(doc), *unreliable_lines(doc["verdicts"])):
        out.print(escape(line))
    _bullets(out, "notes:", [w["message"] for w in doc["warnings"]])
    _bullets(out, "what to do next:", list(doc["advice"]))
    for path in (doc.get("files") or {}).values():
        if path:
            out.print(f"wrote {escape(path)}")
    for key, why in (doc.get("skipped_files") or {}).items():
        out.print(f"skipped {escape(key)}: {escape(why)}")


def _bullets(out: Console, title: str, lines: list[str]) -> None:
    """Print a titled list (nothing when it is empty)."""
    from rich.markup import escape

    if lines:
        out.print(title)
        for line in lines:
            out.print(f"  • {escape(line)}")


def _saved(saved: SavedAnalysis) -> None:
    from rich.markup import escape

    found = len(saved.findings)
    console(stderr=True).print(
        f"saved the measurements as an assessment from video for {escape(saved.person)} "
        f"({found} finding{'s' if found != 1 else ''}); see it with: hiplab history "
        f"{escape(repr(saved.person))}"
    )


def _status(status: str) -> str:
    style = {"ok": "green", "partial": "bold yellow", "error": "bold red"}[status]
    return f"[{style}]{status.upper() if status == 'partial' else status}[/]"


def render_batch(result: BatchResult, out: Console) -> None:
    """Print the batch summary table: input, status, frames, the task's key metrics, folder."""
    from rich.markup import escape
    from rich.table import Table

    from hiplab.motion.tasks.spec import fmt

    names = list(dict.fromkeys(k for o in result.outcomes for k in o.metrics))
    table = Table(title=f"hiplab analyze --task {result.task}: {len(result.outcomes)} inputs")
    for header in ("input", "status", "frames", "reliability", *names, "folder or error"):
        table.add_column(header, overflow="fold")
    for o in result.outcomes:
        metrics = [escape(fmt(o.metrics.get(k))) for k in names]
        last = escape((o.folder if o.error is None else o.error) or "—")
        first = (escape(o.input), _status(o.status), fmt(o.frames), escape(fmt(o.reliability)))
        table.add_row(*first, *metrics, last)
    out.print(table)
    out.print(
        f"{result.count('ok')} ok, {result.count('partial')} partial (a measurement cut short by "
        f"the input), {result.failed} failed"
    )


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int, int, InputOutcome], None]]:
    """Yield a batch progress callback drawing a rich progress bar on stderr."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, TextColumn("{task.description}"), console=console(stderr=True)) as bar:
        task_id = bar.add_task("", total=total)

        def advance(done: int, total: int, outcome: InputOutcome) -> None:
            if outcome.error is not None:
                bar.console.print(
                    f"[bold red]error:[/] {escape(outcome.input)}: {escape(outcome.error)} "
                    "(skipped; the other inputs go on)"
                )
            bar.update(
                task_id, completed=done, description=escape(f"{outcome.input}: {outcome.status}")
            )

        yield advance


def _check_rerun_options(sources: list[Path] | None, pose_options: Mapping[str, object]) -> None:
    """Refuse what a re-run from keypoints cannot use: an INPUT, or options of pose estimation."""
    if sources:
        raise InputError(
            "is not read by a re-run: it reads the keypoints saved in the folder",
            field="source",
            value=str(sources[0]),
            hint="give either INPUT or --from-keypoints FOLDER",
        )
    for name, value in pose_options.items():
        if value is not None:
            raise InputError(
                "belongs to pose estimation, which a re-run from saved keypoints does not do",
                field=name,
                value=value,
            )


def _check_batch_options(
    *, outdir: Path | None, save: str | None, jobs: int, ray: str | None
) -> Path:
    """Exit 2 on options a batch cannot take; return OUTDIR."""
    if save is not None:
        fail(
            "--save is not supported with several inputs: it stores one analysis as one "
            "person's assessment, and a batch's inputs may be different people; run "
            "`hiplab analyze INPUT --save PERSON` for each"
        )
    if outdir is None:
        fail("several inputs need -o OUTDIR: each input's files go to OUTDIR/<name>/")
    if outdir.exists() and not outdir.is_dir():
        fail(f"-o {outdir}: a file, not a folder")
    if ray is not None and jobs != 1:
        fail("--jobs runs local worker processes; with --ray the cluster runs one task per input")
    return outdir


def analyze_batch(
    sources: list[Path],
    request: AnalyzeRequest,
    *,
    outdir: Path,
    fmt: TextOrJson,
    jobs: int,
    ray: str | None,
) -> None:
    """Run the batch behind several INPUTs; exit 1 when some input failed."""
    from hiplab.motion.batch import expand_inputs, plan_batch, ray_cluster, run_batch, write_summary

    items = plan_batch(expand_inputs(sources), template=request, outdir=outdir)
    with ray_cluster(ray) if ray is not None else nullcontext(), _progress_bar(len(items)) as bar:
        result = run_batch(
            items, task=request.task, jobs=jobs, use_ray=ray is not None, progress=bar
        )
    try:
        summary, table = write_summary(result, outdir)
    except OSError as exc:
        fail(f"cannot write the summary into {outdir}: {exc.strerror}")
    if fmt == "json":
        typer.echo(dump_json(result.document()), nl=False)
    else:
        render_batch(result, console())
        console().print(f"summary: {summary}, {table}")
    if result.failed:
        raise typer.Exit(1)


def analyze_one(request: AnalyzeRequest, *, fmt: TextOrJson, save: str | None) -> None:
    """Analyse one plain INPUT: print it (text or JSON), and store it with ``--save``."""
    from hiplab.motion.analyze import analyze, check_request

    check_request(request, save=save is not None)
    _run_and_show(lambda: analyze(request), fmt=fmt, save=save)


def reanalyze(
    folder: Path,
    *,
    task: TaskName,
    exercise: str | None,
    to: Path | None,
    fmt: TextOrJson,
    save: str | None,
) -> None:
    """Re-run angles, the task and the files from ``folder``'s saved keypoints (no pose model)."""
    from hiplab.motion.analyze import check_save, check_task
    from hiplab.motion.rerun import analyse_from_keypoints

    spec = check_task(task, exercise)
    if save is not None:
        check_save(spec)
    _run_and_show(
        lambda: analyse_from_keypoints(folder, task=task, exercise=exercise, to=to),
        fmt=fmt,
        save=save,
    )


def _run_and_show(run: Callable[[], Analysis], *, fmt: TextOrJson, save: str | None) -> None:
    """Run an analysis, store it with ``--save``, and print it (text or JSON)."""
    if save is None:
        analysis, saved = run(), None
    else:
        analysis, saved = _analyse_and_save(run, person=save)
    if fmt == "json":
        document = analysis.document()
        if saved is not None:
            document["saved"] = saved.model_dump(mode="json")
        typer.echo(dump_json(document), nl=False)
    else:
        render_text(analysis, console())
    if saved is not None:
        _saved(saved)


def _analyse_and_save(
    run: Callable[[], Analysis], *, person: str
) -> tuple[Analysis, SavedAnalysis]:
    """Analyse and store the measured tests as PERSON's assessment (``--save``).

    PERSON's age and sex are read before the analysis runs, so a missing person is
    refused before any work.
    """
    from hiplab.services.storage import open_store_for
    from hiplab.services.videos.results import save_measurements, stored_record

    config = settings()
    with open_store_for(config) as store:
        record = stored_record(store=store, person=person)
    analysis = run()
    with open_store_for(config) as store:
        saved = save_measurements(
            store=store, settings=config, analysis=analysis, person=person, record=record
        )
    return analysis, saved


@app.command()
def analyze(
    task: Annotated[TaskName, typer.Option("--task", "-t", help=f"{names_in_words()}.")],
    sources: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="INPUT...",
            help="A video file, or a folder of OpenPose *_keypoints.json files. Several, a quoted "
            "pattern ('videos/*.mp4') or a folder of videos run a batch (needs -o).",
            show_default=False,
        ),
    ] = None,
    exercise: Annotated[
        str | None, typer.Option("--exercise", help="Library exercise id (needed by --task hold).")
    ] = None,
    fps: Annotated[
        float | None,
        typer.Option("--fps", help="Frame rate: required for OpenPose JSON; overrides a video's."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            metavar="lite|full|heavy|PATH",
            help="Pose model: lite (fastest), full (default) or heavy (slowest), or a MediaPipe "
            ".task file to use instead.",
            show_default=False,
        ),
    ] = None,
    person_box: Annotated[
        str | None,
        typer.Option("--person-box", help="x,y,w,h in pixels: follow the person in this box."),
    ] = None,
    fmt: Annotated[
        TextOrJson, typer.Option("--format", "-f", help="text (summary) or json (stdout).")
    ] = "text",
    outdir: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder for the output files (batch: one per input)."),
    ] = None,
    save: Annotated[
        str | None,
        typer.Option(
            "--save", metavar="PERSON", help="Store the measured tests as PERSON's assessment."
        ),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Batch: inputs analysed at once (processes).")
    ] = 1,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="Batch: run each input as a task on the Ray cluster at ADDRESS (host:port, auto).",
        ),
    ] = None,
    from_keypoints: Annotated[
        Path | None,
        typer.Option(
            "--from-keypoints",
            metavar="FOLDER",
            help="Re-run the angles, the task and the files from an earlier analysis's output "
            "folder (its saved keypoints), without pose estimation; -o writes them elsewhere.",
        ),
    ] = None,
) -> None:
    """Measure joint angles and a task (squat, landing, Thomas test, hold) from a video."""
    from hiplab.motion.analyze import AnalyzeRequest, check_request
    from hiplab.motion.batch import is_batch

    if from_keypoints is not None:
        pose_options = {"fps": fps, "model": model, "person_box": person_box, "ray": ray}
        _check_rerun_options(sources, {**pose_options, "jobs": jobs if jobs != 1 else None})
        reanalyze(from_keypoints, task=task, exercise=exercise, to=outdir, fmt=fmt, save=save)
        return
    if not sources:
        raise InputError(
            "is needed: a video, or a folder of OpenPose JSON files",
            field="source",
            hint="or re-run an earlier analysis with --from-keypoints FOLDER",
        )
    request = AnalyzeRequest(
        source=sources[0],
        task=task,
        exercise=exercise,
        fps=fps,
        model=parse_model(model),
        person_box=parse_person_box(person_box),
        outdir=outdir,
    )
    if not is_batch(sources) and ray is None:
        analyze_one(request, fmt=fmt, save=save)
        return
    folder = _check_batch_options(outdir=outdir, save=save, jobs=jobs, ray=ray)
    check_request(request)
    analyze_batch(sources, request, outdir=folder, fmt=fmt, jobs=jobs, ray=ray)
