"""The inbox: notifications for the agencies of a province or for one partner (cases shared
between provinces, recalls to recipients, consumer reports, copied codes, certificate alerts)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from registry.actors import Actor
from registry.errors import FieldError, NotFound
from registry.models import Notification, utcnow
from registry.paging import Page, PageQuery, paginate


class NotificationOut(BaseModel):
    """An inbox item."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    province_code: str | None
    partner_id: int | None
    kind: str
    subject_type: str
    subject_id: str
    title: str
    body: str | None
    created_at: datetime
    read_at: datetime | None


class InboxQuery(PageQuery):
    """Filters of an inbox."""

    kind: str | None = Field(default=None, max_length=40)
    unread: bool = False


def notify(session: Session, *, kind: str, subject_type: str, subject_id: object, title: str,
           body: str | None = None, provinces: Iterable[str] = (),
           partners: Iterable[int] = ()) -> int:
    """Add one inbox item per province and per partner; how many were added."""
    rows = [{"province_code": code, "partner_id": None} for code in sorted(set(provinces))]
    rows += [{"province_code": None, "partner_id": pid} for pid in sorted(set(partners))]
    if rows:
        now = utcnow()
        session.execute(insert(Notification), [
            {**row, "kind": kind, "subject_type": subject_type, "subject_id": str(subject_id),
             "title": title[:300], "body": body, "created_at": now} for row in rows])
    return len(rows)


def _mine(actor: Actor) -> object:
    clauses = []
    if actor.is_admin:
        return Notification.id.is_not(None)
    if actor.provinces:
        clauses.append(Notification.province_code.in_(sorted(actor.provinces)))
    if actor.partner_id is not None:
        clauses.append(Notification.partner_id == actor.partner_id)
    return or_(*clauses) if clauses else Notification.id.is_(None)


def inbox(session: Session, actor: Actor, query: InboxQuery) -> Page[NotificationOut]:
    """The actor's inbox, newest first: its provinces' items (agencies) or its partner's."""
    stmt = select(Notification).where(_mine(actor)).order_by(Notification.created_at.desc(),
                                                             Notification.id.desc())
    if query.kind:
        stmt = stmt.where(Notification.kind == query.kind)
    if query.unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paginate(session, stmt, query, NotificationOut.model_validate)


def mark_read(session: Session, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's inbox items read."""
    item = session.execute(select(Notification).where(
        Notification.id == notification_id, _mine(actor))).scalar()
    if item is None:
        raise NotFound(f"no notification {notification_id} in your inbox",
                       errors=[FieldError("id", "not in your inbox")])
    session.execute(update(Notification).where(Notification.id == item.id,
                                               Notification.read_at.is_(None))
                    .values(read_at=utcnow()))
    session.refresh(item)
    return item
