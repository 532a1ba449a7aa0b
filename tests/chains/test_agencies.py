"""Samples, violation cases shared between provinces, and recalls."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chains.conftest import Chain, harvest, move, pack, ship


@pytest.fixture
def at_shop(chain: Chain) -> dict[str, str]:
    """Limes from farm_a and farm_b packed into boxes that reached shop_1 in Cần Thơ."""
    a = harvest(chain, "farm_a").json["lot_code"]
    b = harvest(chain, "farm_b", quantity="500").json["lot_code"]
    move(chain, a, "farm_a", "packer", "800")
    move(chain, b, "farm_b", "packer", "500")
    box = pack(chain, [(a, "600", "kg"), (b, "500", "kg")], quantity="1000").json
    code = box["outputs"][0]["lot_code"]
    move(chain, code, "packer", "distributor", "900", unit="box")
    move(chain, code, "distributor", "shop_1", "500", unit="box")
    move(chain, code, "distributor", "shop_2", "300", unit="box")
    return {"a": a, "b": b, "box": code}


def sample(chain: Chain, lot_code: str, results: list[dict[str, Any]], who: str = "agency_92",
           where: str = "shop_1") -> Any:
    return chain.api(who).post("/samples", json={
        "lot_code": lot_code, "partner_id": chain.ids[where],
        "taken_at": "2026-11-05T09:00:00+07:00", "lab": "Trung tâm Kiểm nghiệm Cần Thơ",
        "results": results})


CHLORPYRIFOS_HIGH = {"analyte": "Chlorpyrifos", "value": 0.8, "unit": "mg/kg", "limit": 0.5}


def test_a_passing_sample_opens_no_case(chain: Chain, at_shop: dict[str, str]) -> None:
    response = sample(chain, at_shop["box"], [{"analyte": "Chlorpyrifos", "value": "ND",
                                               "unit": "mg/kg", "limit": 0.5}])
    assert response.status_code == 201, response.json
    assert response.json["verdict"] == "pass" and response.json["case_id"] is None


def test_a_failing_sample_opens_a_case_shared_with_the_origin_province(
        chain: Chain, at_shop: dict[str, str]) -> None:
    response = sample(chain, at_shop["box"], [CHLORPYRIFOS_HIGH])
    assert response.json["verdict"] == "fail"
    case_id = response.json["case_id"]
    case = chain.api("agency_92").get(f"/cases/{case_id}").json
    assert case["status"] == "open" and case["found_in_province"] == "92"
    assert case["origin_provinces"] == ["80"]
    assert {o["code"] for o in case["trace_snapshot"]["origins"]} == set(chain.areas.values())
    recipients = {r["partner_id"] for r in case["trace_snapshot"]["forward"]["recipients"]}
    assert {chain.ids["shop_1"], chain.ids["shop_2"], chain.ids["distributor"]} <= recipients
    # Long An (now Tây Ninh) sees the same case in its inbox
    tay_ninh = chain.api("agency_80")
    assert tay_ninh.get(f"/cases/{case_id}").status_code == 200
    inbox = tay_ninh.get("/inbox?kind=case").json
    assert [item["subject_id"] for item in inbox["items"]] == [str(case_id)]


def test_units_convert_and_mismatched_units_are_refused(chain: Chain,
                                                        at_shop: dict[str, str]) -> None:
    ppb = sample(chain, at_shop["box"], [{"analyte": "Chlorpyrifos", "value": 300,
                                          "unit": "ppb", "limit": 0.5, "limit_unit": "mg/kg"}])
    assert ppb.json["verdict"] == "pass"
    bad = sample(chain, at_shop["box"], [{"analyte": "E. coli", "value": 10, "unit": "cfu/g",
                                          "limit": 0.5, "limit_unit": "mg/kg"}])
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "results.0.unit"


def test_results_without_limits_use_the_table_or_are_refused(
        chain: Chain, at_shop: dict[str, str]) -> None:
    none = sample(chain, at_shop["box"], [{"analyte": "Cypermethrin", "value": 0.1,
                                           "unit": "mg/kg"}])
    assert none.status_code == 422 and none.json["errors"][0]["field"] == "results.0.limit"
    added = chain.api("admin").post("/limits", json={
        "analyte": "Cypermethrin", "category": "fruit", "limit_value": 0.2, "unit": "mg/kg",
        "source": "Codex (ví dụ)"})
    assert added.status_code == 201
    result = sample(chain, at_shop["a"], [{"analyte": "cypermethrin", "value": 0.3,
                                           "unit": "mg/kg"}], where="packer", who="agency_80")
    assert result.json["verdict"] == "fail"
    assert result.json["results"][0]["limit_source"] == "Codex (ví dụ)"


def test_a_banned_substance_on_screening_awaits_confirmation(
        chain: Chain, at_shop: dict[str, str]) -> None:
    screening = sample(chain, at_shop["box"], [{"analyte": "Salbutamol", "detected": True,
                                                "value": 4, "unit": "ppb", "method": "ELISA"}])
    assert screening.json["verdict"] == "pending_confirmation"
    assert screening.json["case_id"] is None
    confirmed = sample(chain, at_shop["box"], [{"analyte": "Salbutamol", "value": 4, "unit": "ppb",
                                                "method": "LC-MS/MS", "confirmed": True}])
    assert confirmed.json["verdict"] == "fail" and confirmed.json["case_id"]


def test_sample_refusals(chain: Chain, at_shop: dict[str, str]) -> None:
    assert sample(chain, "UNKNOWN000", [CHLORPYRIFOS_HIGH]).status_code == 404
    assert sample(chain, at_shop["box"], [CHLORPYRIFOS_HIGH], who="agency_80").status_code == 403
    never = sample(chain, at_shop["a"], [CHLORPYRIFOS_HIGH], where="shop_2")
    assert never.status_code == 422 and never.json["errors"][0]["field"] == "partner_id"
    assert sample(chain, at_shop["box"], [CHLORPYRIFOS_HIGH], who="shop_1").status_code == 403


def test_case_status_moves_forward_only(chain: Chain, at_shop: dict[str, str]) -> None:
    case_id = sample(chain, at_shop["box"], [CHLORPYRIFOS_HIGH]).json["case_id"]
    api = chain.api("agency_80")
    traced = api.post(f"/cases/{case_id}/actions", json={"text": "Đã truy xuất nguồn gốc",
                                                          "kind": "action", "status": "traced"})
    assert traced.status_code == 200 and traced.json["status"] == "traced"
    back = api.post(f"/cases/{case_id}/actions", json={"text": "x x", "status": "open"})
    assert back.status_code == 409
    assert [a["kind"] for a in traced.json["actions"]] == ["status", "action", "status"]


def test_a_forward_recall_marks_every_descendant_and_lists_recipients(
        chain: Chain, at_shop: dict[str, str]) -> None:
    case_id = sample(chain, at_shop["box"], [CHLORPYRIFOS_HIGH]).json["case_id"]
    response = chain.api("agency_92").post("/recalls", json={
        "lot_codes": [at_shop["b"]], "reason": "Dư lượng chlorpyrifos vượt mức",
        "scope": "forward", "case_id": case_id})
    assert response.status_code == 201, response.json
    recall = response.json
    assert set(recall["lots"]) == {at_shop["b"], at_shop["box"]}
    assert {(r["partner_id"], r["lot_code"]) for r in recall["recipients"]} >= {
        (chain.ids["shop_1"], at_shop["box"]), (chain.ids["shop_2"], at_shop["box"]),
        (chain.ids["distributor"], at_shop["box"]), (chain.ids["packer"], at_shop["b"])}
    assert chain.api("admin").get(f"/lots/{at_shop['a']}").json["status"] == "active"
    assert chain.api("admin").get(f"/lots/{at_shop['box']}").json["status"] == "recalled"
    assert chain.api("admin").get(f"/cases/{case_id}").json["status"] == "recall_ordered"
    refused = ship(chain, at_shop["box"], "shop_1", "shop_2", "1", unit="box")
    assert refused.status_code == 409
    again = chain.api("agency_92").post("/recalls", json={
        "lot_codes": [at_shop["box"]], "reason": "again", "case_id": case_id})
    assert again.status_code == 409 and again.json["errors"][0]["field"] == "lot_codes.0"
    notices = chain.api("shop_1").get("/inbox?kind=recall").json["items"]
    assert len(notices) == 1


def test_an_origin_recall_goes_back_to_the_harvests_first(
        chain: Chain, at_shop: dict[str, str]) -> None:
    response = chain.api("agency_80").post("/recalls", json={
        "lot_codes": [at_shop["box"]], "reason": "Nguồn gốc không rõ", "scope": "origin"})
    assert response.status_code == 201, response.json
    assert set(response.json["lots"]) == set(at_shop.values())


def test_acknowledgements_account_for_the_recalled_quantity(
        chain: Chain, at_shop: dict[str, str]) -> None:
    recall = chain.api("agency_92").post("/recalls", json={
        "lot_codes": [at_shop["box"]], "reason": "Vượt MRL", "scope": "forward"})
    assert recall.status_code == 403  # produced in 80 and no case: not Cần Thơ's to order
    recall = chain.api("agency_80").post("/recalls", json={
        "lot_codes": [at_shop["box"]], "reason": "Vượt MRL", "scope": "forward"}).json
    rid = recall["id"]
    assert recall["progress"] == 0.0
    ack = chain.api("shop_1").post(f"/recalls/{rid}/acknowledgements", json={
        "partner_id": chain.ids["shop_1"], "lot_code": at_shop["box"], "removed": 200,
        "destroyed": 300, "unit": "box"})
    assert ack.status_code == 201, ack.json
    mine = next(r for r in ack.json["recipients"] if r["partner_id"] == chain.ids["shop_1"])
    assert mine["accounted"] == 500 and 0 < ack.json["progress"] < 1
    too_much = chain.api("shop_1").post(f"/recalls/{rid}/acknowledgements", json={
        "partner_id": chain.ids["shop_1"], "lot_code": at_shop["box"], "removed": 1,
        "unit": "box"})
    assert too_much.status_code == 422
    stranger = chain.api("farm_b").post(f"/recalls/{rid}/acknowledgements", json={
        "partner_id": chain.ids["farm_b"], "lot_code": at_shop["box"], "removed": 1,
        "unit": "box"})
    assert stranger.status_code == 409 and stranger.json["errors"][0]["field"] == "partner_id"
    stock = chain.api("shop_1").get(f"/partners/{chain.ids['shop_1']}/holdings").json
    assert [h["quantity"] for h in stock["holdings"]] == [200]
