"""EPCIS 2.0 captures and captured events (issue 7): the documents partners' systems sent, each
event as sent (with its certificationInfo and sensor data), and an index of the identifiers each
event names, for `MATCH_epc` / `MATCH_anyEPC` queries and for containment (AggregationEvent)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, utcnow


class EpcisCapture(Base):
    """One `POST /epcis/capture`: its status and, when it failed, the per-event errors."""

    __tablename__ = "epcis_capture"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # success | failed
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    mapped_count: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EpcisEvent(Base):
    """A captured EPCIS event: its query fields and the event JSON as sent."""

    __tablename__ = "epcis_event"
    __table_args__ = (Index("ix_epcis_event_time_id", "event_time", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(300), index=True)
    capture_id: Mapped[str] = mapped_column(ForeignKey("epcis_capture.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(32))
    action: Mapped[str | None] = mapped_column(String(8))
    event_time: Mapped[datetime]
    record_time: Mapped[datetime]
    biz_step: Mapped[str | None] = mapped_column(String(300), index=True)
    disposition: Mapped[str | None] = mapped_column(String(300))
    biz_location: Mapped[str | None] = mapped_column(String(300), index=True)
    read_point: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class EpcisEpc(Base):
    """An identifier an event names (canonical key, `chains.epcis.identifier_key`), in a role:
    epc, parent, child, input, output or quantity (a class in a quantity list); `lot_id` when the
    registry mapped it to a lot."""

    __tablename__ = "epcis_epc"

    epcis_event_id: Mapped[int] = mapped_column(ForeignKey("epcis_event.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True, index=True)
    lot_id: Mapped[int | None] = mapped_column(Integer, index=True)


class EpcisAlias(Base):
    """A party or location URI an EPCIS event used that is neither a GLN nor a registry URI,
    and the partner (often unverified) it stands for, so the next capture finds the same one."""

    __tablename__ = "epcis_alias"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
