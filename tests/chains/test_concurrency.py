"""Concurrent shipments cannot oversell a lot (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from registry.models import Holding, Shipment
from tests.chains.conftest import Chain, harvest


def test_parallel_shipments_never_take_more_than_is_held(app: Any, chain: Chain) -> None:
    code = harvest(chain, quantity="100").json["lot_code"]  # 100 kg
    token = chain.api("farm_a").token
    statuses: list[int] = []
    barrier = threading.Barrier(12)

    def fire() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/shipments", headers={"Authorization": f"Bearer {token}"},
                               json={"lot_code": code, "quantity": "10", "unit": "kg",
                                     "from_partner_id": chain.ids["farm_a"],
                                     "to_partner_id": chain.ids["collector"],
                                     "shipped_at": "2026-11-02T08:00:00+07:00"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=fire) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] * 10 + [409] * 2
    with app.extensions["nguongoc.sessions"]() as s:
        shipped = s.execute(select(func.sum(Shipment.quantity))).scalar_one()
        left = s.execute(select(Holding.quantity)
                         .where(Holding.partner_id == chain.ids["farm_a"])).scalar_one()
    assert (shipped, left) == (100_000, 0)
