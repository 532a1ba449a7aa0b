"""The bulk path: the single services' rules and rows, set-based, in order, all or nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import event, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from chains import bulk
from chains.bulk_ops import MAX_OPERATIONS, BatchIn
from registry import audit, database
from registry.actors import SYSTEM
from registry.models import (
    AuditEntry,
    Event,
    Holding,
    Lot,
    LotEdge,
    LotStatus,
    Shipment,
    Transformation,
)
from tests import factories
from tests.chains import bulk_scenario
from tests.chains.conftest import Chain, harvest, holdings, move, ship

STORED = [Lot, Holding, Shipment, Transformation, LotEdge, Event, AuditEntry]


def counts(session: Session) -> dict[str, int]:
    session.commit()  # a fresh snapshot: what the API committed since
    return {m.__tablename__: session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in STORED}


def test_the_bulk_path_stores_exactly_what_the_single_services_store(
        session: Session, database_url: str, migrated_url: str, tmp_path: Path) -> None:
    ids = bulk_scenario.build_registry(session)
    session.commit()
    bulk_scenario.record_singly(session, SYSTEM, bulk_scenario.operations(ids))
    session.commit()
    assert session.execute(select(Lot.id).where(Lot.batch == "MAU-01")).scalar_one() == 6
    traced = [1, 2, 3, 5]  # the harvests a, b, c and the first box lot
    singly = bulk_scenario.snapshot(session, traced)
    session.close()
    if database_url.startswith("sqlite"):  # a second fresh database, as the first was
        template = make_url(migrated_url).database
        assert template is not None
        second = f"sqlite:///{shutil.copy(template, tmp_path / 'second.sqlite3')}"
    else:
        database.truncate_all(database_url)
        second = database_url
    engine = database.make_engine(second)
    try:
        with database.make_sessions(engine)() as other:
            assert bulk_scenario.build_registry(other) == ids
            other.commit()
            result = bulk.record_batch(other, SYSTEM, bulk_scenario.operations(ids))
            other.commit()
            assert result.operations == result.events == 17
            in_bulk = bulk_scenario.snapshot(other, traced)
    finally:
        engine.dispose()
    assert in_bulk["tables"] == singly["tables"]
    assert in_bulk["traces"] == singly["traces"]


def test_a_batch_harvests_ships_receives_and_transforms_in_one_request(chain: Chain) -> None:
    ids = chain.ids
    body = {"operations": [
        {"type": "harvest", "ref": "a", "product_id": ids["lime"], "partner_id": ids["farm_a"],
         "quantity": "1", "unit": "t", "produced_on": "2026-11-01",
         "origin": {"growing_area_code": chain.areas["farm_a"]}},
        {"type": "ship", "ref": "to-packer", "lot_ref": "a", "quantity": "800", "unit": "kg",
         "from_partner_id": ids["farm_a"], "to_partner_id": ids["packer"],
         "shipped_at": "2026-11-02T08:00:00+07:00"},
        {"type": "receive", "shipment_ref": "to-packer", "quantity": "790", "unit": "kg",
         "received_at": "2026-11-02T15:00:00+07:00"},
        {"type": "transform", "partner_id": ids["packer"], "kind": "packing",
         "occurred_at": "2026-11-03T09:00:00+07:00",
         "inputs": [{"lot_ref": "a", "quantity": "790", "unit": "kg"}],
         "outputs": [{"ref": "boxes", "product_id": ids["box"], "quantity": "700",
                      "unit": "box"}]},
        {"type": "ship", "lot_ref": "boxes", "quantity": "700", "unit": "box",
         "from_partner_id": ids["packer"], "to_partner_id": ids["distributor"],
         "shipped_at": "2026-11-03T15:00:00+07:00"},
    ]}
    response = chain.api("admin").post("/events/bulk", json=body)
    assert response.status_code == 201, response.json
    results = response.json["results"]
    assert [r["type"] for r in results] == ["harvest", "ship", "receive", "transform", "ship"]
    lime, box = results[0]["lot_code"], results[3]["outputs"][0]["lot_code"]
    assert results[1]["lot_code"] == lime and results[2]["shipment_id"] == results[1]["shipment_id"]
    assert results[3]["outputs"][0] == {"lot_code": box, "product_id": ids["box"], "batch": box,
                                        "quantity": 700, "unit": "box", "ref": "boxes"}
    assert holdings(chain, lime) == {ids["farm_a"]: 200_000}  # the packer used all it got
    assert holdings(chain, box) == {}  # all 700 boxes are on their way
    lot = chain.api("admin").get(f"/lots/{box}").json
    assert lot["in_transit"][0]["to_partner"]["id"] == ids["distributor"]
    assert lot["origin_summary"]["origins"][0]["code"] == chain.areas["farm_a"]
    trace = chain.api("admin").get(f"/lots/{lime}/trace?direction=forward").json
    assert {r["to_partner"]["id"] for r in trace["recipients"]} == {ids["packer"],
                                                                   ids["distributor"]}


def test_the_batch_is_audited_once_with_its_digest(session: Session, chain: Chain) -> None:
    before = counts(session)["audit_entry"]
    ops = BatchIn.model_validate({"operations": [
        {"type": "harvest", "product_id": chain.ids["lime"], "partner_id": chain.ids["farm_b"],
         "quantity": "5", "unit": "kg", "produced_on": "2026-11-01",
         "origin": {"growing_area_code": chain.areas["farm_b"]}}] * 3}).operations
    result = bulk.record_batch(session, SYSTEM, ops)
    session.commit()
    entries = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().all()
    assert len(entries) == before + 1
    data = json.loads(entries[0].data)
    expected = hashlib.sha256(audit.canonical([op.model_dump(mode="json") for op in ops])
                              .encode()).hexdigest()
    assert (data["operations"], data["events"], data["sha256"]) == (3, 3, expected)
    assert result.sha256 == expected and entries[0].action == "record_batch"
    assert audit.verify(session).ok


def _harvest_op(chain: Chain, farm: str = "farm_a", **extra: Any) -> dict[str, Any]:
    return {"type": "harvest", "product_id": chain.ids["lime"], "partner_id": chain.ids[farm],
            "quantity": "100", "unit": "kg", "produced_on": "2026-11-01",
            "origin": {"growing_area_code": chain.areas[farm]}, **extra}


def _ship_op(chain: Chain, lot: dict[str, str], src: str, dst: str, quantity: str = "10",
             unit: str = "kg") -> dict[str, Any]:
    return {"type": "ship", **lot, "quantity": quantity, "unit": unit,
            "from_partner_id": chain.ids[src], "to_partner_id": chain.ids[dst],
            "shipped_at": "2026-11-02T08:00:00+07:00"}


Refusal = Callable[[Chain, Session, str], list[dict[str, Any]]]


def _stored_lot(chain: Chain, session: Session, status: LotStatus) -> str:
    code = harvest(chain, quantity="100").json["lot_code"]
    session.execute(update(Lot).where(Lot.lot_code == code).values(status=status))
    session.commit()
    return code


def _registration(session: Session) -> str:
    number = factories.registration(session).number
    session.commit()
    return number


REFUSALS: dict[str, tuple[Refusal, int, str]] = {
    "more than held": (lambda c, s, code: [
        _harvest_op(c, ref="x"), _ship_op(c, {"lot_ref": "x"}, "farm_a", "collector", "60"),
        _ship_op(c, {"lot_ref": "x"}, "farm_a", "packer", "41")], 409, "operations.2.quantity"),
    "more than held, stored": (lambda c, s, code: [
        _harvest_op(c), _ship_op(c, {"lot_code": code}, "farm_a", "packer", "100.001")],
        409, "operations.1.quantity"),
    "not held by the sender": (lambda c, s, code: [
        _ship_op(c, {"lot_code": code}, "collector", "packer")], 409, "operations.0.quantity"),
    "lot on hold": (lambda c, s, code: [
        _harvest_op(c), _ship_op(c, {"lot_code": _stored_lot(c, s, LotStatus.ON_HOLD)},
                                 "farm_a", "packer")], 409, "operations.1.lot_code"),
    "lot recalled": (lambda c, s, code: [
        _harvest_op(c), {"type": "transform", "partner_id": c.ids["farm_a"], "kind": "packing",
                         "occurred_at": "2026-11-03T09:00:00+07:00",
                         "inputs": [{"lot_code": _stored_lot(c, s, LotStatus.RECALLED),
                                     "quantity": "1", "unit": "kg"}],
                         "outputs": [{"product_id": c.ids["box"], "quantity": "1",
                                      "unit": "box"}]}], 409, "operations.1.inputs.0.lot_code"),
    "lot destroyed": (lambda c, s, code: [
        _ship_op(c, {"lot_code": _stored_lot(c, s, LotStatus.DESTROYED)}, "farm_a", "packer")],
        409, "operations.0.lot_code"),
    "units that do not convert": (lambda c, s, code: [
        _harvest_op(c), _ship_op(c, {"lot_code": code}, "farm_a", "packer", "1", "box")],
        422, "operations.1.unit"),
    "received twice": (lambda c, s, code: [
        _harvest_op(c), {"type": "receive", "shipment_id": move(c, code, "farm_a", "packer", "5"),
                         "quantity": "5", "received_at": "2026-11-03T08:00:00+07:00"}],
        409, "operations.1.shipment_id"),
    "received twice in the batch": (lambda c, s, code: [
        {**_ship_op(c, {"lot_code": code}, "farm_a", "packer"), "ref": "s"},
        {"type": "receive", "shipment_ref": "s", "quantity": "5",
         "received_at": "2026-11-03T08:00:00+07:00"},
        {"type": "receive", "shipment_ref": "s", "quantity": "5",
         "received_at": "2026-11-03T08:00:00+07:00"}], 409, "operations.2.shipment_ref"),
    "more received than shipped": (lambda c, s, code: [
        {**_ship_op(c, {"lot_code": code}, "farm_a", "packer"), "ref": "s"},
        {"type": "receive", "shipment_ref": "s", "quantity": "11",
         "received_at": "2026-11-03T08:00:00+07:00"}], 422, "operations.1.quantity"),
    "batch taken": (lambda c, s, code: [_harvest_op(c, batch="LOT-1")], 409,
                    "operations.0.batch"),
    "batch twice in the batch": (lambda c, s, code: [
        _harvest_op(c, batch="LOT-2"), _harvest_op(c, batch="LOT-2")], 409,
        "operations.1.batch"),
    "area held by another partner": (lambda c, s, code: [
        _harvest_op(c), {**_harvest_op(c), "origin": {"growing_area_code": c.areas["farm_b"]}}],
        422, "operations.1.origin.growing_area_code"),
    "area not yet valid": (lambda c, s, code: [_harvest_op(c, produced_on="2021-01-01")], 409,
                           "operations.0.origin.growing_area_code"),
    "registration held by another partner": (lambda c, s, code: [
        {**_harvest_op(c), "origin": {"aquaculture_registration": _registration(s)}}],
        422, "operations.0.origin.aquaculture_registration"),
    "unknown lot ref": (lambda c, s, code: [
        _ship_op(c, {"lot_ref": "later"}, "farm_a", "packer"), _harvest_op(c, ref="later")],
        422, "operations.0.lot_ref"),
    "unknown product": (lambda c, s, code: [_harvest_op(c), {**_harvest_op(c),
                                                            "product_id": 999_999}],
                        404, "operations.1.product_id"),
    "not the sender's own lot": (lambda c, s, code: [
        _harvest_op(c), _harvest_op(c, "farm_b")], 403, "operations.1.partner_id"),
    "bad value": (lambda c, s, code: [_harvest_op(c), _harvest_op(c, quantity="-1")], 422,
                  "operations.1.quantity"),
}


AS_ADMIN = {"not held by the sender", "received twice", "received twice in the batch",
            "more received than shipped"}
"""Cases that act for several partners; the others are sent by farm_a's user."""


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_each_refusal_aborts_the_whole_batch_naming_the_operation(
        case: str, chain: Chain, session: Session) -> None:
    make, status, field = REFUSALS[case]
    code = harvest(chain, quantity="100", batch="LOT-1").json["lot_code"]
    operations = make(chain, session, code)
    before = counts(session)
    who = "admin" if case in AS_ADMIN else "farm_a"
    response = chain.api(who).post("/events/bulk", json={"operations": operations})
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["field"] == field
    assert counts(session) == before


def test_agencies_record_only_within_their_provinces(chain: Chain, session: Session) -> None:
    before = counts(session)
    response = chain.api("agency_92").post("/events/bulk", json={"operations": [
        _harvest_op(chain), _harvest_op(chain, "farm_b")]})
    assert response.status_code == 403
    assert response.json["errors"][0]["field"] == "operations.0.partner_id"
    assert counts(session) == before
    assert chain.api("agency_80").post("/events/bulk", json={"operations": [
        _harvest_op(chain), _harvest_op(chain, "farm_b")]}).status_code == 201


def test_a_batch_has_at_most_ten_thousand_operations(chain: Chain) -> None:
    with pytest.raises(ValidationError) as raised:
        BatchIn.model_validate({"operations": [_harvest_op(chain)] * (MAX_OPERATIONS + 1)})
    assert raised.value.errors()[0]["loc"] == ("operations",)


def test_parallel_batches_never_take_more_than_is_held(app: Any, chain: Chain) -> None:
    code = harvest(chain, quantity="100").json["lot_code"]  # 100 kg
    token = chain.api("farm_a").token
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def fire() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/events/bulk",
                               headers={"Authorization": f"Bearer {token}"},
                               json={"operations": [
                                   _ship_op(chain, {"lot_code": code}, "farm_a", "collector"),
                                   _ship_op(chain, {"lot_code": code}, "farm_a", "packer")]})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=fire) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] * 5 + [409] * 3
    with app.extensions["nguongoc.sessions"]() as s:
        shipped = s.execute(select(func.sum(Shipment.quantity))).scalar_one()
        left = s.execute(select(Holding.quantity)
                         .where(Holding.partner_id == chain.ids["farm_a"])).scalar_one()
    assert (shipped, left) == (100_000, 0)


def test_single_and_bulk_shipments_share_one_mass_balance(chain: Chain) -> None:
    code = harvest(chain, quantity="30").json["lot_code"]
    assert ship(chain, code, "farm_a", "collector", "20").status_code == 201
    response = chain.api("farm_a").post("/events/bulk", json={"operations": [
        _ship_op(chain, {"lot_code": code}, "farm_a", "packer", "11")]})
    assert response.status_code == 409
    assert "holds 10000 g" in response.json["detail"]


def test_the_number_of_queries_does_not_grow_with_the_batch(
        app: Any, chain: Chain, session: Session) -> None:
    engine = app.extensions["nguongoc.engine"]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def batch(blocks: int) -> list[Any]:
        raw: list[dict[str, Any]] = []
        for k in range(blocks):
            raw += [_harvest_op(chain, ref=f"h{k}"),
                    {**_ship_op(chain, {"lot_ref": f"h{k}"}, "farm_a", "packer"), "ref": f"s{k}"},
                    {"type": "receive", "shipment_ref": f"s{k}", "quantity": "10",
                     "received_at": "2026-11-02T09:00:00+07:00"}]
        return BatchIn.model_validate({"operations": raw}).operations

    sizes = []
    for blocks in (2, 40):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        bulk.record_batch(session, SYSTEM, batch(blocks))
        session.commit()
        event.remove(engine, "before_cursor_execute", count)
        sizes.append(len(statements))
    assert sizes[0] == sizes[1] < 30
