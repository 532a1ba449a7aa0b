"""The indicators over the API (JSON and PDF), the targets table, and the recall notice PDF."""

from __future__ import annotations

from typing import Any

from tests.agency.conftest import Chain, failing_sample, pdf_text
from tests.conftest import ApiClient

QUERY = "province_code=80&year=2026&as_of=2026-11-27"


def test_the_indicators_report_lists_every_indicator_with_its_basis(chain: Chain) -> None:
    response = chain.api("agency_80").get(f"/reports/indicators?{QUERY}")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["province_name"] == "Tỉnh Tây Ninh" and "Tỉnh Long An" in body["includes"]
    rows = {row["key"]: row for row in body["indicators"]}
    assert set(rows) == {"establishments_certified", "qr_traceable", "samples_vs_plan",
                         "violation_rate", "safe_chains", "international_chains", "gap_area",
                         "food_safety_systems", "ocop_food_safety", "centralised_slaughter"}
    first = rows["establishments_certified"]
    assert first["denominator"] == 4 and first["numerator"] == 0 and first["met"] is False
    assert first["record_count"] == 4 and all(r["type"] == "partner" for r in first["records"])
    assert {"name_vi", "name_en", "basis", "target", "threshold", "value"} <= set(first)


def test_indicator_refusals(chain: Chain, api_as: Any) -> None:
    bad = chain.api("agency_80").get("/reports/indicators?province_code=72&year=2026")
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "province_code"
    assert chain.api("agency_80").get("/reports/indicators?year=2026").status_code == 422
    assert chain.api("shop_1").get(f"/reports/indicators?{QUERY}").status_code == 403
    assert api_as("anonymous").get(f"/reports/indicators?{QUERY}").status_code == 401


def test_the_indicators_pdf_reads_in_vietnamese(chain: Chain) -> None:
    response = chain.api("agency_92").get(f"/reports/indicators.pdf?{QUERY}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "CHỈ TIÊU KẾ HOẠCH NĂM 2026: TỈNH TÂY NINH" in text
    assert "Tỷ lệ giết mổ tập trung" in text and "Quyết định 1384/QĐ-BNN-QLCL" in text


def test_admins_edit_targets_and_their_basis(admin: ApiClient, chain: Chain) -> None:
    listed = admin.get("/reports/indicator-targets").json
    assert listed[0]["key"] == "establishments_certified" and listed[0]["confidence"] == "S"
    changed = admin.patch("/reports/indicator-targets/violation_rate", json={
        "target": 0.05, "params": {"mode": "points"}, "basis": "Kế hoạch (ví dụ): giảm 5 điểm %"})
    assert changed.status_code == 200, changed.json
    assert changed.json["params"] == {"mode": "points"} and changed.json["updated_by"]
    row = next(r for r in chain.api("agency_80").get(f"/reports/indicators?{QUERY}")
               .json["indicators"] if r["key"] == "violation_rate")
    assert row["target"] == 0.05 and row["params"]["mode"] == "points"
    assert chain.api("agency_80").patch("/reports/indicator-targets/violation_rate",
                                      json={"target": 1}).status_code == 403
    assert admin.patch("/reports/indicator-targets/nope", json={"target": 1}).status_code == 404
    assert admin.patch("/reports/indicator-targets/gap_area", json={
        "target": 0.1, "province_code": "99"}).status_code == 422


def test_the_recall_notice_is_a_vietnamese_pdf_with_recipients(
        chain: Chain, at_shop: dict[str, str]) -> None:
    case_id = failing_sample(chain, at_shop["box"])["case_id"]
    recall = chain.api("agency_92").post("/recalls", json={
        "lot_codes": [at_shop["box"]], "reason": "Dư lượng chlorpyrifos vượt mức giới hạn",
        "scope": "origin", "case_id": case_id}).json
    response = chain.api("agency_80").get(f"/recalls/{recall['id']}/notice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("THÔNG BÁO THU HỒI SẢN PHẨM", f"Số: {recall['id']:04d}/",
                     "Dư lượng chlorpyrifos vượt mức giới hạn", "Thu hồi bắt buộc",
                     "Truy ngược về các lô thu hoạch gốc", "Thông tư 17/2021/TT-BNNPTNT",
                     "Điều 8-12", "Sơ đồ truy xuất", "Đối tác retailer", "Tỉnh Tây Ninh",
                     "Thành phố Cần Thơ", f"Căn cứ vụ việc số {case_id}", at_shop["box"],
                     at_shop["a"], " hộp"):  # counted units in Vietnamese
        assert expected in text, expected
    shop = chain.api("shop_1").get(f"/recalls/{recall['id']}/notice.pdf")
    assert shop.status_code == 200  # a recipient reads its notice
    assert chain.api("farm_b").get(f"/recalls/{recall['id']}/notice.pdf").status_code == 403
    assert chain.api("agency_80").get("/recalls/999/notice.pdf").status_code == 404
