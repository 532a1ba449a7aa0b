"""Alerts about approved suppliers, for each retailer's inbox: a certificate about to expire
(30 days) or expired without renewal, a certificate or origin code suspended or revoked, an
open violation case or recall about lots the supplier produced or received.

`run` is the daily job (`nguongoc alerts run`). It is idempotent: each alert has a cause key
(`{supplier}:cert:{id}:expiring`, `{supplier}:case:{id}`, ...) unique per retailer, inserted
with ON CONFLICT DO NOTHING, so a cause alerts a retailer once however often the job runs (a
certificate suspended, reinstated and suspended again is a new cause: the key has the date).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chains import verification_common
from chains.verification_rules import ORIGIN, STATUS
from registry import approved_suppliers, audit, notifications, validity
from registry.actors import SYSTEM, Actor
from registry.models import (
    ApprovedSupplier,
    CaseLot,
    CaseStatus,
    Lot,
    Partner,
    Recall,
    RecallLot,
    RecordStatus,
    Shipment,
    SupplierAlert,
    ViolationCase,
    utcnow,
)

SOON = timedelta(days=30)


def _vi(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Cause:
    """Something about a supplier a retailer should hear of once."""

    key: str
    kind: str
    title: str
    body: str


class RunSummary(BaseModel):
    """What one run of the job did."""

    on: date
    approvals: int
    suppliers: int
    alerts: int


class AlertOut(BaseModel):
    """An alert sent to a retailer."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    retailer_id: int
    supplier_id: int
    kind: str
    cause_key: str
    title: str
    created_at: datetime


def _cert_causes(index: verification_common.CertIndex, names: dict[int, str],
                 today: date) -> dict[int, list[Cause]]:
    found: dict[int, list[Cause]] = defaultdict(list)
    for cert in index.certs:
        owner = index.owner(cert)
        if owner not in names:
            continue
        changes = index.history.get(cert.id, [])
        status = validity.status_on(changes, today)
        head = f"Nhà cung cấp {names[owner]}: {cert.scheme.name_vi} số {cert.number}"
        head_en = f"Supplier {names[owner]}: {cert.scheme.name_en} no. {cert.number}"
        renewed = any(other.id != cert.id and other.scheme_key == cert.scheme_key
                      and index.owner(other) == owner and index.is_valid(other, today)
                      and (other.valid_until is None or cert.valid_until is None
                           or other.valid_until > cert.valid_until)
                      for other in index.certs)
        if status is not RecordStatus.ACTIVE:
            since = max(c.effective_on for c in changes if c.effective_on <= today)
            found[owner].append(Cause(
                f"{owner}:cert:{cert.id}:{status.value}:{since.isoformat()}",
                f"certificate_{status.value}",
                f"{head} bị {STATUS[status.value].vi} từ ngày {_vi(since)}",
                f"{head_en} is {status.value} since {since.isoformat()}"))
        elif cert.valid_until is None or renewed:
            continue
        elif cert.valid_until < today:
            found[owner].append(Cause(
                f"{owner}:cert:{cert.id}:expired", "certificate_expired",
                f"{head} đã hết hạn ngày {_vi(cert.valid_until)}",
                f"{head_en} expired on {cert.valid_until.isoformat()}"))
        elif cert.valid_until - today <= SOON and index.is_valid(cert, today):
            days = (cert.valid_until - today).days
            found[owner].append(Cause(
                f"{owner}:cert:{cert.id}:expiring", "certificate_expiring",
                f"{head} hết hạn sau {days} ngày ({_vi(cert.valid_until)})",
                f"{head_en} expires in {days} days ({cert.valid_until.isoformat()})"))
    sites = ([("growing_area", a.id, a.code, a.holder_id, index.area_history.get(a.id, []))
              for a in index.areas.values()] +
             [("aquaculture_registration", r.id, r.number, r.holder_id,
               index.registration_history.get(r.id, [])) for r in index.registrations.values()])
    for kind, site_id, code, holder_id, changes in sites:
        status = validity.status_on(changes, today)
        if holder_id not in names or status is RecordStatus.ACTIVE:
            continue
        since = max(c.effective_on for c in changes if c.effective_on <= today)
        found[holder_id].append(Cause(
            f"{holder_id}:{kind}:{site_id}:{status.value}:{since.isoformat()}",
            f"origin_code_{status.value}",
            f"Nhà cung cấp {names[holder_id]}: {ORIGIN[kind].vi} {code} bị "
            f"{STATUS[status.value].vi} từ ngày {_vi(since)}",
            f"Supplier {names[holder_id]}: {ORIGIN[kind].en} {code} is {status.value} since "
            f"{since.isoformat()}"))
    return found


def _case_and_recall_causes(session: Session, names: dict[int, str]) -> dict[int, list[Cause]]:
    found: dict[int, list[Cause]] = defaultdict(list)
    ids = sorted(names)
    queries: tuple[tuple[str, Any, tuple[Any, Any, Any], Any], ...] = (
        ("case", ViolationCase, (CaseLot, CaseLot.case_id == ViolationCase.id, CaseLot.lot_id),
         ViolationCase.status != CaseStatus.CLOSED),
        ("recall", Recall, (RecallLot, RecallLot.recall_id == Recall.id, RecallLot.lot_id),
         Recall.closed_at.is_(None)))
    for label, head, join, open_clause in queries:
        link, on, lot_column = join
        produced = select(head, Lot.producer_id).join(link, on).join(Lot, Lot.id == lot_column) \
            .where(open_clause, Lot.producer_id.in_(ids))
        received = select(head, Shipment.to_partner_id).join(link, on) \
            .join(Shipment, Shipment.lot_id == lot_column) \
            .where(open_clause, Shipment.to_partner_id.in_(ids))
        seen: set[tuple[int, int]] = set()
        for record, supplier in [*session.execute(produced).all(),
                                 *session.execute(received).all()]:
            if (record.id, supplier) in seen:
                continue
            seen.add((record.id, supplier))
            what = record.title if label == "case" else record.reason
            vi = "vụ việc vi phạm" if label == "case" else "lệnh thu hồi"
            found[supplier].append(Cause(
                f"{supplier}:{label}:{record.id}", label,
                f"Nhà cung cấp {names[supplier]} liên quan đến {vi} #{record.id}: {what[:150]}",
                f"Supplier {names[supplier]} is concerned by {label} #{record.id}: {what[:150]}"))
    return found


def _insert_once(session: Session, retailer_id: int, supplier_id: int, cause: Cause) -> bool:
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SupplierAlert)
    result = session.execute(insert.values(
        retailer_id=retailer_id, supplier_id=supplier_id, cause_key=cause.key[:160],
        kind=cause.kind, title=cause.title[:300], created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["retailer_id", "cause_key"])
        .returning(SupplierAlert.id))
    return result.first() is not None


def run(session: Session, today: date | None = None, actor: Actor = SYSTEM) -> RunSummary:
    """Alert every retailer about its approved suppliers; each cause once (idempotent)."""
    today = today or date.today()
    approvals = session.execute(select(ApprovedSupplier.retailer_id,
                                       ApprovedSupplier.supplier_id)).all()
    supplier_ids = {s for _, s in approvals}
    names = dict(session.execute(select(Partner.id, Partner.name)
                                 .where(Partner.id.in_(sorted(supplier_ids) or [-1]))).all())
    causes = _cert_causes(verification_common.cert_index(session, supplier_ids), names, today)
    for supplier, more in _case_and_recall_causes(session, names).items():
        causes[supplier] += more
    created = 0
    for retailer_id, supplier_id in sorted(approvals):
        for cause in causes.get(supplier_id, []):
            if _insert_once(session, retailer_id, supplier_id, cause):
                created += 1
                notifications.notify(session, kind="supplier_alert", subject_type="partner",
                                     subject_id=supplier_id, title=cause.title, body=cause.body,
                                     partners=[retailer_id])
    summary = RunSummary(on=today, approvals=len(approvals), suppliers=len(supplier_ids),
                         alerts=created)
    if created:
        audit.append(session, actor, "run_supplier_alerts", "supplier_alert", today.isoformat(),
                     summary.model_dump(mode="json"))
    return summary


def list_alerts(session: Session, actor: Actor, retailer_id: int,
                limit: int = 200) -> list[AlertOut]:
    """A retailer's alerts, newest first (the retailer itself, agencies, admins)."""
    retailer = approved_suppliers.list_owner(session, actor, retailer_id, write=False)
    return [AlertOut.model_validate(a) for a in session.execute(
        select(SupplierAlert).where(SupplierAlert.retailer_id == retailer.id)
        .order_by(SupplierAlert.created_at.desc(), SupplierAlert.id.desc())
        .limit(limit)).scalars()]
