"""Putting a lot on hold (tạm giữ) while an agency checks it, and releasing it: a held lot
cannot be shipped or transformed and its scan page warns, as for a recalled lot."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit, events, lots
from registry.actors import Actor
from registry.errors import Conflict, FieldError, Forbidden
from registry.models import Holding, Lot, LotStatus, Partner
from registry.models.base import utcnow
from registry.models.lots import EventKind


class HoldIn(BaseModel):
    """Why a lot is held or released."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=2, max_length=2000)


def ensure_may_hold(session: Session, actor: Actor, lot: Lot) -> None:
    """Admins, and agencies of the producer's province or of a province where the lot is held
    now (the agency that found it on a shelf)."""
    if actor.is_admin:
        return
    if not actor.is_agency:
        raise Forbidden("only agencies put lots on hold or release them")
    provinces = {lot.producer.province_code_current} | set(session.execute(
        select(Partner.province_code_current).join(Holding, Holding.partner_id == Partner.id)
        .where(Holding.lot_id == lot.id, Holding.quantity > 0)).scalars())
    if not provinces & actor.provinces:
        raise Forbidden(f"lot {lot.lot_code} is neither produced nor held in provinces "
                        f"{', '.join(sorted(actor.provinces))}")


def _change(session: Session, actor: Actor, lot_code: str, data: HoldIn, *,
            before: LotStatus, after: LotStatus, kind: EventKind) -> Lot:
    lot = lots.get(session, lot_code)
    session.execute(select(Lot.id).where(Lot.id == lot.id).with_for_update())  # one at a time
    session.refresh(lot)  # the status as it is now that the row is ours
    ensure_may_hold(session, actor, lot)
    if lot.status is not before:
        raise Conflict(f"lot {lot.lot_code} is {lot.status.value}, not {before.value}",
                       errors=[FieldError("lot_code", f"lot is {lot.status.value}")])
    lot.status = after
    events.record(session, actor, kind, utcnow(), partner_id=None, lot_id=lot.id,
                  data={"reason": data.reason})
    audit.append(session, actor, kind.value, "lot", lot.lot_code, {"reason": data.reason})
    session.flush()
    return lot


def hold(session: Session, actor: Actor, lot_code: str, data: HoldIn) -> Lot:
    """Put an active lot on hold."""
    return _change(session, actor, lot_code, data, before=LotStatus.ACTIVE,
                   after=LotStatus.ON_HOLD, kind=EventKind.HOLD)


def release(session: Session, actor: Actor, lot_code: str, data: HoldIn) -> Lot:
    """Release a held lot: it may move again."""
    return _change(session, actor, lot_code, data, before=LotStatus.ON_HOLD,
                   after=LotStatus.ACTIVE, kind=EventKind.RELEASE)
