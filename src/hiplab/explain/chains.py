"""Walk the chain graph from the findings that are present, and word each link honestly.

A node is present when one of its findings is. An edge whose source is
present becomes a :class:`Chain`, ``because`` the findings behind its
source. A target reached through a strong or moderate edge counts as present
(``inferred``) for the next edge; weak and contested links do not propagate,
so speculation is never stacked on speculation.

How a link reads is decided here, and only here, so every renderer (terminal,
HTML report, web page, diagram) says the same thing:

- :func:`claim` words a link by its evidence grade. A strong link "can lead
  to", a moderate one "can contribute to", a weak one "may contribute to", and
  a contested one is "a popular claim, not supported". A heading never says
  more than its grade allows.
- :func:`route_note` says plainly when a link starts from a state that hiplab
  did not measure but only reached through another link, and which one.
- Node labels come from the library (careful lay words); an id is never shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from hiplab.library.models import ChainGraph, EvidenceGrade, mid_sentence
from hiplab.records.assessment import Chain, Finding

PROPAGATES = frozenset({EvidenceGrade.strong, EvidenceGrade.moderate})

CLAIMS: Mapping[EvidenceGrade, str] = {
    EvidenceGrade.strong: "{source} can lead to {target}",
    EvidenceGrade.moderate: "{source} can contribute to {target}",
    EvidenceGrade.weak: "{source} may contribute to {target}",
    EvidenceGrade.contested: "A popular claim, not supported: {source} would lead to {target}",
}
"""How far a heading may go at each evidence grade (``{source}``, ``{target}``: node labels)."""


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


def node_labels(graph: ChainGraph) -> dict[str, str]:
    """Return each node's lay label by id."""
    return {node.id: node.label for node in graph.nodes}


def label_of(node_id: str, labels: Mapping[str, str]) -> str:
    """Return a node's label; an unknown id (an old stored result) reads as plain words."""
    if node_id in labels:
        return labels[node_id]
    words = " ".join(node_id.replace("_", " ").split())
    return words[:1].upper() + words[1:]


def claim(grade: EvidenceGrade, source: str, target: str) -> str:
    """Word a link between two labels as far as its evidence grade allows.

    Examples
    --------
    >>> claim(EvidenceGrade.weak, "Short hip flexors", "A forward-tipped pelvis")
    'Short hip flexors may contribute to a forward-tipped pelvis'
    >>> claim(EvidenceGrade.contested, "Short hip flexors", "A forward-tipped pelvis")
    'A popular claim, not supported: short hip flexors would lead to a forward-tipped pelvis'

    """
    text = CLAIMS[grade].format(source=mid_sentence(source), target=mid_sentence(target))
    return text[:1].upper() + text[1:]


def heading(chain: Chain, labels: Mapping[str, str]) -> str:
    """Return a chain's heading: its two states in lay words, worded by its grade."""
    return claim(chain.evidence, label_of(chain.source, labels), label_of(chain.target, labels))


def reached_through(chain: Chain, chains: Sequence[Chain]) -> list[Chain]:
    """Return the links, first to last, by which an inferred chain's start was reached.

    Only strong or moderate links carry a state on, so only those are followed;
    the first link returned starts from something hiplab measured. A chain that
    starts from a measured state returns an empty list.
    """
    path: list[Chain] = []
    seen = {chain.id}
    current = chain
    while current.inferred:
        step = next(
            (
                c
                for c in chains
                if c.target == current.source and c.evidence in PROPAGATES and c.id not in seen
            ),
            None,
        )
        if step is None:
            break
        path.insert(0, step)
        seen.add(step.id)
        current = step
    return path


def route_note(chain: Chain, chains: Sequence[Chain], labels: Mapping[str, str]) -> str:
    """Say plainly when a link starts from a state hiplab did not measure ("" when it did).

    The note names the link (or links, first to last) through which the start was
    reached, so a stacked link is never read as if it had been measured.
    """
    if not chain.inferred:
        return ""
    start = mid_sentence(label_of(chain.source, labels))
    path = reached_through(chain, chains)
    if not path:
        via = "another link"
    else:
        steps = ", then ".join(f"“{heading(c, labels)}”" for c in path)
        via = f"{'another link' if len(path) == 1 else 'other links'}: {steps}"
    return (
        f"Not measured: hiplab did not measure {start}; it only reached it through {via}. "
        "A chain of links is no stronger than its weakest link."
    )
