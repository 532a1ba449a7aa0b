"""Compact trace snapshots for cases and recalls: set-based queries over lot ids, so that a
forward closure of 10,000 lots is summarised in well under a second (DESIGN.md section 8)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from chains import lineage
from registry import places
from registry.models import (
    AquacultureRegistration,
    GrowingArea,
    Holding,
    Lot,
    LotEdge,
    OriginType,
    Partner,
    Shipment,
)

MAX_CODES = 500
"""Lot codes listed in a snapshot; the count is always exact."""


def origin_roots(session: Session, lot_ids: set[int]) -> set[int]:
    """The harvest lots at the start of these lots' ancestry."""
    ancestry = lineage.ancestor_ids(session, lot_ids)
    with_inputs = {c for (c,) in lineage.rows_in(
        session, lambda ch: select(LotEdge.child_id).where(LotEdge.child_id.in_(ch)), ancestry)}
    return ancestry - with_inputs


def origins(session: Session, root_ids: set[int]) -> list[dict[str, Any]]:
    """Where root lots came from: codes, holders, recorded and current provinces."""
    rows = lineage.rows_in(session, lambda ch: select(
        Lot.id, Lot.lot_code, Lot.origin_type, Lot.growing_area_id,
        Lot.aquaculture_registration_id, Lot.producer_id).where(Lot.id.in_(ch)), root_ids)
    area_ids = {r.growing_area_id for r in rows if r.growing_area_id}
    reg_ids = {r.aquaculture_registration_id for r in rows if r.aquaculture_registration_id}
    areas = {a.id: a for (a,) in lineage.rows_in(
        session, lambda ch: select(GrowingArea).where(GrowingArea.id.in_(ch)), area_ids)}
    regs = {a.id: a for (a,) in lineage.rows_in(
        session, lambda ch: select(AquacultureRegistration)
        .where(AquacultureRegistration.id.in_(ch)), reg_ids)}
    producers = partners_by_id(session, {r.producer_id for r in rows})
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        record: Any
        if r.origin_type is OriginType.GROWING_AREA and r.growing_area_id in areas:
            record = areas[r.growing_area_id]
            code = record.code
        elif r.origin_type is OriginType.AQUACULTURE_REGISTRATION and \
                r.aquaculture_registration_id in regs:
            record = regs[r.aquaculture_registration_id]
            code = record.number
        else:
            record = producers[r.producer_id]
            code = str(record.id)
        place = places.describe(record)
        entry = found.setdefault((r.origin_type.value, code), {
            "type": r.origin_type.value, "code": code, "holder_id": r.producer_id,
            "holder": producers[r.producer_id].name,
            "province_code_current": place.province_code_current,
            "province_name_current": place.province_name_current,
            "province_name": place.province_name, "lots": []})
        entry["lots"].append(r.lot_code)
    return list(found.values())


def partners_by_id(session: Session, ids: set[int]) -> dict[int, Partner]:
    """Partners by id, in chunks."""
    return {p.id: p for (p,) in lineage.rows_in(
        session, lambda ch: select(Partner).where(Partner.id.in_(ch)), ids)}


def recipients(session: Session, lot_ids: set[int]) -> list[dict[str, Any]]:
    """Every partner that received or holds any of the lots, with quantities per lot."""
    shipped = lineage.rows_in(session, lambda ch: select(
        Shipment.lot_id, Shipment.to_partner_id, Shipment.quantity,
        Shipment.received_quantity).where(Shipment.lot_id.in_(ch)), lot_ids)
    held = lineage.rows_in(session, lambda ch: select(
        Holding.lot_id, Holding.partner_id, Holding.quantity)
        .where(Holding.lot_id.in_(ch), Holding.quantity > 0), lot_ids)
    received: dict[tuple[int, int], int] = defaultdict(int)
    moving: dict[tuple[int, int], int] = defaultdict(int)
    for lot_id, partner_id, quantity, got in shipped:
        received[(partner_id, lot_id)] += got if got is not None else quantity
        if got is None:
            moving[(partner_id, lot_id)] += quantity
    holding = {(partner_id, lot_id): quantity for lot_id, partner_id, quantity in held}
    keys = set(received) | set(holding)
    return [{"partner_id": p, "lot_id": lot, "received": received.get((p, lot), 0),
             "held": holding.get((p, lot), 0), "in_transit": moving.get((p, lot), 0)}
            for p, lot in sorted(keys)]


def summarise(session: Session, lot_ids: set[int]) -> dict[str, Any]:
    """A case's trace snapshot: origins behind the lots and everyone downstream of them."""
    roots = origin_roots(session, lot_ids)
    forward = lineage.descendant_ids(session, lot_ids)
    ancestry = lineage.ancestor_ids(session, lot_ids)
    codes = dict(lineage.rows_in(session, lambda ch: select(Lot.id, Lot.lot_code)
                                 .where(Lot.id.in_(ch)), forward | ancestry))
    downstream = recipients(session, forward)
    names = partners_by_id(session, {r["partner_id"] for r in downstream})
    by_partner: dict[int, dict[str, Any]] = {}
    for r in downstream:
        p = names[r["partner_id"]]
        entry = by_partner.setdefault(p.id, {
            "partner_id": p.id, "name": p.name, "kind": p.kind.value,
            "province_code_current": p.province_code_current, "lots": 0, "phone": p.phone})
        entry["lots"] += 1
    return {
        "lots": sorted(codes[i] for i in lot_ids if i in codes),
        "origins": origins(session, roots),
        "backward": {"lot_count": len(ancestry),
                     "lot_codes": sorted(codes[i] for i in ancestry if i in codes)[:MAX_CODES]},
        "forward": {"lot_count": len(forward),
                    "lot_codes": sorted(codes[i] for i in forward if i in codes)[:MAX_CODES],
                    "recipients": sorted(by_partner.values(), key=lambda e: e["name"]),
                    "provinces": sorted({e["province_code_current"]
                                         for e in by_partner.values()})},
    }


def closure_graph(session: Session, lot_ids: set[int]) -> nx.DiGraph:
    """The lot graph among the given lots (edges input -> output)."""
    edges = lineage.rows_in(session, lambda ch: select(LotEdge.parent_id, LotEdge.child_id)
                            .where(LotEdge.child_id.in_(ch)), lot_ids)
    graph = nx.DiGraph()
    graph.add_nodes_from(lot_ids)
    graph.add_edges_from((p, c) for p, c in edges if p in lot_ids)
    return graph
