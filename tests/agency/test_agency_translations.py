"""The agencies' pages are Vietnamese first: every message of their templates and modules has a
translation in translations/vi/LC_MESSAGES/messages.po."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry import accounts
from registry.actors import SYSTEM
from registry.models import Role
from tests.agency.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
MODULES = ["api/web/agency_pages.py", "api/web/case_pages.py", "api/web/report_pages.py"]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None}
OTHERS = {"Partners", "Growing areas", "Aquaculture", "Products", "Certifications"}
"""Menu entries of other capabilities, translated in their own catalogs."""


def msgids() -> set[str]:
    found: set[str] = set()
    sources = [("python", ROOT / m) for m in MODULES + ["api/web/__init__.py"]]
    sources += [("jinja2.ext:babel_extract", t) for t in (ROOT / "templates" / "agency")
                .glob("*.html")]
    for method, path in sources:
        for _line, message, _comments, _context in extract_from_file(method, str(path),
                                                                     keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found - OTHERS


def test_every_message_of_the_agency_pages_is_translated() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string}
    assert msgids() - translated == set()
    # templates format every message (Jinja's new-style gettext): a lone % would break a page
    lone = [m.string for m in catalog if m.id and re.search(r"%(?!\(\w+\)s)", m.string)]
    assert lone == []


def test_the_pages_speak_vietnamese_first(app: Flask, session: Session) -> None:
    accounts.create_user(session, SYSTEM, accounts.UserIn(
        username="vi-agency", password="password-123", role=Role.AGENCY, provinces=["22"]))
    session.commit()
    client: FlaskClient = app.test_client()
    client.post("/login", data={"username": "vi-agency", "password": "password-123",
                                "csrf_token": csrf_token(client, "/login")})
    page = client.get("/sampling-plans").get_data(as_text=True)
    assert "Kế hoạch lấy mẫu" in page and "Thêm kế hoạch" in page and "Hộp thư" in page
    for path in ("/samples", "/samples/new", "/cases", "/recalls", "/recalls/new", "/inbox",
                 "/reports/indicators?province_code=22&year=2026"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "Chỉ tiêu kế hoạch" in client.get("/reports/indicators").get_data(as_text=True)
    english = client.get("/sampling-plans?lang=en").get_data(as_text=True)
    assert "Add the plan" in english
