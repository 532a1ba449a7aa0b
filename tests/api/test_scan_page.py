"""The public scan page as a consumer meets it: the right lot's facts in Vietnamese (or English),
JSON for apps, a loud banner on a recalled or held lot, clear 400/404 pages for codes that are
malformed, forged or not registered (never a 500, never another lot's data), and every scan in
the log with coarse client facts only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import qr
from registry.models import Scan
from tests.api.qr_scene import LIME, LOOSE_LIME, Scene, scan, scene, text_of
from tests.conftest import BASE_URL

__all__ = ["scene"]
KEY = qr.signing_key("test-secret")


def code(scene: Scene, lot: str = "lime", *, signed: bool = True, serial: str | None = None,
         gtin: str | None = None) -> str:
    """The URL a label of the lot carries (as qr_issues builds it)."""
    if lot == "loose":
        return qr.lot_url(BASE_URL, scene.lots["loose"], key=KEY if signed else None)
    return qr.gtin_url(BASE_URL, gtin or lime_gtin(scene), "BL-2026-11", serial,
                       key=KEY if signed else None)


def lime_gtin(scene: Scene) -> str:
    return str(scene.api("admin").get(f"/products/{scene.ids['lime']}").json["gtin"])


def test_a_signed_code_shows_product_producer_origin_path_and_certifications(scene: Scene,
                                                                             client):
    page = scan(client, code(scene))
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = text_of(page)
    assert LIME in text and "BL-2026-11" in text
    assert "Mã do hệ thống truy xuất nguồn gốc cấp" in text
    assert "Hợp tác xã Chanh không hạt Thạnh Lợi" in text
    assert f"Mã số vùng trồng: {scene.area}" in text
    assert "Tỉnh Long An (nay là Tỉnh Tây Ninh)" in text  # recorded, and the current province
    assert "openstreetmap.org/?mlat=10.64000&amp;mlon=106.49000" in page.get_data(as_text=True)
    assert "OCOP ★★★★☆" in text
    assert "VietGAP" in text and "Chứng nhận khi thu hoạch" in text
    timeline = text[text.index("Từ nơi sản xuất"):text.index("Chứng nhận khi")]
    assert "Thu hoạch 01/11/2026" in timeline
    assert "Vận chuyển 02/11/2026" in timeline and "Bán lẻ 02/11/2026" in timeline
    assert "Siêu thị Xanh Ninh Kiều" in timeline
    assert "Chưa có mẫu giám sát nào của lô này." in text
    assert page.headers["Cache-Control"] == "no-cache"
    assert "<script" not in page.get_data(as_text=True)


def test_english_on_request_keeps_the_code_in_the_switch_link(scene: Scene, client):
    url = code(scene)
    page = scan(client, url)
    signature = url.split("?s=")[1]
    assert f'href="{url[len(BASE_URL):]}&amp;lang=en"' in page.get_data(as_text=True)
    english = scan(client, url + "&lang=en")
    text = text_of(english)
    assert "Seedless lime" in text and "Code issued by the origin registry" in text
    assert "From the farm to the shelf" in text and "now Tỉnh Tây Ninh" in text
    assert f"s={signature}&amp;lang=vi" in english.get_data(as_text=True)


def test_json_has_the_same_facts(scene: Scene, client):
    response = scan(client, code(scene), headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    facts = response.json
    assert facts["lot_code"] == scene.lots["lime"] and facts["batch"] == "BL-2026-11"
    assert facts["verification"] == "verified" and facts["status"] == "active"
    assert facts["product"]["name_vi"] == LIME and facts["ocop"]["stars"] == 4
    assert facts["origins"][0]["code"] == scene.area
    assert facts["origins"][0]["province_name_current"] == "Tỉnh Tây Ninh"
    assert [s["step"] for s in facts["timeline"]] == ["harvest", "shipping", "retail"]
    assert facts["timeline"][0]["first"].startswith("2026-10-31T17:00")  # 1 Nov, Vietnam time
    assert facts["warning"] is None and facts["monitoring"] is None


def test_a_lot_without_gtin_scans_by_lot_code_even_typed_in_lower_case(scene: Scene, client):
    typed = f"/l/{scene.lots['loose'].lower()}"
    page = scan(client, typed)
    assert page.status_code == 200 and LOOSE_LIME in text_of(page)
    assert "Không xác minh được mã này do hệ thống in" in text_of(page)  # no signature
    assert scan(client, code(scene, "loose")).status_code == 200


def test_a_code_typed_by_hand_works_but_is_not_vouched_for(scene: Scene, client):
    page = scan(client, code(scene, signed=False), headers={"Accept": "application/json"})
    assert page.status_code == 200 and page.json["verification"] == "unsigned"


def test_a_gtin_13_names_the_same_lot(scene: Scene, client):
    gtin = lime_gtin(scene)[1:]
    page = scan(client, f"/01/{gtin}/10/BL-2026-11", headers={"Accept": "application/json"})
    assert page.status_code == 200 and page.json["lot_code"] == scene.lots["lime"]


def test_a_forged_signature_is_a_400_that_shows_nothing_of_the_lot(scene: Scene, client):
    url = code(scene)
    forged = url[:-12] + ("A" * 12 if not url.endswith("A" * 12) else "B" * 12)
    page = scan(client, forged)
    assert page.status_code == 400
    text = text_of(page)
    assert "Mã này không do hệ thống cấp" in text
    assert LIME not in text and "BL-2026-11" not in text and scene.area not in text
    problem = scan(client, forged, headers={"Accept": "application/json"})
    assert problem.status_code == 400 and problem.mimetype == "application/problem+json"
    # a signature made for another lot's code does not carry over
    other = code(scene, "loose").split("?s=")[1]
    assert scan(client, url.split("?s=")[0] + "?s=" + other).status_code == 400


@pytest.mark.parametrize("path", ["/l/ZZZZZZZZZZ", "/01/08930000099990/10/NOPE",
                                  "/01/08930000099990", "/01/08930000099990/21/7"])
def test_unknown_codes_are_a_clear_404(scene: Scene, client, path: str):
    page = scan(client, path)
    assert page.status_code == 404
    assert "Mã này chưa được đăng ký" in text_of(page) and LIME not in text_of(page)


@pytest.mark.parametrize("path", [
    "/01/08930000000001/10/X",            # wrong check digit
    "/01/123/10/X",                       # not a GTIN
    "/01/08930000000019/10/" + "B" * 21,  # a batch of 21 characters
    "/01/08930000000019/17/261231",       # an AI the scan page does not take
    "/l/..", "/l/a%2", "/l/%00", "/l/ab%20cd",
    "/01/08930000000019/10/A?s=1&s=2",    # two signatures
    "/l/" + "A" * 40,
])
def test_malformed_codes_are_a_clear_400_never_a_500(scene: Scene, client, path: str):
    page = scan(client, path)
    assert page.status_code in (400, 404), path
    assert page.status_code == 400 or "chưa được đăng ký" in text_of(page)
    assert "Đây không phải mã sản phẩm hợp lệ" in text_of(page) or page.status_code == 404


def test_a_batch_with_a_slash_is_read_from_the_raw_uri(scene: Scene, client):
    lot = scene.api("farm").post("/lots", json={
        "product_id": scene.ids["lime"], "partner_id": scene.ids["farm"], "quantity": "10",
        "unit": "kg", "produced_on": "2026-11-01", "batch": "A/7",
        "origin": {"growing_area_code": scene.area}})
    assert lot.status_code == 201
    url = qr.gtin_url(BASE_URL, lime_gtin(scene), "A/7", key=KEY)
    assert "/10/A%2F7?" in url
    page = scan(client, url, headers={"Accept": "application/json"})
    assert page.status_code == 200 and page.json["lot_code"] == lot.json["lot_code"]


def test_a_recalled_lot_shows_the_red_banner_with_what_to_do(scene: Scene, client):
    recall = scene.api("agency_80").post("/recalls", json={
        "lot_codes": [scene.lots["lime"]], "reason": "Dư lượng chlorpyrifos vượt giới hạn",
        "instructions": "Không sử dụng; mang trả lại siêu thị để được hoàn tiền."})
    assert recall.status_code == 201, recall.json
    page = scan(client, code(scene))
    assert page.status_code == 200
    html, text = page.get_data(as_text=True), text_of(page)
    assert html.index("ĐÃ THU HỒI") < html.index(f"<h1>{LIME}")  # at the top
    assert "Dư lượng chlorpyrifos vượt giới hạn" in text
    assert "mang trả lại siêu thị để được hoàn tiền" in text
    facts = scan(client, code(scene), headers={"Accept": "application/json"}).json
    assert facts["status"] == "recalled" and facts["warning"]["reason"].startswith("Dư lượng")
    english = text_of(scan(client, code(scene) + "&lang=en"))
    assert "RECALLED" in english


def test_a_lot_on_hold_shows_the_hold_banner(scene: Scene, client, session):
    from sqlalchemy import update

    from registry.models import Lot, LotStatus

    session.execute(update(Lot).where(Lot.lot_code == scene.lots["loose"])
                    .values(status=LotStatus.ON_HOLD))
    session.commit()
    text = text_of(scan(client, code(scene, "loose")))
    assert "TẠM GIỮ" in text and "Cơ quan chức năng đang kiểm tra lô hàng này" in text


def test_the_latest_monitoring_result_is_shown(scene: Scene, client):
    sample = scene.api("agency_80").post("/samples", json={
        "lot_code": scene.lots["lime"], "partner_id": scene.ids["farm"],
        "taken_at": "2026-11-02T09:00:00+07:00", "lab": "Trung tâm Kiểm nghiệm Long An",
        "results": [{"analyte": "Chlorpyrifos", "value": 0.01, "unit": "mg/kg",
                     "limit": 0.5}]})
    assert sample.status_code == 201, sample.json
    text = text_of(scan(client, code(scene)))
    assert "Mẫu gần nhất đạt · 02/11/2026 · Trung tâm Kiểm nghiệm Long An" in text


def test_every_scan_is_logged_with_coarse_client_facts_only(scene: Scene, client, session):
    scan(client, code(scene), ip="203.0.113.77", headers={"CF-IPCountry": "vn"})
    scan(client, code(scene, signed=False), ip="2001:db8:abcd:12::5")
    scan(client, code(scene)[:-3] + "xyz", ip="198.51.100.4")  # forged
    rows = session.execute(select(Scan).order_by(Scan.id)).scalars().all()
    assert [(r.verdict, r.ip_prefix) for r in rows] == [
        ("verified", "203.0.113.0/24"), ("unsigned", "2001:db8:abcd::/48"),
        ("forged", "198.51.100.0/24")]
    first = rows[0]
    assert first.ua_family == "chrome" and first.accept_language == "vi-VN,vi,en"
    assert first.country == "VN" and first.serial is None
    assert {r.lot_id for r in rows} == {rows[0].lot_id}
    assert scan(client, "/l/NOTALOT0").status_code == 404
    session.rollback()
    assert session.execute(select(Scan)).scalars().all().__len__() == 3  # unknown: not logged
