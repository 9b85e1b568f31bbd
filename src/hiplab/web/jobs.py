"""The background worker: claims queued jobs from the store and runs them by kind.

Enqueue work with :meth:`hiplab.store.Store.enqueue_job` (``kind``, a plain-JSON
``payload``, the owner and the person); register what runs it in the handler mapping
given to :func:`hiplab.web.app.create_app` (``job_handlers={"video_analysis": fn}``).
A handler gets a :class:`JobContext`, reports progress with
:meth:`JobContext.progress`, may ask for work once the job's end is stored with
:meth:`JobContext.when_ended` (e.g. delete its input), and returns the result as plain
JSON. A
:class:`~hiplab.errors.HiplabError` fails the job with its message (shown to the
user); any other exception fails it with a generic message (details in the log) and
never stops the worker or the server.

State lives in the store only, so a restart loses nothing. Each worker claims a job under
its own lease (:mod:`hiplab.store.jobs`) and a heartbeat thread renews it every third of
``job_lease_seconds`` while the handler runs; a server that dies (even ``kill -9``) stops
renewing, and once the lease has expired a worker of any server on the store claims the
job and runs it from the start. A worker whose lease was taken over stops at its next
progress report and stores nothing, and its end actions (deleting the input) do not run:
the job ends once, by the worker that holds it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hiplab.errors import HiplabError, InputError
from hiplab.settings import Settings
from hiplab.store import Store, StoredJob
from hiplab.store.jobs import LeaseLostError, worker_id
from hiplab.web.errors import form_message

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How long an idle worker waits before looking for queued jobs again."""


EndedState = Literal["done", "failed"]
EndAction = Callable[[EndedState], None]


@dataclass(frozen=True)
class JobContext:
    """What a handler gets: its job, the store and the settings (e.g. ``upload_dir``)."""

    job: StoredJob
    store: Store
    settings: Settings
    owner: str = ""
    end_actions: list[EndAction] = field(default_factory=list, repr=False, compare=False)

    def progress(self, fraction: float) -> None:
        """Record how far the job is (0–1; the results page polls it) and renew the lease.

        Raises :class:`~hiplab.store.jobs.LeaseLostError` when another worker has
        taken the job over: the handler stops there.
        """
        self.store.jobs.update_progress(
            job_id=self.job.id,
            progress=min(max(fraction, 0.0), 1.0),
            owner=self.owner,
            lease_seconds=self.settings.job_lease_seconds,
        )

    def when_ended(self, action: EndAction) -> None:
        """Run ``action(state)`` once the job is stored ``done`` or ``failed``.

        After, not inside, the handler: a server that stops before the end is stored
        runs the job again and still needs its input. An action that fails is logged.
        """
        self.end_actions.append(action)


JobHandler = Callable[[JobContext], dict[str, Any]]


def run_one(
    store: Store, settings: Settings, handlers: Mapping[str, JobHandler], *, owner: str = ""
) -> bool:
    """Claim and run one claimable job of a kind in ``handlers`` under ``owner``'s lease.

    ``owner`` defaults to a new :func:`~hiplab.store.jobs.worker_id`.

    Returns
    -------
    bool
        True if a job was run (done, failed or taken over), False if none was claimable.

    """
    if not handlers:
        return False
    owner = owner or worker_id()
    lease = settings.job_lease_seconds
    job = store.jobs.claim(kinds=tuple(handlers), owner=owner, lease_seconds=lease)
    if job is None:
        return False
    context = JobContext(job=job, store=store, settings=settings, owner=owner)
    with Heartbeat(store, job_id=job.id, owner=owner, lease_seconds=lease):
        state = _run_handler(context, handlers[job.kind])
    if state is not None:
        _run_end_actions(context, state)
    return True


def _run_handler(context: JobContext, handler: JobHandler) -> EndedState | None:
    """Run the handler and store the job's end; None when the job was taken over."""
    job, store, owner = context.job, context.store, context.owner
    try:
        try:
            result = handler(context)
        except LeaseLostError:
            raise
        except HiplabError as exc:
            error = form_message(exc) if isinstance(exc, InputError) else str(exc)
            store.jobs.fail(job_id=job.id, owner=owner, error=error)
            return "failed"
        except Exception:
            log.exception("job %s (%s) failed", job.id, job.kind)
            store.jobs.fail(
                job_id=job.id, owner=owner, error=f"the {job.kind} job failed unexpectedly"
            )
            return "failed"
        store.jobs.finish(job_id=job.id, owner=owner, result=result)
        return "done"
    except LeaseLostError as lost:
        log.warning("job %s (%s) let go: %s", job.id, job.kind, lost)
        return None


class Heartbeat:
    """A thread that renews a job's lease every third of its length until the block ends.

    A renewal that fails (the store unreachable, or the lease taken over) is logged;
    the handler finds out at its next progress report.
    """

    def __init__(self, store: Store, *, job_id: int, owner: str, lease_seconds: float) -> None:
        self._store = store
        self._job_id = job_id
        self._owner = owner
        self._lease = lease_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="hiplab-lease", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self._lease / 3.0):
            try:
                self._store.jobs.renew_lease(
                    job_id=self._job_id, owner=self._owner, lease_seconds=self._lease
                )
            except HiplabError as exc:
                log.warning("could not renew the lease of job %s: %s", self._job_id, exc)
                if isinstance(exc, LeaseLostError):
                    return


def _run_end_actions(context: JobContext, state: EndedState) -> None:
    for action in context.end_actions:
        try:
            action(state)
        except Exception:  # the job's outcome is stored; a failed clean-up must not undo it
            log.exception("after job %s (%s) ended %s", context.job.id, context.job.kind, state)


class JobWorker:
    """One thread that runs queued jobs until :meth:`stop` is called."""

    def __init__(
        self, *, store: Store, settings: Settings, handlers: Mapping[str, JobHandler]
    ) -> None:
        self._store = store
        self._settings = settings
        self._handlers = dict(handlers)
        self.owner = worker_id()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once); nothing starts when no handler is registered."""
        if self._thread is not None or not self._handlers:
            return
        self._thread = threading.Thread(target=self._loop, name="hiplab-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop after its current job and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = run_one(self._store, self._settings, self._handlers, owner=self.owner)
            except HiplabError:
                log.exception("the job worker could not reach the store")
                busy = False
            if not busy:
                self._stop.wait(POLL_SECONDS)
