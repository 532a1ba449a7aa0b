"""Supplier verification: a supermarket's answer to "may we buy from this partner today?".

Gathers the partner's certificates (its own and its sites'), its growing-area codes and
aquaculture registrations, the supply chains it belongs to, open violation cases and recalls
about lots it produced or received, and its monitoring record; then applies
`chains.supplier_checks.CHECKS`, the table pairing each reason code of
`chains.verification_rules.RULES` with the function that finds it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from chains import supply_chains, verification_common
from chains.supplier_checks import (
    CHECKS,
    OLD,
    RECENT,
    CaseRef,
    CertificationCheck,
    Facts,
    OriginCodeCheck,
    RecallRef,
    SampleRef,
    accepted_schemes,
    day_of,
)
from chains.trace import PartnerFacts, partner_facts
from chains.verification_rules import Outcome, Reason, verdict_of
from registry import events, partners, validity
from registry.models import (
    CaseLot,
    CaseStatus,
    ChainMember,
    Lot,
    Recall,
    RecallLot,
    Sample,
    Shipment,
    SupplyChain,
    Verdict,
    ViolationCase,
)


class ChainRef(BaseModel):
    """A supply chain the supplier is a member of."""

    id: int
    name: str
    role: str
    verified: bool


class MonitoringOut(BaseModel):
    """The supplier's monitoring record over the last 12 months."""

    since: date
    samples: int
    passed: int
    failed: int
    pending: int
    items: list[SampleRef]


class SupplierVerificationOut(BaseModel):
    """A supplier verification: verdict, reasons and the facts behind them."""

    subject_type: Literal["partner"] = "partner"
    partner: PartnerFacts
    checked_on: date
    verdict: Outcome
    reasons: list[Reason]
    food_safety_schemes: list[str]
    certifications: list[CertificationCheck]
    origin_codes: list[OriginCodeCheck]
    chains: list[ChainRef]
    cases: list[CaseRef]
    recalls: list[RecallRef]
    monitoring: MonitoringOut


def _days_left(valid: bool, until: date | None, today: date) -> int | None:
    return (until - today).days if valid and until is not None else None


def _certificates(session: Session, f: Facts) -> None:
    index = verification_common.cert_index(session, {f.partner.id})
    for cert in index.certs:
        valid = index.is_valid(cert, f.today)
        holder = (f.partner.name if cert.partner_id is not None else
                  index.areas[cert.growing_area_id].code if cert.growing_area_id in index.areas
                  else index.registrations[cert.aquaculture_registration_id].number
                  if cert.aquaculture_registration_id in index.registrations else cert.holder_ref)
        changes = index.history.get(cert.id, [])
        f.status_since[cert.id] = changes[-1].effective_on if changes else None
        status = validity.status_on(changes, f.today)
        if cert.valid_until is not None and any(
                other.id != cert.id and other.scheme_key == cert.scheme_key
                and index.owner(other) == index.owner(cert)
                and index.is_valid(other, cert.valid_until + timedelta(days=1))
                for other in index.certs):
            f.renewed.add(cert.id)
        f.certs.append(CertificationCheck(
            id=cert.id, scheme=cert.scheme_key, scheme_name_vi=cert.scheme.name_vi,
            scheme_name_en=cert.scheme.name_en, number=cert.number, issuer=cert.issuer,
            holder=holder, issued_on=cert.issued_on, valid_until=cert.valid_until,
            status=status, valid_today=valid,
            days_to_expiry=_days_left(valid, cert.valid_until, f.today),
            food_safety_basis=cert.scheme_key in f.accepted))
    last_area: dict[Any, Any] = dict(session.execute(
        select(Lot.growing_area_id, func.max(Lot.produced_on))
        .where(Lot.growing_area_id.in_(list(index.areas) or [-1]))
        .group_by(Lot.growing_area_id)).all())
    last_reg: dict[Any, Any] = dict(session.execute(
        select(Lot.aquaculture_registration_id, func.max(Lot.produced_on))
        .where(Lot.aquaculture_registration_id.in_(list(index.registrations) or [-1]))
        .group_by(Lot.aquaculture_registration_id)).all())
    sites: list[tuple[Any, str, str, str, list[Any], dict[Any, Any]]] = [
        (a, "growing_area", a.code, a.crop, index.area_history.get(a.id, []), last_area)
        for a in index.areas.values() if a.holder_id == f.partner.id]
    sites += [(r, "aquaculture_registration", r.number, ", ".join(r.species),
               index.registration_history.get(r.id, []), last_reg)
              for r in index.registrations.values() if r.holder_id == f.partner.id]
    for record, kind, code, what, changes, last in sorted(sites, key=lambda s: s[2]):
        valid = validity.is_valid_on(record, changes, f.today)
        f.codes.append(OriginCodeCheck(
            type=kind, code=code, what=what,
            status=validity.status_on(changes, f.today),
            status_since=changes[-1].effective_on if changes else None,
            status_reason=changes[-1].reason if changes else None, issued_on=record.issued_on,
            valid_until=record.valid_until, valid_today=valid,
            days_to_expiry=_days_left(valid, record.valid_until, f.today),
            last_harvest_on=last.get(record.id)))


def _involvement(rows: Sequence[Any], partner_id: int) -> dict[int, tuple[Any, list[str], str]]:
    grouped: dict[int, tuple[Any, list[str], set[str]]] = {}
    for head, code, producer_id in rows:
        entry = grouped.setdefault(head.id, (head, [], set()))
        entry[1].append(code)
        entry[2].add("produced" if producer_id == partner_id else "received")
    return {k: (h, sorted(set(codes))[:10], "produced_received" if len(kinds) == 2
                else kinds.pop()) for k, (h, codes, kinds) in grouped.items()}


def _cases_and_recalls(session: Session, f: Facts) -> None:
    pid = f.partner.id
    mine = or_(Lot.producer_id == pid,
               Lot.id.in_(select(Shipment.lot_id).where(Shipment.to_partner_id == pid)))
    case_rows = session.execute(
        select(ViolationCase, Lot.lot_code, Lot.producer_id)
        .join(CaseLot, CaseLot.case_id == ViolationCase.id).join(Lot, Lot.id == CaseLot.lot_id)
        .where(ViolationCase.status != CaseStatus.CLOSED, mine)).all()
    for case, codes, how in sorted(_involvement(case_rows, pid).values(),
                                   key=lambda x: x[0].id):
        f.cases.append(CaseRef(id=case.id, title=case.title, status=case.status.value,
                               opened_at=case.opened_at, lot_codes=codes, involvement=how))
    recall_rows = session.execute(
        select(Recall, Lot.lot_code, Lot.producer_id)
        .join(RecallLot, RecallLot.recall_id == Recall.id).join(Lot, Lot.id == RecallLot.lot_id)
        .where(Recall.closed_at.is_(None), mine)).all()
    for recall, codes, how in sorted(_involvement(recall_rows, pid).values(),
                                     key=lambda x: x[0].id):
        f.recalls.append(RecallRef(id=recall.id, reason=recall.reason, kind=recall.kind,
                                   ordered_at=recall.ordered_at, lot_codes=codes,
                                   involvement=how))


def _samples_of(session: Session, f: Facts) -> None:
    since = events.start_of_day(f.today - OLD)
    rows = session.execute(
        select(Sample).options(selectinload(Sample.results)).join(Lot, Lot.id == Sample.lot_id)
        .where(or_(Sample.partner_id == f.partner.id, Lot.producer_id == f.partner.id),
               Sample.taken_at >= since)
        .order_by(Sample.taken_at.desc(), Sample.id.desc())).scalars().all()
    f.samples = [SampleRef(
        id=s.id, lot_code=s.lot.lot_code, product=s.lot.product.name_vi, taken_at=s.taken_at,
        at_partner_id=s.partner_id, verdict=s.verdict, case_id=s.case_id,
        failed_analytes=[r.analyte for r in s.results if r.result is not Verdict.PASS])
        for s in rows]


def _chains(session: Session, partner_id: int, today: date) -> list[ChainRef]:
    rows = session.execute(select(SupplyChain, ChainMember.role)
                           .join(ChainMember, ChainMember.chain_id == SupplyChain.id)
                           .where(ChainMember.partner_id == partner_id)
                           .order_by(SupplyChain.name)).all()
    return [ChainRef(id=chain.id, name=chain.name, role=role,
                     verified=supply_chains.verify(session, chain, today).verified)
            for chain, role in rows]


def verify_supplier(session: Session, partner_id: int,
                    today: date | None = None) -> SupplierVerificationOut:
    """Verify a supplier today (or on `today`): the facts, each rule's reasons, the verdict."""
    partner = partners.get(session, partner_id, "id")
    today = today or date.today()
    f = Facts(partner=partner, today=today, accepted=accepted_schemes(partner.kind))
    _certificates(session, f)
    _cases_and_recalls(session, f)
    _samples_of(session, f)
    reasons = [r for _, find in CHECKS for r in find(f)]
    recent = [s for s in f.samples if today - day_of(s.taken_at) < RECENT]
    counts: dict[Verdict, int] = defaultdict(int)
    for s in recent:
        counts[s.verdict] += 1
    return SupplierVerificationOut(
        partner=partner_facts(partner), checked_on=today,
        verdict=verdict_of(reasons), reasons=reasons,
        food_safety_schemes=f.accepted, certifications=f.certs, origin_codes=f.codes,
        chains=_chains(session, partner.id, today), cases=f.cases, recalls=f.recalls,
        monitoring=MonitoringOut(since=today - RECENT, samples=len(recent),
                                 passed=counts[Verdict.PASS], failed=counts[Verdict.FAIL],
                                 pending=counts[Verdict.PENDING_CONFIRMATION], items=recent))
