"""Analyse many inputs: expand the inputs, run one analysis each, summarise.

This is the use-case behind ``hiplab analyze 'videos/*.mp4' -o OUTDIR``. Stages:

1. :func:`expand_inputs` — the INPUT arguments become a sorted list of inputs
   without duplicates (the same file named twice is analysed once):

   * a **pattern** (``*``, ``?`` or ``[`` in an argument that is not an existing
     path; quote it so the shell does not expand it) matches files and
     folders, ``**`` across folders; a pattern that matches nothing raises
     :class:`~hiplab.errors.InputError` naming it;
   * a **folder that is not itself an OpenPose folder** (it holds no
     ``*_keypoints.json``) stands for the videos (:data:`VIDEO_SUFFIXES`) and
     the OpenPose JSON subfolders directly inside it; hidden entries are left out;
   * anything else is one input, even when it does not exist: the batch reports
     it as an error and goes on.

2. :func:`plan_batch` — each input gets its own output folder ``OUTDIR/<name>/``,
   ``name`` being the file's stem or the folder's name; a name already taken
   (``a/squat.mp4`` and ``b/squat.mp4``, or ``squat.mp4`` and ``squat.mov``)
   gets ``-2``, ``-3``… in input order (compared without case; ``summary.json``
   and ``summary.csv`` are taken). Paths are made absolute, so a worker on
   another machine or in another folder reads and writes the same files.

3. :func:`run_batch` — one :func:`analyse_one` per input, where:

   * ``jobs=1``: in this process, one input after the other;
   * ``jobs=N``: a pool of N worker processes (started with ``spawn``: the
     analysis runs threads, which ``fork`` does not copy safely);
   * on Ray (inside :func:`ray_cluster`): one Ray task per input, one CPU each,
     results taken as they complete.

   Each analysis runs :func:`workers_per_analysis` inference threads: the
   machine's cores shared among the jobs, at most 2 (the pipeline's default,
   which keeps both cores of a 2-core machine busy for one input), at least 1.
   A Ray task uses one thread, since the cluster's scheduler packs one task per
   CPU. A video's result can differ slightly with the number of threads (each
   pose model then sees every 2nd frame and follows it a little less well:
   ``frames_lost`` may differ by a few frames); OpenPose JSON results do not.

4. :func:`write_summary` — ``summary.json`` (:meth:`BatchResult.document`) and
   ``summary.csv`` in OUTDIR, each written atomically once every input is done.

Every input ends as an :class:`InputOutcome`: ``ok`` (the key metrics of the
task and the output folder), ``partial`` (a measurement cut short by the
input: never presented as complete) or ``error`` (the InputError's message;
any other exception is reported by its type and message; a worker process that
dies is retried alone once, so one crashing file cannot take the others down).
One bad input never stops the others.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from hiplab.errors import InputError
from hiplab.motion.analyze import AnalyzeRequest, analyze
from hiplab.motion.openpose import SUFFIX as OPENPOSE_SUFFIX
from hiplab.motion.output_files import atomic_file
from hiplab.motion.tasks.common import Model
from hiplab.motion.tasks.registry import get_task
from hiplab.motion.tasks.spec import Metric
from hiplab.spreadsheet import csv_text

if TYPE_CHECKING:
    from concurrent.futures import Future

Status = Literal["ok", "partial", "error"]
Progress = Callable[[int, int, "InputOutcome"], None]
"""Called as ``progress(done, total, outcome)`` in the calling thread after each input."""
Analyse = Callable[["BatchItem"], "InputOutcome"]
"""Analyses one item without raising (:func:`analyse_one`); module-level, so it pickles."""
Report = Callable[[int, "InputOutcome"], None]

VIDEO_SUFFIXES = frozenset(
    {".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv", ".mpg", ".mpeg", ".wmv", ".3gp"}
)
PATTERN_CHARACTERS = "*?["
SUMMARY_FILES = ("summary.json", "summary.csv")
MAX_WORKERS_PER_ANALYSIS = 2
RAY_CONNECT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class BatchItem:
    """One input of a batch: as the user named it, its output folder, the request.

    Plain values: safe to pickle for a worker process or a Ray task.
    """

    label: str
    folder: str
    request: AnalyzeRequest


class InputOutcome(Model):
    """How one input of a batch ended."""

    input: str
    status: Status
    folder: str | None = None
    frames: int | None = None
    fps: float | None = None
    reliability: str | None = None
    """The analysis's reliability verdict in words (:mod:`hiplab.motion.verdicts`)."""
    metrics: dict[str, Metric] = Field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    error: str | None = None


class BatchResult(Model):
    """Every input's outcome, in input order, and the counts."""

    task: str
    outcomes: tuple[InputOutcome, ...]

    def count(self, status: Status) -> int:
        """Return how many inputs ended with ``status``."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> int:
        """Return how many inputs ended in an error."""
        return self.count("error")

    def document(self) -> dict[str, Any]:
        """Return the summary document (``summary.json``, ``--format json``)."""
        return {
            "task": self.task,
            "total": len(self.outcomes),
            "ok": self.count("ok"),
            "partial": self.count("partial"),
            "failed": self.failed,
            "inputs": [o.model_dump(mode="json") for o in self.outcomes],
        }


# --- 1. inputs ---------------------------------------------------------------------------------


def is_pattern(argument: str | Path) -> bool:
    """Return True when ``argument`` is a glob pattern (and not an existing path)."""
    text = str(argument)
    return any(c in text for c in PATTERN_CHARACTERS) and not Path(text).exists()


def is_openpose_folder(path: Path) -> bool:
    """Return True when ``path`` is a folder holding OpenPose ``*_keypoints.json`` files."""
    return path.is_dir() and any(p.name.endswith(OPENPOSE_SUFFIX) for p in path.iterdir())


def is_batch(arguments: Sequence[str | Path]) -> bool:
    """Return True when the INPUT arguments stand for more than one plain input."""
    if len(arguments) != 1:
        return True
    path = Path(arguments[0])
    return is_pattern(path) or (path.is_dir() and not is_openpose_folder(path))


def _folder_inputs(folder: Path) -> list[Path]:
    found = [
        p
        for p in sorted(folder.iterdir())
        if not p.name.startswith(".")
        and (
            (p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
            or (p.is_dir() and is_openpose_folder(p))
        )
    ]
    if not found:
        kinds = ", ".join(sorted(VIDEO_SUFFIXES))
        raise InputError(
            f"{folder}: no videos ({kinds}) and no OpenPose JSON folders (*{OPENPOSE_SUFFIX}) in it"
        )
    return found


def expand_inputs(arguments: Sequence[str | Path]) -> list[Path]:
    """Return the inputs the INPUT arguments stand for: sorted, each once (module docstring)."""
    found: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if is_pattern(argument):
            matches = sorted(glob.glob(str(argument), recursive=True))
            if not matches:
                raise InputError(f"no input matches the pattern {str(argument)!r}")
            found += [Path(m) for m in matches]
        elif path.is_dir() and not is_openpose_folder(path):
            found += _folder_inputs(path)
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in sorted(found, key=str):
        unique.setdefault(path.absolute().resolve(), path)
    return list(unique.values())


# --- 2. output folders -------------------------------------------------------------------------


def output_names(inputs: Sequence[Path]) -> list[str]:
    """Return each input's output folder name: its stem, made unique by ``-2``, ``-3``…."""
    taken = {name.casefold() for name in SUMMARY_FILES}
    names: list[str] = []
    for path in inputs:
        stem = (path.name if path.is_dir() else path.stem) or "input"
        name, n = stem, 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.casefold())
        names.append(name)
    return names


def plan_batch(
    inputs: Sequence[Path], *, template: AnalyzeRequest, outdir: Path
) -> list[BatchItem]:
    """Return one item per input: ``template``'s options, absolute paths, ``OUTDIR/<name>``."""
    # a .task path must stay valid in worker processes with another working directory
    model = template.model.absolute() if isinstance(template.model, Path) else template.model
    return [
        BatchItem(
            label=str(path),
            folder=str(outdir / name),
            request=replace(
                template, source=path.absolute(), outdir=(outdir / name).absolute(), model=model
            ),
        )
        for path, name in zip(inputs, output_names(inputs), strict=True)
    ]


# --- 3. running --------------------------------------------------------------------------------


def error_outcome(item: BatchItem, error: BaseException) -> InputOutcome:
    """Return the error outcome of ``item``: an InputError's message, else type and message."""
    message = str(error) if isinstance(error, InputError) else f"{type(error).__name__}: {error}"
    return InputOutcome(input=item.label, status="error", error=message)


def analyse_one(item: BatchItem) -> InputOutcome:
    """Analyse one input and return its outcome; never raises for a bad input."""
    try:
        analysis = analyze(item.request)
    except Exception as exc:  # any failure is this input's, the batch goes on
        return error_outcome(item, exc)
    document = analysis.document()
    return InputOutcome(
        input=item.label,
        status="partial" if analysis.partial else "ok",
        folder=item.folder,
        frames=analysis.frames,
        fps=analysis.fps,
        reliability=analysis.verdict.text,
        metrics=get_task(analysis.task).key_metrics(document),
        warnings=tuple(w["code"] for w in document["warnings"]),
    )


def workers_per_analysis(jobs: int, cpus: int | None = None) -> int:
    """Return the inference threads of each analysis when ``jobs`` run at once (1 or 2)."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MAX_WORKERS_PER_ANALYSIS, (cpus or 1) // jobs))


def _sequential(items: Sequence[BatchItem], analyse: Analyse, report: Report) -> None:
    for i, item in enumerate(items):
        report(i, analyse(item))


def _pool(jobs: int) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


def _alone(item: BatchItem, analyse: Analyse) -> InputOutcome:
    """Run one input in a fresh process of its own; an error outcome if that process dies."""
    with _pool(1) as pool:
        try:
            outcome: InputOutcome = pool.submit(analyse, item).result()
        except Exception as exc:  # the worker died: report it as this input's
            return error_outcome(item, exc)
    return outcome


def _processes(items: Sequence[BatchItem], jobs: int, analyse: Analyse, report: Report) -> None:
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    died: list[int] = []
    with _pool(jobs) as pool:
        futures: dict[Future[InputOutcome], int] = {
            pool.submit(analyse, item): i for i, item in enumerate(items)
        }
        for future in as_completed(futures):
            i = futures[future]
            try:
                report(i, future.result())
            except BrokenProcessPool:
                # A dying worker breaks every unfinished input of the pool; each is
                # run again alone, so only the one that kills its process fails.
                died.append(i)
            except Exception as exc:  # e.g. a result that cannot be pickled
                report(i, error_outcome(items[i], exc))
    for i in sorted(died):
        report(i, _alone(items[i], analyse))


def _ray_tasks(items: Sequence[BatchItem], analyse: Analyse, report: Report) -> None:
    import ray

    if not ray.is_initialized():
        raise RuntimeError("run_batch(use_ray=True) needs a connection: use ray_cluster(address)")
    # One CPU per task (the analysis then runs one inference thread); one retry
    # covers a lost node without repeating a crashing input many times.
    task = ray.remote(num_cpus=1, max_retries=1)(analyse)
    refs = {task.remote(item): i for i, item in enumerate(items)}
    pending = list(refs)
    try:
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                i = refs[ref]
                try:
                    outcome: InputOutcome = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    outcome = error_outcome(items[i], exc)
                report(i, outcome)
    except KeyboardInterrupt:
        for ref in pending:
            ray.cancel(ref, force=True)
        raise


def run_batch(
    items: Sequence[BatchItem],
    *,
    task: str,
    jobs: int = 1,
    use_ray: bool = False,
    progress: Progress | None = None,
    analyse: Analyse = analyse_one,
) -> BatchResult:
    """Analyse every item and return the outcomes in input order.

    Parameters
    ----------
    items
        From :func:`plan_batch`.
    task
        The task every item runs (recorded in the result).
    jobs
        Inputs analysed at once on this machine (1: in this process; N: N worker processes).
    use_ray
        Run each item as a Ray task on the cluster connected with :func:`ray_cluster`.
    progress
        ``progress(done, total, outcome)`` after each input, in the calling thread.
    analyse
        What runs for each item (default :func:`analyse_one`; another must not
        raise, and must be a module-level function so that it pickles).

    """
    if jobs < 1:
        raise InputError(field="jobs", value=jobs, allowed="a whole number, at least 1")
    jobs = min(jobs, max(1, len(items)))  # 3 jobs for 2 inputs share the cores as 2 jobs
    threads = 1 if use_ray else workers_per_analysis(jobs)
    items = [replace(item, request=replace(item.request, workers=threads)) for item in items]
    outcomes: dict[int, InputOutcome] = {}

    def report(i: int, outcome: InputOutcome) -> None:
        outcomes[i] = outcome
        if progress is not None:
            progress(len(outcomes), len(items), outcome)

    if use_ray:
        _ray_tasks(items, analyse, report)
    elif jobs == 1:
        _sequential(items, analyse, report)
    else:
        _processes(items, jobs, analyse, report)
    return BatchResult(task=task, outcomes=tuple(outcomes[i] for i in range(len(items))))


# --- Ray ---------------------------------------------------------------------------------------


RAY_ALLOWED = "host:port of the head node, as printed by `ray start --head`, or auto"


def _resolve_ray_address(address: str) -> str:
    """Return the cluster's ``host:port`` for ``address`` (``auto``: the local cluster)."""
    # Ray's own resolution (RAY_ADDRESS, the last `ray start` on this machine for
    # "auto", localhost → node IP); a private module, kept to this one call.
    from ray._private.services import canonicalize_bootstrap_address_or_die

    try:
        return str(canonicalize_bootstrap_address_or_die(address))
    except (ConnectionError, ValueError) as exc:
        raise InputError(
            f"is no Ray cluster address ({exc})", field="ray", value=address, allowed=RAY_ALLOWED
        ) from exc


def _probe(address: str, resolved: str) -> None:
    """Raise InputError unless something listens at ``resolved`` (ray.init would retry ~minutes)."""
    host, _, port = resolved.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), RAY_CONNECT_TIMEOUT_S):
            pass
    except (OSError, ValueError) as exc:
        raise InputError(
            f"is not reachable: no Ray cluster answers at {resolved} ({exc})",
            field="ray",
            value=address,
            hint="start one with `ray start --head` or check the address",
        ) from exc


@contextmanager
def ray_cluster(address: str) -> Iterator[None]:
    """Connect to the Ray cluster at ``address`` for the block, then disconnect.

    Raises
    ------
    InputError
        When the address is malformed or no cluster answers there.

    """
    import ray

    resolved = _resolve_ray_address(address)
    _probe(address, resolved)
    try:
        ray.init(address=resolved, logging_level=logging.ERROR, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise InputError(
            f"names a Ray cluster that cannot be joined at {resolved}: {exc}",
            field="ray",
            value=address,
        ) from exc
    try:
        yield
    finally:
        ray.shutdown()


# --- 4. summary --------------------------------------------------------------------------------


def summary_csv(result: BatchResult) -> str:
    """Return ``summary.csv``: input, status, frames, fps, the metrics, folder, warnings, error."""
    metric_names: dict[str, None] = {}
    for outcome in result.outcomes:
        metric_names.update(dict.fromkeys(outcome.metrics))
    header: list[object] = [
        "input", "status", "frames", "fps", "reliability", *metric_names, "folder", "warnings",
        "error",
    ]  # fmt: skip
    rows: list[list[object]] = [header]
    for o in result.outcomes:
        metrics = ["" if o.metrics.get(k) is None else o.metrics[k] for k in metric_names]
        frames = "" if o.frames is None else o.frames
        tail = [o.folder or "", " ".join(o.warnings), o.error or ""]
        head = [o.input, o.status, frames, o.fps or "", o.reliability or ""]
        rows.append([*head, *metrics, *tail])
    return csv_text(rows)


def write_summary(result: BatchResult, outdir: Path) -> tuple[Path, Path]:
    """Write ``summary.json`` and ``summary.csv`` into ``outdir`` atomically; return both paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    paths = tuple(outdir / name for name in SUMMARY_FILES)
    texts = (
        json.dumps(result.document(), indent=2, ensure_ascii=False) + "\n",
        summary_csv(result),
    )
    for path, text in zip(paths, texts, strict=True):
        with atomic_file(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return paths[0], paths[1]
