"""A certified lime chain for verification tests: farm_a and farm_b (VietGAP) -> collector ->
packer (boxes) -> distributor -> shop_1 and shop_2, every handler holding its certificate,
and helpers to break one rule at a time."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry import accounts, certifications, growing_areas, validity
from registry.actors import SYSTEM
from registry.models import Role
from tests import factories
from tests.chains.conftest import Chain, harvest, move, pack
from tests.conftest import ApiClient

GAP = {"farm_a", "farm_b"}
FOOD_SAFETY = {"collector", "packer", "distributor", "shop_1", "shop_2"}
_names = itertools.count(1)
CHLORPYRIFOS_HIGH = {"analyte": "Chlorpyrifos", "value": 0.8, "unit": "mg/kg", "limit": 0.5}


def certify(session: Session, chain: Chain, skip: frozenset[str] = frozenset(),
            **overrides: dict[str, Any]) -> dict[str, int]:
    """Give every partner of the chain its certificate (VietGAP for farms, the food-safety
    certificate for the others), except `skip`; `overrides[who]` changes its fields."""
    ids = {}
    for who in sorted((GAP | FOOD_SAFETY) - skip):
        scheme = "vietgap" if who in GAP else "food_safety_certificate"
        cert = factories.certification(session, "partner", chain.ids[who], scheme=scheme,
                                       **overrides.get(who, {}))
        ids[who] = cert.id
    session.commit()
    return ids


def build(chain: Chain) -> dict[str, str]:
    """Limes harvested on 2026-11-01, packed into boxes that reached both shops."""
    a = harvest(chain, "farm_a").json["lot_code"]
    b = harvest(chain, "farm_b", quantity="500").json["lot_code"]
    move(chain, a, "farm_a", "packer", "800")
    move(chain, b, "farm_b", "collector", "500")
    move(chain, b, "collector", "packer", "500")
    box = pack(chain, [(a, "600", "kg"), (b, "500", "kg")], quantity="1000").json
    code = box["outputs"][0]["lot_code"]
    move(chain, code, "packer", "distributor", "900", unit="box")
    move(chain, code, "distributor", "shop_1", "500", unit="box")
    move(chain, code, "distributor", "shop_2", "300", unit="box")
    return {"a": a, "b": b, "box": code}


@pytest.fixture
def certified(session: Session, chain: Chain) -> dict[str, int]:
    """Every partner certified for 2024-2027."""
    return certify(session, chain)


@pytest.fixture
def limes(chain: Chain, certified: dict[str, int]) -> dict[str, str]:
    """The certified chain with its lots."""
    return build(chain)


def sample(chain: Chain, lot_code: str, results: list[dict[str, Any]], who: str = "agency_80",
           where: str = "packer", at: str = "2026-11-05T09:00:00+07:00") -> Any:
    """Record a monitoring sample through the API."""
    response = chain.api(who).post("/samples", json={
        "lot_code": lot_code, "partner_id": chain.ids[where], "taken_at": at,
        "lab": "Trung tâm Kiểm nghiệm", "results": results})
    assert response.status_code == 201, response.json
    return response


def change_area(session: Session, chain: Chain, farm: str, status: str, effective_on: date) -> None:
    """Suspend or revoke a farm's growing-area code from a day."""
    growing_areas.change_status(session, SYSTEM, chain.areas[farm], validity.StatusChangeIn(
        status=status, effective_on=effective_on, reason="Phát hiện vi phạm khi kiểm tra"))
    session.commit()


def change_cert(session: Session, cert_id: int, status: str, effective_on: date) -> None:
    """Suspend or revoke a certificate from a day."""
    certifications.change_status(session, SYSTEM, cert_id, validity.StatusChangeIn(
        status=status, effective_on=effective_on, reason="Đình chỉ sau kiểm tra"))
    session.commit()


def codes(body: dict[str, Any]) -> list[str]:
    """The reason codes of a verification, in order."""
    return [r["code"] for r in body["reasons"]]


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: FlaskClient, url: str) -> str:
    """The CSRF token the form on a page carries."""
    found = _CSRF.search(client.get(url).get_data(as_text=True))
    assert found, f"no form with a CSRF token on {url}"
    return found.group(1)


def signed_in(app: Flask, session: Session, role: str, *, partner_id: int | None = None,
              provinces: list[str] | None = None) -> FlaskClient:
    """A browser-like client signed in through the login form as a new user."""
    name = f"web-{role}-{next(_names)}"
    accounts.create_user(session, SYSTEM, accounts.UserIn(
        username=name, password="password-123", role=Role(role), partner_id=partner_id,
        provinces=provinces or []))
    session.commit()
    client = app.test_client()
    response = client.post("/login", data={"username": name, "password": "password-123",
                                           "csrf_token": csrf(client, "/login")})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def put(api: ApiClient, path: str, **kw: Any) -> Any:
    """PUT through an API test client (tests/conftest.py's client has get, post and patch)."""
    return api.client.put(api._url(path), headers=api._headers(None), **kw)


def delete(api: ApiClient, path: str) -> Any:
    """DELETE through an API test client."""
    return api.client.delete(api._url(path), headers=api._headers(None))
