"""A deterministic registry and a chain of operations, recorded through the single services or
through the bulk path, and a snapshot of what each stored (for tests/chains/test_bulk.py)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chains import trace as tracing
from chains.bulk_ops import BatchIn, HarvestOp, ReceiveOp, ShipOp, TransformOp
from registry import lots, shipments, transformations
from registry.actors import Actor
from registry.models import (
    Event,
    Holding,
    Lot,
    LotEdge,
    Partner,
    Shipment,
    Transformation,
    TransformationInput,
)
from tests import factories

PARTNERS = [("farm_a", "cooperative", "80"), ("farm_b", "producer", "80"),
            ("farm_c", "cooperative", "22"), ("collector", "collector", "80"),
            ("packer", "packing_house", "80"), ("distributor", "distributor", "92"),
            ("shop_1", "retailer", "92"), ("shop_2", "retailer", "92")]


def build_registry(session: Session) -> dict[str, Any]:
    """Partners, growing areas, a registration, products and certifications, always alike."""
    ids: dict[str, Any] = {}
    for key, kind, province in PARTNERS:
        ids[key] = factories.partner(session, kind=kind, province=province,
                                     name=f"Đối tác {key}").id

    def holder(key: str) -> Partner:
        found = session.get(Partner, ids[key])
        assert found is not None
        return found

    ids["area_a"] = factories.growing_area(session, holder=holder("farm_a"),
                                           code="VN-80-803-27811-01-22").code
    ids["area_b"] = factories.growing_area(session, holder=holder("farm_b"),
                                           code="VN-80-803-27811-02-22").code
    ids["reg_c"] = factories.registration(session, holder=holder("farm_c"),
                                          number="22-VD-2024-0001").number
    ids["lime"] = factories.product(session, owner=holder("farm_a"), name_vi="Chanh không hạt",
                                    gtin=factories.gtin(901)).id
    ids["oyster"] = factories.product(session, owner=holder("farm_c"), name_vi="Hàu Vân Đồn",
                                      category="seafood", gtin=factories.gtin(902)).id
    ids["box"] = factories.product(session, owner=holder("packer"), name_vi="Hộp chanh",
                                   category="processed_prepackaged", gtin=factories.gtin(903)).id
    factories.certification(session, "partner", ids["farm_a"], number="VG-A")
    factories.certification(session, "growing_area", ids["area_a"], number="VG-AREA-A")
    factories.certification(session, "partner", ids["packer"], scheme="haccp", number="HACCP-P")
    factories.certification(session, "partner", ids["farm_b"], number="VG-OLD",
                            valid_until=date(2025, 1, 1))  # expired before the harvest
    return ids


def operations(ids: dict[str, Any]) -> list[Any]:
    """Three harvests -> collector (merge) -> packer boxes -> distributor -> two shops."""
    def at(day: int, hour: int) -> str:
        return f"2026-11-{day:02d}T{hour:02d}:00:00+07:00"

    raw: list[dict[str, Any]] = [
        {"type": "harvest", "ref": "a", "product_id": ids["lime"], "partner_id": ids["farm_a"],
         "quantity": "1000", "unit": "kg", "produced_on": "2026-11-01",
         "origin": {"growing_area_code": ids["area_a"]}},
        {"type": "harvest", "ref": "b", "product_id": ids["lime"], "partner_id": ids["farm_b"],
         "quantity": "400000", "unit": "g", "produced_on": "2026-11-01", "batch": "B-2026-1",
         "origin": {"growing_area_code": ids["area_b"]}},
        {"type": "harvest", "ref": "c", "product_id": ids["oyster"], "partner_id": ids["farm_c"],
         "quantity": "2", "unit": "t", "produced_on": "2026-11-01",
         "harvested_at": at(1, 5), "origin": {"aquaculture_registration": ids["reg_c"]}},
        {"type": "harvest", "ref": "d", "product_id": ids["lime"], "partner_id": ids["farm_a"],
         "quantity": "50", "unit": "kg", "produced_on": "2026-11-02",
         "origin": {"partner_id": ids["farm_a"]}},
        {"type": "ship", "ref": "s1", "lot_ref": "a", "quantity": "900", "unit": "kg",
         "from_partner_id": ids["farm_a"], "to_partner_id": ids["packer"],
         "shipped_at": at(2, 8), "reference": "PXK-001"},
        {"type": "receive", "shipment_ref": "s1", "received_at": at(2, 16), "quantity": "900"},
        {"type": "ship", "ref": "s2", "lot_ref": "b", "quantity": "0.4", "unit": "t",
         "from_partner_id": ids["farm_b"], "to_partner_id": ids["collector"],
         "shipped_at": at(2, 7)},
        {"type": "receive", "shipment_ref": "s2", "received_at": at(2, 12), "quantity": "390",
         "unit": "kg"},
        {"type": "ship", "ref": "s3", "lot_ref": "b", "quantity": "350", "unit": "kg",
         "from_partner_id": ids["collector"], "to_partner_id": ids["packer"],
         "shipped_at": at(2, 18)},
        {"type": "receive", "shipment_ref": "s3", "received_at": at(2, 20), "quantity": "350000",
         "unit": "g"},
        {"type": "transform", "partner_id": ids["packer"], "kind": "packing",
         "occurred_at": at(3, 10),
         "inputs": [{"lot_ref": "a", "quantity": "900", "unit": "kg"},
                    {"lot_ref": "b", "quantity": "350", "unit": "kg"}],
         "outputs": [{"ref": "box", "product_id": ids["box"], "quantity": "1200", "unit": "box"},
                     {"product_id": ids["box"], "quantity": "10", "unit": "box",
                      "batch": "MAU-01"}]},
        {"type": "ship", "ref": "s4", "lot_ref": "box", "quantity": "1000", "unit": "box",
         "from_partner_id": ids["packer"], "to_partner_id": ids["distributor"],
         "shipped_at": at(4, 8)},
        {"type": "receive", "shipment_ref": "s4", "received_at": at(4, 15), "quantity": "1000"},
        {"type": "ship", "ref": "s5", "lot_ref": "box", "quantity": "600", "unit": "box",
         "from_partner_id": ids["distributor"], "to_partner_id": ids["shop_1"],
         "shipped_at": at(5, 8)},
        {"type": "ship", "ref": "s6", "lot_ref": "box", "quantity": "300", "unit": "box",
         "from_partner_id": ids["distributor"], "to_partner_id": ids["shop_2"],
         "shipped_at": at(5, 9)},
        {"type": "receive", "shipment_ref": "s5", "received_at": at(5, 17), "quantity": "0"},
        {"type": "ship", "ref": "s7", "lot_ref": "c", "quantity": "500", "unit": "kg",
         "from_partner_id": ids["farm_c"], "to_partner_id": ids["distributor"],
         "shipped_at": at(2, 9)},
    ]
    return BatchIn.model_validate({"operations": raw}).operations


def record_singly(session: Session, actor: Actor, ops: list[Any]) -> None:
    """The same operations through lots.harvest, shipments.ship/receive, transformations."""
    refs: dict[str, Any] = {}
    for op in ops:
        if isinstance(op, HarvestOp):
            lot = lots.harvest(session, actor, lots.LotIn(**op.model_dump(exclude={"type", "ref"})))
            refs[op.ref or ""] = lot.lot_code
        elif isinstance(op, ShipOp):
            data = op.model_dump(exclude={"type", "ref", "lot_ref", "lot_code"})
            sent = shipments.ship(session, actor, shipments.ShipmentIn(
                **data, lot_code=op.lot_code or refs[op.lot_ref or ""]))
            refs[op.ref or ""] = sent.id
        elif isinstance(op, ReceiveOp):
            shipments.receive(session, actor, op.shipment_id or refs[op.shipment_ref or ""],
                              shipments.ReceiptIn(**op.model_dump(
                                  exclude={"type", "shipment_id", "shipment_ref"})))
        elif isinstance(op, TransformOp):
            data = op.model_dump(exclude={"type", "inputs", "outputs"})
            _, made = transformations.transform(session, actor, transformations.TransformationIn(
                **data,
                inputs=[{"lot_code": i.lot_code or refs[i.lot_ref or ""], "quantity": i.quantity,
                         "unit": i.unit} for i in op.inputs],
                outputs=[o.model_dump(exclude={"ref"}) for o in op.outputs]))
            for out, lot in zip(op.outputs, made, strict=True):
                refs[out.ref or ""] = lot.lot_code


TABLES = [Lot, Holding, Shipment, Transformation, TransformationInput, LotEdge, Event]
VOLATILE = {"created_at", "recorded_at"}


def snapshot(session: Session, traced: list[int]) -> dict[str, Any]:
    """Every row the chain tables hold (timestamps of recording left out), lot codes replaced
    by lot ids, and the JSON traces of `traced` lots both ways."""
    codes = dict(session.execute(select(Lot.lot_code, Lot.id)).all())
    tables: dict[str, Any] = {}
    for model in TABLES:
        table = model.__table__
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        tables[table.name] = [{k: v for k, v in row.items() if k not in VOLATILE}
                              for row in rows]
    traces = []
    for lot_id in traced:
        lot = session.get(Lot, lot_id)
        assert lot is not None
        for direction in ("backward", "forward"):
            traces.append(tracing.render(tracing.load(session, lot, direction))
                          .model_dump(mode="json"))
    text = json.dumps({"tables": tables, "traces": traces}, default=str, sort_keys=True,
                      ensure_ascii=False)
    for code, lot_id in codes.items():
        text = text.replace(code, f"<lot {lot_id}>")
    result: dict[str, Any] = json.loads(text)
    result["traces"] = _unordered(result["traces"])  # renderers sort some lists by lot code
    return result


def _unordered(value: Any) -> Any:
    """Lists sorted (deeply), so that random lot codes do not decide the comparison."""
    if isinstance(value, dict):
        return {k: _unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_unordered(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value
