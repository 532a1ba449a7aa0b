"""The mass-balance invariant over the whole registry, checked with a few set-based queries.

For every lot and partner, what the partner holds must equal what it got (the lot's quantity
if it produced the lot, plus what it received) minus what it gave away (shipped, consumed by
its transformations, destroyed in a recall). No holding is negative and no receipt exceeds its
shipment, so no lot is ever shipped or consumed beyond its quantity. Run after load tests and
crash tests (bench/loadtest.py, tests/reliability/), and by operators after a restore.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from registry.models import (
    Holding,
    Lot,
    RecallAck,
    Shipment,
    Transformation,
    TransformationInput,
)


@dataclass
class Balance:
    """What the check looked at, and every rule it found broken (at most `limit` per rule)."""

    lots: int = 0
    holdings: int = 0
    shipments: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every lot balances."""
        return not self.problems


def _flows() -> Subquery:
    """(lot, partner, signed quantity) rows that must sum to zero for each lot and partner."""
    produced = select(Lot.id.label("lot_id"), Lot.producer_id.label("partner_id"),
                      Lot.quantity.label("q"))
    received = select(Shipment.lot_id, Shipment.to_partner_id,
                      func.coalesce(Shipment.received_quantity, 0))
    shipped = select(Shipment.lot_id, Shipment.from_partner_id, -Shipment.quantity)
    consumed = (select(TransformationInput.lot_id, Transformation.partner_id,
                       -TransformationInput.quantity)
                .join(Transformation,
                      Transformation.id == TransformationInput.transformation_id))
    destroyed = select(RecallAck.lot_id, RecallAck.partner_id, -RecallAck.destroyed)
    held = select(Holding.lot_id, Holding.partner_id, -Holding.quantity)
    return union_all(produced, received, shipped, consumed, destroyed, held).subquery()


def check(session: Session, limit: int = 20) -> Balance:
    """Check the invariant over every lot; `Balance.problems` names what does not balance."""
    result = Balance(
        lots=session.execute(select(func.count()).select_from(Lot)).scalar_one(),
        holdings=session.execute(select(func.count()).select_from(Holding)).scalar_one(),
        shipments=session.execute(select(func.count()).select_from(Shipment)).scalar_one())
    for lot_id, partner_id, quantity in session.execute(
            select(Holding.lot_id, Holding.partner_id, Holding.quantity)
            .where(Holding.quantity < 0).limit(limit)):
        result.problems.append(f"lot {lot_id}: partner {partner_id} holds {quantity} (< 0)")
    for shipment_id, quantity, received in session.execute(
            select(Shipment.id, Shipment.quantity, Shipment.received_quantity)
            .where(Shipment.received_quantity > Shipment.quantity).limit(limit)):
        result.problems.append(f"shipment {shipment_id}: received {received} of {quantity}")
    flows = _flows()
    off = func.sum(flows.c.q)
    for lot_id, partner_id, excess in session.execute(
            select(flows.c.lot_id, flows.c.partner_id, off)
            .group_by(flows.c.lot_id, flows.c.partner_id)
            .having(off != literal(0)).order_by(flows.c.lot_id, flows.c.partner_id)
            .limit(limit)):
        result.problems.append(
            f"lot {lot_id}: partner {partner_id}'s holding is off by {-excess:+} base units "
            f"(produced + received - shipped - consumed - destroyed)")
    return result
