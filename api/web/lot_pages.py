"""Lot pages: find a lot, see one (origin, status, holdings, history), and trace it backward to
its origins or forward to every recipient (partners see one step back, one step forward)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, gettext
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api import auth, database
from api.web import bp
from api.web import lot_forms as lf
from api.web.lot_labels import term
from chains import exports
from chains import trace as tracing
from registry import lot_holds, lots, stock
from registry.actors import Actor
from registry.errors import Forbidden
from registry.events import VN_TZ
from registry.models import EventKind, Holding, Lot, LotStatus, OriginType, Partner, Shipment

HISTORY_LIMIT = 500
"""Events shown on a lot page (the API's /events has them all)."""


@bp.app_template_filter("vn_time")
def vn_time(value: datetime | str | None, with_time: bool = True) -> str:
    """A moment in Vietnam's time zone, as dd/mm/yyyy HH:MM."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ)
    return moment.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


@bp.app_template_filter("qty")
def qty(value: float | int | None) -> str:
    """A quantity in the user's number format (1.234,5 in Vietnamese)."""
    if value is None:
        return ""
    return str(format_decimal(value, format="#,##0.###"))


@bp.app_template_filter("plain_number")
def plain_number(value: float | int | None) -> str:
    """A number as an input's value: no grouping, a decimal point, no trailing zeros."""
    if value is None:
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def fits(picture: str, widest: int = 1500) -> bool:
    """Whether a picture is narrow enough to scale down to the page on a wide screen."""
    found = re.search(r'<svg[^>]* width="(\d+)"', picture)
    return found is not None and int(found.group(1)) <= widest


@bp.get("/lots")
@auth.login_required
def lots_list() -> ResponseReturnValue:
    """Find a lot by its code or batch; without a search, the newest lots (or the ones a
    partner holds, for a partner user)."""
    actor = auth.current_actor()
    args = {k: v for k, v in request.args.items() if v.strip() and k in
            ("q", "page", "status", "mine")}
    mine = args.pop("mine", None) == "1" and actor.partner_id is not None
    try:
        query = stock.LotQuery.model_validate({**args, "per_page": 25,
                                               **({"holder_id": actor.partner_id}
                                                  if mine else {})})
    except ValidationError:
        abort(400)
    session = database.session()
    page = stock.list_lots(session, query)
    if query.q and page.total == 1 and page.items[0].lot_code == lots.normal_lot_code(query.q):
        return redirect(url_for("web.lots_detail", lot_code=page.items[0].lot_code))
    return render_template("lots/list.html", page=page, q=query.q or "",
                           status=args.get("status", ""), mine=mine,
                           statuses=[s.value for s in LotStatus],
                           is_partner=actor.partner_id is not None)


@bp.get("/lots/<lot_code>")
@auth.login_required
def lots_detail(lot_code: str) -> ResponseReturnValue:
    """A lot: product, batch, producer, origins and certificates at harvest, status, who holds
    it, what is in transit, and its history."""
    session = database.session()
    lot = lots.get(session, lot_code)
    if lot.lot_code != lot_code:
        return redirect(url_for("web.lots_detail", lot_code=lot.lot_code))
    out = lots.to_out(session, lot)
    events = stock.history(session, lot)
    actor = auth.current_actor()
    holds = actor.partner_id is not None and session.execute(select(Holding.quantity).where(
        Holding.lot_id == lot.id, Holding.partner_id == actor.partner_id,
        Holding.quantity > 0)).scalar() is not None
    mine = actor.partner_id is None or lot.producer_id == actor.partner_id or holds
    traced_by_me = mine or session.execute(select(Shipment.id).where(  # as chains.trace allows
        Shipment.lot_id == lot.id, or_(Shipment.from_partner_id == actor.partner_id,
                                       Shipment.to_partner_id == actor.partner_id)).limit(1)
    ).first() is not None
    shown = events[-HISTORY_LIMIT:]
    return render_template("lots/detail.html", lot=out, timeline=_timeline(session, lot, shown),
                           events_total=len(events), holds=holds, summary=out.origin_summary,
                           may_trace=traced_by_me, may_label=mine,
                           may_hold=_may_hold(session, actor, lot))


def _may_hold(session: Session, actor: Actor, lot: Lot) -> bool:
    try:
        lot_holds.ensure_may_hold(session, actor, lot)
    except Forbidden:
        return False
    return lot.status in (LotStatus.ACTIVE, LotStatus.ON_HOLD)


def _timeline(session: Session, lot: Lot, events: list[stock.EventOut]) -> list[dict[str, Any]]:
    """The lot's events as lines of a timeline: when, what, who, how much, and the details
    (recipient, sender, shortfall, the lots a transformation consumed and made)."""
    ids = {int(e.data[k]) for e in events for k in ("from_partner_id", "to_partner_id")
           if isinstance(e.data.get(k), int)}
    names: dict[int, str] = dict(session.execute(
        select(Partner.id, Partner.name).where(Partner.id.in_(ids))).all()) if ids else {}
    lines = []
    for e in events:
        details: list[str] = []
        linked: list[str] = []
        if e.kind is EventKind.HARVEST and e.data.get("origin"):
            details.append(f"{term('origin_type', e.data.get('origin_type'))} "
                           f"{e.data['origin']}")
        if e.kind is EventKind.SHIP:
            details.append(gettext("to %(partner)s", partner=names.get(
                e.data.get("to_partner_id", -1), "?")))
            if e.data.get("reference"):
                details.append(gettext("reference %(ref)s", ref=e.data["reference"]))
        if e.kind is EventKind.RECEIVE:
            details.append(gettext("from %(partner)s", partner=names.get(
                e.data.get("from_partner_id", -1), "?")))
            if e.data.get("shortfall"):
                details.append(gettext("shortfall %(quantity)s", quantity=lf.lot_quantity(
                    int(e.data["shortfall"]), lot)))
        quantity = f"{qty(e.quantity)} {term('unit', e.unit)}" if e.quantity is not None else ""
        if e.kind is EventKind.TRANSFORM:
            details.append(term("transformation", e.data.get("kind")))
            for item in e.data.get("inputs", []):
                if item.get("lot_code") == lot.lot_code:
                    quantity = gettext("%(quantity)s used", quantity=lf.lot_quantity(
                        int(item["quantity"]), lot))
            linked = [x["lot_code"] for x in e.data.get("inputs", []) + e.data.get("outputs", [])
                      if x.get("lot_code") and x["lot_code"] != lot.lot_code]
        details += _captured(e.epcis)
        lines.append({"at": e.occurred_at, "kind": e.kind.value, "partner": e.partner,
                      "quantity": quantity, "details": details, "lots": linked,
                      "by": e.recorded_by,
                      "shipment_id": e.shipment_id})
    return lines


def _captured(facts: dict[str, Any] | None) -> list[str]:
    """What an EPCIS capture told about an event: its certificates and sensor readings."""
    if not facts:
        return []
    shown = [gettext("captured by EPCIS")]
    for uri in facts.get("certificationInfo") or []:
        shown.append(gettext("certificate %(uri)s", uri=uri))
    for element in facts.get("sensorElementList") or []:
        for report in element.get("sensorReport", []):
            kind = str(report.get("type", "")).rsplit("-", 1)[-1].rsplit("/", 1)[-1]
            value = report.get("value", report.get("stringValue", report.get("booleanValue")))
            shown.append(gettext("sensor %(kind)s %(value)s %(uom)s", kind=kind,
                                 value="" if value is None else value,
                                 uom=report.get("uom", "")).strip())
    return shown


@bp.get("/lots/<lot_code>/trace")
@auth.login_required
def lots_trace(lot_code: str) -> ResponseReturnValue:
    """The trace page: the farm-to-shelf picture, origins, partners in chain order with their
    certificates at the time, recipients and holders. Partner users see their step only."""
    direction = request.args.get("direction", "backward")
    if direction not in ("backward", "forward"):
        abort(400)
    session = database.session()
    traced = tracing.trace(session, lot_code, direction,  # type: ignore[arg-type]
                           auth.current_actor())
    out = tracing.render(traced)
    picture = Markup(exports.to_svg(traced))  # built by chains.svg, every text escaped
    origins = [o for o in out.origins if o.type is not OriginType.TRANSFORMATION]
    return render_template("lots/trace.html", trace=out, picture=picture,
                           fit=fits(picture), origins=origins,
                           schemes=lf.scheme_names(session),
                           lot=traced.lot, direction=direction,
                           lot_count=len(out.lots), shipments=len(out.recipients))
