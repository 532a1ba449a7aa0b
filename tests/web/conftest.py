"""Web-page fixtures: a browser-like client signed in through the login form, and a helper
that posts a form with the CSRF token of the page it came from."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from registry import accounts
from registry.actors import SYSTEM
from registry.models import Role

PASSWORD = "password-123"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class WebClient:
    """A test client that behaves like a browser on the site's forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kw: Any) -> TestResponse:
        return self.client.get(url, **kw)

    def csrf(self, url: str) -> str:
        """The CSRF token a page's form carries."""
        page = self.client.get(url)
        found = _CSRF.search(page.get_data(as_text=True))
        assert found, f"no form with a CSRF token on {url} ({page.status_code})"
        return found.group(1)

    def submit(self, url: str, data: dict[str, Any], *, token_from: str | None = None,
               **kw: Any) -> TestResponse:
        """Post `data` to `url` as the form on `token_from` (default: the same page) would."""
        token = self.csrf(token_from or "/login")
        return self.client.post(url, data={**data, "csrf_token": token}, **kw)


@pytest.fixture
def web(app: Flask) -> WebClient:
    """Nobody signed in."""
    return WebClient(app.test_client())


@pytest.fixture
def web_as(app: Flask, session: Session) -> Callable[..., WebClient]:
    """`web_as("agency", provinces=["80"])`: a client signed in as a new user of that role."""
    counter = iter(range(1, 10_000))

    def make(role: str = "agency", *, provinces: list[str] | None = None,
             partner_id: int | None = None) -> WebClient:
        name = f"web-{role}{next(counter)}"
        if role == "agency" and provinces is None:
            provinces = ["80"]
        accounts.create_user(session, SYSTEM, accounts.UserIn(
            username=name, password=PASSWORD, role=Role(role), partner_id=partner_id,
            provinces=provinces or []))
        session.commit()
        client = WebClient(app.test_client())
        response = client.submit("/login", {"username": name, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make



def fresh(session: Session) -> Session:
    """The test's session ready to read what the app committed: its transaction (an old
    snapshot) ended and its objects expired (the sessions do not expire on commit)."""
    session.rollback()
    session.expire_all()
    return session
