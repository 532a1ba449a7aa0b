"""Where the capabilities meet on the pages: verification pages reached from partner, lot and
stock pages, a partner's menu without agency pages, units and categories in Vietnamese, a
receiving gate that warns on the web form, label pages that offer only what works."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from qr.labels import Label, label_sheet
from tests.chains.conftest import Chain, harvest, move, pack, ship
from tests.chains.verification_fixtures import (
    CHLORPYRIFOS_HIGH,
    build,
    certify,
    csrf,
    put,
    sample,
    signed_in,
)


def _html(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return page.get_data(as_text=True)


def test_verification_pages_show_their_reasons(session: Session, chain: Chain,
                                                app: Flask) -> None:
    certify(session, chain, skip=frozenset({"packer"}))
    box = build(chain)["box"]
    shop = signed_in(app, session, "partner", partner_id=chain.ids["shop_1"])
    html = _html(shop, f"/lots/{box}/verification")
    assert "handler_uncertified" in html and "Đóng gói" in html  # the packer's activity
    agency = signed_in(app, session, "agency", provinces=["92"])
    assert "handler_uncertified" not in _html(agency, f"/partners/{chain.ids['packer']}"
                                                      "/verification")
    assert "Không đạt" in _html(agency, f"/partners/{chain.ids['packer']}/verification")


def test_partner_lot_and_stock_pages_link_to_verifications(session: Session, chain: Chain,
                                                           app: Flask) -> None:
    certify(session, chain)
    box = build(chain)["box"]
    shop = signed_in(app, session, "partner", partner_id=chain.ids["shop_1"])
    supplier = _html(shop, f"/partners/{chain.ids['distributor']}")
    assert f"/partners/{chain.ids['distributor']}/verification" in supplier
    farm = _html(shop, f"/partners/{chain.ids['farm_a']}")  # not a supplier of the shop
    assert f"/partners/{chain.ids['farm_a']}/verification" not in farm
    assert f"/lots/{box}/verification" in _html(shop, f"/lots/{box}")
    stock = _html(shop, f"/partners/{chain.ids['shop_1']}/stock")
    assert f"/partners/{chain.ids['shop_1']}/approved-suppliers" in stock
    own = _html(shop, f"/partners/{chain.ids['shop_1']}")
    assert f"/partners/{chain.ids['shop_1']}/approved-suppliers" in own
    assert "/approved-suppliers" not in _html(shop, f"/partners/{chain.ids['shop_2']}")
    ship(chain, box, "distributor", "shop_1", "10", unit="box")
    incoming = _html(shop, f"/partners/{chain.ids['shop_1']}/stock")
    assert incoming.count(f"/lots/{box}/verification") == 1


def test_a_partners_menu_leaves_out_the_agency_pages(session: Session, app: Flask,
                                                     chain: Chain) -> None:
    shop = _html(signed_in(app, session, "partner", partner_id=chain.ids["shop_1"]), "/")
    agency = _html(signed_in(app, session, "agency", provinces=["92"]), "/")
    for page in ('href="/cases"', 'href="/reports/indicators"', 'href="/consumer-reports"'):
        assert page not in shop and page in agency
    assert 'href="/recalls"' in shop


def test_counted_units_and_categories_read_in_vietnamese(session: Session, chain: Chain,
                                                         app: Flask) -> None:
    certify(session, chain)
    box = build(chain)["box"]
    admin = signed_in(app, session, "admin")
    lot_page = _html(admin, f"/lots/{box}")
    assert "1.000 hộp" in lot_page and " box<" not in lot_page
    assert "hộp" in _html(admin, f"/lots/{box}/trace?direction=forward")
    plans = _html(signed_in(app, session, "agency", provinces=["80"]), "/sampling-plans")
    assert ">Trái cây</option>" in plans and ">fruit</option>" not in plans
    assert "đang lưu thông" in _html(admin, f"/lots/{box}/labels")


def test_a_warning_gate_says_so_when_the_form_receives(session: Session, chain: Chain,
                                                       app: Flask) -> None:
    certify(session, chain, skip=frozenset({"packer"}))
    lot = harvest(chain, "farm_a").json["lot_code"]
    move(chain, lot, "farm_a", "packer", "1000")
    box = pack(chain, [(lot, "1000", "kg")]).json["outputs"][0]["lot_code"]
    move(chain, box, "packer", "distributor", "900", unit="box")
    assert put(chain.api("shop_1"), f"/partners/{chain.ids['shop_1']}/receiving-gate",
               json={"mode": "warn"}).status_code == 200
    sent = ship(chain, box, "distributor", "shop_1", "100", unit="box").json["id"]
    shop = signed_in(app, session, "partner", partner_id=chain.ids["shop_1"])
    stock = f"/partners/{chain.ids['shop_1']}/stock"
    done = shop.post(f"{stock}/receive/{sent}", data={
        "received_at": "2026-11-04T09:00", "quantity": "100", "csrf_token": csrf(shop, stock)},
        follow_redirects=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and f"xác minh lô {box}: không đạt" in html


def test_the_label_page_offers_sheets_only_to_who_may_print_them(
        session: Session, chain: Chain, app: Flask) -> None:
    certify(session, chain)
    box = build(chain)["box"]
    own = _html(signed_in(app, session, "agency", provinces=["80"]), f"/lots/{box}/labels")
    assert f"/api/v1/lots/{box}/labels.pdf" in own and f"/api/v1/lots/{box}/qr.png" in own
    other = _html(signed_in(app, session, "agency", provinces=["92"]), f"/lots/{box}/labels")
    assert f"/api/v1/lots/{box}/labels.pdf" not in other
    assert f"/api/v1/lots/{box}/qr.png" not in other


def test_a_long_origin_code_is_printed_whole() -> None:
    code = "VN-80-803-27811-01-22"
    label = Label(url="https://example.vn/l/ABCDEFGHJK", product_name="Chanh không hạt hộp 1 kg",
                  batch="ABCDEFGHJK", origin_code=code, short_url="example.vn/l/ABCDEFGHJK")
    pdf = label_sheet([label], "3x8")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert code in text



def test_pages_link_to_cases_and_traces_only_for_who_may_open_them(
        session: Session, chain: Chain, app: Flask) -> None:
    certify(session, chain)
    lots = build(chain)
    failed = sample(chain, lots["box"], [CHLORPYRIFOS_HIGH]).json
    case = f'href="/cases/{failed["case_id"]}"'
    for outsider in (signed_in(app, session, "partner", partner_id=chain.ids["shop_1"]),
                     signed_in(app, session, "agency", provinces=["22"])):
        assert case not in _html(outsider, "/samples")
        page = outsider.get(f"/samples/{failed['id']}")  # a partner may not open others' samples
        assert page.status_code == 403 or case not in page.get_data(as_text=True)
    concerned = signed_in(app, session, "agency", provinces=["80"])
    assert case in _html(concerned, "/samples")
    timeline = _html(concerned, f"/cases/{failed['case_id']}")
    assert "Mở vụ việc: " in timeline and "opened:" not in timeline
    shop = signed_in(app, session, "partner", partner_id=chain.ids["shop_1"])
    box_page = _html(shop, f"/lots/{lots['box']}")  # received: traces, labels of its stock
    assert f"/lots/{lots['box']}/trace" in box_page and f"/lots/{lots['box']}/labels" in box_page
    farm_lot = _html(shop, f"/lots/{lots['a']}")  # never handled by the shop
    assert "/trace" not in farm_lot and "/labels" not in farm_lot


def test_verification_and_label_pages_name_things_in_vietnamese(
        session: Session, chain: Chain, app: Flask) -> None:
    certify(session, chain)
    box = build(chain)["box"]
    assert chain.api("packer").get(f"/lots/{box}/labels.pdf?count=3").status_code == 200
    shop = signed_in(app, session, "partner", partner_id=chain.ids["shop_1"])
    html = _html(shop, f"/lots/{box}/verification")
    assert "food_safety_certificate" not in html and "harvest, ship" not in html
    assert "Tờ nhãn 3x8" in _html(signed_in(app, session, "admin"), f"/lots/{box}/labels")
    sample(chain, box, [CHLORPYRIFOS_HIGH], who="agency_92", where="shop_1")
    supplier = _html(shop, f"/partners/{chain.ids['distributor']}/verification")
    assert "<td>fail" not in supplier and "<td>pass" not in supplier
