"""Monitoring samples and their limits, violation cases shared between provinces, recalls,
sampling plans, and the notifications that fill each agency's and partner's inbox."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, enum_column, utcnow
from registry.models.enums import ProductCategory
from registry.models.lots import Lot
from registry.models.registry import Partner


class Verdict(StrEnum):
    """A result's or a sample's outcome (VIETNAM.md section 9)."""

    PASS = "pass"
    FAIL = "fail"
    PENDING_CONFIRMATION = "pending_confirmation"


class Comparator(StrEnum):
    """How a value is compared with its limit."""

    MAX = "<="  # fail if value > limit
    NOT_DETECTED = "not_detected"  # banned: any detection fails (after confirmation)
    ABSENT_IN = "absent_in"  # microbiology: presence in the stated mass fails


class CaseStatus(StrEnum):
    """A violation case's progress."""

    OPEN = "open"
    TRACED = "traced"
    RECALL_ORDERED = "recall_ordered"
    CLOSED = "closed"


class RecallScope(StrEnum):
    """Which lots a recall covers."""

    FORWARD = "forward"  # the lots and everything made from them
    ORIGIN = "origin"  # back to the origin harvests, then everything made from them


class ResidueLimit(Base):
    """A maximum level per analyte (and product category), maintained by admins."""

    __tablename__ = "residue_limit"
    __table_args__ = (Index("ix_residue_limit_analyte", "analyte_key", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    analyte: Mapped[str] = mapped_column(String(120))
    analyte_key: Mapped[str] = mapped_column(String(120))
    category: Mapped[ProductCategory | None] = mapped_column(enum_column(ProductCategory))
    limit_value: Mapped[float | None]
    unit: Mapped[str] = mapped_column(String(20))
    comparator: Mapped[Comparator] = mapped_column(enum_column(Comparator))
    banned: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(300))


class SamplingPlan(Base):
    """N samples planned in a province for a period (and optionally a product category)."""

    __tablename__ = "sampling_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    category: Mapped[ProductCategory | None] = mapped_column(enum_column(ProductCategory))
    planned: Mapped[int]
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Sample(Base):
    """A monitoring sample of a lot, taken at a partner, analysed by a lab."""

    __tablename__ = "sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)  # where taken, current
    taken_at: Mapped[datetime] = mapped_column(index=True)
    lab: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("sampling_plan.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("violation_case.id"))
    taken_by: Mapped[str] = mapped_column(String(80))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lot: Mapped[Lot] = relationship(lazy="joined")
    partner: Mapped[Partner] = relationship(lazy="joined")
    results: Mapped[list[SampleResult]] = relationship(cascade="all, delete-orphan",
                                                       order_by="SampleResult.id")


class SampleResult(Base):
    """One analyte's result, with the limit used at the time (limits change)."""

    __tablename__ = "sample_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("sample.id"), index=True)
    analyte: Mapped[str] = mapped_column(String(120))
    method: Mapped[str | None] = mapped_column(String(120))
    value: Mapped[float | None]  # None: not detected
    detected: Mapped[bool]
    unit: Mapped[str] = mapped_column(String(20))
    lod: Mapped[float | None]
    loq: Mapped[float | None]
    limit_value: Mapped[float | None]
    limit_unit: Mapped[str] = mapped_column(String(20))
    comparator: Mapped[Comparator] = mapped_column(enum_column(Comparator))
    limit_source: Mapped[str | None] = mapped_column(String(300))
    confirmed: Mapped[bool] = mapped_column(default=False)
    result: Mapped[Verdict] = mapped_column(enum_column(Verdict))


class ViolationCase(Base):
    """A violation case: the unsafe lots, the trace when opened, the agencies concerned."""

    __tablename__ = "violation_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus), index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(80))
    found_in_province: Mapped[str] = mapped_column(String(2))
    origin_provinces: Mapped[list[str]] = mapped_column(JSON, default=list)
    sample_id: Mapped[int | None]  # the sample that opened it (no FK: sample.case_id points back)
    trace_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    closed_at: Mapped[datetime | None]

    lots: Mapped[list[CaseLot]] = relationship(cascade="all, delete-orphan")
    agencies: Mapped[list[CaseAgency]] = relationship(cascade="all, delete-orphan")
    actions: Mapped[list[CaseAction]] = relationship(cascade="all, delete-orphan",
                                                     order_by="CaseAction.id")


class CaseLot(Base):
    """A lot a case is about."""

    __tablename__ = "case_lot"

    case_id: Mapped[int] = mapped_column(ForeignKey("violation_case.id"), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), primary_key=True, index=True)

    lot: Mapped[Lot] = relationship(lazy="joined")


class CaseAgency(Base):
    """A province whose agency is concerned: the one that found it, each origin province."""

    __tablename__ = "case_agency"

    case_id: Mapped[int] = mapped_column(ForeignKey("violation_case.id"), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20))  # finder | origin | recipient


class CaseAction(Base):
    """The case's timeline: notes, actions, status changes, who and when."""

    __tablename__ = "case_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("violation_case.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(30))  # note | action | status | recall | sample
    text: Mapped[str] = mapped_column(Text)


class Recall(Base):
    """A recall order (thu hồi): lots in scope, every recipient, acknowledgements."""

    __tablename__ = "recall"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("violation_case.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    scope: Mapped[RecallScope] = mapped_column(enum_column(RecallScope))
    kind: Mapped[str] = mapped_column(String(20))  # voluntary | mandatory (Circular 17/2021)
    ordered_at: Mapped[datetime] = mapped_column(default=utcnow)
    ordered_by: Mapped[str] = mapped_column(String(80))
    ordered_by_province: Mapped[str | None] = mapped_column(String(2))
    instructions: Mapped[str] = mapped_column(Text)
    lot_count: Mapped[int]
    closed_at: Mapped[datetime | None]


class RecallLot(Base):
    """A lot a recall covers."""

    __tablename__ = "recall_lot"

    recall_id: Mapped[int] = mapped_column(ForeignKey("recall.id"), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), primary_key=True, index=True)


class RecallRecipient(Base):
    """A partner that received (or holds) a recalled lot, and how much."""

    __tablename__ = "recall_recipient"

    id: Mapped[int] = mapped_column(primary_key=True)
    recall_id: Mapped[int] = mapped_column(ForeignKey("recall.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    quantity: Mapped[int] = mapped_column(BigInteger)  # base units received (or produced)
    to_account: Mapped[int] = mapped_column(BigInteger)  # held or in transit to it when ordered


class RecallAck(Base):
    """A recipient's acknowledgement: how much it removed from sale or destroyed."""

    __tablename__ = "recall_ack"

    id: Mapped[int] = mapped_column(primary_key=True)
    recall_id: Mapped[int] = mapped_column(ForeignKey("recall.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    removed: Mapped[int] = mapped_column(BigInteger, default=0)
    destroyed: Mapped[int] = mapped_column(BigInteger, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(String(80))


class Notification(Base):
    """An inbox item for the agencies of a province or for one partner."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_province", "province_code", "created_at"),
                      Index("ix_notification_partner", "partner_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str | None] = mapped_column(String(2))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    kind: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
