"""One layout, two renderers: the SVG and the PDF canvas draw the same boxes and edges."""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

from chains import canvas, svg
from registry import documents
from tests.agency.conftest import pdf_text

BOXES = {"farm": svg.Box(["Mã số vùng trồng", "VN-80-803-27811-01-22"], "origin"),
         "packer": svg.Box(["Công ty Đóng gói Long An Xanh", "lô ABC"]),
         "shop": svg.Box(["Siêu thị Xanh Ninh Kiều", "lô ABC"], "retail")}
EDGES = [("farm", "packer"), ("packer", "shop"), ("farm", "shop")]


def test_the_layout_is_computed_once_and_rendered_as_svg() -> None:
    picture = svg.layout(BOXES, EDGES, title="Truy xuất", edge_labels={("packer", "shop"): "5 t"})
    assert svg.to_svg(picture) == svg.render(BOXES, EDGES, title="Truy xuất",
                                             edge_labels={("packer", "shop"): "5 t"})
    assert [b.box.lines[0] for b in sorted(picture.boxes, key=lambda b: b.x)][0] == \
        "Mã số vùng trồng"
    skipping = next(r for r in picture.routes if len(r.points) > 2)  # farm -> shop skips a column
    assert skipping.points[0][0] < skipping.points[-1][0]
    assert picture.width > 2 * svg.BOX_W and picture.height > 0


def test_the_same_layout_draws_on_a_pdf_canvas_with_vietnamese_text() -> None:
    picture = svg.layout(BOXES, EDGES, title="Sơ đồ truy xuất")
    out = io.BytesIO()
    documents.register_fonts()
    page = Canvas(out)
    scale = canvas.scale_to_fit(picture, 500, 300)
    assert scale <= 1
    canvas.draw(page, picture, 40, 780, scale, font=documents.FONT,
                font_bold=documents.FONT_BOLD)
    page.save()
    text = pdf_text(out.getvalue())
    assert "Sơ đồ truy xuất" in text and "Siêu thị Xanh Ninh Kiều" in text
