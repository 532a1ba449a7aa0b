"""Certifications of partners, growing areas, aquaculture registrations and products:
recording, "valid on day t" with dated suspensions and reinstatements, schemes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from tests import factories
from tests.api.helpers import assert_problem


@pytest.fixture
def long_an(session):
    """Old Long An records (vn2004): a cooperative, its growing area and product."""
    coop = factories.partner(session, kind="cooperative", province="80", scheme="vn2004",
                             name="Hợp tác xã Chanh không hạt Thạnh Lợi")
    area = factories.growing_area(session, holder=coop, crop="Chanh không hạt")
    product = factories.product(session, owner=coop, name_vi="Chanh không hạt Bến Lức")
    session.commit()
    return {"partner": coop, "growing_area": area, "product": product}


@pytest.fixture
def oysters(session):
    coop = factories.partner(session, kind="cooperative", province="22")
    reg = factories.registration(session, holder=coop)
    session.commit()
    return reg


@pytest.fixture
def tay_ninh(api_as):
    return api_as("agency", provinces=["80"])


def cert_body(holder_type: str, holder_id: Any, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"scheme": "vietgap", "number": "VietGAP-TT-13-03-80-0012",
                            "issuer": "Trung tâm Chứng nhận VietGAP Nam Bộ",
                            "holder_type": holder_type, "holder_id": holder_id,
                            "issued_on": "2024-12-01", "valid_until": "2027-11-30"}
    body.update(extra)
    return body


# -- recording --------------------------------------------------------------------------------

def test_tay_ninh_certifies_each_kind_of_old_long_an_holder(tay_ninh, long_an):
    holders = [("growing_area", long_an["growing_area"].code.lower()),
               ("partner", long_an["partner"].id),
               ("partner", str(long_an["partner"].id)),
               ("product", long_an["product"].id)]
    for n, (holder_type, holder_id) in enumerate(holders):
        response = tay_ninh.post("/certifications", json=cert_body(
            holder_type, holder_id, number=f"VG-{n}"))
        assert response.status_code == 201, response.get_json()
        cert = response.get_json()
        assert cert["holder_type"] == holder_type
        assert cert["scheme"] == "vietgap" and cert["scheme_name"].startswith("VietGAP")
        assert tay_ninh.get(f"/certifications/{cert['id']}").get_json() == cert
    area_cert = tay_ninh.get("/certifications", query_string={
        "holder_type": "growing_area", "holder_id": long_an["growing_area"].code}).get_json()
    assert area_cert["items"][0]["holder_id"] == long_an["growing_area"].code  # as issued
    assert "Chanh không hạt" in area_cert["items"][0]["holder_name"]


def test_an_aquaculture_registration_is_certified_by_its_number(api_as, oysters):
    response = api_as("agency", provinces=["22"]).post("/certifications", json=cert_body(
        "aquaculture_registration", oysters.number, number="VietGAP-TS-22-0031",
        scheme="VIETGAP "))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["holder_id"] == oysters.number
    assert response.get_json()["scheme"] == "vietgap"


def test_the_schemes_validity_fills_an_empty_valid_until(tay_ninh, long_an):
    response = tay_ninh.post("/certifications", json=cert_body(
        "partner", long_an["partner"].id, scheme="food_safety_certificate",
        number="ATTP-80-2024-0088", issued_on="2024-03-01", valid_until=None))
    assert response.get_json()["valid_until"] == "2027-02-28"  # 3 years (Law 55/2010 art. 37)
    commitment = tay_ninh.post("/certifications", json=cert_body(
        "partner", long_an["partner"].id, scheme="food_safety_commitment",
        number="CK-ATTP-80-2025-0341", issued_on="2025-08-01", valid_until=None))
    assert commitment.get_json()["valid_until"] is None  # no validity is known


def test_the_same_number_under_another_scheme_is_another_certificate(tay_ninh, long_an):
    holder = long_an["partner"].id
    assert tay_ninh.post("/certifications", json=cert_body("partner", holder)).status_code == 201
    assert tay_ninh.post("/certifications", json=cert_body(
        "partner", holder, scheme="globalgap")).status_code == 201


# -- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "status", "field"), [
    ({"valid_until": "2024-11-30"}, 422, "valid_until"),
    ({"scheme": "made_up_gap"}, 422, "scheme"),
    ({"holder_type": "lot"}, 422, "holder_type"),
    ({"holder_type": "partner", "holder_id": "HTX Thạnh Lợi"}, 422, "holder_id"),
    ({"holder_type": "product", "holder_id": "12b"}, 422, "holder_id"),
    ({"holder_type": "partner", "holder_id": 999999}, 404, "holder_id"),
    ({"holder_type": "growing_area", "holder_id": "VN-00-NOWHERE"}, 404, "holder_id"),
    ({"holder_type": "aquaculture_registration", "holder_id": "X-1"}, 404, "holder_id"),
    ({"issued_on": "2024-02-30"}, 422, "issued_on"),
    ({"number": "     "}, 422, "number"),
    ({"issuer": "   "}, 422, "issuer"),
])
def test_bad_certifications_are_refused_naming_the_field(tay_ninh, long_an, unchanged, change,
                                                         status, field):
    body = cert_body("partner", long_an["partner"].id) | change
    with unchanged():
        response = tay_ninh.post("/certifications", json=body)
    assert_problem(response, status, field)


def test_malformed_json_is_a_400(tay_ninh, unchanged):
    with unchanged():
        response = tay_ninh.post("/certifications", data='{"scheme": "vietgap" "number": 1}',
                                 content_type="application/json")
    assert_problem(response, 400, "body")


def test_a_duplicate_number_in_the_same_scheme_is_a_409(tay_ninh, long_an, unchanged):
    holder = long_an["partner"].id
    assert tay_ninh.post("/certifications", json=cert_body("partner", holder)).status_code == 201
    with unchanged():
        response = tay_ninh.post("/certifications", json=cert_body(
            "product", long_an["product"].id, number=" vietgap-tt-13-03-80-0012"))
    assert_problem(response, 409, "number")


def test_who_may_not_record_a_certification(api_as, long_an, unchanged):
    body = cert_body("growing_area", long_an["growing_area"].code)
    can_tho, own = api_as("agency", provinces=["92"]), api_as(
        "partner", partner_id=long_an["partner"].id)
    anonymous = api_as("anonymous")
    with unchanged():
        assert_problem(anonymous.post("/certifications", json=body), 401)
        assert_problem(can_tho.post("/certifications", json=body), 403)
        assert_problem(own.post("/certifications", json=body), 403)


# -- valid on a day ---------------------------------------------------------------------------

def test_valid_on_follows_issue_expiry_a_past_suspension_and_a_reinstatement(tay_ninh,
                                                                              long_an):
    area = long_an["growing_area"].code
    created = tay_ninh.post("/certifications", json=cert_body(
        "growing_area", area, issued_on="2024-01-01", valid_until="2027-12-31")).get_json()
    other = tay_ninh.post("/certifications", json=cert_body(
        "partner", long_an["partner"].id, number="HACCP-1", scheme="haccp",
        issued_on="2023-01-01", valid_until=None)).get_json()

    def valid_on(day: str, **filters: Any) -> set[int]:
        page = tay_ninh.get("/certifications",
                            query_string={"valid_on": day, **filters}).get_json()
        return {c["id"] for c in page["items"]}

    assert valid_on("2023-12-31") == {other["id"]}            # not yet issued
    assert valid_on("2024-01-01") == {created["id"], other["id"]}
    assert valid_on("2028-01-01") == {other["id"]}            # expired
    suspended = tay_ninh.post(f"/certifications/{created['id']}/status", json={
        "status": "suspended", "effective_on": "2025-03-01",
        "reason": "chlorpyrifos above the MRL in a monitoring sample"})
    assert suspended.status_code == 200, suspended.get_json()
    assert (suspended.get_json()["status"], suspended.get_json()["valid_today"]) == (
        "suspended", False)
    assert created["id"] in valid_on("2025-02-28")
    assert created["id"] not in valid_on("2025-03-01")
    assert created["id"] not in valid_on("2025-05-31")
    reinstated = tay_ninh.post(f"/certifications/{created['id']}/status", json={
        "status": "active", "effective_on": "2025-06-01", "reason": "re-audit passed"})
    assert reinstated.get_json()["status"] == "active"
    assert reinstated.get_json()["valid_today"] is (date.today() <= date(2027, 12, 31))
    assert created["id"] not in valid_on("2025-05-31")
    assert created["id"] in valid_on("2025-06-01")
    # a day before the suspension stays valid: history is kept, not overwritten
    assert created["id"] in valid_on("2025-02-28")
    assert valid_on("2025-04-01", holder_type="growing_area", holder_id=area) == set()
    assert valid_on("2025-07-01", holder_type="growing_area",
                    holder_id=area.lower()) == {created["id"]}
    assert valid_on("2025-07-01", scheme="HACCP") == {other["id"]}


def test_the_list_filters_by_holder_scheme_province_and_text(api_as, tay_ninh, long_an,
                                                             oysters):
    for n, (holder_type, holder_id) in enumerate([
            ("partner", long_an["partner"].id), ("product", long_an["product"].id)]):
        tay_ninh.post("/certifications", json=cert_body(holder_type, holder_id,
                                                        number=f"VG-80-{n}"))
    api_as("agency", provinces=["22"]).post("/certifications", json=cert_body(
        "aquaculture_registration", oysters.number, scheme="asc", number="ASC-C-01234",
        issuer="Control Union"))
    reader = api_as("partner")
    assert reader.get("/certifications").get_json()["total"] == 3
    assert reader.get("/certifications", query_string={
        "province_code": "80"}).get_json()["total"] == 2
    assert reader.get("/certifications", query_string={
        "province_code": "22", "scheme": "asc"}).get_json()["total"] == 1
    found = reader.get("/certifications", query_string={"q": "control union"}).get_json()
    assert [c["number"] for c in found["items"]] == ["ASC-C-01234"]
    by_product = reader.get("/certifications", query_string={
        "holder_type": "product", "holder_id": long_an["product"].id}).get_json()
    assert [c["number"] for c in by_product["items"]] == ["VG-80-1"]
    assert reader.get("/certifications", query_string={
        "holder_type": "partner"}).get_json()["total"] == 1


@pytest.mark.parametrize(("query", "status", "field"), [
    ({"holder_id": "1"}, 422, "holder_type"),
    ({"valid_on": "2025-13-01"}, 422, "valid_on"),
    ({"holder_type": "lot"}, 422, "holder_type"),
    ({"holder_type": "partner", "holder_id": "abc"}, 422, "holder_id"),
    ({"holder_type": "growing_area", "holder_id": "VN-NONE"}, 404, "holder_id"),
])
def test_bad_list_parameters_are_refused(admin, query, status, field):
    assert_problem(admin.get("/certifications", query_string=query), status, field)


def test_reading_certifications_needs_a_user_and_a_known_id(api_as):
    assert_problem(api_as("anonymous").get("/certifications"), 401)
    assert_problem(api_as("anonymous").get("/certifications/1"), 401)
    assert_problem(api_as("admin").get("/certifications/999999"), 404, "id")


def test_status_changes_are_refused_to_others_and_for_bad_values(api_as, tay_ninh, long_an,
                                                                  unchanged):
    cert = tay_ninh.post("/certifications", json=cert_body(
        "partner", long_an["partner"].id)).get_json()
    can_tho, anonymous = api_as("agency", provinces=["92"]), api_as("anonymous")
    own = api_as("partner", partner_id=long_an["partner"].id)
    path = f"/certifications/{cert['id']}/status"
    body = {"status": "suspended", "effective_on": "2025-03-01", "reason": "failed audit"}
    with unchanged():
        assert_problem(anonymous.post(path, json=body), 401)
        assert_problem(can_tho.post(path, json=body), 403)
        assert_problem(own.post(path, json=body), 403)
        assert_problem(tay_ninh.post(path, json=body | {"effective_on": "2024-11-30"}), 422,
                       "effective_on")
        assert_problem(tay_ninh.post(path, json=body | {"status": "paused"}), 422, "status")
        assert_problem(tay_ninh.post(path, data="{", content_type="application/json"), 400,
                       "body")
        assert_problem(tay_ninh.post("/certifications/999999/status", json=body), 404, "id")
    assert tay_ninh.get(f"/certifications/{cert['id']}").get_json() == cert


# -- schemes ----------------------------------------------------------------------------------

def test_the_scheme_table_lists_the_seeded_schemes(api_as):
    schemes = {s["key"]: s for s in api_as("partner").get("/certification-schemes").get_json()}
    assert {"vietgap", "globalgap", "gahp", "organic", "haccp", "iso22000", "fssc22000", "brc",
            "ifs", "gmp", "asc", "bap", "halal", "food_safety_certificate",
            "food_safety_commitment"} <= set(schemes)
    assert schemes["food_safety_certificate"]["validity_months"] == 36
    assert_problem(api_as("anonymous").get("/certification-schemes"), 401)


def test_an_admin_extends_the_scheme_table_and_it_is_used_at_once(admin, tay_ninh, long_an):
    key = f"rainforest_{uuid.uuid4().hex[:8]}"  # the scheme table is reference data
    response = admin.post("/certification-schemes", json={
        "key": key, "name_vi": "Rainforest Alliance", "name_en": "Rainforest Alliance",
        "group": "sustainability", "international": True, "validity_months": 36})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["key"] == key
    cert = tay_ninh.post("/certifications", json=cert_body(
        "partner", long_an["partner"].id, scheme=key, valid_until=None,
        issued_on="2025-01-15"))
    assert cert.status_code == 201 and cert.get_json()["valid_until"] == "2028-01-14"


def test_scheme_refusals(admin, api_as, unchanged):
    key = f"scheme_{uuid.uuid4().hex[:8]}"
    body = {"key": key, "name_vi": "Chứng nhận X", "name_en": "Scheme X"}
    agency, anonymous = api_as("agency", provinces=["80"]), api_as("anonymous")
    with unchanged():
        assert_problem(anonymous.post("/certification-schemes", json=body), 401)
        assert_problem(agency.post("/certification-schemes", json=body), 403)
        assert_problem(admin.post("/certification-schemes", json=body | {"key": "Bad Key"}),
                       422, "key")
        assert_problem(admin.post("/certification-schemes", json=body | {
            "validity_months": 0}), 422, "validity_months")
        assert_problem(admin.post("/certification-schemes", json=body | {"key": "vietgap"}),
                       409, "key")
        assert_problem(admin.post("/certification-schemes", data="{",
                                  content_type="application/json"), 400, "body")
