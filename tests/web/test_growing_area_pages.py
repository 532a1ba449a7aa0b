"""Growing-area pages: agencies issue codes through the form, everybody lists and reads them,
and refusals come back in Vietnamese beside the field at fault."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import growing_areas, validity
from registry.models import GrowingArea, RecordStatus
from tests import factories
from tests.web.conftest import WebClient, fresh


def _form(holder_id: int, **extra: str) -> dict[str, str]:
    return {"code": "VN-80-803-27811-41-25", "kind": "domestic", "holder_id": str(holder_id),
            "crop": "Chanh không hạt", "variety": "Không hạt", "area_ha": "4,5",
            "standard": "VietGAP", "issued_on": "2025-03-01", "valid_until": "",
            "place.province": "", **extra}


def _stored(session: Session, code: str) -> GrowingArea | None:
    fresh(session)
    return session.execute(select(GrowingArea).where(
        GrowingArea.code_key == code.upper())).scalar()


def test_the_list_searches_without_diacritics_and_filters(web: WebClient, session: Session):
    holder = factories.partner(session, name="Hợp tác xã Thạnh Lợi")
    factories.growing_area(session, holder, crop="Chanh không hạt")
    factories.growing_area(session, factories.partner(session, province="22"),
                           code="VN-22-07000-01-25", crop="Chè hoa vàng",
                           issued_on=date(2025, 9, 20),
                           place={"adm_scheme": "vn2025", "province_code": "22"})
    session.commit()
    found = web.get("/growing-areas?q=thanh+loi")
    assert found.status_code == 200
    assert "Chanh không hạt" in found.text and "Chè hoa vàng" not in found.text
    assert "nay là" not in found.text and "trước là Tỉnh Long An" in found.text
    by_province = web.get("/growing-areas?province_code=22")
    assert "VN-22-07000-01-25" in by_province.text and "Chanh" not in by_province.text
    before_issue = web.get("/growing-areas?valid_on=2024-01-01&province_code=22")
    assert "VN-22-07000-01-25" not in before_issue.text


def test_a_filter_that_does_not_parse_is_a_422_with_the_reason(web: WebClient):
    response = web.get("/growing-areas?valid_on=not-a-day")
    assert response.status_code == 422
    assert "Nhập ngày hợp lệ" in response.text


def test_paging_links_keep_the_filters(web: WebClient, session: Session):
    holder = factories.partner(session)
    for _ in range(22):
        factories.growing_area(session, holder)
    session.commit()
    first = web.get("/growing-areas?q=chanh")
    assert "Tìm thấy 22" in first.text and "trang 1/2" in first.text
    assert "page=2" in first.text and "q=chanh" in first.text
    second = web.get("/growing-areas?q=chanh&page=2")
    assert second.status_code == 200 and second.text.count('class="badge ok"') == 2


def test_the_detail_shows_place_map_certifications_and_history(web: WebClient, session: Session):
    area = factories.growing_area(session, geometry={"type": "Point",
                                                     "coordinates": [106.4436, 10.6395]})
    factories.certification(session, "growing_area", area.code)
    factories.certification(session, "growing_area", area.code, issued_on=date(2020, 1, 1),
                            valid_until=date(2022, 12, 31))
    growing_areas.change_status(session, factories.SYSTEM, area.code, validity.StatusChangeIn(
        status=RecordStatus.SUSPENDED, effective_on=date(2025, 1, 1), reason="Dư lượng thuốc"))
    session.commit()
    page = web.get(f"/growing-areas/{area.code.lower()}")
    assert page.status_code == 200
    assert "Tỉnh Long An" in page.text and "nay là Tỉnh Tây Ninh" in page.text
    assert "openstreetmap.org/?mlat=10.63950&amp;mlon=106.44360" in page.text
    assert "Còn hiệu lực" in page.text and "Hết hạn" in page.text
    assert "Bị đình chỉ" in page.text and "Dư lượng thuốc" in page.text


def test_an_unknown_code_is_a_404_page(web: WebClient):
    response = web.get("/growing-areas/VN-NOPE-0001")
    assert response.status_code == 404 and "Không tìm thấy" in response.text
    assert "VN-NOPE-0001 chưa được đăng ký" in response.text


def test_an_agency_issues_a_code_and_the_place_comes_from_the_code(
        web_as: Callable[..., WebClient], session: Session):
    holder = factories.partner(session)
    session.commit()
    agency = web_as("agency", provinces=["80"])
    assert agency.get("/growing-areas/new").status_code == 200
    response = agency.submit("/growing-areas/new", _form(holder.id, latitude="10,6",
                                                         longitude="106.44"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/growing-areas/VN-80-803-27811-41-25")
    area = _stored(session, "VN-80-803-27811-41-25")
    assert area is not None and area.area_ha == 4.5 and area.province_code == "80"
    assert area.adm_scheme == "vn2004" and area.geometry == {
        "type": "Point", "coordinates": [106.44, 10.6]}
    shown = agency.get(response.headers["Location"])
    assert "Đã cấp mã số vùng trồng VN-80-803-27811-41-25" in shown.text


def test_a_bad_form_is_shown_again_with_vietnamese_errors_beside_the_fields(
        web_as: Callable[..., WebClient], session: Session):
    holder = factories.partner(session)
    session.commit()
    agency = web_as("agency")
    response = agency.submit("/growing-areas/new", _form(holder.id, code="AB-123456",
                                                         area_ha="-2", crop=""))
    assert response.status_code == 422
    page = response.text
    assert "Mã số vùng trồng bắt đầu bằng VN" in page
    assert "Phải lớn hơn 0." in page
    assert "Thông tin này là bắt buộc." in page
    assert 'id="f-area_ha-error"' in page and 'value="-2"' in page
    assert "Phải lớn hơn 0." in page.split('id="f-area_ha-error"')[1][:80]


def test_a_form_shown_again_fills_the_place_a_3156_code_names(
        web_as: Callable[..., WebClient], session: Session):
    holder = factories.partner(session)
    session.commit()
    response = web_as("agency").submit("/growing-areas/new", _form(holder.id, area_ha="0"))
    assert response.status_code == 422
    assert '<option value="vn2004:80" selected>' in response.text
    assert 'value="803"' in response.text and 'value="27811"' in response.text
    assert session.execute(select(GrowingArea)).first() is None


def test_a_duplicate_code_is_a_409_beside_the_code(web_as: Callable[..., WebClient],
                                                    session: Session):
    area = factories.growing_area(session)
    session.commit()
    response = web_as("agency").submit("/growing-areas/new", _form(area.holder_id,
                                                                   code=area.code.lower()))
    assert response.status_code == 409
    assert f"{area.code.lower()} đã được đăng ký." in response.text


def test_a_holder_that_is_not_a_farm_is_refused_beside_the_holder(
        web_as: Callable[..., WebClient], session: Session):
    shop = factories.partner(session, kind="retailer")
    session.commit()
    response = web_as("agency").submit("/growing-areas/new", _form(shop.id))
    assert response.status_code == 422
    assert "Phải là đối tác thuộc loại hình: Cơ sở sản xuất, Hợp tác xã." in response.text


def test_an_agency_of_another_province_gets_a_403_page(web_as: Callable[..., WebClient],
                                                       session: Session):
    holder = factories.partner(session)
    session.commit()
    response = web_as("agency", provinces=["22"]).submit("/growing-areas/new", _form(holder.id))
    assert response.status_code == 403
    assert "Không được phép" in response.text and "tỉnh, thành 80" in response.text
    assert _stored(session, "VN-80-803-27811-41-25") is None


def test_partner_users_may_not_open_the_form(web_as: Callable[..., WebClient],
                                             session: Session):
    farm = factories.partner(session)
    session.commit()
    assert web_as("partner", partner_id=farm.id).get("/growing-areas/new").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(web: WebClient, session: Session):
    area = factories.growing_area(session)
    session.commit()
    for url in ("/growing-areas/new", f"/growing-areas/{area.code}/status"):
        response = web.get(url)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    posted = web.submit("/growing-areas/new", _form(area.holder_id))
    assert posted.status_code == 302 and "/login" in posted.headers["Location"]


def test_an_agency_suspends_and_reinstates_a_code(web_as: Callable[..., WebClient],
                                                  session: Session):
    area = factories.growing_area(session)
    session.commit()
    agency = web_as("agency")
    url = f"/growing-areas/{area.code}/status"
    assert agency.get(url).status_code == 200
    response = agency.submit(url, {"status": "suspended", "effective_on": "2025-02-01",
                                   "reason": "Phát hiện sinh vật gây hại"})
    assert response.status_code == 302
    fresh(session)
    assert session.get(GrowingArea, area.id).status is RecordStatus.SUSPENDED
    agency.submit(url, {"status": "active", "effective_on": "2025-03-01", "reason": "Đã khắc phục"})
    fresh(session)
    assert session.get(GrowingArea, area.id).status is RecordStatus.ACTIVE


def test_a_bad_status_change_is_shown_again(web_as: Callable[..., WebClient], session: Session):
    area = factories.growing_area(session)
    session.commit()
    response = web_as("agency").submit(f"/growing-areas/{area.code}/status", {
        "status": "suspended", "effective_on": "2020-01-01", "reason": "x"})
    assert response.status_code == 422
    assert "Không được trước ngày cấp." in response.text or "Quá ngắn" in response.text
    assert "Quá ngắn: tối thiểu 3 ký tự." in response.text


def test_status_changes_are_for_agencies_of_the_province(web_as: Callable[..., WebClient],
                                                         session: Session):
    area = factories.growing_area(session)
    session.commit()
    response = web_as("agency", provinces=["92"]).get(f"/growing-areas/{area.code}/status")
    assert response.status_code == 403


def test_english_is_one_click_away(web: WebClient):
    page = web.get("/growing-areas?lang=en")
    assert "Growing-area codes" in page.text
    assert "Growing-area codes" in web.get("/growing-areas").text  # remembered
