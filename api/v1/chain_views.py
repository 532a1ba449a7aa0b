"""Lots, shipments, transformations and traces."""

from __future__ import annotations

import json
from typing import Literal

from flask import Response, current_app
from pydantic import BaseModel

from api import database
from api.openapi import operation
from api.v1 import bp
from chains import epcis_project, exports
from chains import trace as tracing
from registry import lots, shipments, stock, transformations
from registry.actors import Actor
from registry.paging import Page


class TraceQuery(BaseModel):
    """How to trace and in which format."""

    direction: Literal["backward", "forward"] = "backward"
    format: Literal["json", "csv", "svg", "epcis"] = "json"


@operation(bp, "POST", "/lots", summary="Record a harvest: a new lot at its origin", tag="lots",
           body=lots.LotIn, response=lots.LotOut, status=201)
def create_lot(actor: Actor, body: lots.LotIn) -> lots.LotOut:
    """Create a lot from a growing area, an aquaculture registration or the partner's farm."""
    session = database.session()
    lot = lots.harvest(session, actor, body)
    session.commit()
    return lots.to_out(session, lot)


@operation(bp, "GET", "/lots/<lot_code>", summary="A lot with its holdings and status",
           tag="lots", response=lots.LotOut)
def get_lot(actor: Actor, lot_code: str) -> lots.LotOut:
    """One lot: who holds how much, what is in transit, its origin summary."""
    session = database.session()
    return lots.to_out(session, lots.get(session, lot_code), actor)


@operation(bp, "POST", "/shipments", summary="Ship a quantity of a lot to another partner",
           tag="lots", body=shipments.ShipmentIn, response=shipments.ShipmentOut, status=201,
           extra_responses=(409,))
def create_shipment(actor: Actor, body: shipments.ShipmentIn) -> shipments.ShipmentOut:
    """Refused (409) beyond what the sender holds, or for a lot on hold or recalled."""
    session = database.session()
    shipment = shipments.ship(session, actor, body)
    session.commit()
    return shipments.to_out(shipment)


@operation(bp, "GET", "/shipments/<int:shipment_id>", summary="A shipment", tag="lots",
           response=shipments.ShipmentOut)
def get_shipment(actor: Actor, shipment_id: int) -> shipments.ShipmentOut:
    """One shipment and whether it was received (partners: those they send or receive)."""
    return shipments.to_out(shipments.get(database.session(), shipment_id, actor))


@operation(bp, "POST", "/shipments/<int:shipment_id>/receive",
           summary="Confirm a shipment's receipt (once)", tag="lots", body=shipments.ReceiptIn,
           response=shipments.ShipmentOut)
def receive_shipment(actor: Actor, shipment_id: int,
                     body: shipments.ReceiptIn) -> shipments.ShipmentOut:
    """The recipient confirms what arrived; a shortfall is recorded."""
    session = database.session()
    shipment = shipments.receive(session, actor, shipment_id, body)
    session.commit()
    return shipments.to_out(shipment)


@operation(bp, "POST", "/transformations",
           summary="Pack, process, slaughter or mix: consume inputs, create output lots",
           tag="lots", body=transformations.TransformationIn,
           response=transformations.TransformationOut, status=201)
def create_transformation(actor: Actor, body: transformations.TransformationIn
                          ) -> transformations.TransformationOut:
    """Inputs must be held by the partner and movable; outputs become new lots."""
    session = database.session()
    record, made = transformations.transform(session, actor, body)
    session.commit()
    return transformations.to_out(record, made)


@operation(bp, "GET", "/lots/<lot_code>/trace",
           summary="Trace a lot backward to its origins or forward to every recipient",
           tag="trace", query=TraceQuery, response=tracing.TraceOut,
           produces=("application/json", "text/csv", "image/svg+xml", "application/ld+json"))
def trace_lot(actor: Actor, lot_code: str, query: TraceQuery) -> tracing.TraceOut | Response:
    """JSON (with a node-link graph), CSV (FSMA 204 columns), SVG or an EPCISDocument."""
    session = database.session()
    traced = tracing.trace(session, lot_code, query.direction, actor)
    if query.format == "csv":
        return Response(exports.to_csv(session, traced), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="trace-'
                                 f'{traced.lot.lot_code}-{query.direction}.csv"'})
    if query.format == "svg":
        return Response(exports.to_svg(traced), mimetype="image/svg+xml")
    if query.format == "epcis":
        document = epcis_project.trace_document(
            session, set(traced.lots), set(traced.transformations),
            current_app.config["NGUONGOC"].base_url)
        return Response(json.dumps(document, ensure_ascii=False), mimetype="application/ld+json")
    return Response(tracing.render(traced).model_dump_json(), mimetype="application/json")


@operation(bp, "GET", "/lots", summary="List and find lots", tag="lots", query=stock.LotQuery,
           response=Page[lots.LotOut])
def list_lots(actor: Actor, query: stock.LotQuery) -> Page[lots.LotOut]:
    """One page of lots; `q` finds a lot code or a batch number."""
    return stock.list_lots(database.session(), query, actor)


@operation(bp, "GET", "/lots/<lot_code>/events", summary="A lot's history", tag="lots",
           response=list[stock.EventOut])
def lot_events(actor: Actor, lot_code: str) -> list[stock.EventOut]:
    """Harvest or making, shipments, receipts, transformations, samples, holds, recalls."""
    session = database.session()
    return stock.history(session, lots.get(session, lot_code), actor)


@operation(bp, "GET", "/partners/<int:partner_id>/holdings",
           summary="A partner's stock and incoming shipments", tag="lots",
           response=stock.StockOut)
def partner_holdings(actor: Actor, partner_id: int) -> stock.StockOut:
    """What the partner holds of each lot now, and what is on its way."""
    return stock.stock(database.session(), actor, partner_id)
