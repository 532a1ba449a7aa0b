"""Kho hàng: a partner's stock with the forms that move it — harvest, ship, receive, transform.
The domain decides who may do what; a refused form changes nothing and says why beside the
input at fault."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api import auth, database
from api.web import bp, once
from api.web import lot_forms as lf
from registry import lots, partners, shipments, transformations
from registry import stock as stock_service
from registry.actors import Actor
from registry.errors import NotFound
from registry.models import (
    AquacultureRegistration,
    ChainMember,
    ChainProduct,
    GrowingArea,
    Holding,
    Lot,
    Partner,
    PartnerKind,
    Product,
    ReceiptCheck,
    ShipmentStatus,
)
from registry.paging import like
from registry.text import fold

HARVEST_INPUTS = ("product_id", "quantity", "unit", "produced_on", "origin", "batch")
SHIP_INPUTS = ("lot_code", "quantity", "unit", "to_partner", "shipped_at", "reference")
RECEIVE_INPUTS = ("received_at", "quantity")
GATE_VERDICTS = {"conditional": lazy_gettext("conditional"),
                 "rejected": lazy_gettext("rejected")}
INPUT_FIELDS = ("lot_code", "quantity", "unit")
OUTPUT_FIELDS = ("product_id", "quantity", "unit", "batch")
INPUT_ROWS, OUTPUT_ROWS = 3, 2


def _home(actor: Actor, partner_id: int) -> str:
    """Where a partner's stock page lives for this user."""
    if actor.is_partner and actor.partner_id == partner_id:
        return url_for("web.stock")
    return url_for("web.partner_stock", partner_id=partner_id)


def product_choices(session: Session, partner_id: int) -> list[Product]:
    """Products a partner is likely to record: its own, its chains', those it holds."""
    in_chains = (select(ChainProduct.product_id)
                 .join(ChainMember, ChainMember.chain_id == ChainProduct.chain_id)
                 .where(ChainMember.partner_id == partner_id))
    held = (select(Lot.product_id).join(Holding, Holding.lot_id == Lot.id)
            .where(Holding.partner_id == partner_id, Holding.quantity > 0))
    return list(session.execute(
        select(Product).where(or_(Product.owner_id == partner_id, Product.id.in_(in_chains),
                                  Product.id.in_(held)))
        .order_by(Product.name_vi).limit(lf.MAX_CHOICES)).scalars())


def origin_choices(session: Session, partner: Partner) -> list[tuple[str, str]]:
    """(value, label) of the places a partner harvests from: its growing areas, its
    aquaculture registrations, and its own farm."""
    choices = []
    for area in session.execute(select(GrowingArea).where(GrowingArea.holder_id == partner.id)
                                .order_by(GrowingArea.code)).scalars():
        choices.append((f"growing_area_code:{area.code}",
                        gettext("Growing area %(code)s (%(crop)s)", code=area.code,
                                crop=area.crop)))
    for reg in session.execute(
            select(AquacultureRegistration).where(AquacultureRegistration.holder_id == partner.id)
            .order_by(AquacultureRegistration.number)).scalars():
        choices.append((f"aquaculture_registration:{reg.number}",
                        gettext("Aquaculture registration %(number)s", number=reg.number)))
    choices.append((f"partner_id:{partner.id}", gettext("Own farm (no registered area)")))
    return choices


def _page(partner_id: int, states: dict[str, lf.FormState] | None = None,
          open_form: str | None = None, status: int = 200, *,
          input_rows: int = INPUT_ROWS, output_rows: int = OUTPUT_ROWS) -> ResponseReturnValue:
    session = database.session()
    actor = auth.current_actor()
    held = stock_service.stock(session, actor, partner_id)
    partner = partners.get(session, partner_id, "partner_id")
    outgoing = [shipments.to_out(s) for s in shipments.of_partner(
        session, partner_id, incoming=False, status=ShipmentStatus.IN_TRANSIT)]
    states = states or {}
    ship_lot = request.args.get("ship")
    if ship_lot and "ship" not in states:
        states["ship"] = lf.FormState(values={"lot_code": lots.normal_lot_code(ship_lot)})
        open_form = open_form or "ship"
    use_lot = request.args.get("use")
    if use_lot and "transform" not in states:
        states["transform"] = lf.FormState(
            values={"inputs.0.lot_code": lots.normal_lot_code(use_lot)})
        open_form = open_form or "transform"
    listed = {f"receive-{s['shipment_id']}" for s in held.incoming}
    refused = [m for key, state in states.items() if key.startswith("receive-")
               and key not in listed for messages in state.errors.values() for m in messages]
    return render_template(
        "lots/stock.html", partner=partner, stock=held, outgoing=outgoing, refused=refused,
        states={k: states.get(k, lf.FormState()) for k in ("harvest", "ship", "transform")},
        receive_states={k: v for k, v in states.items() if k.startswith("receive-")},
        open_form=open_form or request.args.get("open"),
        products=product_choices(session, partner_id),
        origins=origin_choices(session, partner),
        recipients=lf.partner_choices(session, exclude=partner_id),
        kinds=[k.value for k in transformations.TransformationKind],
        units=lf.unit_choices(), now=lf.now_input(), today=lf.today_input(),
        input_rows=input_rows, output_rows=output_rows,
        may_record=_may_record(actor, partner), home=_home(actor, partner_id)), status


def _may_record(actor: Actor, partner: Partner) -> bool:
    if actor.is_partner:
        return actor.partner_id == partner.id
    return actor.covers_province(partner.province_code_current)


def _partners_to_choose(session: Session, actor: Actor, q: str) -> list[Partner]:
    stmt = select(Partner).where(Partner.kind != PartnerKind.AGENCY)
    if not actor.is_admin:
        stmt = stmt.where(Partner.province_code_current.in_(sorted(actor.provinces) or ["--"]))
    if q:
        stmt = stmt.where(Partner.search_text.like(like(fold(q)), escape="\\"))
    return list(session.execute(stmt.order_by(Partner.name).limit(100)).scalars())


@bp.get("/stock", endpoint="stock")
@auth.login_required
def stock_page() -> ResponseReturnValue:
    """A partner user's own stock; agencies and admins choose whose stock to see."""
    actor = auth.current_actor()
    if actor.is_partner and actor.partner_id is not None:
        return _page(actor.partner_id)
    q = request.args.get("q", "").strip()
    return render_template("lots/stock_choose.html", q=q,
                           partners=_partners_to_choose(database.session(), actor, q))


@bp.get("/partners/<int:partner_id>/stock")
@auth.login_required
def partner_stock(partner_id: int) -> ResponseReturnValue:
    """A partner's stock (the partner itself, agencies of its province, admins)."""
    return _page(partner_id)


def _guard(partner_id: int) -> Actor:
    """The actor, if it may see this partner's stock (Forbidden goes to the error page)."""
    actor = auth.current_actor()
    session = database.session()
    stock_service.ensure_may_see(actor, partners.get(session, partner_id, "partner_id"))
    return actor


def _origin(value: str) -> dict[str, Any]:
    key, _, code = value.partition(":")
    if key not in ("growing_area_code", "aquaculture_registration", "partner_id") or not code:
        return {}
    return {key: code}


@bp.post("/partners/<int:partner_id>/stock/harvest")
@auth.login_required
def stock_harvest(partner_id: int) -> ResponseReturnValue:
    """Record a harvest: a new lot at one of the partner's origins."""
    actor = _guard(partner_id)
    session = database.session()
    if (again := once.repeated()) is not None:
        return again
    values = {name: request.form.get(name, "").strip() for name in HARVEST_INPUTS}
    data = {"partner_id": partner_id, "product_id": values["product_id"] or None,
            "quantity": lf.number(values["quantity"]), "unit": values["unit"] or None,
            "produced_on": values["produced_on"] or None,
            "origin": _origin(values["origin"]) or None, "batch": values["batch"] or None}
    try:
        lot = lf.attempt(session, lambda: lots.harvest(
            session, actor, lots.LotIn.model_validate(_filled(data))),
            HARVEST_INPUTS, {"origin": "origin"})
    except lf.Rejected as rejected:
        return _page(partner_id, {"harvest": lf.FormState(values, rejected.errors)}, "harvest",
                     rejected.status)
    home = once.done(_home(actor, partner_id))
    session.commit()
    flash(gettext("Harvest recorded: lot %(lot)s, %(quantity)s of %(product)s.",
                  lot=lot.lot_code, quantity=lf.lot_quantity(lot.quantity, lot),
                  product=lot.product.name_vi))
    return redirect(home)


def _filled(values: dict[str, Any]) -> dict[str, Any]:
    """The values given (empty inputs left out, so the model names what is missing)."""
    return {k: v for k, v in values.items() if v not in (None, "")}


def _lot_unit(session: Session, lot_code: str, unit: str, field_name: str) -> str:
    """The unit typed, or the lot's own unit when left blank (NotFound names the lot input)."""
    if unit or not lot_code:
        return unit
    return lots.get(session, lot_code, field_name).unit


@bp.post("/partners/<int:partner_id>/stock/ship")
@auth.login_required
def stock_ship(partner_id: int) -> ResponseReturnValue:
    """Ship a quantity of a held lot to another partner."""
    actor = _guard(partner_id)
    session = database.session()
    if (again := once.repeated()) is not None:
        return again
    values = {name: request.form.get(name, "").strip() for name in SHIP_INPUTS}

    def act() -> Any:
        data = {"lot_code": values["lot_code"], "quantity": lf.number(values["quantity"]),
                "unit": _lot_unit(session, values["lot_code"], values["unit"], "lot_code"),
                "from_partner_id": partner_id,
                "to_partner_id": lf.partner_id_of(session, values["to_partner"], "to_partner"),
                "shipped_at": lf.moment(values["shipped_at"]),
                "reference": values["reference"] or None}
        order = shipments.ShipmentIn.model_validate(_filled(data))
        return shipments.ship(session, actor, order)

    try:
        shipment = lf.attempt(session, act, SHIP_INPUTS, {"to_partner_id": "to_partner"})
    except lf.Rejected as rejected:
        return _page(partner_id, {"ship": lf.FormState(values, rejected.errors)}, "ship",
                     rejected.status)
    home = once.done(_home(actor, partner_id))
    session.commit()
    flash(gettext("Shipped %(quantity)s of lot %(lot)s to %(partner)s (shipment %(id)s).",
                  quantity=lf.quantity_text(shipment.quantity, shipment.lot.base_unit,
                                            shipment.unit),
                  lot=shipment.lot.lot_code, partner=shipment.to_partner.name, id=shipment.id))
    return redirect(home)


@bp.post("/partners/<int:partner_id>/stock/receive/<int:shipment_id>")
@auth.login_required
def stock_receive(partner_id: int, shipment_id: int) -> ResponseReturnValue:
    """Confirm what arrived of an incoming shipment; less than shipped records a shortfall."""
    actor = _guard(partner_id)
    session = database.session()
    shipment = shipments.get(session, shipment_id)
    if shipment.to_partner_id != partner_id:
        raise NotFound(f"shipment {shipment_id} is not on its way to partner {partner_id}")
    if (again := once.repeated()) is not None:
        return again
    values = {name: request.form.get(name, "").strip() for name in RECEIVE_INPUTS}
    data = {"received_at": lf.moment(values["received_at"]),
            "quantity": lf.number(values["quantity"]), "unit": shipment.unit}
    try:
        received = lf.attempt(session, lambda: shipments.receive(
            session, actor, shipment_id, shipments.ReceiptIn.model_validate(_filled(data))),
            RECEIVE_INPUTS)
    except lf.Rejected as rejected:
        key = f"receive-{shipment_id}"
        return _page(partner_id, {key: lf.FormState(values, rejected.errors)}, key,
                     rejected.status)
    home = once.done(_home(actor, partner_id))
    session.commit()
    base, unit = received.lot.base_unit, received.unit
    message = gettext("Received shipment %(id)s: %(quantity)s of lot %(lot)s.", id=received.id,
                      quantity=lf.quantity_text(received.received_quantity or 0, base, unit),
                      lot=received.lot.lot_code)
    if received.shortfall:
        message += " " + gettext("Shortfall recorded: %(quantity)s.",
                                 quantity=lf.quantity_text(received.shortfall, base, unit))
    flash(message)
    check = session.get(ReceiptCheck, shipment_id)
    if check is not None and check.verdict != "approved":  # a gate that warns let it in
        flash(gettext("Your receiving gate's verification of lot %(lot)s is %(verdict)s: see "
                      "the reasons on the lot's verification page and in your inbox.",
                      lot=received.lot.lot_code, verdict=GATE_VERDICTS[check.verdict]))
    return redirect(home)


@bp.post("/partners/<int:partner_id>/stock/transform")
@auth.login_required
def stock_transform(partner_id: int) -> ResponseReturnValue:
    """Pack, process, slaughter or mix: consume held lots, make new ones."""
    actor = _guard(partner_id)
    session = database.session()
    more = request.form.get("action") == "more_rows"
    n_in = lf.row_count("inputs", INPUT_ROWS, more=more)
    n_out = lf.row_count("outputs", OUTPUT_ROWS, more=more)
    values = {k: v.strip() for k, v in request.form.items() if k != "csrf_token"}
    if more:
        return _page(partner_id, {"transform": lf.FormState(values)}, "transform",
                     input_rows=n_in, output_rows=n_out)
    if (again := once.repeated()) is not None:
        return again
    inputs, in_at = lf.rows("inputs", INPUT_FIELDS, n_in)
    outputs, out_at = lf.rows("outputs", OUTPUT_FIELDS, n_out)
    names = ["kind", "occurred_at", "inputs", "outputs"]
    names += [f"inputs.{i}.{f}" for i in range(n_in) for f in INPUT_FIELDS]
    names += [f"outputs.{i}.{f}" for i in range(n_out) for f in OUTPUT_FIELDS]

    def act() -> Any:
        used = [_filled({"lot_code": r["lot_code"], "quantity": lf.number(r["quantity"]),
                         "unit": _lot_unit(session, r["lot_code"], r["unit"],
                                           f"inputs.{i}.lot_code") or None})
                for i, r in enumerate(inputs)]
        made = [_filled({"product_id": r["product_id"], "quantity": lf.number(r["quantity"]),
                         "unit": r["unit"], "batch": r["batch"]}) for r in outputs]
        data = _filled({"partner_id": partner_id, "kind": values.get("kind"),
                         "occurred_at": lf.moment(values.get("occurred_at"))})
        return transformations.transform(session, actor, transformations.TransformationIn
                                         .model_validate({**data, "inputs": used,
                                                          "outputs": made}))

    try:
        _record, made = lf.attempt(session, act, names,
                                   renumbered={"inputs": in_at, "outputs": out_at})
    except lf.Rejected as rejected:
        return _page(partner_id, {"transform": lf.FormState(values, rejected.errors)},
                     "transform", rejected.status, input_rows=n_in, output_rows=n_out)
    home = once.done(_home(actor, partner_id))
    session.commit()
    flash(gettext("Transformation recorded; new lots: %(lots)s.",
                  lots=", ".join(f"{x.lot_code} ({lf.lot_quantity(x.quantity, x)} "
                                 f"{x.product.name_vi})" for x in made)))
    return redirect(home)
