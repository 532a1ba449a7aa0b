"""Incoming-lot and supplier verification: each rule fails in turn, the verdict and reasons say
so; the signed PDF reads in Vietnamese and its signature check detects tampering."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, timedelta
from typing import Any

import pypdf
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from chains.verification_rules import RULES, Severity
from registry import aquaculture, validity
from registry.actors import SYSTEM
from registry.models import Holding, IssuedVerification, Lot
from tests import factories
from tests.chains.conftest import Chain, harvest, move, pack
from tests.chains.verification_fixtures import (
    CHLORPYRIFOS_HIGH,
    build,
    certify,
    change_area,
    change_cert,
    codes,
    sample,
    signed_in,
)
from tests.chains.verification_fixtures import certified as certified  # noqa: F401 (fixture)
from tests.chains.verification_fixtures import limes as limes  # noqa: F401 (fixture)


def lot_check(chain: Chain, lot_code: str, who: str = "shop_1") -> dict[str, Any]:
    response = chain.api(who).get(f"/lots/{lot_code}/verification")
    assert response.status_code == 200, response.json
    return dict(response.json)


def check(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in body["checks"] if c["name"] == name)


def test_every_rule_has_both_texts_with_the_same_placeholders() -> None:
    for rule in RULES.values():
        assert set(re.findall(r"{(\w+)}", rule.vi)) == set(re.findall(r"{(\w+)}", rule.en)), \
            rule.code
        assert rule.severity in (Severity.REJECT, Severity.CONDITION)


def test_a_certified_chain_is_approved_with_every_handler_on_the_path(
        chain: Chain, limes: dict[str, str]) -> None:
    body = lot_check(chain, limes["box"])
    assert body["verdict"] == "approved" and body["reasons"] == []
    assert {c["status"] for c in body["checks"]} == {"pass"}
    handlers = {h["partner"]["id"] for h in body["handlers"]}
    ids = chain.ids
    assert handlers == {ids[w] for w in ("farm_a", "farm_b", "collector", "packer",
                                         "distributor")}  # not shop_2, not shop_1 itself
    assert body["for_partner_id"] == ids["shop_1"] and body["lot_count"] == 3
    assert {o["code"] for o in body["origins"]} == set(chain.areas.values())


def test_vietgap_expired_at_harvest_rejects_the_lot_even_if_renewed_since(
        session: Session, chain: Chain) -> None:
    certify(session, chain, farm_a={"valid_until": date(2026, 10, 31)})
    factories.certification(session, "partner", chain.ids["farm_a"], scheme="vietgap",
                            issued_on=date(2026, 11, 10))
    session.commit()
    lots = build(chain)
    body = lot_check(chain, lots["box"])
    assert body["verdict"] == "rejected"
    assert codes(body) == ["handler_uncertified"]
    why = body["reasons"][0]
    assert why["partner_id"] == chain.ids["farm_a"] and why["lot_code"] == lots["a"]
    assert "thu hoạch" in why["text_vi"] and "01/11/2026" in why["text_vi"]
    assert "2026-11-01" in why["text_en"]
    assert "vietgap" in why["text_en"] and check(body, "handlers")["status"] == "fail"


def test_a_growing_area_revoked_before_harvest_rejects_the_lot(
        session: Session, chain: Chain, limes: dict[str, str]) -> None:
    change_area(session, chain, "farm_b", "revoked", date(2026, 10, 20))
    body = lot_check(chain, limes["box"])
    assert body["verdict"] == "rejected" and codes(body) == ["origin_invalid_at_harvest"]
    assert body["reasons"][0]["lot_code"] == limes["b"]
    assert "hủy bỏ" in body["reasons"][0]["text_vi"]
    origin = next(o for o in body["origins"] if o["code"] == chain.areas["farm_b"])
    assert origin["valid_at_harvest"] is False and origin["status_now"] == "revoked"


def test_a_code_suspended_after_harvest_makes_the_lot_conditional(
        session: Session, chain: Chain, limes: dict[str, str]) -> None:
    change_area(session, chain, "farm_a", "suspended", date(2026, 11, 20))
    body = lot_check(chain, limes["box"])
    assert body["verdict"] == "conditional" and codes(body) == ["origin_inactive_now"]
    assert check(body, "origins")["status"] == "warn"


def test_an_aquaculture_registration_suspended_before_harvest_rejects_the_oysters(
        session: Session, chain: Chain, api_as: Any) -> None:
    farm = factories.partner(session, kind="cooperative", province="22")
    reg = factories.registration(session, holder=farm)
    oyster = factories.product(session, owner=farm, name_vi="Hàu Vân Đồn", category="seafood").id
    factories.certification(session, "aquaculture_registration", reg.number, scheme="vietgap")
    certify(session, chain)
    coop = api_as("partner", partner_id=farm.id)
    lot = coop.post("/lots", json={
        "product_id": oyster, "partner_id": farm.id, "quantity": "300", "unit": "kg",
        "produced_on": "2026-11-02", "origin": {"aquaculture_registration": reg.number}})
    assert lot.status_code == 201, lot.json
    code = lot.json["lot_code"]
    sent = coop.post("/shipments", json={
        "lot_code": code, "quantity": "300", "unit": "kg", "from_partner_id": farm.id,
        "to_partner_id": chain.ids["shop_1"], "shipped_at": "2026-11-03T05:00:00+07:00"})
    assert sent.status_code == 201, sent.json
    assert lot_check(chain, code)["verdict"] == "approved"  # VietGAP held by the site counts
    aquaculture.change_status(session, SYSTEM, reg.number, validity.StatusChangeIn(
        status="suspended", effective_on=date(2026, 10, 30), reason="Vượt mật độ nuôi"))
    session.commit()
    body = lot_check(chain, code)
    assert codes(body) == ["origin_invalid_at_harvest"]
    assert body["reasons"][0]["text_vi"].startswith("Đăng ký nuôi trồng thủy sản")
    assert "đình chỉ" in body["reasons"][0]["text_vi"]


def test_a_recalled_input_rejects_the_lot(chain: Chain, limes: dict[str, str]) -> None:
    recall = chain.api("agency_80").post("/recalls", json={
        "lot_codes": [limes["a"]], "reason": "Dư lượng thuốc bảo vệ thực vật vượt ngưỡng"})
    assert recall.status_code == 201, recall.json
    body = lot_check(chain, limes["box"])
    assert body["verdict"] == "rejected"
    recalled = [r for r in body["reasons"] if r["code"] == "lot_recalled"]
    assert {r["lot_code"] for r in recalled} == {limes["a"], limes["box"]}
    assert f"#{recall.json['id']}" in recalled[0]["text_vi"]


def test_a_failed_upstream_sample_rejects_the_lot(chain: Chain, limes: dict[str, str]) -> None:
    case_id = sample(chain, limes["a"], [CHLORPYRIFOS_HIGH]).json["case_id"]
    body = lot_check(chain, limes["box"])
    assert body["verdict"] == "rejected"
    assert codes(body) == ["sample_failed", "lot_in_case"]
    assert body["reasons"][0]["lot_code"] == limes["a"]
    assert "Chlorpyrifos" in body["reasons"][0]["text_vi"]
    assert body["reasons"][1]["ref"] == f"case:{case_id}"


def test_a_pending_sample_makes_the_lot_conditional(chain: Chain, limes: dict[str, str]) -> None:
    sample(chain, limes["b"], [{"analyte": "Salbutamol", "detected": True, "value": 4,
                                "unit": "ppb", "method": "ELISA"}], where="collector")
    body = lot_check(chain, limes["box"])
    assert body["verdict"] == "conditional" and codes(body) == ["sample_pending"]


def test_an_over_yield_packer_is_rejected(session: Session, chain: Chain,
                                          certified: dict[str, int]) -> None:
    a = harvest(chain, "farm_a").json["lot_code"]
    move(chain, a, "farm_a", "packer", "1000")
    made = pack(chain, [(a, "1000", "kg")], quantity="1200", unit="kg").json
    code = made["outputs"][0]["lot_code"]
    move(chain, code, "packer", "shop_1", "1200")
    body = lot_check(chain, code)
    assert body["verdict"] == "rejected" and codes(body) == ["over_yield"]
    why = body["reasons"][0]
    assert why["partner_id"] == chain.ids["packer"]
    assert "1.200 kg từ 1.000 kg" in why["text_vi"] and "1,200 kg from 1,000 kg" in why["text_en"]
    row = body["yields"][0]
    assert row["status"] == "fail" and row["ratio"] == 1.2 and row["max_ratio"] == 1.0


def test_counted_boxes_are_weighed_with_the_product_band(
        chain: Chain, certified: dict[str, int]) -> None:
    band = chain.api("admin").post("/yield-bands", json={
        "kind": "packing", "output_product_id": chain.ids["box"], "max_ratio": 1.0,
        "output_unit_mass_g": 1000, "note": "Chanh hộp 1 kg"})
    assert band.status_code == 201, band.json
    a = harvest(chain, "farm_a").json["lot_code"]
    move(chain, a, "farm_a", "packer", "1000")
    honest = pack(chain, [(a, "500", "kg")], quantity="480").json["outputs"][0]["lot_code"]
    greedy = pack(chain, [(a, "500", "kg")], quantity="600").json["outputs"][0]["lot_code"]
    for code in (honest, greedy):
        move(chain, code, "packer", "shop_1", "1", unit="box")
    assert lot_check(chain, honest)["verdict"] == "approved"
    body = lot_check(chain, greedy)
    assert codes(body) == ["over_yield"] and "Chanh hộp 1 kg" in body["reasons"][0]["text_vi"]


def test_dried_tea_below_the_band_warns_and_above_fails(
        session: Session, chain: Chain, certified: dict[str, int]) -> None:
    farm = session.get(factories.Partner, chain.ids["farm_a"])
    fresh = factories.product(session, owner=farm, name_vi="Hoa trà vàng tươi",
                              category="tea_coffee").id
    dried = factories.product(session, owner=farm, name_vi="Trà hoa vàng sấy khô",
                              category="tea_coffee").id
    session.commit()
    made = {}
    for quantity in ("10", "20", "50"):
        lot = harvest(chain, "farm_a", quantity="100", product_id=fresh).json["lot_code"]
        out = chain.api("farm_a").post("/transformations", json={
            "partner_id": chain.ids["farm_a"], "kind": "processing",
            "occurred_at": "2026-11-03T10:00:00+07:00",
            "inputs": [{"lot_code": lot, "quantity": "100", "unit": "kg"}],
            "outputs": [{"product_id": dried, "quantity": quantity, "unit": "kg"}]}).json
        made[quantity] = out["outputs"][0]["lot_code"]
        move(chain, made[quantity], "farm_a", "shop_1", quantity)
    assert lot_check(chain, made["20"])["verdict"] == "approved"
    assert codes(lot_check(chain, made["10"])) == ["under_yield"]
    assert codes(lot_check(chain, made["50"])) == ["over_yield"]


def test_a_handler_without_a_food_safety_certificate_is_named(
        session: Session, chain: Chain) -> None:
    certify(session, chain, skip=frozenset({"packer"}))
    lots = build(chain)
    body = lot_check(chain, lots["box"])
    assert body["verdict"] == "rejected" and codes(body) == ["handler_uncertified"]
    why = body["reasons"][0]
    assert why["partner_id"] == chain.ids["packer"] and "food_safety_certificate" in why["text_vi"]
    assert "lần khác" in why["text_vi"]  # received, packed and shipped: one reason, counted


def test_a_handler_that_sent_out_more_than_it_got_is_named(
        session: Session, chain: Chain, limes: dict[str, str]) -> None:
    box = session.query(Lot).filter_by(lot_code=limes["box"]).one()
    session.execute(update(Holding).where(Holding.lot_id == box.id,
                                          Holding.partner_id == chain.ids["distributor"])
                    .values(quantity=500))  # edited behind the registry's back
    session.commit()
    body = lot_check(chain, limes["box"])
    assert codes(body) == ["overshipped"]
    assert body["reasons"][0]["partner_id"] == chain.ids["distributor"]
    assert check(body, "balances")["status"] == "fail"


def test_who_may_verify_a_lot(chain: Chain, limes: dict[str, str]) -> None:
    assert chain.api("shop_2").get(f"/lots/{limes['box']}/verification").status_code == 200
    assert chain.api("shop_1").get(f"/lots/{limes['a']}/verification").status_code == 403
    assert chain.api("agency_92").get(f"/lots/{limes['a']}/verification").status_code == 200
    missing = chain.api("shop_1").get("/lots/ZZZZZZZZZZ/verification")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert chain.api("admin").get(
        f"/lots/{limes['box']}/verification?for_partner_id={chain.ids['shop_2']}"
    ).json["for_partner_id"] == chain.ids["shop_2"]


# --- supplier verification ------------------------------------------------------------------

def supplier(chain: Chain, who: str, viewer: str = "agency_80") -> dict[str, Any]:
    response = chain.api(viewer).get(f"/partners/{chain.ids[who]}/verification")
    assert response.status_code == 200, response.json
    return dict(response.json)


def test_a_certified_supplier_is_approved_with_its_record(
        chain: Chain, limes: dict[str, str]) -> None:
    sample(chain, limes["a"], [{"analyte": "Chlorpyrifos", "value": "ND", "unit": "mg/kg",
                                "limit": 0.5}])
    body = supplier(chain, "farm_a")
    assert body["verdict"] == "approved" and body["reasons"] == []
    assert [c["scheme"] for c in body["certifications"]] == ["vietgap"]
    assert body["certifications"][0]["valid_today"] and body["certifications"][0][
        "food_safety_basis"]
    assert body["origin_codes"][0]["code"] == chain.areas["farm_a"]
    assert body["origin_codes"][0]["last_harvest_on"] == "2026-11-01"
    assert body["monitoring"]["samples"] == 1 and body["monitoring"]["passed"] == 1


def test_a_supplier_without_a_food_safety_basis_is_rejected(
        session: Session, chain: Chain) -> None:
    certify(session, chain, skip=frozenset({"collector"}))
    body = supplier(chain, "collector")
    assert body["verdict"] == "rejected" and codes(body) == ["no_food_safety_basis"]
    assert "food_safety_commitment" in body["reasons"][0]["text_vi"]


def test_an_expiring_certificate_makes_the_supplier_conditional(
        session: Session, chain: Chain) -> None:
    soon = date.today() + timedelta(days=12)
    certify(session, chain, packer={"valid_until": soon})
    body = supplier(chain, "packer")
    assert body["verdict"] == "conditional" and codes(body) == ["certificate_expiring"]
    assert "12 ngày" in body["reasons"][0]["text_vi"]
    assert body["certifications"][0]["days_to_expiry"] == 12
    factories.certification(session, "partner", chain.ids["packer"],
                            scheme="food_safety_certificate", issued_on=date(2026, 11, 1))
    session.commit()
    assert supplier(chain, "packer")["verdict"] == "approved"  # renewed


def test_a_suspended_certificate_leaves_no_basis(session: Session, chain: Chain,
                                                 certified: dict[str, int]) -> None:
    change_cert(session, certified["packer"], "suspended", date(2026, 11, 15))
    body = supplier(chain, "packer")
    assert body["verdict"] == "rejected"
    assert codes(body) == ["no_food_safety_basis", "certificate_suspended"]
    assert "đình chỉ" in body["reasons"][1]["text_vi"]


def test_a_revoked_code_it_harvests_from_rejects_the_supplier(
        session: Session, chain: Chain, limes: dict[str, str]) -> None:
    change_area(session, chain, "farm_a", "revoked", date(2026, 11, 20))
    body = supplier(chain, "farm_a")
    assert body["verdict"] == "rejected" and codes(body) == ["origin_code_revoked"]
    assert body["origin_codes"][0]["status"] == "revoked"


def test_open_cases_failed_samples_and_recalls_reject_the_supplier(
        chain: Chain, limes: dict[str, str]) -> None:
    case_id = sample(chain, limes["a"], [CHLORPYRIFOS_HIGH]).json["case_id"]
    body = supplier(chain, "farm_a")
    assert body["verdict"] == "rejected" and codes(body) == ["open_case", "sample_failed"]
    assert body["cases"][0]["id"] == case_id and body["cases"][0]["involvement"] == "produced"
    assert body["monitoring"]["failed"] == 1
    recall = chain.api("agency_80").post("/recalls", json={
        "lot_codes": [limes["a"]], "reason": "Thu hồi theo vụ việc", "case_id": case_id})
    assert recall.status_code == 201, recall.json
    shop = supplier(chain, "distributor")
    assert codes(shop) == ["open_recall"]  # it received boxes made from the recalled lot
    assert shop["recalls"][0]["involvement"] == "received"


def test_an_old_resolved_failure_makes_the_supplier_conditional(
        chain: Chain, certified: dict[str, int]) -> None:
    old = harvest(chain, "farm_b", produced_on="2025-08-01").json["lot_code"]
    failed = sample(chain, old, [CHLORPYRIFOS_HIGH], where="farm_b",
                    at="2025-08-05T09:00:00+07:00").json
    closed = chain.api("agency_80").post(f"/cases/{failed['case_id']}/actions", json={
        "text": "Đã xử lý, tiêu hủy lô", "kind": "action", "status": "closed"})
    assert closed.status_code == 200, closed.json
    body = supplier(chain, "farm_b")
    assert body["verdict"] == "conditional" and codes(body) == ["old_failure"]
    assert body["monitoring"]["samples"] == 0  # older than 12 months


def test_who_may_verify_a_supplier(chain: Chain, limes: dict[str, str]) -> None:
    shop = chain.ids["shop_1"]
    assert chain.api("shop_1").get(f"/partners/{chain.ids['distributor']}/verification"
                                   ).status_code == 200
    assert chain.api("shop_1").get(f"/partners/{chain.ids['packer']}/verification"
                                   ).status_code == 403
    approved = chain.api("shop_1").post(f"/partners/{shop}/approved-suppliers",
                                        json={"supplier_id": chain.ids["packer"]})
    assert approved.status_code == 201, approved.json
    assert chain.api("shop_1").get(f"/partners/{chain.ids['packer']}/verification"
                                   ).status_code == 200
    missing = chain.api("shop_1").get("/partners/999999/verification")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


# --- signed PDF -----------------------------------------------------------------------------

def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", re.sub(r"[ \t]+", " ", text))


def test_the_lot_pdf_reads_in_vietnamese_and_its_signature_checks(
        session: Session, chain: Chain, limes: dict[str, str]) -> None:
    change_area(session, chain, "farm_b", "revoked", date(2026, 10, 20))
    response = chain.api("shop_1").get(f"/lots/{limes['box']}/verification.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "PHIẾU XÁC MINH LÔ HÀNG NHẬP" in text
    assert "KHÔNG ĐẠT — từ chối" in text and "Mã số vùng trồng" in text
    assert "không có hiệu lực khi thu hoạch" in text
    found = re.search(r"Mã xác minh \(verification id\): (XM-[0-9A-Z]{12})", text)
    signature = re.search(r"\(signature\): ([0-9a-f]{64})", text)
    assert found and signature
    checked = chain.api("shop_2").get(f"/verifications/{found.group(1)}"
                                      f"?signature={signature.group(1)}")
    assert checked.status_code == 200, checked.json
    assert checked.json["verdict"] == "rejected" and checked.json["subject_ref"] == limes["box"]
    assert checked.json["intact"] and checked.json["presented_signature_matches"]
    forged = chain.api("shop_2").get(f"/verifications/{found.group(1)}?signature={'0' * 64}")
    assert forged.json["presented_signature_matches"] is False
    session.execute(update(IssuedVerification).where(IssuedVerification.id == found.group(1))
                    .values(verdict="approved"))  # the row edited to say "approved"
    session.commit()
    tampered = chain.api("shop_2").get(f"/verifications/{found.group(1)}"
                                       f"?signature={signature.group(1)}").json
    assert tampered["intact"] is False and tampered["presented_signature_matches"] is False
    assert chain.api("shop_2").get("/verifications/XM-000000000000").status_code == 404


def test_the_supplier_pdf_reads_in_vietnamese(chain: Chain, limes: dict[str, str]) -> None:
    response = chain.api("agency_92").get(f"/partners/{chain.ids['farm_a']}/verification.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    assert "PHIẾU XÁC MINH NHÀ CUNG CẤP" in text and "ĐẠT — chấp thuận" in text
    assert "Giám sát 12 tháng" in text and "Chứng nhận" in text


@pytest.mark.parametrize("path", ["/partners/{p}/verification", "/lots/{lot}/verification"])
def test_the_pages_are_vietnamese_first_and_printable(
        session: Session, chain: Chain, limes: dict[str, str], app: Any, path: str) -> None:
    url = path.format(p=chain.ids["farm_a"], lot=limes["box"])
    assert app.test_client().get(url).status_code == 302  # sign in first
    client = signed_in(app, session, "agency", provinces=["92"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "verification.css" in html and "verdict-approved" in html
    assert "Xác minh" in html and ".pdf" in html
    english = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Approved" in english and "verification" in english
    shop = signed_in(app, session, "partner", partner_id=chain.ids["shop_1"])
    assert shop.get(f"/lots/{limes['a']}/verification").status_code == 403
    pdf = client.get(url + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
