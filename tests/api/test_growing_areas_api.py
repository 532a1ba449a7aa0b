"""Growing-area codes (mã số vùng trồng): issuing, reading, listing, status changes and
"valid on" queries; the code format of VIETNAM.md section 3; who may issue."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests import factories
from tests.api.helpers import assert_problem

CODE = "VN-80-803-27811-01-22"


@pytest.fixture
def coop(session):
    """A Long An lime cooperative recorded before the merger (vn2004, province 80)."""
    record = factories.partner(session, kind="cooperative", province="80", scheme="vn2004",
                               name="Hợp tác xã Chanh không hạt Thạnh Lợi")
    session.commit()
    return record


@pytest.fixture
def tay_ninh(api_as):
    return api_as("agency", provinces=["80"])


def area_body(holder_id: int, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": CODE, "holder_id": holder_id,
                            "crop": "Chanh không hạt", "variety": "Citrus latifolia",
                            "area_ha": 32.5, "standard": "VietGAP", "expected_output_t": 900,
                            "issued_on": "2022-09-15"}
    body.update(extra)
    return body


# -- issuing ----------------------------------------------------------------------------------

def test_tay_ninh_issues_a_decision_3156_code_at_an_old_long_an_place(tay_ninh, coop):
    response = tay_ninh.post("/growing-areas", json=area_body(
        coop.id, geometry={"type": "Point", "coordinates": [106.4436, 10.6395]}))
    assert response.status_code == 201, response.get_json()
    area = response.get_json()
    assert area["code"] == CODE and area["kind"] == "domestic"
    assert area["holder"] == {"id": coop.id, "name": coop.name, "kind": "cooperative"}
    place = area["place"]  # prefilled from the code: VN-<province>-<district>-<commune>-...
    assert (place["adm_scheme"], place["province_code"], place["district_code"],
            place["commune_code"]) == ("vn2004", "80", "803", "27811")
    assert place["province_name"] == "Tỉnh Long An"
    assert (place["province_code_current"], place["renamed"]) == ("80", True)
    assert area["status"] == "active" and area["valid_until"] is None
    assert area["valid_today"] is True
    assert tay_ninh.get(f"/growing-areas/{CODE}").get_json() == area


def test_an_export_code_of_another_shape_takes_its_place_from_the_body(tay_ninh, coop):
    response = tay_ninh.post("/growing-areas", json=area_body(
        coop.id, code="VN-LAOR-0102", kind="export", markets=["cn", "NZ"],
        place={"adm_scheme": "vn2004", "province_code": "80", "district_code": "808"},
        valid_until="2026-12-31"))
    assert response.status_code == 201, response.get_json()
    area = response.get_json()
    assert area["markets"] == ["CN", "NZ"] and area["valid_until"] == "2026-12-31"


def test_a_code_is_stored_as_issued_and_found_in_any_case(tay_ninh, coop):
    code = "vn-80-803-27811-09-23"
    assert tay_ninh.post("/growing-areas", json=area_body(coop.id, code=code)).status_code == 201
    found = tay_ninh.get(f"/growing-areas/{code.upper()}")
    assert found.status_code == 200 and found.get_json()["code"] == code


def test_a_code_issued_after_the_merger_uses_the_new_units(tay_ninh, session):
    farm = factories.partner(session, kind="producer", province="80")
    session.commit()
    response = tay_ninh.post("/growing-areas", json=area_body(
        farm.id, code="VN-80-27811-07-25", issued_on="2025-10-02",
        place={"province_code": "80", "commune_code": "27811"}))
    assert response.status_code == 201, response.get_json()
    place = response.get_json()["place"]
    assert (place["adm_scheme"], place["renamed"]) == ("vn2025", False)


# -- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field"), [
    ({"area_ha": -1.5}, "area_ha"),
    ({"area_ha": 0}, "area_ha"),
    ({"area_ha": "large"}, "area_ha"),
    ({"code": "80-803-27811-01-22"}, "code"),       # no VN prefix
    ({"code": "VN-80/803"}, "code"),                # characters outside the format
    ({"code": "VN-1"}, "code"),                     # too short
    ({"code": "VN-" + "1" * 50}, "code"),           # too long
    ({"valid_until": "2022-09-14"}, "valid_until"),
    ({"issued_on": "15/09/2022"}, "issued_on"),
    ({"kind": "smuggled"}, "kind"),
    ({"markets": ["CHN"]}, "markets"),
    ({"crop": "   "}, "crop"),
    ({"geometry": {"type": "Point", "coordinates": [200, 10]}}, "geometry"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[1, 1], [2, 2], [1, 1]]]}}, "geometry"),
    ({"place": {"adm_scheme": "vn2004", "province_code": "99"}}, "place.province_code"),
])
def test_invalid_values_are_a_422_naming_the_field(tay_ninh, coop, unchanged, change, field):
    with unchanged():
        response = tay_ninh.post("/growing-areas", json=area_body(coop.id, **change))
    assert_problem(response, 422, field)


def test_a_code_that_names_no_place_needs_one(tay_ninh, coop, unchanged):
    with unchanged():
        response = tay_ninh.post("/growing-areas", json=area_body(coop.id, code="VN-LAOR-0103"))
    assert_problem(response, 422, "place")


def test_a_code_naming_an_unknown_province_is_a_422(tay_ninh, coop, unchanged):
    with unchanged():
        response = tay_ninh.post("/growing-areas", json=area_body(
            coop.id, code="VN-99-803-27811-01-22"))
    assert_problem(response, 422, "place.province_code")


def test_malformed_json_is_a_400(tay_ninh, unchanged):
    with unchanged():
        response = tay_ninh.post("/growing-areas", data=b"{\"code\": ",
                                 content_type="application/json")
    assert_problem(response, 400, "body")


def test_an_unknown_holder_is_a_404_naming_holder_id(tay_ninh, unchanged):
    with unchanged():
        response = tay_ninh.post("/growing-areas", json=area_body(987654))
    assert_problem(response, 404, "holder_id")


def test_a_retailer_does_not_hold_a_growing_area(tay_ninh, session, unchanged):
    shop = factories.partner(session, kind="retailer", province="80")
    session.commit()
    with unchanged():
        response = tay_ninh.post("/growing-areas", json=area_body(shop.id))
    assert_problem(response, 422, "holder_id")


def test_a_duplicate_code_in_any_case_is_a_409_that_changes_nothing(tay_ninh, coop, unchanged):
    assert tay_ninh.post("/growing-areas", json=area_body(coop.id)).status_code == 201
    before = tay_ninh.get(f"/growing-areas/{CODE}").get_json()
    with unchanged():
        response = tay_ninh.post("/growing-areas", json=area_body(
            coop.id, code=f"  {CODE.lower()} ", crop="Thanh long"))
    assert_problem(response, 409, "code")
    assert tay_ninh.get(f"/growing-areas/{CODE}").get_json() == before


# -- who may issue ----------------------------------------------------------------------------

def test_nobody_anonymous_issues_a_code(api_as, coop, unchanged):
    with unchanged():
        response = api_as("anonymous").post("/growing-areas", json=area_body(coop.id))
    assert_problem(response, 401)


def test_an_agency_of_another_province_does_not_issue_codes_here(api_as, coop, unchanged):
    quang_ninh = api_as("agency", provinces=["22"])
    with unchanged():
        response = quang_ninh.post("/growing-areas", json=area_body(coop.id))
    assert_problem(response, 403)


def test_a_partner_does_not_issue_its_own_code(api_as, coop, unchanged):
    own = api_as("partner", partner_id=coop.id)
    with unchanged():
        response = own.post("/growing-areas", json=area_body(coop.id))
    assert_problem(response, 403)


def test_tay_ninh_does_not_issue_in_old_tien_giang_which_is_now_dong_thap(tay_ninh, coop,
                                                                          unchanged):
    with unchanged():
        response = tay_ninh.post("/growing-areas", json=area_body(
            coop.id, code="VN-82-815-28300-01-22"))
    assert_problem(response, 403)


# -- reading and listing ----------------------------------------------------------------------

def test_an_unknown_code_is_a_404(tay_ninh):
    assert_problem(tay_ninh.get("/growing-areas/VN-00-000-00000-00-00"), 404, "code")
    assert_problem(tay_ninh.get("/growing-areas/VN-00-000-00000-00-00/status"), 404, "code")


def test_reading_needs_a_signed_in_user(api_as):
    assert_problem(api_as("anonymous").get("/growing-areas"), 401)
    assert_problem(api_as("anonymous").get(f"/growing-areas/{CODE}"), 401)


def test_the_list_searches_filters_and_pages(api_as, session, coop):
    factories.growing_area(session, holder=coop, crop="Chanh không hạt")
    factories.growing_area(session, holder=coop, crop="Thanh long ruột đỏ")
    dragon_farm = factories.partner(session, kind="producer", province="82", scheme="vn2004")
    factories.growing_area(session, holder=dragon_farm, code="VN-82-815-28300-01-22",
                           crop="Thanh long ruột trắng")
    session.commit()
    reader = api_as("agency", provinces=["92"])  # agencies read every province
    assert reader.get("/growing-areas").get_json()["total"] == 3
    dragon = reader.get("/growing-areas", query_string={"q": "thanh long"}).get_json()
    assert {a["crop"] for a in dragon["items"]} == {"Thanh long ruột đỏ",
                                                    "Thanh long ruột trắng"}
    in_tay_ninh = reader.get("/growing-areas", query_string={"province_code": "80"}).get_json()
    assert {a["holder"]["id"] for a in in_tay_ninh["items"]} == {coop.id}
    of_coop = reader.get("/growing-areas", query_string={"holder_id": coop.id}).get_json()
    assert of_coop["total"] == 2
    page = reader.get("/growing-areas", query_string={"per_page": 1, "page": 2}).get_json()
    assert (page["total"], len(page["items"])) == (3, 1)
    assert_problem(reader.get("/growing-areas", query_string={"valid_on": "yesterday"}), 422,
                   "valid_on")
    assert_problem(reader.get("/growing-areas", query_string={"status": "paused"}), 422,
                   "status")


# -- status: suspension, revocation, reinstatement --------------------------------------------

def test_a_suspension_dated_in_the_past_and_a_reinstatement(tay_ninh, session, coop):
    code = factories.growing_area(session, holder=coop, issued_on=date(2022, 9, 1),
                                  valid_until=date(2030, 8, 31)).code
    session.commit()
    suspended = tay_ninh.post(f"/growing-areas/{code}/status", json={
        "status": "suspended", "effective_on": "2024-03-01",
        "reason": "residue above the importer's limit"})
    assert suspended.status_code == 200, suspended.get_json()
    body = suspended.get_json()
    assert (body["status"], body["status_since"], body["valid_today"]) == (
        "suspended", "2024-03-01", False)

    def valid_codes(day: str) -> set[str]:
        page = tay_ninh.get("/growing-areas", query_string={"valid_on": day}).get_json()
        return {a["code"] for a in page["items"]}

    assert code in valid_codes("2024-02-29")
    assert code not in valid_codes("2024-03-01")
    assert code not in valid_codes("2022-08-31")  # before it was issued
    reinstated = tay_ninh.post(f"/growing-areas/{code}/status", json={
        "status": "active", "effective_on": "2024-06-01", "reason": "re-inspected, passed"})
    assert reinstated.get_json()["status"] == "active"
    assert reinstated.get_json()["valid_today"] is True
    assert code not in valid_codes("2024-05-31") and code in valid_codes("2024-06-01")
    assert code not in valid_codes("2030-09-01")  # expired
    history = tay_ninh.get(f"/growing-areas/{code}/status").get_json()
    assert [(h["status"], h["effective_on"]) for h in history] == [
        ("suspended", "2024-03-01"), ("active", "2024-06-01")]
    assert {h["recorded_by"] for h in history} == {"agency1"}
    listed = tay_ninh.get("/growing-areas", query_string={"status": "active"}).get_json()
    assert code in {a["code"] for a in listed["items"]}


def test_a_suspension_dated_in_the_future_leaves_the_code_valid_today(tay_ninh, session, coop):
    code = factories.growing_area(session, holder=coop).code
    session.commit()
    soon = (date.today() + timedelta(days=30)).isoformat()
    response = tay_ninh.post(f"/growing-areas/{code}/status", json={
        "status": "suspended", "effective_on": soon, "reason": "importer's notice"})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["valid_today"]) == (
        "active", True)


def test_a_revoked_code_stays_revoked(tay_ninh, session, coop, unchanged):
    code = factories.growing_area(session, holder=coop).code
    session.commit()
    assert tay_ninh.post(f"/growing-areas/{code}/status", json={
        "status": "revoked", "effective_on": "2023-01-01", "reason": "code traded illegally"},
    ).get_json()["status"] == "revoked"
    with unchanged():
        response = tay_ninh.post(f"/growing-areas/{code}/status", json={
            "status": "active", "effective_on": "2023-02-01", "reason": "appeal"})
    assert_problem(response, 409)


@pytest.mark.parametrize(("change", "field"), [
    ({"status": "paused"}, "status"),
    ({"effective_on": "2022-08-31"}, "effective_on"),  # before the code was issued
    ({"reason": ""}, "reason"),
])
def test_bad_status_changes_are_a_422(tay_ninh, session, coop, unchanged, change, field):
    code = factories.growing_area(session, holder=coop, issued_on=date(2022, 9, 1)).code
    session.commit()
    body = {"status": "suspended", "effective_on": "2024-01-01", "reason": "sampling"} | change
    with unchanged():
        response = tay_ninh.post(f"/growing-areas/{code}/status", json=body)
    assert_problem(response, 422, field)
    assert tay_ninh.get(f"/growing-areas/{code}").get_json()["status"] == "active"


def test_only_agencies_of_the_province_change_a_codes_status(api_as, session, coop, unchanged):
    code = factories.growing_area(session, holder=coop).code
    session.commit()
    body = {"status": "suspended", "effective_on": "2024-01-01", "reason": "sampling"}
    quang_ninh, own = api_as("agency", provinces=["22"]), api_as("partner", partner_id=coop.id)
    anonymous, tay_ninh = api_as("anonymous"), api_as("agency", provinces=["80"])
    with unchanged():
        assert_problem(quang_ninh.post(f"/growing-areas/{code}/status", json=body), 403)
        assert_problem(own.post(f"/growing-areas/{code}/status", json=body), 403)
        assert_problem(anonymous.post(f"/growing-areas/{code}/status", json=body), 401)
        assert_problem(tay_ninh.post("/growing-areas/VN-NOT-THERE/status", json=body), 404,
                       "code")
    assert tay_ninh.get(f"/growing-areas/{code}").get_json()["status"] == "active"
