"""Home, sign-in and sign-out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from api import auth, database
from api.security import limiter, throttle_account_failures
from api.web import bp
from registry import accounts
from registry.errors import Unauthenticated
from registry.models import (
    AquacultureRegistration,
    Certification,
    GrowingArea,
    Partner,
    Product,
)


@bp.get("/")
def home() -> str:
    """The start page: what the registry holds and where to go."""
    session = database.session()
    counts = {name: session.execute(select(func.count()).select_from(model)).scalar_one()
              for name, model in (("partners", Partner), ("growing_areas", GrowingArea),
                                  ("aquaculture", AquacultureRegistration),
                                  ("products", Product), ("certifications", Certification))}
    return render_template("home.html", counts=counts, user=auth.optional_user())


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@throttle_account_failures
def login() -> str | Response | tuple[str, int]:
    """Sign in with a username and password."""
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    session = database.session()
    try:
        user = accounts.authenticate(session, request.form.get("username", ""),
                                     request.form.get("password", ""))
    except Unauthenticated:
        return render_template("login.html", next=request.form.get("next", ""),
                               error=gettext("Wrong username or password."),
                               username=request.form.get("username", "")), 401
    session.commit()
    auth.sign_in(user)
    return redirect(auth.safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    """Sign out."""
    auth.sign_out()
    flash(gettext("You are signed out."))
    return redirect(url_for("web.home"))
