"""Vietnamese first, English available: the locale comes from ?lang=, the session, or vi."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

from api.settings import TRANSLATIONS

LOCALES = ("vi", "en")


def select_locale() -> str:
    """?lang= (remembered in the session), then the session, then Vietnamese."""
    asked = request.args.get("lang")
    if asked in LOCALES:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    return remembered if remembered in LOCALES else "vi"


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the project's catalogs."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DEFAULT_LOCALE"] = "vi"
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Ho_Chi_Minh"
    Babel(app, locale_selector=select_locale)
