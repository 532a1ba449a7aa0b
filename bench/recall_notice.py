"""Opening a case, ordering a recall and printing its notice when the forward closure is 10,000
lots (DESIGN.md section 8: case or recall < 1 s).

Builds a registry of `--lots` lots (default 100,000; pass 1000000 for the issue's size) with
Core bulk inserts: one harvest lot whose packing and processing reach 10,000 lots, 2,000 of them
shipped to 200 retailers, the rest unrelated lots. Then prints the median wall and CPU time of
`cases.open_case`, `recalls.order_recall` (rolled back after each run) and the notice PDF.

    python bench/recall_notice.py [--lots 100000] [--runs 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from registry import cases, database, partners, products, recall_notice, recalls
from registry.actors import SYSTEM
from registry.models import Holding, Lot, LotEdge, Shipment

FANOUT = 100
"""Children of the harvest lot, and of each of those (1 + 100 + 9,900 = 10,001 lots)."""
RETAILERS = 200
SHIPPED = 2000
CHUNK = 20_000


def median_seconds(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `runs` calls."""
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def _partner(session: Session, kind: str, name: str, province: str) -> int:
    return partners.register_partner(session, SYSTEM, partners.PartnerIn.model_validate(
        {"kind": kind, "name": name, "place": {"adm_scheme": "vn2025",
                                               "province_code": province}})).id


def build(session: Session, total: int) -> str:
    """The registry; the harvest lot's code."""
    farm = _partner(session, "cooperative", "HTX bench", "80")
    plant = _partner(session, "processor", "Nhà máy bench", "80")
    shops = [_partner(session, "retailer", f"Siêu thị bench {i}", "92") for i in range(RETAILERS)]
    product = products.register_product(session, SYSTEM, products.ProductIn.model_validate(
        {"name_vi": "Chanh bench", "category": "fruit", "owner_id": farm})).id
    now, day = datetime.now(UTC), date(2026, 1, 5)
    session.flush()

    def lot(i: int, producer: int, origin: str) -> dict[str, object]:
        return {"id": i, "lot_code": f"B{i:09d}", "batch": f"B{i}", "product_id": product,
                "producer_id": producer, "quantity": 1000, "base_unit": "g", "unit": "kg",
                "produced_on": day, "origin_type": origin, "status": "active",
                "origin_summary": {}, "history_incomplete": False, "created_at": now}

    closure = 1 + FANOUT + FANOUT * (FANOUT - 1)
    rows = [lot(1, farm, "partner")] + [lot(i, plant, "transformation")
                                        for i in range(2, closure + 1)]
    edges = [{"parent_id": 1, "child_id": i} for i in range(2, FANOUT + 2)]
    child = FANOUT + 2
    for parent in range(2, FANOUT + 2):
        for _ in range(FANOUT - 1):
            edges.append({"parent_id": parent, "child_id": child})
            child += 1
    session.execute(insert(Lot), rows)
    for start in range(closure + 1, total + 1, CHUNK):
        session.execute(insert(Lot), [lot(i, farm, "partner")
                                      for i in range(start, min(total, start + CHUNK - 1) + 1)])
    session.execute(insert(LotEdge), edges)
    leaves = list(range(closure - SHIPPED + 1, closure + 1))
    session.execute(insert(Shipment), [
        {"lot_id": leaf, "from_partner_id": plant, "to_partner_id": shops[n % RETAILERS],
         "quantity": 600, "unit": "kg", "shipped_at": now, "status": "received",
         "received_at": now, "received_quantity": 600, "created_at": now}
        for n, leaf in enumerate(leaves)])
    session.execute(insert(Holding), [
        {"lot_id": leaf, "partner_id": shops[n % RETAILERS], "quantity": 600}
        for n, leaf in enumerate(leaves)] + [
        {"lot_id": leaf, "partner_id": plant, "quantity": 400} for leaf in leaves])
    session.commit()
    return "B000000001"


def main() -> None:
    """Build, then time the three operations."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="nguongoc-bench-")
    url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    database.upgrade(url)
    engine = database.make_engine(url)
    with Session(engine) as session:
        started = time.perf_counter()
        code = build(session, args.lots)
        print(f"registry: {args.lots:,} lots, forward closure 10,001 lots, {SHIPPED:,} "
              f"shipments to {RETAILERS} retailers (built in {time.perf_counter() - started:.1f} s"
              f", {engine.dialect.name})")
        agency = SYSTEM

        def open_case() -> None:
            cases.open_case(session, agency, cases.CaseIn(lot_codes=[code], title="bench"))
            session.rollback()

        def order() -> None:
            recalls.order_recall(session, agency, recalls.RecallIn(lot_codes=[code],
                                                                   reason="bench recall"))
            session.rollback()

        for name, work in (("open a case (trace snapshot)", open_case),
                           ("order a recall (10,001 lots)", order)):
            wall, cpu = median_seconds(work, args.runs)
            print(f"{name:<34} median {wall:6.3f} s wall, {cpu:6.3f} s CPU (target < 1 s)")
        recall = recalls.order_recall(session, agency, recalls.RecallIn(lot_codes=[code],
                                                                        reason="bench recall"))
        session.commit()
        recall_id = recall.id
        pages: list[int] = []

        def notice() -> None:
            data = recall_notice.render(session, recalls.get(session, recall_id))
            pages.append(data.count(b"/Type /Page\n") or data.count(b"/Type /Page"))

        wall, cpu = median_seconds(notice, args.runs)
        recipients = session.execute(select(Shipment.id).limit(1)).first() is not None
        print(f"{'recall notice PDF':<34} median {wall:6.3f} s wall, {cpu:6.3f} s CPU "
              f"({'with' if recipients else 'no'} recipients table)")
    engine.dispose()


if __name__ == "__main__":
    main()
