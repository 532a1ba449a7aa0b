"""A small layered-DAG renderer to SVG: sources on the left, sinks on the right (farm to
shelf). Used for trace pictures and supply-chain partner graphs; no drawing library needed."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import networkx as nx

BOX_W, LINE_H, PAD, COL_GAP, ROW_GAP = 230, 16, 8, 80, 18
STYLES = {
    "origin": ("#e6f4ea", "#1f7a3a"),
    "lot": ("#ffffff", "#5b6b60"),
    "retail": ("#eef2fb", "#2f4f9a"),
    "alert": ("#fdecea", "#b3261e"),
    "focus": ("#fff4dc", "#8a5a00"),
}


@dataclass(frozen=True)
class Box:
    """A node: its text lines (the first is bold) and a style name from STYLES."""

    lines: Sequence[str]
    style: str = "lot"


def _clip(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


DUMMY_H = 12


def _layers(graph: nx.DiGraph, boxes: dict[Hashable, Box]) -> tuple[
        list[list[Hashable]], dict[tuple[Hashable, Hashable], list[Hashable]]]:
    """Topological columns with a dummy node wherever an edge skips a column (Sugiyama), each
    column ordered by the mean position of its predecessors to keep crossings down."""
    level = {n: i for i, layer in enumerate(nx.topological_generations(graph)) for n in layer}
    columns: list[list[Hashable]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    preds: dict[Hashable, list[Hashable]] = {n: [] for n in graph}
    routes: dict[tuple[Hashable, Hashable], list[Hashable]] = {}
    for node, lv in level.items():
        columns[lv].append(node)
    for a, b in graph.edges:
        chain, previous = [], a
        for lv in range(level[a] + 1, level[b]):
            dummy = ("__dummy__", a, b, lv)
            columns[lv].append(dummy)
            preds[dummy] = [previous]
            chain.append(dummy)
            previous = dummy
        preds[b].append(previous)
        routes[(a, b)] = chain

    def label(n: Hashable) -> str:
        return boxes[n].lines[0] if n in boxes else ""

    columns[0].sort(key=lambda n: (label(n), str(n)))
    for lv in range(1, len(columns)):
        index = {n: i for i, n in enumerate(columns[lv - 1])}
        columns[lv].sort(key=lambda n: (
            sum(index.get(p, 0) for p in preds[n]) / max(1, len(preds[n])), label(n), str(n)))
    return columns, routes


def render(boxes: dict[Hashable, Box], edges: Sequence[tuple[Hashable, Hashable]],
           title: str = "", edge_labels: dict[tuple[Hashable, Hashable], str] | None = None) -> str:
    """Lay the DAG out in topological columns and draw it as an SVG document."""
    graph = nx.DiGraph()
    graph.add_nodes_from(boxes)
    graph.add_edges_from((a, b) for a, b in edges if a in boxes and b in boxes and a != b)
    while not nx.is_directed_acyclic_graph(graph):  # declared chain links may loop back
        graph.remove_edge(*nx.find_cycle(graph)[-1][:2])
    columns, routes = _layers(graph, boxes)
    positions: dict[Hashable, tuple[float, float, float]] = {}
    top = 40 if title else 10
    height = float(top)
    for col, layer in enumerate(columns):
        y = float(top)
        for node in layer:
            h = PAD * 2 + LINE_H * len(boxes[node].lines) if node in boxes else DUMMY_H
            positions[node] = (10 + col * (BOX_W + COL_GAP), y, h)
            y += h + ROW_GAP
        height = max(height, y)
    width = 20 + max(1, len(columns)) * (BOX_W + COL_GAP) - COL_GAP
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 10:.0f}" '
           f'viewBox="0 0 {width} {height + 10:.0f}" '
           f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12" role="img" '
           f'aria-label="{escape(title)}">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
           'fill="#5b6b60"/></marker></defs>']
    if title:
        out.append(f'<text x="10" y="24" font-size="15" font-weight="bold">{escape(title)}</text>')
    labels = edge_labels or {}
    for (a, b), via in routes.items():
        ax, ay, ah = positions[a]
        points = [(ax + BOX_W, ay + ah / 2)]
        for dummy in via:
            dx, dy, dh = positions[dummy]
            points += [(dx, dy + dh / 2), (dx + BOX_W, dy + dh / 2)]
        bx, by, bh = positions[b]
        points.append((bx, by + bh / 2))
        d = f"M {points[0][0]:.0f} {points[0][1]:.0f}"
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            mid = (x1 + x2) / 2
            d += f" C {mid:.0f} {y1:.0f}, {mid:.0f} {y2:.0f}, {x2:.0f} {y2:.0f}"
        out.append(f'<path d="{d}" fill="none" stroke="#8a9a8f" stroke-width="1.4" '
                   f'marker-end="url(#arrow)"/>')
        if (a, b) in labels:
            x2, y2 = points[-1]
            out.append(f'<text x="{x2 - 8:.0f}" y="{y2 - 5:.0f}" text-anchor="end" '
                       f'font-size="10" fill="#5b6b60">{escape(_clip(labels[(a, b)], 18))}'
                       f'</text>')
    for node, (x, y, h) in positions.items():
        if node not in boxes:
            continue
        box = boxes[node]
        fill, stroke = STYLES.get(box.style, STYLES["lot"])
        out.append(f'<rect x="{x}" y="{y:.0f}" width="{BOX_W}" height="{h:.0f}" rx="6" '
                   f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>')
        for i, line in enumerate(box.lines):
            weight = ' font-weight="bold"' if i == 0 else ""
            out.append(f'<text x="{x + PAD}" y="{y + PAD + LINE_H * (i + 1) - 4:.0f}"{weight}>'
                       f'{escape(_clip(line))}</text>')
    out.append("</svg>")
    return "\n".join(out)
