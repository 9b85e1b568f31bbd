"""Authorization in one place: every route declares one rule, one dependency enforces it.

A route states its rule by taking its viewer through one of the aliases below, e.g.
``viewer: CoachViewer`` (or ``dependencies=[Depends(guard(Rule.coach))]`` when it needs
no viewer). The guard, run before the route body, also checks the CSRF token of every
state-changing request (see :mod:`hiplab.web.security`).

========================  ==========================================================
rule                      who passes
========================  ==========================================================
``public``                anyone (the viewer is None when not logged in)
``authenticated``         any logged-in user
``coach``                 a coach
``client``                a client
``person_access``         the person's coach, or the client who is that person
``coach_of_person``       only the person's coach
========================  ==========================================================

Refusals: not logged in → 401 (pages redirect to the login page) — also a session
that has ended: logged out (its row in ``login_session`` is ended), its login deleted,
or its ``session_epoch`` no longer the login's (a password change or "log out
everywhere"); the guard replaces it with an anonymous session; more writes by one login
than ``writes_per_minute`` → 429 with ``Retry-After``; logged in with the wrong role
→ 403; a person (or anything of a person) that is not the viewer's → 404, exactly as
if it did not exist, so ids of other people's data reveal nothing.

The person of a request comes from its path parameters through :data:`PERSON_PARAMS`
(``person_id`` itself, ``assessment_id`` → its person, ``job_id`` → its person). A
route with such a parameter must use a person rule, and every parameter must be known
(:data:`PERSON_PARAMS` or :data:`FREE_PARAMS`): :func:`check_routes` refuses any app
that breaks this, and the test suite runs it over every route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cache
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute

from hiplab.errors import NotFoundError
from hiplab.records.refs import PersonRef
from hiplab.store import Store, StoredUser, storable
from hiplab.store.tables import utcnow
from hiplab.web.deps import AppState, app_state
from hiplab.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    SessionData,
    csrf_matches,
    new_session,
    session_digest,
    wait_in_words,
)

NEW_SESSION_KEY = "hiplab_new_session"
"""Key in ``request.state`` of a session the response must set as the cookie."""
RULE_ATTRIBUTE = "__hiplab_rule__"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FORM_FIELDS = 500
"""The most fields (or multipart parts) a form may have; the assessment form has ~130."""
MAX_FORM_FILES = 1
"""The most files a form may carry: the video upload has one, every other form none."""
NOT_FOUND = "not found"
CSRF_MESSAGE = "the form has expired or did not come from this site; reload the page and try again"
LAST_SEEN_STEP = timedelta(minutes=5)
"""A session's ``last_seen_at`` is written at most this often (not on every request)."""
UNLIMITED_WRITES = frozenset({"/logout", "/logout-all", "/api/v1/me/logout-all"})
"""Writes the write-rate limit never refuses: ending sessions must always work."""


class Rule(StrEnum):
    """Who may use a route."""

    public = "public"
    authenticated = "authenticated"
    coach = "coach"
    client = "client"
    person_access = "person_access"
    coach_of_person = "coach_of_person"


PERSON_RULES = frozenset({Rule.person_access, Rule.coach_of_person})


@dataclass(frozen=True)
class Viewer:
    """The logged-in user of a request and the session's CSRF token (for forms)."""

    user: StoredUser
    csrf: str

    @property
    def id(self) -> int:
        """The login's id."""
        return self.user.id

    @property
    def is_coach(self) -> bool:
        """Whether the viewer is a coach."""
        return self.user.role == "coach"


class Denied(Exception):
    """A request refused by the guard: ``status`` 401, 403 or 404 and a message."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def _assessment_person(store: Store, assessment_id: int) -> int:
    return store.assessments.owner(assessment_id=assessment_id)


def _job_person(store: Store, job_id: int) -> int:
    person_id = store.jobs.get(job_id=job_id).person_id
    if person_id is None:
        raise NotFoundError(f"job {job_id} is not about a person")
    return person_id


def _plan_person(store: Store, plan_id: int) -> int:
    return store.plans.owner(plan_id=plan_id)


PERSON_PARAMS: Mapping[str, Callable[[Store, int], int]] = {
    "person_id": lambda _store, person_id: person_id,
    "assessment_id": _assessment_person,
    "job_id": _job_person,
    "plan_id": _plan_person,
}
"""Path parameters that name a person's data, and how to find the person.

Add one entry here for a new kind of person-owned record (``plan_id``, ``video_id``…);
the guard and :func:`check_routes` pick it up."""

FREE_PARAMS = frozenset({"path", "fmt", "file"})
"""Path parameters that name no person's data (static file paths, output formats, the
name of a job's output file from a fixed allow-list)."""


SESSION_ENDED = (
    "your session has ended (you logged out, the password was changed, or all sessions "
    "were ended); log in again"
)
"""The 401 message when a logged-in session is no longer valid."""


@cache
def guard(rule: Rule) -> Callable[[Request], Awaitable[Viewer | None]]:
    """Return the dependency that enforces ``rule`` (one per rule, so FastAPI caches it)."""

    async def enforce(request: Request) -> Viewer | None:
        return await _enforce(request, rule)

    enforce.__name__ = f"guard_{rule.value}"
    setattr(enforce, RULE_ATTRIBUTE, rule)
    return enforce


PublicViewer = Annotated[Viewer | None, Depends(guard(Rule.public))]
AnyViewer = Annotated[Viewer, Depends(guard(Rule.authenticated))]
CoachViewer = Annotated[Viewer, Depends(guard(Rule.coach))]
ClientViewer = Annotated[Viewer, Depends(guard(Rule.client))]
PersonViewer = Annotated[Viewer, Depends(guard(Rule.person_access))]
PersonCoachViewer = Annotated[Viewer, Depends(guard(Rule.coach_of_person))]


def current_session(request: Request) -> SessionData:
    """Return the request's session (the guard has read or started it)."""
    session: SessionData = request.state.session
    return session


def start_session(request: Request, session: SessionData) -> None:
    """Make ``session`` the request's session and have the response set its cookie."""
    request.state.session = session
    setattr(request.state, NEW_SESSION_KEY, session)


def begin_login(request: Request, store: Store, user: StoredUser) -> None:
    """Start a logged-in session of ``user``: its row in the store, then the cookie.

    A new session id and CSRF token (no session fixation); the store forgets the
    login's ended and expired sessions at the same time. Call it from a worker thread.
    """
    session = new_session(user.id, epoch=user.session_epoch)
    assert session.sid is not None  # a logged-in session always has its id
    max_age = timedelta(seconds=app_state(request).codec.max_age_seconds)
    store.accounts.start_session(
        user_id=user.id, digest=session_digest(session.sid), expired_before=utcnow() - max_age
    )
    start_session(request, session)


def end_this_session(request: Request, store: Store) -> None:
    """End the request's session in the store (logout) and give it an anonymous one.

    A copy of the old cookie is refused from then on; the login's other sessions stay.
    Call it from a worker thread.
    """
    sid = current_session(request).sid
    if sid is not None:
        store.accounts.end_session(digest=session_digest(sid))
    start_session(request, new_session())


async def _enforce(request: Request, rule: Rule) -> Viewer | None:
    state = app_state(request)
    session = state.codec.decode(request.cookies.get(SESSION_COOKIE))
    if session is None:
        session = new_session()
        start_session(request, session)
    else:
        request.state.session = session
    if request.method not in SAFE_METHODS and not csrf_matches(
        session.csrf, await _submitted_token(request)
    ):
        raise Denied(403, CSRF_MESSAGE)
    viewer = await run_in_threadpool(_load_viewer, state, session)
    ended = viewer is None and session.user_id is not None
    if ended:
        start_session(request, new_session())  # logged out, the login gone or ended
    if viewer is not None and request.method not in SAFE_METHODS:
        _limit_writes(state, viewer, request.url.path)
    if rule is Rule.public:
        return viewer
    if viewer is None:
        raise Denied(401, SESSION_ENDED if ended else "log in first")
    if rule is Rule.coach and not viewer.is_coach:
        raise Denied(403, "this is for coaches only")
    if rule is Rule.client and viewer.is_coach:
        raise Denied(403, "this is for clients only")
    if rule in PERSON_RULES:
        await run_in_threadpool(_check_person, state.store, viewer, rule, dict(request.path_params))
    return viewer


async def _submitted_token(request: Request) -> str | None:
    """Return the CSRF token of the header, else of the form field, else None.

    The form is read with bounds: Starlette keeps the first reading of a request's
    form, so a route that reads it later (the assessment form, the video upload) gets
    this one, and a form with more files or fields is refused here (400; the body
    limit's field count answers 413 first, see :mod:`hiplab.web.limits`).
    """
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(FORM_TYPES):
        form = await request.form(max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FIELDS)
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def _load_viewer(state: AppState, session: SessionData) -> Viewer | None:
    if session.user_id is None or session.sid is None:
        return None  # anonymous, or a cookie from before sessions were stored
    digest = session_digest(session.sid)
    started_after = utcnow() - timedelta(seconds=state.codec.max_age_seconds)
    found = state.store.accounts.live_session_user(
        digest=digest, user_id=session.user_id, started_after=started_after
    )
    if found is None:
        return None  # logged out, ended everywhere, expired, or its login deleted
    user, last_seen = found
    if user.session_epoch != session.epoch:
        return None  # ended by a password change or "log out everywhere"
    if utcnow() - last_seen >= LAST_SEEN_STEP:
        state.store.accounts.touch_session(digest=digest)
    return Viewer(user=user, csrf=session.csrf)


def _limit_writes(state: AppState, viewer: Viewer, path: str) -> None:
    """Count a write of the viewer's login; refuse it (429) beyond the limit."""
    if path in UNLIMITED_WRITES:
        return
    wait = state.limits.writes.take(f"login {viewer.id}")
    if wait is not None:
        raise Denied(
            429,
            f"too many changes in a short time: at most {state.limits.writes_per_minute} "
            f"a minute per login; try again in {wait_in_words(wait)}",
            retry_after=wait,
        )


def _record_id(value: Any) -> int:
    """Return a path parameter as a record id; ValueError when no record can have it."""
    number = int(value)
    if not storable(number):  # found by the API fuzzing
        raise ValueError(f"{number} is not a record id")
    return number


def person_of_request(store: Store, path_params: Mapping[str, Any]) -> int:
    """Return the one person named by a request's path parameters.

    Raises
    ------
    Denied
        404 when a parameter is not an id, names nothing, or two name different people.

    """
    people = set()
    for name, resolve in PERSON_PARAMS.items():
        if name not in path_params:
            continue
        try:
            people.add(resolve(store, _record_id(path_params[name])))
        except (ValueError, NotFoundError):
            raise Denied(404, NOT_FOUND) from None
    if len(people) != 1:
        raise Denied(404, NOT_FOUND)
    return people.pop()


def _check_person(store: Store, viewer: Viewer, rule: Rule, path_params: Mapping[str, Any]) -> None:
    person_id = person_of_request(store, path_params)
    if viewer.is_coach:
        try:
            allowed = store.people.get(person=PersonRef.by_id(person_id)).coach_id == viewer.id
        except NotFoundError:
            allowed = False  # same answer as for someone else's person
    else:
        allowed = rule is Rule.person_access and viewer.user.person_id == person_id
    if not allowed:
        raise Denied(404, NOT_FOUND)


@dataclass(frozen=True)
class RouteRule:
    """A route of the app and the rules it declares (exactly one when all is well)."""

    path: str
    methods: frozenset[str]
    name: str
    rules: tuple[Rule, ...]
    params: frozenset[str]


def _rules_of(dependant: Any) -> Iterator[Rule]:
    rule = getattr(dependant.call, RULE_ATTRIBUTE, None)
    if isinstance(rule, Rule):
        yield rule
    for sub in dependant.dependencies:
        yield from _rules_of(sub)


def system_paths(app: FastAPI) -> frozenset[str]:
    """Return the public paths FastAPI and the app add themselves (schema, docs, static)."""
    paths = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    return frozenset(p for p in paths if p) | {"/static"}


def route_rules(app: FastAPI) -> list[RouteRule]:
    """List every route of ``app`` with its declared rules and path parameters."""
    system = system_paths(app)
    out = []
    for route in app.routes:
        out.append(_route_rule(route, system))
    return out


def _route_rule(route: BaseRoute, system: frozenset[str]) -> RouteRule:
    path = getattr(route, "path", "")
    params = frozenset(getattr(route, "param_convertors", {}))
    if isinstance(route, APIRoute):
        rules = tuple(dict.fromkeys(_rules_of(route.dependant)))
        methods = frozenset(route.methods or ())
    else:
        rules = (Rule.public,) if path in system else ()
        methods = frozenset(getattr(route, "methods", None) or ())
    name = getattr(route, "name", None) or type(route).__name__
    return RouteRule(path=path, methods=methods, name=name, rules=rules, params=params)


def route_problems(app: FastAPI) -> list[str]:
    """Return what is wrong with the declared rules of ``app`` (empty when all is well)."""
    problems = []
    for route in route_rules(app):
        where = f"{sorted(route.methods)} {route.path} ({route.name})"
        if len(route.rules) != 1:
            problems.append(f"{where}: declares {len(route.rules)} rules; exactly one needed")
            continue
        unknown = route.params - set(PERSON_PARAMS) - FREE_PARAMS
        if unknown:
            problems.append(f"{where}: path parameters {sorted(unknown)} are not in authz")
        names_person = bool(route.params & set(PERSON_PARAMS))
        if names_person != (route.rules[0] in PERSON_RULES):
            problems.append(
                f"{where}: rule {route.rules[0].value} but "
                f"{'a' if names_person else 'no'} person parameter"
            )
    return problems


def check_routes(app: FastAPI) -> None:
    """Refuse an app whose routes break the rules above (called by ``create_app``).

    Raises
    ------
    RuntimeError
        Listing every route without exactly one rule or with unexpected parameters.

    """
    problems = route_problems(app)
    if problems:
        raise RuntimeError("routes without a proper authorization rule:\n" + "\n".join(problems))
