"""Walk the chain graph from the findings that are present.

A node is present when one of its findings is. An edge whose source is
present becomes a :class:`Chain`, ``because`` the findings behind its
source. A target reached through a strong or moderate edge counts as present
(``inferred``) for the next edge; weak and contested links do not propagate,
so speculation is never stacked on speculation.
"""

from __future__ import annotations

from collections.abc import Iterable

from hiplab.assess.result import Chain, Finding
from hiplab.library.models import ChainGraph, EvidenceGrade

PROPAGATES = frozenset({EvidenceGrade.strong, EvidenceGrade.moderate})


def _direct_support(graph: ChainGraph, finding_ids: set[str]) -> dict[str, tuple[str, ...]]:
    return {
        node.id: tuple(f for f in node.findings if f in finding_ids)
        for node in graph.nodes
        if any(f in finding_ids for f in node.findings)
    }


def active_chains(graph: ChainGraph, findings: Iterable[Finding]) -> list[Chain]:
    """Return the chains the findings bring up, in graph order, each edge once."""
    support = _direct_support(graph, {f.id for f in findings})
    inferred: set[str] = set()
    chains: dict[str, Chain] = {}
    changed = True
    while changed:  # at most one pass per edge: each pass adds a new chain or stops
        changed = False
        for edge in graph.edges:
            if edge.id in chains or edge.source not in support:
                continue
            chains[edge.id] = Chain(
                id=edge.id,
                source=edge.source,
                target=edge.target,
                evidence=edge.evidence,
                because=support[edge.source],
                inferred=edge.source in inferred,
                explanation=" ".join(edge.explanation.split()),
                sources=edge.sources,
            )
            changed = True
            if edge.evidence in PROPAGATES and edge.target not in support:
                support[edge.target] = support[edge.source]
                inferred.add(edge.target)
    order = {edge.id: i for i, edge in enumerate(graph.edges)}
    return sorted(chains.values(), key=lambda c: order[c.id])
