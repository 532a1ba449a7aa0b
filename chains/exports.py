"""Trace exports: an FSMA 204 style sortable spreadsheet (CSV) and a farm-to-shelf SVG."""

from __future__ import annotations

import csv
import io
from collections.abc import Hashable

from sqlalchemy import select
from sqlalchemy.orm import Session

from chains import lineage, svg
from chains.trace import Trace
from registry import events
from registry.labels import LOT_STATUS_VI, ORIGIN_TYPE_VI, unit_vi
from registry.models import OriginType, PartnerKind, TransformationInput
from registry.units import display

CSV_COLUMNS = ["traceability_lot_code", "product", "quantity", "unit", "event_type",
               "location", "date", "source", "recipient", "reference"]
"""The columns of the FSMA 204 electronic sortable spreadsheet, one row per lot movement."""



def _inputs(session: Session, trace: Trace) -> list[TransformationInput]:
    return [row for (row,) in lineage.rows_in(session, lambda c: select(TransformationInput)
            .where(TransformationInput.transformation_id.in_(c)), trace.transformations)
            if row.lot_id in trace.lots]


def movement_rows(session: Session, trace: Trace) -> list[dict[str, str]]:
    """One row per harvest, shipment, receipt and transformation input/output, by date."""
    rows: list[dict[str, str]] = []
    name = {pid: p.name for pid, p in trace.partners.items()}
    origin_code = {code: o.code for o in trace.origins for code in o.lots}

    def add(lot_id: int, amount: int | None, unit: str | None, kind: str, location: str,
            when: str, source: str, recipient: str, reference: str) -> None:
        lot = trace.lots[lot_id]
        quantity, shown = (display(amount, lot.base_unit, unit or lot.unit)
                           if amount is not None else (0.0, lot.unit))
        rows.append({"traceability_lot_code": lot.lot_code, "product": lot.product.name_vi,
                     "quantity": f"{quantity:g}", "unit": shown, "event_type": kind,
                     "location": location, "date": when, "source": source,
                     "recipient": recipient, "reference": reference})

    for lot_id, lot in trace.lots.items():
        if lot.origin_type is not OriginType.TRANSFORMATION:
            origin = origin_code.get(lot.lot_code, name.get(lot.producer_id, ""))
            add(lot_id, lot.quantity, lot.unit, "harvest",
                f"{origin} ({name.get(lot.producer_id, '')})", lot.produced_on.isoformat(),
                origin, name.get(lot.producer_id, ""), f"batch {lot.batch}")
    for row in _inputs(session, trace):
        t = trace.transformations[row.transformation_id]
        maker = name.get(t.partner_id, str(t.partner_id))
        add(row.lot_id, row.quantity, None, f"transformation input ({t.kind})", maker,
            t.occurred_at.isoformat(), maker, maker, f"transformation {t.id}")
    for lot_id, lot in trace.lots.items():
        if lot.transformation_id in trace.transformations:
            t = trace.transformations[lot.transformation_id]
            maker = name.get(t.partner_id, str(t.partner_id))
            add(lot_id, lot.quantity, lot.unit, f"transformation output ({t.kind})", maker,
                t.occurred_at.isoformat(), maker, maker, f"transformation {t.id}")
    for s in trace.shipments:
        ref = s.reference or f"shipment {s.id}"
        sender, recipient = name.get(s.from_partner_id, ""), name.get(s.to_partner_id, "")
        add(s.lot_id, s.quantity, s.unit, "ship", sender, s.shipped_at.isoformat(), sender,
            recipient, ref)
        if s.received_at is not None:
            add(s.lot_id, s.received_quantity, s.unit, "receive", recipient,
                s.received_at.isoformat(), sender, recipient, ref)
    rows.sort(key=lambda r: (r["date"], r["traceability_lot_code"], r["event_type"]))
    return rows


def to_csv(session: Session, trace: Trace) -> str:
    """The trace as CSV text (UTF-8; spreadsheet programs sort and filter it)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(movement_rows(session, trace))
    return buffer.getvalue()


def to_svg(trace: Trace) -> str:
    """The trace as a farm-to-shelf picture: origins, then each lot at each holder."""
    return svg.to_svg(picture(trace))


def picture(trace: Trace, title: str | None = None) -> svg.Layout:
    """The farm-to-shelf picture's layout (drawn as SVG, or on a PDF canvas)."""
    boxes: dict[Hashable, svg.Box] = {}
    edges: list[tuple[Hashable, Hashable]] = []
    labels: dict[tuple[Hashable, Hashable], str] = {}

    received: dict[tuple[int, int], int] = {}
    for s in trace.shipments:
        key2 = (s.lot_id, s.to_partner_id)
        got = s.received_quantity if s.received_quantity is not None else s.quantity
        received[key2] = received.get(key2, 0) + got

    def stop(lot_id: int, partner_id: int) -> tuple[str, int, int]:
        key = ("stop", lot_id, partner_id)
        if key not in boxes:
            lot, partner = trace.lots[lot_id], trace.partners[partner_id]
            amount = (lot.quantity if partner_id == lot.producer_id
                      else received.get((lot_id, partner_id), 0))
            quantity, unit = display(amount, lot.base_unit, lot.unit)
            style = "retail" if partner.kind is PartnerKind.RETAILER else "lot"
            if lot.status.value in ("recalled", "on_hold"):
                style = "alert"
            elif lot_id == trace.lot.id and partner_id == lot.producer_id:
                style = "focus"
            boxes[key] = svg.Box([partner.name, lot.product.name_vi,
                                  f"lô {lot.lot_code} · {quantity:g} {unit_vi(unit)}",
                                  LOT_STATUS_VI.get(lot.status.value, lot.status.value)], style)
        return key

    by_code = {lot.lot_code: lid for lid, lot in trace.lots.items()}
    for origin in trace.origins:
        key = ("origin", origin.type.value, origin.code)
        boxes[key] = svg.Box([ORIGIN_TYPE_VI.get(origin.type.value, origin.type.value),
                              origin.code,
                              origin.holder.name, origin.place.province_name_current], "origin")
        for code in origin.lots:
            lid = by_code[code]
            edges.append((key, stop(lid, trace.lots[lid].producer_id)))
    for parent, child in trace.graph.edges:
        if parent in trace.lots and child in trace.lots:
            maker = trace.lots[child].producer_id  # it consumed the input from its own stock
            edges.append((stop(parent, maker), stop(child, maker)))
    for s in sorted(trace.shipments, key=lambda s: s.shipped_at):
        a, b = stop(s.lot_id, s.from_partner_id), stop(s.lot_id, s.to_partner_id)
        edges.append((a, b))
        lot = trace.lots[s.lot_id]
        quantity, unit = display(s.quantity, lot.base_unit, s.unit)
        day = s.shipped_at.astimezone(events.VN_TZ)
        labels[(a, b)] = f"{quantity:g} {unit_vi(unit)} {day:%d/%m}"
    for lid, lot in trace.lots.items():
        stop(lid, lot.producer_id)
    if title is None:
        title = (f"Truy xuất ngược lô {trace.lot.lot_code}" if trace.direction == "backward"
                 else f"Truy xuất xuôi lô {trace.lot.lot_code}")
    return svg.layout(boxes, edges, title=title, edge_labels=labels)
