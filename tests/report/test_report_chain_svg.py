"""The layered chain diagram."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hiplab.library.models import EvidenceGrade
from hiplab.records.assessment import Assessment, Chain
from hiplab.report.chain_svg import GRADE_STYLE, chain_svg

SVG = "{http://www.w3.org/2000/svg}"


def node_boxes(root: ET.Element) -> dict[str, float]:
    """Map each node's label to the x of its box."""
    out: dict[str, float] = {}
    for group in root.iter(f"{SVG}g"):
        if "node" in group.get("class", "").split():
            title = group.find(f"{SVG}title")
            rect = group.find(f"{SVG}rect")
            assert title is not None and rect is not None
            out[title.text or ""] = float(rect.get("x", "nan"))
    return out


def legend_grades(root: ET.Element) -> set[str]:
    return {
        cls
        for group in root.iter(f"{SVG}g")
        if "legend-entry" in (classes := group.get("class", "").split())
        for cls in classes
        if cls != "legend-entry"
    }


def chain(source: str, target: str, grade: EvidenceGrade, because: tuple[str, ...] = ()) -> Chain:
    return Chain(
        id=f"{source}->{target}",
        source=source,
        target=target,
        evidence=grade,
        because=because,
        inferred=False,
        explanation="A proposed mechanism for the test.",
        sources=("ref01",),
    )


def test_empty_list_says_no_chains() -> None:
    svg = chain_svg([], [])
    root = ET.fromstring(svg)
    assert "no chains" in svg.lower()
    assert root.get("role") == "img"


def test_labels_layers_and_legend(assessment: Assessment) -> None:
    root = ET.fromstring(chain_svg(assessment.chains, assessment.findings))
    boxes = node_boxes(root)
    assert set(boxes) == {
        "Hip flexors tight (left, right)",
        "Hip flexors",
        "Lumbar overcompensation",
        "Anterior pelvic tilt",
    }
    assert boxes["Hip flexors tight (left, right)"] < boxes["Hip flexors"]
    assert boxes["Hip flexors"] < boxes["Lumbar overcompensation"]
    assert boxes["Lumbar overcompensation"] == boxes["Anterior pelvic tilt"]
    assert legend_grades(root) == {"link", "weak", "contested"}


def test_edges_are_styled_by_grade() -> None:
    chains = [chain(f"a_{g.value}", f"b_{g.value}", g) for g in EvidenceGrade]
    root = ET.fromstring(chain_svg(chains, []))
    paths = {
        p.get("class", "").split()[1]: p
        for p in root.iter(f"{SVG}path")
        if "edge" in p.get("class", "").split()
    }
    assert set(paths) == {g.value for g in EvidenceGrade}
    for grade in EvidenceGrade:
        assert paths[grade.value].get("stroke") == GRADE_STYLE[grade].colour
        assert paths[grade.value].get("stroke-dasharray") == GRADE_STYLE[grade].dash
    assert paths["strong"].get("stroke-dasharray") is None
    assert legend_grades(root) == {g.value for g in EvidenceGrade}


def test_longest_path_decides_the_column() -> None:
    chains = [
        chain("a", "b", EvidenceGrade.strong),
        chain("b", "c", EvidenceGrade.moderate),
        chain("a", "c", EvidenceGrade.weak),
    ]
    boxes = node_boxes(ET.fromstring(chain_svg(chains, [])))
    assert boxes["A"] < boxes["B"] < boxes["C"]


def test_a_cycle_still_draws() -> None:
    chains = [chain("a", "b", EvidenceGrade.weak), chain("b", "a", EvidenceGrade.weak)]
    boxes = node_boxes(ET.fromstring(chain_svg(chains, [])))
    assert set(boxes) == {"A", "B"}


def test_node_text_is_escaped() -> None:
    bad = chain("x", "y", EvidenceGrade.weak, because=("<b>&finding",))
    root = ET.fromstring(chain_svg([bad], []))
    assert "<b>&finding" in node_boxes(root)
