"""The agencies' web pages: signed in, CSRF-protected forms, no JavaScript needed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import accounts
from registry.actors import SYSTEM
from registry.models import Lot, LotStatus, Role
from tests.agency.conftest import Chain, csrf_token, failing_sample

Login = Callable[..., FlaskClient]


@pytest.fixture
def login(app: Flask, session: Session) -> Login:
    """A browser-like client signed in as a new user of the given role."""
    counter = iter(range(1, 1000))

    def sign_in(role: str = "agency", *, provinces: list[str] | None = None,
                partner_id: int | None = None) -> FlaskClient:
        name = f"web-{role}-{next(counter)}"
        accounts.create_user(session, SYSTEM, accounts.UserIn(
            username=name, password="password-123", role=Role(role), partner_id=partner_id,
            provinces=provinces if provinces is not None else (["92"] if role == "agency"
                                                               else [])))
        session.commit()
        client = app.test_client()
        token = csrf_token(client, "/login")
        signed = client.post("/login", data={"username": name, "password": "password-123",
                                             "csrf_token": token})
        assert signed.status_code == 302
        return client

    return sign_in


def text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_pages_need_a_sign_in(client: FlaskClient) -> None:
    for path in ("/samples", "/samples/new", "/sampling-plans", "/cases", "/recalls", "/inbox",
                 "/reports/indicators"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_menu_lists_the_agency_pages(login: Login) -> None:
    page = text(login().get("/samples"))
    for path in ("/samples", "/sampling-plans", "/cases", "/recalls", "/reports/indicators",
                 "/inbox"):
        assert f'href="{path}"' in page, path
    assert "<script" not in page


def test_a_failing_sample_from_the_form_opens_a_case(login: Login, chain: Chain,
                                                     at_shop: dict[str, str]) -> None:
    browser = login(provinces=["92"])
    form = text(browser.get(f"/samples/new?lot_code={at_shop['box']}"))
    assert f'value="{at_shop["box"]}"' in form and 'name="results.5.analyte"' in form
    data = {"csrf_token": csrf_token(browser, "/samples/new"), "lot_code": at_shop["box"],
            "partner_id": str(chain.ids["shop_1"]), "taken_at": "2026-11-05T09:00",
            "lab": "Trung tâm Kiểm nghiệm Cần Thơ",
            "results.0.analyte": "Chlorpyrifos", "results.0.value": "0,8",
            "results.0.unit": "mg/kg", "results.0.limit": "0.5",
            "results.2.analyte": "Cypermethrin", "results.2.value": "ND",
            "results.2.unit": "mg/kg", "results.2.limit": "0.2"}
    done = browser.post("/samples/new", data=data)
    assert done.status_code == 302 and "/samples/" in done.headers["Location"]
    page = text(browser.get(done.headers["Location"]))
    assert "Chlorpyrifos" in page and 'class="badge fail"' in page
    case_link = re.search(r'href="/cases/(\d+)"', page)
    assert case_link is not None
    listed = text(browser.get("/samples?verdict=fail"))
    assert at_shop["box"] in listed


def test_a_sample_form_sent_twice_opens_one_case(login: Login, chain: Chain,
                                                at_shop: dict[str, str], app: Flask) -> None:
    from registry.models import Sample, ViolationCase

    browser = login(provinces=["92"])
    form = text(browser.get(f"/samples/new?lot_code={at_shop['box']}"))
    token = re.search(r'name="submission" value="([^"]+)"', form)
    assert token is not None
    data = {"csrf_token": csrf_token(browser, "/samples/new"), "lot_code": at_shop["box"],
            "partner_id": str(chain.ids["shop_1"]), "taken_at": "2026-11-05T09:00",
            "lab": "Trung tâm Kiểm nghiệm Cần Thơ", "submission": token.group(1),
            "results.0.analyte": "Chlorpyrifos", "results.0.value": "0,8",
            "results.0.unit": "mg/kg", "results.0.limit": "0.5"}
    first = browser.post("/samples/new", data=data)
    again = browser.post("/samples/new", data=data)
    assert first.status_code == 302 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    with app.extensions["nguongoc.sessions"]() as s:
        assert len(s.execute(select(Sample)).scalars().all()) == 1
        assert len(s.execute(select(ViolationCase)).scalars().all()) == 1


def test_sample_form_errors_show_beside_their_row_and_change_nothing(
        login: Login, chain: Chain, at_shop: dict[str, str]) -> None:
    browser = login(provinces=["92"])
    data = {"csrf_token": csrf_token(browser, "/samples/new"), "lot_code": at_shop["box"],
            "partner_id": str(chain.ids["shop_1"]), "taken_at": "2026-11-05T09:00", "lab": "Lab",
            "results.3.analyte": "E. coli", "results.3.value": "10", "results.3.unit": "cfu/g",
            "results.3.limit": "0.5", "results.3.limit_unit": "mg/kg"}
    refused = browser.post("/samples/new", data=data)
    assert refused.status_code == 422
    assert 'id="e-results-3-unit"' in text(refused)
    assert "0 samples" in text(browser.get("/samples")) or "0 mẫu" in text(browser.get("/samples"))


def test_forms_without_the_csrf_token_are_refused(login: Login, chain: Chain) -> None:
    browser = login(provinces=["92"])
    assert browser.post("/sampling-plans", data={"name": "x"}).status_code == 400


def test_plans_show_progress_and_are_added_from_the_form(login: Login) -> None:
    browser = login(provinces=["22"])
    added = browser.post("/sampling-plans", data={
        "csrf_token": csrf_token(browser, "/sampling-plans"), "name": "Kế hoạch 74/KH-UBND",
        "province_code": "22", "starts_on": "2025-01-01", "ends_on": "2025-12-31",
        "planned": "500"})
    assert added.status_code == 302
    page = text(browser.get("/sampling-plans"))
    assert "Kế hoạch 74/KH-UBND" in page and '<progress value="0" max="500"' in page
    other = browser.post("/sampling-plans", data={
        "csrf_token": csrf_token(browser, "/sampling-plans"), "name": "Cần Thơ",
        "province_code": "92", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "planned": "10"})
    assert other.status_code == 403  # not Quảng Ninh's to plan
    bad = browser.post("/sampling-plans", data={
        "csrf_token": csrf_token(browser, "/sampling-plans"), "name": "Kế hoạch",
        "province_code": "22", "starts_on": "2026-12-31", "ends_on": "2026-01-01",
        "planned": "0"})
    assert bad.status_code == 422 and 'id="e-planned"' in text(bad)


def test_a_case_page_leads_to_a_prefilled_recall_and_its_notice(
        login: Login, chain: Chain, at_shop: dict[str, str], session: Session) -> None:
    case_id = failing_sample(chain, at_shop["box"])["case_id"]
    cantho, tayninh = login(provinces=["92"]), login(provinces=["80"])
    for browser in (cantho, tayninh):  # both provinces see the case
        assert f'href="/cases/{case_id}"' in text(browser.get("/cases"))
    assert f'href="/cases/{case_id}"' not in text(login(provinces=["22"]).get("/cases"))
    page = text(tayninh.get(f"/cases/{case_id}"))
    assert chain.areas["farm_a"] in page and "Tỉnh Tây Ninh" in page
    assert f'href="/recalls/new?case_id={case_id}"' in page
    note = tayninh.post(f"/cases/{case_id}/actions", data={
        "csrf_token": csrf_token(tayninh, f"/cases/{case_id}"),
        "text": "Đã kiểm tra vùng trồng", "kind": "action", "status": "traced"})
    assert note.status_code == 302
    assert "Đã kiểm tra vùng trồng" in text(cantho.get(f"/cases/{case_id}"))
    form = text(cantho.get(f"/recalls/new?case_id={case_id}"))
    assert at_shop["box"] in form and f'name="case_id" value="{case_id}"' in form
    ordered = cantho.post("/recalls/new", data={
        "csrf_token": csrf_token(cantho, f"/recalls/new?case_id={case_id}"),
        "case_id": str(case_id), "lot_codes": at_shop["box"], "reason": "Chlorpyrifos vượt mức",
        "scope": "forward"})
    assert ordered.status_code == 302, text(ordered)
    recall_page = text(cantho.get(ordered.headers["Location"]))
    recall_id = int(ordered.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert f"/api/v1/recalls/{recall_id}/notice.pdf" in recall_page
    assert "<progress" in recall_page and "Đối tác retailer" in recall_page
    notice = cantho.get(f"/api/v1/recalls/{recall_id}/notice.pdf")
    assert notice.status_code == 200 and notice.mimetype == "application/pdf"
    status = session.execute(select(Lot.status).where(Lot.lot_code == at_shop["box"])).scalar()
    assert status is LotStatus.RECALLED
    again = cantho.post("/recalls/new", data={
        "csrf_token": csrf_token(cantho, "/recalls/new"), "lot_codes": at_shop["box"],
        "reason": "again", "scope": "forward", "case_id": str(case_id)})
    assert again.status_code == 422 and "already recalled" in text(again)


def test_a_recipient_acknowledges_on_the_recall_page_and_reads_its_inbox(
        login: Login, chain: Chain, at_shop: dict[str, str]) -> None:
    recall = chain.api("agency_80").post("/recalls", json={
        "lot_codes": [at_shop["box"]], "reason": "Vượt MRL", "scope": "forward"}).json
    shop = login("partner", partner_id=chain.ids["shop_1"])
    inbox = text(shop.get("/inbox"))
    assert 'class="is-unread"' in inbox and "Vượt MRL" in inbox
    item = re.search(r'action="/inbox/(\d+)/open"', inbox)
    assert item is not None
    opened = shop.post(f"/inbox/{item.group(1)}/open",
                       data={"csrf_token": csrf_token(shop, "/inbox")})
    assert opened.headers["Location"].endswith(f"/recalls/{recall['id']}")
    assert 'class="is-unread"' not in text(shop.get("/inbox"))
    page = text(shop.get(f"/recalls/{recall['id']}"))
    assert "Đối tác retailer" in page and f'value="{chain.ids["shop_1"]}|{at_shop["box"]}"' in page
    assert f'value="{chain.ids["shop_2"]}|' not in page  # only its own rows
    done = shop.post(f"/recalls/{recall['id']}/acknowledgements", data={
        "csrf_token": csrf_token(shop, f"/recalls/{recall['id']}"),
        "recipient": f"{chain.ids['shop_1']}|{at_shop['box']}", "removed": "200",
        "destroyed": "300", "unit": "box"})
    assert done.status_code == 302
    rows = chain.api("agency_80").get(f"/recalls/{recall['id']}").json["recipients"]
    assert next(r for r in rows if r["partner_id"] == chain.ids["shop_1"])["accounted"] == 500
    too_much = shop.post(f"/recalls/{recall['id']}/acknowledgements", data={
        "csrf_token": csrf_token(shop, f"/recalls/{recall['id']}"),
        "recipient": f"{chain.ids['shop_1']}|{at_shop['box']}", "removed": "1", "unit": "box"})
    assert too_much.status_code == 422  # nothing left to account for
    stranger = login("partner", partner_id=chain.ids["farm_b"])
    assert stranger.get(f"/recalls/{recall['id']}").status_code == 403


def test_the_indicators_dashboard_draws_bars_without_javascript(login: Login,
                                                                chain: Chain) -> None:
    browser = login(provinces=["80"])
    page = text(browser.get("/reports/indicators?year=2026&as_of=2026-11-27"))
    assert "Tỉnh Tây Ninh" in page and page.count('<svg class="bar"') == 10
    assert "<script" not in page and "/api/v1/reports/indicators.pdf?" in page
    assert f'href="/api/v1/partners/{chain.ids["farm_a"]}"' in page or \
        f'href="/partners/{chain.ids["farm_a"]}"' in page
    assert browser.get("/reports/indicators?province_code=99&year=2026").status_code == 422
