"""The registry's records: partners, growing areas, aquaculture registrations, products,
certification schemes and certifications, and the dated status history of issued records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, PlaceMixin, enum_column, utcnow
from registry.models.enums import (
    DeclarationKind,
    FarmingForm,
    FarmingMethod,
    GrowingAreaKind,
    HolderType,
    PartnerKind,
    ProductCategory,
    RecordStatus,
)


class Partner(PlaceMixin, Base):
    """An organisation or household in a chain (farm, cooperative, ..., retailer, agency)."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    tax_code: Mapped[str | None] = mapped_column(String(20))
    gln: Mapped[str | None] = mapped_column(String(13), unique=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    search_text: Mapped[str] = mapped_column(String(1000), default="")
    verified: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusMixin:
    """Current status of an issued record; its dated history lives in `status_change`."""

    status: Mapped[RecordStatus] = mapped_column(
        enum_column(RecordStatus), default=RecordStatus.ACTIVE)
    status_since: Mapped[date | None]
    status_reason: Mapped[str | None] = mapped_column(String(500))


class GrowingArea(PlaceMixin, StatusMixin, Base):
    """A growing-area code (mã số vùng trồng), Law on Crop Production art. 64."""

    __tablename__ = "growing_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48))
    code_key: Mapped[str] = mapped_column(String(48), unique=True)
    kind: Mapped[GrowingAreaKind] = mapped_column(enum_column(GrowingAreaKind))
    markets: Mapped[list[str]] = mapped_column(JSON, default=list)
    holder_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    crop: Mapped[str] = mapped_column(String(120))
    variety: Mapped[str | None] = mapped_column(String(120))
    area_ha: Mapped[float]
    standard: Mapped[str | None] = mapped_column(String(60))
    expected_output_t: Mapped[float | None]
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    issued_on: Mapped[date]
    valid_until: Mapped[date | None]
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    search_text: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    holder: Mapped[Partner] = relationship(foreign_keys=[holder_id], lazy="joined")
    issuer: Mapped[Partner | None] = relationship(foreign_keys=[issuer_id])


class AquacultureRegistration(PlaceMixin, StatusMixin, Base):
    """Giấy xác nhận đăng ký nuôi trồng thủy sản (Decree 26/2019 art. 36, form 28.NT)."""

    __tablename__ = "aquaculture_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(48))
    number_key: Mapped[str] = mapped_column(String(48), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    species: Mapped[list[str]] = mapped_column(JSON)
    farming_form: Mapped[FarmingForm] = mapped_column(enum_column(FarmingForm))
    method: Mapped[FarmingMethod | None] = mapped_column(enum_column(FarmingMethod))
    area_m2: Mapped[float | None]
    cages: Mapped[int | None]
    issued_on: Mapped[date]
    valid_until: Mapped[date | None]
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    search_text: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    holder: Mapped[Partner] = relationship(foreign_keys=[holder_id], lazy="joined")
    issuer: Mapped[Partner | None] = relationship(foreign_keys=[issuer_id])


class Product(Base):
    """A product a partner makes, with its optional GTIN and OCOP rating."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[ProductCategory] = mapped_column(enum_column(ProductCategory), index=True)
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    photo_url: Mapped[str | None] = mapped_column(String(500))
    declaration_kind: Mapped[DeclarationKind | None] = mapped_column(
        enum_column(DeclarationKind))
    ocop_stars: Mapped[int | None]
    ocop_certificate_no: Mapped[str | None] = mapped_column(String(60))
    ocop_issued_on: Mapped[date | None]
    ocop_valid_until: Mapped[date | None]
    search_text: Mapped[str] = mapped_column(String(1000), default="")
    verified: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[Partner] = relationship(lazy="joined")


class CertificationScheme(Base):
    """A certification scheme (VietGAP, HACCP, ...); admins can add more."""

    __tablename__ = "certification_scheme"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    group: Mapped[str] = mapped_column(String(40))  # gap, food_safety, organic, ...
    international: Mapped[bool] = mapped_column(default=False)
    validity_months: Mapped[int | None]


class Certification(StatusMixin, Base):
    """A certificate or commitment held by a partner, growing area, registration or product."""

    __tablename__ = "certification"
    __table_args__ = (UniqueConstraint("scheme_key", "number_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_key: Mapped[str] = mapped_column(ForeignKey("certification_scheme.key"))
    number: Mapped[str] = mapped_column(String(80))
    number_key: Mapped[str] = mapped_column(String(80))
    issuer: Mapped[str] = mapped_column(String(200))
    holder_type: Mapped[HolderType] = mapped_column(enum_column(HolderType))
    holder_ref: Mapped[str] = mapped_column(String(48))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    growing_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("growing_area.id"), index=True)
    aquaculture_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("aquaculture_registration.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    scope: Mapped[str | None] = mapped_column(String(500))
    issued_on: Mapped[date]
    valid_until: Mapped[date | None]
    province_code_current: Mapped[str] = mapped_column(String(2), index=True)
    search_text: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    scheme: Mapped[CertificationScheme] = relationship(lazy="joined")


class StatusChange(Base):
    """A dated status change of an issued record, with its reason (suspension, revocation)."""

    __tablename__ = "status_change"
    __table_args__ = (Index("ix_status_change_subject", "subject_type", "subject_id",
                            "effective_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    status: Mapped[RecordStatus] = mapped_column(enum_column(RecordStatus))
    effective_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
