"""Harvests, shipments, receipts and transformations keep holdings right (mass balance)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from registry.models import Lot, LotStatus
from tests.chains.conftest import Chain, harvest, holdings, move, pack, receive, ship


def test_a_harvest_creates_a_lot_held_by_the_farm_in_grams(chain: Chain) -> None:
    response = harvest(chain, quantity="1.5", unit="t")
    assert response.status_code == 201, response.json
    lot = response.json
    assert len(lot["lot_code"]) == 10 and lot["batch"] == lot["lot_code"]
    assert (lot["base_quantity"], lot["base_unit"], lot["unit"]) == (1_500_000, "g", "t")
    assert lot["holdings"][0]["partner"]["id"] == chain.ids["farm_a"]
    assert lot["origin_summary"]["origins"][0]["code"] == chain.areas["farm_a"]
    assert lot["origin_summary"]["origins"][0]["province_name_current"] == "Tỉnh Tây Ninh"


def test_the_producers_batch_is_unique_per_product(chain: Chain) -> None:
    assert harvest(chain, batch="L2611-01").status_code == 201
    again = harvest(chain, batch="L2611-01")
    assert again.status_code == 409 and again.json["errors"][0]["field"] == "batch"


def test_a_harvest_from_someone_elses_growing_area_is_refused(chain: Chain) -> None:
    body = {"product_id": chain.ids["lime"], "partner_id": chain.ids["farm_a"],
            "quantity": "10", "unit": "kg", "produced_on": "2026-11-01",
            "origin": {"growing_area_code": chain.areas["farm_b"]}}
    response = chain.api("farm_a").post("/lots", json=body)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "origin.growing_area_code"


def test_a_partner_cannot_harvest_for_another_partner(chain: Chain) -> None:
    body = {"product_id": chain.ids["lime"], "partner_id": chain.ids["farm_a"],
            "quantity": "10", "unit": "kg", "produced_on": "2026-11-01",
            "origin": {"growing_area_code": chain.areas["farm_a"]}}
    assert chain.api("farm_b").post("/lots", json=body).status_code == 403


def test_bad_quantities_and_units_are_422_naming_the_field(chain: Chain) -> None:
    assert harvest(chain, quantity="-5").json["errors"][0]["field"] == "quantity"
    assert harvest(chain, unit="bushel").json["errors"][0]["field"] == "unit"
    finer = harvest(chain, quantity="0.0001", unit="kg")
    assert finer.status_code == 422 and finer.json["errors"][0]["field"] == "quantity"


def test_shipping_more_than_held_is_a_409_that_changes_nothing(chain: Chain) -> None:
    code = harvest(chain).json["lot_code"]
    assert ship(chain, code, "farm_a", "collector", "600").status_code == 201
    response = ship(chain, code, "farm_a", "collector", "0.5", unit="t")
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["field"] == "quantity"
    assert "400000 g" in response.json["detail"] and "500000 g" in response.json["detail"]
    assert holdings(chain, code) == {chain.ids["farm_a"]: 400_000}


def test_receiving_records_the_shortfall_and_only_once(chain: Chain) -> None:
    code = harvest(chain).json["lot_code"]
    shipment = ship(chain, code, "farm_a", "collector", "500").json
    assert shipment["status"] == "in_transit"
    got = receive(chain, shipment["id"], "collector", "490")
    assert got.status_code == 200 and got.json["shortfall"] == 10
    twice = receive(chain, shipment["id"], "collector", "490")
    assert twice.status_code == 409
    assert holdings(chain, code) == {chain.ids["farm_a"]: 500_000,
                                     chain.ids["collector"]: 490_000}


def test_only_the_recipient_receives_and_never_more_than_shipped(chain: Chain) -> None:
    code = harvest(chain).json["lot_code"]
    sid = ship(chain, code, "farm_a", "collector", "500").json["id"]
    assert receive(chain, sid, "packer", "500").status_code == 403
    assert receive(chain, sid, "collector", "501").json["errors"][0]["field"] == "quantity"


def test_mass_units_convert_and_count_units_do_not(chain: Chain) -> None:
    code = harvest(chain).json["lot_code"]
    assert ship(chain, code, "farm_a", "collector", "250000", unit="g").status_code == 201
    wrong = ship(chain, code, "farm_a", "collector", "3", unit="box")
    assert wrong.status_code == 422 and wrong.json["errors"][0]["field"] == "unit"


def _set_status(app: Any, code: str, status: LotStatus) -> None:
    with app.extensions["nguongoc.sessions"]() as s:
        s.execute(update(Lot).where(Lot.lot_code == code).values(status=status))
        s.commit()


def test_lots_on_hold_recalled_or_destroyed_do_not_move(app: Any, chain: Chain) -> None:
    for status in (LotStatus.ON_HOLD, LotStatus.RECALLED, LotStatus.DESTROYED):
        code = harvest(chain).json["lot_code"]
        _set_status(app, code, status)
        shipped = ship(chain, code, "farm_a", "collector", "10")
        assert shipped.status_code == 409 and status.value in shipped.json["detail"]
        assert "held 1000000 g" in shipped.json["detail"]
        packed = pack(chain, [(code, "10", "kg")], who="farm_a")
        assert packed.status_code == 409


def test_a_transformation_consumes_held_inputs_and_makes_new_lots(chain: Chain) -> None:
    a = harvest(chain, "farm_a").json["lot_code"]
    b = harvest(chain, "farm_b", quantity="300").json["lot_code"]
    move(chain, a, "farm_a", "packer", "800")
    move(chain, b, "farm_b", "packer", "300")
    made = pack(chain, [(a, "700", "kg"), (b, "0.3", "t")], quantity="950")
    assert made.status_code == 201, made.json
    box = made.json["outputs"][0]["lot_code"]
    assert holdings(chain, a)[chain.ids["packer"]] == 100_000
    assert chain.ids["packer"] not in holdings(chain, b)
    assert holdings(chain, box) == {chain.ids["packer"]: 950}
    over = pack(chain, [(a, "101", "kg")])
    assert over.status_code == 409 and over.json["errors"][0]["field"] == "inputs.0.quantity"


def test_a_refused_transformation_changes_nothing(app: Any, chain: Chain) -> None:
    a = harvest(chain, "farm_a").json["lot_code"]
    b = harvest(chain, "farm_b").json["lot_code"]
    move(chain, a, "farm_a", "packer", "500")
    refused = pack(chain, [(a, "100", "kg"), (b, "100", "kg")])  # b is not held by the packer
    assert refused.status_code == 409 and refused.json["errors"][0]["field"] == \
        "inputs.1.quantity"
    assert holdings(chain, a)[chain.ids["packer"]] == 500_000
    with app.extensions["nguongoc.sessions"]() as s:
        assert s.execute(select(Lot).where(Lot.producer_id == chain.ids["packer"])).first() \
            is None


def test_stock_history_and_lot_search(chain: Chain) -> None:
    code = harvest(chain, batch="B-01").json["lot_code"]
    move(chain, code, "farm_a", "collector", "300")
    stock = chain.api("collector").get(f"/partners/{chain.ids['collector']}/holdings").json
    assert [(h["lot_code"], h["quantity"], h["unit"]) for h in stock["holdings"]] == \
        [(code, 300, "kg")]
    assert chain.api("farm_a").get(
        f"/partners/{chain.ids['collector']}/holdings").status_code == 403
    events = chain.api("admin").get(f"/lots/{code}/events").json
    assert [e["kind"] for e in events] == ["harvest", "ship", "receive"]
    found = chain.api("admin").get("/lots?q=B-01").json
    assert [x["lot_code"] for x in found["items"]] == [code]
    held = chain.api("admin").get(f"/lots?holder_id={chain.ids['collector']}").json
    assert held["total"] == 1


def test_a_partner_sees_only_its_own_step_of_a_lot(chain: Chain) -> None:
    code = harvest(chain).json["lot_code"]
    move(chain, code, "farm_a", "collector", "300")
    move(chain, code, "collector", "packer", "100")
    seen = chain.api("packer").get(f"/lots/{code}").json
    assert [h["partner"]["id"] for h in seen["holdings"]] == [chain.ids["packer"]]
    events = chain.api("packer").get(f"/lots/{code}/events").json
    assert {e["kind"] for e in events} == {"ship", "receive"}
    assert all(e["shipment_id"] for e in events)
    assert chain.api("shop_1").get("/lots").json["total"] == 0
    everyone = chain.api("admin").get(f"/lots/{code}").json
    assert len(everyone["holdings"]) == 3
