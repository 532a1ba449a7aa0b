"""The supplier rules: the facts a supplier verification looks at, and `CHECKS`, the table
pairing each reason code of `chains.verification_rules.RULES` with the function that finds its
cases among those facts. `chains.supplier_verification` gathers the facts and applies it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from chains import supply_chains
from chains.verification_rules import INVOLVEMENT, ORIGIN, STATUS, Both, Reason, reason
from registry import events
from registry.models import Partner, PartnerKind, RecordStatus, Verdict

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
                       sample_id=s.id, day=day_of(s.taken_at),
                       analytes=", ".join(s.failed_analytes) or "—")
                for s in f.samples if s.verdict is verdict
                and newest <= f.today - day_of(s.taken_at) < oldest]
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


def day_of(moment: datetime) -> date:
    """The day (in Vietnam) of a moment."""
    return moment.astimezone(events.VN_TZ).date()
