"""A layered, left-to-right SVG diagram of evidence-graded kinetic chains.

Findings sit in the first column; each chain adds an edge from the findings
that raised it (``Chain.because``) to its source state and a graded edge from
the source state to its consequence. Every node goes in the column of its
longest path from a finding (column 0). An edge that skips columns gets a
thin lane node in each skipped column, so it runs between boxes rather than
through them. Columns start in order of first appearance; a few barycentre
sweeps (left to right, then right to left) pull each node toward the rows of
its neighbours to cut crossings. Edge style encodes the evidence grade
(strong: solid dark, moderate: solid blue, weak: dashed grey, contested:
dotted red); a legend lists the grades present.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from hiplab.explain.chains import claim
from hiplab.library.models import EVIDENCE_ORDER, EvidenceGrade
from hiplab.records.assessment import Chain, Finding
from hiplab.report._format import GRADE_WORDS, chain_ends, humanise


@dataclass(frozen=True)
class EdgeStyle:
    """How an evidence grade is drawn."""

    colour: str
    width: float
    dash: str | None


GRADE_STYLE: Mapping[EvidenceGrade, EdgeStyle] = {
    EvidenceGrade.strong: EdgeStyle("#111827", 2.8, None),
    EvidenceGrade.moderate: EdgeStyle("#2563eb", 2.2, None),
    EvidenceGrade.weak: EdgeStyle("#6b7280", 1.8, "7 5"),
    EvidenceGrade.contested: EdgeStyle("#dc2626", 2.0, "2 4"),
}
LINK_STYLE = EdgeStyle("#b45309", 1.4, None)
"""Style of the plain link from a finding to the state it shows."""

BOX_WIDTH = 168
COLUMN_GAP = 60
ROW_GAP = 18
LINE_HEIGHT = 15
BOX_PAD = 10
PAD = 14
WRAP_CHARS = 22
LEGEND_ROW = 22
LANE_HEIGHT = 6
SWEEPS = 3
LEGEND_ENTRY = 180
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'

NodeKind = Literal["finding", "state", "lane"]


@dataclass(frozen=True)
class _Node:
    key: str
    label: str
    kind: NodeKind

    @property
    def lines(self) -> list[str]:
        return textwrap.wrap(self.label, WRAP_CHARS) or [""]

    @property
    def height(self) -> int:
        if self.kind == "lane":
            return LANE_HEIGHT
        return 2 * BOX_PAD + LINE_HEIGHT * len(self.lines)


@dataclass(frozen=True)
class _Edge:
    start: str
    end: str
    grade: EvidenceGrade | None


@dataclass(frozen=True)
class _Route:
    """An edge as the chain of node keys it passes, through lanes in skipped columns."""

    edge: _Edge
    keys: tuple[str, ...]


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    height: int


def _finding_labels(findings: Sequence[Finding], names: Mapping[str, str]) -> dict[str, str]:
    sides: dict[str, list[str]] = {}
    for finding in findings:
        named = sides.setdefault(finding.id, [])
        if finding.side and finding.side not in named:
            named.append(finding.side)
    return {
        key: names.get(key, humanise(key)) + (f" ({', '.join(named)})" if named else "")
        for key, named in sides.items()
    }


def _graph(
    chains: Sequence[Chain],
    findings: Sequence[Finding],
    node_labels: Mapping[str, str],
    finding_labels: Mapping[str, str],
) -> tuple[dict[str, _Node], list[_Edge]]:
    labels = _finding_labels(findings, finding_labels)
    nodes: dict[str, _Node] = {}
    edges: dict[tuple[str, str], _Edge] = {}
    for chain in chains:
        id_source, id_target = chain_ends(chain.id)
        source = f"n:{chain.source or id_source}"
        target = f"n:{chain.target or id_target}"
        # An inferred chain's start was reached through another link, not shown by a
        # finding: its path is drawn by that link, never by a finding arrow.
        for finding_id in () if chain.inferred else chain.because:
            key = f"f:{finding_id}"
            label = labels.get(finding_id) or finding_labels.get(finding_id, humanise(finding_id))
            nodes.setdefault(key, _Node(key, label, "finding"))
            edges.setdefault((key, source), _Edge(key, source, None))
        for key in (source, target):
            label = node_labels.get(key[2:], humanise(key[2:]))
            nodes.setdefault(key, _Node(key, label, "state"))
        edges.setdefault((source, target), _Edge(source, target, chain.evidence))
    return nodes, list(edges.values())


def _layers(nodes: Mapping[str, _Node], edges: Sequence[_Edge]) -> dict[str, int]:
    """Longest-path column of each node; cycles stop growing at ``len(nodes)``."""
    layer = {key: 0 if node.kind == "finding" else 1 for key, node in nodes.items()}
    for _ in range(len(nodes)):
        changed = False
        for edge in edges:
            wanted = layer[edge.start] + 1
            if layer[edge.end] < wanted <= len(nodes):
                layer[edge.end] = wanted
                changed = True
        if not changed:
            break
    return layer


def _routes(nodes: dict[str, _Node], edges: Sequence[_Edge], layer: dict[str, int]) -> list[_Route]:
    """Give each edge that skips columns a lane node in every skipped column."""
    routes = []
    for index, edge in enumerate(edges):
        keys = [edge.start]
        for column in range(layer[edge.start] + 1, layer[edge.end]):
            key = f"d:{index}:{column}"
            nodes[key] = _Node(key, "", "lane")
            layer[key] = column
            keys.append(key)
        routes.append(_Route(edge, (*keys, edge.end)))
    return routes


def _sort_by_neighbours(
    column: list[str], neighbours: Mapping[str, list[str]], row: dict[str, float]
) -> None:
    def centre(key: str) -> float:
        near = [row[k] for k in neighbours.get(key, []) if k in row]
        return sum(near) / len(near) if near else row[key]

    column.sort(key=centre)
    row.update({key: float(i) for i, key in enumerate(column)})


def _columns(
    nodes: Mapping[str, _Node], layer: Mapping[str, int], routes: Sequence[_Route]
) -> list[list[str]]:
    """Group nodes by column and order each column by barycentre sweeps."""
    columns: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for key in nodes:
        columns[layer[key]].append(key)
    columns = [column for column in columns if column]
    preds: dict[str, list[str]] = {}
    succs: dict[str, list[str]] = {}
    for route in routes:
        for start, end in itertools.pairwise(route.keys):
            preds.setdefault(end, []).append(start)
            succs.setdefault(start, []).append(end)
    row = {key: float(i) for column in columns for i, key in enumerate(column)}
    for _ in range(SWEEPS):
        for column in columns[1:]:
            _sort_by_neighbours(column, preds, row)
        for column in reversed(columns[:-1]):
            _sort_by_neighbours(column, succs, row)
    return columns


def _place(nodes: Mapping[str, _Node], columns: Sequence[Sequence[str]]) -> dict[str, _Box]:
    heights = [
        sum(nodes[k].height for k in column) + ROW_GAP * (len(column) - 1) for column in columns
    ]
    tallest = max(heights)
    boxes: dict[str, _Box] = {}
    for index, column in enumerate(columns):
        y = PAD + (tallest - heights[index]) / 2
        x = PAD + index * (BOX_WIDTH + COLUMN_GAP)
        for key in column:
            boxes[key] = _Box(x, y, nodes[key].height)
            y += nodes[key].height + ROW_GAP
    return boxes


def _num(value: float) -> str:
    return f"{value:.1f}"


def _node_svg(node: _Node, box: _Box) -> str:
    fill, stroke = ("#fef3c7", "#b45309") if node.kind == "finding" else ("#eff6ff", "#64748b")
    texts = "".join(
        f'<tspan x="{_num(box.x + BOX_PAD)}" y="{_num(box.y + BOX_PAD + 11 + i * LINE_HEIGHT)}">'
        f"{escape(line)}</tspan>"
        for i, line in enumerate(node.lines)
    )
    return (
        f'<g class="node {node.kind}"><title>{escape(node.label)}</title>'
        f'<rect x="{_num(box.x)}" y="{_num(box.y)}" width="{BOX_WIDTH}" height="{box.height}" '
        f'rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.2"/>'
        f'<text {FONT} font-size="12" fill="#111827">{texts}</text></g>'
    )


def _route_path(route: _Route, boxes: Mapping[str, _Box]) -> str:
    """SVG path data: curves between columns, straight runs through lanes."""
    first = boxes[route.keys[0]]
    x, y = first.x + BOX_WIDTH, first.y + first.height / 2
    parts = [f"M{_num(x)},{_num(y)}"]
    for key in route.keys[1:]:
        box = boxes[key]
        x2, y2 = box.x - (0 if key.startswith("d:") else 3), box.y + box.height / 2
        bend = max((x2 - x) / 2, 30.0)
        parts.append(
            f"C{_num(x + bend)},{_num(y)} {_num(x2 - bend)},{_num(y2)} {_num(x2)},{_num(y2)}"
        )
        x, y = x2, y2
        if key.startswith("d:"):
            x += BOX_WIDTH
            parts.append(f"L{_num(x)},{_num(y)}")
    return " ".join(parts)


def _edge_svg(route: _Route, boxes: Mapping[str, _Box], nodes: Mapping[str, _Node]) -> str:
    edge = route.edge
    style = LINK_STYLE if edge.grade is None else GRADE_STYLE[edge.grade]
    marker = "link" if edge.grade is None else edge.grade.value
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    start, end = nodes[edge.start].label, nodes[edge.end].label
    if edge.grade is None:
        words = f"{start} → {end}: finding present"
    else:
        words = f"{claim(edge.grade, start, end)} ({GRADE_WORDS[edge.grade]})"
    return (
        f'<path class="edge {marker}" d="{_route_path(route, boxes)}" fill="none" '
        f'stroke="{style.colour}" stroke-width="{style.width}"{dash} '
        f'marker-end="url(#hl-arrow-{marker})"><title>{escape(words)}</title></path>'
    )


def _markers(grades: Sequence[EvidenceGrade]) -> str:
    styles = [("link", LINK_STYLE)] + [(g.value, GRADE_STYLE[g]) for g in grades]
    return (
        "<defs>"
        + "".join(
            f'<marker id="hl-arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{style.colour}"/></marker>'
            for name, style in styles
        )
        + "</defs>"
    )


def _legend(
    grades: Sequence[EvidenceGrade], *, links: bool, top: float, width: float
) -> tuple[str, float]:
    """Legend entries, wrapped to ``width``; returns the SVG and its height."""
    entries = [("link", LINK_STYLE, "Finding it rests on")] if links else []
    entries += [(g.value, GRADE_STYLE[g], GRADE_WORDS[g].capitalize()) for g in grades]
    parts = ['<g class="legend">']
    x, y = float(PAD), top
    for css, style, text in entries:
        if x + LEGEND_ENTRY > width and x > PAD:
            x, y = float(PAD), y + LEGEND_ROW
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        parts.append(
            f'<g class="legend-entry {css}"><line x1="{_num(x)}" y1="{_num(y)}" '
            f'x2="{_num(x + 34)}" y2="{_num(y)}" stroke="{style.colour}" '
            f'stroke-width="{style.width}"{dash}/><text x="{_num(x + 42)}" y="{_num(y + 4)}" '
            f'{FONT} font-size="12" fill="#111827">{escape(text)}</text></g>'
        )
        x += LEGEND_ENTRY
    parts.append("</g>")
    return "".join(parts), y - top + LEGEND_ROW


def _empty_svg() -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40" viewBox="0 0 240 40" '
        'role="img" aria-label="No chains to show"><title>No chains to show</title>'
        f'<text x="12" y="25" {FONT} font-size="13" fill="#4b5563">No chains to show</text></svg>'
    )


def chain_svg(
    chains: Sequence[Chain],
    findings: Sequence[Finding],
    *,
    node_labels: Mapping[str, str] | None = None,
    finding_labels: Mapping[str, str] | None = None,
) -> str:
    """Draw findings and the chains they bring up as a left-to-right SVG diagram.

    Parameters
    ----------
    chains
        Chains to draw; node labels come from their source and target ids
        (the two ends of ``source->target``) with underscores made spaces.
    findings
        Findings used to label the finding boxes with their sides; a chain's
        ``because`` id without a matching finding still gets a box.
    node_labels, finding_labels
        Optional names by node id and finding id (e.g. the library's labels);
        ids not named here are humanised.

    Returns
    -------
    str
        A self-contained ``<svg>`` with ``role="img"``, a ``<title>``, one
        ``<title>`` per edge naming its grade and a legend of the grades present.
        An empty ``chains`` gives a small SVG saying there are no chains.

    """
    if not chains:
        return _empty_svg()
    nodes, edges = _graph(chains, findings, node_labels or {}, finding_labels or {})
    layer = _layers(nodes, edges)
    routes = _routes(nodes, edges, layer)
    columns = _columns(nodes, layer, routes)
    boxes = _place(nodes, columns)
    grades = [g for g in EVIDENCE_ORDER if any(e.grade == g for e in edges)]
    width = PAD * 2 + len(columns) * BOX_WIDTH + (len(columns) - 1) * COLUMN_GAP
    diagram_bottom = max(box.y + box.height for box in boxes.values()) + PAD + 8
    links = any(edge.grade is None for edge in edges)
    legend, legend_height = _legend(grades, links=links, top=diagram_bottom, width=width)
    height = round(diagram_bottom + legend_height)
    name = f"Kinetic chain diagram: {len(chains)} link{'s' if len(chains) != 1 else ''}"
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(name)}">',
            f"<title>{escape(name)}</title>",
            _markers(grades),
            *(_edge_svg(route, boxes, nodes) for route in routes),
            *(_node_svg(node, boxes[key]) for key, node in nodes.items() if node.kind != "lane"),
            legend,
            "</svg>",
        ]
    )
