"""CSRF for forms, rate limits for public endpoints, security headers on every response."""

from __future__ import annotations

from flask import Blueprint, Flask, Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from api.settings import Settings

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[],
                  headers_enabled=True, strategy="moving-window")

CSP = ("default-src 'self'; img-src 'self' data: https:; style-src 'self'; "
       "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def init_app(app: Flask, settings: Settings) -> None:
    """CSRF protection, the limiter and the headers."""
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
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CSP)
        if settings.secure_cookies:
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response


def exempt_api(app: Flask, *blueprints: Blueprint) -> None:
    """API blueprints authenticate writes with bearer tokens, never cookies: no CSRF tokens."""
    for blueprint in blueprints:
        csrf.exempt(blueprint)
