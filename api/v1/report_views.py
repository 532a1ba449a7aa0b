"""The plans' indicators (JSON and PDF), their targets (admins edit them), and recall notices."""

from __future__ import annotations

from flask import Response

from api import database
from api.openapi import operation
from api.v1 import bp
from registry import indicator_pdf, indicators, recall_notice, recalls
from registry.actors import Actor

PDF = "application/pdf"


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF shown in the browser, saved under `filename`."""
    return Response(data, mimetype=PDF,
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@operation(bp, "GET", "/reports/indicators", summary="The plans' indicators of a province",
           tag="reports", query=indicators.IndicatorQuery, response=indicators.IndicatorReport)
def indicator_report(actor: Actor, query: indicators.IndicatorQuery) -> indicators.IndicatorReport:
    """Each indicator with numerator, denominator, value, target, whether it is met, its
    basis and the records behind it; old records count for the province they are in now."""
    return indicators.report(database.session(), actor, query)


@operation(bp, "GET", "/reports/indicators.pdf", summary="The plans' indicators as a PDF",
           tag="reports", query=indicators.IndicatorQuery, produces=(PDF,))
def indicator_report_pdf(actor: Actor, query: indicators.IndicatorQuery) -> Response:
    """The same report, printable, in Vietnamese."""
    report = indicators.report(database.session(), actor, query)
    return pdf_response(indicator_pdf.render(report),
                        f"chi-tieu-{report.province_code}-{report.year}.pdf")


@operation(bp, "GET", "/reports/indicator-targets", summary="Indicator targets and their basis",
           tag="reports", response=list[indicators.TargetOut])
def list_indicator_targets() -> list[indicators.TargetOut]:
    """The defaults, then provincial overrides."""
    return indicators.list_targets(database.session())


@operation(bp, "PATCH", "/reports/indicator-targets/<key>",
           summary="Change an indicator's target or basis (admins)", tag="reports",
           body=indicators.TargetIn, response=indicators.TargetOut)
def set_indicator_target(actor: Actor, key: str,
                         body: indicators.TargetIn) -> indicators.TargetOut:
    """With `province_code`, creates or changes that province's override."""
    session = database.session()
    row = indicators.set_target(session, actor, key, body)
    session.commit()
    return indicators.TargetOut.model_validate(row)


@operation(bp, "GET", "/recalls/<int:recall_id>/notice.pdf",
           summary="The recall notice (Vietnamese PDF)", tag="recalls", produces=(PDF,))
def recall_notice_pdf(actor: Actor, recall_id: int) -> Response:
    """Number, date, ordering agency, reason, scope, instructions, trace picture, recipients."""
    session = database.session()
    recall = recalls.get(session, recall_id)
    recalls.ensure_may_see(session, actor, recall)
    return pdf_response(recall_notice.render(session, recall),
                        f"thong-bao-thu-hoi-{recall.id:04d}.pdf")
