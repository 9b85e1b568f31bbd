"""Chains in every renderer: worded by grade, in lay labels, stacked links never as measured."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from rich.console import Console

from hiplab.assess.parse import validate
from hiplab.explain.chains import heading, node_labels
from hiplab.library import default_library
from hiplab.records.assessment import Assessment
from hiplab.report import chain_svg, render_html, render_text
from hiplab.report.html import chain_views
from hiplab.services.assessments import assess

LIB = default_library()
LABELS = node_labels(LIB.chains)
STACKED = "poor_impact_absorption->knee_load"
VIA = "stiff_landing->poor_impact_absorption"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def landing() -> Assessment:
    """A stiff landing and a tight outer hip: one stacked link, one weak link, one contested."""
    data = validate(
        {
            "person": {"age": 30, "sex": "female"},
            "tests": {
                "landing_peak_knee_flexion_deg": {"left": 70},
                "ober": {"left": {"positive": True}},
                "thomas": {"left": {"thigh_angle_deg": 10}},
            },
        }
    )
    result = assess(data, LIB)
    assert {STACKED, VIA} <= {c.id for c in result.chains}
    return result


class _Text(HTMLParser):
    """Collect the text a reader sees (no tags, no attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def chains_section(page: str) -> str:
    start = page.index('<section aria-labelledby="chains-heading">')
    return page[start : page.index("</section>", start)]


def test_text_report_words_chains_by_grade_and_names_the_route(landing: Assessment) -> None:
    console = Console(record=True, width=200, color_system=None)
    render_text(landing, console=console)
    out = " ".join(console.export_text().split())
    for chain in landing.chains:
        assert heading(chain, LABELS) in out
    stacked = next(c for c in landing.chains if c.id == STACKED)
    via = next(c for c in landing.chains if c.id == VIA)
    assert f"Not measured: hiplab did not measure {LABELS[stacked.source].lower()}" in out
    assert f"“{heading(via, LABELS)}”" in out
    assert "(inferred)" not in out
    for node_id in LABELS:
        assert node_id not in out
    assert "Tfl itb" not in out and "Glute inhibition" not in out


def test_html_report_shows_headings_routes_and_no_ids(landing: Assessment) -> None:
    page = render_html(landing, library=LIB, person_label="Alex", date="2024-05-01")
    section = chains_section(page)
    seen = visible_text(section)
    for chain in landing.chains:
        assert f'data-chain-id="{html.escape(chain.id)}"' in section  # for machines, not shown
        assert heading(chain, LABELS) in seen
        assert chain.id not in seen
    assert "Not measured: hiplab did not measure" in seen
    assert "inferred" not in seen
    assert "A popular claim, not supported:" in seen  # the contested hip-flexor links
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", seen), "an id in the chains section"


def test_chain_views_give_the_route_only_to_stacked_links(landing: Assessment) -> None:
    views = {v.id: v for v in chain_views(landing.chains, LIB)}
    assert views[STACKED].route.startswith("Not measured:")
    assert heading(next(c for c in landing.chains if c.id == VIA), LABELS) in views[STACKED].route
    assert all(v.route == "" for k, v in views.items() if k != STACKED)
    assert all(v.title == heading(c, LABELS) for c in landing.chains for v in [views[c.id]])


def test_diagram_draws_no_finding_arrow_into_a_state_that_was_only_reached(
    landing: Assessment,
) -> None:
    root = ET.fromstring(
        chain_svg(
            landing.chains,
            landing.findings,
            node_labels=LABELS,
            finding_labels={k: m.label for k, m in LIB.findings.items()},
        )
    )
    links = [
        (p.findtext(f"{SVG}title") or "")
        for p in root.iter(f"{SVG}path")
        if "link" in p.get("class", "").split()
    ]
    reached = LABELS["poor_impact_absorption"]
    assert links and not any(t.split(":")[0].endswith(reached) for t in links)
    assert any(t.split(":")[0].endswith(LABELS["stiff_landing"]) for t in links)
    graded = [
        p.findtext(f"{SVG}title") or ""
        for p in root.iter(f"{SVG}path")
        if "edge" in p.get("class", "").split() and "link" not in p.get("class", "").split()
    ]
    stacked = next(c for c in landing.chains if c.id == STACKED)
    assert any(t.startswith(heading(stacked, LABELS)) for t in graded)
