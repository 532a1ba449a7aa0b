"""POST, GET /partners and GET, PATCH /partners/{id}: places across the 2025 merger, GLNs,
who may register and change a partner, and refusals that change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from registry.gs1 import check_digit
from tests import factories
from tests.api.helpers import assert_problem


def gln(n: int) -> str:
    body = f"893604951{n:03d}"
    return body + check_digit(body)


def partner_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "cooperative", "name": "Hợp tác xã Chanh Thạnh Lợi",
                            "place": {"adm_scheme": "vn2025", "province_code": "80"}}
    body.update(extra)
    return body


LONG_AN_2004 = {"adm_scheme": "vn2004", "province_code": "80", "district_code": "803",
                "commune_code": "27811", "address": "Ấp 3, xã Thạnh Lợi, huyện Bến Lức"}


# -- registering ------------------------------------------------------------------------------

def test_an_agency_registers_a_partner_in_its_province_and_reads_it_back(api_as):
    agency = api_as("agency", provinces=["80"])
    response = agency.post("/partners", json=partner_body(
        gln=gln(1), tax_code="1101876543", phone="0272 3871 234", email="htx@example.vn"))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["kind"] == "cooperative" and created["gln"] == gln(1)
    assert created["place"]["province_code_current"] == "80"
    assert created["place"]["renamed"] is False
    assert agency.get(f"/partners/{created['id']}").get_json() == created


def test_the_scheme_defaults_to_vn2025_for_a_record_made_today(api_as):
    agency = api_as("agency", provinces=["80"])
    place = {"province_code": "80", "commune_code": "27694"}
    created = agency.post("/partners", json=partner_body(place=place)).get_json()
    assert created["place"]["adm_scheme"] == "vn2025"
    assert created["place"]["commune_code_current"] == "27694"


def test_a_pre_merger_long_an_record_shows_tay_ninh_as_its_current_province(api_as):
    agency = api_as("agency", provinces=["80"])
    response = agency.post("/partners", json=partner_body(place=LONG_AN_2004))
    assert response.status_code == 201
    place = response.get_json()["place"]
    assert place["adm_scheme"] == "vn2004"
    assert (place["province_code"], place["province_name"]) == ("80", "Tỉnh Long An")
    assert (place["province_code_current"], place["province_name_current"]) == (
        "80", "Tỉnh Tây Ninh")
    assert place["district_code"] == "803" and place["commune_code"] == "27811"
    assert place["renamed"] is True


@pytest.mark.parametrize(("old_code", "old_name", "renamed"), [
    ("92", "Thành phố Cần Thơ", False),
    ("93", "Tỉnh Hậu Giang", True),
    ("94", "Tỉnh Sóc Trăng", True),
])
def test_can_tho_soc_trang_and_hau_giang_are_now_can_tho(api_as, old_code, old_name, renamed):
    agency = api_as("agency", provinces=["92"])
    response = agency.post("/partners", json=partner_body(
        kind="retailer", place={"adm_scheme": "vn2004", "province_code": old_code}))
    assert response.status_code == 201, response.get_json()
    place = response.get_json()["place"]
    assert place["province_name"] == old_name
    assert (place["province_code_current"], place["province_name_current"]) == (
        "92", "Thành phố Cần Thơ")
    assert place["renamed"] is renamed


def test_an_admin_registers_partners_anywhere(admin):
    response = admin.post("/partners", json=partner_body(
        kind="retailer", place={"adm_scheme": "vn2025", "province_code": "01"}))
    assert response.status_code == 201


# -- bad input --------------------------------------------------------------------------------

def test_malformed_json_is_a_400_that_changes_nothing(api_as, unchanged):
    agency = api_as("agency", provinces=["80"])
    with unchanged():
        response = agency.post("/partners", data='{"kind": "cooperative",',
                               content_type="application/json")
    assert_problem(response, 400, "body")


def test_a_body_that_is_not_json_is_a_415(api_as, unchanged):
    agency = api_as("agency", provinces=["80"])
    with unchanged():
        response = agency.post("/partners", data="kind=cooperative",
                               content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415)


def test_json_that_is_not_an_object_is_a_422_naming_the_body(api_as, unchanged):
    agency = api_as("agency", provinces=["80"])
    with unchanged():
        response = agency.post("/partners", json=["cooperative"])
    assert_problem(response, 422, "body")


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "spaceship"}, "kind"),
    ({"kind": None}, "kind"),
    ({"name": "x"}, "name"),
    ({"name": "    "}, "name"),
    ({"place": {"adm_scheme": "vn2025", "province_code": "99"}}, "place.province_code"),
    # 93 was Hậu Giang; since 2025 it is no current province's code
    ({"place": {"adm_scheme": "vn2025", "province_code": "93"}}, "place.province_code"),
    ({"place": {"adm_scheme": "vn1975", "province_code": "80"}}, "place.adm_scheme"),
    ({"place": {"adm_scheme": "vn2025", "province_code": "80", "district_code": "803"}},
     "place.district_code"),
    ({"place": {"adm_scheme": "vn2004", "province_code": "80", "commune_code": "2781"}},
     "place.commune_code"),
    ({"gln": "893604951001"}, "gln"),
    ({"tax_code": "12345"}, "tax_code"),
    ({"email": "not-an-address"}, "email"),
    ({"colour": "green"}, "colour"),
])
def test_invalid_values_are_a_422_naming_the_field(api_as, unchanged, change, field):
    agency = api_as("agency", provinces=["80"])
    with unchanged():
        response = agency.post("/partners", json=partner_body(**change))
    assert_problem(response, 422, field)


def test_a_gln_with_a_wrong_check_digit_is_a_422(api_as, unchanged):
    agency = api_as("agency", provinces=["80"])
    wrong = gln(7)[:-1] + str((int(gln(7)[-1]) + 3) % 10)
    with unchanged():
        response = agency.post("/partners", json=partner_body(gln=wrong))
    body = assert_problem(response, 422, "gln")
    assert "check digit" in body["errors"][0]["message"]


def test_a_duplicate_gln_is_a_409_that_changes_nothing(api_as, unchanged):
    agency = api_as("agency", provinces=["80"])
    assert agency.post("/partners", json=partner_body(gln=gln(2))).status_code == 201
    with unchanged():
        response = agency.post("/partners", json=partner_body(name="Another", gln=gln(2)))
    assert_problem(response, 409, "gln")


# -- who may register -------------------------------------------------------------------------

def test_nobody_anonymous_registers_a_partner(api_as, unchanged):
    with unchanged():
        response = api_as("anonymous").post("/partners", json=partner_body())
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_agency_of_another_province_is_refused(api_as, unchanged):
    quang_ninh = api_as("agency", provinces=["22"])
    with unchanged():
        response = quang_ninh.post("/partners", json=partner_body())
    assert_problem(response, 403)


def test_a_partner_user_does_not_register_partners(api_as, unchanged):
    partner = api_as("partner")
    with unchanged():
        response = partner.post("/partners", json=partner_body())
    assert_problem(response, 403)


def test_tay_ninh_registers_partners_at_old_long_an_places(api_as):
    tay_ninh = api_as("agency", provinces=["80"])
    assert tay_ninh.post("/partners", json=partner_body(place=LONG_AN_2004)).status_code == 201
    # old 72 (Tây Ninh) is in today's Tây Ninh too; old 82 (Tiền Giang) is not: it is Đồng Tháp
    old_tay_ninh = {"adm_scheme": "vn2004", "province_code": "72"}
    assert tay_ninh.post("/partners", json=partner_body(place=old_tay_ninh)).status_code == 201
    tien_giang = {"adm_scheme": "vn2004", "province_code": "82"}
    assert_problem(tay_ninh.post("/partners", json=partner_body(place=tien_giang)), 403)


# -- listing ----------------------------------------------------------------------------------

def test_the_list_searches_without_diacritics_filters_and_pages(api_as, session):
    for i in range(3):
        factories.partner(session, kind="cooperative", name=f"Hợp tác xã Thanh long {i}",
                          province="80", scheme="vn2004")
    factories.partner(session, kind="retailer", name="Siêu thị Xanh Ninh Kiều", province="92")
    factories.partner(session, kind="retailer", name="Siêu thị Hạ Long", province="22")
    reader = api_as("partner")  # any signed-in user reads; it adds its own partner
    everyone = reader.get("/partners").get_json()
    assert everyone["total"] == 6 and everyone["page"] == 1

    found = reader.get("/partners", query_string={"q": "hop tac xa thanh LONG"}).get_json()
    assert sorted(p["name"] for p in found["items"]) == [
        "Hợp tác xã Thanh long 0", "Hợp tác xã Thanh long 1", "Hợp tác xã Thanh long 2"]

    retailers = reader.get("/partners", query_string={"kind": "retailer"}).get_json()
    assert {p["name"] for p in retailers["items"]} == {"Siêu thị Xanh Ninh Kiều",
                                                        "Siêu thị Hạ Long"}
    # province_code filters by the current unit: old Long An records are Tây Ninh's
    in_80 = reader.get("/partners", query_string={"province_code": "80",
                                                  "kind": "cooperative"}).get_json()
    assert in_80["total"] == 4  # three Long An cooperatives and the reader's own
    assert reader.get("/partners", query_string={"q": "%"}).get_json()["total"] == 0

    page = reader.get("/partners", query_string={"per_page": 2, "page": 3}).get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (6, 3, 2, 2)
    names = [p["name"] for n in (1, 2, 3) for p in reader.get(
        "/partners", query_string={"per_page": 2, "page": n}).get_json()["items"]]
    assert len(set(names)) == 6


@pytest.mark.parametrize(("query", "field"), [
    ({"page": 0}, "page"), ({"per_page": 201}, "per_page"), ({"per_page": "many"}, "per_page"),
    ({"kind": "spaceship"}, "kind"),
])
def test_bad_list_parameters_are_a_422_naming_the_parameter(admin, query, field):
    assert_problem(admin.get("/partners", query_string=query), 422, field)


def test_reading_partners_needs_a_signed_in_user(api_as):
    anonymous = api_as("anonymous")
    assert_problem(anonymous.get("/partners"), 401)
    assert_problem(anonymous.get("/partners/1"), 401)


def test_an_unknown_partner_is_a_404(admin):
    assert_problem(admin.get("/partners/999999"), 404, "partner_id")


# -- changing ---------------------------------------------------------------------------------

@pytest.fixture
def coop(session):
    """A Long An cooperative recorded before the merger."""
    record = factories.partner(session, kind="cooperative", province="80", scheme="vn2004",
                               name="Hợp tác xã Chanh Thạnh Lợi")
    session.commit()
    return record


def test_an_agency_of_the_current_province_changes_an_old_long_an_partner(api_as, coop):
    tay_ninh = api_as("agency", provinces=["80"])
    response = tay_ninh.patch(f"/partners/{coop.id}", json={"phone": "0272 3871 999",
                                                            "gln": gln(3)})
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert (changed["phone"], changed["gln"]) == ("0272 3871 999", gln(3))
    assert changed["name"] == "Hợp tác xã Chanh Thạnh Lợi"  # untouched fields stay
    assert tay_ninh.get(f"/partners/{coop.id}").get_json() == changed


def test_a_partner_user_changes_its_own_partner(api_as, coop):
    own = api_as("partner", partner_id=coop.id)
    response = own.patch(f"/partners/{coop.id}", json={"name_en": "Thanh Loi lime co-op"})
    assert response.status_code == 200
    assert response.get_json()["name_en"] == "Thanh Loi lime co-op"


def test_a_partner_acting_for_another_partner_is_refused(api_as, session, coop, unchanged):
    other = api_as("partner")
    before = other.get(f"/partners/{coop.id}").get_json()
    with unchanged():
        response = other.patch(f"/partners/{coop.id}", json={"name": "Taken over"})
    assert_problem(response, 403)
    assert other.get(f"/partners/{coop.id}").get_json() == before


def test_an_agency_of_another_province_does_not_change_a_partner(api_as, coop, unchanged):
    can_tho = api_as("agency", provinces=["92"])
    before = can_tho.get(f"/partners/{coop.id}").get_json()
    with unchanged():
        response = can_tho.patch(f"/partners/{coop.id}", json={"phone": "0292 000 000"})
    assert_problem(response, 403)
    assert can_tho.get(f"/partners/{coop.id}").get_json() == before


def test_an_agency_does_not_move_a_partner_out_of_its_provinces(api_as, coop, unchanged):
    tay_ninh = api_as("agency", provinces=["80"])
    before = tay_ninh.get(f"/partners/{coop.id}").get_json()
    with unchanged():
        response = tay_ninh.patch(f"/partners/{coop.id}", json={
            "place": {"adm_scheme": "vn2025", "province_code": "22"}})
    assert_problem(response, 403)
    assert tay_ninh.get(f"/partners/{coop.id}").get_json() == before


def test_nobody_anonymous_changes_a_partner(api_as, coop, admin):
    before = admin.get(f"/partners/{coop.id}").get_json()
    assert_problem(api_as("anonymous").patch(f"/partners/{coop.id}", json={"name": "X Y"}), 401)
    assert admin.get(f"/partners/{coop.id}").get_json() == before


@pytest.mark.parametrize(("patch", "status", "field"), [
    ({"kind": "retailer"}, 422, "kind"),
    ({"gln": "12345"}, 422, "gln"),
    ({"place": {"adm_scheme": "vn2025", "province_code": "00"}}, 422, "place.province_code"),
    ({"name": ""}, 422, "name"),
])
def test_bad_changes_are_refused_and_change_nothing(admin, coop, patch, status, field):
    before = admin.get(f"/partners/{coop.id}").get_json()
    assert_problem(admin.patch(f"/partners/{coop.id}", json=patch), status, field)
    assert admin.get(f"/partners/{coop.id}").get_json() == before


def test_taking_another_partners_gln_is_a_409(admin, session, coop):
    factories.partner(session, gln=gln(5))
    session.commit()
    before = admin.get(f"/partners/{coop.id}").get_json()
    assert_problem(admin.patch(f"/partners/{coop.id}", json={"gln": gln(5)}), 409, "gln")
    assert admin.get(f"/partners/{coop.id}").get_json() == before


def test_malformed_json_on_patch_is_a_400(admin, coop):
    response = admin.patch(f"/partners/{coop.id}", data="{", content_type="application/json")
    assert_problem(response, 400, "body")


def test_changing_an_unknown_partner_is_a_404(admin):
    assert_problem(admin.patch("/partners/424242", json={"name": "Nobody"}), 404, "id")


def test_a_required_field_cannot_be_cleared_by_a_patch(api_as, coop, unchanged):
    tay_ninh = api_as("agency", provinces=["80"])
    before = tay_ninh.get(f"/partners/{coop.id}").get_json()
    with unchanged():
        response = tay_ninh.patch(f"/partners/{coop.id}", json={"name": None})
    body = assert_problem(response, 422, "name")
    assert "cleared" in body["errors"][0]["message"]
    assert tay_ninh.get(f"/partners/{coop.id}").get_json() == before


@pytest.mark.parametrize("code, says", [("999", "not a province code"),
                                        ("94", "use the current province 92"),
                                        ("72", "use the current province 80")])
def test_a_list_filter_by_an_unknown_or_merged_province_is_a_422(api_as, code, says):
    for path in ("/partners", "/growing-areas"):
        body = assert_problem(api_as("admin").get(path, query_string={"province_code": code}),
                              422, "province_code")
        assert says in body["errors"][0]["message"]


def test_a_list_filter_by_a_current_province_works_with_or_without_the_zero(api_as, session):
    factories.partner(session, kind="cooperative", province="01", name="Hợp tác xã Hà Nội")
    session.commit()
    for code in ("01", "1"):
        found = api_as("admin").get("/partners", query_string={"province_code": code}).get_json()
        assert [p["name"] for p in found["items"]] == ["Hợp tác xã Hà Nội"]
