"""A write that got a 2xx survives `kill -9` of the server (DESIGN.md 3; issue 9).

The real server (`nguongoc serve`: gunicorn with 2 sync process workers) runs against a fresh
database (SQLite file, or a new PostgreSQL database). Four client threads record harvests,
shipments (one in three refused: the lot is used up) and receipts through the JSON API; after a
few seconds the gunicorn master and its workers are killed with SIGKILL mid-stream. The server
is started again, and every acknowledged write is there, the audit chain verifies, every lot
balances and the server takes new writes.
"""

from __future__ import annotations

import http.client
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from registry import accounts, database, mass_balance
from registry.actors import SYSTEM
from registry.models import Lot, Role, Shipment, ShipmentStatus
from tests import factories
from tests.databases import fresh_database
from tests.reliability.live import LiveServer, call, group_alive, nguongoc, server_env

WRITERS = 4
KILL_AFTER = 4.0  # seconds of writes before the kill
LOT_KG, SHIP_KG = 10, 4  # the third shipment of a lot is refused (409)


@dataclass
class Seeded:
    """The fresh registry's partners, product, area and tokens."""

    farm: int
    collector: int
    product: int
    area: str
    tokens: dict[str, str]


@dataclass
class Acked:
    """What the server acknowledged with a 2xx, and what else happened."""

    lots: dict[str, int] = field(default_factory=dict)  # lot code -> grams
    shipments: dict[int, str] = field(default_factory=dict)  # id -> lot code
    receipts: set[int] = field(default_factory=set)
    refused: int = 0  # 409: more than the farm still holds
    interrupted: int = 0  # requests the kill cut off (no answer: not acknowledged)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def writes(self) -> int:
        """Acknowledged writes."""
        return len(self.lots) + len(self.shipments) + len(self.receipts)


def seed(url: str) -> Seeded:
    """A farm with a growing area and a product, a collector, and a token for each and admin."""
    engine = database.make_engine(url)
    try:
        with database.make_sessions(engine)() as session:
            farm = factories.partner(session, kind="cooperative")
            collector = factories.partner(session, kind="collector")
            area = factories.growing_area(session, holder=farm)
            product = factories.product(session, owner=farm)
            tokens = {}
            for name, role, partner in (("farm", Role.PARTNER, farm.id),
                                        ("collector", Role.PARTNER, collector.id),
                                        ("admin", Role.ADMIN, None)):
                user = accounts.create_user(session, SYSTEM, accounts.UserIn(
                    username=name, password="password-123", role=role, partner_id=partner))
                tokens[name] = accounts.create_token(session, SYSTEM, user)
            session.commit()
            return Seeded(farm.id, collector.id, product.id, area.code, tokens)
    finally:
        engine.dispose()


def write_stream(server: LiveServer, seeded: Seeded, acked: Acked, killed: threading.Event,
                 stop: threading.Event) -> None:
    """Harvest a lot, ship it three times (the third is refused), receive what left; repeat."""
    produced = (date.today() - timedelta(days=2)).isoformat()
    shipped_at = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    received_at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()

    def post(path: str, token: str, body: dict[str, Any]) -> tuple[int, Any] | None:
        try:
            return call(server.port, "POST", path, seeded.tokens[token], body, timeout=60)
        except (OSError, http.client.HTTPException) as exc:
            with acked.lock:
                if killed.is_set():
                    acked.interrupted += 1
                else:
                    acked.unexpected.append(f"{path}: {type(exc).__name__} before the kill")
            stop.set()
            return None

    def expect(path: str, answer: tuple[int, Any], *statuses: int) -> bool:
        if answer[0] in statuses:
            return True
        with acked.lock:
            acked.unexpected.append(f"{path}: {answer[0]} {answer[1]}")
        return False

    while not stop.is_set():
        answer = post("/api/v1/lots", "farm", {
            "product_id": seeded.product, "partner_id": seeded.farm, "quantity": str(LOT_KG),
            "unit": "kg", "produced_on": produced, "origin": {"growing_area_code": seeded.area}})
        if answer is None or not expect("/lots", answer, 201):
            return
        code = answer[1]["lot_code"]
        with acked.lock:
            acked.lots[code] = answer[1]["base_quantity"]
        sent = []
        for _ in range(3):
            answer = post("/api/v1/shipments", "farm", {
                "lot_code": code, "quantity": str(SHIP_KG), "unit": "kg",
                "from_partner_id": seeded.farm, "to_partner_id": seeded.collector,
                "shipped_at": shipped_at})
            if answer is None or not expect("/shipments", answer, 201, 409):
                return
            with acked.lock:
                if answer[0] == 201:
                    acked.shipments[answer[1]["id"]] = code
                    sent.append(answer[1]["id"])
                else:
                    acked.refused += 1
        for shipment_id in sent:
            path = f"/api/v1/shipments/{shipment_id}/receive"
            answer = post(path, "collector", {"received_at": received_at,
                                              "quantity": str(SHIP_KG), "unit": "kg"})
            if answer is None or not expect(path, answer, 200):
                return
            with acked.lock:
                acked.receipts.add(shipment_id)


def check_survivors(url: str, acked: Acked) -> None:
    """Every acknowledged lot, shipment and receipt is stored; every lot balances."""
    engine = database.make_engine(url)
    try:
        with database.make_sessions(engine)() as session:
            stored_lots = dict(session.execute(select(Lot.lot_code, Lot.quantity).where(
                Lot.lot_code.in_(list(acked.lots)))).all())
            assert stored_lots == acked.lots
            stored = {row.id: row for row in session.execute(
                select(Shipment.id, Shipment.status, Lot.lot_code)
                .join(Lot, Lot.id == Shipment.lot_id)
                .where(Shipment.id.in_(list(acked.shipments)))).all()}
            assert {i: r.lot_code for i, r in stored.items()} == acked.shipments
            assert {i for i, r in stored.items()
                    if r.status is ShipmentStatus.RECEIVED} >= acked.receipts
            balance = mass_balance.check(session)
            assert balance.ok, balance.problems
            assert balance.lots >= len(acked.lots)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_acknowledged_writes_survive_kill_9_of_the_server(migrated_url: str,
                                                          tmp_path: Path) -> None:
    with fresh_database(migrated_url, tmp_path) as url:
        seeded = seed(url)
        server = LiveServer(url, tmp_path / "server.log")
        server.start()
        acked, killed, stop = Acked(), threading.Event(), threading.Event()
        writers = [threading.Thread(target=write_stream, args=(server, seeded, acked, killed,
                                                               stop)) for _ in range(WRITERS)]
        try:
            for writer in writers:
                writer.start()
            time.sleep(KILL_AFTER)
            group = server.process.pid if server.process else 0
            killed.set()
            server.kill()  # SIGKILL to master and workers, mid-stream
            assert group_alive(group) == []
            stop.set()
            for writer in writers:
                writer.join(timeout=60)
            assert acked.unexpected == []
            print(f"acknowledged before the kill: {len(acked.lots)} lots, {len(acked.shipments)} "
                  f"shipments, {len(acked.receipts)} receipts; {acked.refused} refused (409), "
                  f"{acked.interrupted} cut off by the kill")
            assert len(acked.lots) >= 5 and acked.refused >= 1 and acked.interrupted >= 1

            server.start()  # the same database, a new port
            check_survivors(url, acked)
            for code in list(acked.lots)[-20:]:  # the last ones were closest to the kill
                status, body = call(server.port, "GET", f"/api/v1/lots/{code}",
                                    seeded.tokens["admin"])
                assert (status, body["base_quantity"]) == (200, LOT_KG * 1000)
            status, body = call(server.port, "POST", "/api/v1/lots", seeded.tokens["farm"], {
                "product_id": seeded.product, "partner_id": seeded.farm, "quantity": "1",
                "unit": "kg", "produced_on": date.today().isoformat(),
                "origin": {"growing_area_code": seeded.area}})
            assert status == 201, body
        finally:
            stop.set()
            server.stop()
        verified = subprocess.run([nguongoc(), "audit", "verify"], env=server_env(url),
                                  capture_output=True, text=True, timeout=120, check=False)
        assert verified.returncode == 0, verified.stderr
        entries = int(verified.stdout.split("intact: ")[1].split()[0])
        assert entries >= acked.writes() + 1
