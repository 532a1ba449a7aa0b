"""Registry events as EPCIS 2.0 events (what `GET /epcis/events` and the trace export return for
events recorded through the JSON API, the web forms or the bulk path):

| registry  | EPCIS                                                                          |
|-----------|--------------------------------------------------------------------------------|
| harvest   | ObjectEvent ADD, bizStep commissioning, disposition active, quantityList LGTIN, |
|           | readPoint = origin (growing-area / aquaculture URI, or the farm), bizLocation  |
| ship      | ObjectEvent OBSERVE shipping, in_transit, source/destination owning_party      |
| receive   | ObjectEvent OBSERVE receiving, in_progress, source/destination owning_party    |
| transform | TransformationEvent, inputQuantityList / outputQuantityList                    |

A lot is its LGTIN Digital Link (`https://id.gs1.org/01/{gtin}/10/{batch}`) when its product
has a GTIN, else `{base}/l/{lot_code}`; a partner is its GLN (`/414/` location, `/417/` party),
else `{base}/partners/{id}`. eventID is the GS1 canonical event hash of the projected event.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chains.epcis import (
    aquaculture_registration_uri,
    epcis_document,
    event_hash,
    gln_uri,
    growing_area_uri,
    lot_uri,
    party_uri,
)
from chains.epcis.queries import EPCIS_CONTEXT
from chains.epcis_mapping import UNIT_UOMS
from chains.epcis_resolve import partner_uri
from registry.models import (
    AquacultureRegistration,
    Event,
    EventKind,
    GrowingArea,
    Lot,
    Partner,
    Product,
    Shipment,
    TransformationInput,
)
from registry.units import Unit, display

PROJECTED = (EventKind.HARVEST, EventKind.SHIP, EventKind.RECEIVE, EventKind.TRANSFORM)
TYPE_OF = {EventKind.HARVEST: "ObjectEvent", EventKind.SHIP: "ObjectEvent",
           EventKind.RECEIVE: "ObjectEvent", EventKind.TRANSFORM: "TransformationEvent"}
STEP_OF = {EventKind.HARVEST: "commissioning", EventKind.SHIP: "shipping",
           EventKind.RECEIVE: "receiving"}
DISPOSITION_OF = {EventKind.HARVEST: "active", EventKind.SHIP: "in_transit",
                  EventKind.RECEIVE: "in_progress"}


def lot_key(base_url: str, gtin: str | None, batch: str, lot_code: str) -> str:
    """The identifier a lot travels under in EPCIS."""
    return lot_uri(gtin, batch) if gtin else f"{base_url.rstrip('/')}/l/{lot_code}"


class Facts:
    """The lots, partners and origins a page of events names, read in a few IN queries."""

    def __init__(self, session: Session, base_url: str) -> None:
        self.session, self.base_url = session, base_url
        self.lots: dict[int, Any] = {}
        self.partners: dict[int, Any] = {}
        self.shipments: dict[int, Any] = {}
        self.inputs: dict[int, list[Any]] = {}
        self.outputs: dict[int, list[Any]] = {}
        self.origins: dict[int, str] = {}

    def load(self, events: Sequence[Any]) -> None:
        """Everything the events need to be projected."""
        session = self.session
        transformations = {e.transformation_id for e in events if e.transformation_id}
        shipment_ids = {e.shipment_id for e in events if e.shipment_id}
        if shipment_ids:
            self.shipments = {row.id: row for row in session.execute(
                select(Shipment.id, Shipment.from_partner_id, Shipment.to_partner_id)
                .where(Shipment.id.in_(shipment_ids)))}
        lot_ids = {e.lot_id for e in events if e.lot_id}
        for row in session.execute(select(TransformationInput.transformation_id,
                                          TransformationInput.lot_id,
                                          TransformationInput.quantity)
                                   .where(TransformationInput.transformation_id.in_(
                                       transformations))):
            self.inputs.setdefault(row.transformation_id, []).append(row)
            lot_ids.add(row.lot_id)
        for row in session.execute(select(Lot.id, Lot.transformation_id, Lot.quantity)
                                   .where(Lot.transformation_id.in_(transformations))):
            self.outputs.setdefault(row.transformation_id, []).append(row)
            lot_ids.add(row.id)
        for row in session.execute(
                select(Lot.id, Lot.lot_code, Lot.batch, Lot.unit, Lot.base_unit,
                       Lot.growing_area_id, Lot.aquaculture_registration_id, Product.gtin)
                .join(Product, Product.id == Lot.product_id).where(Lot.id.in_(lot_ids))):
            self.lots[row.id] = row
        areas = {r.growing_area_id for r in self.lots.values() if r.growing_area_id}
        regs = {r.aquaculture_registration_id for r in self.lots.values()
                if r.aquaculture_registration_id}
        self.area_codes = dict(session.execute(select(GrowingArea.id, GrowingArea.code).where(
            GrowingArea.id.in_(areas))).all())
        self.reg_numbers = dict(session.execute(
            select(AquacultureRegistration.id, AquacultureRegistration.number)
            .where(AquacultureRegistration.id.in_(regs))).all())
        partner_ids = {e.partner_id for e in events if e.partner_id}
        partner_ids |= {s.from_partner_id for s in self.shipments.values()}
        partner_ids |= {s.to_partner_id for s in self.shipments.values()}
        self.partners = {row.id: row for row in session.execute(
            select(Partner.id, Partner.gln).where(Partner.id.in_(partner_ids)))}

    def location(self, partner_id: int) -> str:
        """A partner as a location."""
        gln = self.partners[partner_id].gln
        return gln_uri(gln) if gln else partner_uri(self.base_url, partner_id)

    def party(self, partner_id: int) -> str:
        """A partner as a party."""
        gln = self.partners[partner_id].gln
        return party_uri(gln) if gln else partner_uri(self.base_url, partner_id)

    def quantity(self, lot_id: int, amount: int) -> dict[str, Any]:
        """A quantity element of a lot, in the unit its producer used."""
        lot = self.lots[lot_id]
        value, unit = display(amount, lot.base_unit, lot.unit)
        element: dict[str, Any] = {"epcClass": lot_key(self.base_url, lot.gtin, lot.batch,
                                                       lot.lot_code),
                                   "quantity": int(value) if value == int(value) else value}
        uom = UNIT_UOMS.get(Unit(unit)) if unit in Unit._value2member_map_ else None
        if uom:
            element["uom"] = uom
        return element

    def origin(self, lot_id: int, partner_id: int) -> str:
        """Where a harvest happened: its growing area, aquaculture registration, or farm."""
        lot = self.lots[lot_id]
        if lot.growing_area_id in self.area_codes:
            return growing_area_uri(self.base_url, self.area_codes[lot.growing_area_id])
        if lot.aquaculture_registration_id in self.reg_numbers:
            return aquaculture_registration_uri(
                self.base_url, self.reg_numbers[lot.aquaculture_registration_id])
        return self.location(partner_id)


def project(event: Any, facts: Facts) -> dict[str, Any]:
    """One registry event as an EPCIS event, with its canonical-hash eventID."""
    kind = EventKind(event.kind)
    out: dict[str, Any] = {"type": TYPE_OF[kind], "eventTime": _time(event.occurred_at),
                           "eventTimeZoneOffset": "+07:00"}
    if kind is EventKind.TRANSFORM:
        out["inputQuantityList"] = [facts.quantity(i.lot_id, i.quantity)
                                    for i in facts.inputs.get(event.transformation_id, [])]
        out["outputQuantityList"] = [facts.quantity(o.id, o.quantity)
                                     for o in facts.outputs.get(event.transformation_id, [])]
        out["bizLocation"] = {"id": facts.location(event.partner_id)}
    else:
        out["action"] = "ADD" if kind is EventKind.HARVEST else "OBSERVE"
        out["bizStep"] = STEP_OF[kind]
        out["disposition"] = DISPOSITION_OF[kind]
        out["quantityList"] = [facts.quantity(event.lot_id, event.quantity or 0)]
        if kind is EventKind.HARVEST:
            out["readPoint"] = {"id": facts.origin(event.lot_id, event.partner_id)}
            out["bizLocation"] = {"id": facts.location(event.partner_id)}
            out["sourceList"] = [{"type": "owning_party",
                                  "source": facts.party(event.partner_id)}]
        else:
            shipment = facts.shipments[event.shipment_id]
            here = shipment.from_partner_id if kind is EventKind.SHIP else shipment.to_partner_id
            out["bizLocation"] = {"id": facts.location(here)}
            out["sourceList"] = [{"type": "owning_party",
                                  "source": facts.party(shipment.from_partner_id)}]
            out["destinationList"] = [{"type": "owning_party",
                                       "destination": facts.party(shipment.to_partner_id)}]
    return {"eventID": event_hash(out, context=[EPCIS_CONTEXT]), **out}


def _time(moment: Any) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def project_all(session: Session, events: Sequence[Any], base_url: str) -> list[dict[str, Any]]:
    """A page of registry events as EPCIS events."""
    facts = Facts(session, base_url)
    facts.load(events)
    return [project(event, facts) for event in events]


KIND_ORDER = {EventKind.HARVEST: 0, EventKind.SHIP: 1, EventKind.RECEIVE: 2,
              EventKind.TRANSFORM: 3}


def trace_document(session: Session, lot_ids: set[int], transformation_ids: set[int],
                   base_url: str) -> dict[str, Any]:
    """An EPCISDocument of a trace's events (harvests, shipments, receipts, transformations of
    its lots) in the order they happened, for another system to capture."""
    rows = session.execute(select(Event).where(
        Event.kind.in_(PROJECTED),
        or_(Event.lot_id.in_(lot_ids), Event.transformation_id.in_(transformation_ids)))
    ).scalars().all()
    ordered = sorted(rows, key=lambda e: (e.occurred_at, KIND_ORDER[EventKind(e.kind)], e.id))
    return epcis_document(project_all(session, ordered, base_url))
