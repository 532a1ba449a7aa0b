"""Pages for QR codes: print a lot's labels ("In tem QR"), codes flagged as copied, and the
consumer reports agencies receive (with their photos, shown to agencies only)."""

from __future__ import annotations

from typing import TypeVar

from flask import Response, current_app, render_template, request
from flask_babel import lazy_gettext
from markupsafe import Markup

import qr
from api import auth, database
from api.v1 import qr_views
from api.web import NAV, bp
from qr import images, labels
from registry import consumer_reports as reports
from registry import copied_codes, lots, qr_issues
from registry.errors import DomainError, NotFound
from registry.models import Lot
from registry.paging import PageQuery

Q = TypeVar("Q", bound=PageQuery)
NAV.extend([("web.flagged_codes", lazy_gettext("Copied codes")),
            ("web.consumer_reports", lazy_gettext("Consumer reports"))])


def _query(model: type[Q]) -> Q:
    """The page's filters as `model`; a bad one is a 422 page naming it."""
    return model.model_validate({key: value for key, value in request.args.items()
                                 if value and key in model.model_fields})


@bp.get("/lots/<lot_code>/labels")
@auth.login_required
def lot_labels(lot_code: str) -> str:
    """In tem QR: the lot's code, a label-sheet form and the codes issued so far."""
    session = database.session()
    actor = auth.current_actor()
    lot = lots.get(session, lot_code)
    qr_issues.ensure_may_see(session, actor, lot)
    url = qr_views.code_url_of(lot)
    svg = images.qr_svg(url, module_px=4)
    preview = Markup(svg.split("?>", 1)[-1].strip())  # our own markup: the URL is escaped
    try:  # the sheet and image downloads refuse otherwise: offer them only when they work
        qr_issues.ensure_may_issue(session, actor, lot)
        may_issue = True
    except DomainError:
        may_issue = False
    return render_template(
        "qr/labels.html", lot=lot, url=url, preview=preview, layouts=labels.LAYOUTS,
        may_issue=may_issue,
        max_labels=qr_issues.MAX_LABELS, issues=qr_issues.issues_of_lot(session, lot),
        may_serialise=bool(lot.product.gtin),
        short_url=qr.short_url(current_app.config["NGUONGOC"].base_url, lot.lot_code))


@bp.get("/flagged-codes")
@auth.login_required
def flagged_codes() -> str:
    """Codes scanned in patterns that suggest copying."""
    query = _query(copied_codes.FlagQuery)
    page = copied_codes.list_flags(database.session(), auth.current_actor(), query)
    return render_template("qr/flagged.html", page=page, query=query,
                           thresholds=copied_codes.thresholds(database.session()))


@bp.get("/consumer-reports")
@auth.login_required
def consumer_reports() -> str:
    """Reports from scan pages about lots of the agency's provinces."""
    query = _query(reports.ReportQuery)
    page = reports.list_reports(database.session(), auth.current_actor(), query)
    return render_template("qr/reports.html", page=page, query=query)


@bp.get("/consumer-reports/<int:report_id>")
@auth.login_required
def consumer_report(report_id: int) -> str:
    """One report; opening it marks it read."""
    session = database.session()
    actor = auth.current_actor()
    report = reports.get(session, actor, report_id)
    reports.mark_read(session, actor, report)
    session.commit()
    lot = session.get(Lot, report.lot_id)
    return render_template("qr/report.html", report=report, lot=lot)


@bp.get("/consumer-reports/<int:report_id>/photo")
@auth.login_required
def consumer_report_photo(report_id: int) -> Response:
    """A report's photo, for agencies of its province only."""
    report = reports.get(database.session(), auth.current_actor(), report_id)
    if report.photo is None or report.photo_type is None:
        raise NotFound(f"consumer report {report_id} has no photo")
    return Response(report.photo, 200, mimetype=report.photo_type, headers={
        "Cache-Control": "private, no-store", "Content-Disposition": "inline",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox"})

