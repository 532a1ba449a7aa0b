"""Receiving gates: off does nothing, warn records the verdict on the receipt and notifies the
retailer, refuse turns a rejected lot away with a 409 that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.chains.conftest import Chain, harvest, holdings, move, pack, receive, ship
from tests.chains.verification_fixtures import certify, put


def boxes_at_distributor(chain: Chain) -> str:
    """Limes packed into boxes the distributor holds (2026-11-01 to 11-03)."""
    a = harvest(chain, "farm_a").json["lot_code"]
    move(chain, a, "farm_a", "packer", "1000")
    box = pack(chain, [(a, "1000", "kg")], quantity="900").json["outputs"][0]["lot_code"]
    move(chain, box, "packer", "distributor", "900", unit="box")
    return str(box)


def set_gate(chain: Chain, mode: str, who: str = "shop_1") -> Any:
    return put(chain.api(who), f"/partners/{chain.ids[who]}/receiving-gate", json={"mode": mode})


def send_to_shop(chain: Chain, box: str) -> int:
    sent = ship(chain, box, "distributor", "shop_1", "200", unit="box")
    assert sent.status_code == 201, sent.json
    return int(sent.json["id"])


@pytest.fixture
def uncertified_packer(session: Session, chain: Chain) -> str:
    """Everybody certified except the packer: the boxes' verification is rejected."""
    certify(session, chain, skip=frozenset({"packer"}))
    return boxes_at_distributor(chain)


def test_only_a_retailer_or_distributor_sets_its_own_gate(chain: Chain) -> None:
    assert chain.api("shop_1").get(f"/partners/{chain.ids['shop_1']}/receiving-gate"
                                   ).json["mode"] == "off"
    done = set_gate(chain, "refuse")
    assert done.status_code == 200 and done.json["mode"] == "refuse"
    assert set_gate(chain, "warn", who="distributor").status_code == 200
    assert set_gate(chain, "warn", who="packer").status_code == 422  # a packing house
    other = put(chain.api("shop_2"), f"/partners/{chain.ids['shop_1']}/receiving-gate",
                json={"mode": "off"})
    assert other.status_code == 403
    assert set_gate(chain, "sometimes").status_code == 422
    assert put(chain.api("admin"), "/partners/999999/receiving-gate",
               json={"mode": "warn"}).status_code == 404


def test_refuse_turns_a_rejected_lot_away_and_changes_nothing(
        chain: Chain, uncertified_packer: str) -> None:
    box = uncertified_packer
    set_gate(chain, "refuse")
    shipment_id = send_to_shop(chain, box)
    before = holdings(chain, box)
    refused = receive(chain, shipment_id, "shop_1", "200", unit="box")
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert refused.json["type"].endswith("/receiving-gate-refused")
    assert refused.json["errors"][0]["field"] == "lot_code"
    assert refused.json["errors"][0]["message"].startswith("handler_uncertified:")
    shipment = chain.api("shop_1").get(f"/shipments/{shipment_id}").json
    assert shipment["status"] == "in_transit" and holdings(chain, box) == before
    assert chain.api("shop_1").get(f"/shipments/{shipment_id}/receipt-check").status_code == 404
    assert chain.api("shop_1").get("/inbox?kind=receiving_gate").json["items"] == []


def test_refuse_lets_an_approved_lot_in_and_records_the_verdict(
        session: Session, chain: Chain) -> None:
    certify(session, chain)
    box = boxes_at_distributor(chain)
    set_gate(chain, "refuse")
    shipment_id = send_to_shop(chain, box)
    got = receive(chain, shipment_id, "shop_1", "200", unit="box")
    assert got.status_code == 200, got.json
    recorded = chain.api("shop_1").get(f"/shipments/{shipment_id}/receipt-check").json
    assert recorded["verdict"] == "approved" and recorded["mode"] == "refuse"
    assert chain.api("shop_1").get("/inbox?kind=receiving_gate").json["items"] == []


def test_warn_receives_a_rejected_lot_records_it_and_notifies_the_retailer(
        chain: Chain, uncertified_packer: str) -> None:
    box = uncertified_packer
    set_gate(chain, "warn")
    shipment_id = send_to_shop(chain, box)
    got = receive(chain, shipment_id, "shop_1", "200", unit="box")
    assert got.status_code == 200 and got.json["status"] == "received"
    assert holdings(chain, box)[chain.ids["shop_1"]] == 200
    recorded = chain.api("shop_1").get(f"/shipments/{shipment_id}/receipt-check").json
    assert recorded["verdict"] == "rejected" and recorded["mode"] == "warn"
    assert [r["code"] for r in recorded["reasons"]] == ["handler_uncertified"]
    assert chain.api("distributor").get(f"/shipments/{shipment_id}/receipt-check"
                                        ).status_code == 200  # the sender sees it too
    assert chain.api("shop_2").get(f"/shipments/{shipment_id}/receipt-check"
                                   ).status_code == 403
    inbox = chain.api("shop_1").get("/inbox?kind=receiving_gate").json["items"]
    assert len(inbox) == 1 and inbox[0]["subject_id"] == str(shipment_id)
    assert "không đạt" in inbox[0]["title"]
    assert "chứng nhận" in inbox[0]["body"]


def test_off_receives_without_checking(chain: Chain, uncertified_packer: str) -> None:
    set_gate(chain, "off")
    shipment_id = send_to_shop(chain, uncertified_packer)
    assert receive(chain, shipment_id, "shop_1", "200", unit="box").status_code == 200
    assert chain.api("shop_1").get(f"/shipments/{shipment_id}/receipt-check").status_code == 404


def test_a_refused_receipt_can_be_received_once_the_gate_is_lowered(
        chain: Chain, uncertified_packer: str) -> None:
    set_gate(chain, "refuse")
    shipment_id = send_to_shop(chain, uncertified_packer)
    assert receive(chain, shipment_id, "shop_1", "200", unit="box").status_code == 409
    set_gate(chain, "warn")
    assert receive(chain, shipment_id, "shop_1", "200", unit="box").status_code == 200
    again = receive(chain, shipment_id, "shop_1", "200", unit="box")
    assert again.status_code == 409 and again.json["errors"][0]["message"] == "already received"


def bulk_receipt(chain: Chain, shipment_id: int) -> Any:
    return chain.api("shop_1").post("/events/bulk", json={"operations": [{
        "type": "receive", "shipment_id": shipment_id, "quantity": "200", "unit": "box",
        "received_at": "2026-11-05T09:00:00+07:00"}]})


def test_the_gate_also_guards_receipts_recorded_in_bulk(
        chain: Chain, uncertified_packer: str) -> None:
    """A supermarket's own system posting its receipts in a batch (or as EPCIS) meets the
    same gate as the receive form: refused and nothing changed, or received with the verdict."""
    box = uncertified_packer
    set_gate(chain, "refuse")
    shipment_id = send_to_shop(chain, box)
    before = holdings(chain, box)
    refused = bulk_receipt(chain, shipment_id)
    assert refused.status_code == 409, refused.json
    assert refused.json["type"].endswith("/receiving-gate-refused")
    assert refused.json["errors"][0]["field"] == "operations.0.lot_code"
    assert refused.json["errors"][0]["message"].startswith("handler_uncertified:")
    assert chain.api("shop_1").get(f"/shipments/{shipment_id}").json["status"] == "in_transit"
    assert holdings(chain, box) == before
    set_gate(chain, "warn")
    done = bulk_receipt(chain, shipment_id)
    assert done.status_code == 201, done.json
    recorded = chain.api("shop_1").get(f"/shipments/{shipment_id}/receipt-check").json
    assert recorded["verdict"] == "rejected" and recorded["mode"] == "warn"
    assert holdings(chain, box)[chain.ids["shop_1"]] == 200
