"""What the agencies' PDFs share (recall notices, indicator reports): DejaVu Sans for Vietnamese,
paragraph styles, the page frame with page numbers, and dates written the Vietnamese way.

Fonts come from `qr.pdf` when the QR capability provides it; until then a minimal local
registration of the same fonts under the same names (swap it out once `qr.pdf` is on main).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from registry import events

try:  # the QR capability's shared PDF helpers (qr/pdf.py), when merged
    from qr.pdf import FONT, FONT_BOLD, register_fonts  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on what is merged
    FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
    FONTS_DIR = Path(__file__).resolve().parent.parent / "qr" / "fonts"

    def register_fonts() -> None:
        """Register DejaVu Sans (regular and bold) with reportlab, once per process."""
        if FONT_BOLD in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT,
                                      boldItalic=FONT_BOLD)

__all__ = ["FONT", "FONT_BOLD", "metadata", "number", "page_frame", "para", "register_fonts",
           "styles", "vn_date"]
CREATOR = "nguongoc"
INK = colors.HexColor("#1d2a21")
MUTED = colors.HexColor("#5b6b60")
LINE = colors.HexColor("#d7e0d9")
HEAD_BG = colors.HexColor("#eef4ef")
WARN = colors.HexColor("#b3261e")


def styles() -> dict[str, ParagraphStyle]:
    """Vietnamese-capable paragraph styles."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK,
                          spaceAfter=3)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9.5, spaceAfter=0),
        "head": ParagraphStyle("head", parent=body, fontName=FONT_BOLD, fontSize=7.5,
                               leading=9.5, spaceAfter=0),
        "center": ParagraphStyle("center", parent=body, alignment=1),
        "center_bold": ParagraphStyle("center_bold", parent=body, fontName=FONT_BOLD,
                                      alignment=1),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=15,
                                leading=19, alignment=1, spaceBefore=8, spaceAfter=4),
        "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=11,
                                  leading=14, spaceBefore=8, spaceAfter=4),
        "warning": ParagraphStyle("warning", parent=body, fontName=FONT_BOLD, fontSize=10.5,
                                  leading=14, textColor=colors.white, backColor=WARN,
                                  borderPadding=5, spaceBefore=4, spaceAfter=8),
    }


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: `<` and `&` in names are not markup)."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def vn_date(moment: date | datetime) -> str:
    """`ngày 28 tháng 11 năm 2026` (a time is taken in Vietnam's time zone)."""
    day = moment.astimezone(events.VN_TZ).date() if isinstance(moment, datetime) else moment
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def number(value: float) -> str:
    """A quantity as Vietnamese documents write it: 1.234,5."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def page_frame(title: str) -> Any:
    """A platypus page callback: the document's title and page number at the foot."""

    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(doc.leftMargin, 12 * 2.8346, title[:110])
        canvas.drawRightString(doc.pagesize[0] - doc.rightMargin, 12 * 2.8346,
                               f"Trang {doc.page}")
        canvas.restoreState()

    return draw


def metadata(title: str, subject: str) -> dict[str, str]:
    """Document information for SimpleDocTemplate."""
    return {"title": title, "subject": subject, "creator": CREATOR, "author": CREATOR}
