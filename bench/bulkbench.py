"""Recording events: the bulk path (`chains.bulk.record_batch`, and `POST /api/v1/events/bulk`)
and, for comparison, the single services one event per transaction."""

from __future__ import annotations

import http.client
import json
import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from chains import bulk
from chains.bulk_ops import BatchIn
from registry import database, lots, shipments, transformations
from registry.actors import Actor
from registry.models import GrowingArea, Partner, PartnerKind, Product, Role

ACTOR = Actor(username="bench", role=Role.ADMIN)


class Registry:
    """Partners, areas and products to make operations with (read from the database)."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(GrowingArea.holder_id, GrowingArea.code)).all()
        self.areas = dict(rows)
        self.farms = list(self.areas)
        kinds = dict(session.execute(select(Partner.id, Partner.kind)).all())
        self.collectors = [p for p, k in kinds.items() if k is PartnerKind.COLLECTOR]
        self.packers = [p for p, k in kinds.items() if k is PartnerKind.PACKING_HOUSE]
        self.products = list(session.execute(select(Product.id).where(
            Product.category == "fruit")).scalars())


def operations(reg: Registry, count: int, rnd: random.Random) -> list[dict[str, Any]]:
    """At most `count` operations, in blocks of 15: 4 harvests, 4 shipments to a collector
    and their receipts, the collector's merge of the 4 lots, its shipment to a packer and
    its receipt."""
    day = date.today() - timedelta(days=3)
    at = datetime.now(UTC) - timedelta(days=2)

    def moment(hours: int) -> str:
        return (at + timedelta(hours=hours)).isoformat()

    ops: list[dict[str, Any]] = []
    for block in range(max(1, count // 15)):
        tag = f"{rnd.getrandbits(40):x}-{block}"
        collector, packer = rnd.choice(reg.collectors), rnd.choice(reg.packers)
        product = rnd.choice(reg.products)
        harvested = []
        for k in range(4):
            farm = rnd.choice(reg.farms)
            grams = rnd.randint(200, 2000)
            ops.append({"type": "harvest", "ref": f"h{tag}-{k}", "product_id": product,
                        "partner_id": farm, "quantity": str(grams), "unit": "kg",
                        "produced_on": day.isoformat(),
                        "origin": {"growing_area_code": reg.areas[farm]}})
            harvested.append((farm, grams))
        for k, (farm, grams) in enumerate(harvested):
            ops.append({"type": "ship", "ref": f"s{tag}-{k}", "lot_ref": f"h{tag}-{k}",
                        "quantity": str(grams), "unit": "kg", "from_partner_id": farm,
                        "to_partner_id": collector, "shipped_at": moment(1)})
        for k, (_, grams) in enumerate(harvested):
            ops.append({"type": "receive", "shipment_ref": f"s{tag}-{k}", "quantity": str(grams),
                        "received_at": moment(5)})
        total = sum(g for _, g in harvested)
        ops.append({"type": "transform", "partner_id": collector, "kind": "mixing",
                    "occurred_at": moment(8),
                    "inputs": [{"lot_ref": f"h{tag}-{k}", "quantity": str(g), "unit": "kg"}
                               for k, (_, g) in enumerate(harvested)],
                    "outputs": [{"ref": f"m{tag}", "product_id": product,
                                 "quantity": str(total), "unit": "kg"}]})
        ops.append({"type": "ship", "ref": f"p{tag}", "lot_ref": f"m{tag}",
                    "quantity": str(total), "unit": "kg", "from_partner_id": collector,
                    "to_partner_id": packer, "shipped_at": moment(10)})
        ops.append({"type": "receive", "shipment_ref": f"p{tag}", "quantity": str(total),
                    "received_at": moment(14)})
    return ops


def direct(sessions: sessionmaker[Session], reg: Registry, count: int, runs: int,
           rnd: random.Random) -> list[dict[str, float]]:
    """Events/s of record_batch + commit, and of parsing the batch, per run."""
    figures = []
    for _ in range(runs):
        raw = operations(reg, count, rnd)
        started = time.perf_counter()
        ops = BatchIn.model_validate({"operations": raw}).operations
        parsed = time.perf_counter()
        with sessions() as session:
            database.begin_write(session)
            result = bulk.record_batch(session, ACTOR, ops)
            session.commit()
        done = time.perf_counter()
        figures.append({"events": result.events,
                        "record_batch_eps": round(result.events / (done - parsed)),
                        "with_parsing_eps": round(result.events / (done - started))})
    return figures


def over_http(port: int, token: str, reg: Registry, count: int, runs: int,
              rnd: random.Random) -> list[dict[str, float]]:
    """Events/s of POST /api/v1/events/bulk (JSON in and out), per run."""
    figures = []
    for _ in range(runs):
        body = json.dumps({"operations": operations(reg, count, rnd)})
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        started = time.perf_counter()
        connection.request("POST", "/api/v1/events/bulk", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = connection.getresponse()
        payload = json.loads(response.read())
        elapsed = time.perf_counter() - started
        connection.close()
        if response.status != 201:
            raise RuntimeError(f"bulk request refused: {response.status} {payload}")
        figures.append({"events": payload["events"],
                        "http_eps": round(payload["events"] / elapsed)})
    return figures


def single(sessions: sessionmaker[Session], reg: Registry, count: int,
           rnd: random.Random) -> dict[str, float]:
    """Events/s of the single services, one transaction (and commit) per event."""
    ops = BatchIn.model_validate({"operations": operations(reg, count, rnd)}).operations
    refs: dict[str, Any] = {}
    started = time.perf_counter()
    for op in ops:
        with sessions() as session:
            database.begin_write(session)
            if op.type == "harvest":
                data = lots.LotIn(**op.model_dump(exclude={"type", "ref"}))
                refs[op.ref] = lots.harvest(session, ACTOR, data).lot_code
            elif op.type == "ship":
                data = op.model_dump(exclude={"type", "ref", "lot_ref", "lot_code"})
                refs[op.ref] = shipments.ship(session, ACTOR, shipments.ShipmentIn(
                    **data, lot_code=refs[op.lot_ref])).id
            elif op.type == "receive":
                shipments.receive(session, ACTOR, refs[op.shipment_ref], shipments.ReceiptIn(
                    **op.model_dump(exclude={"type", "shipment_id", "shipment_ref"})))
            else:
                _, made = transformations.transform(
                    session, ACTOR, transformations.TransformationIn(
                        partner_id=op.partner_id, kind=op.kind, occurred_at=op.occurred_at,
                        inputs=[{"lot_code": refs[i.lot_ref], "quantity": i.quantity,
                                 "unit": i.unit} for i in op.inputs],
                        outputs=[o.model_dump(exclude={"ref"}) for o in op.outputs]))
                refs[op.outputs[0].ref] = made[0].lot_code
            session.commit()
    elapsed = time.perf_counter() - started
    return {"events": len(ops), "single_eps": round(len(ops) / elapsed)}
