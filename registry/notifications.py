"""The inbox: notifications for the agencies of a province or for one partner (cases shared
between provinces, recalls to recipients, consumer reports, copied codes, certificate alerts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.orm import Session

from registry.actors import Actor
from registry.errors import FieldError, NotFound
from registry.models import Notification, Partner, PartnerKind, utcnow
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
    rows: list[dict[str, object]] = [
        {"province_code": code, "partner_id": None} for code in sorted(set(provinces))]
    rows += [{"province_code": None, "partner_id": pid} for pid in sorted(set(partners))]
    if rows:
        now = utcnow()
        session.execute(insert(Notification), [
            {**row, "kind": kind, "subject_type": subject_type, "subject_id": str(subject_id),
             "title": title[:300], "body": body, "created_at": now} for row in rows])
    return len(rows)


def _mine(actor: Actor) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
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


@dataclass(frozen=True)
class Outgoing:
    """An inbox item to e-mail, with the addresses it goes to."""

    id: int
    title: str
    body: str | None
    kind: str
    subject_type: str
    subject_id: str
    to: tuple[str, ...]


def pending_mail(session: Session, limit: int = 200) -> list[Outgoing]:
    """Inbox items not yet e-mailed, oldest first, with their recipients' addresses: the
    agencies of the item's province (agency partners registered there with an e-mail) or the
    partner it is for. Items nobody can be mailed about come back with no address."""
    items = session.execute(select(Notification).where(Notification.emailed_at.is_(None))
                            .order_by(Notification.id).limit(limit)).scalars().all()
    provinces = {n.province_code for n in items if n.province_code is not None}
    partner_ids = {n.partner_id for n in items if n.partner_id is not None}
    by_province: dict[str, set[str]] = {}
    for code, email in session.execute(
            select(Partner.province_code_current, Partner.email).where(
                Partner.kind == PartnerKind.AGENCY, Partner.email.is_not(None),
                Partner.province_code_current.in_(sorted(provinces)))):
        by_province.setdefault(code, set()).add(str(email))
    by_partner = {pid: str(email) for pid, email in session.execute(
        select(Partner.id, Partner.email).where(Partner.id.in_(sorted(partner_ids)),
                                                Partner.email.is_not(None)))}
    out = []
    for n in items:
        to: set[str] = set()
        if n.province_code is not None:
            to = by_province.get(n.province_code, set())
        elif n.partner_id is not None and n.partner_id in by_partner:
            to = {by_partner[n.partner_id]}
        out.append(Outgoing(n.id, n.title, n.body, n.kind, n.subject_type, n.subject_id,
                            tuple(sorted(to))))
    return out


def mark_emailed(session: Session, ids: Iterable[int]) -> None:
    """Record that these inbox items were e-mailed (or had nobody to mail)."""
    ids = sorted(set(ids))
    if ids:
        session.execute(update(Notification).where(Notification.id.in_(ids))
                        .values(emailed_at=utcnow()))
