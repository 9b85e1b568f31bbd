"""The app factory: ``create_app(settings)`` returns a ready FastAPI app.

Nothing happens on import. The factory opens (and migrates) the store named by the
settings, builds the session codec from the secret key, the rate limits, the
template environment and the job worker, mounts the pages, the API (OpenAPI at
``/api/v1/openapi.json``) and ``/static``, installs the error handlers
(:mod:`hiplab.web.errors`), refuses to return an app with a route that declares no
authorization rule (:func:`hiplab.web.authz.check_routes`), and adds the middleware:
the request bounds (:mod:`hiplab.web.limits`) inside the cookie and header middleware.

Start-up (lifespan) re-queues jobs left ``running``, deletes the uploads a stop left
behind (:func:`hiplab.web.videos.remove_stale_uploads`) and starts the worker; shutdown
stops it and closes the store. Tests use ``with TestClient(create_app(s)) as c``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hiplab import __version__
from hiplab.services import catalogue, storage
from hiplab.settings import Settings
from hiplab.web import account, api, errors, limits, pages, plans, progress_routes, videos
from hiplab.web.authz import NEW_SESSION_KEY, check_routes
from hiplab.web.deps import AppState
from hiplab.web.jobs import JobHandler, JobWorker
from hiplab.web.security import SESSION_COOKIE, Limits, SessionCodec, SessionData

STATIC_DIR = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
"""Content security policy of every page (inline styles: the reports carry their CSS)."""
UPLOADS: frozenset[Callable[..., Any]] = frozenset({videos.video_upload, videos.api_video_upload})
"""The routes that take a video: they count their body against ``max_upload_mb``."""


def create_app(
    settings: Settings,
    *,
    job_handlers: Mapping[str, JobHandler] | None = None,
    run_jobs: bool = True,
    requeue_jobs: bool = True,
) -> FastAPI:
    """Build the web app.

    Parameters
    ----------
    settings : Settings
        Store, secret key, cookie, upload and rate-limit settings.
    job_handlers : mapping of str to JobHandler, optional
        What runs each kind of background job (see :mod:`hiplab.web.jobs`), besides
        the app's own (``video_analysis``); the same kind given here replaces it.
    run_jobs : bool
        Start the job worker at start-up (tests may run jobs by hand instead).
    requeue_jobs : bool
        At start-up, show the jobs whose worker stopped (their lease expired) as queued
        again and tidy stale uploads. Off in the worker processes of ``hiplab serve
        --workers N``: their parent does it once.

    Returns
    -------
    FastAPI
        The app; its store is open until the app's lifespan ends.

    Raises
    ------
    StoreError
        If the store cannot be opened or migrated.
    RuntimeError
        If a route declares no authorization rule (a programming error).

    """
    store = storage.open_store_for(settings)
    # Load the library now: the first requests of a fresh server would each load it in
    # their own thread (the cache fills only when one is done), 50 × 0.3 s of CPU.
    catalogue.library()
    from hiplab.plan.optimise import load_solver

    load_solver()  # likewise the solver that assessments and plans import (0.6 s)
    state = AppState(
        settings=settings,
        store=store,
        codec=SessionCodec(
            settings.resolved_secret_key(), max_age_seconds=settings.session_hours * 3600
        ),
        limits=Limits.from_settings(settings),
        templates=pages.template_environment(),
    )
    handlers = {**videos.JOB_HANDLERS, **(job_handlers or {})}
    worker = JobWorker(store=store, settings=settings, handlers=handlers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if requeue_jobs:
            store.jobs.requeue_expired()
            videos.remove_stale_uploads(store, settings)  # before any upload arrives
        if run_jobs:
            worker.start()
        try:
            yield
        finally:
            worker.stop()
            store.close()

    app = FastAPI(
        title="hiplab",
        version=__version__,
        description="Hip assessments, programmes, sessions and progress. Not a diagnosis.",
        openapi_url=f"{api.PREFIX}/openapi.json",
        docs_url=f"{api.PREFIX}/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=f"{api.PREFIX}/docs/oauth2-redirect",
        lifespan=lifespan,
    )
    app.state.hiplab = state
    _document_bodies(app)
    for router in (
        pages.router,
        api.router,
        progress_routes.router,
        videos.router,
        videos.api_router,
        plans.router,
        plans.api_router,
        account.router,
        account.api_router,
    ):
        # Flattened rather than include_router: since FastAPI 0.137 that leaves one opaque
        # router object in app.routes, and check_routes must see every endpoint and path.
        app.router.routes.extend(router.routes)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    errors.install(app)
    check_routes(app)
    # Inside the cookie middleware, so that its refusals carry the security headers too.
    app.add_middleware(
        limits.BodyLimitMiddleware,
        codec=state.codec,
        policies=limits.route_policies(app, uploads=UPLOADS),
    )
    app.add_middleware(SessionCookieMiddleware, codec=state.codec, secure=settings.cookie_secure)
    return app


def _document_bodies(app: FastAPI) -> None:
    """Make the app's OpenAPI document include the bodies routes parse themselves."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = api.add_body_schemas(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


class SessionCookieMiddleware:
    """Set the session cookie a request started (login, logout, first visit) and headers.

    One place for the cookie's flags: HttpOnly, SameSite=Lax, Secure when configured,
    Max-Age equal to the codec's expiry. Also adds the security headers to every
    response (no sniffing, no framing, the content security policy).
    """

    def __init__(self, app: ASGIApp, *, codec: SessionCodec, secure: bool) -> None:
        self.app = app
        self.codec = codec
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the cookie and headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                session = scope.get("state", {}).get(NEW_SESSION_KEY)
                if isinstance(session, SessionData):
                    headers.append("set-cookie", self.cookie(session))
                _security_headers(headers, docs=scope["path"].endswith("/docs"))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def cookie(self, session: SessionData) -> str:
        """Return the ``Set-Cookie`` value of a session."""
        response = Response()
        response.set_cookie(
            SESSION_COOKIE,
            self.codec.encode(session),
            max_age=self.codec.max_age_seconds,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )
        return response.headers["set-cookie"]


def _security_headers(headers: MutableHeaders, *, docs: bool) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not docs:  # FastAPI's interactive docs load their scripts from a CDN
        headers.setdefault("Content-Security-Policy", CSP)
