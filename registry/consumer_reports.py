"""Consumers' problem reports from a scan page (a bad smell, a torn seal, a wrong label): they
land in the inbox of the agencies of the province where the lot was produced. A photo is
checked to be a real JPEG, PNG or WebP image of modest size, kept in the database, and shown to
agencies only; a contact is optional."""

from __future__ import annotations

import io
import warnings
from datetime import datetime

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry import audit, lots, notifications, places
from registry.actors import Actor
from registry.errors import Forbidden, Invalid, NotFound
from registry.models import ConsumerReport, Lot, Product, Role
from registry.paging import Page, PageQuery

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PUBLIC = Actor(username="public:consumer", role=Role.PARTNER)
"""Who the audit log names for a report sent from a scan page (nobody signs in there)."""


class ReportIn(BaseModel):
    """What a consumer tells about a lot."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=5, max_length=4000, description="what is wrong")
    contact: str | None = Field(default=None, max_length=200,
                                description="a phone number or e-mail, if they want an answer")
    serial: str | None = Field(default=None, max_length=20)

    @field_validator("contact", "serial")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class ReportOut(BaseModel):
    """A consumer report as agencies see it."""

    id: int
    lot_code: str
    product: str
    province_code: str
    serial: str | None
    text: str
    contact: str | None
    has_photo: bool
    language: str
    status: str
    created_at: datetime


class ReportQuery(PageQuery):
    """Filters of the report list."""

    province_code: places.CurrentProvinceCode | None = Field(
        default=None, description="current (vn2025) province code")
    status: str | None = Field(default=None, pattern="^(new|read|closed)$")


def photo_type(data: bytes) -> str:
    """The MIME type of an acceptable photo; Invalid naming `photo` otherwise."""
    if len(data) > MAX_PHOTO_BYTES:
        raise Invalid.field("photo", f"at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                width, height = image.size
                image.verify()
    except Exception:  # Pillow raises many kinds for a file that is not an image
        raise Invalid.field("photo", "not a JPEG, PNG or WebP image") from None
    if kind not in PHOTO_TYPES:
        raise Invalid.field("photo", "not a JPEG, PNG or WebP image")
    if width * height > MAX_PHOTO_PIXELS:
        raise Invalid.field("photo", "the image is too large")
    return PHOTO_TYPES[kind]


def submit(session: Session, lot_code: str, data: ReportIn, *, photo: bytes | None,
           language: str) -> ConsumerReport:
    """Keep a report and notify the agencies of the lot's producer province."""
    lot = lots.get(session, lot_code)
    mime = photo_type(photo) if photo else None
    province = lot.producer.province_code_current
    report = ConsumerReport(lot_id=lot.id, province_code=province, serial=data.serial,
                            text=data.text, contact=data.contact, photo=photo or None,
                            photo_type=mime, language=language[:5])
    session.add(report)
    session.flush()
    notifications.notify(
        session, kind="consumer_report", subject_type="consumer_report", subject_id=report.id,
        title=f"Phản ánh của người tiêu dùng: {lot.product.name_vi}, lô {lot.lot_code}",
        body=data.text[:1000], provinces=[province])
    audit.append(session, PUBLIC, "consumer_report", "lot", lot.lot_code,
                 {"report_id": report.id, "photo": mime, "contact_given": bool(data.contact)})
    return report


def ensure_may_read(actor: Actor, report: ConsumerReport) -> None:
    """Agencies of the report's province and admins read reports (and see photos)."""
    actor.ensure_role(Role.AGENCY)
    if not actor.covers_province(report.province_code):
        raise Forbidden(f"report {report.id} concerns province {report.province_code}")


def get(session: Session, actor: Actor, report_id: int) -> ConsumerReport:
    """One report the actor may read."""
    report = session.get(ConsumerReport, report_id)
    if report is None:
        raise NotFound(f"no consumer report {report_id}")
    ensure_may_read(actor, report)
    return report


def list_reports(session: Session, actor: Actor, query: ReportQuery) -> Page[ReportOut]:
    """Reports of the agency's provinces (all for admins), newest first."""
    actor.ensure_role(Role.AGENCY)
    stmt = (select(ConsumerReport.id, ConsumerReport.province_code, ConsumerReport.serial,
                   ConsumerReport.text, ConsumerReport.contact, ConsumerReport.language,
                   ConsumerReport.status, ConsumerReport.created_at,
                   ConsumerReport.photo_type, Lot.lot_code, Product.name_vi)
            .join(Lot, Lot.id == ConsumerReport.lot_id)
            .join(Product, Product.id == Lot.product_id)
            .order_by(ConsumerReport.created_at.desc(), ConsumerReport.id.desc()))
    if not actor.is_admin:
        stmt = stmt.where(ConsumerReport.province_code.in_(sorted(actor.provinces)))
    if query.province_code:
        stmt = stmt.where(ConsumerReport.province_code == query.province_code)
    if query.status:
        stmt = stmt.where(ConsumerReport.status == query.status)
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())
                            ).scalar_one()
    rows = session.execute(stmt.limit(query.per_page)
                           .offset((query.page - 1) * query.per_page)).all()
    return Page[ReportOut](items=[ReportOut(
        id=r.id, lot_code=r.lot_code, product=r.name_vi, province_code=r.province_code,
        serial=r.serial, text=r.text, contact=r.contact, has_photo=r.photo_type is not None,
        language=r.language, status=r.status, created_at=r.created_at) for r in rows],
        page=query.page, per_page=query.per_page, total=total)


def mark_read(session: Session, actor: Actor, report: ConsumerReport) -> None:
    """A new report becomes read once an agency opened it."""
    if report.status == "new":
        report.status = "read"
        audit.append(session, actor, "read_consumer_report", "consumer_report", report.id)
