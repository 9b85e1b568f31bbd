"""Progress charts, data exports (CSV, JSON, FHIR) and the plotly.js asset.

Pages
-----
``/people/{person_id}/progress`` and the client's own ``/me/progress`` show every
measured test over time against its norm band. The charts are the ones ``hiplab
progress -f html`` draws (:mod:`hiplab.progress.charts`, plain plotly.js JSON); here they
travel in a ``<script type="application/json">`` block that ``/static/charts.js`` hands
to plotly.js, because the content security policy allows no inline script. Without
JavaScript the tables of values under each chart say the same, a page of days at a
time (``?page=2`` the days before the latest ones; :mod:`hiplab.web.progress_view`).

``/people/{person_id}/export`` and ``/me/export`` link to the downloads: CSV and JSON
(``GET /api/v1/people/{person_id}/export?format=…``, as ``hiplab export``) and FHIR
(``GET /api/v1/people/{person_id}/export.fhir.json``, :mod:`hiplab.report.fhir`).

plotly.js is served from the installed ``plotly`` package at ``/assets/plotly.min.js``
(no CDN), read once per process, gzip-compressed when the browser accepts it, with an
ETag and a one-year cache: the URL carries the file's hash, so a new plotly gets a new URL.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from hiplab.records.refs import PersonRef
from hiplab.store import PersonRecord, Store
from hiplab.web.api import PREFIX
from hiplab.web.authz import ClientViewer, PersonViewer, Rule, Viewer, guard
from hiplab.web.deps import StoreDep
from hiplab.web.pages import render

router = APIRouter()
PLOTLY_PATH = "/assets/plotly.min.js"
FHIR_MEDIA_TYPE = "application/fhir+json"
ONE_YEAR = 365 * 24 * 3600
MAX_PAGE = 10**6
PageNumber = Annotated[
    int, Query(ge=1, le=MAX_PAGE, description="The tables' page: 1 the latest days, 2 older")
]


@dataclass(frozen=True)
class Asset:
    """A static file held in memory: its bytes, gzip bytes and ETag."""

    body: bytes
    gzipped: bytes
    etag: str

    @property
    def version(self) -> str:
        """Return a short content hash for cache-busting URLs."""
        return self.etag.strip('"')[:16]


@cache
def plotly_asset() -> Asset:
    """Return ``plotly.min.js`` from the installed plotly package (read once)."""
    body = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    return Asset(body=body, gzipped=gzip.compress(body, mtime=0), etag=f'"{digest}"')


def plotly_url() -> str:
    """Return the versioned URL of plotly.js (the version changes with the file)."""
    return f"{PLOTLY_PATH}?v={plotly_asset().version}"


@router.get(
    PLOTLY_PATH,
    name="plotly_js",
    include_in_schema=False,
    dependencies=[Depends(guard(Rule.public))],
)
def plotly_js(request: Request) -> Response:
    """Serve plotly.js from the installed package, cached (ETag, max-age, gzip)."""
    asset = plotly_asset()
    headers = {
        "ETag": asset.etag,
        "Cache-Control": f"public, max-age={ONE_YEAR}, immutable",
        "Vary": "Accept-Encoding",
    }
    if asset.etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type="text/javascript", headers=headers)
    return Response(asset.body, media_type="text/javascript", headers=headers)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


@router.get("/people/{person_id}/progress", name="person_progress", include_in_schema=False)
def person_progress(
    request: Request, person_id: int, viewer: PersonViewer, store: StoreDep, page: PageNumber = 1
) -> HTMLResponse:
    """Show a person's measurements over time against their norms."""
    person = store.people.get(person=PersonRef.by_id(person_id))
    return _progress_page(
        request,
        viewer,
        store,
        person,
        page=page,
        heading=f"Progress of {person.name}",
        back=f"/people/{person.id}",
        export=f"/people/{person.id}/export",
    )


@router.get("/me/progress", name="client_progress", include_in_schema=False)
def client_progress(
    request: Request, viewer: ClientViewer, store: StoreDep, page: PageNumber = 1
) -> HTMLResponse:
    """Show a client their own measurements over time."""
    person = store.people.get(person=PersonRef.by_id(_own_person(viewer)))
    return _progress_page(
        request,
        viewer,
        store,
        person,
        page=page,
        heading="Your progress",
        back="/me",
        export="/me/export",
    )


@router.get("/people/{person_id}/export", name="person_export", include_in_schema=False)
def person_export(
    request: Request, person_id: int, viewer: PersonViewer, store: StoreDep
) -> HTMLResponse:
    """List the downloads of a person's data (CSV, JSON, FHIR)."""
    person = store.people.get(person=PersonRef.by_id(person_id))
    return _export_page(request, viewer, person, heading=f"Export {person.name}'s data")


@router.get("/me/export", name="client_export", include_in_schema=False)
def client_export(request: Request, viewer: ClientViewer, store: StoreDep) -> HTMLResponse:
    """List the downloads of a client's own data."""
    person = store.people.get(person=PersonRef.by_id(_own_person(viewer)))
    return _export_page(request, viewer, person, heading="Export your data")


@router.get(
    f"{PREFIX}/people/{{person_id}}/export.fhir.json",
    tags=["people"],
    name="export_fhir",
    response_class=JSONResponse,
    responses={200: {"content": {FHIR_MEDIA_TYPE: {"schema": {"type": "object"}}}}},
)
def export_fhir(person_id: int, _viewer: PersonViewer, store: StoreDep) -> Response:
    """Export a person's measurements as a FHIR R4 Bundle of Observation resources."""
    from hiplab.services.catalogue import library
    from hiplab.services.export import gather_bundle

    bundle = gather_bundle(
        store=store, person_id=person_id, library=library(), timestamp=datetime.now(UTC)
    )
    return JSONResponse(
        bundle,
        media_type=f"{FHIR_MEDIA_TYPE}; fhirVersion=4.0",
        headers={"Content-Disposition": f'attachment; filename="person-{person_id}.fhir.json"'},
    )


@router.get(f"{PREFIX}/people/{{person_id}}/progress", tags=["people"], name="progress_json")
def progress_json(person_id: int, _viewer: PersonViewer, store: StoreDep) -> Any:
    """Return a person's progress report: test series vs norms, adherence, pain."""
    report = progress_report(
        store, store.people.get(person=PersonRef.by_id(person_id)), today=date.today()
    )
    return report.model_dump(mode="json")


def _own_person(viewer: Viewer) -> int:
    assert viewer.user.person_id is not None  # a client login always has its person
    return viewer.user.person_id


def progress_report(store: Store, person: PersonRecord, *, today: date) -> Any:
    """Return the person's :class:`~hiplab.progress.models.ProgressReport` as of ``today``."""
    from hiplab.progress.build import gather_progress
    from hiplab.services.catalogue import library

    return gather_progress(store=store, person_id=person.id, library=library(), as_of=today)


def _progress_page(
    request: Request,
    viewer: Viewer,
    store: Store,
    person: PersonRecord,
    *,
    page: int,
    heading: str,
    back: str,
    export: str,
) -> HTMLResponse:
    from hiplab.progress._format import NOT_A_DIAGNOSIS
    from hiplab.progress.charts import PLOT_CONFIG
    from hiplab.web.progress_view import progress_view

    report = progress_report(store, person, today=date.today())
    view = progress_view(report, config=PLOT_CONFIG, page=page)
    return render(
        request,
        "progress.html.j2",
        viewer=viewer,
        title=heading,
        heading=heading,
        report=report,
        view=view,
        plotly_url=plotly_url(),
        not_a_diagnosis=NOT_A_DIAGNOSIS,
        back=back,
        export=export,
    )


def _export_page(
    request: Request, viewer: Viewer, person: PersonRecord, *, heading: str
) -> HTMLResponse:
    base = f"{PREFIX}/people/{person.id}"
    return render(
        request,
        "progress_export.html.j2",
        viewer=viewer,
        title=heading,
        heading=heading,
        person=person,
        csv_url=f"{base}/export?format=csv",
        json_url=f"{base}/export?format=json",
        fhir_url=f"{base}/export.fhir.json",
        progress_url="/me/progress" if not viewer.is_coach else f"/people/{person.id}/progress",
    )
