"""Receiving gates: a retailer or distributor sets what happens when it confirms a shipment.
`off` does nothing; `warn` runs the incoming-lot verification, records the verdict on the
receipt and notifies the partner's inbox when the lot is not approved; `refuse` does the same
but refuses (409, nothing changes, the shipment stays in transit) a lot whose verdict is
`rejected`. `registry.shipments.receive` calls `check_receipt` before it changes anything."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit, notifications, partners
from registry.actors import Actor
from registry.errors import Conflict, FieldError, Forbidden, NotFound
from registry.models import (
    GateMode,
    PartnerKind,
    ReceiptCheck,
    ReceivingGate,
    Shipment,
    ShipmentStatus,
    utcnow,
)

GATE_KINDS = (PartnerKind.RETAILER, PartnerKind.DISTRIBUTOR)
VERDICT_VI = {"approved": "đạt", "conditional": "có điều kiện", "rejected": "không đạt"}


class GateIn(BaseModel):
    """A receiving gate's mode."""

    model_config = ConfigDict(extra="forbid")

    mode: GateMode


class GateOut(BaseModel):
    """A partner's receiving gate."""

    partner_id: int
    mode: GateMode
    updated_by: str | None
    updated_at: datetime | None


class ReceiptCheckOut(BaseModel):
    """The verdict a gate recorded on a receipt."""

    model_config = ConfigDict(from_attributes=True)

    shipment_id: int
    partner_id: int
    mode: GateMode
    verdict: str
    reasons: list[dict[str, Any]]
    checked_at: datetime


class GateRefused(Conflict):
    """The receiving gate refuses a lot whose verification is rejected."""

    slug = "receiving-gate-refused"


def _ensure_own(actor: Actor, partner_id: int) -> None:
    if actor.is_partner:
        actor.ensure_acts_for(partner_id)
    elif not actor.is_admin:
        raise Forbidden("a receiving gate is set by its partner (or an admin)")


def get_gate(session: Session, actor: Actor, partner_id: int) -> GateOut:
    """A partner's gate (off when never set): the partner itself, agencies and admins see it."""
    partner = partners.get(session, partner_id, "id")
    if actor.is_partner:
        actor.ensure_acts_for(partner.id)
    gate = session.get(ReceivingGate, partner.id)
    if gate is None:
        return GateOut(partner_id=partner.id, mode=GateMode.OFF, updated_by=None, updated_at=None)
    return GateOut(partner_id=partner.id, mode=gate.mode, updated_by=gate.updated_by,
                   updated_at=gate.updated_at)


def set_gate(session: Session, actor: Actor, partner_id: int, data: GateIn) -> GateOut:
    """Set a retailer's or distributor's gate to off, warn or refuse."""
    partner = partners.get(session, partner_id, "id")
    _ensure_own(actor, partner.id)
    partners.ensure_kind(partner, *GATE_KINDS, field="id")
    gate = session.get(ReceivingGate, partner.id) or ReceivingGate(partner_id=partner.id)
    gate.mode, gate.updated_by, gate.updated_at = data.mode, actor.username, utcnow()
    session.add(gate)
    session.flush()
    audit.append(session, actor, "set_receiving_gate", "partner", partner.id,
                 data.model_dump(mode="json"))
    return get_gate(session, actor, partner.id)


def check_receipt(session: Session, actor: Actor, shipment: Shipment,
                  received_at: datetime) -> ReceiptCheck | None:
    """Run the recipient's gate on a shipment about to be received (None when off)."""
    if shipment.status is not ShipmentStatus.IN_TRANSIT:
        return None  # receive() refuses it as already received
    return run_gate(session, actor, shipment, received_at)


def gated(session: Session, partner_ids: set[int]) -> set[int]:
    """Which of these partners have a receiving gate that is not off (one query)."""
    if not partner_ids:
        return set()
    return set(session.execute(select(ReceivingGate.partner_id).where(
        ReceivingGate.partner_id.in_(partner_ids), ReceivingGate.mode != GateMode.OFF))
        .scalars())


def run_gate(session: Session, actor: Actor, shipment: Shipment,
             received_at: datetime) -> ReceiptCheck | None:
    """The gate itself: verify the lot for its recipient as of `received_at`; GateRefused when
    a refusing gate rejects it, else the verdict kept (and the recipient told if not approved).
    The bulk engine runs it on the receipts of a batch once the batch's rows are written."""
    gate = session.get(ReceivingGate, shipment.to_partner_id)
    if gate is None or gate.mode is GateMode.OFF:
        return None
    from chains import lot_verification  # chains traces lots through registry

    result = lot_verification.verify_lot(session, shipment.lot.lot_code,
                                         for_partner_id=shipment.to_partner_id, at=received_at)
    verdict = result.verdict.value
    if gate.mode is GateMode.REFUSE and verdict == "rejected":
        raise GateRefused(
            f"the receiving gate of partner {shipment.to_partner_id} refuses lot "
            f"{result.lot_code}: its verification is rejected ({len(result.reasons)} reasons); "
            f"shipment {shipment.id} stays in transit",
            errors=[FieldError("lot_code", f"{r.code}: {r.text_en}") for r in result.reasons
                    if r.severity.value == "reject"])
    record = ReceiptCheck(shipment_id=shipment.id, partner_id=shipment.to_partner_id,
                          mode=gate.mode, verdict=verdict, checked_at=utcnow(),
                          reasons=[r.model_dump(mode="json") for r in result.reasons])
    session.add(record)
    if verdict != "approved":
        notifications.notify(
            session, kind="receiving_gate", subject_type="shipment", subject_id=shipment.id,
            title=f"Lô {result.lot_code} ({result.product}) nhập về: kết quả xác minh "
                  f"{VERDICT_VI[verdict]}",
            body="\n".join(r.text_vi for r in result.reasons),
            partners=[shipment.to_partner_id])
    audit.append(session, actor, "check_receipt", "shipment", shipment.id,
                 {"mode": gate.mode.value, "verdict": verdict,
                  "reasons": [r.code for r in result.reasons]})
    return record


def receipt_check(session: Session, actor: Actor, shipment_id: int) -> ReceiptCheckOut:
    """The verdict recorded on a shipment's receipt: its two partners, agencies, admins."""
    row = session.execute(select(ReceiptCheck, Shipment)
                          .join(Shipment, Shipment.id == ReceiptCheck.shipment_id)
                          .where(ReceiptCheck.shipment_id == shipment_id)).first()
    if row is None:
        raise NotFound(f"no receiving-gate check was recorded for shipment {shipment_id}",
                       errors=[FieldError("id", "no check recorded")])
    check, shipment = row
    if actor.is_partner and actor.partner_id not in (shipment.from_partner_id,
                                                     shipment.to_partner_id):
        raise Forbidden(f"shipment {shipment_id} is not yours")
    return ReceiptCheckOut.model_validate(check)
