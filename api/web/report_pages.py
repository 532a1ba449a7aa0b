"""The indicators dashboard: every indicator of a province and year against its target, as
server-drawn SVG bars, with the records behind each number (no JavaScript)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError

from api import auth, database
from api.web import bp
from api.web.agency_pages import actor, errors_from, province_choices
from registry import indicators


@bp.get("/reports/indicators")
@auth.login_required
def indicators_dashboard() -> ResponseReturnValue:
    """Pick a province and a year; see each indicator, its target and its basis."""
    who = actor()
    default = sorted(who.provinces)[0] if who.provinces else "22"
    asked: dict[str, Any] = {k: v for k, v in request.args.items() if v.strip() and k in (
        "province_code", "year", "as_of", "violation_mode", "slaughter_unit")}
    asked.setdefault("province_code", default)
    asked.setdefault("year", str(date.today().year))
    report, errors, status = None, {}, 200
    try:
        query = indicators.IndicatorQuery.model_validate(asked)
    except ValidationError as exc:
        errors, status = errors_from(exc), 422
    else:
        report = indicators.report(database.session(), who, query)
    links = {}
    if report is not None:
        links = {"pdf": url_for("v1.indicator_report_pdf", **asked),
                 "json": url_for("v1.indicator_report", **asked)}
    return render_template(
        "agency/indicators.html", report=report, errors=errors, values=asked, links=links,
        provinces=province_choices(), shown=indicators.shown, bar=indicators.bar,
        target_text=indicators.target_text), status
