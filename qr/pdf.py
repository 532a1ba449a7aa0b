"""What every PDF of the registry shares: DejaVu Sans for Vietnamese, paragraph styles, a canvas.

Reportlab's built-in fonts (Helvetica, Times) have no Vietnamese letters beyond Latin-1 (no ạ, ơ,
ư, đ, ữ ...). DejaVu Sans has them all, and reportlab embeds a subset of it with a ToUnicode map,
so "Trà hoa vàng Ba Chẽ" prints right and is extracted from the PDF as typed. Label sheets,
recall notices and verification reports all take their fonts and styles from here.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
CREATOR = "nguongoc"


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab, once per process."""
    if FONT_BOLD in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
    # <b> in a Paragraph picks the bold face; DejaVu Sans ships no italic here, so italic is upright
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT,
                                  boldItalic=FONT_BOLD)


def styles() -> StyleSheet1:
    """Vietnamese-capable paragraph styles: body, small, title, heading, warning."""
    register_fonts()
    sheet = StyleSheet1()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.5, spaceAfter=4)
    sheet.add(body)
    sheet.add(ParagraphStyle("small", parent=body, fontSize=8, leading=10.5))
    sheet.add(ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=18, leading=23,
                             spaceAfter=10))
    sheet.add(ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=13,
                             leading=17, spaceBefore=8, spaceAfter=4))
    sheet.add(ParagraphStyle("warning", parent=body, fontName=FONT_BOLD, fontSize=14, leading=18,
                             textColor=colors.white, backColor=colors.HexColor("#b00020"),
                             borderPadding=6, spaceBefore=6, spaceAfter=12))
    return sheet


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: `<`, `&` in a product name are not markup)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def new_canvas(out: BinaryIO | io.BytesIO, *, title: str, subject: str = "",
               pagesize: tuple[float, float] = A4) -> Canvas:
    """A reportlab canvas on A4 with the fonts registered and the document's metadata set."""
    register_fonts()
    canvas = Canvas(out, pagesize=pagesize, pageCompression=1, initialFontName=FONT)
    canvas.setTitle(title)
    canvas.setSubject(subject)
    canvas.setCreator(CREATOR)
    canvas.setAuthor(CREATOR)
    return canvas
