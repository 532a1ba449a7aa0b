"""EPCIS capture throughput (issue 7, DESIGN.md 8: >= 5,000 events/s): one 10,000-event document,
and many small documents (500 x 20 events), each captured with `chains.epcis_capture.capture`
(validation, canonical hashes, identifier resolution, the bulk engine, the captured events and
their identifier index) and committed. Prints medians of several runs; asserts nothing.

    python bench/epcis_capture.py [--runs 3] [--database-url URL]

Without --database-url (or DATABASE_URL) a fresh SQLite file is migrated in a temporary folder.
The events come in blocks of 10 shaped like a harvest-to-collector chain: 3 harvests
(ObjectEvent ADD commissioning at a growing-area URI, LGTIN in kg), 3 shipments to a collector
(source/destination PGLNs), 3 receipts, and the collector's TransformationEvent merging them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chains import epcis, epcis_capture  # noqa: E402
from registry import database, growing_areas, partners, products  # noqa: E402
from registry.actors import SYSTEM, Actor  # noqa: E402
from registry.gs1 import check_digit  # noqa: E402
from registry.models import Role  # noqa: E402

BASE = "https://qr.test"
ACTOR = Actor(username="bench", role=Role.ADMIN)
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
FARMS, COLLECTORS = 20, 5


def gln(n: int) -> str:
    """A valid GLN."""
    body = f"893000020{n:03d}"
    return body + check_digit(body)


def build_registry(url: str) -> dict[str, Any]:
    """Farms with growing areas, collectors, and a product with a GTIN."""
    engine = database.make_engine(url)
    with database.make_sessions(engine)() as session:
        ids: dict[str, Any] = {"farms": [], "collectors": []}
        for n in range(FARMS + COLLECTORS):
            farm = n < FARMS
            partner = partners.register_partner(session, SYSTEM, partners.PartnerIn(
                kind="cooperative" if farm else "collector", name=f"Bench {n}", gln=gln(n),
                place={"adm_scheme": "vn2025", "province_code": "80"}))
            session.flush()
            if farm:
                area = growing_areas.register_growing_area(
                    session, SYSTEM, growing_areas.GrowingAreaIn(
                        code=f"VN-80-803-27811-{n:02d}-22", holder_id=partner.id,
                        crop="Chanh", area_ha=5.0, issued_on="2022-09-01"))
                ids["farms"].append((partner.gln, area.code))
            else:
                ids["collectors"].append(partner.gln)
        body = "893000099999"
        product = products.register_product(session, SYSTEM, products.ProductIn(
            name_vi="Chanh không hạt", category="fruit", owner_id=1,
            gtin="0" + body + check_digit("0" + body)))
        ids["gtin"] = product.gtin
        session.commit()
    engine.dispose()
    return ids


def block(ids: dict[str, Any], tag: str, at: datetime) -> list[dict[str, Any]]:
    """10 events: 3 harvests, 3 shipments and receipts to a collector, its merge."""
    def time_(hours: int) -> str:
        return (at + timedelta(hours=hours)).isoformat()

    n = sum(map(ord, tag))
    collector = ids["collectors"][n % COLLECTORS]
    lots = []
    events: list[dict[str, Any]] = []
    for k in range(3):
        farm_gln, area = ids["farms"][(n + k) % FARMS]
        lot = f"https://id.gs1.org/01/{ids['gtin']}/10/{tag}-{k}"
        lots.append((farm_gln, lot))
        events.append({"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning",
                       "eventTime": time_(0), "eventTimeZoneOffset": "+07:00",
                       "quantityList": [{"epcClass": lot, "quantity": 500, "uom": "KGM"}],
                       "readPoint": {"id": epcis.growing_area_uri(BASE, area)}})
    for farm_gln, lot in lots:
        events.append({"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
                       "eventTime": time_(1), "eventTimeZoneOffset": "+07:00",
                       "quantityList": [{"epcClass": lot, "quantity": 500, "uom": "KGM"}],
                       "sourceList": [{"type": "owning_party",
                                       "source": epcis.party_uri(farm_gln)}],
                       "destinationList": [{"type": "owning_party",
                                            "destination": epcis.party_uri(collector)}]})
    for _, lot in lots:
        events.append({"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving",
                       "eventTime": time_(5), "eventTimeZoneOffset": "+07:00",
                       "quantityList": [{"epcClass": lot, "quantity": 500, "uom": "KGM"}],
                       "bizLocation": {"id": epcis.gln_uri(collector)}})
    events.append({"type": "TransformationEvent", "eventTime": time_(8),
                   "eventTimeZoneOffset": "+07:00",
                   "inputQuantityList": [{"epcClass": lot, "quantity": 500, "uom": "KGM"}
                                         for _, lot in lots],
                   "outputQuantityList": [{"epcClass": f"https://id.gs1.org/01/{ids['gtin']}"
                                                       f"/10/{tag}-M", "quantity": 1500,
                                           "uom": "KGM"}],
                   "bizLocation": {"id": epcis.gln_uri(collector)}})
    return events


def documents(ids: dict[str, Any], run: str, count: int, size: int) -> list[dict[str, Any]]:
    """`count` documents of `size` events (a multiple of 10)."""
    at = datetime.now(UTC) - timedelta(days=2)
    docs = []
    for d in range(count):
        events = [e for b in range(size // 10) for e in block(ids, f"{run}{d}.{b}", at)]
        docs.append({"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
                     "creationDate": "2026-11-28T00:00:00Z",
                     "epcisBody": {"eventList": events}})
    return docs


def measure(url: str, ids: dict[str, Any], run: str, count: int, size: int) -> float:
    """Events/s of capturing `count` documents of `size` events, each committed."""
    docs = documents(ids, run, count, size)
    engine = database.make_engine(url)
    sessions = database.make_sessions(engine)
    started = time.perf_counter()
    for doc in docs:
        with sessions() as session:
            result = epcis_capture.capture(session, ACTOR, doc, BASE)
            session.commit()
            if result.status != "success" or result.operations != size:
                raise RuntimeError(f"capture recorded {result.operations} of {size}")
    elapsed = time.perf_counter() - started
    engine.dispose()
    return count * size / elapsed


def main() -> None:
    """Run the benchmark and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        database.upgrade(url)
        if args.database_url:
            database.truncate_all(url)
        ids = build_registry(url)
        print(f"database: {url.split('@')[-1]}")
        for label, count, size in (("1 x 10,000 events", 1, 10_000),
                                   ("500 x 20 events", 500, 20)):
            figures = [measure(url, ids, f"r{run}{size}-", count, size)
                       for run in range(args.runs)]
            print(f"{label}: median {statistics.median(figures):,.0f} events/s "
                  f"(runs: {', '.join(f'{f:,.0f}' for f in figures)})")


if __name__ == "__main__":
    main()
