"""Programmes and sessions in the browser and the API: generate, assign, edit, run, log.

Pages (``router``; they work without JavaScript):

* ``/people/{person_id}/plans``: the person's programme, earlier plans, session log and
  adherence; for their coach the "Generate programme" form (``hiplab plan``'s options).
* ``POST /people/{person_id}/plans/preview`` shows a generated programme with an
  "Assign" button; ``POST /people/{person_id}/plans`` regenerates it from the same
  assessment and options and stores it (the browser never sends a programme back, so
  nothing but the planner's output is ever assigned).
* ``/plans/{plan_id}``: weeks, items with dose and picture; ``/plans/{plan_id}/edit``
  swaps an item's exercise or changes its dose (the coach only).
* ``/me/session``: the client's session of today, a checklist form that
  ``static/session.js`` turns into a timed, spoken session.

The API (``api_router``, under ``/api/v1``) offers the same use-cases as JSON. Every
route calls :mod:`hiplab.services.programmes`; authorization: the person's coach for
generating, assigning and editing (``coach_of_person``), the coach or the client for
reading and for logging a session (``person_access``), the client for ``/me/session``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hiplab.errors import InputError, NotFoundError
from hiplab.plan.edit import DOSE_LIMITS, SCOPES, DoseChange, Edit, Scope, Swap
from hiplab.records.refs import PersonRef
from hiplab.services import plans, programmes
from hiplab.services.catalogue import library
from hiplab.store import Store, StoredPlan
from hiplab.web.api import PREFIX
from hiplab.web.authz import ClientViewer, PersonCoachViewer, PersonViewer, Viewer
from hiplab.web.deps import StoreDep
from hiplab.web.pages import render, see_other
from hiplab.web.plan_schemas import (
    ChecklistForm,
    ChoicesOut,
    DoseIn,
    EditForm,
    PlanForm,
    PlanOptions,
    PlanOut,
    PreviewOut,
    SessionIn,
    SessionOut,
    SessionsOut,
    SwapIn,
    TodayOut,
)
from hiplab.web.plan_views import DEFAULT_OPTIONS, form_choices, picture, week_views

if TYPE_CHECKING:
    from hiplab.plan.generate import PlanRequest

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix=PREFIX, tags=["plans"])

SPEED_RANGE = (0.01, 1000.0)
"""Allowed ``?speed=`` of the session page (as ``hiplab session --time-scale``)."""
PLAN_FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "ics": "text/calendar; charset=utf-8",
}


# ------------------------------------------------------------------- helpers
def _whole(name: str, raw: str, allowed: str) -> int:
    """Return a whole number typed in a form, or say which field is wrong and why."""
    text = raw.strip()
    if not text.lstrip("-").isdigit():
        raise InputError(f"{name} {text!r} is not a whole number; allowed: {allowed}")
    return int(text)


def _optional_whole(name: str, raw: str) -> int | None:
    low, high = DOSE_LIMITS[name]
    return _whole(name, raw, f"{low} to {high}") if raw.strip() else None


def _plan_request(form: dict[str, Any]) -> PlanRequest:
    """Check the generate form with ``hiplab plan``'s rules and messages."""
    numbers = {}
    for name in ("minutes", "sessions_per_week", "weeks"):
        low, high = plans.LIMITS[name]
        flag = "--" + name.replace("_", "-")
        numbers[name] = _whole(flag, form[name], f"{low} to {high}")
    return programmes.plan_request(
        **numbers,
        equipment=",".join(form["equipment"]) or None,
        avoid_positions=",".join(form["avoid_positions"]) or None,
    )


def _scope(raw: str) -> Scope:
    for scope in SCOPES:
        if raw == scope:
            return scope
    raise InputError(f"scope {raw!r} is not allowed; allowed: {', '.join(SCOPES)}")


def _person_of_plan(store: Store, plan_id: int) -> int:
    return store.plans.owner(plan_id=plan_id)


def _own_person(viewer: Viewer) -> int:
    assert viewer.user.person_id is not None  # a client login always has its person
    return viewer.user.person_id


# ---------------------------------------------------------------- plan pages
def _plans_page(
    request: Request,
    viewer: Viewer,
    store: Store,
    person_id: int,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    person = store.people.get(person=PersonRef.by_id(person_id))
    plans = programmes.plans_of(store=store, person_id=person_id)
    history = programmes.session_history(store=store, person_id=person_id, today=dt.date.today())
    return render(
        request,
        "plans.html.j2",
        viewer=viewer,
        status=status,
        title=f"Programme · {person.name}" if viewer.is_coach else "Your programme",
        person=person,
        plans=plans,
        history=history,
        form=form or {**DEFAULT_OPTIONS, "equipment": [], "avoid_positions": []},
        choices=form_choices(library()),
        error=error,
    )


@router.get("/people/{person_id}/plans", name="person_plans")
def person_plans(
    request: Request, person_id: int, viewer: PersonViewer, store: StoreDep
) -> HTMLResponse:
    """Show a person's current programme, earlier plans, session log and adherence."""
    return _plans_page(request, viewer, store, person_id)


@router.post("/people/{person_id}/plans/preview", name="plan_preview")
def plan_preview(
    request: Request,
    person_id: int,
    viewer: PersonCoachViewer,
    store: StoreDep,
    body: Annotated[PlanForm, Form()],
) -> HTMLResponse:
    """Generate a programme from the latest assessment and show it with an Assign button."""
    form = body.model_dump()
    try:
        made = programmes.generate(store=store, person_id=person_id, request=_plan_request(form))
        if made.programme.refer:
            raise InputError(made.programme.reason)
    except NotFoundError:
        raise
    except InputError as exc:
        return _plans_page(request, viewer, store, person_id, form=form, error=str(exc), status=422)
    return render(
        request,
        "plan_preview.html.j2",
        viewer=viewer,
        title=f"New programme · {made.person.name}",
        person=made.person,
        programme=made.programme,
        assessment_id=made.assessment_id,
        weeks=week_views(made.programme, library()),
        form=form,
    )


@router.post("/people/{person_id}/plans", name="plan_assign", response_model=None)
def plan_assign(
    request: Request,
    person_id: int,
    viewer: PersonCoachViewer,
    store: StoreDep,
    body: Annotated[PlanForm, Form()],
) -> HTMLResponse | RedirectResponse:
    """Store the programme of the preview (made again from the same assessment and options)."""
    form = body.model_dump()
    try:
        source = _whole("assessment_id", body.assessment_id, "an assessment of this person")
        plan = programmes.assign(
            store=store, person_id=person_id, request=_plan_request(form), assessment_id=source
        )
    except NotFoundError:
        raise
    except InputError as exc:
        return _plans_page(request, viewer, store, person_id, form=form, error=str(exc), status=422)
    return see_other(f"/plans/{plan.id}?assigned=1")


@router.get("/plans/{plan_id}", name="plan_page")
def plan_page(
    request: Request,
    plan_id: int,
    viewer: PersonViewer,
    store: StoreDep,
    assigned: int = 0,
    changed: str = Query("", max_length=40),
) -> HTMLResponse:
    """Show a plan: weeks, items with dose and picture; the coach's edit links."""
    plan = store.plans.get(plan_id=plan_id)
    person = store.people.get(person=PersonRef.by_id(_person_of_plan(store, plan_id)))
    latest = programmes.plans_of(store=store, person_id=person.id)[0]
    return render(
        request,
        "plan.html.j2",
        viewer=viewer,
        title=f"Plan {plan.id} · {person.name}",
        plan=plan,
        person=person,
        current=latest.id == plan.id,
        weeks=week_views(plan.programme, library()),
        assigned=bool(assigned),
        changed=changed,
    )


def _edit_page(
    request: Request,
    viewer: Viewer,
    store: Store,
    plan_id: int,
    *,
    week: int,
    item: int,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    found = programmes.item_choices(store=store, plan_id=plan_id, week=week, item=item)
    lib = library()
    exercise = lib.exercises[found.planned.exercise_id]
    return render(
        request,
        "plan_edit.html.j2",
        viewer=viewer,
        status=status,
        title=f"Change {found.planned.name} · plan {plan_id}",
        found=found,
        planned=found.planned,
        holds=exercise.dosage.hold_s is not None,
        limits=DOSE_LIMITS,
        pictures={c.exercise.id: picture(c.exercise, width=96, height=80) for c in found.choices},
        current_picture=picture(exercise, width=96, height=80),
        error=error,
    )


@router.get("/plans/{plan_id}/edit", name="plan_edit")
def plan_edit(
    request: Request,
    plan_id: int,
    viewer: PersonCoachViewer,
    store: StoreDep,
    week: int = 1,
    item: int = 1,
) -> HTMLResponse:
    """Show the swap and dose forms of one item (``?week=W&item=N``, 1-based)."""
    return _edit_page(request, viewer, store, plan_id, week=week, item=item)


def _week_item(body: EditForm) -> tuple[int, int]:
    return (
        _whole("week", body.week, "a week of the plan"),
        _whole("item", body.item, "an item of the week"),
    )


def _form_edit(
    request: Request,
    viewer: Viewer,
    store: Store,
    plan_id: int,
    *,
    week: int,
    item: int,
    edit: Callable[[], Edit],
) -> HTMLResponse | RedirectResponse:
    """Apply the edit a form describes and go back to the plan at the changed item.

    ``edit`` reads the form (it may raise InputError); a refused form or edit shows
    the edit page again with the message (422).
    """
    try:
        programmes.edit_plan(store=store, plan_id=plan_id, edit=edit())
    except NotFoundError:
        raise
    except InputError as exc:
        return _edit_page(
            request, viewer, store, plan_id, week=week, item=item, error=str(exc), status=422
        )
    return see_other(f"/plans/{plan_id}?changed={week}-{item}#week-{week}")


@router.post("/plans/{plan_id}/swap", name="plan_swap", response_model=None)
def plan_swap(
    request: Request,
    plan_id: int,
    viewer: PersonCoachViewer,
    store: StoreDep,
    body: Annotated[EditForm, Form()],
) -> HTMLResponse | RedirectResponse:
    """Swap an item's exercise for a listed variant (refused when a precaution forbids it)."""
    w, n = _week_item(body)

    def swap() -> Swap:
        if not body.exercise_id:
            raise InputError("exercise_id is empty; choose the exercise to swap to")
        return Swap(week=w, item=n, exercise_id=body.exercise_id, scope=_scope(body.scope))

    return _form_edit(request, viewer, store, plan_id, week=w, item=n, edit=swap)


@router.post("/plans/{plan_id}/dose", name="plan_dose", response_model=None)
def plan_dose(
    request: Request,
    plan_id: int,
    viewer: PersonCoachViewer,
    store: StoreDep,
    body: Annotated[EditForm, Form()],
) -> HTMLResponse | RedirectResponse:
    """Change an item's sets and hold or repetitions within the library's ranges."""
    w, n = _week_item(body)

    def dose() -> DoseChange:
        return DoseChange(
            week=w,
            item=n,
            sets=_optional_whole("sets", body.sets),
            hold_s=_optional_whole("hold_s", body.hold_s),
            reps=_optional_whole("reps", body.reps),
            scope=_scope(body.scope),
        )

    return _form_edit(request, viewer, store, plan_id, week=w, item=n, edit=dose)


@router.get("/plans/{plan_id}/handout.{fmt}", name="plan_handout")
def plan_handout(
    plan_id: int, fmt: Literal["html", "pdf", "ics"], _viewer: PersonViewer, store: StoreDep
) -> Response:
    """Return the plan as ``hiplab plan -f html|pdf|ics`` renders it."""
    plan = store.plans.get(plan_id=plan_id)
    content = plans.render_plan(plan.programme, fmt)
    headers = {}
    if fmt != "html":
        headers["Content-Disposition"] = f'attachment; filename="plan-{plan_id}.{fmt}"'
    return Response(content, media_type=PLAN_FORMATS[fmt], headers=headers)


# ------------------------------------------------------------- session pages
def _speed(raw: str | None) -> float:
    """Return the session page's time scale (``?speed=N``), 1 when not given."""
    low, high = SPEED_RANGE
    if raw is None or not raw.strip():
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise InputError(
            f"speed {raw!r} is not allowed; allowed: a number from {low:g} to {high:g}"
        )
    return value


def _session_page(
    request: Request,
    viewer: Viewer,
    store: Store,
    *,
    week: int | None,
    speed: float,
    logged: int | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    person_id = _own_person(viewer)
    guided, message = None, None
    try:
        guided = programmes.todays_session(store=store, person_id=person_id, week=week)
    except NotFoundError:
        message = "You have no programme yet: your coach assigns one."
    except InputError as exc:
        message = str(exc)
    script = programmes.session_script(guided) if guided else None
    return render(
        request,
        "session.html.j2",
        viewer=viewer,
        status=status,
        title="Today's session",
        person_id=person_id,
        guided=guided,
        script=script,
        total=sum(i.duration_s for i in guided.items) if guided else 0,
        speed=speed,
        started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        message=message,
        logged=logged,
        error=error,
    )


@router.get("/me/session", name="client_session")
def client_session(
    request: Request,
    viewer: ClientViewer,
    store: StoreDep,
    week: int | None = None,
    speed: str | None = Query(None, max_length=20),
    logged: int | None = None,
) -> HTMLResponse:
    """Show today's session: a checklist, or with JavaScript a timed session with voice."""
    try:
        scale = _speed(speed)
    except InputError as exc:
        return _session_page(
            request, viewer, store, week=week, speed=1.0, error=str(exc), status=422
        )
    return _session_page(request, viewer, store, week=week, speed=scale, logged=logged)


@router.post("/me/session", name="client_session_log", response_model=None)
def client_session_log(
    request: Request,
    viewer: ClientViewer,
    store: StoreDep,
    body: Annotated[ChecklistForm, Form()],
) -> HTMLResponse | RedirectResponse:
    """Log the session as ticked in the checklist (what ``hiplab session`` stores)."""
    try:
        checklist = programmes.Checklist(
            plan_id=_whole("plan_id", body.plan_id, "your plan's id"),
            week=_whole("week", body.week, "a week of your plan"),
            done=frozenset(_whole("done", n, "item numbers of the week") for n in body.done),
            started_at=body.started_at,
            finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            discomfort=programmes.parse_score("discomfort", body.discomfort),
            effort=programmes.parse_score("effort", body.effort),
        )
        log_id = programmes.log_checklist(
            store=store, person_id=_own_person(viewer), checklist=checklist
        )
    except NotFoundError:
        raise
    except InputError as exc:
        return _session_page(
            request, viewer, store, week=None, speed=1.0, error=str(exc), status=422
        )
    return see_other(f"/me/session?logged={log_id}")


# ----------------------------------------------------------------------- API
@api_router.get("/people/{person_id}/plans")
def api_person_plans(person_id: int, _viewer: PersonViewer, store: StoreDep) -> list[PlanOut]:
    """List a person's plans, newest first (the first is the one sessions use)."""
    plans = programmes.plans_of(store=store, person_id=person_id)
    return [PlanOut.of(plan, person_id=person_id) for plan in plans]


def _options(body: PlanOptions) -> PlanRequest:
    return programmes.plan_request(
        minutes=body.minutes,
        sessions_per_week=body.sessions_per_week,
        weeks=body.weeks,
        equipment=",".join(body.equipment) or None,
        avoid_positions=",".join(body.avoid_positions) or None,
    )


@api_router.post("/people/{person_id}/plans/preview")
def api_plan_preview(
    person_id: int, body: PlanOptions, _viewer: PersonCoachViewer, store: StoreDep
) -> PreviewOut:
    """Make a programme as ``hiplab plan`` would, without storing it (422 on red flags)."""
    made = programmes.generate(
        store=store, person_id=person_id, request=_options(body), assessment_id=body.assessment_id
    )
    if made.programme.refer:
        raise InputError(made.programme.reason)
    return PreviewOut(
        person_id=person_id, assessment_id=made.assessment_id, programme=made.programme
    )


@api_router.post("/people/{person_id}/plans", status_code=201)
def api_plan_assign(
    person_id: int, body: PlanOptions, _viewer: PersonCoachViewer, store: StoreDep
) -> PlanOut:
    """Generate a programme from the latest (or a given) assessment and assign it."""
    plan = programmes.assign(
        store=store, person_id=person_id, request=_options(body), assessment_id=body.assessment_id
    )
    return PlanOut.of(plan, person_id=person_id)


def _plan_out(store: Store, plan: StoredPlan) -> PlanOut:
    """Return the API view of a stored plan (which names its person: the id is looked up)."""
    return PlanOut.of(plan, person_id=_person_of_plan(store, plan.id))


def _api_edit(store: Store, plan_id: int, edit: Edit) -> PlanOut:
    """Apply a swap or a dose change to a plan and return the plan as now stored."""
    return _plan_out(store, programmes.edit_plan(store=store, plan_id=plan_id, edit=edit))


@api_router.get("/plans/{plan_id}")
def api_plan(plan_id: int, _viewer: PersonViewer, store: StoreDep) -> PlanOut:
    """Return one plan with its programme."""
    return _plan_out(store, store.plans.get(plan_id=plan_id))


@api_router.get("/plans/{plan_id}/choices")
def api_plan_choices(
    plan_id: int, _viewer: PersonCoachViewer, store: StoreDep, week: int = 1, item: int = 1
) -> ChoicesOut:
    """List the variants item ``item`` of week ``week`` may be swapped for, and refusals."""
    found = programmes.item_choices(store=store, plan_id=plan_id, week=week, item=item)
    return ChoicesOut.of(found)


@api_router.post("/plans/{plan_id}/swap")
def api_plan_swap(
    plan_id: int, body: SwapIn, _viewer: PersonCoachViewer, store: StoreDep
) -> PlanOut:
    """Swap an item's exercise for a listed variant; 422 names a precaution it breaks."""
    return _api_edit(store, plan_id, body.edit())


@api_router.patch("/plans/{plan_id}/dose")
def api_plan_dose(
    plan_id: int, body: DoseIn, _viewer: PersonCoachViewer, store: StoreDep
) -> PlanOut:
    """Change an item's sets and hold or repetitions within the library's ranges."""
    return _api_edit(store, plan_id, body.edit())


@api_router.get("/people/{person_id}/sessions")
def api_sessions(person_id: int, _viewer: PersonViewer, store: StoreDep) -> SessionsOut:
    """Return a person's session log (newest first) and adherence to their latest plan."""
    history = programmes.session_history(store=store, person_id=person_id, today=dt.date.today())
    return SessionsOut(
        adherence=history.adherence,
        adherence_ratio=history.adherence_ratio,
        sessions=[SessionOut.of(row) for row in history.rows],
    )


@api_router.get("/people/{person_id}/sessions/today")
def api_session_today(
    person_id: int, _viewer: PersonViewer, store: StoreDep, week: int | None = None
) -> TodayOut:
    """Return the session to run now: items and the timed steps with their cues."""
    guided = programmes.todays_session(store=store, person_id=person_id, week=week)
    return TodayOut(person_id=person_id, script=programmes.session_script(guided))


@api_router.post("/people/{person_id}/sessions", status_code=201)
def api_log_session(
    person_id: int, body: SessionIn, _viewer: PersonViewer, store: StoreDep
) -> SessionOut:
    """Log a session as done (what ``hiplab session`` stores); 422 when it does not fit."""
    log_id = programmes.log_session(store=store, person_id=person_id, entry=body.entry())
    history = programmes.session_history(store=store, person_id=person_id, today=dt.date.today())
    return SessionOut.of(next(row for row in history.rows if row.id == log_id))
