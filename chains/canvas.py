"""Draw a `chains.svg.Layout` on a reportlab canvas: the same picture as the SVG, for PDFs
(recall notices). Coordinates are the layout's (y down), scaled to fit the space given."""

from __future__ import annotations

from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from chains.svg import LINE_H, PAD, STYLES, Layout, clip, curve

EDGE_COLOUR = "#8a9a8f"
LABEL_COLOUR = "#5b6b60"


def scale_to_fit(picture: Layout, width: float, height: float) -> float:
    """The factor that fits the picture in `width` x `height` points (never enlarged)."""
    return min(1.0, width / picture.width, height / picture.height)


def draw(canvas: Canvas, picture: Layout, left: float, top: float, scale: float, *,
         font: str = "Helvetica", font_bold: str = "Helvetica-Bold") -> None:
    """Draw the picture with its top-left corner at (`left`, `top`) in PDF points."""

    def at(x: float, y: float) -> tuple[float, float]:
        return left + x * scale, top - y * scale

    canvas.saveState()
    if picture.title:
        canvas.setFont(font_bold, 15 * scale)
        canvas.drawString(*at(10, 24), picture.title)
    canvas.setLineWidth(1.4 * scale)
    canvas.setStrokeColor(HexColor(EDGE_COLOUR))
    for route in picture.routes:
        path = canvas.beginPath()
        path.moveTo(*at(*route.points[0]))
        for _, c1, c2, end in curve(route.points):
            path.curveTo(*at(*c1), *at(*c2), *at(*end))
        canvas.drawPath(path, stroke=1, fill=0)
        _arrow(canvas, *at(*route.points[-1]), 7 * scale)
        if route.label is not None:
            canvas.setFillColor(HexColor(LABEL_COLOUR))
            canvas.setFont(font, 10 * scale)
            x2, y2 = route.points[-1]
            canvas.drawRightString(*at(x2 - 8, y2 - 5), clip(route.label, 18))
    for item in picture.boxes:
        fill, stroke = STYLES.get(item.box.style, STYLES["lot"])
        canvas.setFillColor(HexColor(fill))
        canvas.setStrokeColor(HexColor(stroke))
        canvas.setLineWidth(1.5 * scale)
        x, y = at(item.x, item.y + item.height)
        canvas.roundRect(x, y, item.width * scale, item.height * scale, 6 * scale,
                         stroke=1, fill=1)
        canvas.setFillColor(HexColor("#1d2a21"))
        for i, line in enumerate(item.box.lines):
            canvas.setFont(font_bold if i == 0 else font, 12 * scale)
            canvas.drawString(*at(item.x + PAD, item.y + PAD + LINE_H * (i + 1) - 4), clip(line))
    canvas.restoreState()


def _arrow(canvas: Canvas, x: float, y: float, size: float) -> None:
    """An arrowhead pointing right with its tip at (x, y): edges always enter from the left."""
    canvas.setFillColor(HexColor(LABEL_COLOUR))
    path = canvas.beginPath()
    path.moveTo(x, y)
    path.lineTo(x - size, y + size / 2)
    path.lineTo(x - size, y - size / 2)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
