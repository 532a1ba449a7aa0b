"""Trace a lot backward to its origins or forward to every recipient (DESIGN.md section 5).

The traced subgraph comes from one recursive query (chains.lineage); its facts from a handful
of IN-list queries; NetworkX orders and measures it. Nodes of the returned graph are lot codes
with attributes (product, producer, quantity, unit, status, depth); edges run input -> output.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from chains import lineage
from chains import trace_facts as facts
from chains.trace_facts import TracedLot, TracedTransformation
from registry import events, lots, places, validity
from registry.actors import Actor
from registry.errors import Forbidden
from registry.models import (
    OriginType,
    PartnerKind,
)
from registry.units import display

Direction = Literal["backward", "forward"]


class PartnerFacts(BaseModel):
    """A partner in a trace, with its current province (frozen: instances are cached and
    shared between responses)."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    kind: PartnerKind
    province_code_current: str
    province_name_current: str


class CertAtTime(BaseModel):
    """A certification valid when its holder handled the traced food."""

    scheme: str
    number: str
    issuer: str
    valid_until: date | None


class OriginOut(BaseModel):
    """Where root lots were harvested."""

    type: OriginType
    code: str
    holder: PartnerFacts
    place: places.PlaceOut
    lots: list[str]
    certifications: list[CertAtTime]


class TraceLotOut(BaseModel):
    """A lot in the trace."""

    lot_code: str
    batch: str
    product: lots.ProductRef
    producer: PartnerFacts
    quantity: float
    unit: str
    status: str
    produced_on: date
    origin_type: OriginType
    depth: int
    inputs: list[str]
    outputs: list[str]


class TracePartnerOut(BaseModel):
    """A partner that handled traced lots, in chain order."""

    partner: PartnerFacts
    roles: list[str]
    first_at: datetime
    lots: list[str]
    certifications: list[CertAtTime]


class MovementOut(BaseModel):
    """A shipment of a traced lot: who received how much, when."""

    shipment_id: int
    lot_code: str
    product: str
    from_partner: PartnerFacts
    to_partner: PartnerFacts
    quantity: float
    unit: str
    shipped_at: datetime
    received_at: datetime | None
    received_quantity: float | None
    status: str
    reference: str | None


class HolderOut(BaseModel):
    """Who holds how much of a traced lot now."""

    lot_code: str
    partner: PartnerFacts
    quantity: float
    unit: str


class TraceOut(BaseModel):
    """A trace: origins, lots, partners in chain order, movements and the lot graph."""

    lot_code: str
    direction: Direction
    origins: list[OriginOut]
    lots: list[TraceLotOut]
    partners: list[TracePartnerOut]
    recipients: list[MovementOut]
    holders: list[HolderOut]
    graph: dict[str, Any]
    restricted: bool = False


@dataclass
class Trace:
    """A traced subgraph and the facts about it, before rendering.

    `lots` are `TracedLot`s, `transformations` `TracedTransformation`s; partners, shipments
    and holdings are Core rows with their tables' columns as attributes.
    """

    lot: TracedLot
    direction: Direction
    graph: nx.DiGraph
    lots: dict[int, TracedLot]
    partners: dict[int, Any]
    shipments: list[Any]
    holdings: list[Any]
    transformations: dict[int, TracedTransformation]
    origins: list[OriginOut] = field(default_factory=list)
    partner_order: list[TracePartnerOut] = field(default_factory=list)
    restricted: bool = False


def partner_facts(partner: Any) -> PartnerFacts:
    """A partner as traces and verifications show it, with its current province (cached)."""
    return _partner_facts(partner.id, partner.name, partner.kind, partner.province_code_current)


@lru_cache(maxsize=4096)
def _partner_facts(partner_id: int, name: str, kind: PartnerKind,
                   province_code_current: str) -> PartnerFacts:
    # keyed by every value shown, so a renamed partner is never shown under its old name
    now = places.province(places.AdmScheme.VN2025, province_code_current)
    return PartnerFacts(id=partner_id, name=name, kind=kind,
                        province_code_current=province_code_current,
                        province_name_current=now.name if now else province_code_current)


def subgraph(session: Session, lot: Any, direction: Direction) -> nx.DiGraph:
    """The lot ids reachable from `lot` in one direction, edges input -> output."""
    links = (lineage.ancestor_links(session, lot.id) if direction == "backward"
             else lineage.descendant_links(session, lot.id))
    graph = nx.DiGraph(links)
    graph.add_node(lot.id)
    return graph


def load(session: Session, lot: Any, direction: Direction) -> Trace:
    """Trace `lot`: its subgraph and every fact the renderers need (a fixed number of queries)."""
    return load_graph(session, lot, direction, subgraph(session, lot, direction))


def load_graph(session: Session, lot: Any, direction: Direction, graph: nx.DiGraph) -> Trace:
    """The facts about a given lot graph (lot ids, edges input -> output) traced from `lot`."""
    ids = list(graph.nodes)
    lot_rows, transformations = facts.traced_lots(session, ids)
    shipments = facts.rows(session, "shipments", ids)
    held = facts.rows(session, "holdings", ids)
    partner_ids = ({x.producer_id for x in lot_rows.values()}
                   | {s.from_partner_id for s in shipments} | {s.to_partner_id for s in shipments}
                   | {h.partner_id for h in held})
    partner_rows = {p.id: p for p in facts.rows(session, "partners", partner_ids)}
    trace = Trace(lot=lot, direction=direction, graph=graph, lots=lot_rows,
                  partners=partner_rows, shipments=shipments, holdings=held,
                  transformations=transformations)
    _annotate(trace)
    _certified(session, trace)
    return trace


def _annotate(trace: Trace) -> None:
    depth = nx.single_source_shortest_path_length(
        trace.graph if trace.direction == "forward" else trace.graph.reverse(copy=False),
        trace.lot.id)
    for lot_id, lot in trace.lots.items():
        trace.graph.nodes[lot_id].update(lot_code=lot.lot_code, depth=depth.get(lot_id, 0))


def _certs_on(certs: list[Any], history: dict[int, list[Any]], day: date) -> list[CertAtTime]:
    return [CertAtTime(scheme=c.scheme_key, number=c.number, issuer=c.issuer,
                       valid_until=c.valid_until)
            for c in certs if validity.is_valid_on(c, history.get(c.id, []), day)]


def _certified(session: Session, trace: Trace) -> None:
    """Origins of the root lots and partners in chain order, with certificates at the time."""
    roots = [trace.lots[n] for n, d in trace.graph.in_degree() if d == 0 and n in trace.lots]
    area_ids = {x.growing_area_id for x in roots if x.growing_area_id}
    reg_ids = {x.aquaculture_registration_id for x in roots if x.aquaculture_registration_id}
    areas = {a.id: a for a in facts.rows(session, "areas", area_ids)}
    regs = {r.id: r for r in facts.rows(session, "registrations", reg_ids)}
    certs: list[Any] = []
    history: dict[int, list[Any]] = {}
    for column, ids in (("partner_id", trace.partners), ("growing_area_id", area_ids),
                        ("aquaculture_registration_id", reg_ids)):
        found, changes = facts.certifications(session, column, ids)
        certs += found
        history.update(changes)
    by_holder: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for found in certs:
        for column in ("partner_id", "growing_area_id", "aquaculture_registration_id"):
            if getattr(found, column) is not None:
                by_holder[(column, getattr(found, column))].append(found)
    origins: dict[tuple[str, str], OriginOut] = {}
    for root in sorted(roots, key=lambda x: x.lot_code):
        record: Any
        if root.origin_type is OriginType.GROWING_AREA and root.growing_area_id in areas:
            record = areas[root.growing_area_id]
            code, key = record.code, ("growing_area_id", record.id)
        elif (root.origin_type is OriginType.AQUACULTURE_REGISTRATION
              and root.aquaculture_registration_id in regs):
            record = regs[root.aquaculture_registration_id]
            code, key = record.number, ("aquaculture_registration_id", record.id)
        else:
            record = trace.partners[root.producer_id]
            code, key = str(record.id), ("partner_id", record.id)
        entry = origins.get((root.origin_type.value, code))
        if entry is None:
            entry = OriginOut(type=root.origin_type, code=code,
                              holder=partner_facts(trace.partners[root.producer_id]),
                              place=places.describe(record), lots=[],
                              certifications=_certs_on(by_holder[key], history, root.produced_on))
            origins[(root.origin_type.value, code)] = entry
        entry.lots.append(root.lot_code)
    trace.origins = list(origins.values())
    trace.partner_order = _chain_order(trace, by_holder, history)


def _chain_order(trace: Trace, by_holder: dict[tuple[str, int], list[Any]],
                 history: dict[int, list[Any]]) -> list[TracePartnerOut]:
    firsts: dict[int, datetime] = {}
    roles: dict[int, set[str]] = defaultdict(set)
    handled: dict[int, set[str]] = defaultdict(set)

    def seen(partner_id: int, at: datetime, role: str, lot_code: str) -> None:
        if partner_id not in firsts or at < firsts[partner_id]:
            firsts[partner_id] = at
        roles[partner_id].add(role)
        handled[partner_id].add(lot_code)

    for lot in trace.lots.values():
        if lot.transformation_id and lot.transformation_id in trace.transformations:
            seen(lot.producer_id, trace.transformations[lot.transformation_id].occurred_at,
                 "transform", lot.lot_code)
        else:
            seen(lot.producer_id, events.start_of_day(lot.produced_on), "harvest", lot.lot_code)
    for s in trace.shipments:
        code = trace.lots[s.lot_id].lot_code
        seen(s.from_partner_id, s.shipped_at, "ship", code)
        seen(s.to_partner_id, s.received_at or s.shipped_at, "receive", code)
    order = sorted(firsts, key=lambda pid: (firsts[pid], pid))
    return [TracePartnerOut(
        partner=partner_facts(trace.partners[pid]), roles=sorted(roles[pid]), first_at=firsts[pid],
        lots=sorted(handled[pid]),
        certifications=_certs_on(by_holder[("partner_id", pid)], history,
                                 firsts[pid].astimezone(events.VN_TZ).date()))
        for pid in order]


def restrict_to_partner(trace: Trace, partner_id: int) -> Trace:
    """One step back and one step forward (Circular 17/2021): what a partner may see.

    Forbidden unless the partner handled the traced lot. Keeps the lots it made or received,
    their direct inputs, the shipments it sent or received, and the partners on them.
    """
    own = {lid for lid, lot in trace.lots.items() if lot.producer_id == partner_id}
    own |= {s.lot_id for s in trace.shipments if partner_id in (s.from_partner_id,
                                                                s.to_partner_id)}
    own |= {h.lot_id for h in trace.holdings if h.partner_id == partner_id}
    if trace.lot.id not in own:
        raise Forbidden(f"partner {partner_id} did not handle lot {trace.lot.lot_code}: "
                        "partners see one step back and one step forward")
    keep = set(own)
    for lid in own:
        keep |= set(trace.graph.predecessors(lid)) if lid in trace.graph else set()
    shipments = [s for s in trace.shipments if partner_id in (s.from_partner_id, s.to_partner_id)]
    partner_ids = ({partner_id} | {s.from_partner_id for s in shipments}
                   | {s.to_partner_id for s in shipments}
                   | {trace.lots[lid].producer_id for lid in keep if lid in trace.lots})
    trace.graph = trace.graph.subgraph(keep).copy()
    trace.lots = {lid: lot for lid, lot in trace.lots.items() if lid in keep}
    trace.shipments = shipments
    trace.holdings = [h for h in trace.holdings if h.partner_id == partner_id]
    trace.partners = {pid: p for pid, p in trace.partners.items() if pid in partner_ids}
    trace.origins = [o for o in trace.origins if set(o.lots) & {x.lot_code
                                                               for x in trace.lots.values()}]
    trace.partner_order = [p for p in trace.partner_order if p.partner.id in partner_ids]
    trace.restricted = True
    return trace


def trace(session: Session, lot_code: str, direction: Direction,
          actor: Actor | None = None) -> Trace:
    """Trace a lot; partner users get the one-step-back, one-step-forward view."""
    lot = facts.lot_by_code(session, lot_code)
    traced = load(session, lot, direction)
    if actor is not None and actor.is_partner and actor.partner_id is not None:
        restrict_to_partner(traced, actor.partner_id)
    return traced


def render(trace: Trace) -> TraceOut:
    """The trace as the API's JSON."""
    products = {x.product_id: x.product for x in trace.lots.values()}
    codes = {lid: lot.lot_code for lid, lot in trace.lots.items()}
    lot_items = []
    for lid, lot in sorted(trace.lots.items(),
                           key=lambda kv: (trace.graph.nodes[kv[0]].get("depth", 0),
                                           kv[1].lot_code)):
        quantity, unit = display(lot.quantity, lot.base_unit, lot.unit)
        lot_items.append(TraceLotOut(
            lot_code=lot.lot_code, batch=lot.batch,
            product=lot.product,
            producer=partner_facts(trace.partners[lot.producer_id]), quantity=quantity, unit=unit,
            status=lot.status.value, produced_on=lot.produced_on, origin_type=lot.origin_type,
            depth=trace.graph.nodes[lid].get("depth", 0),
            inputs=sorted(codes[p] for p in trace.graph.predecessors(lid) if p in codes),
            outputs=sorted(codes[c] for c in trace.graph.successors(lid) if c in codes)))
    movements = []
    for s in sorted(trace.shipments, key=lambda s: (s.shipped_at, s.id)):
        lot = trace.lots[s.lot_id]
        quantity, unit = display(s.quantity, lot.base_unit, s.unit)
        movements.append(MovementOut(
            shipment_id=s.id, lot_code=lot.lot_code, product=products[lot.product_id].name_vi,
            from_partner=partner_facts(trace.partners[s.from_partner_id]),
            to_partner=partner_facts(trace.partners[s.to_partner_id]), quantity=quantity, unit=unit,
            shipped_at=s.shipped_at, received_at=s.received_at,
            received_quantity=(display(s.received_quantity, lot.base_unit, s.unit)[0]
                               if s.received_quantity is not None else None),
            status=s.status.value, reference=s.reference))
    holders = []
    for h in sorted(trace.holdings, key=lambda h: (codes.get(h.lot_id, ""), h.partner_id)):
        lot = trace.lots[h.lot_id]
        quantity, unit = display(h.quantity, lot.base_unit, lot.unit)
        holders.append(HolderOut(lot_code=lot.lot_code, quantity=quantity, unit=unit,
                                 partner=partner_facts(trace.partners[h.partner_id])))
    return TraceOut(lot_code=trace.lot.lot_code, direction=trace.direction,
                    origins=trace.origins, lots=lot_items, partners=trace.partner_order,
                    recipients=movements, holders=holders, graph=node_link(trace),
                    restricted=trace.restricted)


def node_link(trace: Trace) -> dict[str, Any]:
    """The lot graph as node-link JSON: nodes are lot codes, edges input -> output.

    What `nx.node_link_data(graph, edges="edges")` gives for the graph of lot codes, written
    out directly (a trace is rendered on every request).
    """
    nodes, edges = [], []
    for lid, lot in trace.lots.items():
        nodes.append({"product": lot.product.name_vi, "producer_id": lot.producer_id,
                      "status": lot.status.value,
                      "depth": trace.graph.nodes[lid].get("depth", 0), "id": lot.lot_code})
        edges += [{"source": lot.lot_code, "target": trace.lots[child].lot_code}
                  for child in trace.graph.successors(lid) if child in trace.lots]
    return {"directed": True, "multigraph": False, "graph": {}, "nodes": nodes, "edges": edges}
