"""The lot page's hold and release form (agencies)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext
from pydantic import ValidationError
from werkzeug.wrappers import Response

from api import auth, database
from api.web import bp
from registry import lot_holds
from registry.errors import DomainError, Forbidden


@bp.post("/lots/<lot_code>/<any(hold, release):action>")
@auth.login_required
def lot_hold_form(lot_code: str, action: str) -> Response:
    """Put the lot on hold, or release it; a refusal is said on the lot page."""
    session = database.session()
    change = lot_holds.hold if action == "hold" else lot_holds.release
    try:
        lot = change(session, auth.current_actor(), lot_code,
                     lot_holds.HoldIn(reason=request.form.get("reason", "").strip()))
    except ValidationError:
        session.rollback()
        flash(gettext("Give the reason (at least 2 characters)."))
    except Forbidden:
        session.rollback()
        raise  # 403, as every form a user may not use
    except DomainError as exc:
        session.rollback()
        flash(gettext("Nothing was recorded.") + " " + str(exc))
    else:
        session.commit()
        flash(gettext("Lot %(lot)s is on hold.", lot=lot.lot_code) if action == "hold"
              else gettext("Lot %(lot)s is released.", lot=lot.lot_code))
    return redirect(url_for("web.lots_detail", lot_code=lot_code))
