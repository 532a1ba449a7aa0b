"""Pages for supermarkets: supplier and incoming-lot verification (printable, with a signed
PDF), the approved-supplier list with its alerts, and the receiving gate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from pydantic import ValidationError
from werkzeug.wrappers import Response

from api import auth, database
from api.v1.supermarket_views import (
    lot_document,
    lot_verification_of,
    supplier_document,
    supplier_verification_of,
)
from api.web import bp
from api.web.forms import errors_of, form_data, validate
from api.web.lot_forms import partner_choices, scheme_names
from chains import supplier_alerts
from chains.verification_common import ensure_may_verify_lot, ensure_may_verify_partner
from registry import approved_suppliers, lots, partners, receiving_gates
from registry.errors import DomainError, Forbidden
from registry.models import GateMode


def _for_partner() -> int | None:
    value = request.args.get("for_partner_id", "")
    return int(value) if value.isdigit() else None


@bp.get("/partners/<int:partner_id>/verification")
@auth.login_required
def supplier_verification_page(partner_id: int) -> str:
    """A supplier's verification, printable."""
    result = supplier_verification_of(auth.current_actor(), partner_id)
    return render_template("verification/supplier.html", v=result)


@bp.get("/partners/<int:partner_id>/verification.pdf")
@auth.login_required
def supplier_verification_pdf(partner_id: int) -> Response:
    """The signed PDF of a supplier's verification."""
    return supplier_document(auth.current_actor(), partner_id)


@bp.get("/lots/<lot_code>/verification")
@auth.login_required
def lot_verification_page(lot_code: str) -> str:
    """An incoming lot's verification, printable."""
    result = lot_verification_of(auth.current_actor(), lot_code, _for_partner())
    return render_template("verification/lot.html", v=result,
                           schemes=scheme_names(database.session()))


@bp.get("/lots/<lot_code>/verification.pdf")
@auth.login_required
def lot_verification_pdf(lot_code: str) -> Response:
    """The signed PDF of an incoming lot's verification."""
    return lot_document(auth.current_actor(), lot_code, _for_partner())


def _list_page(partner_id: int, errors: dict[str, list[str]] | None = None,
               form: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    session, actor = database.session(), auth.current_actor()
    approved = approved_suppliers.list_approved(session, actor, partner_id)
    return render_template(
        "verification/approved_suppliers.html", retailer=partners.get(session, partner_id, "id"),
        approved=approved, alerts=supplier_alerts.list_alerts(session, actor, partner_id, 50),
        gate=receiving_gates.get_gate(session, actor, partner_id), modes=list(GateMode),
        errors=errors or {}, form=form or {},
        suppliers=partner_choices(session, exclude=partner_id),
        may_edit=actor.is_admin or actor.partner_id == partner_id), status


@bp.get("/partners/<int:partner_id>/approved-suppliers")
@auth.login_required
def approved_suppliers_page(partner_id: int) -> tuple[str, int]:
    """A retailer's approved suppliers, their alerts and its receiving gate."""
    return _list_page(partner_id)


def _status(exc: Exception) -> int:
    """A refused form's status: 403 for a user who may not, 422 for values that do not fit."""
    return 403 if isinstance(exc, Forbidden) else 422


@bp.post("/partners/<int:partner_id>/approved-suppliers")
@auth.login_required
def approve_supplier_form(partner_id: int) -> Response | tuple[str, int]:
    """Approve a supplier from the form."""
    data = form_data(lists=("product_ids", "categories"))
    try:
        approval = validate(approved_suppliers.ApprovalIn, data)
        approved_suppliers.approve(database.session(), auth.current_actor(), partner_id,
                                   approval)
    except (ValidationError, DomainError) as exc:
        database.session().rollback()
        return _list_page(partner_id, errors_of(exc), dict(request.form), _status(exc))
    database.session().commit()
    flash(gettext("Supplier approved."))
    return redirect(url_for("web.approved_suppliers_page", partner_id=partner_id))


@bp.post("/partners/<int:partner_id>/approved-suppliers/<int:supplier_id>/remove")
@auth.login_required
def remove_supplier_form(partner_id: int, supplier_id: int) -> Response:
    """Take a supplier off the list."""
    approved_suppliers.remove(database.session(), auth.current_actor(), partner_id, supplier_id)
    database.session().commit()
    flash(gettext("Supplier removed from the approved list."))
    return redirect(url_for("web.approved_suppliers_page", partner_id=partner_id))


@bp.post("/partners/<int:partner_id>/receiving-gate")
@auth.login_required
def receiving_gate_form(partner_id: int) -> Response | tuple[str, int]:
    """Set the receiving gate from the form."""
    try:
        gate = validate(receiving_gates.GateIn, form_data())
        receiving_gates.set_gate(database.session(), auth.current_actor(), partner_id, gate)
    except (ValidationError, DomainError) as exc:
        database.session().rollback()
        return _list_page(partner_id, errors_of(exc), dict(request.form), _status(exc))
    database.session().commit()
    flash(gettext("Receiving gate saved."))
    return redirect(url_for("web.approved_suppliers_page", partner_id=partner_id))


def _allowed(check: Callable[[], object]) -> bool:
    try:
        check()
    except DomainError:
        return False
    return True


@bp.app_context_processor
def _verification_links() -> dict[str, Any]:
    """Whether the signed-in user may open a verification or an approved-supplier list, so
    that partner, lot and stock pages link to them only when the link works."""
    def may_verify_partner(partner_id: int) -> bool:
        actor = auth.optional_actor()
        return actor is not None and _allowed(lambda: ensure_may_verify_partner(
            database.session(), actor, partner_id))

    def may_verify_lot(lot_code: str) -> bool:
        actor = auth.optional_actor()
        return actor is not None and _allowed(lambda: ensure_may_verify_lot(
            database.session(), actor, lots.get(database.session(), lot_code)))

    def may_see_supplier_list(partner_id: int, kind: object) -> bool:
        actor = auth.optional_actor()
        if actor is None or str(getattr(kind, "value", kind)) not in {
                k.value for k in approved_suppliers.LIST_KINDS}:
            return False
        return not actor.is_partner or actor.partner_id == partner_id

    return {"may_verify_partner": may_verify_partner, "may_verify_lot": may_verify_lot,
            "may_see_supplier_list": may_see_supplier_list}
