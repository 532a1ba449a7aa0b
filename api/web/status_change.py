"""The page that suspends (đình chỉ), revokes (hủy bỏ) or reinstates an issued record from a
given day: growing-area codes, aquaculture registrations and certificates share it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from api import database
from api.web import forms
from api.web.labels import options
from registry import validity
from registry.models import RecordStatus

FIELDS = ("status", "effective_on", "reason")


def _render(what: str, record: Any, cancel: str, errors: dict[str, list[str]],
            status: int = 200) -> ResponseReturnValue:
    values = request.form if request.method == "POST" else {
        "effective_on": date.today().isoformat()}
    return render_template("registry/status_form.html", what=what, record=record,
                           cancel=cancel, values=values, errors=errors,
                           statuses=options(RecordStatus)), status


def status_page(what: str, record: Any, back: str,
                change: Callable[[validity.StatusChangeIn], object]) -> ResponseReturnValue:
    """Show the form (GET) or apply the change the domain's `change` makes (POST)."""
    if request.method == "GET":
        return _render(what, record, back, {})
    data = forms.form_data()
    session = database.session()
    try:
        forms.submit(lambda: change(forms.validate(validity.StatusChangeIn, data)), FIELDS)
    except forms.Rejected as rejected:
        session.rollback()
        return _render(what, record, back, rejected.errors, rejected.status)
    session.commit()
    flash(gettext("The status of %(what)s was changed.", what=what))
    return redirect(back)
