"""Copied codes: a printed code scanned in a pattern that suggests it was photocopied onto other
packages (DESIGN.md section 7). A signature proves the registry printed a code, not that the
package carrying it is genuine, so the scan log is watched for two patterns:

- a unit code (GS1 AI 21, one package) scanned from `serial_places` or more distinct networks
  (/24 IPv4, /48 IPv6) within `serial_window_hours`: one package does not travel so;
- a lot scanned more than `lot_scan_factor` times per unit it has (and at least `lot_min_scans`
  times), its units being the count for count units, `quantity / grams_per_unit` for mass and
  volume, or the labels printed for it, whichever is more.

Thresholds live in the `scan_threshold` table (an admin tunes them with
`nguongoc scans thresholds KEY VALUE`); `DEFAULTS` applies to a key without a row. Each
written batch of scans is checked for these patterns at once (`check_scans`, cheap: the lots and
units in the batch only); `nguongoc scans check` (`check_all`) rechecks the whole window. A new
flag notifies the lot's producer and the agencies of its province, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import distinct, func, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry import audit, notifications, places, qr_issues
from registry.actors import SYSTEM, Actor
from registry.errors import Forbidden, Invalid
from registry.models import Lot, Partner, Product, Scan, ScanCount, ScanFlag, ScanThreshold, utcnow
from registry.paging import Page, PageQuery

DEFAULTS: dict[str, int] = {
    "serial_places": 5,
    "serial_window_hours": 72,
    "lot_scan_factor": 3,
    "lot_min_scans": 100,
    "grams_per_unit": 100,
}
"""Documented defaults (the migration seeds the same values with descriptions)."""
COUNTED_VERDICTS = ("verified", "unsigned")
"""Scans that count towards copying: codes that name a real unit (forged ones are not copies).
Crawlers (a chat app fetching a link's preview, say) do not count as places."""
COUNT_UNITS = frozenset({"piece", "head", "case", "box", "bag"})


class FlagOut(BaseModel):
    """A code flagged as possibly copied."""

    id: int
    lot_code: str
    product: str
    serial: str | None
    reason: str
    observed: int = Field(description="distinct networks (many_places) or scans (over_quantity)")
    threshold: int
    detail: dict[str, Any]
    province_code: str
    flagged_at: datetime
    updated_at: datetime


class FlagQuery(PageQuery):
    """Filters of the flagged-code list."""

    reason: str | None = Field(default=None, pattern="^(many_places|over_quantity)$")
    province_code: places.CurrentProvinceCode | None = Field(
        default=None, description="current (vn2025) province code")


def thresholds(session: Session) -> dict[str, int]:
    """The thresholds in force: the table's rows over `DEFAULTS`."""
    found = dict(DEFAULTS)
    found.update({key: value for key, value in session.execute(
        select(ScanThreshold.key, ScanThreshold.value)).all() if key in DEFAULTS})
    return found


def set_threshold(session: Session, actor: Actor, key: str, value: int) -> None:
    """Change one threshold (admins)."""
    if not actor.is_admin:
        raise Forbidden("only admins change the copied-code thresholds")
    if key not in DEFAULTS:
        raise Invalid.field("key", "one of " + ", ".join(DEFAULTS))
    if value < 1:
        raise Invalid.field("value", "must be at least 1")
    row = session.get(ScanThreshold, key)
    if row is None:
        session.add(ScanThreshold(key=key, value=value, description=key))
    else:
        row.value = value
    audit.append(session, actor, "set_scan_threshold", "scan_threshold", key, {"value": value})


def units_of(quantity: int, base_unit: str, labels: int, grams_per_unit: int) -> int:
    """How many units (packages) a lot has, at least."""
    units = quantity if base_unit in COUNT_UNITS else quantity // max(1, grams_per_unit)
    return max(1, units, labels)


def check_scans(session: Session, rows: Iterable[dict[str, Any]]) -> list[ScanFlag]:
    """Check the lots and unit codes of freshly written scans; the new flags."""
    rows = list(rows)
    limits = thresholds(session)
    serials = {(r["lot_id"], r["serial"]) for r in rows
               if r.get("serial") and r["verdict"] in COUNTED_VERDICTS}
    flags = _check_serials(session, limits, utcnow(), serials) if serials else []
    return flags + _check_lots(session, limits, {r["lot_id"] for r in rows})


def check_all(session: Session, now: datetime | None = None) -> list[ScanFlag]:
    """Recheck every unit code scanned in the window and every counted lot; the new flags."""
    limits = thresholds(session)
    flags = _check_serials(session, limits, now or utcnow(), None)
    lot_ids = set(session.execute(select(ScanCount.lot_id).where(
        ScanCount.scans >= limits["lot_min_scans"])).scalars())
    return flags + _check_lots(session, limits, lot_ids)


def _check_serials(session: Session, limits: dict[str, int], now: datetime,
                   keys: set[tuple[int, str]] | None) -> list[ScanFlag]:
    window = limits["serial_window_hours"]
    places = func.count(distinct(Scan.ip_prefix))
    stmt = (select(Scan.lot_id, Scan.serial, places)
            .where(Scan.serial.is_not(None), Scan.verdict.in_(COUNTED_VERDICTS),
                   or_(Scan.ua_family.is_(None), Scan.ua_family != "bot"),
                   Scan.scanned_at >= now - timedelta(hours=window))
            .group_by(Scan.lot_id, Scan.serial).having(places >= limits["serial_places"]))
    if keys is not None:
        stmt = stmt.where(tuple_(Scan.lot_id, Scan.serial).in_(sorted(keys)))
    flags = []
    for lot_id, serial, seen in session.execute(stmt).all():
        flag = _flag(session, lot_id, serial, "many_places", seen, limits["serial_places"],
                     {"window_hours": window})
        if flag is not None:
            flags.append(flag)
    return flags


def _check_lots(session: Session, limits: dict[str, int], lot_ids: set[int]) -> list[ScanFlag]:
    if not lot_ids:
        return []
    factor = limits["lot_scan_factor"]
    rows = session.execute(
        select(Lot.id, Lot.quantity, Lot.base_unit, ScanCount.scans)
        .join(ScanCount, ScanCount.lot_id == Lot.id)
        .where(Lot.id.in_(sorted(lot_ids)), ScanCount.scans >= limits["lot_min_scans"])).all()
    flags = []
    for lot_id, quantity, base_unit, scans in rows:
        at_least = units_of(quantity, base_unit, 0, limits["grams_per_unit"])
        if scans <= factor * at_least:
            continue  # the usual case: no need to count labels
        units = units_of(quantity, base_unit, qr_issues.labels_issued(session, lot_id),
                         limits["grams_per_unit"])
        if scans > factor * units:
            flag = _flag(session, lot_id, "", "over_quantity", scans, factor * units,
                         {"units": units, "factor": factor})
            if flag is not None:
                flags.append(flag)
    return flags


def _flag(session: Session, lot_id: int, serial: str, reason: str, observed: int,
          threshold: int, detail: dict[str, Any]) -> ScanFlag | None:
    """Flag a code once (a later check only updates what was seen); notify on the first."""
    existing = session.execute(select(ScanFlag).where(
        ScanFlag.lot_id == lot_id, ScanFlag.serial == serial, ScanFlag.reason == reason)).scalar()
    if existing is not None:
        if observed > existing.observed:
            existing.observed, existing.updated_at = observed, utcnow()
        return None
    lot = session.get(Lot, lot_id)
    assert lot is not None
    province = lot.producer.province_code_current
    flag = ScanFlag(lot_id=lot_id, serial=serial, reason=reason, observed=observed,
                    threshold=threshold, detail=detail, province_code=province)
    try:
        with session.begin_nested():  # another process may flag the same code right now
            session.add(flag)
    except IntegrityError:
        return None
    what = f"mã đơn vị {serial} của lô {lot.lot_code}" if serial else f"lô {lot.lot_code}"
    if reason == "many_places":
        body = (f"Mã {serial} được quét từ {observed} mạng khác nhau trong "
                f"{detail['window_hours']} giờ (ngưỡng {threshold}).")
    else:
        body = (f"Lô được quét {observed} lần, nhiều hơn {threshold} lần cho phép "
                f"({detail['units']} đơn vị x {detail['factor']}).")
    notifications.notify(
        session, kind="copied_code", subject_type="lot", subject_id=lot.lot_code,
        title=f"Nghi mã QR bị sao chép: {what} ({lot.product.name_vi})", body=body,
        provinces=[province], partners=[lot.producer_id])
    audit.append(session, SYSTEM, "flag_copied_code", "lot", lot.lot_code,
                 {"serial": serial or None, "reason": reason, "observed": observed,
                  "threshold": threshold})
    return flag


def _visible(actor: Actor) -> Any:
    if actor.is_admin:
        return ScanFlag.id.is_not(None)
    if actor.is_partner:
        return Lot.producer_id == actor.partner_id
    return ScanFlag.province_code.in_(sorted(actor.provinces))


def list_flags(session: Session, actor: Actor, query: FlagQuery) -> Page[FlagOut]:
    """Flagged codes, newest first: agencies see their provinces', partners their own lots'."""
    stmt = (select(ScanFlag, Lot.lot_code, Product.name_vi)
            .join(Lot, Lot.id == ScanFlag.lot_id).join(Product, Product.id == Lot.product_id)
            .join(Partner, Partner.id == Lot.producer_id)
            .where(_visible(actor)).order_by(ScanFlag.flagged_at.desc(), ScanFlag.id.desc()))
    if query.reason:
        stmt = stmt.where(ScanFlag.reason == query.reason)
    if query.province_code:
        stmt = stmt.where(ScanFlag.province_code == query.province_code)
    if query.q:
        stmt = stmt.where(Lot.lot_code == query.q.strip().upper())
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())
                            ).scalar_one()
    rows = session.execute(stmt.limit(query.per_page)
                           .offset((query.page - 1) * query.per_page)).all()
    items = [FlagOut(id=f.id, lot_code=code, product=name, serial=f.serial or None,
                     reason=f.reason, observed=f.observed, threshold=f.threshold,
                     detail=f.detail or {}, province_code=f.province_code,
                     flagged_at=f.flagged_at, updated_at=f.updated_at)
             for f, code, name in rows]
    return Page[FlagOut](items=items, page=query.page, per_page=query.per_page, total=total)

