"""The Flask application: JSON API, EPCIS, public scan pages and the web UI (DESIGN.md 2)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from api import database, i18n, problems, security
from api.settings import TEMPLATES, Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application; configuration comes from `settings` or the environment."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder=str(TEMPLATES), static_folder="static")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings = settings or Settings.from_env(Path(app.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        NGUONGOC=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if settings.proxies:  # the client's address (rate limits, scan log) and scheme, from nginx
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies)
    database.init_app(app, settings.database_url)
    problems.init_app(app)
    i18n.init_app(app)
    security.init_app(app, settings)

    from api import cli, epcis, ops, scan, v1, web

    cli.init_app(app)
    for blueprint in (v1.bp, epcis.bp, web.bp, ops.bp):
        app.register_blueprint(blueprint)
    scan.init_app(app)
    security.exempt_api(app, v1.bp)
    security.exempt_api(app, epcis.bp)
    return app
