"""EPCIS capture (issue 7): validate a document, map its events onto the bulk engine
(`chains.epcis_mapping` -> `chains.bulk.record_batch`), and store every event as captured, all or
nothing.

- A document that breaks the EPCIS schema raises `InvalidDocument` (400, JSON paths); nothing
  is stored.
- A valid document whose events break a registry rule (shipping more than a party holds, a lot
  on hold, a partner recording for another) raises `CaptureRefused` with per-event errors
  (`epcisBody.eventList[3] ...`); the caller rolls back and keeps only the failed capture
  record (`record_failure`), which `GET /epcis/capture/{id}` reports.
- Otherwise the lots, shipments, receipts and transformations are recorded, each registry event
  row linked to its captured event (`event.epcis_event_id`); the captured events (eventID: the
  one given, else the GS1 canonical event hash), the identifiers they name (with the lot each
  maps to) and one audit entry are written with Core inserts.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import unquote

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from chains import bulk, bulk_load
from chains.epcis import EPCISDocument, parse_document, parse_event
from chains.epcis_mapping import Group, Planner
from chains.epcis_mapping import key_of as _key
from chains.epcis_resolve import Resolver
from registry import audit, database, unverified
from registry.actors import Actor
from registry.errors import Conflict, DomainError, FieldError
from registry.models import (
    EpcisCapture,
    EpcisEpc,
    EpcisEvent,
    Lot,
    Product,
    Shipment,
    ShipmentStatus,
    utcnow,
)

ROLES = (("epc_list", "epc"), ("quantity_list", "quantity"), ("parent_id", "parent"),
         ("child_epcs", "child"), ("child_quantity_list", "child"),
         ("input_epc_list", "input"), ("input_quantity_list", "input"),
         ("output_epc_list", "output"), ("output_quantity_list", "output"))
_OPERATION = re.compile(r"^operations\.(\d+)\.?(.*)$")


@cache
def _roles(event_type: type) -> tuple[tuple[str, str], ...]:
    """The identifier-bearing fields an event type has (pydantic misses are slow)."""
    fields = getattr(event_type, "model_fields", {})
    return tuple((attr, role) for attr, role in ROLES if attr in fields)


class CaptureRefused(Conflict):
    """A valid EPCIS document whose events break registry rules; nothing of it is stored."""

    slug = "epcis-capture-refused"


@dataclass
class CaptureResult:
    """What a capture recorded."""

    capture_id: str
    status: str
    events: int
    operations: int
    errors: list[dict[str, str]] = field(default_factory=list)
    created: dict[str, list[int]] = field(default_factory=dict)
    notes: list[dict[str, str]] = field(default_factory=list)
    """Events kept as captured only, and why (e.g. a shipment without a destination party)."""


def new_capture_id() -> str:
    """An opaque capture id."""
    return secrets.token_hex(16)


def document_sha256(data: Any) -> str:
    """The SHA-256 of the document's canonical JSON."""
    return hashlib.sha256(audit.canonical(data).encode("utf-8")).hexdigest()


def capture(session: Session, actor: Actor, data: Any, base_url: str,
            capture_id: str | None = None) -> CaptureResult:
    """Validate and record an EPCIS document; InvalidDocument or CaptureRefused otherwise."""
    document = parse_document(data)
    capture_id = capture_id or new_capture_id()
    database.begin_write(session)
    with bulk._collector_paused():
        return _capture(session, actor, document, base_url, capture_id, document_sha256(data))


def _uris(document: EPCISDocument) -> tuple[set[str], set[str], set[tuple[str, str]],
                                            set[str], set[str]]:
    places: set[str] = set()
    gtins: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    bare: set[str] = set()
    ssccs: set[str] = set()
    for event in document.events:
        for attr in ("biz_location", "read_point"):
            location = getattr(event, attr, None)
            if location is not None:
                places.add(location.id)
        for item in getattr(event, "source_list", None) or []:
            places.add(item.source)
        for item in getattr(event, "destination_list", None) or []:
            places.add(item.destination)
        for attr, _role in _roles(type(event)):
            for uri in _values(getattr(event, attr)):
                _collect(uri, gtins, pairs, bare, ssccs)
    return places, gtins, pairs, bare, ssccs


def _collect(uri: str, gtins: set[str], pairs: set[tuple[str, str]], bare: set[str],
             ssccs: set[str]) -> None:
    """Note the GTIN, GTIN + batch, batchless SGTIN or SSCC an identifier names."""
    key = _key(uri)
    if key.startswith("https://id.gs1.org/00/"):
        ssccs.add(key)
    if "/01/" not in key:
        return
    parts = key.split("/")
    gtin = parts[parts.index("01") + 1]
    gtins.add(gtin)
    if "10" in parts[4:]:
        pairs.add((gtin, unquote(parts[parts.index("10", 4) + 1])))
    elif "21" in parts:
        bare.add(key)


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [v if isinstance(v, str) else v.epc_class for v in value]


def _containers(session: Session, ssccs: set[str]) -> dict[str, Any]:
    """The stored AggregationEvent ADD that last filled each of these pallets (SSCCs)."""
    if not ssccs:
        return {}
    rows = session.execute(
        select(EpcisEpc.key, EpcisEvent.body).join(
            EpcisEvent, EpcisEvent.id == EpcisEpc.epcis_event_id)
        .where(EpcisEpc.key.in_(ssccs), EpcisEpc.role == "parent",
               EpcisEvent.event_type == "AggregationEvent", EpcisEvent.action == "ADD")
        .order_by(EpcisEvent.event_time)).all()
    return {key: body for key, body in rows}


def _stored(session: Session, pairs: set[tuple[str, str]], bare: set[str],
            ) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """The stored lots of these GTIN + batch pairs, and of batchless SGTINs captured before."""
    known: dict[tuple[str, str], str] = {}
    pair_list = sorted(pairs)
    for start in range(0, len(pair_list), 500):
        chunk = pair_list[start:start + 500]
        for gtin, batch, code in session.execute(
                select(Product.gtin, Lot.batch, Lot.lot_code).join(Product,
                                                                   Product.id == Lot.product_id)
                .where(tuple_(Product.gtin, Lot.batch).in_(chunk))):
            known[(str(gtin), batch)] = code
    instances = dict(session.execute(
        select(EpcisEpc.key, Lot.lot_code).join(Lot, Lot.id == EpcisEpc.lot_id)
        .where(EpcisEpc.key.in_(bare))).all()) if bare else {}
    return known, instances


def _in_transit(session: Session, codes: set[str]) -> dict[tuple[str, int], list[int]]:
    found: dict[tuple[str, int], list[int]] = defaultdict(list)
    if codes:
        for code, to, sid in session.execute(
                select(Lot.lot_code, Shipment.to_partner_id, Shipment.id)
                .join(Lot, Lot.id == Shipment.lot_id)
                .where(Lot.lot_code.in_(codes), Shipment.status == ShipmentStatus.IN_TRANSIT)
                .order_by(Shipment.id)):
            found[(code, to)].append(sid)
    return found


def _capture(session: Session, actor: Actor, document: EPCISDocument, base_url: str,
             capture_id: str, sha256: str) -> CaptureResult:
    places, gtins, pairs, bare, ssccs = _uris(document)
    stored_containers = _containers(session, ssccs)
    for body in stored_containers.values():  # what the pallets hold is named too
        for uri in [*body.get("childEPCs", []),
                    *(q.get("epcClass") for q in body.get("childQuantityList", []))]:
            _collect(uri, gtins, pairs, bare, ssccs)
    resolver = Resolver(session, actor, base_url)
    resolver.load(places, gtins)
    known, instances = _stored(session, pairs, bare)
    planner = Planner(resolver, known, instances,
                      _in_transit(session, set(known.values()) | set(instances.values())),
                      {}, actor.partner_id)
    for key, body in stored_containers.items():  # AggregationEvents captured earlier
        stored = parse_event(body)
        planner.containers[key] = planner.groups(getattr(stored, "child_epcs", None),
                                                 getattr(stored, "child_quantity_list", None))
    for index, event in enumerate(document.events):
        planner.event(index, event)
    plan = planner.plan
    resolver.write()
    ids = bulk_load.reserve_ids(session, EpcisEvent.__table__, len(document.events))
    try:
        result = bulk.record_batch(session, actor, plan.ops,
                                   sources=[ids[i] for i in plan.op_events],
                                   trust_incomplete=True, sha256=sha256) if plan.ops else None
    except DomainError as exc:
        raise CaptureRefused(f"capture refused, nothing was recorded: {exc.detail}",
                             errors=_event_errors(exc, plan.op_events)) from None
    codes = _lot_codes(plan.ops, result)
    lot_ids = _lot_ids(session, {c for c in codes.values()} | {
        g.lot[1] for groups in plan.groups.values() for g in groups
        if g.lot and g.lot[0] == "code"})
    now = utcnow()
    session.execute(insert(EpcisCapture.__table__), [{
        "id": capture_id, "status": "success", "errors": [],
        "event_count": len(document.events), "mapped_count": len(plan.ops), "sha256": sha256,
        "recorded_by": actor.username, "created_at": now}])
    hashes = document.event_hashes()
    contexts = document.context if isinstance(document.context, list) else [document.context]
    namespaces = [c for c in contexts if isinstance(c, dict)]  # extension prefixes
    rows, epcs = [], []
    for index, (event, raw) in enumerate(zip(document.events, document.raw_events, strict=True)):
        body = {"@context": namespaces, **raw} if namespaces and "@context" not in raw else raw
        rows.append(_event_row(ids[index], capture_id, event, body, hashes[index], now))
        lots = {}
        for group in plan.groups.get(index, []):
            lot_id = _lot_of(group, codes, lot_ids)
            for key in group.keys:
                lots[key] = lot_id
        seen: set[tuple[str, str]] = set()
        for attr, role in _roles(type(event)):
            for uri in _values(getattr(event, attr)):
                key = _key(uri)
                if (role, key) not in seen:
                    seen.add((role, key))
                    epcs.append({"epcis_event_id": ids[index], "role": role, "key": key[:300],
                                 "lot_id": lots.get(key)})
    bulk._insert(session, EpcisEvent.__table__, rows)
    bulk._insert(session, EpcisEpc.__table__, epcs)
    created = resolver.created()
    unverified.flag(session, capture_id, created["partners"], created["products"])
    audit.append(session, actor, "epcis_capture", "epcis_capture", capture_id,
                 {"events": len(rows), "operations": len(plan.ops), "sha256": sha256,
                  "unverified": created})
    notes = [{"field": f"epcisBody.eventList[{i}]", "message": note}
             for i, note in sorted(plan.notes.items())][:100]
    return CaptureResult(capture_id, "success", len(rows), len(plan.ops), created=created,
                         notes=notes)


def _event_row(row_id: int, capture_id: str, event: Any, raw: dict[str, Any], digest: str,
               now: Any) -> dict[str, Any]:
    biz_location = getattr(event, "biz_location", None)
    read_point = getattr(event, "read_point", None)
    return {"id": row_id, "event_id": (event.event_id or digest)[:300],
            "capture_id": capture_id, "event_type": event.type[:32],
            "action": getattr(event, "action", None), "event_time": event.event_time,
            "record_time": now, "biz_step": _short(getattr(event, "biz_step", None)),
            "disposition": _short(getattr(event, "disposition", None)),
            "biz_location": _key(biz_location.id)[:300] if biz_location else None,
            "read_point": _key(read_point.id)[:300] if read_point else None,
            "body": raw}


def _short(value: str | None) -> str | None:
    return value[:300] if value else None


def _lot_codes(ops: list[Any], result: Any) -> dict[str, str]:
    """ref -> lot code of every lot the batch made."""
    codes: dict[str, str] = {}
    if result is None:
        return codes
    for item in result.results:
        if item.type == "harvest" and item.ref and item.lot_code:
            codes[item.ref] = item.lot_code
        for made in item.outputs or []:
            if made.ref:
                codes[made.ref] = made.lot_code
    return codes


def _lot_ids(session: Session, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    return dict(session.execute(select(Lot.lot_code, Lot.id).where(
        Lot.lot_code.in_(codes))).all())


def _lot_of(group: Group, codes: dict[str, str], lot_ids: dict[str, int]) -> int | None:
    if group.lot is None:
        return None
    code = codes.get(group.lot[1]) if group.lot[0] == "ref" else group.lot[1]
    return lot_ids.get(code) if code else None


def _event_errors(exc: DomainError, op_events: list[int]) -> list[FieldError]:
    """The engine's `operations.N.field` errors as `epcisBody.eventList[k]` errors."""
    errors = []
    for error in exc.errors or (FieldError("operations.0", exc.detail),):
        match = _OPERATION.match(error.field)
        if match is None:
            errors.append(FieldError("epcisBody.eventList", error.message))
            continue
        index = op_events[int(match.group(1))]
        what = f" ({match.group(2)})" if match.group(2) else ""
        errors.append(FieldError(f"epcisBody.eventList[{index}]",
                                 f"{error.message}{what}: {exc.detail.split(': ', 1)[-1]}"))
    return errors


def record_failure(session: Session, actor: Actor, capture_id: str, data: Any,
                   refused: CaptureRefused) -> CaptureResult:
    """Keep a refused capture's id and per-event errors (after the caller rolled back)."""
    errors = [{"field": e.field, "message": e.message} for e in refused.errors]
    events = data.get("epcisBody", {}).get("eventList", []) if isinstance(data, dict) else []
    session.add(EpcisCapture(id=capture_id, status="failed", errors=errors,
                             event_count=len(events), mapped_count=0,
                             sha256=document_sha256(data), recorded_by=actor.username))
    return CaptureResult(capture_id, "failed", len(events), 0, errors)

