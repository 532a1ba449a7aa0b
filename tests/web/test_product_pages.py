"""Product pages: search, category and OCOP filters, OCOP stars, registration by the owner
partner or an agency."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Product
from tests import factories
from tests.web.conftest import WebClient, fresh


def _form(owner_id: int, **extra: str) -> dict[str, str]:
    return {"name_vi": "Trà hoa vàng túi lọc", "name_en": "", "category": "tea_coffee",
            "gtin": factories.gtin(), "owner_id": str(owner_id), "description": "",
            "photo_url": "", "declaration_kind": "", "ocop.stars": "", **extra}


def test_the_list_filters_by_category_and_ocop(web: WebClient, session: Session):
    owner = factories.partner(session)
    factories.product(session, owner, name_vi="Hàu Vân Đồn", category="seafood", ocop={
        "stars": 5, "certificate_no": "OCOP-QN-1", "issued_on": date(2024, 6, 1)})
    factories.product(session, owner, name_vi="Chanh tươi")
    session.commit()
    assert "Hàu Vân Đồn" in web.get("/products?q=hau van don").text
    with_ocop = web.get("/products?ocop=true")
    assert "Hàu Vân Đồn" in with_ocop.text and "Chanh tươi" not in with_ocop.text
    assert "Hàu" not in web.get("/products?ocop=false").text
    assert "Chanh tươi" not in web.get("/products?category=seafood").text


def test_the_detail_shows_ocop_stars_and_validity(web: WebClient, session: Session):
    product = factories.product(session, ocop={
        "stars": 4, "certificate_no": "OCOP-QN-7", "issued_on": date(2020, 1, 1),
        "valid_until": date(2022, 12, 31)})
    session.commit()
    page = web.get(f"/products/{product.id}")
    assert page.status_code == 200
    assert "★★★★☆" in page.text and "Sản phẩm OCOP 4 sao" in page.text
    assert "Hết hạn" in page.text and "OCOP-QN-7" in page.text
    assert web.get("/products/4242").status_code == 404


def test_a_partner_user_registers_its_own_product(web_as: Callable[..., WebClient],
                                                  session: Session):
    farm = factories.partner(session)
    session.commit()
    user = web_as("partner", partner_id=farm.id)
    form = user.get("/products/new")
    assert form.status_code == 200 and f'value="{farm.id}" selected' in form.text
    response = user.submit("/products/new", _form(farm.id, **{
        "ocop.stars": "4", "ocop.certificate_no": "OCOP-TN-3", "ocop.issued_on": "2025-01-02"}))
    assert response.status_code == 302
    product = fresh(session).execute(select(Product)).scalar_one()
    assert product.owner_id == farm.id and product.ocop_stars == 4


def test_a_partner_user_may_not_register_for_another(web_as: Callable[..., WebClient],
                                                     session: Session):
    mine, theirs = factories.partner(session), factories.partner(session)
    session.commit()
    response = web_as("partner", partner_id=mine.id).submit("/products/new", _form(theirs.id))
    assert response.status_code == 403
    assert fresh(session).execute(select(Product)).first() is None


def test_bad_values_come_back_in_vietnamese(web_as: Callable[..., WebClient],
                                            session: Session):
    farm = factories.partner(session)
    session.commit()
    response = web_as("agency").submit("/products/new", _form(farm.id, **{
        "gtin": "08935049501238", "ocop.stars": "6", "ocop.certificate_no": "X1",
        "ocop.issued_on": "2025-01-02", "ocop.valid_until": "2024-01-01"}))
    assert response.status_code == 422
    assert "Sai số kiểm tra của GTIN 08935049501238: phải là 7, không phải 8." in response.text
    assert "Phải nhỏ hơn hoặc bằng 5." in response.text
    assert "Không được trước ngày 2025-01-02." in response.text


def test_agencies_of_another_province_and_anonymous_users_are_refused(
        web_as: Callable[..., WebClient], web: WebClient, session: Session):
    farm = factories.partner(session)
    session.commit()
    assert web_as("agency", provinces=["22"]).submit(
        "/products/new", _form(farm.id)).status_code == 403
    assert web.get("/products/new").status_code == 302


def _edit_form(product: Product, **changes: str) -> dict[str, str]:
    """The edit form as the page fills it, with `changes`."""
    values = {"name_vi": product.name_vi, "name_en": product.name_en or "",
              "category": product.category.value, "description": product.description or "",
              "photo_url": product.photo_url or "",
              "declaration_kind": product.declaration_kind.value
              if product.declaration_kind else ""}
    return {**values, **changes}


def test_the_owner_edits_its_product_and_sees_it_changed(web_as: Callable[..., WebClient],
                                                         session: Session):
    farm = factories.partner(session)
    product = factories.product(session, farm, name_vi="Chanh tươi")
    session.commit()
    user = web_as("partner", partner_id=farm.id)
    assert f"/products/{product.id}/edit" in user.get(f"/products/{product.id}").text
    page = user.get(f"/products/{product.id}/edit")
    assert page.status_code == 200 and 'value="Chanh tươi"' in page.text
    assert 'name="gtin"' not in page.text  # the GTIN is on the labels: not editable
    response = user.submit(f"/products/{product.id}/edit",
                           _edit_form(product, name_vi="Chanh không hạt loại 1",
                                      category="fruit", description="Quả xanh, 60-80 g"),
                           token_from=f"/products/{product.id}/edit")
    assert response.status_code == 302
    changed = fresh(session).get(Product, product.id)
    assert changed is not None
    assert (changed.name_vi, changed.description) == ("Chanh không hạt loại 1", "Quả xanh, 60-80 g")
    assert "Chanh không hạt loại 1" in user.get(f"/products/{product.id}").text


def test_clearing_the_name_is_refused_on_the_form(web_as: Callable[..., WebClient],
                                                  session: Session):
    farm = factories.partner(session)
    product = factories.product(session, farm, name_vi="Chanh tươi")
    session.commit()
    user = web_as("agency", provinces=[farm.province_code_current])
    response = user.submit(f"/products/{product.id}/edit", _edit_form(product, name_vi=""),
                           token_from=f"/products/{product.id}/edit")
    assert response.status_code == 422
    assert fresh(session).get(Product, product.id).name_vi == "Chanh tươi"


def test_others_may_not_edit_a_product(web_as: Callable[..., WebClient], web: WebClient,
                                       session: Session):
    farm, other = factories.partner(session), factories.partner(session)
    product = factories.product(session, farm, name_vi="Chanh tươi")
    session.commit()
    assert web_as("partner", partner_id=other.id).get(
        f"/products/{product.id}/edit").status_code == 403
    assert web_as("agency", provinces=["22"]).submit(
        f"/products/{product.id}/edit", _edit_form(product, name_vi="Khác")).status_code == 403
    assert web.get(f"/products/{product.id}/edit").status_code == 302
    assert "/edit" not in web.get(f"/products/{product.id}").text
    assert fresh(session).get(Product, product.id).name_vi == "Chanh tươi"


def test_the_cleared_name_message_is_in_vietnamese(web_as: Callable[..., WebClient],
                                                   session: Session):
    farm = factories.partner(session)
    product = factories.product(session, farm, name_vi="Chanh tươi")
    session.commit()
    user = web_as("agency", provinces=[farm.province_code_current])
    response = user.submit(f"/products/{product.id}/edit",
                           _edit_form(product, category=""),
                           token_from=f"/products/{product.id}/edit")
    assert response.status_code == 422
    assert "Không được để trống trường này." in response.text
