"""A small chain for lot tests: two farms -> collector -> packer -> distributor -> 2 shops."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import ApiClient


@dataclass
class Chain:
    """Ids of the partners and products of the test chain, and its API clients."""

    ids: dict[str, int] = field(default_factory=dict)
    areas: dict[str, str] = field(default_factory=dict)
    clients: dict[str, ApiClient] = field(default_factory=dict)

    def api(self, who: str) -> ApiClient:
        return self.clients[who]


@pytest.fixture
def chain(session: Session, api_as: Any) -> Chain:
    c = Chain()
    for key, kind, province in [("farm_a", "cooperative", "80"), ("farm_b", "producer", "80"),
                                ("collector", "collector", "80"),
                                ("packer", "packing_house", "80"),
                                ("distributor", "distributor", "92"),
                                ("shop_1", "retailer", "92"), ("shop_2", "retailer", "92")]:
        c.ids[key] = factories.partner(session, kind=kind, province=province).id
    for key in ("farm_a", "farm_b"):
        holder = session.get(factories.Partner, c.ids[key])
        c.areas[key] = factories.growing_area(session, holder=holder).code
    c.ids["lime"] = factories.product(session, owner=session.get(factories.Partner,
                                                                 c.ids["farm_a"])).id
    c.ids["box"] = factories.product(session, owner=session.get(factories.Partner,
                                                                c.ids["packer"]),
                                     category="processed_prepackaged").id
    session.commit()
    for key in ("farm_a", "farm_b", "collector", "packer", "distributor", "shop_1", "shop_2"):
        c.clients[key] = api_as("partner", partner_id=c.ids[key])
    c.clients["admin"] = api_as("admin")
    c.clients["agency_80"] = api_as("agency", provinces=["80"])
    c.clients["agency_92"] = api_as("agency", provinces=["92"])
    return c


def harvest(chain: Chain, farm: str = "farm_a", quantity: str = "1000", unit: str = "kg",
            **extra: Any) -> Any:
    body = {"product_id": chain.ids["lime"], "partner_id": chain.ids[farm], "quantity": quantity,
            "unit": unit, "produced_on": "2026-11-01",
            "origin": {"growing_area_code": chain.areas[farm]}, **extra}
    return chain.api(farm).post("/lots", json=body)


def ship(chain: Chain, lot_code: str, src: str, dst: str, quantity: str, unit: str = "kg",
         at: str = "2026-11-02T08:00:00+07:00") -> Any:
    return chain.api(src).post("/shipments", json={
        "lot_code": lot_code, "quantity": quantity, "unit": unit,
        "from_partner_id": chain.ids[src], "to_partner_id": chain.ids[dst], "shipped_at": at})


def receive(chain: Chain, shipment_id: int, who: str, quantity: str, unit: str = "kg",
            at: str = "2026-11-02T16:00:00+07:00") -> Any:
    return chain.api(who).post(f"/shipments/{shipment_id}/receive",
                               json={"received_at": at, "quantity": quantity, "unit": unit})


def move(chain: Chain, lot_code: str, src: str, dst: str, quantity: str,
         unit: str = "kg") -> int:
    """Ship and receive in full; the shipment id."""
    sent = ship(chain, lot_code, src, dst, quantity, unit)
    assert sent.status_code == 201, sent.json
    got = receive(chain, sent.json["id"], dst, quantity, unit)
    assert got.status_code == 200, got.json
    return int(sent.json["id"])


def pack(chain: Chain, inputs: list[tuple[str, str, str]], quantity: str = "900",
         unit: str = "box", who: str = "packer") -> Any:
    return chain.api(who).post("/transformations", json={
        "partner_id": chain.ids[who], "kind": "packing",
        "occurred_at": "2026-11-03T10:00:00+07:00",
        "inputs": [{"lot_code": c, "quantity": q, "unit": u} for c, q, u in inputs],
        "outputs": [{"product_id": chain.ids["box"], "quantity": quantity, "unit": unit}]})


def holdings(chain: Chain, lot_code: str) -> dict[int, float]:
    body = chain.api("admin").get(f"/lots/{lot_code}").json
    return {h["partner"]["id"]: h["base_quantity"] for h in body["holdings"]}


@pytest.fixture
def packed(chain: Chain) -> dict[str, str]:
    """farm_a -> packer; farm_b -> collector -> packer; packed into boxes -> distributor ->
    shop_1 (600) and shop_2 (300): the lots a, b and box by their codes."""
    a = harvest(chain, "farm_a").json["lot_code"]
    b = harvest(chain, "farm_b", quantity="400").json["lot_code"]
    move(chain, a, "farm_a", "packer", "900")
    move(chain, b, "farm_b", "collector", "400")
    move(chain, b, "collector", "packer", "350")
    box = pack(chain, [(a, "900", "kg"), (b, "350", "kg")], quantity="1200").json
    code = box["outputs"][0]["lot_code"]
    move(chain, code, "packer", "distributor", "1000", unit="box")
    move(chain, code, "distributor", "shop_1", "600", unit="box")
    move(chain, code, "distributor", "shop_2", "300", unit="box")
    return {"a": a, "b": b, "box": code}

