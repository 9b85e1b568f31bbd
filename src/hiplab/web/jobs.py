"""The background worker: claims queued jobs from the store and runs them by kind.

Enqueue work with :meth:`hiplab.store.Store.enqueue_job` (``kind``, a plain-JSON
``payload``, the owner and the person); register what runs it in the handler mapping
given to :func:`hiplab.web.app.create_app` (``job_handlers={"video_analysis": fn}``).
A handler gets a :class:`JobContext`, reports progress with
:meth:`JobContext.progress` and returns the result as plain JSON. A
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
from dataclasses import dataclass
from typing import Any

from hiplab.errors import HiplabError
from hiplab.settings import Settings
from hiplab.store import Store, StoredJob

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How long an idle worker waits before looking for queued jobs again."""


@dataclass(frozen=True)
class JobContext:
    """What a handler gets: its job, the store and the settings (e.g. ``upload_dir``)."""

    job: StoredJob
    store: Store
    settings: Settings

    def progress(self, fraction: float) -> None:
        """Record how far the job is (0–1); the results page polls it."""
        self.store.update_job_progress(job_id=self.job.id, progress=min(max(fraction, 0.0), 1.0))


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
    try:
        result = handlers[job.kind](JobContext(job=job, store=store, settings=settings))
    except HiplabError as exc:
        store.fail_job(job_id=job.id, error=str(exc))
    except Exception:
        log.exception("job %s (%s) failed", job.id, job.kind)
        store.fail_job(job_id=job.id, error=f"the {job.kind} job failed unexpectedly")
    else:
        store.finish_job(job_id=job.id, result=result)
    return True


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
