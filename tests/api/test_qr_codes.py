"""A lot's QR code and label sheets, as a producer prints them and a phone reads them: the codes
decode (zxing-cpp) to signed URLs that open the right lot's scan page; every issuance is
recorded; serialised sheets own their serial numbers; the PDF text keeps the Vietnamese name."""

from __future__ import annotations

import io

import cairosvg
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from registry import qr_issues
from registry.models import Lot
from tests.api.qr_scene import LIME, LOOSE_LIME, Scene, scan, scene, signed_in, text_of
from tests.conftest import BASE_URL

__all__ = ["scene"]


def decode(image: Image.Image) -> str:
    """What a phone reads from the image (exactly one QR code)."""
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, f"{len(found)} codes decoded"
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return str(found[0].text)


def test_the_png_code_opens_the_lots_scan_page(scene: Scene, client):
    response = scene.api("farm").get(f"/lots/{scene.lots['lime']}/qr.png?module_px=6&border=4")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    url = decode(image)
    assert url.startswith(f"{BASE_URL}/01/0") and "/10/BL-2026-11?s=" in url
    page = scan(client, url)
    assert page.status_code == 200
    assert LIME in text_of(page) and "BL-2026-11" in text_of(page)
    assert "Mã do hệ thống truy xuất nguồn gốc cấp" in text_of(page)  # the signature held


def test_the_svg_code_rendered_opens_the_lot_without_gtin_by_its_lot_code(scene: Scene, client):
    response = scene.api("farm").get(f"/lots/{scene.lots['loose']}/qr.svg?size_px=330&ecc=Q")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    png = cairosvg.svg2png(bytestring=response.data, output_width=330, output_height=330)
    url = decode(Image.open(io.BytesIO(png)))
    assert url.startswith(f"{BASE_URL}/l/{scene.lots['loose']}?s=")
    page = scan(client, url)
    assert page.status_code == 200 and LOOSE_LIME in text_of(page)


def test_every_issuance_is_recorded_and_the_lot_carries_an_issued_code(scene: Scene, session):
    lot = session.execute(select(Lot).where(Lot.lot_code == scene.lots["loose"])).scalar_one()
    assert not qr_issues.qr_issued(session, lot.id)
    session.rollback()  # end the read: the app writes next
    assert scene.api("farm").get(f"/lots/{lot.lot_code}/qr.png").status_code == 200
    assert scene.api("farm").get(f"/lots/{lot.lot_code}/labels.pdf?count=30").status_code == 200
    session.rollback()
    assert qr_issues.qr_issued(session, lot.id)
    issues = scene.api("farm").get(f"/lots/{lot.lot_code}/qr-issues").json
    assert [(i["kind"], i["count"], i["serial_first"]) for i in issues] == [
        ("labels", 30, None), ("png", 1, None)]
    assert all(i["issued_by"] == issues[0]["issued_by"] for i in issues)
    assert qr_issues.labels_issued(session, lot.id) == 30


def test_label_pdf_text_keeps_the_vietnamese_name_batch_origin_and_stars(scene: Scene):
    response = scene.api("farm").get(f"/lots/{scene.lots['lime']}/labels.pdf?count=14&layout=2x7")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(reader.pages[0].extract_text().split())  # a long name wraps
    assert LIME in text
    assert "Lô: BL-2026-11" in text and scene.area in text
    assert "OCOP ★★★★☆" in text
    assert f"/l/{scene.lots['lime']}" in text  # the short URL for people without a scanner


def test_serialised_sheets_take_the_next_serials_and_only_issued_ones_scan(scene: Scene, client):
    farm = scene.api("farm")
    first = farm.get(f"/lots/{scene.lots['lime']}/labels.pdf?count=3&serialised=1&layout=4x10")
    second = farm.get(f"/lots/{scene.lots['lime']}/labels.pdf?count=2&serialised=true")
    assert first.headers["X-Serial-Range"] == "1-3" and second.headers["X-Serial-Range"] == "4-5"
    page = PdfReader(io.BytesIO(second.data)).pages[0]
    images = [i.image for i in page.images]  # one code per label, each a pixel per module
    urls = {decode(i.resize((i.width * 8, i.height * 8), Image.Resampling.NEAREST))
            for i in images}
    assert len(images) == 2 and {u[u.index("/21/"):u.index("?")] for u in urls} == {
        "/21/4", "/21/5"}
    url = min(urls)
    shown = scan(client, url)
    assert shown.status_code == 200 and "Mã sản phẩm" in text_of(shown)
    never = url.replace("/21/4?", "/21/6?")  # right form, never issued (nor signed)
    refused = scan(client, never.split("?")[0])
    assert refused.status_code == 404
    assert "Mã sản phẩm này chưa được đăng ký" in text_of(refused) and LIME not in text_of(refused)


def test_serialised_codes_need_a_gtin(scene: Scene):
    response = scene.api("farm").get(f"/lots/{scene.lots['loose']}/labels.pdf?serialised=1")
    assert response.status_code == 409
    assert response.json["errors"][0]["field"] == "serialised"


@pytest.mark.parametrize("query, field", [("count=0", "count"), ("count=5001", "count"),
                                          ("layout=5x5", "layout"), ("border=99", "border")])
def test_bad_options_are_422_naming_the_parameter(scene: Scene, query: str, field: str):
    what = "labels.pdf" if field in ("count", "layout") else "qr.png"
    response = scene.api("farm").get(f"/lots/{scene.lots['lime']}/{what}?{query}")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == field


def test_codes_are_issued_to_the_producer_holders_and_agencies_of_its_province(scene: Scene):
    lot = scene.lots["lime"]
    assert scene.api("shop").get(f"/lots/{lot}/qr.png").status_code == 200  # holds some
    assert scene.api("agency_80").get(f"/lots/{lot}/qr.svg").status_code == 200
    assert scene.api("other").get(f"/lots/{lot}/qr.png").status_code == 403
    assert scene.api("agency_92").get(f"/lots/{lot}/labels.pdf").status_code == 403
    assert scene.api("anonymous").get(f"/lots/{lot}/qr.png").status_code == 401


def test_no_new_codes_for_a_recalled_lot(scene: Scene):
    recalled = scene.api("agency_80").post("/recalls", json={
        "lot_codes": [scene.lots["lime"]], "reason": "Dư lượng chlorpyrifos vượt giới hạn"})
    assert recalled.status_code == 201, recalled.json
    response = scene.api("farm").get(f"/lots/{scene.lots['lime']}/labels.pdf")
    assert response.status_code == 409


def test_the_operations_are_documented_with_their_media_types(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    png = paths["/api/v1/lots/{lot_code}/qr.png"]["get"]
    assert "image/png" in png["responses"]["200"]["content"]
    assert {p["name"] for p in png["parameters"]} >= {"lot_code", "module_px", "border", "ecc"}
    pdf = paths["/api/v1/lots/{lot_code}/labels.pdf"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]
    assert {p["name"] for p in pdf["parameters"]} >= {"count", "layout", "serialised"}
    assert "/api/v1/flagged-codes" in paths and "/api/v1/consumer-reports" in paths


def test_the_labels_page_offers_printing_and_previews_the_code(scene: Scene, app, client):
    signed_in(app, client, "htx-thanh-loi", partner_id=scene.ids["farm"])
    page = client.get(f"/lots/{scene.lots['lime']}/labels")
    assert page.status_code == 200
    html, text = page.get_data(as_text=True), text_of(page)
    assert "In tem QR" in text and LIME in text
    assert "<svg" in html  # the code's preview, inline
    assert f'action="/api/v1/lots/{scene.lots["lime"]}/labels.pdf"' in html
    pdf = client.get(f"/api/v1/lots/{scene.lots['lime']}/labels.pdf?count=2")  # the form's GET
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_labels_page_asks_to_sign_in(scene: Scene, client):
    page = client.get(f"/lots/{scene.lots['lime']}/labels")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
