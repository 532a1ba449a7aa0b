"""Aquaculture registration pages: list, detail, issue through the form, change status."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import AquacultureRegistration, RecordStatus
from tests import factories
from tests.web.conftest import WebClient, fresh


def _form(holder_id: int, **extra: str) -> dict[str, str]:
    return {"number": "22-VD-2025-0101", "holder_id": str(holder_id),
            "species": "Hàu Thái Bình Dương, Ngao", "farming_form": "raft",
            "method": "extensive", "area_m2": "", "cages": "60",
            "place.province": "vn2025:22", "place.address": "Vân Đồn",
            "issued_on": "2025-08-01", **extra}


def test_the_list_and_the_detail(web: WebClient, session: Session):
    reg = factories.registration(session)
    session.commit()
    listed = web.get("/aquaculture?q=crassostrea")
    assert listed.status_code == 200 and reg.number in listed.text and "Bè" in listed.text
    assert reg.number not in web.get("/aquaculture?status=revoked").text
    assert web.get("/aquaculture?status=lost").status_code == 422
    page = web.get(f"/aquaculture/{reg.number}")
    assert page.status_code == 200 and "Tỉnh Quảng Ninh" in page.text and "40" in page.text
    assert web.get("/aquaculture/NO-SUCH-1").status_code == 404


def test_an_agency_issues_a_registration(web_as: Callable[..., WebClient], session: Session):
    farm = factories.partner(session, province="22")
    session.commit()
    agency = web_as("agency", provinces=["22"])
    assert agency.get(f"/aquaculture/new?holder_id={farm.id}").status_code == 200
    response = agency.submit("/aquaculture/new", _form(farm.id))
    assert response.status_code == 302
    reg = fresh(session).execute(select(AquacultureRegistration)).scalar_one()
    assert reg.species == ["Hàu Thái Bình Dương", "Ngao"] and reg.cages == 60
    assert response.headers["Location"].endswith(f"/aquaculture/{reg.number}")


def test_neither_area_nor_cages_is_refused_in_vietnamese(web_as: Callable[..., WebClient],
                                                          session: Session):
    farm = factories.partner(session, province="22")
    session.commit()
    response = web_as("agency", provinces=["22"]).submit(
        "/aquaculture/new", _form(farm.id, cages="", farming_form="", species=""))
    assert response.status_code == 422
    assert "Nhập diện tích nuôi hoặc số lồng." in response.text
    assert "Thông tin này là bắt buộc." in response.text
    assert fresh(session).execute(select(AquacultureRegistration)).first() is None


def test_another_province_and_anonymous_users_are_refused(
        web_as: Callable[..., WebClient], web: WebClient, session: Session):
    farm = factories.partner(session, province="22")
    session.commit()
    assert web_as("agency", provinces=["80"]).submit(
        "/aquaculture/new", _form(farm.id)).status_code == 403
    assert web.get("/aquaculture/new").status_code == 302


def test_status_change_of_a_number_with_slashes(web_as: Callable[..., WebClient],
                                                session: Session):
    reg = factories.registration(session, number="15/2024/ĐK-TS")
    session.commit()
    agency = web_as("agency", provinces=["22"])
    url = f"/aquaculture/{reg.number}/status"
    assert agency.get(url).status_code == 200
    assert agency.get(f"/aquaculture/{reg.number}").status_code == 200
    response = agency.submit(url, {"status": "revoked", "effective_on": "2025-05-01",
                                   "reason": "Ngừng nuôi"})
    assert response.status_code == 302
    assert fresh(session).get(AquacultureRegistration, reg.id).status is RecordStatus.REVOKED
    again = agency.submit(url, {"status": "active", "effective_on": "2025-06-01",
                                "reason": "Nuôi lại"})
    assert again.status_code == 409
    assert "Hồ sơ đã hủy bỏ không thể đổi trạng thái" in again.text
    assert web_as("agency", provinces=["80"]).get(url).status_code == 403
