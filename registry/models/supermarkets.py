"""What supermarkets and distributors keep: yield bands for plausible mass balance, receiving
gates and the verdicts they recorded, approved-supplier lists, the alerts about approved
suppliers, and the signed verifications the registry issued."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, enum_column, utcnow
from registry.models.enums import ProductCategory


class GateMode(StrEnum):
    """What a retailer's receiving gate does with the incoming-lot verification."""

    OFF = "off"
    WARN = "warn"  # record the verdict on the receipt and notify the retailer
    REFUSE = "refuse"  # a rejected lot is not received (409); the shipment stays in transit


class YieldBand(Base):
    """How much output a transformation may plausibly make from its inputs (by mass).

    `min_ratio <= output mass / input mass <= max_ratio`. A row matches a transformation when
    each of its non-null keys (kind, input category, output category, output product) agrees;
    the most specific row wins. `output_unit_mass_g` weighs counted outputs (1 box = 1000 g).
    Maintained by admins; the figures are practice, not law (VIETNAM.md rule of thumb).
    """

    __tablename__ = "yield_band"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    input_category: Mapped[ProductCategory | None] = mapped_column(enum_column(ProductCategory))
    output_category: Mapped[ProductCategory | None] = mapped_column(enum_column(ProductCategory))
    output_product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    min_ratio: Mapped[float] = mapped_column(default=0.0)
    max_ratio: Mapped[float]
    output_unit_mass_g: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(300))


class ReceivingGate(Base):
    """A retailer's or distributor's receiving gate (off unless a row says otherwise)."""

    __tablename__ = "receiving_gate"

    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), primary_key=True)
    mode: Mapped[GateMode] = mapped_column(enum_column(GateMode), default=GateMode.OFF)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReceiptCheck(Base):
    """The incoming-lot verdict a receiving gate recorded on a receipt."""

    __tablename__ = "receipt_check"

    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    mode: Mapped[GateMode] = mapped_column(enum_column(GateMode))
    verdict: Mapped[str] = mapped_column(String(12))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovedSupplier(Base):
    """A supplier a retailer has approved, for some products or categories."""

    __tablename__ = "approved_supplier"
    __table_args__ = (UniqueConstraint("retailer_id", "supplier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    product_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    approved_on: Mapped[date]
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupplierAlert(Base):
    """One alert to a retailer about an approved supplier; one per cause, never twice."""

    __tablename__ = "supplier_alert"
    __table_args__ = (UniqueConstraint("retailer_id", "cause_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    cause_key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IssuedVerification(Base):
    """A verification the registry issued (PDF), signed with HMAC-SHA256 so it can be checked."""

    __tablename__ = "issued_verification"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(10))  # partner | lot
    subject_ref: Mapped[str] = mapped_column(String(48), index=True)
    for_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    verdict: Mapped[str] = mapped_column(String(12))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(80))
    signature: Mapped[str] = mapped_column(String(64))
