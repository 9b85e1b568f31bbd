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

State lives in the store only, so a restart loses nothing: ``create_app``'s start-up
re-queues ``running`` jobs (their worker is gone) and the worker picks them up again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hiplab.errors import HiplabError
from hiplab.settings import Settings
from hiplab.store import Store, StoredJob

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
    end_actions: list[EndAction] = field(default_factory=list, repr=False, compare=False)

    def progress(self, fraction: float) -> None:
        """Record how far the job is (0–1); the results page polls it."""
        self.store.update_job_progress(job_id=self.job.id, progress=min(max(fraction, 0.0), 1.0))

    def when_ended(self, action: EndAction) -> None:
        """Run ``action(state)`` once the job is stored ``done`` or ``failed``.

        After, not inside, the handler: a server that stops before the end is stored
        runs the job again and still needs its input. An action that fails is logged.
        """
        self.end_actions.append(action)


JobHandler = Callable[[JobContext], dict[str, Any]]


def run_one(store: Store, settings: Settings, handlers: Mapping[str, JobHandler]) -> bool:
    """Claim and run one queued job of a kind in ``handlers``.

    Returns
    -------
    bool
        True if a job was run (done or failed), False if none was queued.

    """
    if not handlers:
        return False
    job = store.claim_job(kinds=tuple(handlers))
    if job is None:
        return False
    context = JobContext(job=job, store=store, settings=settings)
    state: EndedState = "failed"
    try:
        result = handlers[job.kind](context)
    except HiplabError as exc:
        store.fail_job(job_id=job.id, error=str(exc))
    except Exception:
        log.exception("job %s (%s) failed", job.id, job.kind)
        store.fail_job(job_id=job.id, error=f"the {job.kind} job failed unexpectedly")
    else:
        store.finish_job(job_id=job.id, result=result)
        state = "done"
    _run_end_actions(context, state)
    return True


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
                busy = run_one(self._store, self._settings, self._handlers)
            except HiplabError:
                log.exception("the job worker could not reach the store")
                busy = False
            if not busy:
                self._stop.wait(POLL_SECONDS)
