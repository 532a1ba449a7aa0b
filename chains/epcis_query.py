"""`GET /epcis/events`: one keyset-paged stream of captured EPCIS events and of the registry's
own events (JSON API, web forms, bulk) projected to EPCIS (`chains.epcis_project`).

Both sources are read in (time, source, id) order with the page's position as a keyset
condition, `perPage + 1` rows each, and merged; a registry event recorded from a captured event
(`event.epcis_event_id`) is not projected again. Filters run in SQL: the identifier index
(`epcis_epc`) for the MATCH_ parameters of captured events; lots by GTIN + batch (or GTIN, or
`{base}/l/{code}`) for registry events. Registry events answer MATCH_anyEPC and the class
parameters (they carry lots as quantity lists), not MATCH_epc / parentID / input / output,
readPoint or eventID (their eventID is computed when shown).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from chains.epcis import EpcMatch, EventQuery, InvalidQuery, parse_identifier
from chains.epcis.identifiers import InvalidIdentifier
from chains.epcis.queries import identifier_key
from chains.epcis_project import PROJECTED, project_all
from chains.epcis_resolve import PARTNERS_PATH
from registry.actors import Actor
from registry.models import (
    EpcisCapture,
    EpcisEpc,
    EpcisEvent,
    Event,
    EventKind,
    Lot,
    Partner,
    Product,
    Shipment,
    TransformationInput,
)

INSTANCE_ROLES = {"epcs": ("epc", "child"), "any_epcs": ("epc", "child", "parent", "input",
                                                         "output"),
                  "parent_ids": ("parent",), "input_epcs": ("input",),
                  "output_epcs": ("output",), "epc_classes": ("quantity", "child"),
                  "any_epc_classes": ("quantity", "child", "input", "output")}
KIND_TYPES = {"ObjectEvent": (EventKind.HARVEST, EventKind.SHIP, EventKind.RECEIVE),
              "TransformationEvent": (EventKind.TRANSFORM,)}
KIND_STEPS = {"commissioning": EventKind.HARVEST, "shipping": EventKind.SHIP,
              "receiving": EventKind.RECEIVE}
KIND_DISPOSITIONS = {"active": EventKind.HARVEST, "in_transit": EventKind.SHIP,
                     "in_progress": EventKind.RECEIVE}
NOT_PROJECTED = ("epcs", "parent_ids", "input_epcs", "output_epcs", "read_points",
                 "wd_read_points", "event_ids")


def _matching(key_column: Any, matches: tuple[EpcMatch, ...]) -> ColumnElement[bool]:
    terms = []
    for match in matches:
        terms.append(key_column == match.key)
        if match.is_class:
            terms.append(key_column.like(match.key.replace("%", r"\%").replace("_", r"\_")
                                         + "/%", escape="\\"))
    return or_(*terms)


def _window(time_col: Any, id_col: Any, source: int, after: list[Any] | None,
            descending: bool) -> ColumnElement[bool] | None:
    """The keyset condition: rows after (time, source, id) in the page's order."""
    if not after:
        return None
    moment, from_source, from_id = datetime.fromisoformat(after[0]), after[1], after[2]
    later = (time_col < moment) if descending else (time_col > moment)
    if source == from_source:
        beyond = (id_col < from_id) if descending else (id_col > from_id)
        return or_(later, and_(time_col == moment, beyond))
    if (source > from_source) != descending:
        return or_(later, time_col == moment)
    return later


def _captured(session: Session, query: EventQuery, descending: bool,
              viewer: Actor | None) -> list[Any]:
    e = EpcisEvent
    time_col = e.event_time if query.order_by == "eventTime" else e.record_time
    where: list[Any] = []
    if viewer is not None and viewer.is_partner:  # a partner reads what it captured
        where.append(e.capture_id.in_(select(EpcisCapture.id).where(
            EpcisCapture.recorded_by == viewer.username)))
    if query.event_types:
        where.append(e.event_type.in_(query.event_types))
    for low, high, col in ((query.ge_event_time, query.lt_event_time, e.event_time),
                           (query.ge_record_time, query.lt_record_time, e.record_time)):
        if low:
            where.append(col >= low)
        if high:
            where.append(col < high)
    if query.actions:
        where.append(e.action.in_(query.actions))
    if query.biz_steps:
        where.append(e.biz_step.in_(query.biz_steps))
    if query.dispositions:
        where.append(e.disposition.in_(query.dispositions))
    for values, col in ((query.biz_locations, e.biz_location),
                        (query.wd_biz_locations, e.biz_location),
                        (query.read_points, e.read_point),
                        (query.wd_read_points, e.read_point)):
        if values:
            where.append(col.in_([identifier_key(v) for v in values]))
    if query.event_ids:
        where.append(e.event_id.in_(query.event_ids))
    for name, roles in INSTANCE_ROLES.items():
        matches = getattr(query, name)
        if matches:
            where.append(e.id.in_(select(EpcisEpc.epcis_event_id).where(
                EpcisEpc.role.in_(roles), _matching(EpcisEpc.key, matches))))
    window = _window(time_col, e.id, 0, query.after, descending)
    if window is not None:
        where.append(window)
    order = (time_col.desc(), e.id.desc()) if descending else (time_col, e.id)
    return list(session.execute(select(e.id, time_col.label("at"), e.event_id, e.body,
                                       e.record_time).where(*where)
                                .order_by(*order).limit(query.per_page + 1)))


def _lots_matching(query: EventQuery, base_url: str) -> Any | None:
    """A subquery of lot ids the class-level MATCH parameters name (None: no constraint)."""
    matches = [m for name in ("any_epcs", "epc_classes", "any_epc_classes")
               for m in getattr(query, name) or ()]
    if not matches:
        return None
    terms: list[Any] = []
    own = f"{base_url.rstrip('/')}/l/"
    for match in matches:
        if match.key.startswith(own):
            terms.append(Lot.lot_code == match.key[len(own):])
            continue
        try:
            ident = parse_identifier(match.key)
        except InvalidIdentifier:
            continue
        if ident.gtin and ident.kind in ("lgtin", "gtin", "sgtin"):
            term = Product.gtin == ident.gtin
            if ident.batch:
                term = and_(term, Lot.batch == ident.batch)
            elif ident.kind == "sgtin":
                continue
            terms.append(term)
    return select(Lot.id).join(Product, Product.id == Lot.product_id).where(
        or_(*terms) if terms else false())


def _partners_at(session: Session, values: tuple[str, ...], base_url: str) -> list[int]:
    ids: list[int] = []
    glns = []
    own = f"{base_url.rstrip('/')}/{PARTNERS_PATH}/"
    for value in values:
        if value.startswith(own) and value[len(own):].isdigit():
            ids.append(int(value[len(own):]))
            continue
        try:
            ident = parse_identifier(value)
        except InvalidIdentifier:
            continue
        if ident.gln and ident.kind in ("sgln", "pgln") and not ident.gln_extension:
            glns.append(ident.gln)
    if glns:
        ids += session.execute(select(Partner.id).where(Partner.gln.in_(glns))).scalars().all()
    return ids


def _kinds(query: EventQuery) -> set[EventKind]:
    kinds = set(PROJECTED)
    if query.event_types:
        kinds &= {k for t in query.event_types for k in KIND_TYPES.get(t, ())}
    if query.actions:
        kinds &= ({EventKind.HARVEST} if "ADD" in query.actions else set()) | (
            {EventKind.SHIP, EventKind.RECEIVE} if "OBSERVE" in query.actions else set())
    if query.biz_steps:
        kinds &= {KIND_STEPS[s] for s in query.biz_steps if s in KIND_STEPS}
    if query.dispositions:
        kinds &= {KIND_DISPOSITIONS[d] for d in query.dispositions if d in KIND_DISPOSITIONS}
    if any(getattr(query, name) for name in NOT_PROJECTED):
        kinds = set()
    return kinds


def _recorded(session: Session, query: EventQuery, base_url: str, descending: bool,
              viewer: Actor | None) -> list[Any]:
    kinds = _kinds(query)
    if not kinds:
        return []
    time_col = Event.occurred_at if query.order_by == "eventTime" else Event.recorded_at
    where: list[Any] = [Event.kind.in_(sorted(kinds)), Event.epcis_event_id.is_(None)]
    if viewer is not None and viewer.is_partner:  # its own events and its shipments' ends
        mine = select(Shipment.id).where(or_(Shipment.from_partner_id == viewer.partner_id,
                                             Shipment.to_partner_id == viewer.partner_id))
        where.append(or_(Event.partner_id == viewer.partner_id, Event.shipment_id.in_(mine)))
    for low, high, col in ((query.ge_event_time, query.lt_event_time, Event.occurred_at),
                           (query.ge_record_time, query.lt_record_time, Event.recorded_at)):
        if low:
            where.append(col >= low)
        if high:
            where.append(col < high)
    locations = (query.biz_locations or ()) + (query.wd_biz_locations or ())
    if locations:
        where.append(Event.partner_id.in_(_partners_at(session, locations, base_url)))
    lots = _lots_matching(query, base_url)
    if lots is not None:
        made = select(Lot.transformation_id).where(Lot.id.in_(lots))
        used = select(TransformationInput.transformation_id).where(
            TransformationInput.lot_id.in_(lots))
        where.append(or_(Event.lot_id.in_(lots), Event.transformation_id.in_(made),
                         Event.transformation_id.in_(used)))
    window = _window(time_col, Event.id, 1, query.after, descending)
    if window is not None:
        where.append(window)
    order = (time_col.desc(), Event.id.desc()) if descending else (time_col, Event.id)
    return list(session.execute(select(Event, time_col.label("at")).where(*where)
                                .order_by(*order).limit(query.per_page + 1)))


def find_events(session: Session, query: EventQuery, base_url: str,
                viewer: Actor | None = None) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of matching events (EPCIS dicts) and the position after it, if more remain.
    A partner `viewer` sees what it captured and the registry events at its premises or of
    shipments it sent or received; agencies and admins see all."""
    if query.transformation_ids:
        raise InvalidQuery("EQ_transformationID", "not supported by this registry")
    descending = query.order_direction == "DESC"
    rows: list[tuple[Any, int, int, Any]] = []
    for row in _captured(session, query, descending, viewer):
        rows.append((row.at, 0, row.id, row))
    for row in _recorded(session, query, base_url, descending, viewer):
        rows.append((row.at, 1, row[0].id, row[0]))
    rows.sort(key=lambda r: (r[0], r[1], r[2]), reverse=descending)
    page, more = rows[:query.per_page], len(rows) > query.per_page
    recorded = project_all(session, [r[3] for r in page if r[1] == 1], base_url)
    projected = iter(recorded)
    events = []
    for _t, source, _id, row in page:
        if source == 0:
            body = dict(row.body)
            body.setdefault("eventID", row.event_id)
            body["recordTime"] = row.record_time.isoformat(timespec="milliseconds").replace(
                "+00:00", "Z")
            events.append(body)
        else:
            events.append(next(projected))
    after = None
    if more and page:
        last = page[-1]
        after = [last[0].isoformat(), last[1], last[2]]
    return events, after
