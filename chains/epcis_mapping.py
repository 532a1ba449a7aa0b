"""EPCIS events -> bulk operations (`chains.bulk_ops`), so that a capture records the same lots,
shipments, receipts and transformations as the JSON API, with the same rules (DESIGN.md 6).

| EPCIS event                                              | registry                          |
|----------------------------------------------------------|-----------------------------------|
| ObjectEvent ADD, bizStep commissioning / farm harvest    | harvest: a lot per GTIN + batch   |
| ObjectEvent bizStep shipping + destination               | ship (sender: source or location) |
| ObjectEvent bizStep receiving                            | receive the matching shipment     |
| TransformationEvent                                      | transform (inputs -> outputs)     |
| AggregationEvent ADD                                     | containment: a shipped SSCC ships |
|                                                          | its children                      |
| anything else                                            | kept as captured, queryable       |

Objects are lots: an LGTIN / GTIN class in a quantity list (quantity + uom: KGM kg, GRM g,
TNE t, LTR l, MLT ml, none = piece), or SGTIN instances in an epc list (one piece each, grouped
by GTIN + batch; an SGTIN URN without a batch belongs to the lot it was commissioned in). An
object the registry has no history of is `found`: a lot held by whoever the event shows
holding it, marked `history_incomplete`, with the quantity the event moves (mass balance then
applies to what the registry knows). Events that name nothing this mapping understands are kept
as captured only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from chains.bulk_ops import (
    BatchInputIn,
    BatchOutputIn,
    HarvestOp,
    ReceiveOp,
    ShipOp,
    TransformOp,
)
from chains.epcis import (
    AggregationEvent,
    ObjectEvent,
    TransformationEvent,
    identifier_key,
    is_harvest_step,
)
from chains.epcis_resolve import Place, Resolver
from registry import events as registry_events
from registry.models import PartnerKind
from registry.transformations import TransformationKind
from registry.units import Unit

UOM_UNITS = {"KGM": Unit.KG, "GRM": Unit.G, "TNE": Unit.T, "LTR": Unit.L, "MLT": Unit.ML}
UNIT_UOMS = {unit: uom for uom, unit in UOM_UNITS.items()}
PARTY_TYPES = ("owning_party", "possessing_party")
key_of = lru_cache(maxsize=65536)(identifier_key)
"""`identifier_key`, remembered (a capture names the same identifiers many times)."""


class FoundOp(HarvestOp):
    """A lot an EPCIS event shows someone holding whose earlier history the registry lacks."""

    history_incomplete: bool = True


@dataclass
class Group:
    """A quantity of one lot an event names."""

    gtin: str
    batch: str | None
    quantity: Decimal
    unit: Unit
    keys: list[str] = field(default_factory=list)  # identifier keys (instances or class)
    lot: tuple[str, str] | None = None  # ("code", lot_code) | ("ref", ref)


@dataclass
class Plan:
    """The operations a capture records, which event each came from, and each event's lots."""

    ops: list[Any] = field(default_factory=list)
    op_events: list[int] = field(default_factory=list)
    groups: dict[int, list[Group]] = field(default_factory=dict)  # event index -> groups
    notes: dict[int, str] = field(default_factory=dict)


class Planner:
    """Walks a document's events in order, with what the registry already holds."""

    def __init__(self, resolver: Resolver, known: dict[tuple[str, str], str],
                 instances: dict[str, str], in_transit: dict[tuple[str, int], list[int]],
                 containers: dict[str, list[Group]], actor_partner: int | None) -> None:
        self.r = resolver
        self.known = {k: ("code", v) for k, v in known.items()}  # (gtin, batch) -> lot
        self.instances = {k: ("code", v) for k, v in instances.items()}  # key -> lot
        self.in_transit = in_transit  # (lot_code, to partner) -> stored shipment ids
        self.pending: dict[tuple[tuple[str, str], int], list[str]] = {}
        self.containers = containers  # parent key -> child groups
        self.actor_partner = actor_partner
        self.plan = Plan()
        self._refs = 0

    def _ref(self, kind: str) -> str:
        self._refs += 1
        return f"{kind}{self._refs}"

    def _add(self, index: int, op: Any) -> None:
        self.plan.ops.append(op)
        self.plan.op_events.append(index)

    # -- objects -------------------------------------------------------------------------

    def groups(self, epcs: list[str] | None, quantities: list[Any] | None) -> list[Group]:
        """The lots and quantities an epc list and a quantity list name."""
        found: dict[tuple[str, str | None, str], Group] = {}
        for uri in epcs or []:
            ident = self.r.identifier(uri)
            key = key_of(uri)
            if ident is not None and ident.kind == "sscc" and key in self.containers:
                for child in self.containers[key]:
                    self._merge(found, child.gtin, child.batch, child.quantity, child.unit,
                                child.keys, child.lot)
                continue
            if ident is None or ident.kind != "sgtin" or not ident.gtin:
                continue
            lot = self.instances.get(key)
            batch = ident.batch
            self._merge(found, ident.gtin, batch, Decimal(1), Unit.PIECE, [key], lot)
        for element in quantities or []:
            ident = self.r.identifier(element.epc_class)
            unit = UOM_UNITS.get(element.uom) if element.uom else Unit.PIECE
            if (ident is None or ident.kind not in ("lgtin", "gtin") or not ident.gtin
                    or element.quantity is None or unit is None or element.quantity <= 0):
                continue
            self._merge(found, ident.gtin, ident.batch, element.quantity, unit,
                        [key_of(element.epc_class)], None)
        return list(found.values())

    def _merge(self, found: dict[Any, Group], gtin: str, batch: str | None, quantity: Decimal,
               unit: Unit, keys: list[str], lot: tuple[str, str] | None) -> None:
        if lot is None:
            lot = next((self.instances[k] for k in keys if k in self.instances), None)
        if lot is None and batch is not None:
            lot = self.known.get((gtin, batch))
        slot = (gtin, batch, unit.value, lot or ("new", ""))
        group = found.get(slot)
        if group is None:
            found[slot] = Group(gtin, batch, quantity, unit, list(keys), lot)
        else:
            group.quantity += quantity
            group.keys += keys

    def _remember(self, group: Group, lot: tuple[str, str]) -> None:
        group.lot = lot
        if group.batch is not None:
            self.known[(group.gtin, group.batch)] = lot
        for key in group.keys:
            self.instances[key] = lot

    # -- parties -------------------------------------------------------------------------

    def _party(self, event: Any, attr: str, kind: PartnerKind) -> Place | None:
        items = getattr(event, attr) or []
        value = attr.removesuffix("_list")
        for wanted in (*PARTY_TYPES, "location"):
            for item in items:
                if item.type == wanted:
                    return self.r.place(getattr(item, value), kind)
        return None

    def _location(self, event: Any, kind: PartnerKind) -> Place | None:
        for location in (event.biz_location, event.read_point):
            if location is not None:
                return self.r.place(location.id, kind)
        return None

    # -- events --------------------------------------------------------------------------

    def event(self, index: int, event: Any) -> None:
        """Plan one event's operations (none for events this mapping does not cover); an event
        whose quantities the registry's operations cannot take is kept as captured only."""
        planned = len(self.plan.ops)
        try:
            self._event(index, event)
        except ValidationError as exc:
            del self.plan.ops[planned:], self.plan.op_events[planned:]
            self.plan.notes[index] = f"not recorded: {exc.errors()[0]['msg']}"

    def _event(self, index: int, event: Any) -> None:
        if isinstance(event, AggregationEvent):
            self.aggregation(index, event)
        elif isinstance(event, TransformationEvent):
            self.transformation(index, event)
        elif isinstance(event, ObjectEvent):
            if event.action == "ADD" and is_harvest_step(event.biz_step):
                self.harvest(index, event)
            elif event.biz_step == "shipping" and event.action != "DELETE":
                self.ship(index, event)
            elif event.biz_step == "receiving" and event.action != "DELETE":
                self.receive(index, event)
            else:
                self.plan.groups[index] = self.groups(event.epc_list, event.quantity_list)

    def _harvest_op(self, op_type: type[HarvestOp], index: int, event: Any, group: Group,
                    producer: int, origin: dict[str, Any]) -> bool:
        ref = self._ref("lot")
        try:
            op = op_type(type="harvest", ref=ref, partner_id=producer,
                         product_id=self.r.product(group.gtin, producer),
                         quantity=group.quantity, unit=group.unit,
                         produced_on=event.event_time.astimezone(registry_events.VN_TZ).date(),
                         harvested_at=event.event_time, origin=origin, batch=group.batch)
        except ValidationError as exc:
            self.plan.notes[index] = f"not recorded as a lot: {exc.errors()[0]['msg']}"
            return False
        self._add(index, op)
        self._remember(group, ("ref", ref))
        return True

    def _found(self, index: int, event: Any, group: Group, holder: int) -> bool:
        if group.lot is not None:
            return True
        return self._harvest_op(FoundOp, index, event, group, holder, {"partner_id": holder})

    def harvest(self, index: int, event: ObjectEvent) -> None:
        """Commissioning / farm harvest: a lot per object group at its origin."""
        groups = self.plan.groups[index] = self.groups(event.epc_list, event.quantity_list)
        places = [self.r.place(loc.id, PartnerKind.PRODUCER)
                  for loc in (event.read_point, event.biz_location) if loc is not None]
        place = next((p for p in places if p and (p.growing_area or
                                                  p.aquaculture_registration)), None)
        place = place or self._location(event, PartnerKind.PRODUCER)
        party = self._party(event, "source_list", PartnerKind.PRODUCER)
        origin: dict[str, Any]
        if place is not None and (place.growing_area or place.aquaculture_registration):
            producer = place.partner_id
            origin = ({"growing_area_code": place.growing_area} if place.growing_area else
                      {"aquaculture_registration": place.aquaculture_registration})
        else:
            chosen = party or place
            producer_id = chosen.partner_id if chosen else self.actor_partner
            if producer_id is None:
                self.plan.notes[index] = "no producer: give a bizLocation or an owning party"
                return
            producer, origin = producer_id, {"partner_id": producer_id}
        for group in groups:
            if group.lot is None:
                self._harvest_op(HarvestOp, index, event, group, producer, origin)

    def ship(self, index: int, event: ObjectEvent) -> None:
        """Shipping to a destination party: a shipment per lot."""
        groups = self.plan.groups[index] = self.groups(event.epc_list, event.quantity_list)
        sender = (self._party(event, "source_list", PartnerKind.DISTRIBUTOR)
                  or self._location(event, PartnerKind.DISTRIBUTOR))
        recipient = self._party(event, "destination_list", PartnerKind.DISTRIBUTOR)
        if sender is None or recipient is None or sender.partner_id == recipient.partner_id:
            self.plan.notes[index] = "no shipment: needs a source and another destination"
            return
        reference = next((t.biz_transaction[-80:] for t in event.biz_transaction_list or []),
                         None)
        for group in groups:
            if not self._found(index, event, group, sender.partner_id):
                continue
            assert group.lot is not None
            ref = self._ref("shipment")
            where = {"lot_code": group.lot[1]} if group.lot[0] == "code" else {
                "lot_ref": group.lot[1]}
            self._add(index, ShipOp(type="ship", ref=ref, quantity=group.quantity,
                                    unit=group.unit, from_partner_id=sender.partner_id,
                                    to_partner_id=recipient.partner_id,
                                    shipped_at=event.event_time, reference=reference, **where))
            self.pending.setdefault((group.lot, recipient.partner_id), []).append(ref)

    def receive(self, index: int, event: ObjectEvent) -> None:
        """Receiving: the matching shipment to this party is received."""
        groups = self.plan.groups[index] = self.groups(event.epc_list, event.quantity_list)
        receiver = (self._party(event, "destination_list", PartnerKind.DISTRIBUTOR)
                    or self._location(event, PartnerKind.DISTRIBUTOR))
        if receiver is None:
            self.plan.notes[index] = "no receipt: needs a destination or a bizLocation"
            return
        for group in groups:
            common = {"type": "receive", "received_at": event.event_time,
                      "quantity": group.quantity, "unit": group.unit}
            waiting = self.pending.get((group.lot, receiver.partner_id)) if group.lot else None
            stored = (self.in_transit.get((group.lot[1], receiver.partner_id))
                      if group.lot and group.lot[0] == "code" else None)
            if waiting:
                self._add(index, ReceiveOp(shipment_ref=waiting.pop(0), **common))
            elif stored:
                self._add(index, ReceiveOp(shipment_id=stored.pop(0), **common))
            elif group.lot is None:
                self._found(index, event, group, receiver.partner_id)

    def transformation(self, index: int, event: TransformationEvent) -> None:
        """Inputs consumed and outputs made at the event's location."""
        inputs = self.groups(event.input_epc_list, event.input_quantity_list)
        outputs = self.groups(event.output_epc_list, event.output_quantity_list)
        self.plan.groups[index] = inputs + outputs
        place = self._location(event, PartnerKind.PROCESSOR)
        maker = place.partner_id if place else self.actor_partner
        new_outputs = [g for g in outputs if g.lot is None]
        if maker is None or not inputs or not new_outputs:
            self.plan.notes[index] = "no transformation: needs a location, inputs and new outputs"
            return
        made: list[BatchInputIn] = []
        for group in inputs:
            if not self._found(index, event, group, maker):
                return
            assert group.lot is not None
            where = {"lot_code": group.lot[1]} if group.lot[0] == "code" else {
                "lot_ref": group.lot[1]}
            made.append(BatchInputIn(quantity=group.quantity, unit=group.unit, **where))
        outs = []
        for group in new_outputs:
            if group.batch is not None and (group.gtin, group.batch) in self.known:
                group.lot = self.known[(group.gtin, group.batch)]  # listed twice (two units)
                continue
            ref = self._ref("lot")
            outs.append(BatchOutputIn(product_id=self.r.product(group.gtin, maker),
                                      quantity=group.quantity, unit=group.unit,
                                      batch=group.batch, ref=ref))
            self._remember(group, ("ref", ref))
        self._add(index, TransformOp(type="transform", partner_id=maker,
                                     kind=TransformationKind.PROCESSING,
                                     occurred_at=event.event_time, inputs=made, outputs=outs))

    def aggregation(self, index: int, event: AggregationEvent) -> None:
        """ADD (or OBSERVE) records what a parent (pallet SSCC) contains."""
        children = self.groups(event.child_epcs, event.child_quantity_list)
        self.plan.groups[index] = children
        if event.parent_id and event.action in ("ADD", "OBSERVE") and children:
            self.containers[key_of(event.parent_id)] = children
        elif event.parent_id and event.action == "DELETE":
            self.containers.pop(key_of(event.parent_id), None)
