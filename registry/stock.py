"""What a partner holds (its stock), what is on its way to it, and a lot's event history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from registry import lots, partners
from registry.actors import Actor
from registry.models import (
    EpcisEvent,
    Event,
    EventKind,
    Holding,
    Lot,
    LotStatus,
    Partner,
    Shipment,
    ShipmentStatus,
    TransformationInput,
)
from registry.paging import Page, PageQuery, paginate
from registry.units import display


class StockItemOut(BaseModel):
    """One lot a partner holds."""

    lot_code: str
    batch: str
    product: lots.ProductRef
    status: LotStatus
    produced_on: date
    quantity: float
    unit: str
    base_quantity: int
    base_unit: str


class StockOut(BaseModel):
    """A partner's stock and the shipments it has yet to receive."""

    partner: lots.PartnerRef
    holdings: list[StockItemOut]
    incoming: list[dict[str, Any]]


class EventOut(BaseModel):
    """One event in a lot's history."""

    id: int
    kind: EventKind
    occurred_at: datetime
    partner: lots.PartnerRef | None
    lot_code: str | None
    quantity: float | None
    unit: str | None
    shipment_id: int | None
    transformation_id: int | None
    recorded_by: str
    data: dict[str, Any]
    epcis: dict[str, Any] | None = Field(
        default=None, description="captured from EPCIS: eventID, certificationInfo, sensor data")


def epcis_facts(event_id: str | None, body: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a captured EPCIS event adds to a registry event: its eventID, certificationInfo
    and sensorElementList, as sent."""
    if event_id is None:
        return None
    body = body or {}
    return {"eventID": event_id, "certificationInfo": body.get("certificationInfo"),
            "sensorElementList": body.get("sensorElementList")}


class LotQuery(PageQuery):
    """Filters of the lot list; `q` matches a lot code or a batch."""

    product_id: int | None = None
    producer_id: int | None = None
    holder_id: int | None = Field(default=None, description="lots this partner holds now")
    status: LotStatus | None = None


def ensure_may_see(actor: Actor, partner: Partner) -> None:
    """A partner sees its own stock; agencies of its province and admins see any."""
    if actor.is_partner:
        actor.ensure_acts_for(partner.id)
    elif not actor.is_admin:
        actor.ensure_province(partner.province_code_current, f"partner {partner.id}")


def stock(session: Session, actor: Actor, partner_id: int) -> StockOut:
    """A partner's holdings (largest first) and its shipments in transit."""
    partner = partners.get(session, partner_id, "partner_id")
    ensure_may_see(actor, partner)
    rows = session.execute(
        select(Holding, Lot).join(Lot, Lot.id == Holding.lot_id)
        .where(Holding.partner_id == partner.id, Holding.quantity > 0)
        .order_by(Lot.produced_on.desc(), Lot.id.desc())).all()
    items = []
    for holding, lot in rows:
        quantity, unit = display(holding.quantity, lot.base_unit, lot.unit)
        items.append(StockItemOut(
            lot_code=lot.lot_code, batch=lot.batch, status=lot.status,
            product=lots.ProductRef(id=lot.product.id, name_vi=lot.product.name_vi,
                                    name_en=lot.product.name_en, gtin=lot.product.gtin),
            produced_on=lot.produced_on, quantity=quantity, unit=unit,
            base_quantity=holding.quantity, base_unit=lot.base_unit))
    incoming = session.execute(select(Shipment).where(
        Shipment.to_partner_id == partner.id, Shipment.status == ShipmentStatus.IN_TRANSIT)
        .order_by(Shipment.shipped_at)).scalars().all()
    return StockOut(partner=lots.partner_ref(partner), holdings=items, incoming=[
        {"shipment_id": s.id, "lot_code": s.lot.lot_code, "product": s.lot.product.name_vi,
         "from_partner": lots.partner_ref(s.from_partner).model_dump(),
         "quantity": display(s.quantity, s.lot.base_unit, s.unit)[0], "unit": s.unit,
         "shipped_at": s.shipped_at.isoformat()} for s in incoming])


def history(session: Session, lot: Lot, viewer: Actor | None = None) -> list[EventOut]:
    """Every event of a lot, oldest first: harvest or making, shipments, receipts, the
    transformations that consumed it, samples, holds and recalls. A partner viewer sees the
    events at its own premises and those of shipments it sent or received."""
    consumed_by = select(TransformationInput.transformation_id).where(
        TransformationInput.lot_id == lot.id)
    clauses = [Event.lot_id == lot.id, Event.transformation_id.in_(consumed_by)]
    if lot.transformation_id is not None:
        clauses.append(Event.transformation_id == lot.transformation_id)
    found = session.execute(select(Event, Partner, Lot, EpcisEvent.event_id, EpcisEvent.body)
                            .outerjoin(Partner, Partner.id == Event.partner_id)
                            .outerjoin(Lot, Lot.id == Event.lot_id)
                            .outerjoin(EpcisEvent, EpcisEvent.id == Event.epcis_event_id)
                            .where(or_(*clauses))
                            .order_by(Event.occurred_at, Event.id)).all()
    if viewer is not None and viewer.is_partner:
        mine = set(session.execute(select(Shipment.id).where(
            Shipment.lot_id == lot.id, (Shipment.from_partner_id == viewer.partner_id)
            | (Shipment.to_partner_id == viewer.partner_id))).scalars())
        found = [row for row in found if row[0].partner_id == viewer.partner_id
                 or row[0].shipment_id in mine or row[0].kind is EventKind.RECALL]
    out = []
    for event, partner, subject, epcis_id, epcis_body in found:
        quantity, unit = (display(event.quantity, subject.base_unit, subject.unit)
                          if event.quantity is not None and subject is not None else (None, None))
        out.append(EventOut(
            id=event.id, kind=event.kind, occurred_at=event.occurred_at,
            partner=lots.partner_ref(partner) if partner else None,
            lot_code=subject.lot_code if subject else None, quantity=quantity, unit=unit,
            shipment_id=event.shipment_id, transformation_id=event.transformation_id,
            recorded_by=event.recorded_by, data=event.data or {},
            epcis=epcis_facts(epcis_id, epcis_body)))
    return out


def search(query: LotQuery) -> Select[Lot]:
    """The lots a list request asks for, newest first."""
    stmt = select(Lot).order_by(Lot.produced_on.desc(), Lot.id.desc())
    if query.product_id is not None:
        stmt = stmt.where(Lot.product_id == query.product_id)
    if query.producer_id is not None:
        stmt = stmt.where(Lot.producer_id == query.producer_id)
    if query.status is not None:
        stmt = stmt.where(Lot.status == query.status)
    if query.holder_id is not None:
        stmt = stmt.where(Lot.id.in_(select(Holding.lot_id).where(
            Holding.partner_id == query.holder_id, Holding.quantity > 0)))
    if query.q:
        text = query.q.strip()
        stmt = stmt.where(or_(Lot.lot_code == lots.normal_lot_code(text), Lot.batch == text))
    return stmt


def list_lots(session: Session, query: LotQuery,
              viewer: Actor | None = None) -> Page[lots.LotOut]:
    """One page of lots (with their holdings); partners list the lots they handled."""
    stmt = search(query)
    if viewer is not None and viewer.is_partner:
        pid = viewer.partner_id
        stmt = stmt.where(or_(
            Lot.producer_id == pid,
            Lot.id.in_(select(Holding.lot_id).where(Holding.partner_id == pid)),
            Lot.id.in_(select(Shipment.lot_id).where((Shipment.from_partner_id == pid)
                                                     | (Shipment.to_partner_id == pid)))))
    return paginate(session, stmt, query, lambda lot: lots.to_out(session, lot, viewer))
