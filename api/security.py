"""CSRF for forms, rate limits for public endpoints, security headers on every response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from api.settings import Settings

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[],
                  headers_enabled=True, strategy="moving-window")

ACCOUNT_FAILURES = "20 per hour"
"""Failed sign-ins per account, from any address, web form and token endpoint together: on top
of the per-address limits, so guessing one account's password from many addresses is slow too.
Only refusals (401) count; a locked account signs in again an hour after its failures."""


def _account_key() -> str:
    name: Any = request.form.get("username") if request.form else None
    if name is None:
        data = request.get_json(silent=True)
        name = data.get("username") if isinstance(data, dict) else None
    return "account:" + (name.strip().lower()[:80] if isinstance(name, str) else "")


def throttle_account_failures(view: Callable[..., Any]) -> Callable[..., Any]:
    """Count this view's 401 answers against the account named in the request."""
    limited: Callable[..., Any] = limiter.shared_limit(
        ACCOUNT_FAILURES, scope="account-failures", key_func=_account_key, methods=["POST"],
        deduct_when=lambda response: response.status_code == 401)(view)
    return limited


CSP = ("default-src 'self'; img-src 'self' data: https:; style-src 'self'; "
       "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"
"""JSON, images, PDFs: nothing runs, nothing loads, nothing frames them."""


MAX_ID = 2**31 - 1
"""The largest id the database stores (PostgreSQL integer)."""


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: a number beyond any stored id is a 404 at once instead of reaching
    the database, which cannot bind it."""

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise NotFound(f"no record has the id {value}")
        return number


def init_app(app: Flask, settings: Settings) -> None:
    """CSRF protection, the limiter, the headers and bounded ids in URLs (before any route)."""
    app.url_map.converters["int"] = IdConverter
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 12 * 3600)
    app.config["RATELIMIT_ENABLED"] = settings.rate_limits
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    csrf.init_app(app)
    limiter.init_app(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy",
                                    CSP if response.mimetype == "text/html" else DATA_CSP)
        if settings.secure_cookies:
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response


def exempt_api(app: Flask, *blueprints: Blueprint) -> None:
    """API blueprints authenticate writes with bearer tokens, never cookies: no CSRF tokens."""
    for blueprint in blueprints:
        csrf.exempt(blueprint)
