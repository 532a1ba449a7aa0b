"""The recall notice (thông báo thu hồi) as a PDF in Vietnamese: number and date, who orders
it, the reason, scope and instructions (Circular 17/2021/TT-BNNPTNT art. 8-14), the trace
picture of the recalled lots, and every recipient with the quantity it must account for."""

from __future__ import annotations

import io
from collections import deque
from typing import Any

import networkx as nx
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from chains import canvas as picture_canvas
from chains import exports, lineage, snapshot, svg
from chains import trace as tracing
from registry import documents as doc
from registry import places, recalls
from registry.labels import unit_vi
from registry.models import (
    Lot,
    LotEdge,
    Partner,
    PartnerKind,
    Recall,
    RecallLot,
    RecallScope,
    User,
    ViolationCase,
)

PICTURE_MAX_LOTS = 24
"""Lots drawn in the trace picture; a larger recall is drawn from its first lots, and the
notice says how many more there are."""
LOTS_LISTED = 200

SCOPE_VI = {
    RecallScope.FORWARD: "Các lô nêu trên và toàn bộ sản phẩm được sơ chế, đóng gói, chế biến "
                         "từ các lô đó (truy xuất xuôi).",
    RecallScope.ORIGIN: "Truy ngược về các lô thu hoạch gốc của các lô nêu trên, rồi toàn bộ sản "
                        "phẩm được làm từ các lô gốc đó.",
}
KIND_VI = {"mandatory": "Thu hồi bắt buộc", "voluntary": "Thu hồi tự nguyện"}
RULES = [
    "Ngừng ngay việc bán, giao, sử dụng sản phẩm thuộc các lô bị thu hồi; tách riêng, niêm phong "
    "và bảo quản hàng còn tồn; thông báo cho khách hàng đã nhận hàng (một bước sau).",
    "Thu hồi tự nguyện: cơ sở tiến hành thu hồi trong vòng 24 giờ kể từ khi phát hiện hoặc được "
    "thông báo. Thu hồi bắt buộc: thực hiện theo quyết định của cơ quan có thẩm quyền; nếu không "
    "thực hiện, cơ quan có thẩm quyền tổ chức cưỡng chế thu hồi (Thông tư 17/2021/TT-BNNPTNT, "
    "Điều 8-12).",
    "Báo cáo số lượng đã thu hồi và đã tiêu hủy cho cơ quan ra thông báo (trên hệ thống: mục "
    "\u201cXác nhận thu hồi\u201d của lệnh thu hồi này).",
    "Xử lý sản phẩm sau thu hồi (Điều 13): khắc phục lỗi, ghi lại nhãn, chuyển mục đích sử dụng, "
    "tái xuất hoặc tiêu hủy; hoàn thành trong thời hạn được phê duyệt, không quá 3 tháng "
    "(Điều 14).",
]
RULES_NOTE = ("Tóm tắt quy định để tham khảo; căn cứ áp dụng là văn bản quy phạm pháp luật gốc.")


class Picture(Flowable):  # type: ignore[misc]
    """A `chains.svg.Layout` drawn on the page, scaled to fit."""

    def __init__(self, layout: svg.Layout, width: float, max_height: float) -> None:
        super().__init__()
        self.layout = layout
        self.scale = picture_canvas.scale_to_fit(layout, width, max_height)
        self.width, self.height = layout.width * self.scale, layout.height * self.scale

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        picture_canvas.draw(self.canv, self.layout, 0, self.height, self.scale,
                            font=doc.FONT, font_bold=doc.FONT_BOLD)


def scope_lot_ids(session: Session, recall: Recall) -> set[int]:
    """The ids of every lot the recall covers."""
    return set(session.execute(select(RecallLot.lot_id)
                               .where(RecallLot.recall_id == recall.id)).scalars())


def trace_picture(session: Session, recall: Recall) -> tuple[svg.Layout | None, int]:
    """The recalled lots' trace picture (their origins, then each lot at each holder), and how
    many recalled lots it leaves out."""
    scope = scope_lot_ids(session, recall)
    if not scope:
        return None, 0
    edges = [(p, c) for p, c in lineage.rows_in(session, lambda ch: select(
        LotEdge.parent_id, LotEdge.child_id).where(LotEdge.child_id.in_(ch)), scope)
        if p in scope]
    inner = nx.DiGraph(edges)
    inner.add_nodes_from(scope)
    starts = sorted(n for n, d in inner.in_degree() if d == 0)
    kept: list[int] = []
    queue = deque(starts)
    seen = set(starts)
    while queue and len(kept) < PICTURE_MAX_LOTS:
        node = queue.popleft()
        kept.append(node)
        for child in sorted(inner.successors(node)):
            if child not in seen:
                seen.add(child)
                queue.append(child)
    ancestry = lineage.ancestor_ids(session, set(kept[: max(1, PICTURE_MAX_LOTS // 4)]))
    graph = snapshot.closure_graph(session, set(kept) | ancestry)
    focus = session.get(Lot, starts[0])
    assert focus is not None
    traced = tracing.load_graph(session, focus, "forward", graph)
    return exports.picture(traced, title="Sơ đồ truy xuất các lô bị thu hồi"), len(scope) - len(
        kept)


def issuer(session: Session, recall: Recall) -> str:
    """Who orders the recall: the orderer's organisation, else its province's agency."""
    user = session.execute(select(User).where(User.username == recall.ordered_by)).scalar()
    if user is not None and user.partner is not None:
        return user.partner.name
    if recall.ordered_by_province:
        agency = session.execute(select(Partner.name).where(
            Partner.kind == PartnerKind.AGENCY,
            Partner.province_code_current == recall.ordered_by_province)
            .order_by(Partner.id).limit(1)).scalar()
        if agency:
            return agency
        now = places.province(places.AdmScheme.VN2025, recall.ordered_by_province)
        return f"Cơ quan quản lý chất lượng nông lâm thủy sản {now.name if now else ''}".strip()
    return f"Người dùng {recall.ordered_by}"


def _province_text(partner: Partner) -> str:
    place = places.describe(partner)
    if place.renamed:
        return f"{place.province_name} (nay là {place.province_name_current})"
    return place.province_name_current


RECIPIENT_HEAD = ["STT", "Cơ sở", "Tỉnh/thành", "Điện thoại", "Mã lô", "Sản phẩm", "Đã nhận",
                  "Phải xử lý", "Đã xử lý"]
RECIPIENT_WIDTHS = [10 * mm, 52 * mm, 38 * mm, 25 * mm, 24 * mm, 42 * mm, 20 * mm, 20 * mm,
                    20 * mm]
ROWS_PER_TABLE = 30
"""Recipients per table: one table per block keeps the layout linear in the recipients (one
table of thousands of rows is re-measured at every page break)."""


def _cell(text: str, fits: int, st: dict[str, Any]) -> str | Flowable:
    """Short text as a plain cell (fast); longer text as a paragraph that wraps."""
    return text if len(text) <= fits else doc.para(text, st["cell"])


def _tables(rows: list[list[Any]], st: dict[str, Any]) -> list[Table]:
    """The recipients as tables of ROWS_PER_TABLE rows, each with the header row."""
    head = [doc.para(h, st["head"]) for h in RECIPIENT_HEAD]
    style = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, doc.LINE),
        ("BACKGROUND", (0, 0), (-1, 0), doc.HEAD_BG),
        ("FONT", (0, 1), (-1, -1), doc.FONT, 7.5, 9.5),
        ("TEXTCOLOR", (0, 1), (-1, -1), doc.INK),
        ("ALIGN", (6, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ])
    tables = []
    for start in range(0, len(rows), ROWS_PER_TABLE):
        table = Table([head] + rows[start:start + ROWS_PER_TABLE], colWidths=RECIPIENT_WIDTHS,
                      repeatRows=1)
        table.setStyle(style)
        tables.append(table)
    return tables


def _header(recall: Recall, who: str, province: str, st: dict[str, Any]) -> Table:
    left = [doc.para(who.upper(), st["center_bold"]),
            doc.para(f"Số: {recall.id:04d}/{recall.ordered_at.year}/TB-TH", st["center"])]
    right = [doc.para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st["center_bold"]),
             doc.para("Độc lập - Tự do - Hạnh phúc", st["center_bold"]),
             doc.para(f"{province}, {doc.vn_date(recall.ordered_at)}", st["center"])]
    table = Table([[left, right]], colWidths=[120 * mm, 130 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def render(session: Session, recall: Recall) -> bytes:
    """The recall notice as PDF bytes (A4 landscape)."""
    st = doc.styles()
    out = recalls.to_out(session, recall)
    who = issuer(session, recall)
    province = places.province(places.AdmScheme.VN2025, recall.ordered_by_province or "")
    title = f"Thông báo thu hồi số {recall.id:04d}/{recall.ordered_at.year}/TB-TH"
    story: list[Any] = [_header(recall, who, province.name if province else "Việt Nam", st),
                        doc.para("THÔNG BÁO THU HỒI SẢN PHẨM", st["title"]),
                        doc.para(f"({KIND_VI.get(recall.kind, recall.kind)} theo Thông tư "
                                 "17/2021/TT-BNNPTNT về truy xuất nguồn gốc, thu hồi và xử lý "
                                 "sản phẩm nông lâm thủy sản không bảo đảm an toàn)",
                                 st["center"])]
    if recall.case_id is not None:
        case = session.get(ViolationCase, recall.case_id)
        if case is not None:
            story.append(doc.para(f"Căn cứ vụ việc số {case.id}: {case.title}", st["body"]))
    story += [doc.para("1. Lý do thu hồi", st["heading"]), doc.para(recall.reason, st["body"]),
              doc.para("2. Phạm vi thu hồi", st["heading"]),
              doc.para(SCOPE_VI[recall.scope], st["body"]),
              doc.para(f"Số lô bị thu hồi: {recall.lot_count}. Mã lô: "
                       + ", ".join(out.lots[:LOTS_LISTED])
                       + (f" và {recall.lot_count - LOTS_LISTED} lô khác."
                          if recall.lot_count > LOTS_LISTED else "."), st["body"]),
              doc.para("3. Yêu cầu đối với cơ sở nhận được thông báo", st["heading"]),
              doc.para(recall.instructions, st["warning"])]
    story += [doc.para(f"{i}. {rule}", st["body"]) for i, rule in enumerate(RULES, 1)]
    story.append(doc.para(RULES_NOTE, st["small"]))
    layout, left_out = trace_picture(session, recall)
    if layout is not None:
        drawing: list[Any] = [doc.para("4. Sơ đồ truy xuất", st["heading"]),
                              Picture(layout, 250 * mm, 120 * mm)]
        if left_out:
            drawing.append(doc.para(f"Sơ đồ vẽ các lô đầu tiên; còn {left_out} lô khác bị thu "
                                    "hồi (xem danh sách mã lô).", st["small"]))
        story.append(KeepTogether(drawing))
    story.append(doc.para("5. Danh sách cơ sở đã nhận hàng và số lượng phải xử lý",
                          st["heading"]))
    partners = snapshot.partners_by_id(session, {r.partner_id for r in out.recipients})
    where = {pid: _province_text(p) for pid, p in partners.items()}
    rows: list[list[Any]] = []
    for i, r in enumerate(out.recipients, 1):
        rows.append([str(i), _cell(r.name, 34, st), _cell(where.get(
                     r.partner_id, r.province_code_current), 24, st), r.phone or "",
                     r.lot_code, _cell(r.product, 27, st),
                     f"{doc.number(r.received)} {unit_vi(r.unit)}",
                     f"{doc.number(r.to_account)} {unit_vi(r.unit)}",
                     f"{doc.number(r.accounted)} {unit_vi(r.unit)}"])
    if not rows:
        rows.append(["", doc.para("Chưa có cơ sở nào nhận hàng.", st["cell"])] + [""] * 7)
    story += _tables(rows, st)
    story += [Spacer(1, 4 * mm),
              doc.para(f"Tiến độ: đã xử lý {out.progress:.0%} số lượng phải thu hồi.", st["body"]),
              doc.para(f"Người ra thông báo: {recall.ordered_by} ({who}).", st["body"])]
    buffer = io.BytesIO()
    frame = doc.page_frame(title)
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=15 * mm,
                                 rightMargin=15 * mm, topMargin=12 * mm, bottomMargin=16 * mm,
                                 **doc.metadata(title, recall.reason[:200]))
    document.build(story, onFirstPage=frame, onLaterPages=frame)
    return buffer.getvalue()

