"""The lot page (origin, status, holdings, history, trace links) and the lot search."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from registry import lots
from registry.models import LotStatus
from tests.chains.conftest import Chain, harvest, move, pack, ship
from tests.chains.web.conftest import WebClient, fresh


def test_a_lot_page_shows_origin_holdings_transit_history_and_trace_links(
        chain: Chain, web_as: Callable[..., WebClient]) -> None:
    code = harvest(chain, "farm_a", quantity="1000", batch="LIME-77").json["lot_code"]
    move(chain, code, "farm_a", "collector", "300")
    ship(chain, code, "farm_a", "packer", "200")
    html = web_as("agency", provinces=["92"]).text(f"/lots/{code}")
    assert "LIME-77" in html and chain.areas["farm_a"] in html
    assert "Tỉnh Long An" in html and "Tỉnh Tây Ninh" in html  # as recorded, and now
    assert html.count('<li class="ship">') == 2 and html.count('<li class="receive">') == 1
    assert html.count('<li class="harvest">') == 1
    assert "500 kg" in html and "300 kg" in html  # farm_a and collector hold
    assert 'id="in-transit"' in html and "200 kg" in html
    assert f"/lots/{code}/trace?direction=backward" in html
    assert f"/lots/{code}/trace?direction=forward" in html
    assert f"/api/v1/lots/{code}/trace?direction=backward&amp;format=csv" in html
    assert 'class="recall-banner' not in html


def test_a_recalled_lot_shows_a_red_banner_and_a_held_one_an_amber_banner(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    code = harvest(chain, "farm_a").json["lot_code"]
    web = web_as("agency")
    lot = lots.get(fresh(session), code)
    lot.status = LotStatus.RECALLED
    session.commit()
    html = web.text(f"/lots/{code}")
    assert '<div class="recall-banner" role="alert">' in html
    assert 'class="badge recalled big"' in html
    lot = lots.get(fresh(session), code)
    lot.status = LotStatus.ON_HOLD
    session.commit()
    assert '<div class="recall-banner hold" role="alert">' in web.text(f"/lots/{code}")


def test_an_output_lot_links_its_inputs_in_its_history(
        chain: Chain, web_as: Callable[..., WebClient]) -> None:
    a = harvest(chain, "farm_a").json["lot_code"]
    move(chain, a, "farm_a", "packer", "900")
    box = pack(chain, [(a, "900", "kg")], quantity="800").json["outputs"][0]["lot_code"]
    html = web_as("agency").text(f"/lots/{box}")
    assert '<li class="transform">' in html and f'href="/lots/{a}"' in html
    input_page = web_as("agency").text(f"/lots/{a}")
    assert "900 kg" in input_page and f'href="/lots/{box}"' in input_page


def test_the_search_box_finds_a_lot_by_code_or_batch(
        chain: Chain, web_as: Callable[..., WebClient]) -> None:
    code = harvest(chain, "farm_a", batch="LIME-0042").json["lot_code"]
    harvest(chain, "farm_b", batch="LIME-0043")
    web = web_as("partner", partner_id=chain.ids["shop_1"])
    typed = f"{code[:5].lower()}-{code[5:].lower()}"  # as a person copies it off a label
    found = web.get(f"/lots?q={typed}")
    assert found.status_code == 302 and found.location.endswith(f"/lots/{code}")
    listing = web.text("/lots?q=LIME-0043")
    assert "LIME-0043" in listing and code not in listing
    assert 'class="empty-note"' in web.text("/lots?q=NOPE-NOPE")
    everything = web.text("/lots")
    assert code in everything and "LIME-0043" in everything
    assert code not in web.text("/lots?mine=1")  # the shop holds nothing yet


def test_an_unknown_lot_is_a_404_page(web_as: Callable[..., WebClient]) -> None:
    response = web_as("agency").get("/lots/ZZZZZZZZZZ")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_lot_pages_need_a_signed_in_user(chain: Chain,
                                         web_as: Callable[..., WebClient]) -> None:
    code = harvest(chain, "farm_a").json["lot_code"]
    for url in (f"/lots/{code}", "/lots", f"/lots/{code}/trace"):
        response = web_as("anonymous").get(url)
        assert response.status_code == 302 and "/login" in response.location
