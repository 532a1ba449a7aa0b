"""Web security basics (issue 9): CSRF on every form POST, session cookie flags, argon2 hashes,
login and token throttling, rate limits on the public endpoints (429 with Retry-After),
security headers on HTML and JSON, and no stack trace ever reaching a client."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api import create_app
from api.settings import Settings
from registry import accounts
from registry.actors import SYSTEM
from registry.models import Role
from tests import factories

PASSWORD = "mật-khẩu-đủ-dài"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def user(session: Session) -> str:
    """An admin who signs in on the web."""
    accounts.create_user(session, SYSTEM, accounts.UserIn(
        username="quantri", password=PASSWORD, role=Role.ADMIN))
    session.commit()
    return "quantri"


def sign_in(client: FlaskClient, username: str) -> Any:
    token = CSRF.search(client.get("/login").get_data(as_text=True))
    assert token is not None
    return client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token.group(1)})


@pytest.fixture
def limited(settings: Settings, app: Flask) -> Iterator[Flask]:
    """The app with rate limits on, as in production. Made after `app`: the limiter is one
    object per process and takes its on/off switch from the app made last."""
    app = create_app(dataclasses.replace(settings, rate_limits=True))
    yield app
    app.extensions["nguongoc.engine"].dispose()


def _sample_url(rule: Any) -> str:
    values = {name: 1 if type(conv).__name__ in ("IdConverter", "IntegerConverter")
              else sorted(conv.items)[0] if type(conv).__name__ == "AnyConverter" else "X1"
              for name, conv in rule._converters.items()}
    return str(rule.build(values, append_unknown=False)[1])


# --- CSRF ------------------------------------------------------------------------------------

def test_every_web_form_post_without_a_csrf_token_is_refused(app: Flask, client: FlaskClient,
                                                             user: str) -> None:
    """Enumerates the app's POST routes outside the APIs (/api/, /epcis/: bearer tokens only,
    tested in the matrix): each refuses a post without a token
    (400), signed in or not, before any view runs."""
    assert sign_in(client, user).status_code == 302
    anonymous = app.test_client()
    posts = [rule for rule in app.url_map.iter_rules()
             if "POST" in (rule.methods or ()) and not rule.rule.startswith(("/api/", "/epcis/"))]
    assert len(posts) >= 25
    # the EPCIS capture is exempt from CSRF because a session cookie alone never writes there
    assert client.post("/epcis/capture", json={"type": "EPCISDocument"}).status_code == 401
    for rule in posts:
        url = _sample_url(rule)
        for who in (client, anonymous):
            refused = who.post(url, data={"text": "x", "name": "x"})
            assert refused.status_code == 400, (url, refused.status_code)
            assert "CSRF" in refused.get_data(as_text=True) or "csrf" in refused.get_data(
                as_text=True).lower(), url
            wrong = who.post(url, data={"csrf_token": "forged"})
            assert wrong.status_code == 400, url


def test_an_api_write_with_only_a_session_cookie_is_unauthenticated(
        client: FlaskClient, user: str) -> None:
    """The API is CSRF-exempt because a cookie alone never authenticates a write there."""
    assert sign_in(client, user).status_code == 302
    assert client.get("/api/v1/me").status_code == 200  # reads may use the web session
    posted = client.post("/api/v1/partners", json={
        "kind": "producer", "name": "Hộ CSRF", "place": {"adm_scheme": "vn2025",
                                                         "province_code": "80"}})
    assert posted.status_code == 401
    assert posted.mimetype == "application/problem+json"


# --- sessions and passwords ------------------------------------------------------------------

def test_the_session_cookie_is_httponly_samesite_and_secure_under_https(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> None:
    for base, secure in (("https://nguongoc.example.vn", True), ("http://127.0.0.1:5000", False)):
        monkeypatch.setenv("NGUONGOC_BASE_URL", base)
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("NGUONGOC_SECRET_KEY", "s" * 32)
        app = create_app(Settings.from_env(tmp_path))
        try:
            if secure:
                with app.extensions["nguongoc.sessions"]() as db:
                    accounts.create_user(db, SYSTEM, accounts.UserIn(
                        username="cookie", password=PASSWORD, role=Role.ADMIN))
                    db.commit()
            client = app.test_client()
            answer = sign_in(client, "cookie")
            cookie = next(v for v in answer.headers.getlist("Set-Cookie")
                          if v.startswith("session="))
            flags = {part.strip().lower() for part in cookie.split(";")}
            assert "httponly" in flags and "samesite=lax" in flags
            assert ("secure" in flags) is secure, base
            hsts = client.get("/login").headers.get("Strict-Transport-Security")
            assert (hsts is not None) is secure
        finally:
            app.extensions["nguongoc.engine"].dispose()


def test_passwords_are_stored_as_argon2id_hashes(session: Session, user: str) -> None:
    stored = accounts.get_user(session, user).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts._hasher.verify(stored, PASSWORD)


def test_the_production_hasher_is_argon2id_at_a_real_cost() -> None:
    from argon2 import PasswordHasher, Type

    hasher = PasswordHasher()  # accounts' module default, before tests swap in a cheap one
    assert hasher.type is Type.ID and hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2


# --- throttling and rate limits --------------------------------------------------------------

def _limited_until(send: Any, limit: int) -> Any:
    for _ in range(limit):
        assert send().status_code != 429
    return send()


def assert_throttled(response: Any, json: bool) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    if json:
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 429


def test_web_login_is_throttled_per_address(limited: Flask, user: str) -> None:
    client = limited.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True))
    assert token is not None
    wrong = {"username": user, "password": "sai-mat-khau", "csrf_token": token.group(1)}
    throttled = _limited_until(lambda: client.post("/login", data=wrong), 10)
    assert_throttled(throttled, json=False)
    other = limited.test_client()  # another address still signs in
    token = CSRF.search(other.get("/login", environ_base={"REMOTE_ADDR": "198.51.100.9"})
                        .get_data(as_text=True))
    assert token is not None
    assert other.post("/login", data={**wrong, "password": PASSWORD,
                                      "csrf_token": token.group(1)},
                      environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 302


def test_the_token_endpoint_is_throttled_with_a_problem(limited: Flask, user: str) -> None:
    client = limited.test_client()
    body = {"username": user, "password": "sai-mat-khau"}
    throttled = _limited_until(lambda: client.post("/api/v1/auth/token", json=body), 20)
    assert_throttled(throttled, json=True)


def test_failed_sign_ins_are_throttled_per_account_from_any_address(
        limited: Flask, user: str) -> None:
    """Guessing one account's password from many addresses (web form and token endpoint
    together) is stopped too; other accounts and the per-address budget are unaffected."""
    from api.security import ACCOUNT_FAILURES

    limit = int(ACCOUNT_FAILURES.split()[0])
    wrong = {"username": user.upper(), "password": "sai-mat-khau"}  # any spelling of the name

    def attempt(n: int, password: str = "sai-mat-khau") -> Any:
        address = {"REMOTE_ADDR": f"203.0.113.{n}"}
        client = limited.test_client()
        if n % 2:
            return client.post("/api/v1/auth/token", json={**wrong, "password": password},
                               environ_base=address)
        token = CSRF.search(client.get("/login", environ_base=address).get_data(as_text=True))
        assert token is not None
        return client.post("/login", data={**wrong, "password": password,
                                           "csrf_token": token.group(1)}, environ_base=address)

    for n in range(limit):
        assert attempt(n).status_code == 401, n
    # even the right password, on the sign-in page and on the token endpoint alike
    assert_throttled(attempt(limit, password=PASSWORD), json=bool(limit % 2))
    assert_throttled(attempt(limit + 1, password=PASSWORD), json=not limit % 2)
    other = limited.test_client().post("/api/v1/auth/token", json={
        "username": "someone-else", "password": "sai-mat-khau"},
        environ_base={"REMOTE_ADDR": "203.0.113.200"})
    assert other.status_code == 401  # another account is not locked


def test_scan_pages_are_rate_limited_per_address(limited: Flask) -> None:
    from api.scan import SCAN_LIMIT

    limit = int(SCAN_LIMIT.split()[0])
    client = limited.test_client()
    json_accept = {"Accept": "application/json"}
    throttled = _limited_until(lambda: client.get("/l/NOSUCHLOT", headers=json_accept), limit)
    assert_throttled(throttled, json=True)
    assert_throttled(client.get("/01/09506000134352/10/B1"), json=False)  # the page, as HTML
    other = client.get("/l/NOSUCHLOT", environ_base={"REMOTE_ADDR": "198.51.100.8"})
    assert other.status_code == 404


def test_consumer_reports_are_rate_limited_per_address(limited: Flask) -> None:
    from api.scan import REPORT_LIMIT

    client = limited.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True))
    assert token is not None
    form = {"text": "Quả bị dập", "csrf_token": token.group(1)}
    throttled = _limited_until(lambda: client.post("/l/NOSUCHLOT/reports", data=form),
                               int(REPORT_LIMIT.split()[0]))
    assert_throttled(throttled, json=False)


# --- headers -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "mimetype"), [
    ("/", "text/html"), ("/login", "text/html"), ("/l/NOSUCHLOT", "text/html"),
    ("/api/v1/provinces", "application/json"), ("/api/v1/openapi.json", "application/json"),
    ("/api/v1/partners", "application/problem+json"),  # 401
    ("/api/v1/nothing-here", "application/problem+json"),  # 404
])
def test_security_headers_on_pages_json_and_problems(client: FlaskClient, path: str,
                                                     mimetype: str) -> None:
    response = client.get(path)
    assert response.mimetype == mimetype
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    if mimetype == "text/html":
        assert "script-src 'self'" in csp and "object-src 'none'" in csp
        assert "unsafe-inline" not in csp
    else:
        assert csp.startswith("default-src 'none'")


# --- no stack traces -------------------------------------------------------------------------

SECRET = "db password is hunter2"


def test_an_unexpected_error_is_a_generic_500_and_the_traceback_stays_in_the_log(
        app: Flask, client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    factories.partner(session)
    session.commit()

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(SECRET)

    from api.v1 import registry_views
    from api.web import partner_pages

    monkeypatch.setattr(registry_views.partners, "list_partners", boom)
    monkeypatch.setattr(partner_pages.partners, "list_partners", boom)
    admin = accounts.create_user(session, SYSTEM, accounts.UserIn(
        username="boom", password=PASSWORD, role=Role.ADMIN))
    token = accounts.create_token(session, SYSTEM, admin)
    session.commit()
    with caplog.at_level(logging.ERROR, logger="api.problems"):
        api = client.get("/api/v1/partners", headers={"Authorization": f"Bearer {token}"})
        page = client.get("/partners")
    assert api.status_code == 500 and api.mimetype == "application/problem+json"
    assert api.get_json()["detail"] == "an internal error occurred; it has been logged"
    assert page.status_code == 500 and page.mimetype == "text/html"
    for response in (api, page):
        text = response.get_data(as_text=True)
        assert SECRET not in text and "Traceback" not in text and "RuntimeError" not in text
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert SECRET in logged and "Traceback" in logged


@pytest.mark.parametrize("target, lands", [
    ("/lots", "/lots"), ("//evil.example/x", "/"), ("/\\evil.example/x", "/"),
    ("https://evil.example/", "/"), ("", "/")])
def test_sign_in_goes_back_only_to_a_local_page(client: FlaskClient, user: str, target: str,
                                                lands: str) -> None:
    token = CSRF.search(client.get("/login").get_data(as_text=True))
    assert token is not None
    answer = client.post("/login", data={"username": user, "password": PASSWORD,
                                         "next": target, "csrf_token": token.group(1)})
    assert answer.status_code == 302
    assert answer.headers["Location"] == lands
