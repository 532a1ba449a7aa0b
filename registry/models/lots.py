"""Lots and what happens to them: the lot-genealogy link table, holdings, shipments,
transformations and the event log (DESIGN.md sections 4 and 5)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, enum_column, utcnow
from registry.models.registry import Partner, Product


class LotStatus(StrEnum):
    """Whether a lot may move."""

    ACTIVE = "active"
    ON_HOLD = "on_hold"
    RECALLED = "recalled"
    DESTROYED = "destroyed"


class OriginType(StrEnum):
    """Where a lot began."""

    GROWING_AREA = "growing_area"
    AQUACULTURE_REGISTRATION = "aquaculture_registration"
    PARTNER = "partner"  # livestock, own farm, processing without a registered area
    TRANSFORMATION = "transformation"


class ShipmentStatus(StrEnum):
    """A shipment's progress."""

    IN_TRANSIT = "in_transit"
    RECEIVED = "received"


class EventKind(StrEnum):
    """Critical tracking events (GS1 EPCIS 2.0 / FSMA 204)."""

    HARVEST = "harvest"
    SHIP = "ship"
    RECEIVE = "receive"
    TRANSFORM = "transform"
    SAMPLE = "sample"
    HOLD = "hold"
    RELEASE = "release"
    RECALL = "recall"
    DESTROY = "destroy"
    AGGREGATE = "aggregate"


class Lot(Base):
    """A quantity of one product produced together (lô hàng sản xuất, Circular 17/2021 art. 3).

    `quantity` is what was produced, in `base_unit` (g, ml or a count unit); what each partner
    holds now is in `holding`. `origin_summary` is written when the lot is created and updated by
    recalls, so a scan reads one row instead of tracing.
    """

    __tablename__ = "lot"
    __table_args__ = (UniqueConstraint("product_id", "batch"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_code: Mapped[str] = mapped_column(String(16), unique=True)
    batch: Mapped[str] = mapped_column(String(20))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    quantity: Mapped[int] = mapped_column(BigInteger)
    base_unit: Mapped[str] = mapped_column(String(8))
    unit: Mapped[str] = mapped_column(String(8))  # the unit the producer used
    produced_on: Mapped[date]
    origin_type: Mapped[OriginType] = mapped_column(enum_column(OriginType))
    growing_area_id: Mapped[int | None] = mapped_column(ForeignKey("growing_area.id"), index=True)
    aquaculture_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("aquaculture_registration.id"), index=True)
    transformation_id: Mapped[int | None] = mapped_column(
        ForeignKey("transformation.id"), index=True)
    status: Mapped[LotStatus] = mapped_column(enum_column(LotStatus), default=LotStatus.ACTIVE)
    origin_summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    history_incomplete: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship(lazy="joined")
    producer: Mapped[Partner] = relationship(lazy="joined")


class LotEdge(Base):
    """input lot -> output lot of a transformation: the lot graph's edges (a DAG)."""

    __tablename__ = "lot_edge"
    __table_args__ = (Index("ix_lot_edge_child", "child_id", "parent_id"),)

    parent_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), primary_key=True)
    transformation_id: Mapped[int | None] = mapped_column(ForeignKey("transformation.id"))


class Holding(Base):
    """What one partner holds of one lot now, in the lot's base unit."""

    __tablename__ = "holding"

    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), primary_key=True,
                                            index=True)
    quantity: Mapped[int] = mapped_column(BigInteger)


class Shipment(Base):
    """A quantity of a lot sent from its holder to another partner (lô hàng giao / nhận)."""

    __tablename__ = "shipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    from_partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    to_partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(8))
    shipped_at: Mapped[datetime]
    reference: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[ShipmentStatus] = mapped_column(
        enum_column(ShipmentStatus), default=ShipmentStatus.IN_TRANSIT)
    received_at: Mapped[datetime | None]
    received_quantity: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lot: Mapped[Lot] = relationship(lazy="joined")
    from_partner: Mapped[Partner] = relationship(foreign_keys=[from_partner_id])
    to_partner: Mapped[Partner] = relationship(foreign_keys=[to_partner_id])

    @property
    def shortfall(self) -> int | None:
        """How much less arrived than left, once received."""
        if self.received_quantity is None:
            return None
        return self.quantity - self.received_quantity


class Transformation(Base):
    """Packing, processing, slaughter or mixing: input quantities consumed, output lots made."""

    __tablename__ = "transformation"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TransformationInput(Base):
    """How much of one input lot a transformation consumed."""

    __tablename__ = "transformation_input"

    transformation_id: Mapped[int] = mapped_column(ForeignKey("transformation.id"),
                                                   primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), primary_key=True, index=True)
    quantity: Mapped[int] = mapped_column(BigInteger)


class Event(Base):
    """The event log: every critical tracking event, who recorded it, and where it happened."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_lot_time", "lot_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind), index=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    quantity: Mapped[int | None] = mapped_column(BigInteger)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"))
    transformation_id: Mapped[int | None] = mapped_column(
        ForeignKey("transformation.id"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    epcis_event_id: Mapped[int | None] = mapped_column(index=True)  # captured from EPCIS
