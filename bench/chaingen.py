"""Generate a registry shaped like real agrifood chains, straight into the real tables with Core
bulk inserts (no services, no audit entries): fast enough for a million lots in minutes.

Farms (each with a growing area) harvest lots and ship them to their collector, who receives
them and merges 2-8 of them into one collected lot (mixing); packers take 1-3 collected lots
and pack them into 1-4 box lots; distributors receive boxes and repack each into 1-3 retail
lots, shipped to 1-2 retailers. About one `lot_edge` per lot; holdings, shipments,
transformations, their inputs, the event log and the origin summaries are what the services
would have written (10% of the last shipments are still in transit).
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from rowwriter import Writer
from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.engine import make_url

from chains.bulk_load import new_lot_codes
from registry import lots, places
from registry.models import (
    Certification,
    Event,
    EventKind,
    GrowingArea,
    Holding,
    Lot,
    LotEdge,
    LotStatus,
    OriginType,
    Partner,
    PartnerKind,
    Product,
    Shipment,
    ShipmentStatus,
    Transformation,
    TransformationInput,
)
from registry.text import code_key

FLUSH_ROWS = 60_000
START = date(2025, 1, 1)
RAW = ["Chanh không hạt", "Thanh long ruột đỏ", "Bưởi da xanh", "Xoài cát Hòa Lộc",
       "Sầu riêng Ri6", "Khóm Cầu Đúc", "Nhãn Ido", "Mít Thái", "Dưa hấu", "Rau muống"]


@dataclass
class Sizes:
    """How many partners a registry of `lots` lots has."""

    lots: int
    farms: int = 0
    collectors: int = 0
    packers: int = 0
    distributors: int = 0
    retailers: int = 0

    def __post_init__(self) -> None:
        self.farms = max(60, self.lots // 50)
        self.collectors = max(6, self.farms // 40)
        self.packers = max(3, self.collectors // 5)
        self.distributors = max(2, self.packers // 2)
        self.retailers = max(10, self.lots // 500)


@dataclass
class Generated:
    """Ids the benchmarks sample from."""

    retail_lots: list[str] = field(default_factory=list)
    farm_lots: list[str] = field(default_factory=list)
    farms: list[int] = field(default_factory=list)
    areas: dict[int, str] = field(default_factory=dict)  # farm id -> growing-area code
    collectors: list[int] = field(default_factory=list)
    packers: list[int] = field(default_factory=list)
    raw_products: list[int] = field(default_factory=list)
    box_products: list[int] = field(default_factory=list)
    bag_products: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def fast_sqlite(engine: Engine) -> None:
    """Loading pragmas for a generator's own SQLite engine (not the server's)."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode = WAL", "synchronous = OFF", "foreign_keys = OFF",
                       "cache_size = -400000", "temp_store = MEMORY"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


def _moment(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class Chains:
    """The generator's state: partners, products, ids, and the rows it writes."""

    def __init__(self, engine: Engine, sizes: Sizes, seed: int = 2026) -> None:
        self.engine, self.sizes = engine, sizes
        self.rnd = random.Random(seed)
        self.writer = Writer(engine)
        self.out = Generated()
        self.codes = iter(new_lot_codes(int(sizes.lots * 1.3) + 1000))
        self.next_id = {"lot": 1, "shipment": 1, "transformation": 1, "event": 1}
        self.farm_summary: dict[int, dict[str, Any]] = {}

    def _id(self, kind: str) -> int:
        value = self.next_id[kind]
        self.next_id[kind] = value + 1
        return value

    # -- registry ----------------------------------------------------------------------

    def registry(self) -> None:
        """Partners, growing areas, products and certifications."""
        s, now = self.sizes, self.writer.now
        place = {code: places.resolve(places.PlaceIn(adm_scheme="vn2025", province_code=code),
                                      on=None) for code in ("80", "82", "86", "92", "79")}
        partners: list[dict[str, Any]] = []

        def add(kind: PartnerKind, count: int, provinces: list[str]) -> list[int]:
            first = len(partners) + 1
            for i in range(count):
                name = f"{kind.value.replace('_', ' ').title()} {i + 1}"
                partners.append({"id": first + i, "kind": kind, "name": name,
                                 "search_text": name.lower(), "verified": True,
                                 "created_at": now, **place[provinces[i % len(provinces)]]})
            return list(range(first, first + count))

        self.out.farms = add(PartnerKind.COOPERATIVE, s.farms, ["80", "82", "86"])
        self.out.collectors = add(PartnerKind.COLLECTOR, s.collectors, ["80", "82", "86"])
        self.out.packers = add(PartnerKind.PACKING_HOUSE, s.packers, ["80", "92"])
        self.distributors = add(PartnerKind.DISTRIBUTOR, s.distributors, ["92", "79"])
        self.retailers = add(PartnerKind.RETAILER, s.retailers, ["92", "79"])
        self.partner_rows = {p["id"]: SimpleNamespace(**p) for p in partners}
        areas, certs = [], []
        for i, farm in enumerate(self.out.farms):
            code = f"VN-80-803-{27000 + i // 90:05d}-{i % 90 + 1:02d}-22"
            areas.append({"id": i + 1, "code": code, "code_key": code_key(code),
                          "kind": "domestic", "markets": [], "holder_id": farm,
                          "crop": RAW[i % len(RAW)], "area_ha": 2.0 + i % 7,
                          "issued_on": date(2022, 9, 1), "valid_until": None,
                          "status": "active", "search_text": code.lower(), "created_at": now,
                          "geometry": None, **place["80"]})
            self.out.areas[farm] = code
            if i % 5 < 2:
                certs.append(self._cert("vietgap", f"VG-{i}", "partner", farm))
            if i % 5 == 0:
                certs.append(self._cert("globalgap", f"GG-{i}", "growing_area", i + 1,
                                        ref=code))
        for i, packer in enumerate(self.out.packers):
            certs.append(self._cert("haccp", f"HACCP-{i}", "partner", packer))
        for i, dist in enumerate(self.distributors):
            certs.append(self._cert("iso22000", f"ISO-{i}", "partner", dist))
        products = []
        for group, owner in (("raw", self.out.farms[0]), ("box", self.out.packers[0]),
                             ("bag", self.distributors[0])):
            for name in RAW:
                pid = len(products) + 1
                products.append({"id": pid, "name_vi": f"{name} ({group})",
                                 "category": "fruit" if group == "raw"
                                 else "processed_prepackaged", "owner_id": owner,
                                 "search_text": name.lower(), "verified": True,
                                 "created_at": now})
                getattr(self.out, f"{group}_products").append(pid)
        with self.engine.begin() as connection:
            connection.execute(insert(Partner.__table__), partners)
            connection.execute(insert(GrowingArea.__table__), areas)
            connection.execute(insert(Product.__table__), products)
            connection.execute(insert(Certification.__table__), certs)
        self.area_rows = {a["holder_id"]: SimpleNamespace(**a) for a in areas}
        n = len(self.out.collectors)
        self.pools = {c: self.out.farms[i::n] or self.out.farms
                      for i, c in enumerate(self.out.collectors)}
        vg = {c["partner_id"] for c in certs if c["scheme_key"] == "vietgap"}
        for farm in self.out.farms:
            producer, area = self.partner_rows[farm], self.area_rows[farm]
            cert_list = ([{"scheme": "vietgap", "scheme_name": "VietGAP",
                           "number": f"VG-{farm - 1}", "holder": producer.name,
                           "valid_until": "2027-12-31"}] if farm in vg else [])
            self.farm_summary[farm] = lots.summary_of_harvest(
                OriginType.GROWING_AREA, area, producer, START, cert_list)

    def _cert(self, scheme: str, number: str, holder_type: str, holder_id: int,
              ref: str | None = None) -> dict[str, Any]:
        column = "partner_id" if holder_type == "partner" else "growing_area_id"
        return {"scheme_key": scheme, "number": number, "number_key": code_key(number),
                "issuer": "Trung tâm chứng nhận", "holder_type": holder_type,
                "holder_ref": ref or str(holder_id), "partner_id": None, "growing_area_id": None,
                column: holder_id, "issued_on": date(2024, 1, 1),
                "valid_until": date(2027, 12, 31), "province_code_current": "80",
                "status": "active", "search_text": number.lower(), "created_at": self.writer.now}

    # -- lots and movements ------------------------------------------------------------

    def _lot(self, product: int, producer: int, quantity: int, base: str, unit: str, day: date,
             origin: OriginType, summary: dict[str, Any], transformation: int | None = None,
             area: int | None = None) -> tuple[int, str]:
        lot_id, code = self._id("lot"), next(self.codes)
        self.writer.add(Lot, {
            "id": lot_id, "lot_code": code, "batch": code, "product_id": product,
            "producer_id": producer, "quantity": quantity, "base_unit": base, "unit": unit,
            "produced_on": day, "origin_type": origin, "growing_area_id": area,
            "aquaculture_registration_id": None, "transformation_id": transformation,
            "status": LotStatus.ACTIVE, "origin_summary": summary, "history_incomplete": False,
            "created_at": self.writer.now})
        return lot_id, code

    def _event(self, kind: EventKind, at: datetime, partner: int, **extra: Any) -> None:
        self.writer.add(Event, {"id": self._id("event"), "kind": kind, "occurred_at": at,
                                "recorded_at": self.writer.now, "partner_id": partner,
                                "lot_id": extra.get("lot_id"), "quantity": extra.get("quantity"),
                                "shipment_id": extra.get("shipment_id"),
                                "transformation_id": extra.get("transformation_id"),
                                "recorded_by": "bench", "data": extra.get("data", {})})

    def _move(self, lot_id: int, src: int, dst: int, quantity: int, unit: str, day: date,
              held: dict[tuple[int, int], int], received: bool = True) -> None:
        """Ship (and receive) `quantity`; the sender's holding goes down, the recipient's up."""
        sid = self._id("shipment")
        shipped, arrived = _moment(day, 1), _moment(day, 7)
        self.writer.add(Shipment, {
            "id": sid, "lot_id": lot_id, "from_partner_id": src, "to_partner_id": dst,
            "quantity": quantity, "unit": unit, "shipped_at": shipped, "reference": None,
            "status": ShipmentStatus.RECEIVED if received else ShipmentStatus.IN_TRANSIT,
            "received_at": arrived if received else None,
            "received_quantity": quantity if received else None, "created_at": self.writer.now})
        held[(lot_id, src)] -= quantity
        self._event(EventKind.SHIP, shipped, src, lot_id=lot_id, quantity=quantity,
                    shipment_id=sid, data={"to_partner_id": dst, "reference": None})
        if received:
            held[(lot_id, dst)] = held.get((lot_id, dst), 0) + quantity
            self._event(EventKind.RECEIVE, arrived, dst, lot_id=lot_id, quantity=quantity,
                        shipment_id=sid, data={"from_partner_id": src, "shortfall": 0})

    def _transform(self, maker: int, kind: str, day: date,
                   inputs: list[tuple[int, str, int, dict[str, Any]]],
                   outputs: list[tuple[int, int, str, str]],
                   held: dict[tuple[int, int], int]) -> list[tuple[int, str, int]]:
        """Consume every input in full; the outputs (product, quantity, base, unit)."""
        tid = self._id("transformation")
        at = _moment(day, 3)
        self.writer.add(Transformation, {"id": tid, "partner_id": maker, "kind": kind,
                                         "occurred_at": at, "created_at": self.writer.now})
        summary = lots.merge_summaries([s for _, _, _, s in inputs], self.partner_rows[maker],
                                       day, [])
        made = []
        for product, quantity, base, unit in outputs:
            lot_id, code = self._lot(product, maker, quantity, base, unit, day,
                                     OriginType.TRANSFORMATION, summary, transformation=tid)
            made.append((lot_id, code, quantity))
            held[(lot_id, maker)] = quantity
            for parent, _, _, _ in inputs:
                self.writer.add(LotEdge, {"parent_id": parent, "child_id": lot_id,
                                          "transformation_id": tid})
        for parent, _, quantity, _ in inputs:
            self.writer.add(TransformationInput, {"transformation_id": tid, "lot_id": parent,
                                                  "quantity": quantity})
            held[(parent, maker)] -= quantity
        self._event(EventKind.TRANSFORM, at, maker, transformation_id=tid,
                    data={"kind": kind, "inputs": [{"lot_code": c, "quantity": q}
                                                   for _, c, q, _ in inputs],
                          "outputs": [{"lot_code": c, "quantity": q} for _, c, q in made]})
        return made

    def _holdings(self, held: dict[tuple[int, int], int]) -> None:
        for (lot_id, partner), quantity in held.items():
            self.writer.add(Holding, {"lot_id": lot_id, "partner_id": partner,
                                      "quantity": quantity})

    def flow(self) -> None:
        """One packing: collectors' merges of farm lots -> boxes -> retail lots -> retailers."""
        rnd, out = self.rnd, self.out
        day = START + timedelta(days=rnd.randrange(0, 640))
        packer = rnd.choice(out.packers)
        fruit = rnd.randrange(len(RAW))
        collected = []
        held: dict[tuple[int, int], int] = {}  # (lot, partner) -> quantity, for this flow
        for _ in range(rnd.randint(1, 3)):
            collector = rnd.choice(out.collectors)
            harvests = []
            for _ in range(rnd.randint(2, 8)):
                farm = rnd.choice(self.pools[collector])
                grams = rnd.randint(200, 2000) * 1000
                summary = {**self.farm_summary[farm], "produced_on": day.isoformat()}
                lot_id, code = self._lot(out.raw_products[fruit], farm, grams, "g", "kg", day,
                                         OriginType.GROWING_AREA, summary,
                                         area=self.area_rows[farm].id)
                out.farm_lots.append(code)
                held[(lot_id, farm)] = grams
                self._event(EventKind.HARVEST, _moment(day, 0), farm, lot_id=lot_id,
                            quantity=grams, data={"origin_type": "growing_area",
                                                  "origin": out.areas[farm]})
                self._move(lot_id, farm, collector, grams, "kg", day, held)
                harvests.append((lot_id, code, grams, summary))
            total = sum(g for _, _, g, _ in harvests)
            (lot_id, code, grams), = self._transform(
                collector, "mixing", day + timedelta(days=1), harvests,
                [(out.raw_products[fruit], total, "g", "kg")], held)
            self._move(lot_id, collector, packer, grams, "kg", day + timedelta(days=1), held)
            collected.append((lot_id, code, grams, self._summary_of(harvests, collector, day)))
        boxes_total = max(1, sum(g for _, _, g, _ in collected) // 5000)
        parts = self._split(boxes_total, rnd.randint(1, 4))
        boxes = self._transform(packer, "packing", day + timedelta(days=2), collected,
                                [(out.box_products[fruit], n, "box", "box") for n in parts],
                                held)
        box_summary = self._summary_of(collected, packer, day)
        for box_id, box_code, count in boxes:
            dist = rnd.choice(self.distributors)
            self._move(box_id, packer, dist, count, "box", day + timedelta(days=3), held)
            bags = self._transform(dist, "repacking", day + timedelta(days=4),
                                   [(box_id, box_code, count, box_summary)],
                                   [(out.bag_products[fruit], n * 4, "bag", "bag")
                                    for n in self._split(count, rnd.randint(1, 3))], held)
            for bag_id, bag_code, bag_count in bags:
                out.retail_lots.append(bag_code)
                for share in self._split(bag_count, rnd.randint(1, 2)):
                    self._move(bag_id, dist, rnd.choice(self.retailers), share, "bag",
                               day + timedelta(days=5), held, received=rnd.random() > 0.1)
        self._holdings(held)

    def _summary_of(self, inputs: list[Any], maker: int, day: date) -> dict[str, Any]:
        return lots.merge_summaries([s for *_, s in inputs], self.partner_rows[maker], day, [])

    def _split(self, total: int, parts: int) -> list[int]:
        parts = max(1, min(parts, total))
        cuts = sorted(self.rnd.sample(range(1, total), parts - 1)) if parts > 1 else []
        return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def generate(engine: Engine, lots_wanted: int, progress: bool = True) -> Generated:
    """Fill an empty, migrated database with about `lots_wanted` lots."""
    started = time.perf_counter()
    chains = Chains(engine, Sizes(lots_wanted))
    chains.registry()
    reported = 0
    while chains.next_id["lot"] <= lots_wanted:
        chains.flow()
        if chains.writer.pending() >= FLUSH_ROWS:
            chains.writer.flush()
            made = chains.next_id["lot"] - 1
            if progress and made - reported >= 100_000:
                reported = made
                print(f"  {made:,} lots in {time.perf_counter() - started:.0f} s",
                      file=sys.stderr, flush=True)
    chains.writer.flush()
    if progress:
        print(f"  {chains.next_id['lot'] - 1:,} lots written in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
            for table in ("partner", "growing_area", "product", "lot", "shipment",
                          "transformation", "event"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"))
    chains.out.counts = dict(chains.writer.counts,
                             seconds=round(time.perf_counter() - started, 1))
    return chains.out


def is_empty(engine: Engine) -> bool:
    """Whether the migrated database has no lots yet."""
    with engine.connect() as connection:
        return connection.execute(select(Lot.id).limit(1)).first() is None


def describe_url(url: str) -> str:
    """The URL without its password."""
    return make_url(url).render_as_string(hide_password=True)
