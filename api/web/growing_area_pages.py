"""Growing-area code pages (mã số vùng trồng): list, detail, issue a code, change status."""

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
from registry import certifications, growing_areas, validity
from registry.models import GrowingAreaKind, HolderType, RecordStatus, Role

FIELDS = ("code", "kind", "markets", "holder_id", "crop", "variety", "area_ha", "standard",
          "expected_output_t", "latitude", "longitude", "place.province",
          "place.district_code", "place.commune_code", "place.address", "issued_on",
          "valid_until")
ALIASES = {**forms.PLACE_ALIASES, "geometry": "latitude"}
NUMBERS = ("area_ha", "expected_output_t", "latitude", "longitude")


@bp.get("/growing-areas")
def growing_areas_list() -> ResponseReturnValue:
    """Growing-area codes by code, crop or holder, province, status and validity on a day."""
    query, errors = list_query(growing_areas.GrowingAreaQuery)
    page = growing_areas.list_growing_areas(database.session(), query)
    return render_template(
        "registry/growing_areas/list.html", page=page, filters=filters(), errors=errors,
        provinces=province_options(), statuses=options(RecordStatus),
        can_issue=can_issue(optional_actor())), status_for(errors)


@bp.get("/growing-areas/<code>")
def growing_areas_detail(code: str) -> ResponseReturnValue:
    """A growing area: facts, place, map, certifications and dated status history."""
    session = database.session()
    with forms.refusals_translated():
        area = growing_areas.get(session, code, "code")
    certs = certifications.list_certifications(session, certifications.CertificationQuery(
        holder_type=HolderType.GROWING_AREA, holder_id=area.code, per_page=50))
    return render_template(
        "registry/growing_areas/detail.html", area=growing_areas.to_out(area),
        issuer=area.issuer, certifications=certs,
        history=validity.history(session, growing_areas.SUBJECT, area.id),
        may_issue=can_issue(optional_actor(), area.province_code_current))


def _geometry(data: dict[str, Any]) -> dict[str, Any]:
    """Latitude and longitude inputs as the GeoJSON point the domain stores."""
    lat, lon = data.pop("latitude", None), data.pop("longitude", None)
    if lat is None and lon is None:
        return data

    def number(text: str | None) -> float | str | None:
        try:
            return float(text) if text is not None else None
        except ValueError:
            return text

    data["geometry"] = {"type": "Point", "coordinates": [number(lon), number(lat)]}
    return data


def _with_place_of_code(values: Any) -> dict[str, Any]:
    """The posted values, with an empty place filled from a Decision 3156 code, so the user
    sees the place the registry reads from the code."""
    shown = dict(values.items())
    place = growing_areas.parse_3156(str(shown.get("code", "")).strip())
    if place is not None and not shown.get("place.province"):
        shown.update({"place.province": f"{place.adm_scheme}:{place.province_code}",
                      "place.district_code": place.district_code or "",
                      "place.commune_code": place.commune_code or ""})
    return shown


def _form(values: Any, errors: dict[str, list[str]], status: int = 200) -> ResponseReturnValue:
    session = database.session()
    holder = values.get("holder_id")
    return render_template(
        "registry/growing_areas/form.html", values=values, errors=errors,
        kinds=options(GrowingAreaKind),
        holders=partner_choices(session, actor(), growing_areas.HOLDER_KINDS,
                                include=int(holder) if str(holder or "").isdigit() else None),
    ), status


@bp.route("/growing-areas/new", methods=["GET", "POST"])
@auth.login_required
def growing_areas_new() -> ResponseReturnValue:
    """Issue a growing-area code: agencies of the area's province, or admins."""
    with forms.refusals_translated():
        actor().ensure_role(Role.AGENCY)
    if request.method == "GET":
        values = {"kind": "domestic", "issued_on": date.today().isoformat(),
                  "holder_id": request.args.get("holder_id", "")}
        return _form(values, {})
    data = _geometry(forms.split_province(forms.form_data(lists=("markets",), numbers=NUMBERS)))
    session = database.session()
    try:
        area = forms.submit(lambda: growing_areas.register_growing_area(
            session, actor(), forms.validate(growing_areas.GrowingAreaIn, data)), FIELDS, ALIASES)
    except forms.Rejected as rejected:
        return _form(_with_place_of_code(request.form), rejected.errors, rejected.status)
    session.commit()
    flash(gettext("Growing-area code %(code)s issued.", code=area.code))
    return redirect(url_for("web.growing_areas_detail", code=area.code))


@bp.route("/growing-areas/<code>/status", methods=["GET", "POST"])
@auth.login_required
def growing_areas_status(code: str) -> ResponseReturnValue:
    """Suspend (đình chỉ), revoke (hủy bỏ) or reinstate a code from a given day."""
    session = database.session()
    with forms.refusals_translated():
        area = growing_areas.get(session, code, "code")
        actor().ensure_issuer(area.province_code_current, "the growing area")
    return status_page(
        gettext("growing-area code %(code)s", code=area.code), area,
        url_for("web.growing_areas_detail", code=area.code),
        lambda change: growing_areas.change_status(session, actor(), area.code, change))
