"""QR codes in the world: issued codes and serial ranges, the scan log, copied-code flags and
their thresholds, and consumers' problem reports (DESIGN.md section 7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, utcnow

BIG_ID = BigInteger().with_variant(Integer, "sqlite")
"""A 64-bit key on PostgreSQL that is still SQLite's rowid (INTEGER PRIMARY KEY)."""


class QrIssue(Base):
    """Codes handed out for a lot: an image, or a label sheet of `count` labels; serialised
    sheets own the serial numbers `serial_first..serial_last` of the product (GS1 AI 21).

    A serial that falls in no range of its product was never issued by this registry.
    """

    __tablename__ = "qr_issue"
    __table_args__ = (UniqueConstraint("product_id", "serial_first"),
                      Index("ix_qr_issue_lot", "lot_id", "issued_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    kind: Mapped[str] = mapped_column(String(12))  # png | svg | labels
    count: Mapped[int]
    serial_first: Mapped[int | None] = mapped_column(BigInteger)
    serial_last: Mapped[int | None] = mapped_column(BigInteger)
    layout: Mapped[str | None] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(String(300))  # the batch-level code (first label's)
    issued_by: Mapped[str] = mapped_column(String(80))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Scan(Base):
    """One scan of a code: when, which lot (and unit), whether its signature held, and coarse
    client facts only (a /24 or /48 network, a browser family, languages, a country header)."""

    __tablename__ = "scan"
    __table_args__ = (Index("ix_scan_lot_serial_time", "lot_id", "serial", "scanned_at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    scanned_at: Mapped[datetime] = mapped_column(index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    serial: Mapped[str | None] = mapped_column(String(20))
    verdict: Mapped[str] = mapped_column(String(12))  # verified | unsigned | forged | unissued
    ip_prefix: Mapped[str | None] = mapped_column(String(43))
    ua_family: Mapped[str | None] = mapped_column(String(16))
    accept_language: Mapped[str | None] = mapped_column(String(35))
    country: Mapped[str | None] = mapped_column(String(2))


class ScanCount(Base):
    """Scans of a lot so far, kept up to date as the log is written (the over-quantity check)."""

    __tablename__ = "scan_count"

    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), primary_key=True)
    scans: Mapped[int] = mapped_column(BigInteger)


class ScanFlag(Base):
    """A code scanned in a pattern that suggests copying: a unit code from many places, or a
    lot scanned far more often than it has units. `serial` is "" for a lot-level flag."""

    __tablename__ = "scan_flag"
    __table_args__ = (UniqueConstraint("lot_id", "serial", "reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    serial: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(String(20))  # many_places | over_quantity
    observed: Mapped[int] = mapped_column(BigInteger)  # places, or scans
    threshold: Mapped[int] = mapped_column(BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    province_code: Mapped[str] = mapped_column(String(2), index=True)  # the lot's, current
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScanThreshold(Base):
    """A copied-code threshold an admin may tune; `registry.copied_codes.DEFAULTS` applies to
    any key without a row."""

    __tablename__ = "scan_threshold"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int]
    description: Mapped[str] = mapped_column(String(300))


class ConsumerReport(Base):
    """A consumer's problem report from a scan page, for the agencies of the producer's province."""

    __tablename__ = "consumer_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    serial: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_type: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(12), default="new")  # new | read | closed
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
