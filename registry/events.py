"""The event log every tracking action appends to (harvest, ship, receive, transform, ...)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from registry.actors import Actor
from registry.errors import Invalid
from registry.models import Event, EventKind, utcnow

VN_TZ = timezone(timedelta(hours=7), "ICT")
"""Vietnam's time zone (UTC+7, no daylight saving)."""
CLOCK_SKEW = timedelta(minutes=10)


def start_of_day(day: date) -> datetime:
    """Midnight in Vietnam on `day`, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=VN_TZ)


def ensure_past(moment: datetime, field: str) -> datetime:
    """Events happen in the past (a few minutes of clock skew allowed)."""
    if moment.tzinfo is None:
        raise Invalid.field(field, "give a time zone, e.g. 2026-05-01T08:00:00+07:00")
    if moment > utcnow() + CLOCK_SKEW:
        raise Invalid.field(field, "is in the future")
    return moment


def record(session: Session, actor: Actor, kind: EventKind, occurred_at: datetime, *,
           partner_id: int | None, lot_id: int | None = None, quantity: int | None = None,
           shipment_id: int | None = None, transformation_id: int | None = None,
           data: dict[str, Any] | None = None) -> Event:
    """Append one event."""
    event = Event(kind=kind, occurred_at=occurred_at, partner_id=partner_id, lot_id=lot_id,
                  quantity=quantity, shipment_id=shipment_id,
                  transformation_id=transformation_id, recorded_by=actor.username,
                  data=data or {})
    session.add(event)
    return event
