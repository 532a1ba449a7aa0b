"""Certification pages: valid-on-a-day lists, detail, recording through the form with the
scheme table, and status changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Certification, RecordStatus
from tests import factories
from tests.web.conftest import WebClient, fresh


def _form(holder_type: str, holder_id: str, **extra: str) -> dict[str, str]:
    return {"scheme": "vietgap", "number": "VietGAP-TT-80-0099",
            "issuer": "Trung tâm Chứng nhận", "holder_type": holder_type,
            "holder_id": holder_id, "issued_on": "2025-04-01", "valid_until": "", "scope": "",
            **extra}


def test_the_list_filters_by_validity_scheme_and_holder(web: WebClient, session: Session):
    farm = factories.partner(session)
    factories.certification(session, "partner", farm.id, number="OLD-1",
                            issued_on=date(2019, 1, 1), valid_until=date(2020, 12, 31))
    factories.certification(session, "partner", farm.id, scheme="globalgap", number="NEW-2")
    session.commit()
    listed = web.get("/certifications")
    assert listed.status_code == 200 and "OLD-1" in listed.text and "NEW-2" in listed.text
    valid = web.get("/certifications?valid_on=2025-06-01")
    assert "NEW-2" in valid.text and "OLD-1" not in valid.text
    assert "OLD-1" not in web.get("/certifications?scheme=globalgap").text
    mine = web.get(f"/certifications?holder_type=partner&holder_id={farm.id}")
    assert "NEW-2" in mine.text
    missing = web.get("/certifications?holder_type=partner&holder_id=999999")
    assert missing.status_code == 422 and "Không có đối tác số 999999." in missing.text


def test_the_detail_shows_holder_validity_and_history(web: WebClient, session: Session):
    area = factories.growing_area(session)
    cert = factories.certification(session, "growing_area", area.code)
    session.commit()
    page = web.get(f"/certifications/{cert.id}")
    assert page.status_code == 200
    assert area.code in page.text and "Còn hiệu lực" in page.text
    assert "Chưa thay đổi trạng thái" in page.text
    assert web.get("/certifications/987654").status_code == 404


def test_an_agency_records_a_certificate_and_the_scheme_sets_its_validity(
        web_as: Callable[..., WebClient], session: Session):
    farm = factories.partner(session)
    session.commit()
    agency = web_as("agency")
    form = agency.get(f"/certifications/new?holder_type=partner&holder_id={farm.id}")
    assert form.status_code == 200 and 'value="vietgap"' in form.text
    response = agency.submit("/certifications/new", _form("partner", str(farm.id), **{
        "scheme": "food_safety_certificate"}))
    assert response.status_code == 302
    cert = fresh(session).execute(select(Certification)).scalar_one()
    assert cert.partner_id == farm.id and cert.valid_until == date(2028, 3, 31)


def test_bad_values_come_back_in_vietnamese(web_as: Callable[..., WebClient],
                                            session: Session):
    farm = factories.partner(session)
    session.commit()
    agency = web_as("agency")
    response = agency.submit("/certifications/new", _form("partner", "abc", **{
        "valid_until": "2020-01-01"}))
    assert response.status_code == 422
    assert "Không được trước ngày 2025-04-01." in response.text
    unknown = agency.submit("/certifications/new", _form("growing_area", "VN-NOPE-1"))
    assert unknown.status_code == 422 and "Không có vùng trồng mã số VN-NOPE-1." in unknown.text
    scheme = agency.submit("/certifications/new", _form("partner", str(farm.id),
                                                        scheme="made_up"))
    assert scheme.status_code == 422 and "Không có loại chứng nhận made_up." in scheme.text


def test_a_holder_of_another_province_is_refused(web_as: Callable[..., WebClient],
                                                 web: WebClient, session: Session):
    farm = factories.partner(session, province="92")
    session.commit()
    response = web_as("agency", provinces=["80"]).submit(
        "/certifications/new", _form("partner", str(farm.id)))
    assert response.status_code == 403
    assert fresh(session).execute(select(Certification)).first() is None
    assert web.get("/certifications/new").status_code == 302


def test_an_agency_suspends_a_certificate(web_as: Callable[..., WebClient], session: Session):
    farm = factories.partner(session)
    cert = factories.certification(session, "partner", farm.id)
    session.commit()
    agency = web_as("agency")
    url = f"/certifications/{cert.id}/status"
    response = agency.submit(url, {"status": "suspended", "effective_on": "2025-01-15",
                                   "reason": "Vi phạm quy trình"})
    assert response.status_code == 302
    assert fresh(session).get(Certification, cert.id).status is RecordStatus.SUSPENDED
    page = agency.get(f"/certifications/{cert.id}")
    assert "Vi phạm quy trình" in page.text and "Bị đình chỉ" in page.text
    bad = agency.submit(url, {"status": "paused", "effective_on": "", "reason": ""})
    assert bad.status_code == 422 and "Hãy chọn một giá trị trong danh sách." in bad.text
    assert web_as("agency", provinces=["22"]).get(url).status_code == 403
