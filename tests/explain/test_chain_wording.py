"""Chain links are worded no stronger than their evidence, in lay words, and honest about routes."""

from __future__ import annotations

import re

import pytest

from hiplab.assess.parse import validate
from hiplab.explain.chains import (
    CLAIMS,
    PROPAGATES,
    active_chains,
    claim,
    heading,
    label_of,
    node_labels,
    reached_through,
    route_note,
)
from hiplab.library import default_library
from hiplab.library.models import ChainEdge, EvidenceGrade
from hiplab.services.assessments import assess
from tests.explain.test_chains import finding

LIB = default_library()
LABELS = node_labels(LIB.chains)
EDGES = LIB.chains.edges
TEST_PAGES = {"ref01", "ref05", "ref24"}  # pages that describe how a test is done, not evidence
STRONG_WORDS = re.compile(r"\b(causes?|leads? to|will|proves?|always)\b", re.IGNORECASE)


def humanised(node_id: str) -> str:
    return node_id.replace("_", " ").lower()


@pytest.mark.parametrize("grade", list(EvidenceGrade))
def test_each_grade_has_its_own_hedge(grade: EvidenceGrade) -> None:
    text = claim(grade, "Short hip flexors", "A forward-tipped pelvis")
    assert "short hip flexors" in text.lower() and "a forward-tipped pelvis" in text
    if grade is EvidenceGrade.weak:
        assert " may " in text and " can " not in text
    elif grade is EvidenceGrade.contested:
        assert text.startswith("A popular claim, not supported:")
    else:
        assert " can " in text and " may " not in text
    if grade is not EvidenceGrade.strong:
        assert not STRONG_WORDS.search(text.replace("would lead to", "")), text


def test_the_wording_rule_covers_every_grade_once() -> None:
    assert set(CLAIMS) == set(EvidenceGrade)
    assert len(set(CLAIMS.values())) == len(CLAIMS)


ALL_CHAINS = {c.id: c for c in active_chains(LIB.chains, [finding(f) for f in LIB.findings])}


@pytest.mark.parametrize("edge", EDGES, ids=lambda e: e.id)
def test_headings_use_lay_labels_never_ids(edge: ChainEdge) -> None:
    text = claim(edge.evidence, label_of(edge.source, LABELS), label_of(edge.target, LABELS))
    if edge.id in ALL_CHAINS:
        assert heading(ALL_CHAINS[edge.id], LABELS) == text
    assert "_" not in text and "->" not in text
    for node_id in (edge.source, edge.target):
        assert humanised(node_id) != LABELS[node_id].lower(), f"{node_id}: label is its id"


def test_no_label_is_a_humanised_id_or_contains_one() -> None:
    for node in LIB.chains.nodes:
        assert "_" not in node.label
        assert node.label.lower() != humanised(node.id)


def test_regraded_links_assert_no_more_than_their_evidence() -> None:
    grade = {e.id: e.evidence for e in EDGES}
    at_most_weak = {EvidenceGrade.weak, EvidenceGrade.contested}
    # the landing study found the knee absorbing less, not more, in stiff landings
    assert grade["poor_impact_absorption->knee_load"] in at_most_weak
    # one junior-basketball cohort
    assert grade["ankle_restriction->patellar_tendon_load"] in at_most_weak


@pytest.mark.parametrize("edge", EDGES, ids=lambda e: e.id)
def test_a_link_graded_above_weak_cites_evidence_not_only_test_pages(edge: ChainEdge) -> None:
    if edge.evidence in PROPAGATES:
        assert set(edge.sources) - TEST_PAGES, f"{edge.id} rests only on test descriptions"


def test_the_articles_links_are_in_the_graph_with_remedies() -> None:
    edges = {e.id: e for e in EDGES}
    for edge_id in (
        "quad_dominance->hamstrings_underworked",
        "hamstrings_underworked->knee_load",
        "ankle_restriction->stiff_landing",
        "hip_flexion_deficit->stiff_landing",
    ):
        assert edges[edge_id].remedies, edge_id
        assert all(r in LIB.exercises for r in edges[edge_id].remedies)


def landing_chains():
    data = validate(
        {
            "person": {"age": 30, "sex": "female"},
            "tests": {"landing_peak_knee_flexion_deg": {"left": 70}},
        }
    )
    return assess(data, LIB).chains


def test_a_stacked_link_names_the_link_it_was_reached_through() -> None:
    chains = landing_chains()
    by_id = {c.id: c for c in chains}
    stacked = by_id["poor_impact_absorption->knee_load"]
    via = by_id["stiff_landing->poor_impact_absorption"]
    assert reached_through(stacked, chains) == [via]
    note = route_note(stacked, chains, LABELS)
    assert note.startswith("Not measured:")
    assert heading(via, LABELS) in note
    assert LABELS["poor_impact_absorption"].lower() in note.lower()
    assert route_note(via, chains, LABELS) == ""


def test_every_inferred_chain_is_reached_through_strong_or_moderate_links_only() -> None:
    chains = active_chains(LIB.chains, [finding(f) for f in LIB.findings])
    measured = {n.id for n in LIB.chains.nodes if n.findings}
    for chain in chains:
        path = reached_through(chain, chains)
        if not chain.inferred:
            assert path == []
            continue
        assert path and path[0].source in measured
        assert all(step.evidence in PROPAGATES for step in path)
        assert path[-1].target == chain.source


def test_an_unknown_node_id_still_reads_as_words() -> None:
    assert label_of("some_old_node", {}) == "Some old node"


def test_the_evidence_page_lists_every_link_with_its_current_grade() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "evidence.md").read_text("utf-8")
    rows = {
        cells[1].strip(): cells[2].strip()
        for line in page.splitlines()
        if line.startswith("| ") and len(cells := line.split("|")) >= 4
    }
    for edge in EDGES:
        text = claim(edge.evidence, LABELS[edge.source], LABELS[edge.target])
        assert rows.get(text) == edge.evidence.value, f"docs/evidence.md: {text}"
