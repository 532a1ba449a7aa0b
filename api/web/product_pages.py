"""Product pages: list (search, category, OCOP), detail with OCOP stars, register."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from api import auth, database
from api.web import bp, forms
from api.web.labels import options
from api.web.listing import actor, filters, list_query, optional_actor, partner_choices, status_for
from registry import certifications, products
from registry.errors import DomainError
from registry.models import DeclarationKind, HolderType, Product, ProductCategory

FIELDS = ("name_vi", "name_en", "category", "gtin", "owner_id", "description", "photo_url",
          "declaration_kind", "ocop.stars", "ocop.certificate_no", "ocop.issued_on",
          "ocop.valid_until")


@bp.get("/products")
def products_list() -> ResponseReturnValue:
    """Products by name, GTIN or owner, category, and whether they carry an OCOP rating."""
    query, errors = list_query(products.ProductQuery)
    page = products.list_products(database.session(), query)
    return render_template(
        "registry/products/list.html", page=page, filters=filters(), errors=errors,
        categories=options(ProductCategory),
        can_register=optional_actor() is not None), status_for(errors)


@bp.get("/products/<int:product_id>")
def products_detail(product_id: int) -> ResponseReturnValue:
    """A product: names, category, GTIN, owner, declaration, OCOP stars, certifications."""
    session = database.session()
    with forms.refusals_translated():
        product = products.get(session, product_id, "id")
    certs = certifications.list_certifications(session, certifications.CertificationQuery(
        holder_type=HolderType.PRODUCT, holder_id=str(product.id), per_page=50))
    who = optional_actor()
    owner = product.owner
    may_certify = who is not None and (who.is_admin or (
        who.is_agency and who.covers_province(owner.province_code_current)))
    return render_template("registry/products/detail.html", product=products.to_out(product),
                           certifications=certs, may_certify=may_certify,
                           may_mark_verified=may_certify and not product.verified,
                           may_edit=_may_edit(product))


def _form(values: Any, errors: dict[str, list[str]], status: int = 200) -> ResponseReturnValue:
    owner = values.get("owner_id")
    return render_template(
        "registry/products/form.html", values=values, errors=errors,
        categories=options(ProductCategory), declarations=options(DeclarationKind),
        owners=partner_choices(database.session(), actor(),
                               include=int(owner) if str(owner or "").isdigit() else None),
    ), status


@bp.route("/products/new", methods=["GET", "POST"])
@auth.login_required
def products_new() -> ResponseReturnValue:
    """Register a product: a partner user for its own partner, agencies, admins."""
    who = actor()
    if request.method == "GET":
        owner = str(who.partner_id) if who.is_partner else request.args.get("owner_id", "")
        return _form({"owner_id": owner}, {})
    data = forms.form_data(nested=("ocop",))
    session = database.session()
    try:
        product = forms.submit(lambda: products.register_product(
            session, who, forms.validate(products.ProductIn, data)), FIELDS)
    except forms.Rejected as rejected:
        return _form(request.form, rejected.errors, rejected.status)
    session.commit()
    flash(gettext("Product %(name)s registered.", name=product.name_vi))
    return redirect(url_for("web.products_detail", product_id=product.id))


EDITABLE = ("name_vi", "name_en", "category", "description", "photo_url", "declaration_kind")


def _may_edit(product: Product) -> bool:
    who = optional_actor()
    if who is None:
        return False
    try:
        products.ensure_may_edit(who, product)
    except DomainError:
        return False
    return True


def _current(product: Product) -> dict[str, str]:
    values = {name: getattr(product, name) or "" for name in EDITABLE}
    for name in ("category", "declaration_kind"):
        values[name] = values[name].value if values[name] else ""
    return values


def _edit_form(product: Product, values: Any, errors: dict[str, list[str]],
               status: int = 200) -> ResponseReturnValue:
    return render_template(
        "registry/products/form.html", values=values, errors=errors, product=product,
        categories=options(ProductCategory), declarations=options(DeclarationKind)), status


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@auth.login_required
def products_edit(product_id: int) -> ResponseReturnValue:
    """Change a product's names, category, description, photo or declaration."""
    session = database.session()
    with forms.refusals_translated():
        product = products.get(session, product_id, "id")
        products.ensure_may_edit(actor(), product)
    before = _current(product)
    if request.method == "GET":
        return _edit_form(product, before, {})
    posted = {name: request.form.get(name, "").strip() for name in EDITABLE}
    patch = {name: posted[name] or None for name in EDITABLE if posted[name] != before[name]}
    if not patch:
        flash(gettext("Nothing was changed."))
        return redirect(url_for("web.products_detail", product_id=product.id))
    try:
        forms.submit(lambda: products.update_product(
            session, actor(), product.id, forms.validate(products.ProductPatch, patch)), FIELDS)
    except forms.Rejected as rejected:
        return _edit_form(product, request.form, rejected.errors, rejected.status)
    session.commit()
    flash(gettext("Product %(name)s updated.", name=product.name_vi))
    return redirect(url_for("web.products_detail", product_id=product.id))

