"""The indicators report as a PDF (Vietnamese): one table of every indicator against its
target, bars drawn as on the dashboard, the basis of each target and the records behind it."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate, Table, TableStyle

from registry import documents as doc
from registry.indicators import IndicatorReport, IndicatorRow, bar, shown, target_text

RECORDS_PRINTED = 12
OK, BAD, UNKNOWN = colors.HexColor("#1f7a3a"), colors.HexColor("#b3261e"), colors.HexColor(
    "#8a9a8f")


class Bar(Flowable):  # type: ignore[misc]
    """A horizontal bar with the target's mark, as on the dashboard."""

    def __init__(self, row: IndicatorRow, width: float, height: float = 8) -> None:
        super().__init__()
        self.row, self.width, self.height = row, width, height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        length, mark = bar(self.row)
        canvas = self.canv
        canvas.setFillColor(colors.HexColor("#eef4ef"))
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        colour = OK if self.row.met else BAD if self.row.met is False else UNKNOWN
        canvas.setFillColor(colour)
        canvas.rect(0, 0, self.width * length, self.height, stroke=0, fill=1)
        if mark is not None:
            canvas.setStrokeColor(colors.HexColor("#1d2a21"))
            canvas.setLineWidth(1.2)
            canvas.line(self.width * mark, -1.5, self.width * mark, self.height + 1.5)


def _met(row: IndicatorRow) -> str:
    return "Đạt" if row.met else "Chưa đạt" if row.met is False else "Chưa đủ dữ liệu"


def _figures(row: IndicatorRow) -> str:
    def num(value: float | None) -> str:
        return "—" if value is None else doc.number(value)

    text = num(row.numerator) + ("" if row.denominator is None else f" / {num(row.denominator)}")
    if row.previous is not None:
        before = num(row.previous.numerator) + (
            "" if row.previous.denominator is None else f" / {num(row.previous.denominator)}")
        text += f" (năm trước: {before})"
    return text


def render(report: IndicatorReport) -> bytes:
    """The report as PDF bytes (A4 portrait)."""
    st = doc.styles()
    title = f"Chỉ tiêu kế hoạch năm {report.year}: {report.province_name}"
    story: list[Any] = [
        doc.para(title.upper(), st["title"]),
        doc.para(f"Số liệu đến {doc.vn_date(report.as_of)}; tính theo đơn vị hành chính hiện "
                 f"nay (gồm hồ sơ của: {', '.join(report.includes)}). Lập "
                 f"{doc.vn_date(report.generated_at)}.", st["center"])]
    head = ["Chỉ tiêu", "Tử số / mẫu số", "Giá trị", "Mục tiêu", "Kết quả", ""]
    rows: list[list[Any]] = [[doc.para(h, st["head"]) for h in head]]
    for row in report.indicators:
        rows.append([doc.para(row.name_vi, st["cell"]), doc.para(_figures(row), st["cell"]),
                     doc.para(shown(row, row.value), st["cell"]),
                     doc.para(target_text(row), st["cell"]), doc.para(_met(row), st["cell"]),
                     Bar(row, 30 * mm)])
    table = Table(rows, colWidths=[52 * mm, 38 * mm, 18 * mm, 36 * mm, 18 * mm, 32 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, doc.LINE), ("BACKGROUND", (0, 0), (-1, 0), doc.HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    story.append(table)
    story.append(doc.para("Căn cứ và hồ sơ liên quan", st["heading"]))
    for row in report.indicators:
        story.append(doc.para(f"{row.name_vi} [{row.confidence}]", st["body"]))
        story.append(doc.para(row.basis, st["small"]))
        if row.records:
            listed = "; ".join(f"{'✓' if r.ok else '✗' if r.ok is False else '·'} {r.label}"
                               for r in row.records[:RECORDS_PRINTED])
            more = row.record_count - min(len(row.records), RECORDS_PRINTED)
            story.append(doc.para(listed + (f"; và {more} hồ sơ khác" if more > 0 else ""),
                                  st["small"]))
        if row.note:
            story.append(doc.para(row.note, st["small"]))
    story.append(doc.para("[C] đã đối chiếu văn bản; [S] nguồn thứ cấp; [U] chưa xác nhận — chỉ "
                          "tiêu là dữ liệu quản trị viên có thể sửa.", st["small"]))
    buffer = io.BytesIO()
    frame = doc.page_frame(title)
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm,
                      topMargin=12 * mm, bottomMargin=16 * mm,
                      **doc.metadata(title, "nguongoc indicators")).build(
        story, onFirstPage=frame, onLaterPages=frame)
    return buffer.getvalue()
