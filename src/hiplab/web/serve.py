"""Run the web app with uvicorn: one process, or ``workers`` processes sharing the port.

With several workers uvicorn starts each process from an import string, so the
settings travel as the CLI's overrides in an environment variable and every process
loads them as ``hiplab serve`` did (same environment, same settings file). The parent
first does what must happen once: create the secret key file, migrate the store and
put jobs left running back in the queue; the workers then only open the store. Each
worker runs its own job worker (a job is claimed atomically, so no job runs twice) and
its own login rate limiter (the limit then applies per process).

Connections are served by :class:`NoDelayProtocol`: uvicorn's listening socket for
several workers is made without naming TCP (protocol number 0), so asyncio does not
switch Nagle's algorithm off on its connections, and every keep-alive request after
the first waited ~40 ms for a delayed ACK (measured: 4 ms → 43 ms per request).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from contextlib import suppress
from typing import Any

from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from hiplab.settings import Settings, load_settings

OVERRIDES_ENV = "HIPLAB_SERVE_OVERRIDES"
"""The CLI's setting overrides, as JSON, for the worker processes."""


class NoDelayProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with Nagle's algorithm off on every TCP connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Set ``TCP_NODELAY`` on the connection, then start serving it."""
        connection = transport.get_extra_info("socket")
        if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
            with suppress(OSError):
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def app_from_environment() -> FastAPI:
    """Build one worker's app from :data:`OVERRIDES_ENV` (uvicorn's ``factory``)."""
    from hiplab.web.app import create_app

    overrides: dict[str, Any] = json.loads(os.environ.get(OVERRIDES_ENV, "{}"))
    return create_app(load_settings(overrides=overrides), requeue_jobs=False)


def prepare_once(settings: Settings) -> None:
    """Do, in the parent, what the workers must not race for: key file, migration, requeue.

    Stale uploads are deleted here too, before any worker can take an upload.
    """
    from hiplab import services
    from hiplab.web.videos import remove_stale_uploads

    settings.resolved_secret_key()
    with services.open_store_for(settings) as store:
        store.requeue_running_jobs()
        remove_stale_uploads(store, settings)


def run(settings: Settings, overrides: dict[str, Any], *, workers: int) -> None:
    """Serve until interrupted, in this process (``workers == 1``) or in ``workers`` processes."""
    import uvicorn

    if workers == 1:
        from hiplab.web.app import create_app

        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level="info",
            http=NoDelayProtocol,
        )
        return
    prepare_once(settings)
    os.environ[OVERRIDES_ENV] = json.dumps(overrides, default=str)
    uvicorn.run(
        "hiplab.web.serve:app_from_environment",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level="info",
        http=NoDelayProtocol,
    )
