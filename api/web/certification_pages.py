"""Certification pages: list (valid on a day, scheme, holder), detail, record, status."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from api import auth, database
from api.web import bp, forms
from api.web.labels import is_english, options, province_options
from api.web.listing import actor, can_issue, filters, list_query, optional_actor, status_for
from api.web.status_change import status_page
from registry import certifications, validity
from registry.errors import DomainError
from registry.models import HolderType, Role
from registry.paging import Page

FIELDS = ("scheme", "number", "issuer", "holder_type", "holder_id", "issued_on", "valid_until",
          "scope")


def scheme_options() -> list[tuple[str, str]]:
    """Schemes of the scheme table as (key, name in the user's language), cached per request."""
    if "scheme_options" not in g:
        g.scheme_options = [(s.key, s.name_en if is_english() else s.name_vi)
                            for s in certifications.list_schemes(database.session())]
    found: list[tuple[str, str]] = g.scheme_options
    return found


def scheme_name(key: str) -> str:
    """A scheme's name in the user's language."""
    return dict(scheme_options()).get(key, key)


def holder_url(holder_type: str, holder_id: str) -> str:
    """The page of a certificate's holder."""
    if holder_type == HolderType.PARTNER:
        return url_for("web.partners_detail", partner_id=int(holder_id))
    if holder_type == HolderType.PRODUCT:
        return url_for("web.products_detail", product_id=int(holder_id))
    if holder_type == HolderType.GROWING_AREA:
        return url_for("web.growing_areas_detail", code=holder_id)
    return url_for("web.aquaculture_detail", number=holder_id)


@bp.app_context_processor
def _certification_helpers() -> dict[str, Any]:
    return {"holder_url": holder_url, "scheme_name": scheme_name}


@bp.get("/certifications")
def certifications_list() -> ResponseReturnValue:
    """Certificates valid on a day, of a scheme, or of one holder; searchable."""
    query, errors = list_query(certifications.CertificationQuery)
    session = database.session()
    try:
        page = certifications.list_certifications(session, query)
    except DomainError as exc:  # a holder filter naming nothing registered
        errors.update(forms.errors_of(exc))
        page = Page[certifications.CertificationOut](items=[], page=1,
                                                     per_page=query.per_page, total=0)
    return render_template(
        "registry/certifications/list.html", page=page, filters=filters(), errors=errors,
        schemes=scheme_options(), holder_types=options(HolderType),
        provinces=province_options(), can_record=can_issue(optional_actor())), status_for(errors)


@bp.get("/certifications/<int:certification_id>")
def certifications_detail(certification_id: int) -> ResponseReturnValue:
    """A certificate: scheme, number, issuer, holder, validity, status history."""
    session = database.session()
    with forms.refusals_translated():
        cert = certifications.get(session, certification_id)
    return render_template(
        "registry/certifications/detail.html", cert=certifications.to_out(session, cert),
        scheme=cert.scheme,
        history=validity.history(session, certifications.SUBJECT, cert.id),
        may_issue=can_issue(optional_actor(), cert.province_code_current))


def _form(values: Any, errors: dict[str, list[str]], status: int = 200) -> ResponseReturnValue:
    return render_template(
        "registry/certifications/form.html", values=values, errors=errors,
        schemes=scheme_options(), holder_types=options(HolderType)), status


@bp.route("/certifications/new", methods=["GET", "POST"])
@auth.login_required
def certifications_new() -> ResponseReturnValue:
    """Record a certificate: agencies of the holder's province, or admins."""
    with forms.refusals_translated():
        actor().ensure_role(Role.AGENCY)
    if request.method == "GET":
        return _form({"issued_on": date.today().isoformat(),
                      "holder_type": request.args.get("holder_type", "partner"),
                      "holder_id": request.args.get("holder_id", "")}, {})
    data = forms.form_data()
    session = database.session()
    try:
        cert = forms.submit(lambda: certifications.record_certification(
            session, actor(), forms.validate(certifications.CertificationIn, data)), FIELDS)
    except forms.Rejected as rejected:
        return _form(request.form, rejected.errors, rejected.status)
    session.commit()
    flash(gettext("Certificate %(number)s recorded.", number=cert.number))
    return redirect(url_for("web.certifications_detail", certification_id=cert.id))


@bp.route("/certifications/<int:certification_id>/status", methods=["GET", "POST"])
@auth.login_required
def certifications_status(certification_id: int) -> ResponseReturnValue:
    """Suspend, revoke or reinstate a certificate from a given day."""
    session = database.session()
    with forms.refusals_translated():
        cert = certifications.get(session, certification_id)
        actor().ensure_issuer(cert.province_code_current, "the certificate's holder")
    return status_page(
        gettext("certificate %(number)s", number=cert.number), cert,
        url_for("web.certifications_detail", certification_id=cert.id),
        lambda change: certifications.change_status(session, actor(), cert.id, change))
