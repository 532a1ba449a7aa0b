"""Web-page fixtures for the stock, lot, trace and chain pages: a browser-like client signed
in through the login form, posting forms with the CSRF token of the page they are on."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from registry import accounts
from registry.actors import SYSTEM
from registry.models import Holding, Lot, Role, Shipment

PASSWORD = "password-123"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class WebClient:
    """A test client that uses the site's pages and forms as a browser would."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kw: Any) -> TestResponse:
        return self.client.get(url, **kw)

    def text(self, url: str) -> str:
        """A page's HTML, asserting it loads."""
        page = self.client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        return page.get_data(as_text=True)

    def post(self, url: str, data: dict[str, Any], *, page: str = "/login",
             **kw: Any) -> TestResponse:
        """Post `data` as the form on `page` would (with that page's CSRF token)."""
        found = _CSRF.search(self.client.get(page).get_data(as_text=True))
        assert found, f"no form with a CSRF token on {page}"
        return self.client.post(url, data={**data, "csrf_token": found.group(1)}, **kw)


@pytest.fixture
def web_as(app: Flask, session: Session) -> Callable[..., WebClient]:
    """`web_as("partner", partner_id=7)`: a client signed in (through the login form) as a new
    user of that role, reading the pages in English unless `lang` says otherwise (so that
    assertions do not depend on the catalog); "anonymous" signs nobody in."""
    counter = iter(range(1, 10_000))

    def make(role: str = "agency", *, provinces: list[str] | None = None,
             partner_id: int | None = None, lang: str = "en") -> WebClient:
        client = WebClient(app.test_client())
        if role == "anonymous":
            return client
        name = f"page-{role}{next(counter)}"
        if role == "agency" and provinces is None:
            provinces = ["80"]
        accounts.create_user(session, SYSTEM, accounts.UserIn(
            username=name, password=PASSWORD, role=Role(role), partner_id=partner_id,
            provinces=provinces or []))
        session.commit()
        signed = client.post("/login", {"username": name, "password": PASSWORD})
        assert signed.status_code == 302, signed.get_data(as_text=True)
        client.get(f"/login?lang={lang}")  # the pages' language, kept in the session
        return client

    return make


def fresh(session: Session) -> Session:
    """The test's session, ready to read what the app committed since."""
    session.rollback()
    session.expire_all()
    return session


def held(session: Session, lot_code: str) -> dict[int, int]:
    """Who holds how much of a lot (base units), read from the database."""
    rows = fresh(session).execute(
        select(Holding.partner_id, Holding.quantity).join(Lot, Lot.id == Holding.lot_id)
        .where(Lot.lot_code == lot_code, Holding.quantity > 0)).all()
    return {partner_id: quantity for partner_id, quantity in rows}


def counts(session: Session) -> tuple[int, int]:
    """How many lots and shipments are recorded."""
    db = fresh(session)
    return (len(db.execute(select(Lot.id)).all()), len(db.execute(select(Shipment.id)).all()))
