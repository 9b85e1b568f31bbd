"""Run the web app with uvicorn: one process, or ``workers`` processes sharing the port.

With several workers each process is started fresh (``spawn``) and builds its app
from the CLI's overrides, passed in an environment variable, as ``hiplab serve`` did
(same environment, same settings file). The parent first does what must happen once:
create the secret key file, migrate the store, put jobs left running back in the queue
and delete stale uploads; the workers then only open the store. Each worker runs its
own job worker (a job is claimed atomically, so no job runs twice) and its own login
rate limiter (the limit then applies per process).

Each worker listens on its own socket bound with ``SO_REUSEPORT``, so the kernel
spreads new connections evenly over the workers. With uvicorn's own ``workers`` all
processes accept from one shared socket and whichever is idle first takes the next
connection: at 50 keep-alive connections one worker held most of them (measured with
``benchmarks/web_load.py``: p50 18 ms but p90 210 ms).

The sockets name TCP as their protocol: asyncio switches Nagle's algorithm off only on
connections of such sockets. uvicorn's own socket for several workers names none, and
every keep-alive request after the first waited ~40 ms for a delayed ACK (measured:
43 ms per request instead of 2 ms).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import socket
import threading
from typing import Any

from hiplab.errors import InputError
from hiplab.settings import Settings, load_settings

OVERRIDES_ENV = "HIPLAB_SERVE_OVERRIDES"
"""The CLI's setting overrides, as JSON, for the worker processes."""


def worker_settings() -> Settings:
    """Return one worker's settings, from the CLI's overrides in :data:`OVERRIDES_ENV`."""
    overrides: dict[str, Any] = json.loads(os.environ.get(OVERRIDES_ENV, "{}"))
    return load_settings(overrides=overrides)


def prepare_once(settings: Settings) -> None:
    """Do, in the parent, what the workers must not race for: key file, migration, requeue.

    Stale uploads are deleted here too, before any worker can take an upload.
    """
    from hiplab.services import storage
    from hiplab.web.videos import remove_stale_uploads

    settings.resolved_secret_key()
    with storage.open_store_for(settings) as store:
        store.jobs.requeue_expired()
        remove_stale_uploads(store, settings)


def listening_socket(host: str, port: int, *, shared: bool = True) -> socket.socket:
    """Return a TCP socket bound to ``host:port``; ``shared``: other workers may bind it too.

    An unshared bind fails while any socket holds the port, a server's shared ones
    included: :func:`run` tries one first, so that a second server on the same port
    is refused instead of silently taking half of the first one's connections.

    Raises
    ------
    InputError
        If the address cannot be bound (in use, or not this host's).

    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def uvicorn_config(app: Any, settings: Settings, **options: Any) -> Any:
    """Return uvicorn's config: proxy headers believed only from ``forwarded_allow_ips``.

    uvicorn itself believes ``X-Forwarded-For`` from 127.0.0.1 by default, so anyone on
    the machine could pick the client address the login limit counts; without the
    setting the headers are ignored.
    """
    import uvicorn

    proxies = settings.forwarded_allow_ips.strip()
    return uvicorn.Config(
        app,
        log_level="info",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        **options,
    )


def serve_worker(host: str, port: int) -> None:
    """Serve the app on its own ``SO_REUSEPORT`` socket (one worker process of :func:`run`)."""
    import uvicorn

    from hiplab.web.app import create_app

    sock = listening_socket(host, port)
    settings = worker_settings()  # read once: for the app and for uvicorn
    app = create_app(settings, requeue_jobs=False)
    uvicorn.Server(uvicorn_config(app, settings)).run(sockets=[sock])


def run(settings: Settings, overrides: dict[str, Any], *, workers: int) -> None:
    """Serve until interrupted, in this process (``workers == 1``) or in ``workers`` processes.

    The port is bound before anything else happens: a second server refused for a busy
    port has opened no store, re-queued no job and deleted no upload.

    Raises
    ------
    InputError
        If the address cannot be bound.

    """
    import uvicorn

    if workers == 1:
        from hiplab.web.app import create_app

        sock = listening_socket(settings.host, settings.port, shared=False)
        try:
            uvicorn.Server(uvicorn_config(create_app(settings), settings)).run(sockets=[sock])
        finally:
            sock.close()
        return
    # a clear error before any spawn, also when another server holds the port
    listening_socket(settings.host, settings.port, shared=False).close()
    prepare_once(settings)
    os.environ[OVERRIDES_ENV] = json.dumps(overrides, default=str)
    _supervise(settings.host, settings.port, workers)


def _supervise(host: str, port: int, workers: int) -> None:
    """Run ``workers`` processes until one ends, or this one is interrupted or terminated."""
    spawn = multiprocessing.get_context("spawn")
    processes = [
        spawn.Process(target=serve_worker, args=(host, port), name=f"hiplab-web-{n}")
        for n in range(workers)
    ]
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        for process in processes:
            process.start()
        while not stop.wait(0.5) and all(p.is_alive() for p in processes):
            pass
    except KeyboardInterrupt:
        pass  # Ctrl+C reached the workers too: they are shutting down
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop_all(processes)


def _stop_all(processes: list[Any]) -> None:
    """Ask every worker to shut down gracefully (SIGTERM), then wait; kill stragglers."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        if process.pid is None:
            continue  # never started
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()
