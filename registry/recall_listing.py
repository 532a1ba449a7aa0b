"""Lists for the agencies' pages: recalls (all for agencies, their own for recipients), the
recalls of a case, and the recipients an actor may acknowledge for."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry import notifications
from registry.actors import Actor
from registry.errors import Forbidden
from registry.models import Notification, Partner, Recall, RecallRecipient, utcnow
from registry.notifications import InboxQuery
from registry.paging import MAX_PER_PAGE, Page, PageQuery, paginate
from registry.recalls import RecallOut


class RecallSummary(BaseModel):
    """A recall in a list."""

    id: int
    case_id: int | None
    reason: str
    scope: str
    kind: str
    ordered_at: datetime
    ordered_by: str
    lot_count: int
    closed_at: datetime | None


def list_recalls(session: Session, actor: Actor, query: PageQuery) -> Page[RecallSummary]:
    """Recalls, newest first: every one for agencies and admins, a partner's own otherwise."""
    stmt = select(Recall).order_by(Recall.ordered_at.desc(), Recall.id.desc())
    if actor.is_partner:
        stmt = stmt.where(Recall.id.in_(select(RecallRecipient.recall_id).where(
            RecallRecipient.partner_id == actor.partner_id)) | (
            Recall.ordered_by == actor.username))
    elif not (actor.is_admin or actor.is_agency):
        raise Forbidden("recalls are for agencies and the partners concerned")
    return paginate(session, stmt, query, lambda r: RecallSummary(
        id=r.id, case_id=r.case_id, reason=r.reason, scope=r.scope.value, kind=r.kind,
        ordered_at=r.ordered_at, ordered_by=r.ordered_by, lot_count=r.lot_count,
        closed_at=r.closed_at))


def recalls_of_case(session: Session, case_id: int) -> list[Recall]:
    """The recalls ordered for a case, oldest first."""
    return list(session.execute(select(Recall).where(Recall.case_id == case_id)
                                .order_by(Recall.ordered_at, Recall.id)).scalars())


def acknowledgeable(actor: Actor, out: RecallOut,
                    partners: dict[int, Partner]) -> list[tuple[int, str]]:
    """The (partner, lot) rows of a recall the actor may acknowledge: a partner its own, an
    agency those in its provinces, admins all; only rows with something left to account for."""
    rows = []
    for r in out.recipients:
        if r.accounted >= r.to_account:
            continue
        partner = partners.get(r.partner_id)
        if actor.is_partner:
            allowed = actor.partner_id == r.partner_id
        else:
            allowed = partner is not None and actor.covers_province(
                partner.province_code_current)
        if allowed:
            rows.append((r.partner_id, r.lot_code))
    return rows


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every unread item of the actor's inbox read; how many."""
    query = InboxQuery(unread=True, per_page=MAX_PER_PAGE)
    count = 0
    while ids := [item.id for item in notifications.inbox(session, actor, query).items]:
        session.execute(update(Notification).where(Notification.id.in_(ids))
                        .values(read_at=utcnow()).execution_options(synchronize_session=False))
        count += len(ids)
    return count
