"""The in-memory replay of a bulk batch: the single services' rules, checked in their order,
against the records `chains.bulk_load` read, each operation seeing what earlier ones did.

Nothing here queries per operation; `Replay` only collects the rows `chains.bulk` writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from chains import bulk_load
from chains.bulk_load import Loaded
from chains.bulk_ops import HarvestOp, ReceiveOp, ShipOp, TransformOp
from registry import aquaculture, certifications, events, growing_areas, lots, validity
from registry.actors import Actor
from registry.errors import Conflict, Duplicate, FieldError, Invalid, NotFound
from registry.holdings import InsufficientQuantity, LotNotMovable
from registry.models import (
    EventKind,
    Lot,
    LotStatus,
    OriginType,
    PartnerKind,
    Shipment,
    ShipmentStatus,
    Transformation,
)
from registry.text import code_key
from registry.units import Unit, display, to_base, to_lot_base


@dataclass(slots=True)
class LotState:
    """What the rules need to know of a lot, stored or made in this batch."""

    id: int
    lot_code: str
    product_id: int
    base_unit: str
    status: LotStatus
    origin_summary: dict[str, Any]
    history_incomplete: bool


class Replay:
    """A batch replayed in memory; its attributes are the rows to write."""

    def __init__(self, session: Session, actor: Actor, loaded: Loaded, ops: list[Any]) -> None:
        self.actor, self.loaded = actor, loaded
        self.trust_incomplete = False  # an EPCIS capture: mass balance on what is known
        self.today = date.today()
        self.lots = {row.id: LotState(row.id, row.lot_code, row.product_id, row.base_unit,
                                      row.status, row.origin_summary or {},
                                      row.history_incomplete)
                     for row in loaded.lots_by_id.values()}
        self.codes = {state.lot_code: state.id for state in self.lots.values()}
        self.shipments = {sid: dict(row._mapping) for sid, row in loaded.shipments.items()}
        self.holdings = dict(loaded.holdings)
        self.touched: set[tuple[int, int]] = set()
        self.refs: dict[str, tuple[str, int, int]] = {}  # ref -> (kind, id, operation)
        self.new_lots: dict[int, dict[str, Any]] = {}
        self.new_shipments: dict[int, dict[str, Any]] = {}
        self.receipts: dict[int, dict[str, Any]] = {}
        self.transformations: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.inputs: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.done: list[dict[str, Any]] = []
        made = [(op.product_id, op.batch) for op in ops if isinstance(op, HarvestOp)]
        for op in ops:
            if isinstance(op, TransformOp):
                made += [(out.product_id, out.batch) for out in op.outputs]
        lot_ids = bulk_load.reserve_ids(session, Lot.__table__, len(made))
        codes = bulk_load.free_lot_codes(session, len(made))
        self._new_lots = iter(zip(lot_ids, codes, strict=True))
        self._shipment_ids = iter(bulk_load.reserve_ids(
            session, Shipment.__table__, sum(isinstance(op, ShipOp) for op in ops)))
        self._transformation_ids = iter(bulk_load.reserve_ids(
            session, Transformation.__table__, sum(isinstance(op, TransformOp) for op in ops)))
        self.batches = bulk_load.taken_batches(session, {
            (product, batch or code) for (product, batch), code in zip(made, codes, strict=True)})

    def apply(self, index: int, op: Any) -> None:
        """Check one operation's rules and record its rows; raise the first refusal."""
        if isinstance(op, HarvestOp):
            self.done.append(self.harvest(index, op))
        elif isinstance(op, ShipOp):
            self.done.append(self.ship(index, op))
        elif isinstance(op, ReceiveOp):
            self.done.append(self.receive(index, op))
        else:
            self.done.append(self.transform(index, op))

    # -- lookups -------------------------------------------------------------------------

    def _partner(self, partner_id: int, field: str) -> Any:
        partner = self.loaded.partners.get(partner_id)
        if partner is None:
            raise NotFound(f"partner {partner_id} is not registered",
                           errors=[FieldError(field, f"no partner {partner_id}")])
        return partner

    def _product(self, product_id: int, field: str) -> None:
        if product_id not in self.loaded.products:
            raise NotFound(f"product {product_id} is not registered",
                           errors=[FieldError(field, f"no product {product_id}")])

    def _referenced(self, ref: str, kind: str, field: str) -> int:
        found = self.refs.get(ref)
        if found is None or found[0] != kind:
            raise Invalid.field(field, f"no earlier operation of this batch made a {kind} "
                                f"with ref {ref!r}")
        return found[1]

    def _lot(self, lot_code: str | None, lot_ref: str | None, prefix: str = "") -> LotState:
        if lot_ref is not None:
            return self.lots[self._referenced(lot_ref, "lot", f"{prefix}lot_ref")]
        assert lot_code is not None
        lot_id = self.codes.get(lots.normal_lot_code(lot_code))
        if lot_id is None:
            raise NotFound(f"lot {lot_code!r} is not registered",
                           errors=[FieldError(f"{prefix}lot_code", f"no lot {lot_code!r}")])
        return self.lots[lot_id]

    def _name(self, ref: str | None, kind: str, target: int, index: int, field: str) -> None:
        if ref is None:
            return
        if ref in self.refs:
            raise Invalid.field(field, f"ref {ref!r} is already used by operation "
                                f"{self.refs[ref][2]}")
        self.refs[ref] = (kind, target, index)

    def _certs(self, column: str, holder_id: int, day: date, holder: str) -> list[dict[str, Any]]:
        history = self.loaded.history
        return [lots.cert_entry(c, self.loaded.scheme_names.get(c.scheme_key, c.scheme_key),
                                holder)
                for c in self.loaded.certs.get((column, holder_id), [])
                if validity.is_valid_on(c, history.get((certifications.SUBJECT, c.id), []), day)]

    # -- holdings ------------------------------------------------------------------------

    def _take(self, lot: LotState, partner_id: int, asked: int, lot_field: str,
              quantity_field: str) -> None:
        key = (lot.id, partner_id)
        held = self.holdings.get(key, 0)
        if self.trust_incomplete and lot.history_incomplete and held < asked:
            held = asked  # EPCIS: what the registry cannot account for, the event shows held
        if lot.status is not LotStatus.ACTIVE:
            raise LotNotMovable(lot, held=held, asked=asked, field=lot_field)  # type: ignore[arg-type]
        if held < asked:
            raise InsufficientQuantity(lot, held=held, asked=asked,  # type: ignore[arg-type]
                                       field=quantity_field)
        self.holdings[key] = held - asked
        self.touched.add(key)

    def _give(self, lot_id: int, partner_id: int, amount: int) -> None:
        key = (lot_id, partner_id)
        self.holdings[key] = self.holdings.get(key, 0) + amount
        self.touched.add(key)

    def _new_lot(self, product_id: int, batch: str | None, field: str,
                 columns: dict[str, Any]) -> dict[str, Any]:
        lot_id, code = next(self._new_lots)
        batch = batch or code
        if (product_id, batch) in self.batches:
            raise Duplicate(field, batch, f"batch of product {product_id}")
        self.batches.add((product_id, batch))
        row = {"id": lot_id, "lot_code": code, "batch": batch, "product_id": product_id,
               "status": LotStatus.ACTIVE, "growing_area_id": None,
               "aquaculture_registration_id": None, "transformation_id": None,
               "history_incomplete": False, **columns}
        self.new_lots[lot_id] = row
        self.lots[lot_id] = LotState(lot_id, code, product_id, row["base_unit"], LotStatus.ACTIVE,
                                     row["origin_summary"], row["history_incomplete"])
        self.codes[code] = lot_id
        return row

    def _event(self, kind: EventKind, occurred_at: Any, partner_id: int, *,
               lot_id: int | None = None, quantity: int | None = None,
               shipment_id: int | None = None, transformation_id: int | None = None,
               data: dict[str, Any]) -> None:
        self.events.append({"kind": kind, "occurred_at": occurred_at, "partner_id": partner_id,
                            "lot_id": lot_id, "quantity": quantity, "shipment_id": shipment_id,
                            "transformation_id": transformation_id, "data": data})

    # -- operations ----------------------------------------------------------------------

    def harvest(self, index: int, op: HarvestOp) -> dict[str, Any]:
        """`lots.harvest`, in memory."""
        producer = self._partner(op.partner_id, "partner_id")
        lots.ensure_may_record(self.actor, producer)
        self._product(op.product_id, "product_id")
        if op.produced_on > self.today:
            raise Invalid.field("produced_on", "is in the future")
        occurred = events.ensure_past(op.harvested_at or events.start_of_day(op.produced_on),
                                      "harvested_at")
        amount, base = to_base(op.quantity, op.unit)
        kind, origin = self._origin(op, producer)
        day = op.produced_on
        certs = self._certs("partner_id", producer.id, day, producer.name)
        if kind is OriginType.GROWING_AREA:
            certs += self._certs("growing_area_id", origin.id, day, origin.code)
        elif kind is OriginType.AQUACULTURE_REGISTRATION:
            certs += self._certs("aquaculture_registration_id", origin.id, day, origin.number)
        summary = lots.summary_of_harvest(kind, origin, producer, day, certs)
        row = self._new_lot(op.product_id, op.batch, "batch", {
            "producer_id": producer.id, "quantity": amount, "base_unit": base,
            "unit": op.unit.value, "produced_on": day, "origin_type": kind,
            "growing_area_id": origin.id if kind is OriginType.GROWING_AREA else None,
            "aquaculture_registration_id": (
                origin.id if kind is OriginType.AQUACULTURE_REGISTRATION else None),
            "origin_summary": summary,
            "history_incomplete": getattr(op, "history_incomplete", False)})
        self._name(op.ref, "lot", row["id"], index, "ref")
        self._give(row["id"], producer.id, amount)
        data = {"origin_type": kind.value, "origin": summary["origins"][0]["code"]}
        if row["history_incomplete"]:  # an EPCIS capture found it held, history unknown
            data["history_incomplete"] = True
        self._event(EventKind.HARVEST, occurred, producer.id, lot_id=row["id"], quantity=amount,
                    data=data)
        return {"lot_code": row["lot_code"]}

    def _origin(self, op: HarvestOp, producer: Any) -> tuple[OriginType, Any]:
        origin, day = op.origin, op.produced_on
        if origin.growing_area_code is not None:
            field = "origin.growing_area_code"
            area = self.loaded.areas.get(code_key(origin.growing_area_code))
            if area is None:
                raise NotFound(f"growing-area code {origin.growing_area_code!r} is not registered",
                               errors=[FieldError(field, "no growing area "
                                                  f"{origin.growing_area_code!r}")])
            if area.holder_id != producer.id:
                raise Invalid.field(field, f"{area.code} is held by partner {area.holder_id}, "
                                    f"not by partner {producer.id}")
            self._ensure_valid(area, growing_areas.SUBJECT, day, field,
                               f"growing-area code {area.code}")
            return OriginType.GROWING_AREA, area
        if origin.aquaculture_registration is not None:
            field, number = "origin.aquaculture_registration", origin.aquaculture_registration
            reg = self.loaded.registrations.get(code_key(number))
            if reg is None:
                raise NotFound(f"aquaculture registration {number!r} is not registered",
                               errors=[FieldError(field, f"no registration {number!r}")])
            if reg.holder_id != producer.id:
                raise Invalid.field(field, f"{reg.number} is held by partner {reg.holder_id}, "
                                    f"not by partner {producer.id}")
            self._ensure_valid(reg, aquaculture.SUBJECT, day, field,
                               f"aquaculture registration {reg.number}")
            return OriginType.AQUACULTURE_REGISTRATION, reg
        if origin.partner_id != producer.id:
            raise Invalid.field("origin.partner_id",
                                "a farm origin is the harvesting partner itself")
        return OriginType.PARTNER, producer

    def _ensure_valid(self, record: Any, subject: str, day: date, field: str, what: str) -> None:
        if not validity.is_valid_on(record, self.loaded.history.get((subject, record.id), []),
                                    day):
            raise Conflict(f"{what} was not valid on {day.isoformat()} "
                           f"(status {record.status.value}, valid until {record.valid_until})",
                           errors=[FieldError(field, f"not valid on {day.isoformat()}")])

    def ship(self, index: int, op: ShipOp) -> dict[str, Any]:
        """`shipments.ship`, in memory."""
        sender = self._partner(op.from_partner_id, "from_partner_id")
        lots.ensure_may_record(self.actor, sender)
        recipient = self._partner(op.to_partner_id, "to_partner_id")
        if recipient.id == sender.id:
            raise Invalid.field("to_partner_id", "a partner does not ship to itself")
        if recipient.kind is PartnerKind.AGENCY:
            raise Invalid.field("to_partner_id", "agencies take samples, not shipments")
        events.ensure_past(op.shipped_at, "shipped_at")
        lot = self._lot(op.lot_code, op.lot_ref)
        asked = to_lot_base(op.quantity, op.unit, lot.base_unit)
        self._take(lot, sender.id, asked, "lot_code" if op.lot_code else "lot_ref", "quantity")
        shipment_id = next(self._shipment_ids)
        self._name(op.ref, "shipment", shipment_id, index, "ref")
        row = {"id": shipment_id, "lot_id": lot.id, "from_partner_id": sender.id,
               "to_partner_id": recipient.id, "quantity": asked, "unit": op.unit.value,
               "shipped_at": op.shipped_at, "reference": op.reference,
               "status": ShipmentStatus.IN_TRANSIT, "received_at": None,
               "received_quantity": None}
        self.new_shipments[shipment_id] = self.shipments[shipment_id] = row
        self._event(EventKind.SHIP, op.shipped_at, sender.id, lot_id=lot.id, quantity=asked,
                    shipment_id=shipment_id,
                    data={"to_partner_id": recipient.id, "reference": op.reference})
        return {"lot_code": lot.lot_code, "shipment_id": shipment_id}

    def receive(self, index: int, op: ReceiveOp) -> dict[str, Any]:
        """`shipments.receive`, in memory."""
        if op.shipment_ref is not None:
            field = "shipment_ref"
            shipment = self.shipments[self._referenced(op.shipment_ref, "shipment", field)]
        else:
            field = "shipment_id"
            found = self.shipments.get(op.shipment_id)  # type: ignore[arg-type]
            if found is None:
                raise NotFound(f"shipment {op.shipment_id} is not recorded",
                               errors=[FieldError(field, f"no shipment {op.shipment_id}")])
            shipment = found
        lots.ensure_may_record(self.actor, self.loaded.partners[shipment["to_partner_id"]])
        events.ensure_past(op.received_at, "received_at")
        if op.received_at < shipment["shipped_at"]:
            raise Invalid.field("received_at", "is before the shipment left")
        lot = self.lots[shipment["lot_id"]]
        unit = op.unit or Unit(shipment["unit"])
        arrived = 0 if op.quantity == 0 else to_lot_base(op.quantity, unit, lot.base_unit)
        if arrived > shipment["quantity"]:
            shown = display(shipment["quantity"], lot.base_unit, shipment["unit"])[0]
            raise Invalid.field("quantity", f"more than was shipped ({shown} "
                                f"{shipment['unit']})")
        if shipment["status"] is not ShipmentStatus.IN_TRANSIT:
            raise Conflict(f"shipment {shipment['id']} was already received",
                           errors=[FieldError(field, "already received")])
        shipment.update(status=ShipmentStatus.RECEIVED, received_at=op.received_at,
                        received_quantity=arrived)
        if shipment["id"] not in self.new_shipments:
            self.receipts[shipment["id"]] = {
                "sid": shipment["id"], "st": ShipmentStatus.RECEIVED, "rat": op.received_at,
                "rq": arrived}
        if arrived:
            self._give(lot.id, shipment["to_partner_id"], arrived)
        self._event(EventKind.RECEIVE, op.received_at, shipment["to_partner_id"], lot_id=lot.id,
                    quantity=arrived, shipment_id=shipment["id"],
                    data={"from_partner_id": shipment["from_partner_id"],
                          "shortfall": shipment["quantity"] - arrived})
        return {"lot_code": lot.lot_code, "shipment_id": shipment["id"]}

    def transform(self, index: int, op: TransformOp) -> dict[str, Any]:
        """`transformations.transform`, in memory."""
        maker = self._partner(op.partner_id, "partner_id")
        lots.ensure_may_record(self.actor, maker)
        events.ensure_past(op.occurred_at, "occurred_at")
        consumed: list[tuple[LotState, int]] = []
        seen: set[int] = set()
        for i, item in enumerate(op.inputs):
            lot = self._lot(item.lot_code, item.lot_ref, f"inputs.{i}.")
            lot_field = f"inputs.{i}.lot_code" if item.lot_code else f"inputs.{i}.lot_ref"
            if lot.id in seen:
                raise Invalid.field(lot_field, f"lot {lot.lot_code} is listed twice")
            seen.add(lot.id)
            asked = to_lot_base(item.quantity, item.unit, lot.base_unit,
                                field=f"inputs.{i}.quantity")
            self._take(lot, maker.id, asked, lot_field, f"inputs.{i}.quantity")
            consumed.append((lot, asked))
        day = op.occurred_at.astimezone(events.VN_TZ).date()
        transformation_id = next(self._transformation_ids)
        self.transformations.append({"id": transformation_id, "partner_id": maker.id,
                                     "kind": op.kind.value, "occurred_at": op.occurred_at})
        summary = lots.merge_summaries([lot.origin_summary or {} for lot, _ in consumed], maker,
                                       day, self._certs("partner_id", maker.id, day, maker.name))
        incomplete = any(lot.history_incomplete for lot, _ in consumed)
        made: list[dict[str, Any]] = []
        for k, out in enumerate(op.outputs):
            self._product(out.product_id, f"outputs.{k}.product_id")
            amount, base = to_base(out.quantity, out.unit, field=f"outputs.{k}.quantity")
            row = self._new_lot(out.product_id, out.batch, f"outputs.{k}.batch", {
                "producer_id": maker.id, "quantity": amount, "base_unit": base,
                "unit": out.unit.value, "produced_on": day,
                "origin_type": OriginType.TRANSFORMATION, "transformation_id": transformation_id,
                "origin_summary": summary, "history_incomplete": incomplete})
            self._name(out.ref, "lot", row["id"], index, f"outputs.{k}.ref")
            made.append(row)
        self.inputs += [{"transformation_id": transformation_id, "lot_id": lot.id,
                         "quantity": asked} for lot, asked in consumed]
        self.edges += [{"parent_id": parent.id, "child_id": child["id"],
                        "transformation_id": transformation_id}
                       for parent, _ in consumed for child in made]
        for row in made:
            self._give(row["id"], maker.id, row["quantity"])
        self._event(EventKind.TRANSFORM, op.occurred_at, maker.id,
                    transformation_id=transformation_id,
                    data={"kind": op.kind.value,
                          "inputs": [{"lot_code": lot.lot_code, "quantity": q}
                                     for lot, q in consumed],
                          "outputs": [{"lot_code": row["lot_code"], "quantity": row["quantity"]}
                                      for row in made]})
        return {"transformation_id": transformation_id, "outputs": [row["id"] for row in made]}
