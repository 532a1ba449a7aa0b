"""One shown form, one record: the write forms (harvest, ship, receive, transform, samples)
carry a token made when the form was shown, so a double tap on a slow connection or a resend
after Back records nothing twice; the repeat is sent where the first submission went, with a
note (registry.idempotency.claim_form)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import flash, redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from api import auth, database
from api.web import bp
from registry import idempotency

FIELD = "submission"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@bp.app_context_processor
def _token_helper() -> dict[str, Any]:
    return {"submission_token": lambda: secrets.token_urlsafe(18)}


def _token() -> str | None:
    value = request.form.get(FIELD, "")
    return value if _TOKEN.match(value) else None


def repeated() -> Response | None:
    """The redirect for a form sent again; None the first time (the token is then claimed in
    this request's transaction, so it commits with the write or not at all)."""
    token = _token()
    if token is None:
        return None
    where = idempotency.claim_form(database.session(), auth.current_actor().username, token)
    if where is None:
        return None
    flash(gettext("This form was already sent: it was recorded once."))
    return redirect(where or request.path, 303)


def done(location: str) -> str:
    """Call before the commit: where the first submission leads (returned for the redirect)."""
    token = _token()
    if token is not None:
        idempotency.complete_form(database.session(), auth.current_actor().username, token,
                                  location)
    return location
