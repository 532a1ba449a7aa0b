"""Partner pages: search and filters, the detail with everything a partner holds, register
and edit (PATCH semantics) through forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Partner
from tests import factories
from tests.web.conftest import WebClient, fresh

NEW = {"kind": "cooperative", "name": "Hợp tác xã Rau sạch Đức Hòa", "name_en": "",
       "place.province": "vn2025:80", "place.district_code": "", "place.commune_code": "",
       "place.address": "Ấp 3, Đức Hòa", "tax_code": "1101234567", "gln": "", "phone": "",
       "email": ""}


def test_the_list_searches_filters_and_pages(web: WebClient, session: Session):
    factories.partner(session, name="Hợp tác xã Thạnh Lợi")
    factories.partner(session, kind="retailer", province="92", name="Siêu thị Ninh Kiều")
    session.commit()
    page = web.get("/partners?q=HOP TAC XA thanh loi")
    assert page.status_code == 200
    assert "Hợp tác xã Thạnh Lợi" in page.text and "Siêu thị" not in page.text
    assert "Siêu thị Ninh Kiều" in web.get("/partners?kind=retailer").text
    assert "Thạnh Lợi" not in web.get("/partners?province_code=92").text
    paged = web.get("/partners?per_page=1&page=2")
    assert paged.status_code == 200 and "trang 2/2" in paged.text
    assert web.get("/partners?kind=bakery").status_code == 422


def test_the_detail_shows_the_place_then_and_now_and_what_the_partner_holds(
        web: WebClient, session: Session):
    farm = factories.partner(session, scheme="vn2004", name="HTX Long An cũ",
                             place={"commune_code": "27811", "district_code": "803"})
    area = factories.growing_area(session, farm)
    factories.product(session, farm, name_vi="Chanh Bến Lức", ocop={
        "stars": 4, "certificate_no": "OCOP-1", "issued_on": date(2024, 1, 1)})
    factories.certification(session, "partner", farm.id, scheme="vietgap",
                            issued_on=date(2019, 1, 1), valid_until=date(2021, 1, 1))
    session.commit()
    page = web.get(f"/partners/{farm.id}")
    assert page.status_code == 200
    assert "Tỉnh Long An" in page.text and "nay là Tỉnh Tây Ninh" in page.text
    assert "xã 27811" in page.text and "huyện 803" in page.text
    assert area.code in page.text and "Chanh Bến Lức" in page.text and "★★★★☆" in page.text
    assert "Hết hạn" in page.text
    assert web.get("/partners/99999").status_code == 404


def test_an_agency_registers_a_partner(web_as: Callable[..., WebClient], session: Session):
    agency = web_as("agency", provinces=["80"])
    assert agency.get("/partners/new").status_code == 200
    response = agency.submit("/partners/new", NEW)
    assert response.status_code == 302
    partner = fresh(session).execute(select(Partner).where(
        Partner.name == NEW["name"])).scalar_one()
    assert response.headers["Location"].endswith(f"/partners/{partner.id}")
    assert partner.adm_scheme == "vn2025" and partner.province_code_current == "80"
    assert partner.address == "Ấp 3, Đức Hòa"


def test_an_old_province_is_recorded_as_such(web_as: Callable[..., WebClient],
                                             session: Session):
    response = web_as("agency").submit("/partners/new", {**NEW, "place.province": "vn2004:80",
                                                         "place.district_code": "803"})
    assert response.status_code == 302
    partner = fresh(session).execute(select(Partner).where(
        Partner.name == NEW["name"])).scalar_one()
    assert (partner.adm_scheme, partner.province_code, partner.district_code) == (
        "vn2004", "80", "803")


def test_bad_values_come_back_in_vietnamese(web_as: Callable[..., WebClient], session: Session):
    response = web_as("agency").submit("/partners/new", {
        **NEW, "kind": "", "tax_code": "12", "gln": "8935049500011",
        "place.province": "vn2025:80", "place.district_code": "803"})
    assert response.status_code == 422
    assert "Thông tin này là bắt buộc." in response.text
    assert "Định dạng không hợp lệ." in response.text
    assert "Sai số kiểm tra của GLN 8935049500011: phải là 8, không phải 1." in response.text
    fixed = web_as("agency").submit("/partners/new", {**NEW, "place.district_code": "803"})
    assert fixed.status_code == 422
    assert "Cấp huyện đã bỏ từ 1/7/2025" in fixed.text
    assert fresh(session).execute(select(Partner)).first() is None


def test_an_agency_of_another_province_may_not_register_there(
        web_as: Callable[..., WebClient], session: Session):
    response = web_as("agency", provinces=["22"]).submit("/partners/new", NEW)
    assert response.status_code == 403 and "Không được phép" in response.text
    assert fresh(session).execute(select(Partner)).first() is None


def test_partner_users_and_anonymous_users_may_not_register(
        web_as: Callable[..., WebClient], web: WebClient, session: Session):
    farm = factories.partner(session)
    session.commit()
    assert web_as("partner", partner_id=farm.id).get("/partners/new").status_code == 403
    response = web.get("/partners/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_edit_changes_only_what_was_changed(web_as: Callable[..., WebClient],
                                            session: Session):
    farm = factories.partner(session, name="HTX Cũ", phone="0909 123 456",
                             place={"address": "Ấp 1"})
    session.commit()
    agency = web_as("agency")
    form = agency.get(f"/partners/{farm.id}/edit")
    assert form.status_code == 200 and 'value="0909 123 456"' in form.text
    response = agency.submit(f"/partners/{farm.id}/edit", {
        "name": "HTX Mới", "name_en": "", "place.province": "vn2025:80",
        "place.district_code": "", "place.commune_code": "", "place.address": "Ấp 1",
        "tax_code": "", "gln": "", "phone": "", "email": ""})
    assert response.status_code == 302
    edited = fresh(session).get(Partner, farm.id)
    assert edited.name == "HTX Mới" and edited.phone is None and edited.address == "Ấp 1"
    unchanged = agency.submit(f"/partners/{farm.id}/edit", {
        "name": "HTX Mới", "place.province": "vn2025:80", "place.address": "Ấp 1"})
    assert unchanged.status_code == 302


def test_edit_refuses_bad_values_and_other_provinces(web_as: Callable[..., WebClient],
                                                     session: Session):
    farm = factories.partner(session)
    session.commit()
    bad = web_as("agency").submit(f"/partners/{farm.id}/edit", {
        "name": "X", "place.province": "vn2025:80"})
    assert bad.status_code == 422 and "Quá ngắn: tối thiểu 2 ký tự." in bad.text
    assert web_as("agency", provinces=["22"]).get(f"/partners/{farm.id}/edit").status_code == 403
    own = web_as("partner", partner_id=farm.id)
    assert own.get(f"/partners/{farm.id}/edit").status_code == 200
    other = factories.partner(session)
    session.commit()
    assert own.get(f"/partners/{other.id}/edit").status_code == 403
