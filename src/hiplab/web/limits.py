"""Requests are bounded before they are read: body size, form fields, JSON, anonymous writes.

FastAPI reads a route's whole body (JSON or form) before it runs the route's
dependencies, so the guard's session and CSRF checks came after the read: an
anonymous 200 MB JSON body grew the server by 200 MB, and a 400 MB multipart body to
``/login`` was spooled to disk before its 403. :class:`BodyLimitMiddleware` sits in
front of every route and, before the route reads anything:

* refuses a declared ``Content-Length`` above :data:`MAX_BODY_BYTES` (413);
* refuses a state-changing request (POST, PUT, PATCH, DELETE) without a valid session
  cookie, or with an ``X-CSRF-Token`` header that is not the session's (403): the
  guard would refuse it anyway, since no token can match a session that does not
  exist;
* refuses a state-changing request to a route that needs a login from a session that
  is not logged in (401; pages go to the login page);

then, while the body arrives, counts its bytes and answers 413 as soon as they pass
:data:`MAX_BODY_BYTES` (a chunked body has no declared length), counts the fields of a
form (at most :data:`hiplab.web.authz.MAX_FORM_FIELDS`, 413 beyond), and refuses JSON
that JSON does not allow but Python's parser takes: ``NaN``, ``Infinity`` and unpaired
surrogates (a code point U+D800 to U+DFFF alone, which no UTF-8 text can hold), 422.

The video upload routes keep their own, larger limit (``max_upload_mb``, counted by
:class:`hiplab.web.videos.UploadRoute`); their session and CSRF checks are the ones
above. A refusal sent before the body was read in full closes the connection, so the
client's remaining bytes are not read at all.

The body limit equals Starlette's in-memory threshold for form files (1 MiB), so no
form part of a bounded body is ever written to disk, and it holds the CLI's largest
assessment file (:data:`hiplab.assess.parse.MAX_BYTES`), which the API also takes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from python_multipart.multipart import parse_options_header
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hiplab.web.authz import CSRF_MESSAGE, MAX_FORM_FIELDS, Denied, Rule, route_rules
from hiplab.web.errors import Refused, denied_response, error_response
from hiplab.web.security import (
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    SessionCodec,
    csrf_matches,
)

if TYPE_CHECKING:
    from hiplab.settings import Settings

MAX_BODY_BYTES = 2**20
"""The largest request body of every route but the video uploads (1 MiB)."""
TOO_LARGE = (
    f"the request body is too large; allowed: at most {MAX_BODY_BYTES // 2**20} MB "
    "(a video goes through the upload form)"
)
TOO_MANY_FIELDS = f"the form has too many fields; allowed: at most {MAX_FORM_FIELDS}"
NOT_JSON_NUMBER = "the body has NaN or Infinity, which JSON does not allow; allowed: finite numbers"
NOT_UNICODE = (
    "the body has text that is not valid Unicode (an unpaired surrogate such as \\ud800); "
    "allowed: text in UTF-8"
)
UPLOAD_FORM_SLACK = 64 * 1024
"""Bytes a video upload's body may have beyond its video, for the other fields and boundaries."""


def upload_limit(settings: Settings) -> int:
    """Return the largest video accepted, in bytes (``max_upload_mb``)."""
    return settings.max_upload_mb * 2**20


def upload_body_limit(settings: Settings) -> int:
    """Return the largest body of a video upload: the video and :data:`UPLOAD_FORM_SLACK`."""
    return upload_limit(settings) + UPLOAD_FORM_SLACK


CLOSE = {"Connection": "close"}
"""Sent with a refusal before the whole body was read: the rest is not read at all."""
JSON_TYPES = ("application/json",)
URLENCODED = b"application/x-www-form-urlencoded"
MULTIPART = b"multipart/form-data"


@dataclass(frozen=True)
class RoutePolicy:
    """What the middleware must know of one route, before the route runs."""

    route: BaseRoute
    needs_login: bool
    upload: bool


def route_policies(
    app: FastAPI, *, uploads: Collection[Callable[..., Any]]
) -> tuple[RoutePolicy, ...]:
    """Return the policy of every route of ``app``, in the app's order.

    Parameters
    ----------
    app : FastAPI
        The app, with all its routes (their rules were checked by ``check_routes``).
    uploads : collection of callables
        The endpoints that take a video and count its body themselves.

    """
    rules = route_rules(app)  # one entry per route, in the same order
    return tuple(
        RoutePolicy(
            route=route,
            needs_login=rule.rules != (Rule.public,),
            upload=getattr(route, "endpoint", None) in uploads,
        )
        for route, rule in zip(app.routes, rules, strict=True)
    )


class BodyLimitMiddleware:
    """Bound every request before its body is read (see the module's docstring).

    Parameters
    ----------
    app : ASGIApp
        The app behind the middleware.
    codec : SessionCodec
        Reads the session cookie (the guard checks the rest later).
    policies : sequence of RoutePolicy
        The routes of the app (:func:`route_policies`).

    """

    def __init__(
        self, app: ASGIApp, *, codec: SessionCodec, policies: Sequence[RoutePolicy]
    ) -> None:
        self.app = app
        self.codec = codec
        self.policies = policies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what can be refused unread; pass the rest on with a counted body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        policy = None if request.method in SAFE_METHODS else self._policy(scope)
        if policy is not None and policy.upload:
            refusal = self._unread_refusal(request, policy, size_checked=False)
            await (refusal or self.app)(scope, receive, send)
            return
        refusal = self._unread_refusal(request, policy, size_checked=True)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        counted = _counted(receive, request)
        try:
            if request.headers.get("content-type", "").startswith(JSON_TYPES):
                counted = await _strict_json(counted)
        except Refused as exc:
            await error_response(request, exc.status_code, exc.detail, headers=exc.headers)(
                scope, receive, send
            )
            return
        await self.app(scope, counted, send)

    def _policy(self, scope: Scope) -> RoutePolicy | None:
        for policy in self.policies:
            if policy.route.matches(scope)[0] is Match.FULL:
                return policy
        return None

    def _unread_refusal(
        self, request: Request, policy: RoutePolicy | None, *, size_checked: bool
    ) -> Callable[[Scope, Receive, Send], Awaitable[None]] | None:
        """Return the answer to a request refused before any byte of its body is read."""
        declared = request.headers.get("content-length", "")
        if size_checked and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return error_response(request, 413, TOO_LARGE, headers=CLOSE)
        if request.method in SAFE_METHODS:
            return None
        session = self.codec.decode(request.cookies.get(SESSION_COOKIE))
        header = request.headers.get(CSRF_HEADER)
        if session is None or (header is not None and not csrf_matches(session.csrf, header)):
            return error_response(request, 403, CSRF_MESSAGE, headers=CLOSE)
        if policy is not None and policy.needs_login and session.user_id is None:
            refusal = denied_response(request, Denied(401, "log in first"))
            refusal.headers.update(CLOSE)
            return refusal
        return None


def _counted(receive: Receive, request: Request) -> Receive:
    """Wrap ``receive``: past :data:`MAX_BODY_BYTES`, or too many form fields, refuse."""
    received = 0
    fields = _field_counter(request.headers.get("content-type", ""))

    async def receive_counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > MAX_BODY_BYTES:
                raise Refused(413, TOO_LARGE, headers=CLOSE)
            if fields is not None and fields(chunk) > MAX_FORM_FIELDS:
                raise Refused(413, TOO_MANY_FIELDS, headers=CLOSE)
        return message

    return receive_counted


def _field_counter(content_type: str) -> Callable[[bytes], int] | None:
    """Return a function that counts a form's fields as its chunks arrive (an upper bound).

    A URL-encoded form separates fields by ``&`` (or ``;``); a multipart form starts
    every part with ``--boundary``, so the parts are its occurrences less the closing one.
    """
    kind, options = parse_options_header(content_type)
    if kind == URLENCODED:
        separators = 0

        def count_separators(chunk: bytes) -> int:
            nonlocal separators
            separators += chunk.count(b"&") + chunk.count(b";")
            return separators + 1

        return count_separators
    boundary = options.get(b"boundary")
    if kind != MULTIPART or not boundary:
        return None
    delimiter = b"--" + boundary
    seen = 0
    tail = b""

    def count_parts(chunk: bytes) -> int:
        nonlocal seen, tail
        window = tail + chunk  # a delimiter may be split between two chunks
        seen += window.count(delimiter)  # the tail is too short to hold a whole one
        tail = window[-(len(delimiter) - 1) :]
        return seen - 1

    return count_parts


async def _strict_json(receive: Receive) -> Receive:
    """Read a (bounded) JSON body; refuse NaN, Infinity and unpaired surrogates in it.

    Returns a ``receive`` that replays the body, then passes on what follows (the
    client's disconnect). Text that is not JSON at all is left to the route, whose
    answer names where it broke.
    """
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return _replay(b"".join(chunks), receive, first=message)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    problem = _json_problem(body)
    if problem is not None:
        raise Refused(422, problem)
    return _replay(body, receive)


def _json_problem(body: bytes) -> str | None:
    def refuse_constant(_name: str) -> Any:
        raise Refused(422, NOT_JSON_NUMBER)

    try:
        value = json.loads(body, parse_constant=refuse_constant)
        # Unpaired surrogates parse (as "\ud800" escapes, or as raw bytes) but no
        # encoder can write them back; encoding the value finds them anywhere in it.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except Refused as exc:
        return str(exc.detail)
    except UnicodeError:
        return NOT_UNICODE
    except (ValueError, RecursionError):
        return None  # not JSON: the route answers with where it broke
    return None


def _replay(body: bytes, receive: Receive, *, first: Message | None = None) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if first is not None:
        pending.append(first)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay
