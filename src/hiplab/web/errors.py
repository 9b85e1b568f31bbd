"""Errors answered in one place: plain words, and nothing from inside the server.

Every refusal and failure of a request becomes ``{"detail": message}`` under ``/api/v1``
and the error page (``error.html.j2``) elsewhere, with the same message:

* bad input (FastAPI's validation of a body, a query or a path parameter) → 422 naming
  the field and what is allowed, in the CLI's words (:func:`hiplab.assess.parse.describe_error`),
  never the value sent: it may be a password, or text JSON cannot even carry back
  (NaN, an unpaired surrogate);
* refusals of the guard (:class:`~hiplab.web.authz.Denied`): 401 (pages go to the login
  page), 403, 404, 429 (with ``Retry-After``);
* domain errors: an :class:`~hiplab.errors.InputError` with the status it carries
  (``http_status``: 422, :class:`~hiplab.errors.NotFoundError` 404, an upload too large
  413, not a video 415), its field named as the form names it (:func:`form_message`);
  :class:`~hiplab.errors.StoreError` 503 with :data:`STORE_UNAVAILABLE` (the store's URL
  or path goes to the log only);
* HTTP errors (an unknown address, a method it does not take, a body that cannot be
  read, one over the limits of :mod:`hiplab.web.limits`) → their status in plain words;
* anything else → 500 "hiplab could not complete this request", the traceback logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, cast
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from pydantic_core import ErrorDetails
from starlette.exceptions import HTTPException
from starlette.routing import Match

from hiplab.assess.parse import describe_error
from hiplab.errors import HiplabError, InputError, StoreError
from hiplab.web.authz import NOT_FOUND, SESSION_ENDED, Denied
from hiplab.web.deps import app_state

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"
STORE_UNAVAILABLE = (
    "hiplab cannot reach its data store right now, so nothing was read or saved. "
    "Try again in a minute; if it keeps happening, tell whoever runs this server "
    "(its log says why)."
)
"""What a client reads when the store fails: never the store's URL or path."""
FAILED = "hiplab could not complete this request"
"""What a client reads when the server fails (the traceback goes to the log)."""
TITLES = {
    400: "Please check the input",
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    422: "Please check the input",
    429: "Please wait",
    500: "Something went wrong",
    503: "The store is unavailable",
}
FORM_FIELDS: dict[str, str] = {"source": "video"}
"""How a form or the API names a domain error's field, where it is not the field itself."""
HTTP_WORDS = {
    400: "the request could not be read; send JSON or a form as the API describes",
    404: NOT_FOUND,
}
"""Plain words for the HTTP errors Starlette and FastAPI raise with their own text."""


class Refused(HTTPException):
    """A refusal whose message is already plain words (raised while a body is read)."""

    def __init__(self, status: int, message: str, *, headers: Mapping[str, str] | None = None):
        super().__init__(status_code=status, detail=message, headers=dict(headers or {}))


def form_field(field: str) -> str:
    """Return the form's (and the API's) name of a domain field."""
    return FORM_FIELDS.get(field, field)


def form_message(error: InputError) -> str:
    """Return an input error in the web's words: a structured field named as the form does."""
    return error.render(form_field)


def is_api(path: str) -> bool:
    """Whether ``path`` is under the JSON API (errors in JSON) rather than a page."""
    return path.startswith(API_PREFIX + "/")


def error_response(
    request: Request, status: int, message: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """Answer an error: JSON ``{"detail": message}`` for the API, the error page otherwise."""
    # Text that cannot be encoded (an unpaired surrogate a domain message quotes) is
    # replaced rather than failing the answer.
    message = message.encode("utf-8", "replace").decode("utf-8")
    if is_api(request.url.path):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    session = getattr(request.state, "session", None)
    html = (
        app_state(request)
        .templates.get_template("error.html.j2")
        .render(
            viewer=None,  # an error page shows no navigation: it may answer anyone
            csrf=getattr(session, "csrf", ""),
            title=TITLES.get(status, "Error"),
            message=message,
        )
    )
    return Response(
        html, status_code=status, media_type="text/html; charset=utf-8", headers=headers
    )


def denied_response(request: Request, exc: Denied) -> Response:
    """Answer a refusal of the guard; a page that needs a login goes to the login page."""
    if exc.status == 401 and not is_api(request.url.path):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        ended = "&ended=1" if exc.message == SESSION_ENDED else ""
        return RedirectResponse(f"/login?next={quote(target, safe='')}{ended}", status_code=303)
    retry_after = getattr(exc, "retry_after", None)  # a rate limit (429) says when to come back
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return error_response(request, exc.status, exc.message, headers=headers)


def validation_message(errors: Sequence[Any], model: type[BaseModel] | None = None) -> str:
    """Return the plain message of FastAPI's validation errors (no value is echoed).

    Parameters
    ----------
    errors : sequence of dict
        ``RequestValidationError.errors()``: pydantic's error entries, whose location
        starts with where the value was (``body``, ``query``, ``path``…).
    model : type of BaseModel or None
        The route's body model, to suggest the closest field for an unknown one.

    """
    lines = [_problem(dict(error), model) for error in errors]
    if len(lines) == 1:
        return lines[0]
    return f"{len(lines)} problems in the input:\n  " + "\n  ".join(lines)


def _problem(error: dict[str, Any], model: type[BaseModel] | None) -> str:
    where, *loc = error.get("loc") or ("body",)
    if error.get("type") == "json_invalid":
        return _json_problem(error)
    if where == "body" and not loc:
        if error.get("type") == "missing":
            return "the request has no body; allowed: JSON as the API describes"
        return "the body is not what this address takes; allowed: JSON as the API describes"
    error["loc"] = tuple(loc)
    return describe_error(  # FastAPI's entries are pydantic's, with the location in front
        cast("ErrorDetails", error),
        model if where == "body" else None,
        show_value=False,
        top="the body",
    )


def _json_problem(error: Mapping[str, Any]) -> str:
    """Say where JSON text broke, as the CLI says it of a file (never quoting it)."""
    reason = (error.get("ctx") or {}).get("error", "it is not JSON")
    position = error["loc"][-1] if isinstance(error["loc"][-1], int) else None
    if position is None:
        return f"the body is not valid JSON: {reason}"
    return f"the body is not valid JSON at character {position + 1}: {reason}"


def _body_model(request: Request) -> type[BaseModel] | None:
    """Return the body model of the route that refused the request, if it has one."""
    field = getattr(request.scope.get("route"), "body_field", None)
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _http_message(request: Request, exc: HTTPException) -> str:
    if exc.status_code == 405:
        return f"{request.url.path} does not take {request.method}; allowed: {_methods(request)}"
    if isinstance(exc, Refused):
        return exc.detail
    # Starlette's and FastAPI's own texts are not for people (nor always plain words).
    return HTTP_WORDS.get(exc.status_code, f"the request was refused ({exc.status_code})")


def _methods(request: Request) -> str:
    """Return the methods the request's path takes, over all the routes that have it.

    Starlette's ``Allow`` header names only the first such route's methods.
    """
    methods: set[str] = set()
    for route in request.app.routes:
        if route.matches(request.scope)[0] is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    """Install the error handlers of this module on ``app``."""

    async def denied(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Denied)
        return denied_response(request, exc)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(request, 422, validation_message(exc.errors(), _body_model(request)))

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = _http_message(request, exc)
        return error_response(request, exc.status_code, message, headers=exc.headers)

    async def domain(request: Request, exc: Exception) -> Response:
        if isinstance(exc, InputError):
            return error_response(request, exc.http_status, form_message(exc))
        if isinstance(exc, StoreError):
            # The message names the store's (masked) URL or file path: for the log only.
            log.error("store unavailable for %s %s: %s", request.method, request.url.path, exc)
            return error_response(request, 503, STORE_UNAVAILABLE)
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(request, 500, FAILED)

    async def failed(request: Request, _exc: Exception) -> Response:
        # Starlette raises the exception again after this answer: the server logs it.
        return error_response(request, 500, FAILED)

    app.add_exception_handler(Denied, denied)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(HiplabError, domain)
    app.add_exception_handler(Exception, failed)
