"""Recalls (thu hồi, Circular 17/2021/TT-BNNPTNT art. 8-12): the lots in scope become
`recalled` at once (they can no longer be shipped or transformed and their scan pages warn),
every recipient is listed with quantities and notified, recipients acknowledge what they
removed or destroyed, and progress is the share of the quantity still in the chain that is
accounted for."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, case, func, insert, literal, select, union, update
from sqlalchemy.orm import Session

from chains import closure, snapshot
from registry import audit, cases, events, holdings, lots, notifications
from registry.actors import Actor
from registry.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from registry.models import (
    CaseStatus,
    Event,
    EventKind,
    Holding,
    Lot,
    LotStatus,
    Partner,
    Recall,
    RecallAck,
    RecallLot,
    RecallRecipient,
    RecallScope,
    Role,
    Shipment,
    utcnow,
)
from registry.models.base import UTCDateTime
from registry.units import Unit, display, to_lot_base

DEFAULT_INSTRUCTIONS = ("Ngừng bán ngay, tách riêng và niêm phong toàn bộ sản phẩm thuộc các lô "
                        "trên; báo số lượng đã thu hồi hoặc tiêu hủy cho cơ quan quản lý. "
                        "Người tiêu dùng không sử dụng sản phẩm và mang trả lại nơi mua.")


class RecallIn(BaseModel):
    """A recall order."""

    model_config = ConfigDict(extra="forbid")

    lot_codes: list[str] = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=3, max_length=2000)
    scope: RecallScope = RecallScope.FORWARD
    case_id: int | None = None
    kind: Literal["voluntary", "mandatory"] | None = Field(
        default=None, description="mandatory when an agency orders it, voluntary for a producer")
    instructions: str | None = Field(default=None, max_length=4000)


class AckIn(BaseModel):
    """A recipient's acknowledgement of one recalled lot."""

    model_config = ConfigDict(extra="forbid")

    partner_id: int
    lot_code: str = Field(min_length=4, max_length=20)
    removed: Decimal = Field(default=Decimal(0), ge=0, max_digits=18, decimal_places=3)
    destroyed: Decimal = Field(default=Decimal(0), ge=0, max_digits=18, decimal_places=3)
    unit: Unit
    note: str | None = Field(default=None, max_length=2000)


class RecipientOut(BaseModel):
    """A partner that received a recalled lot, and what it has accounted for."""

    partner_id: int
    name: str
    kind: str
    province_code_current: str
    phone: str | None
    lot_code: str
    product: str
    received: float
    to_account: float
    accounted: float
    unit: str


class RecallOut(BaseModel):
    """A recall, its lots, its recipients and its progress."""

    id: int
    case_id: int | None
    reason: str
    scope: RecallScope
    kind: str
    ordered_at: datetime
    ordered_by: str
    instructions: str
    lot_count: int
    lots: list[str]
    recipients: list[RecipientOut]
    progress: float
    closed_at: datetime | None


def _scope(session: Session, start: set[int], scope: RecallScope) -> set[int]:
    """The lots a recall starts from: the named lots, or the origin harvests behind them."""
    return closure.roots(session, start) if scope is RecallScope.ORIGIN else start


def _record_recipients(session: Session, recall_id: int) -> None:
    """Every partner that received or holds a recalled lot, with what it received and what it
    must account for (held now plus in transit to it), in one INSERT ... SELECT."""
    in_recall = select(RecallLot.lot_id).where(RecallLot.recall_id == recall_id).subquery()
    got = (select(Shipment.to_partner_id.label("partner_id"), Shipment.lot_id,
                  func.sum(func.coalesce(Shipment.received_quantity, Shipment.quantity))
                  .label("received"),
                  func.sum(case((Shipment.received_quantity.is_(None), Shipment.quantity),
                                else_=0)).label("moving"))
           .join(in_recall, in_recall.c.lot_id == Shipment.lot_id)
           .group_by(Shipment.to_partner_id, Shipment.lot_id).subquery())
    held = (select(Holding.partner_id, Holding.lot_id, Holding.quantity)
            .join(in_recall, in_recall.c.lot_id == Holding.lot_id)
            .where(Holding.quantity > 0).subquery())
    keys = union(select(got.c.partner_id, got.c.lot_id),
                 select(held.c.partner_id, held.c.lot_id)).subquery()
    rows = (select(literal(recall_id), keys.c.partner_id, keys.c.lot_id,
                   func.coalesce(got.c.received, held.c.quantity, 0),
                   func.coalesce(held.c.quantity, 0) + func.coalesce(got.c.moving, 0))
            .select_from(keys)
            .outerjoin(got, (got.c.partner_id == keys.c.partner_id)
                       & (got.c.lot_id == keys.c.lot_id))
            .outerjoin(held, (held.c.partner_id == keys.c.partner_id)
                       & (held.c.lot_id == keys.c.lot_id)))
    session.execute(insert(RecallRecipient).from_select(
        ["recall_id", "partner_id", "lot_id", "quantity", "to_account"], rows))


def order_recall(session: Session, actor: Actor, data: RecallIn) -> Recall:
    """Order a recall: mark every lot in scope recalled and list and notify every recipient."""
    named = [lots.get(session, code, f"lot_codes.{i}") for i, code in enumerate(data.lot_codes)]
    for i, lot in enumerate(named):
        if lot.status is LotStatus.RECALLED:
            raise Conflict(f"lot {lot.lot_code} is already recalled",
                           errors=[FieldError(f"lot_codes.{i}", "already recalled")])
    case = cases.get(session, actor, data.case_id) if data.case_id is not None else None
    if actor.is_partner:
        if any(lot.producer_id != actor.partner_id for lot in named):
            raise Forbidden("a partner recalls only lots it produced (voluntary recall)")
        kind = "voluntary"
    else:
        actor.ensure_role(Role.AGENCY)
        if case is None and not actor.is_admin and not any(
                actor.covers_province(lot.producer.province_code_current) for lot in named):
            raise Forbidden("without a case, an agency recalls lots produced in its provinces")
        kind = data.kind or "mandatory"
    start = _scope(session, {lot.id for lot in named}, data.scope)
    recall = Recall(case_id=case.id if case else None, reason=data.reason, scope=data.scope,
                    kind=kind, ordered_by=actor.username,
                    ordered_by_province=sorted(actor.provinces)[0] if actor.provinces else None,
                    instructions=data.instructions or DEFAULT_INSTRUCTIONS, lot_count=0)
    session.add(recall)
    session.flush()
    # Everything below runs in the database: no lot id travels to the client and back.
    scope = closure.descendants(start)
    session.execute(insert(RecallLot).from_select(
        ["recall_id", "lot_id"],
        select(literal(recall.id), Lot.id).join(scope, scope.c.id == Lot.id)
        .where(Lot.status != LotStatus.RECALLED)))
    in_recall = select(RecallLot.lot_id).where(RecallLot.recall_id == recall.id)
    session.execute(update(Lot).where(Lot.id.in_(in_recall), Lot.status != LotStatus.DESTROYED)
                    .values(status=LotStatus.RECALLED)
                    .execution_options(synchronize_session=False))
    _record_recipients(session, recall.id)
    now = utcnow()
    session.execute(insert(Event).from_select(
        ["kind", "occurred_at", "recorded_at", "lot_id", "recorded_by", "data"],
        select(literal(EventKind.RECALL.value), literal(now, UTCDateTime()),
               literal(now, UTCDateTime()), RecallLot.lot_id, literal(actor.username),
               literal({"recall_id": recall.id}, JSON()))
        .where(RecallLot.recall_id == recall.id)))
    recall.lot_count = session.execute(select(func.count()).select_from(RecallLot)
                                       .where(RecallLot.recall_id == recall.id)).scalar_one()
    _notify(session, recall)
    if case is not None and case.status is not CaseStatus.RECALL_ORDERED:
        cases.move(case, actor, CaseStatus.RECALL_ORDERED)
        session.flush()
    audit.append(session, actor, "order_recall", "recall", recall.id,
                 {**data.model_dump(mode="json"), "lot_count": recall.lot_count})
    session.expire_all()  # lots changed status in bulk
    return recall


def _notify(session: Session, recall: Recall) -> None:
    partner_ids = set(session.execute(select(RecallRecipient.partner_id).distinct()
                                      .where(RecallRecipient.recall_id == recall.id)).scalars())
    provinces = {p.province_code_current for p in
                 snapshot.partners_by_id(session, partner_ids).values()}
    if recall.ordered_by_province:
        provinces.add(recall.ordered_by_province)
    title = f"Lệnh thu hồi #{recall.id}: {recall.reason[:200]}"
    body = f"{recall.lot_count} lô bị thu hồi. {recall.instructions}"
    notifications.notify(session, kind="recall", subject_type="recall", subject_id=recall.id,
                         title=title, body=body, provinces=provinces, partners=partner_ids)


def get(session: Session, recall_id: int) -> Recall:
    """The recall with this id; NotFound otherwise."""
    recall = session.get(Recall, recall_id)
    if recall is None:
        raise NotFound(f"recall {recall_id} does not exist",
                       errors=[FieldError("id", f"no recall {recall_id}")])
    return recall


def ensure_may_see(session: Session, actor: Actor, recall: Recall) -> None:
    """Agencies and admins see recalls; partners those they are recipients of."""
    if actor.is_partner:
        listed = session.execute(select(RecallRecipient.id).where(
            RecallRecipient.recall_id == recall.id,
            RecallRecipient.partner_id == actor.partner_id)).first()
        if listed is None and recall.ordered_by != actor.username:
            raise Forbidden(f"recall {recall.id} does not concern partner {actor.partner_id}")


def acknowledge(session: Session, actor: Actor, recall_id: int, data: AckIn) -> RecallAck:
    """A recipient accounts for a recalled lot: removed from sale and/or destroyed."""
    recall = get(session, recall_id)
    lot = lots.get(session, data.lot_code)
    partner = session.get(Partner, data.partner_id)
    if partner is None:
        raise NotFound(f"partner {data.partner_id} is not registered",
                       errors=[FieldError("partner_id", "unknown partner")])
    lots.ensure_may_record(actor, partner)
    listed = session.execute(select(RecallRecipient).where(
        RecallRecipient.recall_id == recall.id, RecallRecipient.partner_id == partner.id,
        RecallRecipient.lot_id == lot.id)).scalar()
    if listed is None:
        raise Conflict(f"partner {partner.id} received nothing of lot {lot.lot_code} in recall "
                       f"{recall.id}", errors=[FieldError("partner_id", "not a recipient")])
    removed = to_lot_base(data.removed, data.unit, lot.base_unit, field="removed") \
        if data.removed else 0
    destroyed = to_lot_base(data.destroyed, data.unit, lot.base_unit, field="destroyed") \
        if data.destroyed else 0
    done = accounted(session, recall.id).get((partner.id, lot.id), 0)
    if done + removed + destroyed > listed.to_account:
        left = display(listed.to_account - done, lot.base_unit, lot.unit)[0]
        raise Invalid.field("removed", f"more than the partner had left to account for "
                            f"({left:g} {lot.unit})")
    if destroyed:
        holdings.take(session, lot, partner.id, destroyed, field="destroyed")
        events.record(session, actor, EventKind.DESTROY, utcnow(), partner_id=partner.id,
                      lot_id=lot.id, quantity=destroyed, data={"recall_id": recall.id})
    ack = RecallAck(recall_id=recall.id, partner_id=partner.id, lot_id=lot.id, removed=removed,
                    destroyed=destroyed, note=data.note, by=actor.username)
    session.add(ack)
    session.flush()
    audit.append(session, actor, "acknowledge_recall", "recall", recall.id,
                 data.model_dump(mode="json"))
    return ack


def accounted(session: Session, recall_id: int) -> dict[tuple[int, int], int]:
    """Quantity accounted for per (partner, lot)."""
    rows = session.execute(select(RecallAck.partner_id, RecallAck.lot_id,
                                  func.sum(RecallAck.removed + RecallAck.destroyed))
                           .where(RecallAck.recall_id == recall_id)
                           .group_by(RecallAck.partner_id, RecallAck.lot_id)).all()
    return {(p, lot): int(q or 0) for p, lot, q in rows}


def to_out(session: Session, recall: Recall, max_recipients: int = 5000) -> RecallOut:
    """The recall with its recipients (largest first) and progress."""
    rows = session.execute(
        select(RecallRecipient, Partner, Lot)
        .join(Partner, Partner.id == RecallRecipient.partner_id)
        .join(Lot, Lot.id == RecallRecipient.lot_id)
        .where(RecallRecipient.recall_id == recall.id)
        .order_by(Partner.name, Lot.lot_code).limit(max_recipients)).all()
    done = accounted(session, recall.id)
    total = sum(r.to_account for r, _, _ in rows)
    progress_sum = 0
    recipients = []
    for r, partner, lot in rows:
        got = min(done.get((partner.id, lot.id), 0), r.to_account)
        progress_sum += got
        recipients.append(RecipientOut(
            partner_id=partner.id, name=partner.name, kind=partner.kind.value,
            province_code_current=partner.province_code_current, phone=partner.phone,
            lot_code=lot.lot_code, product=lot.product.name_vi,
            received=display(r.quantity, lot.base_unit, lot.unit)[0],
            to_account=display(r.to_account, lot.base_unit, lot.unit)[0],
            accounted=display(got, lot.base_unit, lot.unit)[0],
            unit=display(0, lot.base_unit, lot.unit)[1]))
    codes = session.execute(select(Lot.lot_code).join(RecallLot, RecallLot.lot_id == Lot.id)
                            .where(RecallLot.recall_id == recall.id)
                            .order_by(Lot.lot_code).limit(1000)).scalars().all()
    return RecallOut(id=recall.id, case_id=recall.case_id, reason=recall.reason,
                     scope=recall.scope, kind=recall.kind, ordered_at=recall.ordered_at,
                     ordered_by=recall.ordered_by, instructions=recall.instructions,
                     lot_count=recall.lot_count, lots=list(codes), recipients=recipients,
                     progress=round(progress_sum / total, 4) if total else 1.0,
                     closed_at=recall.closed_at)


def latest_for_lot(session: Session, lot_id: int) -> Recall | None:
    """The newest recall covering a lot (for its scan page)."""
    return session.execute(select(Recall).join(RecallLot, RecallLot.recall_id == Recall.id)
                           .where(RecallLot.lot_id == lot_id)
                           .order_by(Recall.ordered_at.desc()).limit(1)).scalar()
