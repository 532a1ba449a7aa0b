"""Supply-chain pages: the list with badges, one chain with its members' certificates and
partner graph, and the form agencies register a chain with."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import ChainMember, SupplyChain
from tests.chains.conftest import Chain, harvest, move
from tests.chains.web.conftest import WebClient, fresh


@pytest.fixture
def chains(chain: Chain) -> dict[str, int]:
    """A chain whose members need no certificate (verified) and one with the defaults
    (the test partners hold none: not verified); a shipment observed between members."""
    ids, made = chain.ids, {}
    code = harvest(chain, "farm_a").json["lot_code"]
    move(chain, code, "farm_a", "packer", "500")
    for key, required in (("open", []), ("strict", None)):
        body: dict[str, Any] = {
            "name": f"Chuỗi {key} Long An – Cần Thơ",
            "members": [{"partner_id": ids[p], **({"required_schemes": required}
                                                  if required is not None else {})}
                        for p in ("farm_a", "packer", "shop_1")],
            "products": [ids["lime"]],
            "links": [{"from_partner_id": ids["farm_a"], "to_partner_id": ids["packer"]}]}
        response = chain.api("agency_80").post("/chains", json=body)
        assert response.status_code == 201, response.json
        made[key] = response.json["id"]
    return made


def test_the_list_shows_provinces_members_and_verification_badges(
        chains: dict[str, int], web_as: Callable[..., WebClient]) -> None:
    html = web_as("agency", provinces=["92"]).text("/chains")
    cards = dict(re.findall(r'/chains/(\d+)">(.*?)</li>', html, re.S))
    assert 'class="badge verified"' in cards[str(chains["open"])]
    assert 'class="badge unverified"' in cards[str(chains["strict"])]
    for card in cards.values():
        assert "Tỉnh Tây Ninh" in card and "Thành phố Cần Thơ" in card
    assert "/chains/new" in html
    only_22 = web_as("agency", provinces=["92"]).text("/chains?province=22")
    assert f"/chains/{chains['open']}" not in only_22


def test_a_chain_page_shows_each_members_check_and_the_partner_graph(
        chain: Chain, chains: dict[str, int], web_as: Callable[..., WebClient]) -> None:
    html = web_as("agency").text(f"/chains/{chains['strict']}")
    members = re.search(r'id="members">(.*?)</section>', html, re.S).group(1)  # type: ignore
    assert members.count('class="bad-mark"') == 3
    assert "VietGAP" in members  # required schemes by name
    graph = re.search(r'id="graph">(.*?)</section>', html, re.S).group(1)  # type: ignore
    assert "<svg" in graph and "Chuỗi strict" in graph
    assert "Chanh không hạt" in html  # the product
    ok = web_as("agency").text(f"/chains/{chains['open']}")
    assert ok.count('class="ok-mark"') == 3


def _form(ids: dict[str, int], **extra: str) -> dict[str, Any]:
    return {"name": "Chuỗi chanh Bến Lức – Ninh Kiều", "confirmed_on": "2026-01-15",
            "members_rows": "5", "links_rows": "4",
            "members.0.partner_id": f"{ids['farm_a']} · HTX", "members.0.role": "",
            "members.1.partner_id": str(ids["packer"]),
            "members.1.required_schemes": "haccp, iso22000",
            "members.3.partner_id": f"#{ids['shop_1']}", "members.3.role": "retailer",
            "links.0.from_partner_id": str(ids["farm_a"]),
            "links.0.to_partner_id": str(ids["packer"]),
            "products": [str(ids["lime"]), str(ids["box"])], **extra}


def test_an_agency_registers_a_chain_through_the_form(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    agency = web_as("agency", provinces=["80"])
    assert 'name="csrf_token"' in agency.text("/chains/new")
    response = agency.post("/chains/new", _form(chain.ids), page="/chains/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    registered = fresh(session).execute(select(SupplyChain)).scalar_one()
    assert response.location.endswith(f"/chains/{registered.id}")
    members = {m.partner_id: m for m in registered.members}
    assert list(members) == [chain.ids["farm_a"], chain.ids["packer"], chain.ids["shop_1"]]
    assert members[chain.ids["packer"]].required_schemes == ["haccp", "iso22000"]
    assert members[chain.ids["shop_1"]].role == "retailer"
    assert {p.product_id for p in registered.products} == {chain.ids["lime"], chain.ids["box"]}
    assert "Chuỗi chanh Bến Lức – Ninh Kiều" in agency.text(f"/chains/{registered.id}")


def test_a_wrong_member_is_shown_on_its_row_and_nothing_is_stored(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    agency = web_as("agency", provinces=["80"])
    response = agency.post("/chains/new", _form(chain.ids, **{
        "members.3.partner_id": "999999", "links.0.to_partner_id": str(chain.ids["shop_2"])}),
        page="/chains/new")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="members.3.partner_id"[^>]*>', html).group(0)  # type: ignore
    assert 'aria-invalid="true"' in tag and 'value="999999"' in tag
    assert 'value="Chuỗi chanh Bến Lức – Ninh Kiều"' in html  # what was typed stays
    assert fresh(session).execute(select(ChainMember)).first() is None


def test_partners_may_not_register_chains_and_agencies_only_with_a_member_of_theirs(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    partner = web_as("partner", partner_id=chain.ids["packer"])
    assert partner.get("/chains/new").status_code == 403
    elsewhere = web_as("agency", provinces=["22"])
    response = elsewhere.post("/chains/new", _form(chain.ids), page="/chains/new")
    assert response.status_code == 403
    assert fresh(session).execute(select(SupplyChain)).first() is None
