"""Aquaculture registration pages (đăng ký nuôi trồng thủy sản): list, detail, issue, status."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from api import auth, database
from api.web import bp, forms
from api.web.labels import options, province_options
from api.web.listing import (
    actor,
    can_issue,
    filters,
    list_query,
    optional_actor,
    partner_choices,
    status_for,
)
from api.web.status_change import status_page
from registry import aquaculture, certifications, validity
from registry.models import FarmingForm, FarmingMethod, HolderType, RecordStatus, Role

FIELDS = ("number", "holder_id", "species", "farming_form", "method", "area_m2", "cages",
          "place.province", "place.district_code", "place.commune_code", "place.address",
          "issued_on", "valid_until")


@bp.get("/aquaculture")
def aquaculture_list() -> ResponseReturnValue:
    """Registrations by number, species or holder, province, status and validity on a day."""
    query, errors = list_query(aquaculture.AquacultureQuery)
    page = aquaculture.list_registrations(database.session(), query)
    return render_template(
        "registry/aquaculture/list.html", page=page, filters=filters(), errors=errors,
        provinces=province_options(), statuses=options(RecordStatus),
        can_issue=can_issue(optional_actor())), status_for(errors)


def _form(values: Any, errors: dict[str, list[str]], status: int = 200) -> ResponseReturnValue:
    holder = values.get("holder_id")
    return render_template(
        "registry/aquaculture/form.html", values=values, errors=errors,
        forms_=options(FarmingForm), methods=options(FarmingMethod),
        holders=partner_choices(database.session(), actor(), aquaculture.HOLDER_KINDS,
                                include=int(holder) if str(holder or "").isdigit() else None),
    ), status


@bp.route("/aquaculture/new", methods=["GET", "POST"])
@auth.login_required
def aquaculture_new() -> ResponseReturnValue:
    """Issue a registration (form 28.NT): the fisheries authority of the site's province."""
    with forms.refusals_translated():
        actor().ensure_role(Role.AGENCY)
    if request.method == "GET":
        return _form({"issued_on": date.today().isoformat(),
                      "holder_id": request.args.get("holder_id", "")}, {})
    data = forms.split_province(forms.form_data(lists=("species",), numbers=("area_m2",)))
    session = database.session()
    try:
        reg = forms.submit(lambda: aquaculture.register(
            session, actor(), forms.validate(aquaculture.AquacultureRegistrationIn, data)),
            FIELDS, forms.PLACE_ALIASES)
    except forms.Rejected as rejected:
        return _form(request.form, rejected.errors, rejected.status)
    session.commit()
    flash(gettext("Aquaculture registration %(number)s issued.", number=reg.number))
    return redirect(url_for("web.aquaculture_detail", number=reg.number))


@bp.route("/aquaculture/<path:number>/status", methods=["GET", "POST"])
@auth.login_required
def aquaculture_status(number: str) -> ResponseReturnValue:
    """Suspend, revoke or reinstate a registration from a given day."""
    session = database.session()
    with forms.refusals_translated():
        reg = aquaculture.get(session, number, "number")
        actor().ensure_issuer(reg.province_code_current, "the aquaculture site")
    return status_page(
        gettext("aquaculture registration %(number)s", number=reg.number), reg,
        url_for("web.aquaculture_detail", number=reg.number),
        lambda change: aquaculture.change_status(session, actor(), reg.number, change))


@bp.get("/aquaculture/<path:number>")
def aquaculture_detail(number: str) -> ResponseReturnValue:
    """A registration: holder, species, farming form and scale, place, status history."""
    session = database.session()
    with forms.refusals_translated():
        reg = aquaculture.get(session, number, "number")
    certs = certifications.list_certifications(session, certifications.CertificationQuery(
        holder_type=HolderType.AQUACULTURE_REGISTRATION, holder_id=reg.number, per_page=50))
    return render_template(
        "registry/aquaculture/detail.html", reg=aquaculture.to_out(reg), issuer=reg.issuer,
        certifications=certs, history=validity.history(session, aquaculture.SUBJECT, reg.id),
        may_issue=can_issue(optional_actor(), reg.province_code_current))
