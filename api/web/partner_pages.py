"""Partner pages: list and search, detail with everything the partner holds, register, edit."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from api import auth, database
from api.web import bp, forms
from api.web.labels import options, province_options
from api.web.listing import actor, filters, list_query, optional_actor, status_for
from registry import aquaculture, certifications, growing_areas, partners, products
from registry.models import HolderType, Partner, PartnerKind, Role

FIELDS = ("kind", "name", "name_en", "place.province", "place.district_code",
          "place.commune_code", "place.address", "tax_code", "gln", "phone", "email")
EDITABLE = ("name", "name_en", "tax_code", "gln", "phone", "email")
PLACE_FIELDS = ("place.province", "place.district_code", "place.commune_code", "place.address")
SECTION_ROWS = 50
"""Rows of each list on a partner's page (the section links to the full list beyond)."""


@bp.get("/partners")
def partners_list() -> ResponseReturnValue:
    """Partners, searched by name (without diacritics too), kind and province."""
    query, errors = list_query(partners.PartnerQuery)
    page = partners.list_partners(database.session(), query)
    who = optional_actor()
    return render_template(
        "registry/partners/list.html", page=page, filters=filters(), errors=errors,
        kinds=options(PartnerKind), provinces=province_options(),
        can_register=who is not None and (who.is_admin or who.is_agency)), status_for(errors)


def _holdings(partner: Partner) -> dict[str, Any]:
    session = database.session()
    return {
        "growing_areas": growing_areas.list_growing_areas(session, growing_areas.GrowingAreaQuery(
            holder_id=partner.id, per_page=SECTION_ROWS)),
        "registrations": aquaculture.list_registrations(session, aquaculture.AquacultureQuery(
            holder_id=partner.id, per_page=SECTION_ROWS)),
        "products": products.list_products(session, products.ProductQuery(
            owner_id=partner.id, per_page=SECTION_ROWS)),
        "certifications": certifications.list_certifications(
            session, certifications.CertificationQuery(
                holder_type=HolderType.PARTNER, holder_id=str(partner.id),
                per_page=SECTION_ROWS)),
    }


def _may_edit(partner: Partner) -> bool:
    who = optional_actor()
    if who is None:
        return False
    if who.is_partner:
        return who.partner_id == partner.id
    return who.covers_province(partner.province_code_current)


@bp.get("/partners/<int:partner_id>")
def partners_detail(partner_id: int) -> ResponseReturnValue:
    """A partner: place as recorded (and now), codes, registrations, products, certificates."""
    with forms.refusals_translated():
        partner = partners.get(database.session(), partner_id, "id")
    who = optional_actor()
    return render_template(
        "registry/partners/detail.html", partner=partners.to_out(partner),
        may_edit=_may_edit(partner),
        may_mark_verified=not partner.verified and who is not None and not who.is_partner
        and who.covers_province(partner.province_code_current),
        may_issue=who is not None and who.covers_province(partner.province_code_current),
        holds_codes=partner.kind in growing_areas.HOLDER_KINDS, **_holdings(partner))


def _form(template_values: Any, errors: dict[str, list[str]], status: int = 200,
          partner: Partner | None = None) -> ResponseReturnValue:
    return render_template("registry/partners/form.html", values=template_values, errors=errors,
                           partner=partner, kinds=options(PartnerKind)), status


@bp.route("/partners/new", methods=["GET", "POST"])
@auth.login_required
def partners_new() -> ResponseReturnValue:
    """Register a partner (agencies within their provinces, admins anywhere)."""
    with forms.refusals_translated():
        actor().ensure_role(Role.AGENCY)
    if request.method == "GET":
        return _form({}, {})
    data = forms.split_province(forms.form_data())
    session = database.session()
    try:
        partner = forms.submit(lambda: partners.register_partner(
            session, actor(), forms.validate(partners.PartnerIn, data)), FIELDS,
            forms.PLACE_ALIASES)
    except forms.Rejected as rejected:
        return _form(request.form, rejected.errors, rejected.status)
    session.commit()
    flash(gettext("Partner %(name)s registered.", name=partner.name))
    return redirect(url_for("web.partners_detail", partner_id=partner.id))


def _current_values(partner: Partner) -> dict[str, str]:
    values = {name: getattr(partner, name) or "" for name in EDITABLE}
    values.update({"kind": partner.kind.value,
                   "place.province": f"{partner.adm_scheme}:{partner.province_code}",
                   "place.district_code": partner.district_code or "",
                   "place.commune_code": partner.commune_code or "",
                   "place.address": partner.address or ""})
    return values


def _patch_data(partner: Partner) -> dict[str, Any]:
    """Only what the user changed (PATCH semantics): an emptied optional field is cleared."""
    before = _current_values(partner)
    posted = {name: request.form.get(name, "").strip() for name in FIELDS}
    patch: dict[str, Any] = {}
    for name in EDITABLE:
        if posted[name] != before[name]:
            patch[name] = posted[name] if (posted[name] or name == "name") else None
    if any(posted[name] != before[name] for name in PLACE_FIELDS):
        place = {name.split(".", 1)[1]: posted[name] for name in PLACE_FIELDS if posted[name]}
        patch["place"] = place
        forms.split_province(patch)
    return patch


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@auth.login_required
def partners_edit(partner_id: int) -> ResponseReturnValue:
    """Change a partner's details: the partner itself, an agency of its province, or admins."""
    session = database.session()
    with forms.refusals_translated():
        partner = partners.get(session, partner_id, "id")
        who = actor()
        if who.is_partner:
            who.ensure_acts_for(partner.id)
        else:
            who.ensure_province(partner.province_code_current, "the partner")
    if request.method == "GET":
        return _form(_current_values(partner), {}, partner=partner)
    patch = _patch_data(partner)
    if not patch:
        flash(gettext("Nothing was changed."))
        return redirect(url_for("web.partners_detail", partner_id=partner.id))
    try:
        forms.submit(lambda: partners.update_partner(
            session, who, partner.id, forms.validate(partners.PartnerPatch, patch)), FIELDS,
            forms.PLACE_ALIASES)
    except forms.Rejected as rejected:
        values = dict(request.form.items(), kind=partner.kind.value)
        return _form(values, rejected.errors, rejected.status, partner=partner)
    session.commit()
    flash(gettext("Partner %(name)s updated.", name=partner.name))
    return redirect(url_for("web.partners_detail", partner_id=partner.id))
