"""Supplier verification: a supermarket's answer to "may we buy from this partner today?".

Gathers the partner's certificates (its own and its sites'), its growing-area codes and
aquaculture registrations, the supply chains it belongs to, open violation cases and recalls
about lots it produced or received, and its monitoring record; then applies `CHECKS`, a table
pairing each reason code of `chains.verification_rules.RULES` with the function that finds it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from chains import supply_chains, verification_common
from chains.trace import PartnerFacts
from chains.verification_rules import (
    INVOLVEMENT,
    ORIGIN,
    STATUS,
    Both,
    Outcome,
    Reason,
    reason,
    verdict_of,
)
from registry import events, partners, validity
from registry.models import (
    CaseLot,
    CaseStatus,
    ChainMember,
    Lot,
    Partner,
    PartnerKind,
    Recall,
    RecallLot,
    RecordStatus,
    Sample,
    Shipment,
    SupplyChain,
    Verdict,
    ViolationCase,
)

SOON_DAYS = 30
"""A certificate or code expiring within this many days makes the verdict conditional."""
RECENT = timedelta(days=365)
"""The monitoring record and "recent" failures cover the last 12 months."""
OLD = timedelta(days=3 * 365)
"""Older failures (12-36 months) still make the verdict conditional."""


class CertificationCheck(BaseModel):
    """A certificate of the supplier or of one of its sites, and whether it is valid today."""

    id: int
    scheme: str
    scheme_name_vi: str
    scheme_name_en: str
    number: str
    issuer: str
    holder: str
    issued_on: date
    valid_until: date | None
    status: RecordStatus
    valid_today: bool
    days_to_expiry: int | None
    food_safety_basis: bool


class OriginCodeCheck(BaseModel):
    """A growing-area code or aquaculture registration the supplier holds."""

    type: Literal["growing_area", "aquaculture_registration"]
    code: str
    what: str
    status: RecordStatus
    status_since: date | None
    status_reason: str | None
    issued_on: date
    valid_until: date | None
    valid_today: bool
    days_to_expiry: int | None
    last_harvest_on: date | None


class ChainRef(BaseModel):
    """A supply chain the supplier is a member of."""

    id: int
    name: str
    role: str
    verified: bool


class CaseRef(BaseModel):
    """An open violation case about lots the supplier produced or received."""

    id: int
    title: str
    status: str
    opened_at: datetime
    lot_codes: list[str]
    involvement: str


class RecallRef(BaseModel):
    """An open recall covering lots the supplier produced or received."""

    id: int
    reason: str
    kind: str
    ordered_at: datetime
    lot_codes: list[str]
    involvement: str


class SampleRef(BaseModel):
    """A monitoring sample of the supplier's lots or taken at its premises."""

    id: int
    lot_code: str
    product: str
    taken_at: datetime
    at_partner_id: int
    verdict: Verdict
    failed_analytes: list[str]
    case_id: int | None


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


@dataclass
class Facts:
    """Everything the checks look at, gathered once."""

    partner: Partner
    today: date
    accepted: list[str]
    certs: list[CertificationCheck] = field(default_factory=list)
    status_since: dict[int, date | None] = field(default_factory=dict)
    renewed: set[int] = field(default_factory=set)
    codes: list[OriginCodeCheck] = field(default_factory=list)
    cases: list[CaseRef] = field(default_factory=list)
    recalls: list[RecallRef] = field(default_factory=list)
    samples: list[SampleRef] = field(default_factory=list)


def accepted_schemes(kind: PartnerKind) -> list[str]:
    """Schemes that give a supplier its food-safety basis: a certificate or commitment (or a
    system such as HACCP); growers may show a GAP certificate instead (Decree 46/2026 art. 17
    exempts small primary production). Empty for kinds that supply nothing (agencies)."""
    if kind not in supply_chains.DEFAULT_REQUIRED:
        return []
    return list(dict.fromkeys(supply_chains.FOOD_SAFETY + supply_chains.DEFAULT_REQUIRED[kind]))


def _scheme(c: CertificationCheck) -> Both:
    return Both(c.scheme_name_vi, c.scheme_name_en)


def _no_basis(f: Facts) -> list[Reason]:
    if not f.accepted or any(c.valid_today and c.food_safety_basis for c in f.certs):
        return []
    return [reason("no_food_safety_basis", partner_id=f.partner.id,
                   schemes=", ".join(f.accepted))]


def _expiring(f: Facts) -> list[Reason]:
    return [reason("certificate_expiring", partner_id=f.partner.id, ref=f"certification:{c.id}",
                   scheme=_scheme(c), number=c.number, days=c.days_to_expiry,
                   valid_until=c.valid_until)
            for c in f.certs if c.valid_today and c.days_to_expiry is not None
            and c.days_to_expiry <= SOON_DAYS and c.id not in f.renewed]


def _suspended(f: Facts) -> list[Reason]:
    found = []
    for c in f.certs:
        since = f.status_since.get(c.id)
        if c.status is not RecordStatus.ACTIVE and since and f.today - since <= RECENT:
            found.append(reason("certificate_suspended", partner_id=f.partner.id,
                                ref=f"certification:{c.id}", scheme=_scheme(c), number=c.number,
                                status=STATUS[c.status.value], since=since))
    return found


def _code_params(o: OriginCodeCheck) -> dict[str, Any]:
    return {"ref": f"{o.type}:{o.code}", "origin": ORIGIN[o.type], "code": o.code}


def _codes_inactive(f: Facts, harvested: bool) -> list[Reason]:
    found = []
    for o in f.codes:
        if o.status is RecordStatus.ACTIVE:
            continue
        recent = o.last_harvest_on is not None and f.today - o.last_harvest_on <= RECENT
        if recent and harvested:
            found.append(reason("origin_code_revoked", partner_id=f.partner.id,
                                status=STATUS[o.status.value], since=o.status_since,
                                last_harvest=o.last_harvest_on, **_code_params(o)))
        elif not recent and not harvested and o.status_since and \
                f.today - o.status_since <= RECENT:
            found.append(reason("origin_code_inactive", partner_id=f.partner.id,
                                status=STATUS[o.status.value], since=o.status_since,
                                **_code_params(o)))
    return found


def _codes_expiring(f: Facts) -> list[Reason]:
    return [reason("origin_code_expiring", partner_id=f.partner.id, days=o.days_to_expiry,
                   valid_until=o.valid_until, **_code_params(o))
            for o in f.codes if o.valid_today and o.days_to_expiry is not None
            and o.days_to_expiry <= SOON_DAYS]


def _open_cases(f: Facts) -> list[Reason]:
    return [reason("open_case", partner_id=f.partner.id, ref=f"case:{c.id}", case_id=c.id,
                   lot_codes=", ".join(c.lot_codes), involvement=INVOLVEMENT[c.involvement])
            for c in f.cases]


def _open_recalls(f: Facts) -> list[Reason]:
    return [reason("open_recall", partner_id=f.partner.id, ref=f"recall:{r.id}",
                   recall_id=r.id, lot_codes=", ".join(r.lot_codes),
                   involvement=INVOLVEMENT[r.involvement]) for r in f.recalls]


def _samples(code: str, verdict: Verdict, newest: timedelta, oldest: timedelta
             ) -> Callable[[Facts], list[Reason]]:
    def find(f: Facts) -> list[Reason]:
        return [reason(code, partner_id=f.partner.id, lot_code=s.lot_code, ref=f"sample:{s.id}",
                       sample_id=s.id, day=_day(s.taken_at),
                       analytes=", ".join(s.failed_analytes) or "—")
                for s in f.samples if s.verdict is verdict
                and newest <= f.today - _day(s.taken_at) < oldest]
    return find


CHECKS: list[tuple[str, Callable[[Facts], list[Reason]]]] = [
    ("no_food_safety_basis", _no_basis),
    ("origin_code_revoked", lambda f: _codes_inactive(f, harvested=True)),
    ("open_case", _open_cases),
    ("open_recall", _open_recalls),
    ("sample_failed", _samples("sample_failed", Verdict.FAIL, timedelta(0), RECENT)),
    ("certificate_expiring", _expiring),
    ("certificate_suspended", _suspended),
    ("origin_code_expiring", _codes_expiring),
    ("origin_code_inactive", lambda f: _codes_inactive(f, harvested=False)),
    ("sample_pending", _samples("sample_pending", Verdict.PENDING_CONFIRMATION, timedelta(0),
                                RECENT)),
    ("old_failure", _samples("old_failure", Verdict.FAIL, RECENT, OLD)),
]
"""The supplier rules in order: each reason code and the function that finds its cases."""


def _day(moment: datetime) -> date:
    return moment.astimezone(events.VN_TZ).date()


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
    last_area = dict(session.execute(
        select(Lot.growing_area_id, func.max(Lot.produced_on))
        .where(Lot.growing_area_id.in_(list(index.areas) or [-1]))
        .group_by(Lot.growing_area_id)).all())
    last_reg = dict(session.execute(
        select(Lot.aquaculture_registration_id, func.max(Lot.produced_on))
        .where(Lot.aquaculture_registration_id.in_(list(index.registrations) or [-1]))
        .group_by(Lot.aquaculture_registration_id)).all())
    sites: list[tuple[Any, str, str, str, list[Any], dict[int, Any]]] = [
        (a, "growing_area", a.code, a.crop, index.area_history.get(a.id, []), last_area)
        for a in index.areas.values() if a.holder_id == f.partner.id]
    sites += [(r, "aquaculture_registration", r.number, ", ".join(r.species),
               index.registration_history.get(r.id, []), last_reg)
              for r in index.registrations.values() if r.holder_id == f.partner.id]
    for record, kind, code, what, changes, last in sorted(sites, key=lambda s: s[2]):
        valid = validity.is_valid_on(record, changes, f.today)
        f.codes.append(OriginCodeCheck(
            type=kind, code=code, what=what,  # type: ignore[arg-type]
            status=validity.status_on(changes, f.today),
            status_since=changes[-1].effective_on if changes else None,
            status_reason=changes[-1].reason if changes else None, issued_on=record.issued_on,
            valid_until=record.valid_until, valid_today=valid,
            days_to_expiry=_days_left(valid, record.valid_until, f.today),
            last_harvest_on=last.get(record.id)))


def _involvement(rows: list[Any], partner_id: int) -> dict[int, tuple[Any, list[str], str]]:
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
    recent = [s for s in f.samples if today - _day(s.taken_at) < RECENT]
    counts: dict[Verdict, int] = defaultdict(int)
    for s in recent:
        counts[s.verdict] += 1
    return SupplierVerificationOut(
        partner=verification_common.partner_facts(partner), checked_on=today,
        verdict=verdict_of(reasons), reasons=reasons,
        food_safety_schemes=f.accepted, certifications=f.certs, origin_codes=f.codes,
        chains=_chains(session, partner.id, today), cases=f.cases, recalls=f.recalls,
        monitoring=MonitoringOut(since=today - RECENT, samples=len(recent),
                                 passed=counts[Verdict.PASS], failed=counts[Verdict.FAIL],
                                 pending=counts[Verdict.PENDING_CONFIRMATION], items=recent))
