"""Aquaculture registrations (form 28.NT): issuing, reading, listing and status changes;
who may issue; refusals that change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.api.helpers import assert_problem

NUMBER = "22-VD-2024-0015"
VAN_DON_2004 = {"adm_scheme": "vn2004", "province_code": "22", "district_code": "203",
                "commune_code": "07192", "address": "Vịnh Bái Tử Long, Vân Đồn"}


@pytest.fixture
def oyster_coop(session):
    record = factories.partner(session, kind="cooperative", province="22",
                               name="Hợp tác xã Hàu Vân Đồn")
    session.commit()
    return record


@pytest.fixture
def quang_ninh(api_as):
    return api_as("agency", provinces=["22"])


def registration_body(holder_id: int, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"number": NUMBER, "holder_id": holder_id,
                            "species": ["Hàu Thái Bình Dương (Crassostrea gigas)"],
                            "farming_form": "raft", "method": "extensive", "cages": 120,
                            "place": VAN_DON_2004, "issued_on": "2024-03-12"}
    body.update(extra)
    return body


def test_the_fisheries_authority_registers_an_oyster_raft(quang_ninh, oyster_coop):
    response = quang_ninh.post("/aquaculture-registrations",
                               json=registration_body(oyster_coop.id))
    assert response.status_code == 201, response.get_json()
    reg = response.get_json()
    assert reg["number"] == NUMBER and reg["holder"]["id"] == oyster_coop.id
    assert (reg["farming_form"], reg["method"], reg["cages"], reg["area_m2"]) == (
        "raft", "extensive", 120, None)
    assert reg["valid_until"] is None and reg["valid_today"] is True  # no expiry is stated
    place = reg["place"]  # Quảng Ninh was not merged: same unit, same name
    assert (place["province_code_current"], place["renamed"]) == ("22", False)
    assert quang_ninh.get(f"/aquaculture-registrations/{NUMBER}").get_json() == reg


def test_a_number_with_slashes_and_any_case_is_found(quang_ninh, oyster_coop):
    number = "Qn/tt-2024/15"
    response = quang_ninh.post("/aquaculture-registrations", json=registration_body(
        oyster_coop.id, number=number, cages=None, area_m2=5000, farming_form="pond"))
    assert response.status_code == 201, response.get_json()
    found = quang_ninh.get("/aquaculture-registrations/QN/TT-2024/15")
    assert found.status_code == 200 and found.get_json()["number"] == number


@pytest.mark.parametrize(("change", "field"), [
    ({"cages": None, "area_m2": None}, "cages"),
    ({"area_m2": -10}, "area_m2"),
    ({"cages": 0}, "cages"),
    ({"species": []}, "species"),
    ({"species": ["x"]}, "species"),
    ({"farming_form": "balloon"}, "farming_form"),
    ({"method": "magic"}, "method"),
    ({"number": "#1"}, "number"),
    ({"valid_until": "2024-03-11"}, "valid_until"),
    ({"place": {"adm_scheme": "vn2025", "province_code": "99"}}, "place.province_code"),
    ({"place": {"province_code": "22", "commune_code": "7192"}}, "place.commune_code"),
    ({"holder_id": "the co-op"}, "holder_id"),
])
def test_invalid_values_are_a_422_naming_the_field(quang_ninh, oyster_coop, unchanged, change,
                                                   field):
    with unchanged():
        response = quang_ninh.post("/aquaculture-registrations",
                                   json=registration_body(oyster_coop.id) | change)
    assert_problem(response, 422, field)


def test_malformed_json_is_a_400(quang_ninh, unchanged):
    with unchanged():
        response = quang_ninh.post("/aquaculture-registrations", data="[",
                                   content_type="application/json")
    assert_problem(response, 400, "body")


def test_a_duplicate_number_in_any_case_is_a_409(quang_ninh, oyster_coop, unchanged):
    assert quang_ninh.post("/aquaculture-registrations",
                           json=registration_body(oyster_coop.id)).status_code == 201
    before = quang_ninh.get(f"/aquaculture-registrations/{NUMBER}").get_json()
    with unchanged():
        response = quang_ninh.post("/aquaculture-registrations", json=registration_body(
            oyster_coop.id, number=NUMBER.lower(), cages=3))
    assert_problem(response, 409, "number")
    assert quang_ninh.get(f"/aquaculture-registrations/{NUMBER}").get_json() == before


def test_an_unknown_holder_is_a_404(quang_ninh, unchanged):
    with unchanged():
        response = quang_ninh.post("/aquaculture-registrations",
                                   json=registration_body(123456))
    assert_problem(response, 404, "holder_id")


def test_who_may_not_register(api_as, oyster_coop, unchanged):
    tay_ninh, own = api_as("agency", provinces=["80"]), api_as("partner",
                                                               partner_id=oyster_coop.id)
    anonymous = api_as("anonymous")
    body = registration_body(oyster_coop.id)
    with unchanged():
        assert_problem(anonymous.post("/aquaculture-registrations", json=body), 401)
        assert_problem(tay_ninh.post("/aquaculture-registrations", json=body), 403)
        assert_problem(own.post("/aquaculture-registrations", json=body), 403)


def test_the_list_searches_filters_and_pages(api_as, session, oyster_coop):
    factories.registration(session, holder=oyster_coop, species=["Hàu Thái Bình Dương"])
    factories.registration(session, holder=oyster_coop, species=["Tu hài"])
    shrimp_farm = factories.partner(session, kind="producer", province="94", scheme="vn2004")
    factories.registration(session, holder=shrimp_farm, species=["Tôm thẻ chân trắng"],
                           farming_form="pond", cages=None, area_m2=12000,
                           place={"adm_scheme": "vn2004", "province_code": "94"})
    session.commit()
    reader = api_as("partner")
    assert reader.get("/aquaculture-registrations").get_json()["total"] == 3
    found = reader.get("/aquaculture-registrations", query_string={"q": "tom the"}).get_json()
    assert [r["species"] for r in found["items"]] == [["Tôm thẻ chân trắng"]]
    in_can_tho = reader.get("/aquaculture-registrations",
                            query_string={"province_code": "92"}).get_json()
    assert [r["holder"]["id"] for r in in_can_tho["items"]] == [shrimp_farm.id]
    assert in_can_tho["items"][0]["place"]["province_name"] == "Tỉnh Sóc Trăng"
    assert reader.get("/aquaculture-registrations", query_string={
        "holder_id": oyster_coop.id}).get_json()["total"] == 2
    assert reader.get("/aquaculture-registrations", query_string={
        "valid_on": "2024-02-29"}).get_json()["total"] == 0  # issued on 2024-03-01
    assert reader.get("/aquaculture-registrations", query_string={
        "valid_on": "2024-03-01", "status": "active"}).get_json()["total"] == 3
    assert_problem(reader.get("/aquaculture-registrations", query_string={"page": -1}), 422,
                   "page")


def test_reading_needs_a_signed_in_user_and_a_known_number(api_as):
    assert_problem(api_as("anonymous").get("/aquaculture-registrations"), 401)
    assert_problem(api_as("admin").get("/aquaculture-registrations/NOPE-1"), 404, "number")


def test_a_suspension_in_the_past_then_a_reinstatement(quang_ninh, session, oyster_coop):
    number = factories.registration(session, holder=oyster_coop).number
    session.commit()

    def valid_on(day: str) -> bool:
        page = quang_ninh.get("/aquaculture-registrations",
                              query_string={"valid_on": day}).get_json()
        return number in {r["number"] for r in page["items"]}

    response = quang_ninh.post(f"/aquaculture-registrations/{number}/status", json={
        "status": "suspended", "effective_on": "2024-10-01",
        "reason": "raft moved outside the allocated sea area"})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["status"], response.get_json()["valid_today"]) == (
        "suspended", False)
    assert valid_on("2024-09-30") and not valid_on("2024-10-01")
    response = quang_ninh.post(f"/aquaculture-registrations/{number}/status", json={
        "status": "active", "effective_on": "2024-12-01", "reason": "re-registered (27.NT)"})
    assert response.get_json()["status"] == "active"
    assert not valid_on("2024-11-30") and valid_on("2024-12-01")


def test_status_changes_are_refused_to_others_and_for_bad_values(api_as, session, oyster_coop,
                                                                  unchanged):
    number = factories.registration(session, holder=oyster_coop).number
    session.commit()
    tay_ninh, quang_ninh = api_as("agency", provinces=["80"]), api_as("agency",
                                                                      provinces=["22"])
    anonymous = api_as("anonymous")
    body = {"status": "revoked", "effective_on": "2024-05-01", "reason": "licence withdrawn"}
    path = f"/aquaculture-registrations/{number}/status"
    with unchanged():
        assert_problem(anonymous.post(path, json=body), 401)
        assert_problem(tay_ninh.post(path, json=body), 403)
        assert_problem(quang_ninh.post(path, json=body | {"effective_on": "2020-01-01"}), 422,
                       "effective_on")
        assert_problem(quang_ninh.post(path, json=body | {"status": "gone"}), 422, "status")
        assert_problem(quang_ninh.post(path, data="{}}", content_type="application/json"),
                       400, "body")
        assert_problem(quang_ninh.post("/aquaculture-registrations/NONE-1/status", json=body),
                       404, "number")
    assert quang_ninh.get(f"/aquaculture-registrations/{number}").get_json()["status"] == (
        "active")
