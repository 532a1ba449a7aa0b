"""A small world for the QR tests: a lime cooperative of old Long An (now Tây Ninh) with a
growing-area code, a product with a GTIN (OCOP 4 stars) and one without, lots of each shipped
to a Cần Thơ supermarket; helpers that scan like a phone and read what the page says."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import BASE_URL, ApiClient

LIME = "Chanh không hạt Bến Lức"
LOOSE_LIME = "Chanh tươi xá Thạnh Lợi"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Scene:
    """Ids, lot codes and API clients of the QR test world."""

    ids: dict[str, int] = field(default_factory=dict)
    lots: dict[str, str] = field(default_factory=dict)
    area: str = ""
    clients: dict[str, ApiClient] = field(default_factory=dict)

    def api(self, who: str) -> ApiClient:
        return self.clients[who]


def harvest(scene: Scene, product: str, quantity: str = "500", unit: str = "kg",
            **extra: Any) -> str:
    """A harvest by the cooperative; its lot code."""
    response = scene.api("farm").post("/lots", json={
        "product_id": scene.ids[product], "partner_id": scene.ids["farm"],
        "quantity": quantity, "unit": unit, "produced_on": "2026-11-01",
        "origin": {"growing_area_code": scene.area}, **extra})
    assert response.status_code == 201, response.json
    return str(response.json["lot_code"])


@pytest.fixture
def scene(session: Session, api_as: Any) -> Scene:
    s = Scene()
    farm = factories.partner(session, kind="cooperative", province="80",
                             name="Hợp tác xã Chanh không hạt Thạnh Lợi")
    shop = factories.partner(session, kind="retailer", province="92",
                             name="Siêu thị Xanh Ninh Kiều")
    other = factories.partner(session, kind="producer", province="80")
    s.area = factories.growing_area(
        session, holder=farm, geometry={"type": "Point", "coordinates": [106.49, 10.64]}).code
    factories.certification(session, "growing_area", s.area, scheme="vietgap")
    lime = factories.product(session, owner=farm, name_vi=LIME, name_en="Seedless lime",
                             ocop={"stars": 4, "certificate_no": "OCOP-LA-2025-01",
                                   "issued_on": date(2025, 1, 10),
                                   "valid_until": date(2028, 1, 9)})
    loose = factories.product(session, owner=farm, name_vi=LOOSE_LIME, gtin=None)
    session.commit()
    s.ids.update(farm=farm.id, shop=shop.id, other=other.id, lime=lime.id, loose=loose.id)
    s.clients.update(farm=api_as("partner", partner_id=farm.id),
                     shop=api_as("partner", partner_id=shop.id),
                     other=api_as("partner", partner_id=other.id),
                     agency_80=api_as("agency", provinces=["80"]),
                     agency_92=api_as("agency", provinces=["92"]), admin=api_as("admin"),
                     anonymous=api_as("anonymous"))
    s.lots["lime"] = harvest(s, "lime", batch="BL-2026-11")
    s.lots["loose"] = harvest(s, "loose")
    shipped = s.api("farm").post("/shipments", json={
        "lot_code": s.lots["lime"], "quantity": "200", "unit": "kg",
        "from_partner_id": farm.id, "to_partner_id": shop.id,
        "shipped_at": "2026-11-02T08:00:00+07:00"})
    assert shipped.status_code == 201, shipped.json
    received = s.api("shop").post(f"/shipments/{shipped.json['id']}/receive", json={
        "received_at": "2026-11-02T17:00:00+07:00", "quantity": "200", "unit": "kg"})
    assert received.status_code == 200, received.json
    return s


def path_of(url: str) -> str:
    """The path and query of a code's URL, as a phone would request it from the test app."""
    assert url.startswith(BASE_URL), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def scan(client: Any, url_or_path: str, *, ip: str = "203.0.113.9",
         headers: dict[str, str] | None = None) -> Any:
    """GET a code's URL as a phone on network `ip` would."""
    path = path_of(url_or_path) if url_or_path.startswith("http") else url_or_path
    return client.get(path, headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) "
                                     "AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
                                     "Accept-Language": "vi-VN,vi;q=0.9,en;q=0.8",
                                     **(headers or {})},
                      environ_base={"REMOTE_ADDR": ip})


def text_of(response: Any) -> str:
    """The page's text, tags removed and spaces collapsed (what a person reads)."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def csrf_token(response: Any) -> str:
    """The report form's CSRF token on a scan page."""
    found = CSRF.search(response.get_data(as_text=True))
    assert found, "the scan page carries no CSRF token"
    return found.group(1)


def signed_in(app: Any, client: Any, username: str, *, role: str = "partner",
              partner_id: int | None = None, provinces: list[str] | None = None) -> None:
    """Create a user and sign `client` in through the login form (a web session)."""
    from registry import accounts
    from registry.actors import SYSTEM
    from registry.models import Role

    db = app.extensions["nguongoc.sessions"]()
    try:
        accounts.create_user(db, SYSTEM, accounts.UserIn(
            username=username, password="password-123", role=Role(role), partner_id=partner_id,
            provinces=provinces or []))
        db.commit()
    finally:
        db.close()
    token = csrf_token(client.get("/login"))
    response = client.post("/login", data={"username": username, "password": "password-123",
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
