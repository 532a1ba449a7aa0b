"""The demo registry plus a few records the matrix acts on, once per module, and a client per
role: a bearer token for the JSON API and a signed session cookie for the web forms."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from api import auth, create_app
from api.settings import Settings
from registry import accounts, demo
from registry import database as registry_database
from registry.actors import SYSTEM
from registry.models import GrowingArea, Lot, Partner, Product, User

# The columns of the matrix: who asks. Partners are the demo's (province 80 unless noted).
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "producer": "htx-thanhloi",        # cooperative htx_lime, owns the lime lot and areas
    "collector": "thumua-benluc",
    "packer": "longanxanh",             # packing house, holds the lime boxes it packed
    "distributor": "taydo",             # province 92
    "retailer": "sieuthi-ninhkieu",     # supermarket shop_nk, province 92
    "agency_80": "tayninh",             # the province of the Long An records
    "agency_22": "quangninh",           # another province
    "admin": "admin",
}


@dataclass
class Scene:
    """Ids of the records the matrix's rows point at."""

    app: Flask
    partners: dict[str, int] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)
    lots: dict[str, str] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def api(self, role: str) -> FlaskClient:
        """A client sending the role's bearer token (none for anonymous)."""
        client = self.app.test_client()
        token = self.tokens.get(role)
        if token:
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client

    def web(self, role: str) -> FlaskClient:
        """A client with the role's signed-in web session (none for anonymous)."""
        client = self.app.test_client()
        user = self.users.get(role)
        if user is not None:
            with client.session_transaction() as sess:
                sess["uid"], sess["fp"] = user.id, auth.fingerprint(user)
                sess.permanent = True
        return client


def _database(tmp: Path) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        registry_database.upgrade(url)
        registry_database.truncate_all(url)
        yield url
        registry_database.truncate_all(url)
        return
    path = tmp / "matrix.sqlite3"
    url = f"sqlite:///{path}"
    registry_database.upgrade(url)
    yield url


def build(tmp: Path) -> Iterator[Scene]:
    """The demo registry with the matrix's extra records; yields the scene."""
    for url in _database(tmp):
        app = create_app(Settings(database_url=url, secret_key="test-secret",
                                  base_url="https://qr.test", rate_limits=False))
        app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
        scene = Scene(app)
        with app.extensions["nguongoc.sessions"]() as session:
            demo.load(session)
            session.commit()
            partners = {p.name: p.id for p in session.execute(select(Partner)).scalars()}
            for key, _kind, name, _place, _extra in demo.PARTNERS:
                scene.partners[key] = partners[name]
            for product in session.execute(select(Product)).scalars():
                scene.products[product.name_en or product.name_vi] = product.id
            for lot in session.execute(select(Lot)).scalars():
                scene.lots.setdefault(f"{lot.product.name_en}@{lot.producer_id}", lot.lot_code)
            for role, username in ROLES.items():
                if username:
                    user = accounts.get_user(session, username)
                    scene.users[role] = user
                    scene.tokens[role] = accounts.create_token(session, SYSTEM, user)
            scene.ids["area_lime"] = session.execute(
                select(GrowingArea.code).where(GrowingArea.holder_id == scene.partners[
                    "htx_lime"])).scalar_one()
            session.commit()
            session.expunge_all()
        _extras(scene)
        yield scene
        app.extensions["nguongoc.engine"].dispose()
        if make_url(url).drivername.startswith("sqlite"):
            shutil.rmtree(tmp, ignore_errors=True)


EMPTY_EPCIS: dict[str, Any] = {
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-01T08:00:00Z",
    "epcisBody": {"eventList": []}}
"""A valid EPCIS document with no events: capturing it changes nothing but the capture log."""


def post(scene: Scene, path: str, body: dict[str, Any], role: str = "admin") -> Any:
    response = scene.api(role).post("/api/v1" + path, json=body)
    assert response.status_code in (200, 201), (path, response.get_json())
    return response.get_json()


def lot(scene: Scene, product: str, partner: str) -> str:
    """The lot code of a demo product first harvested or made by a partner."""
    return scene.lots[f"{product}@{scene.partners[partner]}"]


def _extras(scene: Scene) -> None:
    """Records the rows act on, made through the API as admin or agency."""
    p = scene.partners
    yesterday = (datetime.now().astimezone() - timedelta(days=1)).isoformat()
    lime = lot(scene, "Ben Luc seedless lime", "htx_lime")
    box = lot(scene, "Seedless lime, 1 kg box", "packer")
    scene.ids["lime"], scene.ids["box"] = lime, box
    # a shipment packer -> distributor waiting to be received
    shipment = post(scene, "/shipments", {
        "lot_code": box, "quantity": "50", "unit": "box", "from_partner_id": p["packer"],
        "to_partner_id": p["distributor"], "shipped_at": yesterday})
    scene.ids["shipment"] = shipment["id"]
    # a failing sample at the packer (province 80) opens a case; a recall of the boxes
    sample = post(scene, "/samples", {
        "lot_code": box, "partner_id": p["packer"], "taken_at": yesterday,
        "lab": "Phòng thử nghiệm", "results": [
            {"analyte": "chlorpyrifos", "value": 5, "unit": "mg/kg", "limit": 0.01}]},
        role="agency_80")
    scene.ids["sample"] = sample["id"]
    scene.ids["case"] = sample["case_id"] or post(scene, "/cases", {
        "lot_codes": [box], "title": "Dư lượng thuốc BVTV"}, role="agency_80")["id"]
    dragon = lot(scene, "Red dragon fruit, 5 kg case", "packer")
    scene.ids["dragon"] = dragon
    recall = post(scene, "/recalls", {"lot_codes": [dragon], "reason": "Dư lượng thuốc BVTV",
                                      "case_id": scene.ids["case"]}, role="agency_80")
    scene.ids["recall"] = recall["id"]
    band = post(scene, "/yield-bands", {"kind": "other", "max_ratio": 2.0})
    scene.ids["band"] = band["id"]
    # an EPCIS capture by the packer (its own; agencies and admins read every capture)
    captured = scene.api("packer").post("/epcis/capture", json=EMPTY_EPCIS)
    assert captured.status_code == 202, captured.get_json()
    scene.ids["capture"] = captured.get_json()["captureID"]
    cert = post(scene, "/certifications", {
        "scheme": "vietgap", "number": "VietGAP-MATRIX-0001", "issuer": "Trung tâm",
        "holder_type": "growing_area", "holder_id": scene.ids["area_lime"],
        "issued_on": str(date.today() - timedelta(days=30))}, role="agency_80")
    scene.ids["certification"] = cert["id"]
    area = post(scene, "/growing-areas", {
        "code": "VN-80-803-27811-09-24", "holder_id": p["htx_lime"], "crop": "Chanh",
        "area_ha": 1.0, "issued_on": str(date.today() - timedelta(days=30))}, role="agency_80")
    scene.ids["area_extra"] = area["code"]
    scene.ids["oyster_reg"] = "22-VD-2024-0015"
    targets = scene.api("admin").get("/api/v1/reports/indicator-targets").get_json()
    scene.ids["target"] = targets[0]["key"]
    pdf = scene.api("admin").get(f"/api/v1/partners/{p['packer']}/verification.pdf")
    assert pdf.status_code == 200
    # a receipt through the supermarket's receiving gate records a receipt check
    assert scene.api("retailer").put(f"/api/v1/partners/{p['shop_nk']}/receiving-gate",
                                     json={"mode": "warn"}).status_code == 200
    gated = post(scene, "/shipments", {
        "lot_code": box, "quantity": "5", "unit": "box", "from_partner_id": p["distributor"],
        "to_partner_id": p["shop_nk"], "shipped_at": yesterday})
    post(scene, f"/shipments/{gated['id']}/receive", {"received_at": yesterday, "quantity": "5",
                                                      "unit": "box"}, role="retailer")
    scene.ids["gated_shipment"] = gated["id"]
    chains = scene.api("admin").get("/api/v1/chains").get_json()
    scene.ids["chain"] = chains[0]["id"]
    with scene.app.extensions["nguongoc.sessions"]() as session:
        from registry.models import Notification

        note = session.execute(select(Notification).where(
            Notification.partner_id == p["distributor"])).scalars().first()
        scene.ids["notification"] = note.id if note else None
        from registry.models import IssuedVerification

        scene.ids["verification"] = session.execute(select(IssuedVerification.id)).scalar_one()
