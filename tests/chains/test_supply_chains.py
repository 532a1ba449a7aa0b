"""Named supply chains: members, verification from valid certificates, partner graphs."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from tests.chains.conftest import Chain, harvest, move


def _create(chain: Chain, who: str = "agency_80", **extra: Any) -> Any:
    ids = chain.ids
    body = {"name": "Chuỗi chanh không hạt Long An – Cần Thơ",
            "members": [{"partner_id": ids[k]} for k in ("farm_a", "packer", "distributor",
                                                         "shop_1")],
            "products": [ids["lime"], ids["box"]],
            "links": [{"from_partner_id": ids["farm_a"], "to_partner_id": ids["packer"]},
                      {"from_partner_id": ids["packer"], "to_partner_id": ids["distributor"]}],
            **extra}
    return chain.api(who).post("/chains", json=body)


def _certify(session: Session, chain: Chain) -> None:
    factories.certification(session, "growing_area", chain.areas["farm_a"], scheme="globalgap")
    for key, scheme in (("packer", "haccp"), ("distributor", "food_safety_certificate"),
                        ("shop_1", "food_safety_certificate")):
        factories.certification(session, "partner", chain.ids[key], scheme=scheme)
    session.commit()


def test_a_chain_is_verified_when_every_member_holds_a_valid_certificate(
        session: Session, chain: Chain) -> None:
    created = _create(chain)
    assert created.status_code == 201, created.json
    body = created.json
    assert body["verified"] is False
    missing = {m["partner_id"] for m in body["members"] if not m["ok"]}
    assert missing == {chain.ids[k] for k in ("farm_a", "packer", "distributor", "shop_1")}
    _certify(session, chain)
    again = chain.api("admin").get(f"/chains/{body['id']}").json
    assert again["verified"] is True and again["international"] is True
    assert again["provinces"] == ["80", "92"]


def test_an_expired_certificate_names_the_member_that_lacks_one(
        session: Session, chain: Chain) -> None:
    _certify(session, chain)
    factories.certification(session, "partner", chain.ids["shop_2"],
                            scheme="food_safety_certificate", issued_on=date(2020, 1, 1),
                            valid_until=date(2023, 1, 1))
    session.commit()
    members = [{"partner_id": chain.ids[k]} for k in ("farm_a", "packer", "shop_2")]
    body = _create(chain, members=members, links=[]).json
    bad = [m for m in body["members"] if not m["ok"]]
    assert [m["partner_id"] for m in bad] == [chain.ids["shop_2"]]
    assert "food_safety_certificate" in bad[0]["problem"]


def test_the_partner_graph_has_declared_links_and_observed_shipments(chain: Chain) -> None:
    chain_id = _create(chain).json["id"]
    code = harvest(chain).json["lot_code"]
    move(chain, code, "farm_a", "packer", "100")
    move(chain, code, "packer", "shop_1", "50")
    graph = chain.api("admin").get(f"/chains/{chain_id}/graph").json
    edges = {(e["source"], e["target"]): e for e in graph["edges"]}
    ids = chain.ids
    assert edges[(ids["farm_a"], ids["packer"])]["declared"] is True
    assert edges[(ids["farm_a"], ids["packer"])]["shipments"] == 1
    assert edges[(ids["packer"], ids["shop_1"])]["declared"] is False
    svg = chain.api("admin").get(f"/chains/{chain_id}/graph.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_chain_rules(chain: Chain) -> None:
    assert _create(chain, who="farm_a").status_code == 403
    assert _create(chain, who="agency_92").status_code == 201  # a member lies in 92
    other = _create(chain, links=[{"from_partner_id": chain.ids["shop_2"],
                                   "to_partner_id": chain.ids["farm_a"]}])
    assert other.status_code == 422 and other.json["errors"][0]["field"] == \
        "links.0.from_partner_id"
    unknown = _create(chain, members=[{"partner_id": chain.ids["farm_a"],
                                       "required_schemes": ["nope"]},
                                      {"partner_id": chain.ids["packer"]}], links=[])
    assert unknown.status_code == 422
    assert chain.api("admin").get("/chains/999").status_code == 404
