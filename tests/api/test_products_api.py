"""Products with GTINs and OCOP ratings: who registers them, check digits, 3-5 stars,
duplicates, listing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from registry.gs1 import check_digit
from tests import factories
from tests.api.helpers import assert_problem


def gtin13(item: int) -> str:
    body = f"893604952{item:03d}"
    return body + check_digit(body)


def wrong_check_digit(key: str) -> str:
    return key[:-1] + str((int(key[-1]) + 1) % 10)


@pytest.fixture
def coop(session):
    record = factories.partner(session, kind="cooperative", province="22",
                               name="Hợp tác xã Chè hoa vàng Ba Chẽ")
    session.commit()
    return record


def product_body(owner_id: int, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name_vi": "Trà hoa vàng Ba Chẽ hộp 50 g",
                            "name_en": "Ba Che golden camellia tea, 50 g",
                            "category": "processed_prepackaged", "gtin": gtin13(1),
                            "owner_id": owner_id, "declaration_kind": "conformity_registered"}
    body.update(extra)
    return body


OCOP = {"stars": 5, "certificate_no": "OCOP-QN-2025-007", "issued_on": "2025-11-20",
        "valid_until": "2028-11-19"}


def test_a_partner_registers_its_own_product_with_a_gtin_and_an_ocop_rating(api_as, coop):
    own = api_as("partner", partner_id=coop.id)
    response = own.post("/products", json=product_body(coop.id, ocop=OCOP))
    assert response.status_code == 201, response.get_json()
    product = response.get_json()
    assert product["gtin"] == "0" + gtin13(1)  # stored as GTIN-14
    assert product["owner"] == {"id": coop.id, "name": coop.name, "kind": "cooperative"}
    assert product["ocop"] == {"stars": 5, "certificate_no": "OCOP-QN-2025-007",
                               "issued_on": "2025-11-20", "valid_until": "2028-11-19",
                               "valid_today": date(2025, 11, 20) <= date.today()
                               <= date(2028, 11, 19)}
    assert own.get(f"/products/{product['id']}").get_json() == product


def test_a_product_needs_no_gtin_nor_ocop(api_as, coop):
    agency = api_as("agency", provinces=["22"])
    response = agency.post("/products", json=product_body(coop.id, gtin=None,
                                                          declaration_kind=None))
    assert response.status_code == 201
    assert (response.get_json()["gtin"], response.get_json()["ocop"]) == (None, None)


def test_an_expired_ocop_rating_is_not_valid_today(api_as, coop):
    long_ago = {"stars": 3, "certificate_no": "OCOP-QN-2019-1", "issued_on": "2019-01-01",
                "valid_until": "2021-12-31"}
    response = api_as("admin").post("/products", json=product_body(coop.id, ocop=long_ago))
    assert response.get_json()["ocop"]["valid_today"] is False


@pytest.mark.parametrize(("change", "field"), [
    ({"gtin": wrong_check_digit(gtin13(2))}, "gtin"),
    ({"gtin": "0" + wrong_check_digit(gtin13(2))}, "gtin"),
    ({"gtin": "89360495"}, "gtin"),
    ({"gtin": "8936049520A1"}, "gtin"),
    ({"ocop": OCOP | {"stars": 2}}, "ocop.stars"),
    ({"ocop": OCOP | {"stars": 6}}, "ocop.stars"),
    ({"ocop": OCOP | {"valid_until": "2025-11-19"}}, "ocop.valid_until"),
    ({"ocop": {"stars": 4, "issued_on": "2025-01-01"}}, "ocop.certificate_no"),
    ({"category": "jewellery"}, "category"),
    ({"name_vi": ""}, "name_vi"),
    ({"photo_url": "javascript:alert(1)"}, "photo_url"),
    ({"declaration_kind": "rumoured"}, "declaration_kind"),
])
def test_invalid_values_are_a_422_naming_the_field(api_as, coop, unchanged, change, field):
    own = api_as("partner", partner_id=coop.id)
    with unchanged():
        response = own.post("/products", json=product_body(coop.id) | change)
    body = assert_problem(response, 422, field)
    if field == "gtin" and len(change["gtin"]) >= 13:
        assert "check digit" in body["errors"][0]["message"]


def test_several_faults_are_named_together(api_as, coop, unchanged):
    own = api_as("partner", partner_id=coop.id)
    with unchanged():
        response = own.post("/products", json=product_body(
            coop.id, gtin=wrong_check_digit(gtin13(3)), ocop=OCOP | {"stars": 7}))
    assert_problem(response, 422, "gtin", "ocop.stars")


def test_malformed_json_is_a_400(api_as, coop, unchanged):
    own = api_as("partner", partner_id=coop.id)
    with unchanged():
        response = own.post("/products", data="{'name_vi': 'single quotes'}",
                            content_type="application/json")
    assert_problem(response, 400, "body")


def test_a_duplicate_gtin_in_any_length_is_a_409(api_as, coop, unchanged):
    own = api_as("partner", partner_id=coop.id)
    assert own.post("/products", json=product_body(coop.id, gtin=gtin13(4))).status_code == 201
    with unchanged():
        response = own.post("/products", json=product_body(
            coop.id, name_vi="Another tea", gtin="0" + gtin13(4)))
    assert_problem(response, 409, "gtin")


def test_a_partner_acting_for_another_partner_is_refused(api_as, coop, unchanged):
    other = api_as("partner")
    with unchanged():
        response = other.post("/products", json=product_body(coop.id))
    assert_problem(response, 403)


def test_an_agency_of_another_province_is_refused(api_as, coop, unchanged):
    tay_ninh = api_as("agency", provinces=["80"])
    with unchanged():
        response = tay_ninh.post("/products", json=product_body(coop.id))
    assert_problem(response, 403)


def test_nobody_anonymous_registers_a_product(api_as, coop, unchanged):
    with unchanged():
        response = api_as("anonymous").post("/products", json=product_body(coop.id))
    assert_problem(response, 401)


def test_an_unknown_owner_is_a_404(admin, unchanged):
    with unchanged():
        response = admin.post("/products", json=product_body(555555))
    assert_problem(response, 404, "owner_id")


def test_an_agency_registers_a_product_for_an_old_long_an_owner(api_as, session):
    owner = factories.partner(session, kind="cooperative", province="80", scheme="vn2004")
    session.commit()
    response = api_as("agency", provinces=["80"]).post("/products", json=product_body(
        owner.id, name_vi="Chanh không hạt Bến Lức", category="fruit", gtin=gtin13(5)))
    assert response.status_code == 201


def test_the_list_searches_filters_and_pages(api_as, session, coop):
    factories.product(session, owner=coop, name_vi="Trà hoa vàng túi lọc",
                      category="tea_coffee",
                      ocop={"stars": 4, "certificate_no": "OCOP-1", "issued_on": date(2024, 1, 1),
                            "valid_until": date(2024, 1, 1) + timedelta(days=1095)})
    factories.product(session, owner=coop, name_vi="Hoa chè hoa vàng tươi",
                      category="tea_coffee", gtin=None)
    other = factories.partner(session, province="80")
    factories.product(session, owner=other, name_vi="Chanh không hạt", category="fruit")
    session.commit()
    reader = api_as("partner", partner_id=other.id)
    assert reader.get("/products").get_json()["total"] == 3
    tea = reader.get("/products", query_string={"q": "tra HOA vang"}).get_json()
    assert [p["name_vi"] for p in tea["items"]] == ["Trà hoa vàng túi lọc"]
    assert reader.get("/products", query_string={"owner_id": coop.id}).get_json()["total"] == 2
    assert reader.get("/products", query_string={"category": "fruit"}).get_json()["total"] == 1
    with_ocop = reader.get("/products", query_string={"ocop": "true"}).get_json()
    assert [p["ocop"]["stars"] for p in with_ocop["items"]] == [4]
    assert reader.get("/products", query_string={"ocop": "false"}).get_json()["total"] == 2
    names = [p["name_vi"] for p in reader.get("/products").get_json()["items"]]
    assert names == sorted(names)
    assert_problem(reader.get("/products", query_string={"ocop": "maybe"}), 422, "ocop")
    assert_problem(reader.get("/products", query_string={"owner_id": "x"}), 422, "owner_id")


def test_reading_products(api_as, session, coop):
    product = factories.product(session, owner=coop)
    session.commit()
    assert_problem(api_as("anonymous").get(f"/products/{product.id}"), 401)
    assert_problem(api_as("anonymous").get("/products"), 401)
    reader = api_as("agency", provinces=["92"])
    assert reader.get(f"/products/{product.id}").get_json()["name_vi"] == product.name_vi
    assert_problem(reader.get("/products/999999"), 404, "product_id")


def test_the_owner_or_an_agency_of_its_province_changes_a_product(api_as, coop, session):
    own = api_as("partner", partner_id=coop.id)
    product = own.post("/products", json=product_body(coop.id, ocop=OCOP)).get_json()
    response = own.patch(f"/products/{product['id']}", json={
        "name_vi": "Trà hoa vàng Ba Chẽ hộp 100 g", "description": "Hộp giấy 100 g"})
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert changed["name_vi"] == "Trà hoa vàng Ba Chẽ hộp 100 g"
    assert (changed["gtin"], changed["ocop"], changed["category"]) == (
        product["gtin"], product["ocop"], product["category"])  # untouched fields stay
    found = own.get("/products", query_string={"q": "che hop 100"}).get_json()
    assert [p["id"] for p in found["items"]] == [product["id"]]
    quang_ninh = api_as("agency", provinces=["22"])
    again = quang_ninh.patch(f"/products/{product['id']}",
                             json={"name_en": "Golden tea", "category": "tea_coffee"})
    assert again.status_code == 200, again.get_json()
    assert (again.get_json()["name_en"], again.get_json()["category"]) == ("Golden tea",
                                                                           "tea_coffee")


def test_a_product_patch_refuses_what_may_not_change_and_who_may_not(api_as, coop, admin):
    own = api_as("partner", partner_id=coop.id)
    product = own.post("/products", json=product_body(coop.id)).get_json()
    path = f"/products/{product['id']}"
    assert_problem(own.patch(path, json={"name_vi": None}), 422, "name_vi")
    assert_problem(own.patch(path, json={"category": None}), 422, "category")
    assert_problem(own.patch(path, json={"gtin": gtin13(9)}), 422, "gtin")
    assert_problem(own.patch(path, json={"owner_id": 1}), 422, "owner_id")
    assert_problem(own.patch(path, json={"category": "rocks"}), 422, "category")
    assert_problem(api_as("agency", provinces=["92"]).patch(path, json={"name_en": "X"}), 403)
    assert_problem(api_as("partner").patch(path, json={"name_en": "X"}), 403)
    assert_problem(api_as("anonymous").patch(path, json={"name_en": "X"}), 401)
    assert_problem(own.patch("/products/999999", json={"name_en": "X"}), 404)
    assert admin.get(path).get_json() == product  # nothing changed
