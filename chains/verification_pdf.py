"""Verifications as signed PDF documents (A4, Vietnamese first, English beneath): the verdict,
its reasons and the facts, then the verification id, the time, the issuer and the HMAC-SHA256
signature, with the address where anyone can check them. DejaVu Sans is embedded (subset, with
a ToUnicode map), so the text is extracted with its diacritics. Values in, bytes out."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from chains.lot_verification import LotVerificationOut
from chains.supplier_verification import SupplierVerificationOut
from chains.verification_rules import VERDICT, Outcome, Reason
from qr import pdf
from registry import events
from registry.labels import PARTNER_KIND_VI

FONT, BOLD = pdf.FONT, pdf.FONT_BOLD
COLOURS = {Outcome.APPROVED: "#1b6e3a", Outcome.CONDITIONAL: "#9a6200",
           Outcome.REJECTED: "#b00020"}
STATUS_VI = {"pass": "đạt", "warn": "cảnh báo", "fail": "không đạt"}
RECORD_VI = {"active": "hoạt động", "suspended": "đình chỉ", "revoked": "hủy bỏ"}


@dataclass(frozen=True)
class Stamp:
    """How the registry signed the document."""

    verification_id: str
    issued_at: datetime
    issued_by: str
    signature: str
    check_url: str


def _fonts() -> None:
    pdf.register_fonts()


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=3)
    return {"body": body,
            "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5,
                                    textColor=colors.HexColor("#555555")),
            "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
            "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20),
            "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=11.5,
                                      leading=15, spaceBefore=8, spaceAfter=3)}


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _table(head: list[str], rows: list[list[Any]], widths: list[float],
           s: dict[str, ParagraphStyle]) -> Flowable:
    if not rows:
        return _p("Không có. (None.)", s["small"])
    cells = [[_p(h, s["cell"]) for h in head]] + [[_p(v if v is not None else "—", s["cell"])
                                                   for v in row] for row in rows]
    table = Table(cells, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _verdict(verdict: Outcome, reasons: list[Reason], s: dict[str, ParagraphStyle]
             ) -> list[Flowable]:
    box = ParagraphStyle("verdict", parent=s["title"], textColor=colors.white, fontSize=14,
                         backColor=colors.HexColor(COLOURS[verdict]), borderPadding=5,
                         spaceBefore=6, spaceAfter=10)
    out: list[Flowable] = [_p(f"Kết luận: {VERDICT[verdict].vi} (Verdict: {VERDICT[verdict].en})",
                              box)]
    if reasons:
        out.append(_p("Lý do (Reasons)", s["heading"]))
    for i, r in enumerate(reasons, 1):
        weight = "từ chối" if r.severity.value == "reject" else "điều kiện"
        out.append(_p(f"{i}. [{weight}] {r.text_vi}", s["body"]))
        out.append(_p(f"    {r.text_en}", s["small"]))
    return out


def _stamp(stamp: Stamp, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    at = stamp.issued_at.astimezone(events.VN_TZ).strftime("%d/%m/%Y %H:%M:%S (UTC+7)")
    block = [_p("Xác thực văn bản (Authenticity)", s["heading"]),
             _p(f"Mã xác minh (verification id): {stamp.verification_id}", s["body"]),
             _p(f"Thời điểm cấp (issued at): {at}", s["body"]),
             _p(f"Người cấp (issued by): {stamp.issued_by}", s["body"]),
             _p(f"Chữ ký HMAC-SHA256 (signature): {stamp.signature}", s["small"]),
             _p(f"Kiểm tra tại (check at): {stamp.check_url}", s["small"]),
             _p("Văn bản chỉ có giá trị khi mã xác minh và chữ ký khớp với kết quả kiểm tra "
                "trên hệ thống. (Valid only if the id and signature match the registry's "
                "record.)", s["small"])]
    return [Spacer(1, 6 * mm), KeepTogether(block)]


def _render(story: list[Flowable], title: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, author="nguongoc", creator="nguongoc",
                            leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm)
    doc.build(story)
    return out.getvalue()


def supplier_pdf(v: SupplierVerificationOut, stamp: Stamp) -> bytes:
    """A supplier verification as a signed PDF."""
    _fonts()
    s = _styles()
    p = v.partner
    story: list[Flowable] = [
        _p("PHIẾU XÁC MINH NHÀ CUNG CẤP", s["title"]),
        _p("Supplier verification", s["small"]),
        _p(f"Nhà cung cấp: {p.name} — {PARTNER_KIND_VI.get(p.kind.value, p.kind.value)}, "
           f"{p.province_name_current} (mã {p.id})", s["body"]),
        _p(f"Ngày xác minh (checked on): {v.checked_on.strftime('%d/%m/%Y')}", s["body"]),
        *_verdict(v.verdict, v.reasons, s),
        _p("Chứng nhận (Certifications)", s["heading"]),
        _table(["Chứng nhận", "Số", "Chủ thể", "Hiệu lực đến", "Tình trạng hôm nay"],
               [[c.scheme_name_vi, c.number, c.holder,
                 c.valid_until.strftime("%d/%m/%Y") if c.valid_until else "không thời hạn",
                 ("còn hiệu lực" + (f", còn {c.days_to_expiry} ngày"
                                    if c.days_to_expiry is not None else ""))
                 if c.valid_today else f"hết hiệu lực ({RECORD_VI[c.status.value]})"]
                for c in v.certifications], [38, 36, 38, 26, 40], s),
        _p("Mã số vùng trồng, đăng ký nuôi (Origin codes)", s["heading"]),
        _table(["Mã", "Đối tượng", "Tình trạng", "Hiệu lực đến", "Thu hoạch gần nhất"],
               [[o.code, o.what, RECORD_VI[o.status.value],
                 o.valid_until.strftime("%d/%m/%Y") if o.valid_until else "—",
                 o.last_harvest_on.strftime("%d/%m/%Y") if o.last_harvest_on else "—"]
                for o in v.origin_codes], [50, 40, 26, 30, 32], s),
        _p("Chuỗi cung ứng (Supply chains)", s["heading"]),
        _table(["Chuỗi", "Vai trò", "Xác nhận"],
               [[c.name, c.role, "đã xác minh" if c.verified else "chưa đủ chứng nhận"]
                for c in v.chains], [100, 40, 38], s),
        _p("Vụ việc và thu hồi đang mở (Open cases and recalls)", s["heading"]),
        _table(["Loại", "Số", "Nội dung", "Lô"],
               [["Vụ việc", f"#{c.id}", c.title, ", ".join(c.lot_codes)] for c in v.cases]
               + [["Thu hồi", f"#{r.id}", r.reason, ", ".join(r.lot_codes)] for r in v.recalls],
               [22, 14, 92, 50], s),
        _p(f"Giám sát 12 tháng (Monitoring since {v.monitoring.since.strftime('%d/%m/%Y')}): "
           f"{v.monitoring.samples} mẫu, {v.monitoring.passed} đạt, {v.monitoring.failed} "
           f"không đạt, {v.monitoring.pending} chờ khẳng định", s["heading"]),
        _table(["Mẫu", "Lô", "Sản phẩm", "Ngày lấy", "Kết quả"],
               [[f"#{m.id}", m.lot_code, m.product,
                 m.taken_at.astimezone(events.VN_TZ).strftime("%d/%m/%Y"),
                 m.verdict.value + (f" ({', '.join(m.failed_analytes)})"
                                    if m.failed_analytes else "")]
                for m in v.monitoring.items], [16, 30, 60, 26, 46], s),
        *_stamp(stamp, s)]
    return _render(story, f"Xác minh nhà cung cấp {p.name}")


def lot_pdf(v: LotVerificationOut, stamp: Stamp) -> bytes:
    """An incoming-lot verification as a signed PDF."""
    _fonts()
    s = _styles()
    story: list[Flowable] = [
        _p("PHIẾU XÁC MINH LÔ HÀNG NHẬP", s["title"]),
        _p("Incoming-lot verification", s["small"]),
        _p(f"Lô {v.lot_code}: {v.product} — cơ sở làm ra: {v.producer.name} "
           f"({v.producer.province_name_current}); {v.lot_count} lô trong chuỗi truy xuất",
           s["body"]),
        _p("Thời điểm xác minh (checked at): " + v.checked_at.astimezone(events.VN_TZ)
           .strftime("%d/%m/%Y %H:%M"), s["body"]),
        *_verdict(v.verdict, v.reasons, s),
        _p("Các bước kiểm tra (Checks)", s["heading"]),
        _table(["Kiểm tra", "Số đối tượng", "Kết quả"],
               [[f"{c.title_vi} ({c.title_en})", c.checked, STATUS_VI[c.status]]
                for c in v.checks], [120, 26, 32], s),
        _p("Nguồn gốc (Origins)", s["heading"]),
        _table(["Mã", "Chủ thể", "Lô", "Hiệu lực khi thu hoạch", "Hôm nay"],
               [[o.code, o.holder, ", ".join(o.lot_codes),
                 "có" if o.valid_at_harvest else "không", RECORD_VI[o.status_now.value]]
                for o in v.origins], [48, 40, 40, 26, 24], s),
        _p("Các cơ sở trong chuỗi (Handlers)", s["heading"]),
        _table(["Cơ sở", "Loại", "Cần một trong", "Chứng nhận"],
               [[h.partner.name, PARTNER_KIND_VI.get(h.partner.kind.value, h.partner.kind.value),
                 ", ".join(h.required_any_of) or "—", "đạt" if h.ok else "không đạt"]
                for h in v.handlers], [50, 34, 70, 24], s),
        _p("Hiệu suất sơ chế, chế biến (Yields)", s["heading"]),
        _table(["Lần", "Loại", "Vào (kg)", "Ra (kg)", "Tỷ lệ", "Định mức", "Kết quả"],
               [[f"#{y.transformation_id}", y.kind, y.input_kg, y.output_kg, y.ratio,
                 f"{y.min_ratio}–{y.max_ratio}" if y.max_ratio is not None else (y.note or "—"),
                 STATUS_VI[y.status]] for y in v.yields], [14, 22, 22, 22, 18, 56, 24], s),
        *_stamp(stamp, s)]
    return _render(story, f"Xác minh lô {v.lot_code}")
