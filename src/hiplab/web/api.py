"""The REST API under ``/api/v1`` (JSON; OpenAPI document at ``/api/v1/openapi.json``).

Same rules, same services and same messages as the pages and the CLI. Authentication
is the session cookie of the login form; state-changing calls send the session's CSRF
token in ``X-CSRF-Token`` (``GET /api/v1/me`` returns it). Errors are
``{"detail": message}`` with 401/403/404 (see :mod:`hiplab.web.authz`), 422 for bad
input, 503 when the store is unavailable.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import HTMLResponse, Response

from hiplab.records.refs import PersonRef
from hiplab.services import clinic
from hiplab.store import AssessmentSummary, StoredAssessment
from hiplab.web.authz import AnyViewer, CoachViewer, PersonViewer, start_session
from hiplab.web.deps import StoreDep
from hiplab.web.schemas import AssessmentOut, MeOut, PersonCreate, PersonOut
from hiplab.web.security import new_session

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX)

_REPORT_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


@router.get("/me", tags=["session"])
def me(viewer: AnyViewer) -> MeOut:
    """Return the logged-in user and the CSRF token for state-changing calls."""
    user = viewer.user
    return MeOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        person_id=user.person_id,
        csrf_token=viewer.csrf,
    )


@router.post("/me/logout-all", tags=["session"], status_code=204)
def logout_all(request: Request, viewer: AnyViewer, store: StoreDep) -> Response:
    """End every session of the caller's login, in every browser, this one included.

    204; the response sets a fresh anonymous session cookie. Every cookie of this login
    issued before gets 401 from now on (log in again).
    """
    store.accounts.end_sessions(user_id=viewer.id)
    start_session(request, new_session())
    return Response(status_code=204)


@router.get("/people", tags=["people"])
def list_people(viewer: AnyViewer, store: StoreDep) -> list[PersonOut]:
    """List the people the viewer may see: a coach's clients, or a client themself."""
    if viewer.is_coach:
        people = store.people.of_coach(coach_id=viewer.id)
    else:
        assert viewer.user.person_id is not None  # a client login always has its person
        people = [store.people.get(person=PersonRef.by_id(viewer.user.person_id))]
    return [PersonOut.of(p) for p in people]


@router.post("/people", tags=["people"], status_code=201)
def create_person(body: PersonCreate, viewer: CoachViewer, store: StoreDep) -> PersonOut:
    """Create a client of the calling coach (with a login when email and password are set)."""
    person = clinic.create_client(
        store=store,
        coach_id=viewer.id,
        name=body.name,
        age=body.age,
        sex=body.sex,
        email=body.email,
        password=body.password,
    )
    return PersonOut.of(person)


@router.get("/people/{person_id}", tags=["people"])
def get_person(person_id: int, _viewer: PersonViewer, store: StoreDep) -> PersonOut:
    """Return one person."""
    return PersonOut.of(store.people.get(person=PersonRef.by_id(person_id)))


@router.get("/people/{person_id}/export", tags=["people"])
def export_person(
    person_id: int,
    _viewer: PersonViewer,
    store: StoreDep,
    fmt: Literal["json", "csv"] = Query("json", alias="format"),
) -> Response:
    """Export everything stored about a person (as ``hiplab export``)."""
    text = clinic.export_person(store=store, person_id=person_id, fmt=fmt)
    media = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
    disposition = f'attachment; filename="person-{person_id}.{fmt}"'
    return Response(text, media_type=media, headers={"Content-Disposition": disposition})


@router.get("/people/{person_id}/assessments", tags=["assessments"])
def list_assessments(
    person_id: int, _viewer: PersonViewer, store: StoreDep
) -> list[AssessmentSummary]:
    """List a person's assessments, oldest first."""
    return store.assessments.history(person=PersonRef.by_id(person_id))


ASSESSMENTS_PATH = "/people/{person_id}/assessments"


def add_body_schemas(openapi: dict[str, Any]) -> dict[str, Any]:
    """Document, in an OpenAPI document, the bodies that routes parse themselves.

    The assessment body is parsed by :func:`hiplab.services.clinic.parse_assessment` (so
    that bad input gets the CLI's messages), so FastAPI only knows it as an object; its
    JSON schema (the CLI's file format) is added under ``components.schemas`` and the
    route's request body refers to it.

    Raises
    ------
    RuntimeError
        If one of its schemas' names is already taken by a different schema.

    """
    from hiplab.records.intake import AssessmentInput

    schema = AssessmentInput.model_json_schema(ref_template="#/components/schemas/{model}")
    named = {**schema.pop("$defs", {}), AssessmentInput.__name__: schema}
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for name, value in named.items():
        if schemas.setdefault(name, value) != value:
            raise RuntimeError(f"two different OpenAPI schemas are named {name!r}")
    body = openapi["paths"][PREFIX + ASSESSMENTS_PATH]["post"]["requestBody"]
    body["content"]["application/json"]["schema"] = {
        "$ref": f"#/components/schemas/{AssessmentInput.__name__}",
        "description": "The assessment input, exactly as the CLI reads it from a JSON file.",
    }
    return openapi


@router.post(ASSESSMENTS_PATH, tags=["assessments"], status_code=201)
def create_assessment(
    person_id: int,
    viewer: PersonViewer,
    store: StoreDep,
    body: dict[str, Any] = Body(  # noqa: B008 - FastAPI's way to declare a body
        description="The assessment input, exactly as the CLI reads it from a JSON file."
    ),
) -> AssessmentOut:
    """Assess and save input for a person; bad input gets the CLI's message (422).

    A client records only ``provenance: self``; ``video`` comes only from a finished analysis.
    """
    data = clinic.parse_assessment(body)
    assessment_id = clinic.record_assessment(
        store=store, person_id=person_id, data=data, recorded_by=viewer.user.role
    )
    return _assessment_out(store.assessments.get(assessment_id=assessment_id))


@router.get("/assessments/{assessment_id}", tags=["assessments"])
def get_assessment(assessment_id: int, _viewer: PersonViewer, store: StoreDep) -> AssessmentOut:
    """Return one assessment with its input and result."""
    return _assessment_out(store.assessments.get(assessment_id=assessment_id))


@router.get(
    "/assessments/{assessment_id}/report",
    tags=["reports"],
    response_class=Response,
    responses={
        200: {"content": {media: {} for media in _REPORT_TYPES.values()}},
    },
)
def get_report(
    assessment_id: int,
    _viewer: PersonViewer,
    store: StoreDep,
    fmt: Literal["json", "html", "pdf"] = Query("json", alias="format"),
) -> Response:
    """Return an assessment's report as JSON, HTML or PDF (as ``hiplab assess -f``)."""
    content = clinic.assessment_report(store=store, assessment_id=assessment_id, fmt=fmt)
    if fmt == "html":
        return HTMLResponse(content)
    return Response(content, media_type=_REPORT_TYPES[fmt])


def _assessment_out(stored: StoredAssessment) -> AssessmentOut:
    return AssessmentOut(
        id=stored.id,
        person_id=stored.person_id,
        taken_on=stored.taken_on,
        created_at=stored.created_at,
        input=stored.data.model_dump(mode="json"),
        result=stored.result.model_dump(mode="json"),
    )
