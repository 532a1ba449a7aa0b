"""Kho hàng: the stock page and its harvest, ship, receive and transform forms. Refusals show
beside the input at fault and change nothing; the domain decides who may do what."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.events import VN_TZ
from registry.models import Lot, Shipment, ShipmentStatus
from tests.chains.conftest import Chain, harvest, move, ship
from tests.chains.web.conftest import WebClient, counts, fresh, held


def local(hours_ago: float = 1) -> str:
    """A datetime-local value, some hours ago in Vietnam."""
    return (datetime.now(VN_TZ) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def form_section(html: str, form_id: str) -> str:
    """The HTML of one form panel of the stock page."""
    found = re.search(rf'<details class="lf-panel" id="{form_id}"[^>]*>(.*?)</details>', html,
                      re.S)
    assert found, f"no {form_id} form"
    return found.group(0)


def input_tag(html: str, name: str) -> str:
    """The opening tag of the input or select named `name`."""
    found = re.search(rf'<(?:input|select)[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert found, f"no input {name}"
    return found.group(0)


def partner_web(web_as: Callable[..., WebClient], chain: Chain, who: str) -> WebClient:
    return web_as("partner", partner_id=chain.ids[who])


def test_a_partner_sees_its_holdings_and_forms_with_csrf_tokens(
        chain: Chain, web_as: Callable[..., WebClient]) -> None:
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    html = partner_web(web_as, chain, "farm_a").text("/stock")
    assert f'href="/lots/{lot}"' in html
    assert "1,000 kg" in html
    for form_id in ("harvest", "ship", "transform"):
        assert 'name="csrf_token"' in form_section(html, form_id)
    assert f"growing_area_code:{chain.areas['farm_a']}" in form_section(html, "harvest")
    assert f'<option value="{lot}"' in form_section(html, "ship")


def test_signed_out_visitors_go_to_the_login_page(web_as: Callable[..., WebClient]) -> None:
    response = web_as("anonymous").get("/stock")
    assert response.status_code == 302 and "/login" in response.location


def test_a_harvest_recorded_through_the_form_becomes_a_held_lot(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    farm = partner_web(web_as, chain, "farm_a")
    day = (date.today() - timedelta(days=2)).isoformat()
    response = farm.post(f"/partners/{chain.ids['farm_a']}/stock/harvest", {
        "product_id": chain.ids["lime"], "quantity": "1200", "unit": "kg", "produced_on": day,
        "origin": f"growing_area_code:{chain.areas['farm_a']}", "batch": "LIME-0101"},
        page="/stock")
    assert response.status_code == 302 and response.location.endswith("/stock")
    lot = fresh(session).execute(select(Lot).where(Lot.batch == "LIME-0101")).scalar_one()
    assert held(session, lot.lot_code) == {chain.ids["farm_a"]: 1_200_000}
    assert lot.origin_summary["origins"][0]["code"] == chain.areas["farm_a"]
    assert lot.lot_code in farm.text("/stock")


def test_a_harvest_with_missing_values_shows_the_fields_and_records_nothing(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    farm = partner_web(web_as, chain, "farm_a")
    before = counts(session)
    response = farm.post(f"/partners/{chain.ids['farm_a']}/stock/harvest", {
        "product_id": chain.ids["lime"], "quantity": "", "unit": "kg",
        "produced_on": (date.today() + timedelta(days=3)).isoformat(),
        "origin": f"growing_area_code:{chain.areas['farm_b']}"}, page="/stock")
    assert response.status_code == 422
    form = form_section(response.get_data(as_text=True), "harvest")
    assert " open" in form.split(">", 1)[0]
    assert 'aria-invalid="true"' in input_tag(form, "quantity")
    assert counts(session) == before


def test_a_harvest_from_another_partners_growing_area_is_refused_beside_the_origin(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    farm = partner_web(web_as, chain, "farm_a")
    before = counts(session)
    response = farm.post(f"/partners/{chain.ids['farm_a']}/stock/harvest", {
        "product_id": chain.ids["lime"], "quantity": "10", "unit": "kg",
        "produced_on": (date.today() - timedelta(days=1)).isoformat(),
        "origin": f"growing_area_code:{chain.areas['farm_b']}"}, page="/stock")
    assert response.status_code == 422
    form = form_section(response.get_data(as_text=True), "harvest")
    assert 'aria-invalid="true"' in input_tag(form, "origin")
    assert f"belongs to partner {chain.ids['farm_b']}, not to this partner" in form
    assert counts(session) == before


def test_shipping_through_the_form_moves_the_quantity_into_transit(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    farm = partner_web(web_as, chain, "farm_a")
    response = farm.post(f"/partners/{chain.ids['farm_a']}/stock/ship", {
        "lot_code": lot, "quantity": "250", "unit": "",
        "to_partner": f"{chain.ids['collector']} · Cơ sở thu gom", "shipped_at": local(),
        "reference": "PGH-7"}, page="/stock")
    assert response.status_code == 302
    assert held(session, lot) == {chain.ids["farm_a"]: 750_000}
    shipment = fresh(session).execute(select(Shipment)).scalar_one()
    assert (shipment.to_partner_id, shipment.quantity, shipment.unit, shipment.reference) == (
        chain.ids["collector"], 250_000, "kg", "PGH-7")
    assert "PGH-7" in farm.text("/stock")  # sent, not yet received


def test_the_recipient_may_be_typed_by_a_name_that_finds_one_partner(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    farm = partner_web(web_as, chain, "farm_a")
    url = f"/partners/{chain.ids['farm_a']}/stock/ship"
    order = {"lot_code": lot, "quantity": "10", "unit": "kg", "shipped_at": local()}
    vague = farm.post(url, {**order, "to_partner": "doi tac"}, page="/stock")
    assert vague.status_code == 422
    form = form_section(vague.get_data(as_text=True), "ship")
    assert 'aria-invalid="true"' in input_tag(form, "to_partner")
    assert "Choose a partner from the list" in form
    assert farm.post(url, {**order, "to_partner": "doi tac collector"},
                     page="/stock").status_code == 302
    shipment = fresh(session).execute(select(Shipment)).scalar_one()
    assert shipment.to_partner_id == chain.ids["collector"]


def test_shipping_more_than_held_is_a_409_naming_held_and_asked_and_changes_nothing(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    farm = partner_web(web_as, chain, "farm_a")
    before, recorded = held(session, lot), counts(session)
    response = farm.post(f"/partners/{chain.ids['farm_a']}/stock/ship", {
        "lot_code": lot, "quantity": "1500", "unit": "kg",
        "to_partner": str(chain.ids["collector"]), "shipped_at": local()}, page="/stock")
    assert response.status_code == 409
    form = form_section(response.get_data(as_text=True), "ship")
    quantity = input_tag(form, "quantity")
    assert 'aria-invalid="true"' in quantity and 'value="1500"' in quantity
    assert f"lot {lot} held 1,000 kg, asked 1,500 kg" in form
    assert held(session, lot) == before and counts(session) == recorded


def test_a_partner_cannot_see_or_move_another_partners_stock(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    packer = partner_web(web_as, chain, "packer")
    assert packer.get(f"/partners/{chain.ids['farm_a']}/stock").status_code == 403
    response = packer.post(f"/partners/{chain.ids['farm_a']}/stock/ship", {
        "lot_code": lot, "quantity": "10", "unit": "kg",
        "to_partner": str(chain.ids["packer"]), "shipped_at": local()}, page="/stock")
    assert response.status_code == 403
    assert held(session, lot) == {chain.ids["farm_a"]: 1_000_000}


def test_receiving_less_than_shipped_records_the_shortfall_once(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    shipment_id = ship(chain, lot, "farm_a", "collector", "400").json["id"]
    collector = partner_web(web_as, chain, "collector")
    page = collector.text("/stock")
    action = f"/partners/{chain.ids['collector']}/stock/receive/{shipment_id}"
    assert action in page
    form = page[page.index(action):]
    assert 'value="400"' in input_tag(form, "quantity")  # defaults to what was shipped
    response = collector.post(action, {"received_at": local(0.5), "quantity": "390"},
                              page="/stock", follow_redirects=True)
    assert response.status_code == 200
    assert "10 kg" in response.get_data(as_text=True)  # the shortfall, in the flash
    assert held(session, lot)[chain.ids["collector"]] == 390_000
    received = fresh(session).get(Shipment, shipment_id)
    assert received is not None and received.status is ShipmentStatus.RECEIVED
    again = collector.post(action, {"received_at": local(0.2), "quantity": "390"},
                           page="/stock")
    assert again.status_code == 409
    assert "already received" in again.get_data(as_text=True)
    assert held(session, lot)[chain.ids["collector"]] == 390_000


def test_receiving_more_than_shipped_is_refused_beside_the_quantity(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    shipment_id = ship(chain, lot, "farm_a", "collector", "400").json["id"]
    collector = partner_web(web_as, chain, "collector")
    response = collector.post(
        f"/partners/{chain.ids['collector']}/stock/receive/{shipment_id}",
        {"received_at": local(0.5), "quantity": "450"}, page="/stock")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    article = html[html.index(f'id="receive-{shipment_id}"'):]
    assert 'aria-invalid="true"' in input_tag(article, "quantity")
    assert chain.ids["collector"] not in held(session, lot)


def test_a_transformation_through_the_form_consumes_inputs_and_makes_a_lot(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    a = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    b = harvest(chain, "farm_b", quantity="400").json["lot_code"]
    move(chain, a, "farm_a", "packer", "900")
    move(chain, b, "farm_b", "packer", "400")
    packer = partner_web(web_as, chain, "packer")
    response = packer.post(f"/partners/{chain.ids['packer']}/stock/transform", {
        "kind": "packing", "occurred_at": local(0.5), "inputs_rows": "3", "outputs_rows": "2",
        "inputs.0.lot_code": a, "inputs.0.quantity": "500", "inputs.0.unit": "",
        "inputs.2.lot_code": b, "inputs.2.quantity": "200000", "inputs.2.unit": "g",
        "outputs.0.product_id": chain.ids["box"], "outputs.0.quantity": "650",
        "outputs.0.unit": "box", "outputs.1.unit": "box"}, page="/stock")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert held(session, a)[chain.ids["packer"]] == 400_000
    assert held(session, b)[chain.ids["packer"]] == 200_000
    made = fresh(session).execute(select(Lot).where(Lot.product_id == chain.ids["box"])
                                  ).scalar_one()
    assert held(session, made.lot_code) == {chain.ids["packer"]: 650}


def test_a_transformation_asking_too_much_shows_it_on_that_row_and_changes_nothing(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    a = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    b = harvest(chain, "farm_b", quantity="400").json["lot_code"]
    move(chain, a, "farm_a", "packer", "900")
    move(chain, b, "farm_b", "packer", "400")
    packer = partner_web(web_as, chain, "packer")
    recorded = counts(session)
    response = packer.post(f"/partners/{chain.ids['packer']}/stock/transform", {
        "kind": "packing", "occurred_at": local(0.5), "inputs_rows": "3", "outputs_rows": "2",
        "inputs.0.lot_code": a, "inputs.0.quantity": "500",
        "inputs.2.lot_code": b, "inputs.2.quantity": "450",
        "outputs.0.product_id": chain.ids["box"], "outputs.0.quantity": "650",
        "outputs.0.unit": "box"}, page="/stock")
    assert response.status_code == 409
    form = form_section(response.get_data(as_text=True), "transform")
    assert 'aria-invalid="true"' in input_tag(form, "inputs.2.quantity")
    assert 'aria-invalid="true"' not in input_tag(form, "inputs.0.quantity")
    assert f"lot {b} held 400 kg, asked 450 kg" in form
    assert held(session, a)[chain.ids["packer"]] == 900_000  # row 0 was rolled back too
    assert held(session, b)[chain.ids["packer"]] == 400_000
    assert counts(session) == recorded


def test_more_rows_redraws_the_transformation_form_without_recording(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    packer = partner_web(web_as, chain, "packer")
    recorded = counts(session)
    response = packer.post(f"/partners/{chain.ids['packer']}/stock/transform", {
        "kind": "mixing", "action": "more_rows", "inputs_rows": "3", "outputs_rows": "2",
        "inputs.0.quantity": "12"}, page="/stock")
    assert response.status_code == 200
    form = form_section(response.get_data(as_text=True), "transform")
    assert 'name="inputs.5.lot_code"' in form and 'name="outputs.4.product_id"' in form
    assert 'value="12"' in input_tag(form, "inputs.0.quantity")
    assert counts(session) == recorded


def test_agencies_see_and_record_stock_of_partners_in_their_provinces_only(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    harvest(chain, "farm_a", quantity="1000")
    agency_80, agency_92 = web_as("agency", provinces=["80"]), web_as("agency", provinces=["92"])
    chooser = agency_80.text("/stock")
    assert f"/partners/{chain.ids['farm_a']}/stock" in chooser
    assert f"/partners/{chain.ids['shop_1']}/stock" not in chooser
    page = agency_80.text(f"/partners/{chain.ids['farm_a']}/stock")
    assert 'id="harvest"' in page
    assert agency_92.get(f"/partners/{chain.ids['farm_a']}/stock").status_code == 403
    response = agency_80.post(f"/partners/{chain.ids['farm_a']}/stock/harvest", {
        "product_id": chain.ids["lime"], "quantity": "5", "unit": "kg",
        "produced_on": (date.today() - timedelta(days=1)).isoformat(),
        "origin": f"partner_id:{chain.ids['farm_a']}"}, page="/stock")
    assert response.status_code == 302
    assert response.location.endswith(f"/partners/{chain.ids['farm_a']}/stock")


def _submission(html: str, form_id: str) -> str:
    found = re.search(r'name="submission" value="([^"]+)"', form_section(html, form_id))
    assert found, f"no submission token in the {form_id} form"
    return found.group(1)


def test_a_form_sent_twice_ships_once(chain: Chain, web_as: Callable[..., WebClient],
                                      session: Session) -> None:
    """A double tap on a slow connection, or Back and send again: one shown form, one record."""
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    farm = partner_web(web_as, chain, "farm_a")
    page = farm.text(f"/partners/{chain.ids['farm_a']}/stock")
    token = _submission(page, "ship")
    assert token != _submission(farm.text(f"/partners/{chain.ids['farm_a']}/stock"), "ship")
    order = {"lot_code": lot, "quantity": "250", "unit": "kg",
             "to_partner": str(chain.ids["collector"]), "shipped_at": local(),
             "submission": token}
    url = f"/partners/{chain.ids['farm_a']}/stock/ship"
    first = farm.post(url, order, page="/stock")
    assert first.status_code == 302
    again = farm.post(url, order, page="/stock")
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert "recorded once" in farm.text(again.headers["Location"])
    assert held(session, lot) == {chain.ids["farm_a"]: 750_000}
    assert counts(session)[1] == 1
    # a new form (a new token) ships again, as the user means it
    fresh_token = _submission(farm.text(f"/partners/{chain.ids['farm_a']}/stock"), "ship")
    assert farm.post(url, {**order, "submission": fresh_token}, page="/stock").status_code == 302
    assert counts(session)[1] == 2


def test_a_refused_form_keeps_no_token_so_the_corrected_form_records(
        chain: Chain, web_as: Callable[..., WebClient], session: Session) -> None:
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    farm = partner_web(web_as, chain, "farm_a")
    token = _submission(farm.text(f"/partners/{chain.ids['farm_a']}/stock"), "ship")
    order = {"lot_code": lot, "unit": "kg", "to_partner": str(chain.ids["collector"]),
             "shipped_at": local(), "submission": token}
    url = f"/partners/{chain.ids['farm_a']}/stock/ship"
    assert farm.post(url, {**order, "quantity": "1500"}, page="/stock").status_code == 409
    assert farm.post(url, {**order, "quantity": "150"}, page="/stock").status_code == 302
    assert held(session, lot) == {chain.ids["farm_a"]: 850_000}
