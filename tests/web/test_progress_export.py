"""Progress charts, exports (CSV, JSON, FHIR) and the plotly.js asset, through the app.

Alice gets two more assessments on top of the world's one (a sign test, an unsided
score, a self-measured visit), so every kind of value reaches the charts and the FHIR
bundle. FHIR bundles are parsed back with the ``fhir.resources`` R4B models.
"""

from __future__ import annotations

import doctest
import gzip
import json
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hiplab.report.fhir
from hiplab.library.loader import default_library
from hiplab.report.fhir import (
    LATERALITY,
    PROVENANCE_SYSTEM,
    TESTS_SYSTEM,
    UCUM,
    person_bundle,
)
from hiplab.services import clinic
from hiplab.store import PersonRecord, PersonRef, Store, StoredTestResult
from tests.web.conftest import TestClient, World, login, new_client

VISITS: list[dict[str, Any]] = [
    {
        "person": {"age": 34, "sex": "female"},
        "provenance": "clinician",
        "date": "2025-03-01",
        "tests": {
            "hip_internal_rotation_deg": {"left": 28, "right": 41},
            "faber": {"left": {"positive": True}, "right": {"positive": False}},
            "deep_squat_fms": 2,
        },
    },
    {
        "person": {"age": 34, "sex": "female"},
        "provenance": "self",
        "date": "2025-05-10",
        "tests": {
            "hip_internal_rotation_deg": {"left": 33, "right": 40},
            "knee_to_wall_cm": {"left": 8.5, "right": 11},
            "deep_squat_fms": 3,
        },
    },
]


@pytest.fixture
def alice_history(store: Store, world: World) -> list[int]:
    """Two more assessments of Alice; returns every assessment id of hers, oldest first."""
    ids = [world.alice_assessment]
    for visit in VISITS:
        data = clinic.parse_assessment(visit)
        ids.append(
            clinic.record_assessment(
                recorded_by="coach", store=store, person_id=world.alice, data=data
            )
        )
    return ids


@pytest.fixture
def coach(app: FastAPI, client: TestClient, world: World) -> TestClient:
    browser = new_client(app)
    login(browser, "a@coach.test")
    return browser


@pytest.fixture
def alice(app: FastAPI, client: TestClient, world: World) -> TestClient:
    browser = new_client(app)
    login(browser, "alice@client.test")
    return browser


class Scripts(HTMLParser):
    """Collect every <script>: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "script":
            self._open = found
            self.scripts.append((found, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def parse(html: str) -> Scripts:
    parser = Scripts()
    parser.feed(html)
    return parser


def chart_payload(html: str) -> dict[str, Any]:
    parsed = parse(html)
    blocks = [text for attrs, text in parsed.scripts if attrs.get("id") == "progress-charts"]
    assert len(blocks) == 1
    payload: dict[str, Any] = json.loads(blocks[0])
    return payload


# --- progress page ------------------------------------------------------------------


def test_progress_page_charts_every_measured_test_from_embedded_json(
    coach: TestClient, world: World, alice_history: list[int]
) -> None:
    page = coach.get(f"/people/{world.alice}/progress")
    assert page.status_code == 200
    html = page.text
    parsed = parse(html)
    # No inline script: every script is a file from this site or inert JSON data.
    for attrs, text in parsed.scripts:
        assert attrs.get("src") or attrs.get("type") == "application/json", attrs
        if attrs.get("src"):
            assert str(attrs["src"]).startswith("/") and not text.strip()
    sources = [str(a["src"]) for a, _ in parsed.scripts if a.get("src")]
    assert sources[0].startswith("/assets/plotly.min.js?v=")
    assert "/static/charts.js" in sources
    payload = chart_payload(html)
    ids = [chart["id"] for chart in payload["charts"]]
    assert ids == [
        "chart-hip_internal_rotation",
        "chart-knee_to_wall",
        "chart-deep_squat_fms",
        "chart-pain",
    ]
    assert set(ids) <= parsed.ids  # every chart has its element
    assert payload["template"]["layout"]  # sent once, stripped from each chart
    assert all("template" not in chart["layout"] for chart in payload["charts"])
    rotation = payload["charts"][0]
    assert [trace["name"] for trace in rotation["data"]] == ["left", "right"]
    assert rotation["data"][0]["y"] == [20, 28, 33]
    assert rotation["layout"]["shapes"][0]["y0"] == 30  # the norm band starts at the limit


def test_progress_page_without_javascript_shows_the_values_as_tables(
    coach: TestClient, world: World, alice_history: list[int]
) -> None:
    html = coach.get(f"/people/{world.alice}/progress").text
    assert re.search(r'<div class="chart" id="chart-hip_internal_rotation"[^>]*hidden', html)
    table = html.split('id="h-hip_internal_rotation"')[1].split("</table>")[0]
    cells = re.findall(r'data-label="(?:Date|Side|Value)">([^<]*)<', table)
    assert cells[:6] == ["2025-01-15", "left", "20°", "2025-01-15", "right", "40°"]
    assert "+8° real change (better)" in table  # 20 → 28 beyond the 5.4° MDC
    assert "normal ≥ 30°" in html
    assert "Yes/no signs are not charted: faber." in html


def test_client_sees_own_progress_at_me_progress(
    alice: TestClient, world: World, alice_history: list[int]
) -> None:
    page = alice.get("/me/progress")
    assert page.status_code == 200
    assert "Your progress" in page.text
    assert 'href="/me/export"' in page.text
    assert chart_payload(page.text)["charts"][0]["id"] == "chart-hip_internal_rotation"


def test_progress_of_a_person_without_assessments(
    coach: TestClient, store: Store, world: World
) -> None:
    person = clinic.create_client(
        store=store, coach_id=world.coach_a, name="Carol", age=40, sex="male"
    )
    page = coach.get(f"/people/{person.id}/progress")
    assert page.status_code == 200
    assert "No measured tests yet" in page.text
    assert chart_payload(page.text)["charts"] == []


def test_progress_json_api(coach: TestClient, world: World, alice_history: list[int]) -> None:
    response = coach.get(f"/api/v1/people/{world.alice}/progress")
    assert response.status_code == 200
    report = response.json()
    assert report["person"] == "Alice"
    rotation = report["tests"][0]
    assert rotation["test"] == "hip_internal_rotation"
    assert [p["value"] for p in rotation["sides"][0]["points"]] == [20.0, 28.0, 33.0]
    assert report["skipped_tests"] == ["faber"]


def test_other_people_progress_and_exports_are_not_found(
    alice: TestClient, coach: TestClient, world: World
) -> None:
    for path in (
        f"/people/{world.bob}/progress",
        f"/people/{world.bob}/export",
        f"/api/v1/people/{world.bob}/export.fhir.json",
        f"/api/v1/people/{world.bob}/progress",
    ):
        assert alice.get(path).status_code == 404, path
        assert coach.get(path).status_code == 404, path
        assert "Bob" not in coach.get(path).text


def test_person_page_and_client_menu_link_progress_and_exports(
    alice: TestClient, coach: TestClient, world: World
) -> None:
    person_page = coach.get(f"/people/{world.alice}").text
    assert f'href="/people/{world.alice}/progress"' in person_page
    assert f'href="/people/{world.alice}/export"' in person_page
    home = alice.get("/me").text
    assert 'href="/me/progress"' in home
    assert 'href="/me/export"' in home


# --- plotly.js asset ----------------------------------------------------------------


def test_plotly_is_served_from_the_installed_package_with_caching(client: TestClient) -> None:
    installed = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    plain = client.get("/assets/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.content == installed
    assert plain.headers["content-type"].startswith("text/javascript")
    assert "max-age=31536000" in plain.headers["cache-control"]
    etag = plain.headers["etag"]
    again = client.get("/assets/plotly.min.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    stale = client.get("/assets/plotly.min.js", headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200


def test_plotly_is_gzipped_for_browsers_that_accept_it(client: TestClient) -> None:
    installed = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    with client.stream(
        "GET", "/assets/plotly.min.js", headers={"Accept-Encoding": "gzip"}
    ) as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "gzip"
    assert len(raw) < len(installed) / 2
    assert gzip.decompress(raw) == installed


def test_charts_js_is_a_static_file(client: TestClient) -> None:
    response = client.get("/static/charts.js")
    assert response.status_code == 200
    assert "Plotly.newPlot" in response.text
    assert "progress-charts" in response.text


# --- export pages, CSV and JSON -------------------------------------------------------


def test_export_pages_link_the_three_formats(
    alice: TestClient, coach: TestClient, world: World
) -> None:
    base = f"/api/v1/people/{world.alice}"
    for browser, path in ((alice, "/me/export"), (coach, f"/people/{world.alice}/export")):
        html = browser.get(path).text
        for link in (f"{base}/export?format=csv", f"{base}/export?format=json"):
            assert f'href="{link}"' in html, (path, link)
        assert f'href="{base}/export.fhir.json"' in html


def test_client_downloads_own_csv_and_json(
    alice: TestClient, world: World, alice_history: list[int]
) -> None:
    csv = alice.get(f"/api/v1/people/{world.alice}/export?format=csv")
    assert csv.status_code == 200
    lines = csv.text.splitlines()
    assert len(lines) == 1 + 2 + 5 + 5  # header; visit 1: 2 values; visits 2 and 3: 5 each
    document = alice.get(f"/api/v1/people/{world.alice}/export?format=json").json()
    assert [a["taken_on"] for a in document["assessments"]] == [
        "2025-01-15",
        "2025-03-01",
        "2025-05-10",
    ]


# --- FHIR -----------------------------------------------------------------------------


def fhir_of(browser: TestClient, person_id: int) -> tuple[dict[str, Any], Any]:
    from fhir.resources.R4B.bundle import Bundle

    response = browser.get(f"/api/v1/people/{person_id}/export.fhir.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert "attachment" in response.headers["content-disposition"]
    raw: dict[str, Any] = response.json()
    return raw, Bundle.model_validate(raw)


def test_fhir_bundle_has_one_observation_per_value_and_side(
    coach: TestClient, store: Store, world: World, alice_history: list[int]
) -> None:
    _raw, bundle = fhir_of(coach, world.alice)
    assert bundle.type == "collection"
    patient = bundle.entry[0].resource
    assert patient.get_resource_type() == "Patient"
    observations = [e.resource for e in bundle.entry[1:]]
    assert all(o.get_resource_type() == "Observation" for o in observations)
    stored = store.assessments.test_results(person=PersonRef.named("Alice"))
    assert len(observations) == len(stored) == 12
    subject = bundle.entry[0].fullUrl
    for observation, row in zip(observations, stored, strict=True):
        assert observation.status == "final"
        assert observation.category[0].coding[0].code == "exam"
        assert observation.subject.reference == subject
        assert str(observation.effectiveDateTime) == row.taken_on.isoformat()
        codes = {(c.system, c.code) for c in observation.code.coding}
        assert (TESTS_SYSTEM, row.test) in codes
        assert observation.method.coding[0].system == PROVENANCE_SYSTEM
        assert observation.method.coding[0].code == row.provenance
        if row.side is None:
            assert observation.bodySite is None
        else:
            assert observation.bodySite.coding[0].code == LATERALITY[row.side][0]
    ids = [e.fullUrl for e in bundle.entry]
    assert len(set(ids)) == len(ids)


def test_fhir_values_units_and_norms(
    coach: TestClient, world: World, alice_history: list[int]
) -> None:
    raw, _bundle = fhir_of(coach, world.alice)
    by_key = {}
    for entry in raw["entry"][1:]:
        resource = entry["resource"]
        side = resource.get("bodySite", {}).get("coding", [{}])[0].get("display")
        key = (resource["code"]["coding"][-1]["code"], resource["effectiveDateTime"], side)
        by_key[key] = resource
    rotation = by_key[("hip_internal_rotation", "2025-01-15", "Left")]
    assert rotation["valueQuantity"] == {"value": 20.0, "unit": "°", "system": UCUM, "code": "deg"}
    assert rotation["referenceRange"][0]["low"]["value"] == 30.0
    assert rotation["method"]["coding"][0]["code"] == "clinician"
    distance = by_key[("knee_to_wall", "2025-05-10", "Right")]
    assert distance["valueQuantity"]["code"] == "cm"
    assert distance["method"]["coding"][0]["code"] == "self"
    squat = by_key[("deep_squat_fms", "2025-03-01", None)]
    assert squat["valueQuantity"]["code"] == "{score}"
    assert "bodySite" not in squat
    assert by_key[("faber", "2025-03-01", "Left")]["valueBoolean"] is True
    assert by_key[("faber", "2025-03-01", "Right")]["valueBoolean"] is False
    assert "referenceRange" not in by_key[("faber", "2025-03-01", "Left")]


def test_fhir_patient_carries_no_more_than_the_store_has(
    alice: TestClient, world: World, alice_history: list[int]
) -> None:
    raw, _bundle = fhir_of(alice, world.alice)
    patient = raw["entry"][0]["resource"]
    assert set(patient) == {"resourceType", "id", "name", "gender"}
    assert patient["name"] == [{"text": "Alice"}]
    assert patient["gender"] == "female"
    assert "alice@client.test" not in json.dumps(raw)  # the login e-mail stays home


def test_fhir_ids_are_stable_across_exports(
    coach: TestClient, world: World, alice_history: list[int]
) -> None:
    first, _ = fhir_of(coach, world.alice)
    second, _ = fhir_of(coach, world.alice)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


def test_fhir_of_a_person_without_measurements(
    coach: TestClient, store: Store, world: World
) -> None:
    person = clinic.create_client(
        store=store, coach_id=world.coach_a, name="Carol", age=40, sex="other"
    )
    raw, bundle = fhir_of(coach, person.id)
    assert len(bundle.entry) == 1
    assert raw["entry"][0]["resource"]["gender"] == "other"


# --- the builder alone ----------------------------------------------------------------

LIBRARY = default_library()
WHEN = datetime(2025, 6, 1, 12, tzinfo=UTC)
ALEX = PersonRecord(
    id=3, name="Alex", age=50, sex="male", coach_id=None, login_email=None, created_at=WHEN
)
TEST_IDS = [*sorted(LIBRARY.tests), "unknown_test"]
UNITS = ["deg", "cm", "s", "reps", "score 0–3", "sign", "furlongs"]

results = st.lists(
    st.builds(
        StoredTestResult,
        assessment_id=st.integers(min_value=1, max_value=10**9),
        taken_on=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
        test=st.sampled_from(TEST_IDS),
        side=st.sampled_from(["left", "right", None]),
        value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        unit=st.sampled_from(UNITS),
        provenance=st.sampled_from(["self", "clinician", "video"]),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=results)
def test_any_stored_values_make_a_valid_bundle(rows: list[StoredTestResult]) -> None:
    from fhir.resources.R4B.bundle import Bundle

    bundle = person_bundle(person=ALEX, results=rows, library=LIBRARY, timestamp=WHEN)
    parsed = Bundle.model_validate(bundle)  # person_bundle validated it too
    assert len(parsed.entry) == 1 + len(rows)
    assert len({e.fullUrl for e in parsed.entry}) == len(parsed.entry)


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        person_bundle(person=ALEX, results=[], library=LIBRARY, timestamp=datetime(2025, 1, 1))


def test_an_invalid_resource_is_caught_before_it_leaves() -> None:
    from hiplab.report.fhir import BundleInvalidError, validate_bundle

    bundle = person_bundle(person=ALEX, results=[], library=LIBRARY, timestamp=WHEN)
    bundle["entry"][0]["resource"]["gender"] = 7
    with pytest.raises(BundleInvalidError, match="gender"):
        validate_bundle(bundle)


def test_docstring_examples() -> None:
    result = doctest.testmod(hiplab.report.fhir, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
