"""Approved-supplier lists and the daily alerts job: each cause alerts a retailer once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from chains import supplier_alerts
from tests import factories
from tests.chains.conftest import Chain
from tests.chains.verification_fixtures import (
    CHLORPYRIFOS_HIGH,
    build,
    certify,
    change_area,
    change_cert,
    csrf,
    delete,
    sample,
    signed_in,
)


def approve(chain: Chain, supplier: str, who: str = "shop_1", **extra: Any) -> Any:
    return chain.api(who).post(f"/partners/{chain.ids[who]}/approved-suppliers",
                               json={"supplier_id": chain.ids[supplier], **extra})


def listed(chain: Chain, who: str = "shop_1", viewer: str | None = None) -> Any:
    return chain.api(viewer or who).get(f"/partners/{chain.ids[who]}/approved-suppliers")


def test_a_retailer_keeps_its_approved_list(chain: Chain) -> None:
    added = approve(chain, "distributor", product_ids=[chain.ids["box"]],
                    categories=["fruit"], note="Giao hàng thứ hai, thứ năm")
    assert added.status_code == 201, added.json
    assert added.json["supplier"]["id"] == chain.ids["distributor"]
    assert added.json["approved_on"] == date.today().isoformat()
    assert approve(chain, "packer", approved_on="2026-01-15").status_code == 201
    again = approve(chain, "distributor")
    assert again.status_code == 409 and again.json["errors"][0]["field"] == "supplier_id"
    assert approve(chain, "shop_1").status_code == 422  # itself
    assert chain.api("shop_1").post(f"/partners/{chain.ids['shop_1']}/approved-suppliers",
                                    json={"supplier_id": 999999}).status_code == 404
    names = [a["supplier"]["id"] for a in listed(chain).json]
    assert set(names) == {chain.ids["distributor"], chain.ids["packer"]}
    assert listed(chain, viewer="agency_92").status_code == 200
    assert listed(chain, viewer="shop_2").status_code == 403
    assert approve(chain, "farm_a", who="packer").status_code == 422  # not a retailer
    assert chain.api("agency_92").post(f"/partners/{chain.ids['shop_1']}/approved-suppliers",
                                       json={"supplier_id": chain.ids["farm_a"]}
                                       ).status_code == 403
    gone = delete(chain.api("shop_1"),
                  f"/partners/{chain.ids['shop_1']}/approved-suppliers/{chain.ids['packer']}")
    assert gone.status_code == 204
    assert [a["supplier"]["id"] for a in listed(chain).json] == [chain.ids["distributor"]]
    assert delete(chain.api("shop_1"), f"/partners/{chain.ids['shop_1']}/approved-suppliers/"
                                       f"{chain.ids['packer']}").status_code == 404
    by_query = delete(chain.api("shop_1"), f"/partners/{chain.ids['shop_1']}/approved-suppliers"
                                           f"?supplier_id={chain.ids['distributor']}")
    assert by_query.status_code == 204 and listed(chain).json == []


def alerts(chain: Chain, who: str = "shop_1") -> list[dict[str, Any]]:
    response = chain.api(who).get(f"/partners/{chain.ids[who]}/supplier-alerts")
    assert response.status_code == 200, response.json
    return list(response.json)


def test_the_alerts_job_tells_each_cause_once(session: Session, chain: Chain, app: Flask) -> None:
    soon = date.today() + timedelta(days=20)
    ids = certify(session, chain, farm_a={"valid_until": soon})
    expired = factories.certification(session, "partner", chain.ids["collector"],
                                      scheme="haccp", issued_on=date(2023, 1, 1),
                                      valid_until=date(2026, 6, 30))
    session.commit()
    lots = build(chain)
    change_cert(session, ids["packer"], "suspended", date(2026, 11, 20))
    change_area(session, chain, "farm_b", "revoked", date(2026, 11, 21))
    case_id = sample(chain, lots["box"], [CHLORPYRIFOS_HIGH], who="agency_92",
                     where="distributor").json["case_id"]
    for supplier in ("farm_a", "farm_b", "collector", "packer", "distributor"):
        assert approve(chain, supplier).status_code == 201
    assert approve(chain, "packer", who="shop_2").status_code == 201

    first = supplier_alerts.run(session)
    session.commit()
    kinds = {(a["supplier_id"], a["kind"]) for a in alerts(chain)}
    assert kinds == {(chain.ids["farm_a"], "certificate_expiring"),
                     (chain.ids["farm_b"], "origin_code_revoked"),
                     (chain.ids["collector"], "certificate_expired"),
                     (chain.ids["packer"], "certificate_suspended"),
                     (chain.ids["packer"], "case"),  # it made the boxes
                     (chain.ids["distributor"], "case")}  # it received them
    assert first.alerts == 8 and first.approvals == 6
    assert {a["kind"] for a in alerts(chain, "shop_2")} == {"certificate_suspended", "case"}
    inbox = chain.api("shop_1").get("/inbox?kind=supplier_alert").json
    assert inbox["total"] == 6
    assert any("hết hạn sau 20 ngày" in i["title"] for i in inbox["items"])
    assert any(f"#{case_id}" in i["title"] for i in inbox["items"])
    assert any(str(expired.number) in i["title"] for i in inbox["items"])

    assert supplier_alerts.run(session).alerts == 0  # idempotent
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["alerts", "run"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 new alerts for 6 approvals")
    assert chain.api("shop_1").get("/inbox?kind=supplier_alert").json["total"] == 6

    recall = chain.api("agency_92").post("/recalls", json={
        "lot_codes": [lots["box"]], "reason": "Thu hồi hộp chanh", "case_id": case_id})
    assert recall.status_code == 201, recall.json
    assert supplier_alerts.run(session).alerts == 3  # the recall: packer (2 shops), distributor
    session.commit()
    assert {(a["supplier_id"], a["kind"]) for a in alerts(chain) if a["kind"] == "recall"} == {
        (chain.ids["packer"], "recall"), (chain.ids["distributor"], "recall")}
    assert supplier_alerts.run(session).alerts == 0


def test_alerts_are_the_retailers_own(chain: Chain) -> None:
    assert chain.api("shop_2").get(f"/partners/{chain.ids['shop_1']}/supplier-alerts"
                                   ).status_code == 403
    assert chain.api("agency_92").get(f"/partners/{chain.ids['shop_1']}/supplier-alerts"
                                      ).status_code == 200


def test_the_approved_list_page_adds_removes_and_sets_the_gate(
        session: Session, chain: Chain, app: Flask) -> None:
    shop = signed_in(app, session, "partner", partner_id=chain.ids["shop_1"])
    url = f"/partners/{chain.ids['shop_1']}/approved-suppliers"
    page = shop.get(url)
    assert page.status_code == 200 and "Nhà cung cấp được chấp thuận" in page.get_data(True)
    token = csrf(shop, url)
    added = shop.post(url, data={"supplier_id": str(chain.ids["distributor"]),
                                 "categories": "fruit, vegetable", "csrf_token": token})
    assert added.status_code == 302
    html = shop.get(url).get_data(as_text=True)
    assert "Đã chấp thuận nhà cung cấp." in html and "Trái cây, Rau" in html  # categories by name
    bad = shop.post(url, data={"supplier_id": "abc", "csrf_token": token})
    assert bad.status_code == 422 and "Mã nhà cung cấp" in bad.get_data(as_text=True)
    gate = shop.post(f"/partners/{chain.ids['shop_1']}/receiving-gate",
                     data={"mode": "warn", "csrf_token": token})
    assert gate.status_code == 302
    assert chain.api("shop_1").get(f"/partners/{chain.ids['shop_1']}/receiving-gate"
                                   ).json["mode"] == "warn"
    removed = shop.post(f"{url}/{chain.ids['distributor']}/remove", data={"csrf_token": token})
    assert removed.status_code == 302 and listed(chain).json == []
    other = signed_in(app, session, "partner", partner_id=chain.ids["shop_2"])
    assert other.get(url).status_code == 403
