"""Incoming-lot verification: along the whole backward trace of a lot, every origin code was
valid at harvest, every handler held a certificate its kind requires at the time of each of
its events (`chains.supply_chains.DEFAULT_REQUIRED`), no lot is recalled, on hold or destroyed,
no sample failed or awaits confirmation, and the mass balance is plausible (yield bands, and
no handler sent out more than it received or made). Each check passes, warns or fails naming
the lot or partner at fault; `chains.verification_rules` gives the reasons their weight.

Handlers are the partners on the path of the food to the verifier: the producers of traced
lots, and the senders and intermediate receivers of the shipments that lead from each lot's
producer to the partners that consumed it (for the verified lot itself: to `for_partner_id`,
or to every recipient when none is given). Siblings' recipients are not handlers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any, Literal

import networkx as nx
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from chains import lineage, supply_chains, verification_common, yields
from chains import trace as tracing
from chains.trace import PartnerFacts, partner_facts
from chains.verification_rules import (
    EVENT,
    ORIGIN,
    STATUS,
    Both,
    CheckStatus,
    Outcome,
    Reason,
    number,
    reason,
    status_of,
    verdict_of,
)
from registry import events, lots, validity
from registry.labels import PARTNER_KIND_VI
from registry.models import (
    CaseLot,
    CaseStatus,
    Event,
    EventKind,
    Lot,
    LotStatus,
    RecallLot,
    RecordStatus,
    Sample,
    Shipment,
    ShipmentStatus,
    Transformation,
    TransformationInput,
    Verdict,
    ViolationCase,
    utcnow,
)
from registry.units import display

TITLES = {"origins": Both("Mã số vùng trồng / đăng ký nuôi khi thu hoạch",
                          "Origin codes at harvest"),
          "handlers": Both("Chứng nhận của các cơ sở tại thời điểm xử lý",
                           "Handlers' certificates at the time"),
          "lot_status": Both("Tình trạng các lô (thu hồi, tạm giữ, tiêu hủy)",
                             "Lot status (recalled, on hold, destroyed)"),
          "samples": Both("Mẫu giám sát và vụ việc", "Monitoring samples and cases"),
          "yields": Both("Định mức hiệu suất sơ chế, chế biến", "Transformation yields"),
          "balances": Both("Cân đối nhập - xuất của từng cơ sở", "Handlers' in/out balance")}


class CheckOut(BaseModel):
    """One check of the verification and the reasons it found."""

    name: str
    title_vi: str
    title_en: str
    status: CheckStatus
    checked: int
    reasons: list[Reason]


class OriginCheckOut(BaseModel):
    """A root lot's origin code: valid at harvest, and its status today."""

    type: str
    code: str
    holder: str
    lot_codes: list[str]
    valid_at_harvest: bool
    status_now: RecordStatus


class HandlerOut(BaseModel):
    """A handler on the path of the food and whether it was certified at each of its events."""

    partner: PartnerFacts
    roles: list[str]
    required_any_of: list[str]
    events: int
    ok: bool


class LotVerificationOut(BaseModel):
    """An incoming-lot verification: verdict, reasons and every check."""

    subject_type: Literal["lot"] = "lot"
    lot_code: str
    product: str
    producer: PartnerFacts
    status: LotStatus
    for_partner_id: int | None
    checked_at: datetime
    verdict: Outcome
    reasons: list[Reason]
    checks: list[CheckOut]
    origins: list[OriginCheckOut]
    handlers: list[HandlerOut]
    yields: list[yields.YieldOut]
    lot_count: int


def _day(moment: datetime) -> date:
    return moment.astimezone(events.VN_TZ).date()


def relevant_shipments(tr: tracing.Trace, for_partner_id: int | None) -> list[Shipment]:
    """Shipments on the food's path: from each lot's producer to the partners that consumed it
    (the verified lot: to `for_partner_id`, or all of them)."""
    consumers: dict[int, set[int]] = defaultdict(set)
    for parent, child in tr.graph.edges:
        if child in tr.lots:
            consumers[parent].add(tr.lots[child].producer_id)
    by_lot: dict[int, list[Shipment]] = defaultdict(list)
    for s in tr.shipments:
        by_lot[s.lot_id].append(s)
    kept: list[Shipment] = []
    for lot_id, ships in by_lot.items():
        if lot_id == tr.lot.id and for_partner_id is None:
            kept += ships
            continue
        targets = {for_partner_id} if lot_id == tr.lot.id else consumers[lot_id]
        graph = nx.MultiDiGraph([(s.from_partner_id, s.to_partner_id) for s in ships])
        producer = tr.lots[lot_id].producer_id
        start = ({producer} | nx.descendants(graph, producer)) if producer in graph else set()
        end: set[int] = set()
        for target in targets:
            if target in graph:
                end |= {target} | nx.ancestors(graph, target)
        path = start & end
        kept += [s for s in ships if s.from_partner_id in path and s.to_partner_id in path]
    return kept


def _handler_events(tr: tracing.Trace, relevant: list[Shipment]
                    ) -> list[tuple[int, date, str, Lot, tuple[str, int] | None]]:
    """(partner, day, role, lot, origin site) for every event of a handler on the path."""
    found: list[tuple[int, date, str, Lot, tuple[str, int] | None]] = []
    consumers: dict[int, set[int]] = defaultdict(set)
    for parent, child in tr.graph.edges:
        if child in tr.lots:
            consumers[parent].add(tr.lots[child].producer_id)
    for lot in tr.lots.values():
        if lot.transformation_id in tr.transformations:
            found.append((lot.producer_id, _day(tr.transformations[lot.transformation_id]
                                                .occurred_at), "transform", lot, None))
        else:
            site = (("growing_area_id", lot.growing_area_id) if lot.growing_area_id else
                    ("aquaculture_registration_id", lot.aquaculture_registration_id)
                    if lot.aquaculture_registration_id else None)
            found.append((lot.producer_id, lot.produced_on, "harvest", lot, site))
    senders = {(s.lot_id, s.from_partner_id) for s in relevant}
    for s in relevant:
        lot = tr.lots[s.lot_id]
        found.append((s.from_partner_id, _day(s.shipped_at), "ship", lot, None))
        onward = (s.lot_id, s.to_partner_id) in senders or s.to_partner_id in consumers[s.lot_id]
        if onward and s.received_at is not None:
            found.append((s.to_partner_id, _day(s.received_at), "receive", lot, None))
    return found


def _handlers(session: Session, tr: tracing.Trace, relevant: list[Shipment]
              ) -> tuple[list[HandlerOut], list[Reason], verification_common.CertIndex]:
    happened = _handler_events(tr, relevant)
    roots = [lot for lot in tr.lots.values() if lot.transformation_id is None]
    index = verification_common.cert_index(
        session, {pid for pid, *_ in happened},
        {x.growing_area_id for x in roots if x.growing_area_id},
        {x.aquaculture_registration_id for x in roots if x.aquaculture_registration_id})
    by_partner: dict[int, list[tuple[date, str, Lot, tuple[str, int] | None]]] = defaultdict(list)
    for pid, day, role, lot, site in happened:
        by_partner[pid].append((day, role, lot, site))
    handlers, reasons = [], []
    for pid, items in sorted(by_partner.items(), key=lambda kv: min(x[0] for x in kv[1])):
        partner = tr.partners[pid]
        required = supply_chains.DEFAULT_REQUIRED.get(partner.kind, [])
        failing = sorted([(day, role, lot) for day, role, lot, site in items if required and not
                          set(required) & index.valid_schemes(pid, day, site=site)],
                         key=lambda x: (x[0], x[2].lot_code))
        handlers.append(HandlerOut(partner=partner_facts(partner),
                                   roles=sorted({role for _, role, _, _ in items}),
                                   required_any_of=required, events=len(items), ok=not failing))
        if failing:
            day, role, lot = failing[0]
            more = len(failing) - 1
            reasons.append(reason(
                "handler_uncertified", partner_id=pid, lot_code=lot.lot_code,
                partner=partner.name, kind=Both(PARTNER_KIND_VI.get(partner.kind.value,
                                                                    partner.kind.value),
                                                partner.kind.value.replace("_", " ")),
                schemes=", ".join(required), event=EVENT[role], day=day,
                more=Both(f" (và {more} lần khác)" if more else "",
                          f" (and {more} more events)" if more else "")))
    return handlers, reasons, index


def _origins(tr: tracing.Trace, index: verification_common.CertIndex, today: date
             ) -> tuple[list[OriginCheckOut], list[Reason]]:
    rows: dict[tuple[str, str], OriginCheckOut] = {}
    reasons: list[Reason] = []
    for lot in sorted(tr.lots.values(), key=lambda x: x.lot_code):
        record: Any
        if lot.growing_area_id in index.areas:
            kind, record = "growing_area", index.areas[lot.growing_area_id]
            code, changes = record.code, index.area_history.get(record.id, [])
        elif lot.aquaculture_registration_id in index.registrations:
            kind = "aquaculture_registration"
            record = index.registrations[lot.aquaculture_registration_id]
            code, changes = record.number, index.registration_history.get(record.id, [])
        else:
            continue
        at_harvest = validity.is_valid_on(record, changes, lot.produced_on)
        now = validity.status_on(changes, today)
        entry = rows.setdefault((kind, code), OriginCheckOut(
            type=kind, code=code, holder=record.holder.name, lot_codes=[],
            valid_at_harvest=True, status_now=now))
        entry.lot_codes.append(lot.lot_code)
        common = {"lot_code": lot.lot_code, "partner_id": record.holder_id,
                  "ref": f"{kind}:{code}", "origin": ORIGIN[kind], "code": code}
        if not at_harvest:
            entry.valid_at_harvest = False
            state = validity.status_on(changes, lot.produced_on).value
            until = record.valid_until.isoformat() if record.valid_until else "—"
            reasons.append(reason("origin_invalid_at_harvest", day=lot.produced_on,
                                  state=Both(f"{STATUS[state].vi}, hiệu lực đến {until}",
                                             f"{STATUS[state].en}, valid until {until}"),
                                  **common))
        elif now is not RecordStatus.ACTIVE:
            since = max(c.effective_on for c in changes if c.effective_on <= today)
            reasons.append(reason("origin_inactive_now", status=STATUS[now.value], since=since,
                                  **common))
    return list(rows.values()), reasons


def _statuses(session: Session, tr: tracing.Trace) -> list[Reason]:
    recalled = {lid for lid, lot in tr.lots.items() if lot.status is LotStatus.RECALLED}
    recall_of = dict(lineage.rows_in(session, lambda c: select(RecallLot.lot_id,
                                                                RecallLot.recall_id)
                                     .where(RecallLot.lot_id.in_(c)), recalled))
    found = []
    for lid, lot in sorted(tr.lots.items(), key=lambda kv: kv[1].lot_code):
        product = lot.product.name_vi
        if lot.status is LotStatus.RECALLED:
            rid = recall_of.get(lid)
            found.append(reason("lot_recalled", lot_code=lot.lot_code, product=product,
                                ref=f"recall:{rid}" if rid else None,
                                recall=Both(f" (lệnh thu hồi #{rid})" if rid else "",
                                            f" (recall #{rid})" if rid else "")))
        elif lot.status is LotStatus.ON_HOLD:
            found.append(reason("lot_on_hold", lot_code=lot.lot_code, product=product))
        elif lot.status is LotStatus.DESTROYED:
            found.append(reason("lot_destroyed", lot_code=lot.lot_code, product=product))
        if lot.history_incomplete:
            found.append(reason("history_incomplete", lot_code=lot.lot_code))
    return found


def _samples(session: Session, tr: tracing.Trace) -> list[Reason]:
    found = []
    for (sample,) in lineage.rows_in(session, lambda c: select(Sample).options(
            selectinload(Sample.results)).where(
            Sample.lot_id.in_(c), Sample.verdict != Verdict.PASS)
            .order_by(Sample.taken_at, Sample.id), tr.lots):
        code = "sample_failed" if sample.verdict is Verdict.FAIL else "sample_pending"
        found.append(reason(code, lot_code=sample.lot.lot_code, ref=f"sample:{sample.id}",
                            partner_id=sample.partner_id, sample_id=sample.id,
                            day=_day(sample.taken_at),
                            analytes=", ".join(r.analyte for r in sample.results
                                               if r.result is not Verdict.PASS) or "—"))
    for case_id, lot_code in sorted(lineage.rows_in(session, lambda c: select(
            ViolationCase.id, Lot.lot_code).join(CaseLot, CaseLot.case_id == ViolationCase.id)
            .join(Lot, Lot.id == CaseLot.lot_id)
            .where(CaseLot.lot_id.in_(c), ViolationCase.status != CaseStatus.CLOSED), tr.lots)):
        found.append(reason("lot_in_case", lot_code=lot_code, ref=f"case:{case_id}",
                            case_id=case_id))
    return found


def _balances(session: Session, tr: tracing.Trace) -> tuple[int, list[Reason]]:
    """Each handler of each traced lot sent out, used or holds no more than it got."""
    inflow: dict[tuple[int, int], int] = defaultdict(int)
    outflow: dict[tuple[int, int], int] = defaultdict(int)
    for lid, lot in tr.lots.items():
        inflow[(lid, lot.producer_id)] += lot.quantity
    for s in tr.shipments:
        outflow[(s.lot_id, s.from_partner_id)] += s.quantity
        if s.status is ShipmentStatus.RECEIVED:
            inflow[(s.lot_id, s.to_partner_id)] += s.received_quantity or 0
    for lot_id, partner_id, quantity in lineage.rows_in(session, lambda c: select(
            TransformationInput.lot_id, Transformation.partner_id, TransformationInput.quantity)
            .join(Transformation, Transformation.id == TransformationInput.transformation_id)
            .where(TransformationInput.lot_id.in_(c)), tr.lots):
        outflow[(lot_id, partner_id)] += quantity
    for lot_id, partner_id, quantity in lineage.rows_in(session, lambda c: select(
            Event.lot_id, Event.partner_id, Event.quantity)
            .where(Event.lot_id.in_(c), Event.kind == EventKind.DESTROY), tr.lots):
        if partner_id is not None:
            outflow[(lot_id, partner_id)] += quantity or 0
    for h in tr.holdings:
        outflow[(h.lot_id, h.partner_id)] += h.quantity
    found = []
    pairs = sorted(set(inflow) | set(outflow))
    for lot_id, partner_id in pairs:
        lot = tr.lots[lot_id]
        if lot.history_incomplete or outflow[(lot_id, partner_id)] <= inflow[(lot_id,
                                                                              partner_id)]:
            continue
        sent, got = (display(outflow[(lot_id, partner_id)], lot.base_unit, lot.unit),
                     display(inflow[(lot_id, partner_id)], lot.base_unit, lot.unit))
        found.append(reason("overshipped", lot_code=lot.lot_code, partner_id=partner_id,
                            partner=_name(tr, partner_id), sent=number(sent[0], 3),
                            inflow=number(got[0], 3), unit=sent[1]))
    return len(pairs), found


def _name(tr: tracing.Trace, partner_id: int) -> str:
    partner = tr.partners.get(partner_id)
    return partner.name if partner else f"#{partner_id}"


def _check(name: str, checked: int, reasons: list[Reason]) -> CheckOut:
    return CheckOut(name=name, title_vi=TITLES[name].vi, title_en=TITLES[name].en,
                    status=status_of(reasons), checked=checked, reasons=reasons)


def verify_lot(session: Session, lot_code: str, *, for_partner_id: int | None = None,
               at: datetime | None = None) -> LotVerificationOut:
    """Verify a lot along its whole backward trace (as `for_partner_id` receives it)."""
    lot = lots.get(session, lot_code)
    tr = tracing.load(session, lot, "backward")
    at = at or utcnow()
    relevant = relevant_shipments(tr, for_partner_id)
    handlers, handler_reasons, index = _handlers(session, tr, relevant)
    origins, origin_reasons = _origins(tr, index, _day(at))
    yield_rows, yield_reasons = yields.check(session, tr.transformations,
                                             {p.id: p.name for p in tr.partners.values()})
    balance_count, balance_reasons = _balances(session, tr)
    checks = [_check("origins", len(origins), origin_reasons),
              _check("handlers", len(handlers), handler_reasons),
              _check("lot_status", len(tr.lots), _statuses(session, tr)),
              _check("samples", len(tr.lots), _samples(session, tr)),
              _check("yields", len(yield_rows), yield_reasons),
              _check("balances", balance_count, balance_reasons)]
    reasons = [r for c in checks for r in c.reasons]
    return LotVerificationOut(
        lot_code=lot.lot_code, product=lot.product.name_vi,
        producer=partner_facts(lot.producer), status=lot.status,
        for_partner_id=for_partner_id, checked_at=at, verdict=verdict_of(reasons),
        reasons=reasons, checks=checks, origins=origins, handlers=handlers, yields=yield_rows,
        lot_count=len(tr.lots))
