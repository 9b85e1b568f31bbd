"""The web app: ``create_app(settings)`` builds it, ``hiplab serve`` runs it with uvicorn.

Modules
-------
app
    The factory: store, security, routers, error pages, static files, lifespan.
authz
    Authorization in one place: every route declares one :class:`~hiplab.web.authz.Rule`
    through its viewer dependency; :func:`~hiplab.web.authz.check_routes` refuses an app
    with a route that has none.
security
    Signed session cookie, CSRF tokens bound to the session, login rate limiting.
deps
    Shared dependencies (the store, the settings, the template environment).
pages, api
    Server-rendered pages and the REST API under ``/api/v1``; both call the services
    (:mod:`hiplab.services.clinic`, :mod:`hiplab.services`) that the CLI calls.
jobs
    The background worker that runs queued jobs by kind.

Importing this package does no I/O and imports nothing heavy.
"""
