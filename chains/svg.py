"""A small layered-DAG layout: sources on the left, sinks on the right (farm to shelf). Used for
trace pictures and supply-chain partner graphs. The layout is computed once (`layout`) and drawn
as SVG here (`to_svg`, `render`) or on a PDF canvas (`chains.canvas`); no drawing library needed."""

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


def clip(text: str, limit: int = 34) -> str:
    """The text, cut with an ellipsis beyond `limit` characters."""
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


@dataclass(frozen=True)
class Placed:
    """A box at its place: top-left corner, width and height (SVG coordinates, y down)."""

    x: float
    y: float
    width: float
    height: float
    box: Box


@dataclass(frozen=True)
class Route:
    """An edge as the points its curve passes through, left to right, and its label."""

    points: tuple[tuple[float, float], ...]
    label: str | None = None


@dataclass(frozen=True)
class Layout:
    """A laid-out picture: its size, title, boxes and edge routes; renderers only draw it."""

    width: float
    height: float
    title: str
    boxes: tuple[Placed, ...]
    routes: tuple[Route, ...]


def layout(boxes: dict[Hashable, Box], edges: Sequence[tuple[Hashable, Hashable]],
           title: str = "", edge_labels: dict[tuple[Hashable, Hashable], str] | None = None
           ) -> Layout:
    """Lay the DAG out in topological columns, once, for any renderer (SVG, PDF canvas)."""
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
    labels = edge_labels or {}
    paths = []
    for (a, b), via in routes.items():
        ax, ay, ah = positions[a]
        points = [(ax + BOX_W, ay + ah / 2)]
        for dummy in via:
            dx, dy, dh = positions[dummy]
            points += [(dx, dy + dh / 2), (dx + BOX_W, dy + dh / 2)]
        bx, by, bh = positions[b]
        points.append((bx, by + bh / 2))
        paths.append(Route(tuple(points), labels.get((a, b))))
    placed = tuple(Placed(x, y, BOX_W, h, boxes[node])
                   for node, (x, y, h) in positions.items() if node in boxes)
    return Layout(float(width), height + 10, title, placed, tuple(paths))


def curve(points: Sequence[tuple[float, float]]) -> list[tuple[tuple[float, float], ...]]:
    """The cubic Bézier segments (start, control 1, control 2, end) through `points`."""
    return [((x1, y1), ((x1 + x2) / 2, y1), ((x1 + x2) / 2, y2), (x2, y2))
            for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False)]


def to_svg(picture: Layout) -> str:
    """Draw a layout as an SVG document."""
    width, height, title = picture.width, picture.height, picture.title
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" '
           f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12" role="img" '
           f'aria-label="{escape(title)}">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
           'fill="#5b6b60"/></marker></defs>']
    if title:
        out.append(f'<text x="10" y="24" font-size="15" font-weight="bold">{escape(title)}</text>')
    for route in picture.routes:
        points = route.points
        d = f"M {points[0][0]:.0f} {points[0][1]:.0f}"
        for _, (c1x, c1y), (c2x, c2y), (x2, y2) in curve(points):
            d += f" C {c1x:.0f} {c1y:.0f}, {c2x:.0f} {c2y:.0f}, {x2:.0f} {y2:.0f}"
        out.append(f'<path d="{d}" fill="none" stroke="#8a9a8f" stroke-width="1.4" '
                   f'marker-end="url(#arrow)"/>')
        if route.label is not None:
            x2, y2 = points[-1]
            out.append(f'<text x="{x2 - 8:.0f}" y="{y2 - 5:.0f}" text-anchor="end" '
                       f'font-size="10" fill="#5b6b60">{escape(clip(route.label, 18))}'
                       f'</text>')
    for item in picture.boxes:
        x, y, h, box = item.x, item.y, item.height, item.box
        fill, stroke = STYLES.get(box.style, STYLES["lot"])
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{item.width:.0f}" height="{h:.0f}" '
                   f'rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>')
        for i, line in enumerate(box.lines):
            weight = ' font-weight="bold"' if i == 0 else ""
            out.append(f'<text x="{x + PAD:.0f}" y="{y + PAD + LINE_H * (i + 1) - 4:.0f}"'
                       f'{weight}>{escape(clip(line))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def render(boxes: dict[Hashable, Box], edges: Sequence[tuple[Hashable, Hashable]],
           title: str = "", edge_labels: dict[tuple[Hashable, Hashable], str] | None = None) -> str:
    """Lay the DAG out in topological columns and draw it as an SVG document."""
    return to_svg(layout(boxes, edges, title, edge_labels))
