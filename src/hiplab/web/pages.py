"""Server-rendered pages (Jinja2, autoescaped); they work without JavaScript.

Each route takes its viewer through an :mod:`~hiplab.web.authz` alias (its rule),
calls a service (:mod:`hiplab.services.clinic`) in a worker thread (the store is
synchronous) and renders a template from ``templates/``. Forms post back with the
hidden ``csrf_token``; after a successful POST the browser is redirected (303).
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from functools import cache, partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from hiplab.errors import InputError
from hiplab.records.intake import AssessmentInput, Sex
from hiplab.records.refs import PersonRef
from hiplab.services import clinic
from hiplab.store import PersonRecord, Store, StoredAssessment
from hiplab.web.assessment_form import form_groups, form_to_input, limit_choices, withheld_notes
from hiplab.web.authz import (
    AnyViewer,
    ClientViewer,
    CoachViewer,
    PersonViewer,
    PublicViewer,
    Viewer,
    begin_login,
    current_session,
    end_this_session,
)
from hiplab.web.deps import StateDep, StoreDep, app_state
from hiplab.web.security import wait_in_words
from hiplab.web.video_view import task_choices

router = APIRouter(include_in_schema=False)
LOGIN_FAILED = "email or password is wrong"
SEXES = tuple(s.value for s in Sex)


@cache
def template_environment() -> Environment:
    """Return the Jinja2 environment of the web pages (autoescaped, strict).

    The templates ship in the package and never change while a server runs, so they are
    not checked for changes (Jinja's ``auto_reload`` stats every template file of a
    page on every request).
    """
    env = Environment(
        loader=PackageLoader("hiplab.web", "templates"),
        auto_reload=False,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["task_choices"] = task_choices  # the upload form's list: the task registry's
    return env


def render(
    request: Request, template: str, *, viewer: Viewer | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page with the viewer and the session's CSRF token in its context."""
    env = app_state(request).templates
    html = env.get_template(template).render(
        viewer=viewer, csrf=current_session(request).csrf, **context
    )
    return HTMLResponse(html, status_code=status)


def see_other(path: str) -> RedirectResponse:
    """Redirect after a POST (or to the right home page) with 303 See Other."""
    return RedirectResponse(path, status_code=303)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def home_of(viewer: Viewer) -> str:
    """Return the start page of a viewer."""
    return "/coach" if viewer.is_coach else "/me"


@router.get("/", name="home")
def home(viewer: PublicViewer) -> RedirectResponse:
    """Send each viewer to their start page (the login page when logged out)."""
    return see_other("/login" if viewer is None else home_of(viewer))


@router.get("/login", name="login_form", response_model=None)
def login_form(
    request: Request, viewer: PublicViewer, next: str | None = None, ended: bool = False
) -> HTMLResponse | RedirectResponse:
    """Show the login form (or go home when already logged in); ``ended``: say why."""
    if viewer is not None:
        return see_other(home_of(viewer))
    return render(
        request,
        "login.html.j2",
        viewer=None,
        title="Log in",
        error=None,
        email="",
        next=next or "",
        ended=ended,
    )


@router.post("/login", name="login")
async def login(
    request: Request,
    _viewer: PublicViewer,
    state: StateDep,
    email: Annotated[str, Form(max_length=1000)],
    password: Annotated[str, Form(max_length=2000)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the e-mail and password; start a new session on success.

    Failures are limited per address and e-mail and, with a back-off, per account
    (:class:`~hiplab.web.security.LoginLimiter`); a refused attempt checks nothing.
    The address is the connection's, or the proxy's ``X-Forwarded-For`` only when
    uvicorn believes it (``forwarded_allow_ips``): this code never reads that header.
    """
    limiter = state.limits.login
    address = request.client.host if request.client else None
    wait = limiter.retry_after(address=address, email=email)
    if wait is not None:
        message = f"too many failed logins; try again in {wait_in_words(wait)}"
        response = _login_page(request, email, next, message, status=429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = await run_in_threadpool(
        clinic.authenticate, store=state.store, email=email, password=password
    )
    if user is None:
        limiter.failed(address=address, email=email)
        return _login_page(request, email, next, LOGIN_FAILED, status=401)
    limiter.succeeded(address=address, email=email)
    await run_in_threadpool(begin_login, request, state.store, user)
    return see_other(safe_next(next) or ("/coach" if user.role == "coach" else "/me"))


def _login_page(
    request: Request, email: str, next: str, error: str, *, status: int
) -> HTMLResponse:
    return render(
        request,
        "login.html.j2",
        viewer=None,
        status=status,
        title="Log in",
        error=error,
        email=email,
        next=next,
        ended=False,
    )


@router.post("/logout", name="logout")
def logout(request: Request, _viewer: PublicViewer, store: StoreDep) -> RedirectResponse:
    """End this session in the store (a copy of its cookie stops working) and go to login.

    The login's sessions in other browsers stay; a new anonymous session replaces this one.
    """
    end_this_session(request, store)
    return see_other("/login")


@router.post("/logout-all", name="logout_all")
def logout_all(request: Request, viewer: AnyViewer, store: StoreDep) -> RedirectResponse:
    """End every session of the viewer's login, in every browser, this one included."""
    store.accounts.end_sessions(user_id=viewer.id)
    end_this_session(request, store)
    return see_other("/login")


@router.get("/coach", name="coach_home")
def coach_home(request: Request, viewer: CoachViewer, store: StoreDep) -> HTMLResponse:
    """Show the coach's client list: last assessment, flags and adherence."""
    rows = clinic.client_rows(store=store, coach_id=viewer.id, today=date.today())
    return render(request, "coach_home.html.j2", viewer=viewer, title="Clients", rows=rows)


@router.get("/coach/clients/new", name="client_new_form")
def client_new_form(request: Request, viewer: CoachViewer) -> HTMLResponse:
    """Show the form that creates a client (and optionally their login)."""
    return _client_form(request, viewer, form={"name": "", "age": "", "sex": "", "email": ""})


def _client_form(
    request: Request,
    viewer: Viewer,
    *,
    form: dict[str, str],
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "client_new.html.j2",
        viewer=viewer,
        status=status,
        title="New client",
        form=form,
        sexes=SEXES,
        error=error,
    )


@router.post("/coach/clients", name="client_create", response_model=None)
def client_create(
    request: Request,
    viewer: CoachViewer,
    store: StoreDep,
    name: Annotated[str, Form(max_length=1000)],
    age: Annotated[str, Form(max_length=10)],
    sex: Annotated[str, Form(max_length=20)],
    email: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse | RedirectResponse:
    """Create the client; on bad input show the form again with the message."""
    form = {"name": name, "age": age, "sex": sex, "email": email}
    try:
        if not age.strip().isdigit():
            raise InputError(f"age {age!r} is not a whole number; allowed: 5 to 110")
        person = clinic.create_client(
            store=store,
            coach_id=viewer.id,
            name=name,
            age=int(age),
            sex=sex,
            email=email.strip() or None,
            password=password or None,
        )
    except InputError as exc:
        return _client_form(request, viewer, form=form, error=str(exc), status=422)
    return see_other(f"/people/{person.id}")


@router.get("/people/{person_id}", name="person_page")
def person_page(
    request: Request, person_id: int, viewer: PersonViewer, store: StoreDep
) -> HTMLResponse:
    """Show a person: latest findings with evidence grades, chain diagram, reports."""
    overview = clinic.person_overview(store=store, person_id=person_id, today=date.today())
    return _person(request, viewer, overview, heading=overview.person.name)


@router.get("/me", name="client_home")
def client_home(request: Request, viewer: ClientViewer, store: StoreDep) -> HTMLResponse:
    """Show a client their own latest findings and reports."""
    assert viewer.user.person_id is not None  # a client login always has its person
    overview = clinic.person_overview(
        store=store, person_id=viewer.user.person_id, today=date.today()
    )
    return _person(request, viewer, overview, heading="Your hips")


_LATEST_VIEWS: dict[tuple[int, datetime], tuple[list[Any], list[Any], Markup]] = {}
_LATEST_VIEWS_MAX = 512
_LATEST_VIEWS_LOCK = threading.Lock()


def _latest_view(latest: StoredAssessment) -> tuple[list[Any], list[Any], Markup]:
    """Return an assessment's finding rows, chains and chain diagram, made once per process.

    A saved assessment never changes, and its id with its creation time names it even
    across stores, so the parts are kept (at most ``_LATEST_VIEWS_MAX``, oldest dropped):
    laying out the diagram was a fifth of the time of a client's dashboard.
    """
    key = (latest.id, latest.created_at)
    with _LATEST_VIEWS_LOCK:
        found = _LATEST_VIEWS.get(key)
    if found is not None:
        return found
    from hiplab.report.chain_svg import chain_svg
    from hiplab.report.html import chain_views, finding_rows
    from hiplab.services.catalogue import library

    lib = library()
    diagram = Markup(  # trusted: chain_svg escapes every label
        chain_svg(
            latest.result.chains,
            latest.result.findings,
            node_labels={node.id: node.label for node in lib.chains.nodes},
            finding_labels={key: meaning.label for key, meaning in lib.findings.items()},
        )
    )
    made = (
        finding_rows(latest.result.findings, lib),
        chain_views(latest.result.chains, lib),
        diagram,
    )
    with _LATEST_VIEWS_LOCK:
        if len(_LATEST_VIEWS) >= _LATEST_VIEWS_MAX:
            _LATEST_VIEWS.pop(next(iter(_LATEST_VIEWS)))
        _LATEST_VIEWS[key] = made
    return made


def _person(
    request: Request, viewer: Viewer, overview: clinic.PersonOverview, *, heading: str
) -> HTMLResponse:
    latest = overview.latest
    findings, chains, diagram = _latest_view(latest) if latest else ([], [], Markup(""))
    return render(
        request,
        "person.html.j2",
        viewer=viewer,
        title=heading,
        heading=heading,
        o=overview,
        findings=findings,
        chains=chains,
        diagram=diagram,
    )


@router.get("/assessments/{assessment_id}/report.{fmt}", name="assessment_report")
def assessment_report(
    assessment_id: int, fmt: Literal["html", "pdf"], _viewer: PersonViewer, store: StoreDep
) -> Response:
    """Return an assessment's full report as the CLI renders it (HTML page or PDF)."""
    content = clinic.assessment_report(store=store, assessment_id=assessment_id, fmt=fmt)
    if fmt == "pdf":
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="assessment-{assessment_id}.pdf"'},
        )
    return HTMLResponse(content)


@router.get("/people/{person_id}/assessments/new", name="assessment_form")
def assessment_form(
    request: Request, person_id: int, viewer: PersonViewer, store: StoreDep
) -> HTMLResponse:
    """Show the assessment form, with the person's age and sex filled in."""
    person = store.people.get(person=PersonRef.by_id(person_id))
    values = {"person.age": str(person.age), "person.sex": person.sex.value}
    if viewer.is_coach:
        values["provenance"] = "clinician"
    return _assessment_page(request, viewer, person, store=store, values=values, multi={})


def _assessment_page(
    request: Request,
    viewer: Viewer,
    person: PersonRecord,
    *,
    store: Store,
    values: dict[str, str],
    multi: dict[str, list[str]],
    document: str = "",
    error: str | None = None,
) -> HTMLResponse:
    allowed = clinic.ENTERED_PROVENANCES[viewer.user.role]
    groups = limit_choices(form_groups(), "provenance", allowed)
    withheld = clinic.tests_not_suggested(store=store, person_id=person.id)
    return render(
        request,
        "assessment_form.html.j2",
        viewer=viewer,
        status=422 if error else 200,
        title="New assessment",
        person=person,
        groups=groups,
        notes=withheld_notes(groups, withheld),
        values=values,
        multi=multi,
        document=document,
        error=error,
    )


@router.post("/people/{person_id}/assessments", name="assessment_create", response_model=None)
async def assessment_create(
    request: Request, person_id: int, viewer: PersonViewer, state: StateDep
) -> HTMLResponse | RedirectResponse:
    """Assess and save the form (or a pasted file); on bad input show the CLI's message."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    multi = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}
    document = values.pop("document", "")
    store = state.store
    try:
        data = await run_in_threadpool(_input_of, values, multi, document)
        await run_in_threadpool(
            partial(
                clinic.record_assessment,
                store=store,
                person_id=person_id,
                data=data,
                recorded_by=viewer.user.role,
            )
        )
    except InputError as exc:
        person = await run_in_threadpool(store.people.get, person=PersonRef.by_id(person_id))
        return await run_in_threadpool(
            partial(
                _assessment_page,
                request,
                viewer,
                person,
                store=store,
                values=values,
                multi=multi,
                document=document,
                error=str(exc),
            )
        )
    return see_other(f"/people/{person_id}")


def _input_of(
    values: dict[str, str], multi: dict[str, list[str]], document: str
) -> AssessmentInput:
    if document.strip():
        from hiplab.assess.parse import parse_text

        # YAML is a superset of JSON: one parser for both, with the CLI's messages.
        return clinic.parse_assessment(parse_text(document, fmt="yaml", source="input"))
    return clinic.parse_assessment(form_to_input(values, multi))
