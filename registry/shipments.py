"""Shipments and their receipt: a holder sends a quantity of a lot to another partner, who
confirms what arrived (a shortfall is recorded). Circular 17/2021 art. 6: delivered and
received lots with supplier, recipient, time and quantity."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry import audit, events, holdings, lots, partners, receiving_gates
from registry.actors import Actor
from registry.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from registry.models import EventKind, PartnerKind, Shipment, ShipmentStatus
from registry.units import Unit, display, to_lot_base


class ShipmentIn(BaseModel):
    """A quantity of a lot leaving its holder for another partner."""

    model_config = ConfigDict(extra="forbid")

    lot_code: str = Field(min_length=4, max_length=20)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=3)
    unit: Unit
    from_partner_id: int
    to_partner_id: int
    shipped_at: datetime
    reference: str | None = Field(default=None, max_length=80,
                                  description="delivery note or invoice number")


class ReceiptIn(BaseModel):
    """What arrived of a shipment, and when."""

    model_config = ConfigDict(extra="forbid")

    received_at: datetime
    quantity: Decimal = Field(ge=0, max_digits=18, decimal_places=3)
    unit: Unit | None = Field(default=None, description="defaults to the shipment's unit")


class ShipmentOut(BaseModel):
    """A shipment and its status."""

    id: int
    status: ShipmentStatus
    lot_code: str
    from_partner: lots.PartnerRef
    to_partner: lots.PartnerRef
    quantity: float
    unit: str
    shipped_at: datetime
    reference: str | None
    received_at: datetime | None
    received_quantity: float | None
    shortfall: float | None


def to_out(shipment: Shipment) -> ShipmentOut:
    """The API view of a shipment."""
    base, unit = shipment.lot.base_unit, shipment.unit
    received = (display(shipment.received_quantity, base, unit)[0]
                if shipment.received_quantity is not None else None)
    short = shipment.shortfall
    return ShipmentOut(
        id=shipment.id, status=shipment.status, lot_code=shipment.lot.lot_code,
        from_partner=lots.partner_ref(shipment.from_partner),
        to_partner=lots.partner_ref(shipment.to_partner),
        quantity=display(shipment.quantity, base, unit)[0], unit=display(0, base, unit)[1],
        shipped_at=shipment.shipped_at, reference=shipment.reference,
        received_at=shipment.received_at, received_quantity=received,
        shortfall=display(short, base, unit)[0] if short is not None else None)


def get(session: Session, shipment_id: int, viewer: Actor | None = None) -> Shipment:
    """The shipment with this id; NotFound otherwise, Forbidden to a partner that neither
    sent nor receives it (one step back, one step forward)."""
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} is not recorded",
                       errors=[FieldError("id", f"no shipment {shipment_id}")])
    if viewer is not None and viewer.is_partner and viewer.partner_id not in (
            shipment.from_partner_id, shipment.to_partner_id):
        raise Forbidden(f"shipment {shipment_id} is not partner {viewer.partner_id}'s")
    return shipment


def ship(session: Session, actor: Actor, order: ShipmentIn) -> Shipment:
    """Record a shipment; refuse more than the sender holds, or a lot that may not move."""
    sender = partners.get(session, order.from_partner_id, "from_partner_id")
    lots.ensure_may_record(actor, sender)
    recipient = partners.get(session, order.to_partner_id, "to_partner_id")
    if recipient.id == sender.id:
        raise Invalid.field("to_partner_id", "a partner does not ship to itself")
    if recipient.kind is PartnerKind.AGENCY:
        raise Invalid.field("to_partner_id", "agencies take samples, not shipments")
    events.ensure_past(order.shipped_at, "shipped_at")
    lot = lots.get(session, order.lot_code, for_update=True)
    asked = to_lot_base(order.quantity, order.unit, lot.base_unit)
    holdings.ensure_movable(session, lot, sender.id, asked)
    holdings.take(session, lot, sender.id, asked)
    shipment = Shipment(lot_id=lot.id, from_partner_id=sender.id, to_partner_id=recipient.id,
                        quantity=asked, unit=order.unit.value, shipped_at=order.shipped_at,
                        reference=order.reference)
    shipment.lot, shipment.from_partner, shipment.to_partner = lot, sender, recipient
    session.add(shipment)
    session.flush()
    events.record(session, actor, EventKind.SHIP, order.shipped_at, partner_id=sender.id,
                  lot_id=lot.id, quantity=asked, shipment_id=shipment.id,
                  data={"to_partner_id": recipient.id, "reference": order.reference})
    audit.append(session, actor, "ship", "shipment", shipment.id, order.model_dump(mode="json"))
    return shipment


def receive(session: Session, actor: Actor, shipment_id: int, receipt: ReceiptIn) -> Shipment:
    """Confirm a shipment once: the recipient now holds what arrived; a shortfall is kept."""
    shipment = get(session, shipment_id)
    lots.ensure_may_record(actor, shipment.to_partner)
    events.ensure_past(receipt.received_at, "received_at")
    if receipt.received_at < shipment.shipped_at:
        raise Invalid.field("received_at", "is before the shipment left")
    lot = shipment.lot
    unit = receipt.unit or Unit(shipment.unit)
    if receipt.quantity == 0:
        arrived = 0
    else:
        arrived = to_lot_base(receipt.quantity, unit, lot.base_unit)
    if arrived > shipment.quantity:
        raise Invalid.field("quantity", f"more than was shipped "
                            f"({display(shipment.quantity, lot.base_unit, shipment.unit)[0]} "
                            f"{shipment.unit})")
    receiving_gates.check_receipt(session, actor, shipment, receipt.received_at)  # may refuse
    claimed = session.execute(
        update(Shipment)
        .where(Shipment.id == shipment.id, Shipment.status == ShipmentStatus.IN_TRANSIT)
        .values(status=ShipmentStatus.RECEIVED, received_at=receipt.received_at,
                received_quantity=arrived)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"shipment {shipment.id} was already received",
                       errors=[FieldError("id", "already received")])
    session.refresh(shipment)
    if arrived:
        holdings.give(session, lot.id, shipment.to_partner_id, arrived)
    events.record(session, actor, EventKind.RECEIVE, receipt.received_at,
                  partner_id=shipment.to_partner_id, lot_id=lot.id, quantity=arrived,
                  shipment_id=shipment.id,
                  data={"from_partner_id": shipment.from_partner_id,
                        "shortfall": shipment.quantity - arrived})
    audit.append(session, actor, "receive", "shipment", shipment.id,
                 receipt.model_dump(mode="json"))
    return shipment


def of_partner(session: Session, partner_id: int, *, incoming: bool,
               status: ShipmentStatus | None = None, limit: int = 200) -> list[Shipment]:
    """A partner's shipments, newest first (incoming or outgoing)."""
    column = Shipment.to_partner_id if incoming else Shipment.from_partner_id
    stmt = select(Shipment).where(column == partner_id)
    if status is not None:
        stmt = stmt.where(Shipment.status == status)
    return list(session.execute(stmt.order_by(Shipment.shipped_at.desc()).limit(limit)).scalars())
