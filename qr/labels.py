"""A4 label sheets: each label a QR code, the product name in Vietnamese, batch, origin code,
OCOP stars and a short URL for people without a scanner.

Layouts follow common A4 label stock (sizes in mm). Each QR code is drawn as one small image,
one pixel per module, that the PDF scales up (no interpolation), not as hundreds of rectangles:
a 1,000-label sheet of distinct serialised codes builds in well under the 2 s DESIGN.md asks.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from qr.images import qr_image
from qr.pdf import FONT, FONT_BOLD, new_canvas
from registry.errors import Invalid

MAX_LABELS = 10_000
ELLIPSIS = "…"
STAR, NO_STAR = "★", "☆"
STAR_COLOUR = colors.HexColor("#9a6a00")


@dataclass(frozen=True)
class Label:
    """What one label shows. `url` is what the QR code encodes (each label may differ)."""

    url: str
    product_name: str
    batch: str
    origin_code: str | None = None
    ocop_stars: int | None = None
    short_url: str | None = None


@dataclass(frozen=True)
class Layout:
    """A sheet of `columns` x `rows` labels on A4 portrait; lengths in mm, type sizes in pt."""

    name: str
    description: str
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    gap_x: float = 0.0
    gap_y: float = 0.0
    padding: float = 2.5
    quiet_zone: int = 4  # modules of white around the code, inside its square
    name_pt: float = 9.0
    name_lines: int = 3
    text_pt: float = 7.0
    small_pt: float = 6.5

    @property
    def per_page(self) -> int:
        """Labels on one sheet."""
        return self.columns * self.rows


LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (
    Layout("3x8", "24 per sheet, 70 x 37 mm", 3, 8, 70, 37, left=0, top=0.5),
    Layout("2x7", "14 per sheet, 99.1 x 38.1 mm", 2, 7, 99.1, 38.1, left=4.65, top=15.15,
           gap_x=2.5, name_pt=11, name_lines=2, text_pt=8.5, small_pt=8),
    Layout("4x10", "40 per sheet, 48.5 x 25.4 mm", 4, 10, 48.5, 25.4, left=8, top=21.5,
           padding=1.5, quiet_zone=2, name_pt=6.5, name_lines=2, text_pt=5.5, small_pt=5),
    Layout("1x1", "1 per sheet, 190 x 277 mm (a poster for a stall or a crate)", 1, 1, 190,
           277, left=10, top=10, padding=10, name_pt=26, name_lines=3, text_pt=16,
           small_pt=14),
)}
DEFAULT_LAYOUT = "3x8"


def label_sheet(labels: Sequence[Label], layout: str = DEFAULT_LAYOUT, *, skip: int = 0,
                outlines: bool = False, title: str = "Nhãn truy xuất nguồn gốc") -> bytes:
    """A PDF of `labels` on A4 sheets of `layout`, leaving the first `skip` places empty (a
    partly used sheet); `outlines` draws each label's edge, for cutting plain paper."""
    sheet = LAYOUTS.get(layout)
    if sheet is None:
        raise Invalid.field("layout", "one of " + ", ".join(LAYOUTS))
    if not 1 <= len(labels) <= MAX_LABELS:
        raise Invalid.field("count", f"from 1 to {MAX_LABELS} labels")
    if not 0 <= skip < sheet.per_page:
        raise Invalid.field("skip", f"from 0 to {sheet.per_page - 1} places")
    out = io.BytesIO()
    canvas = new_canvas(out, title=title, subject=f"{len(labels)} labels, layout {layout}")
    images: dict[str, ImageReader] = {}  # a batch-level code repeats: encode it once
    for index, label in enumerate(labels, start=skip):
        place = index % sheet.per_page
        if place == 0 and index > skip:
            canvas.showPage()
        row, column = divmod(place, sheet.columns)
        x = (sheet.left + column * (sheet.width + sheet.gap_x)) * mm
        y = A4[1] - (sheet.top + (row + 1) * sheet.height + row * sheet.gap_y) * mm
        if label.url not in images:
            image = qr_image(label.url, border=sheet.quiet_zone).convert("L")
            images[label.url] = ImageReader(image)
        _draw_label(canvas, sheet, label, images[label.url], x, y)
        if outlines:
            canvas.setStrokeColor(colors.lightgrey)
            canvas.setLineWidth(0.3)
            canvas.roundRect(x, y, sheet.width * mm, sheet.height * mm, 2 * mm)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw_label(canvas: Canvas, sheet: Layout, label: Label, code: ImageReader, x: float,
                y: float) -> None:
    """One label whose lower-left corner is at (x, y) points."""
    width, height, pad = sheet.width * mm, sheet.height * mm, sheet.padding * mm
    if height > width:  # a poster: the code on top, centred, the text below it
        text_height = (sheet.name_lines * 1.2 * sheet.name_pt + 4 * 1.5 * sheet.text_pt)
        side = min(width - 2 * pad, height - 2 * pad - text_height)
        canvas.drawImage(code, x + (width - side) / 2, y + height - pad - side, side, side)
        _draw_text(canvas, sheet, label, x + pad, y + pad, width - 2 * pad,
                   y + height - pad - side - sheet.name_pt * 1.5, centred=True)
        return
    side = height - 2 * pad
    canvas.drawImage(code, x + pad, y + pad, side, side)
    text_x = x + pad + side + 0.5 * mm
    _draw_text(canvas, sheet, label, text_x, y + pad, x + width - pad - text_x,
               y + height - pad - sheet.name_pt, centred=False)


def _draw_text(canvas: Canvas, sheet: Layout, label: Label, left: float, bottom: float,
               width: float, top_line: float, *, centred: bool) -> None:
    """The name (bold, wrapped), batch, origin and stars from `top_line` down; the short URL on
    the bottom line. One text object per label: a drawString per line costs twice as much."""
    text_object = canvas.beginText()

    def line(text: str, font: str, size: float, baseline: float) -> None:
        text, size = _fit(text, font, size, width)
        indent = (width - stringWidth(text, font, size)) / 2 if centred else 0.0
        text_object.setFont(font, size)
        text_object.setTextOrigin(left + indent, baseline)
        text_object.textOut(text)

    baseline = top_line
    name_pt, lines = _wrap(label.product_name, FONT_BOLD, sheet.name_pt, width, sheet.name_lines)
    for text in lines:
        line(text, FONT_BOLD, name_pt, baseline)
        baseline -= name_pt * 1.15
    baseline -= sheet.text_pt * 0.35
    details = [f"Lô: {label.batch}"]
    if label.origin_code:
        origin = f"Nguồn gốc: {label.origin_code}"
        if stringWidth(origin, FONT, sheet.text_pt * 0.8) <= width:
            details.append(origin)
        else:  # a code cut short is of no use: give it a line of its own
            details += ["Nguồn gốc:", label.origin_code]
    for text in details:
        line(text, FONT, sheet.text_pt, baseline)
        baseline -= sheet.text_pt * 1.3
    if label.short_url:
        line(label.short_url, FONT, sheet.small_pt, bottom + sheet.small_pt * 0.25)
    if label.ocop_stars:
        stars = max(0, min(5, label.ocop_stars))
        text_object.setFillColor(STAR_COLOUR)
        line(f"OCOP {STAR * stars}{NO_STAR * (5 - stars)}", FONT_BOLD, sheet.text_pt * 1.1,
             baseline - sheet.text_pt * 0.1)
        text_object.setFillColor(colors.black)
    canvas.drawText(text_object)


@lru_cache(maxsize=256)  # labels of one lot share a product name
def _wrap(text: str, font: str, size: float, width: float, max_lines: int
          ) -> tuple[float, tuple[str, ...]]:
    """Lines of `text` within `width`: shrunk down to 75% of `size` if that avoids cutting it,
    else cut with an ellipsis on the last line."""
    smallest = size * 0.75
    while True:
        lines = simpleSplit(" ".join(text.split()), font, size, width)
        if len(lines) <= max_lines or size - 0.5 < smallest:
            break
        size -= 0.5
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _fit(lines[-1] + ELLIPSIS, font, size, width, shrink=False)[0]
    return size, tuple(lines)


def _fit(text: str, font: str, size: float, width: float, *, shrink: bool = True
         ) -> tuple[str, float]:
    """`text` at `size`, shrunk to 80% if need be, then cut with an ellipsis to fit `width`."""
    text_width = stringWidth(text, font, size)
    if text_width <= width:
        return text, size
    if shrink:  # a string's width is proportional to its size
        smaller = max(size * 0.8, size * width / text_width)
        text_width, size = text_width * smaller / size, smaller
        if text_width <= width * 1.0001:
            return text, size
    while len(text) > 1 and stringWidth(text.rstrip(ELLIPSIS) + ELLIPSIS, font, size) > width:
        text = text.rstrip(ELLIPSIS)[:-1]
    return text.rstrip(ELLIPSIS) + ELLIPSIS, size
