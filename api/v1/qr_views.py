"""A lot's QR code (PNG, SVG) and label sheets (PDF), each recorded as issued; flagged codes and
consumer reports."""

from __future__ import annotations

from flask import Response, current_app

from api import database
from api.openapi import operation
from api.v1 import bp
from qr import images
from qr import labels as label_sheets
from registry import consumer_reports, copied_codes, lots, qr_issues
from registry import database as registry_database
from registry.actors import Actor
from registry.models import Lot
from registry.paging import Page


def _issuable(actor: Actor, lot_code: str) -> Lot:
    """The lot, with the write lock taken first (SQLite) and the actor's right checked."""
    session = database.session()
    registry_database.begin_write(session)
    lot = lots.get(session, lot_code)
    qr_issues.ensure_may_issue(session, actor, lot)
    return lot


def code_url_of(lot: Lot) -> str:
    """The signed URL the lot's code carries."""
    settings = current_app.config["NGUONGOC"]
    return qr_issues.code_url(settings.base_url, current_app.extensions["nguongoc.qr_keys"][0],
                              lot)


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(body, 200, mimetype=mimetype, headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})


@operation(bp, "GET", "/lots/<lot_code>/qr.png", summary="The lot's QR code as a PNG",
           tag="qr", query=qr_issues.QrImageQuery, produces=("image/png",),
           extra_responses=(409,))
def lot_qr_png(actor: Actor, lot_code: str, query: qr_issues.QrImageQuery) -> Response:
    """GS1 Digital Link when the product has a GTIN, else /l/{lot_code}; signed; recorded."""
    lot = _issuable(actor, lot_code)
    url = code_url_of(lot)
    png = images.qr_png(url, module_px=query.module_px, size_px=query.size_px,
                        border=query.border, error_correction=query.ecc)
    qr_issues.record_image(database.session(), actor, lot, "png", url)
    database.session().commit()
    return _download(png, "image/png", f"qr-{lot.lot_code}.png")


@operation(bp, "GET", "/lots/<lot_code>/qr.svg", summary="The lot's QR code as an SVG",
           tag="qr", query=qr_issues.QrImageQuery, produces=("image/svg+xml",),
           extra_responses=(409,))
def lot_qr_svg(actor: Actor, lot_code: str, query: qr_issues.QrImageQuery) -> Response:
    """The same code as the PNG, drawn in a viewBox of modules (sharp at any size)."""
    lot = _issuable(actor, lot_code)
    url = code_url_of(lot)
    svg = images.qr_svg(url, module_px=query.module_px, size_px=query.size_px,
                        border=query.border, error_correction=query.ecc)
    qr_issues.record_image(database.session(), actor, lot, "svg", url)
    database.session().commit()
    return _download(svg, "image/svg+xml", f"qr-{lot.lot_code}.svg")


@operation(bp, "GET", "/lots/<lot_code>/labels.pdf", summary="An A4 sheet of the lot's labels",
           tag="qr", query=qr_issues.LabelsQuery, produces=("application/pdf",),
           extra_responses=(409,))
def lot_labels_pdf(actor: Actor, lot_code: str, query: qr_issues.LabelsQuery) -> Response:
    """Each label: the code, the product's Vietnamese name, batch, origin code, OCOP stars and a
    short URL. `serialised=1` gives every label its own unit code (/21/{serial}), from the
    product's next free serial numbers, recorded so that no other serial scans as registered."""
    session = database.session()
    lot = _issuable(actor, lot_code)
    url = code_url_of(lot)
    issue = qr_issues.issue_labels(session, actor, lot, query, url)
    settings = current_app.config["NGUONGOC"]
    sheet = qr_issues.labels(lot, issue, settings.base_url,
                             current_app.extensions["nguongoc.qr_keys"][0])
    pdf = label_sheets.label_sheet(sheet, query.layout, skip=query.skip, outlines=query.outlines,
                                   title=f"Nhãn truy xuất nguồn gốc: {lot.product.name_vi}, "
                                         f"lô {lot.batch}")
    session.commit()
    response = _download(pdf, "application/pdf", f"labels-{lot.lot_code}.pdf")
    response.headers["X-Qr-Issue"] = str(issue.id)
    if issue.serial_first is not None:
        response.headers["X-Serial-Range"] = f"{issue.serial_first}-{issue.serial_last}"
    return response


@operation(bp, "GET", "/lots/<lot_code>/qr-issues", summary="The codes issued for a lot",
           tag="qr", response=list[qr_issues.QrIssueOut])
def lot_qr_issues(actor: Actor, lot_code: str) -> list[qr_issues.QrIssueOut]:
    """Images and label sheets handed out, newest first, with serial ranges."""
    session = database.session()
    lot = lots.get(session, lot_code)
    qr_issues.ensure_may_see(session, actor, lot)
    return qr_issues.issues_of_lot(session, lot)


@operation(bp, "GET", "/flagged-codes", summary="Codes flagged as possibly copied", tag="qr",
           query=copied_codes.FlagQuery, response=Page[copied_codes.FlagOut])
def flagged_codes(actor: Actor, query: copied_codes.FlagQuery) -> Page[copied_codes.FlagOut]:
    """Unit codes scanned from many places, lots scanned more often than they have units."""
    return copied_codes.list_flags(database.session(), actor, query)


@operation(bp, "GET", "/consumer-reports", summary="Consumers' problem reports", tag="qr",
           query=consumer_reports.ReportQuery, response=Page[consumer_reports.ReportOut])
def list_consumer_reports(actor: Actor, query: consumer_reports.ReportQuery
                          ) -> Page[consumer_reports.ReportOut]:
    """Reports sent from scan pages about lots produced in the agency's provinces."""
    return consumer_reports.list_reports(database.session(), actor, query)
