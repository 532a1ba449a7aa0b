"""The agencies' queue of records EPCIS captures created unverified, and the verify buttons
(on the queue and on the partner and product pages)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from api import auth, database
from api.web import bp, forms
from api.web.listing import actor
from registry import unverified


@bp.get("/unverified")
@auth.login_required
def unverified_queue() -> ResponseReturnValue:
    """Unverified partners and products in the agency's provinces (admins: all)."""
    with forms.refusals_translated():
        queue = unverified.queue(database.session(), actor())
    return render_template("registry/unverified.html", queue=queue)


@bp.post("/partners/<int:partner_id>/verify")
@auth.login_required
def partners_verify(partner_id: int) -> ResponseReturnValue:
    """Mark a partner verified (an agency of its province or an admin; 403 otherwise)."""
    session = database.session()
    with forms.refusals_translated():
        partner = unverified.verify_partner(session, actor(), partner_id)
    session.commit()
    flash(gettext("%(name)s is marked verified.", name=partner.name))
    return redirect(auth.safe_next(request.form.get("next"),
                                   url_for("web.partners_detail", partner_id=partner.id)))


@bp.post("/products/<int:product_id>/verify")
@auth.login_required
def products_verify(product_id: int) -> ResponseReturnValue:
    """Mark a product verified (an agency of its owner's province or an admin)."""
    session = database.session()
    with forms.refusals_translated():
        product = unverified.verify_product(session, actor(), product_id)
    session.commit()
    flash(gettext("%(name)s is marked verified.", name=product.name_vi))
    return redirect(auth.safe_next(request.form.get("next"),
                                   url_for("web.products_detail", product_id=product.id)))
