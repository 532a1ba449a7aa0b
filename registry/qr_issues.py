"""The QR codes the registry issues for a lot: images and label sheets, every issuance recorded
(lot, count, serial range, who, when), and the serial numbers of serialised units (GS1 AI 21).

A code is GS1 Digital Link `/01/{GTIN}/10/{batch}` when the product has a GTIN, else
`/l/{lot_code}`, always signed (`qr.digital_link`). Serialised labels (`/21/{serial}`) suit
high-value products (OCOP, export): each sheet takes the product's next free serial numbers, and
a scanned serial that no issuance of its product covers is "not registered". Serials are decimal
numbers from 1, without leading zeros, unique per product (per GTIN, as GS1 asks).

The plans' indicator "a lot carrying an issued QR/Digital Link" is `qr_issued` (one lot) or
`issued_lot_ids` (lots with an issuance in a period).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

import qr
from qr.labels import DEFAULT_LAYOUT, Label
from registry import audit, database
from registry.actors import Actor
from registry.errors import Conflict, FieldError, Forbidden
from registry.models import Holding, Lot, LotStatus, Product, QrIssue

MAX_LABELS = 5000
"""Labels on one sheet request (a 5,000-label PDF builds in a few seconds)."""
SERIAL = re.compile(r"^[1-9][0-9]{0,17}$")
LayoutName = Literal["3x8", "2x7", "4x10", "1x1"]


class QrImageQuery(BaseModel):
    """How to draw a lot's code: pixels per module or the whole width, quiet zone, and error
    correction (L 7 %, M 15 %, Q 25 %, H 30 % of the code may be damaged)."""

    model_config = ConfigDict(extra="forbid")

    module_px: int | None = Field(default=None, ge=1, le=100,
                                  description="pixels per module (default 8)")
    size_px: int | None = Field(default=None, ge=21, le=4000,
                                description="the image's width in pixels (instead of module_px)")
    border: int = Field(default=4, ge=0, le=40, description="quiet zone, in modules")
    ecc: Literal["L", "M", "Q", "H"] = Field(default="M", description="error correction level")


class LabelsQuery(BaseModel):
    """A label sheet: how many labels, which A4 stock, one code per unit or per batch."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(default=24, ge=1, le=MAX_LABELS)
    layout: LayoutName = Field(default=DEFAULT_LAYOUT, description="columns x rows on A4")
    serialised: bool = Field(default=False, description="a distinct code per unit (/21/{serial});"
                                                        " needs a product GTIN")
    skip: int = Field(default=0, ge=0, le=39, description="places already used on the first sheet")
    outlines: bool = Field(default=False, description="draw each label's edge (plain paper)")


class QrIssueOut(BaseModel):
    """One issuance of a lot's codes."""

    id: int
    lot_code: str
    kind: str
    count: int
    serial_first: int | None
    serial_last: int | None
    layout: str | None
    url: str
    issued_by: str
    issued_at: datetime


def ensure_may_see(session: Session, actor: Actor, lot: Lot) -> None:
    """A lot's codes concern its producer, the partners holding some of it, agencies, admins."""
    if actor.is_partner and actor.partner_id != lot.producer_id:
        held = session.execute(select(Holding.quantity).where(
            Holding.lot_id == lot.id, Holding.partner_id == actor.partner_id)).scalar()
        if not held:
            raise Forbidden(f"lot {lot.lot_code} is neither produced nor held by partner "
                            f"{actor.partner_id}")


def ensure_may_issue(session: Session, actor: Actor, lot: Lot) -> None:
    """Codes of a lot are issued to its producer, a partner holding some of it, agencies of the
    producer's province and admins; never for a lot on hold, recalled or destroyed."""
    ensure_may_see(session, actor, lot)
    if not actor.is_partner:
        actor.ensure_province(lot.producer.province_code_current, f"lot {lot.lot_code}")
    if lot.status is not LotStatus.ACTIVE:
        raise Conflict(f"lot {lot.lot_code} is {lot.status.value}: no new codes are issued for it",
                       errors=[FieldError("lot_code", f"lot is {lot.status.value}")])


def code_url(base_url: str, key: bytes, lot: Lot, serial: str | None = None) -> str:
    """The signed URL a lot's code (or one unit's code) carries."""
    return qr.label_url(base_url, lot.lot_code, gtin=lot.product.gtin, batch=lot.batch,
                        serial=serial, key=key)


def record_image(session: Session, actor: Actor, lot: Lot, kind: str, url: str) -> QrIssue:
    """Record that one image of the lot's code (png or svg) was handed out."""
    return _record(session, actor, lot, kind=kind, count=1, url=url)


def issue_labels(session: Session, actor: Actor, lot: Lot, query: LabelsQuery,
                 url: str) -> QrIssue:
    """Record a label sheet; a serialised one takes the product's next `count` serials.

    Call `registry.database.begin_write` before reading the lot: on SQLite the write lock is
    taken up front; on PostgreSQL the product row is locked here, so two sheets never share a
    serial.
    """
    if not query.serialised:
        return _record(session, actor, lot, kind="labels", count=query.count, url=url,
                       layout=query.layout)
    if not lot.product.gtin:
        raise Conflict(f"product {lot.product_id} has no GTIN: serialised codes (GS1 AI 21) "
                       "need one", errors=[FieldError("serialised", "the product has no GTIN")])
    if not database.is_sqlite(session):
        session.execute(select(Product.id).where(Product.id == lot.product_id).with_for_update())
    last = session.execute(select(func.max(QrIssue.serial_last)).where(
        QrIssue.product_id == lot.product_id)).scalar() or 0
    return _record(session, actor, lot, kind="labels", count=query.count, url=url,
                   layout=query.layout, serials=(last + 1, last + query.count))


def _record(session: Session, actor: Actor, lot: Lot, *, kind: str, count: int, url: str,
            layout: str | None = None, serials: tuple[int, int] | None = None) -> QrIssue:
    first, last = serials if serials else (None, None)
    issue = QrIssue(lot_id=lot.id, product_id=lot.product_id, kind=kind, count=count,
                    serial_first=first, serial_last=last, layout=layout, url=url[:300],
                    issued_by=actor.username, partner_id=actor.partner_id)
    session.add(issue)
    session.flush()
    audit.append(session, actor, "issue_qr", "lot", lot.lot_code,
                 {"kind": kind, "count": count, "layout": layout, "serial_first": first,
                  "serial_last": last})
    return issue


def labels(lot: Lot, issue: QrIssue, base_url: str, key: bytes, *,
           today: date | None = None) -> list[Label]:
    """The labels of an issued sheet: the product's Vietnamese name, batch, origin code, OCOP
    stars while valid, a short URL, and the code (one per unit when serialised)."""
    product = lot.product
    day = today or date.today()
    stars = product.ocop_stars if product.ocop_stars and (
        product.ocop_valid_until is None or product.ocop_valid_until >= day) else None
    common = {"product_name": product.name_vi, "batch": lot.batch,
              "origin_code": origin_code(lot.origin_summary or {}), "ocop_stars": stars,
              "short_url": qr.short_url(base_url, lot.lot_code)}
    if issue.serial_first is None:
        return [Label(url=issue.url, **common)] * issue.count
    assert issue.serial_last is not None
    return [Label(url=code_url(base_url, key, lot, str(n)), **common)
            for n in range(issue.serial_first, issue.serial_last + 1)]


def origin_code(summary: dict[str, Any]) -> str | None:
    """The growing-area code or aquaculture registration a label names ("+2" for more)."""
    origins = [o for o in summary.get("origins") or [] if o.get("type") != "partner"]
    if not origins:
        return None
    more = max(int(summary.get("origins_total") or 0), len(origins)) - 1
    return str(origins[0]["code"]) + (f" +{more}" if more > 0 else "")


def qr_issued(session: Session, lot_id: int) -> bool:
    """Whether the lot carries a QR/Digital Link the registry issued (an image or labels)."""
    return session.execute(select(QrIssue.id).where(QrIssue.lot_id == lot_id).limit(1)
                           ).first() is not None


def issued_lot_ids(start: datetime, end: datetime) -> Select[int]:
    """The ids of lots with a code issued in [start, end), for the plans' indicators."""
    return (select(QrIssue.lot_id).where(QrIssue.issued_at >= start, QrIssue.issued_at < end)
            .distinct())


def labels_issued(session: Session, lot_id: int) -> int:
    """How many labels were printed for a lot (units it is known to have)."""
    return int(session.execute(select(func.coalesce(func.sum(QrIssue.count), 0)).where(
        QrIssue.lot_id == lot_id, QrIssue.kind == "labels")).scalar_one())


def serial_lot_id(session: Session, product_id: int, serial: str) -> int | None:
    """The lot an issued serial of a product belongs to; None if it was never issued."""
    if not SERIAL.match(serial):
        return None
    number = int(serial)
    row = session.execute(
        select(QrIssue.lot_id, QrIssue.serial_last)
        .where(QrIssue.product_id == product_id, QrIssue.serial_first <= number)
        .order_by(QrIssue.serial_first.desc()).limit(1)).first()
    return row.lot_id if row is not None and row.serial_last >= number else None


def issues_of_lot(session: Session, lot: Lot, limit: int = 50) -> list[QrIssueOut]:
    """The lot's issuances, newest first."""
    rows = session.execute(select(QrIssue).where(QrIssue.lot_id == lot.id)
                           .order_by(QrIssue.issued_at.desc(), QrIssue.id.desc())
                           .limit(limit)).scalars()
    return [QrIssueOut(id=i.id, lot_code=lot.lot_code, kind=i.kind, count=i.count,
                       serial_first=i.serial_first, serial_last=i.serial_last, layout=i.layout,
                       url=i.url, issued_by=i.issued_by, issued_at=i.issued_at) for i in rows]
