"""A large registry for the scan benchmark, built with SQLAlchemy Core bulk inserts.

Shaped like the demo's chains, at scale: farms with growing-area codes in the Mekong delta
provinces (recorded in the pre-2025 units, so pages say "nay là ..."), packers, distributors and
shops; 500 products (80 % with a GTIN, some OCOP); lots whose stored origin summaries look like
the ones `registry.lots` writes (origin with a polygon, three certifications). Of the lots 70 %
are harvests (harvest, ship, receive at a shop) and 30 % packed boxes made from a harvest lot
(transformation, lot edge, ship, two shop receipts); 3 % have a monitoring sample; 0.5 % are
recalled. Every lot's code and signed URL can be rebuilt from its number (`lot_code`, `batch`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from registry.gs1 import check_digit
from registry.lots import LOT_CODE_LENGTH
from registry.models import (
    Event,
    GrowingArea,
    Lot,
    LotEdge,
    Partner,
    Product,
    Recall,
    RecallLot,
    Sample,
    Transformation,
)

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FARMS, PACKERS, DISTRIBUTORS, SHOPS, PRODUCTS = 2000, 100, 40, 600, 500
CHUNK = 20_000
OLD_PROVINCES = [("80", "80", "Tỉnh Long An", "Tỉnh Tây Ninh"),
                 ("82", "82", "Tỉnh Tiền Giang", "Tỉnh Đồng Tháp"),
                 ("83", "86", "Tỉnh Bến Tre", "Tỉnh Vĩnh Long"),
                 ("92", "92", "Thành phố Cần Thơ", "Thành phố Cần Thơ")]
CROPS = ["Chanh không hạt", "Thanh long ruột đỏ", "Bưởi da xanh", "Xoài cát Hòa Lộc",
         "Sầu riêng Ri6", "Dừa xiêm xanh"]
START = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


def lot_code(n: int) -> str:
    """The code of lot number `n` (Crockford base32, 10 characters, unique)."""
    digits = []
    for _ in range(LOT_CODE_LENGTH):
        n, rest = divmod(n, 32)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits))


def batch(n: int) -> str:
    """The producer's batch number of lot `n`."""
    return f"B{n:08d}"


def gtin(n: int) -> str | None:
    """The GTIN-14 of product `n` (every fifth has none)."""
    if n % 5 == 0:
        return None
    body = f"0893{n:09d}"
    return body + check_digit(body)


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _place(n: int) -> dict[str, Any]:
    old, now, _, _ = OLD_PROVINCES[n % len(OLD_PROVINCES)]
    return {"adm_scheme": "vn2004", "province_code": old, "province_code_current": now,
            "commune_code": f"{27000 + n % 900:05d}", "address": f"Ấp {n % 9 + 1}"}


def _partners() -> Iterator[dict[str, Any]]:
    groups = [("cooperative", FARMS, "Hợp tác xã nông nghiệp"), ("packing_house", PACKERS,
              "Công ty đóng gói"), ("distributor", DISTRIBUTORS, "Nhà phân phối"),
              ("retailer", SHOPS, "Siêu thị")]
    n = 0
    for kind, count, name in groups:
        for _ in range(count):
            n += 1
            yield {"id": n, "kind": kind, "name": f"{name} số {n}", **_place(n)}


def _summary(farm: int, day: date, rng: random.Random) -> dict[str, Any]:
    old, now, old_name, now_name = OLD_PROVINCES[farm % len(OLD_PROVINCES)]
    lon, lat = 105.5 + rng.random(), 9.8 + rng.random()
    ring = [[lon, lat], [lon + .004, lat], [lon + .004, lat + .003], [lon, lat + .003],
            [lon, lat]]
    code = f"VN-{old}-803-{27000 + farm % 900:05d}-{farm % 100:02d}-22"
    return {"origins": [{
        "type": "growing_area", "code": code, "holder_id": farm,
        "holder": f"Hợp tác xã nông nghiệp số {farm}", "province_code": old,
        "province_name": old_name, "province_code_current": now,
        "province_name_current": now_name, "commune_code": f"{27000 + farm % 900:05d}",
        "renamed": old_name != now_name, "address": f"Ấp {farm % 9 + 1}",
        "crop": CROPS[farm % len(CROPS)], "geometry": {"type": "Polygon", "coordinates": [ring]}}],
        "origins_total": 1, "producer": {"id": farm, "name": f"Hợp tác xã nông nghiệp số {farm}"},
        "produced_on": day.isoformat(), "recalled": False, "status": "active",
        "certifications": [
            {"scheme": "vietgap", "scheme_name": "VietGAP (thực hành sản xuất nông nghiệp tốt)",
             "number": f"VietGAP-TT-{old}-{farm:05d}", "holder": code,
             "valid_until": "2028-06-30"},
            {"scheme": "globalgap", "scheme_name": "GlobalG.A.P.", "number": f"GGN{farm:013d}",
             "holder": f"Hợp tác xã nông nghiệp số {farm}", "valid_until": "2027-03-31"},
            {"scheme": "food_safety_commitment", "scheme_name": "Bản cam kết an toàn thực phẩm",
             "number": f"CK-{old}-{farm:05d}", "holder": f"Hợp tác xã nông nghiệp số {farm}",
             "valid_until": None}]}


def build(engine: Engine, lots: int, seed: int = 7) -> None:
    """Fill an empty, migrated database with `lots` lots and their events (one transaction)."""
    rng = random.Random(seed)
    packer0, dist0, shop0 = FARMS + 1, FARMS + PACKERS + 1, FARMS + PACKERS + DISTRIBUTORS + 1
    with engine.begin() as connection:
        for chunk in _chunks(_partners()):
            connection.execute(insert(Partner), chunk)
        connection.execute(insert(GrowingArea), [
            {"id": f, "code": _summary(f, date(2026, 1, 1), rng)["origins"][0]["code"],
             "code_key": f"K{f}", "kind": "domestic", "markets": [], "holder_id": f,
             "crop": CROPS[f % len(CROPS)], "area_ha": 5.0, "issued_on": date(2022, 9, 1),
             **_place(f)} for f in range(1, FARMS + 1)])
        connection.execute(insert(Product), [
            {"id": p, "name_vi": f"{CROPS[p % len(CROPS)]} loại {p}",
             "name_en": f"Fruit {p}", "category": "fruit", "gtin": gtin(p),
             "owner_id": 1 + p % FARMS, "ocop_stars": 4 if p % 7 == 0 else None,
             "ocop_certificate_no": f"OCOP-{p}" if p % 7 == 0 else None,
             "ocop_issued_on": date(2025, 1, 1) if p % 7 == 0 else None,
             "ocop_valid_until": date(2028, 1, 1) if p % 7 == 0 else None}
            for p in range(1, PRODUCTS + 1)])
        transformations = [n for n in range(1, lots + 1) if n % 10 >= 7]
        for chunk in _chunks({"id": n, "partner_id": packer0 + n % PACKERS, "kind": "packing",
                              "occurred_at": _at(n, 3)} for n in transformations):
            connection.execute(insert(Transformation), chunk)
        for chunk in _chunks(_lot_rows(lots, rng, packer0)):
            connection.execute(insert(Lot), chunk)
        for chunk in _chunks({"parent_id": n - 7, "child_id": n, "transformation_id": n}
                             for n in transformations if n > 7):
            connection.execute(insert(LotEdge), chunk)
        for chunk in _chunks(_events(lots, packer0, dist0, shop0)):
            connection.execute(insert(Event), chunk)
        for chunk in _chunks({"id": n, "lot_id": n, "partner_id": shop0 + n % SHOPS,
                              "province_code": "92", "taken_at": _at(n, 6),
                              "lab": "Trung tâm Kiểm nghiệm", "verdict": "pass",
                              "taken_by": "bench"} for n in range(33, lots + 1, 33)):
            connection.execute(insert(Sample), chunk)
        recalled = list(range(200, lots + 1, 200))
        if recalled:
            connection.execute(insert(Recall), [{
                "id": 1, "reason": "Dư lượng vượt giới hạn", "scope": "forward",
                "kind": "mandatory", "ordered_by": "bench", "lot_count": len(recalled),
                "instructions": "Không sử dụng, trả lại nơi mua."}])
            for chunk in _chunks({"recall_id": 1, "lot_id": n} for n in recalled):
                connection.execute(insert(RecallLot), chunk)


def _at(n: int, day: int) -> datetime:
    return START + timedelta(days=n % 150 + day, hours=n % 9)


def _lot_rows(lots: int, rng: random.Random, packer0: int) -> Iterator[dict[str, Any]]:
    for n in range(1, lots + 1):
        made = n % 10 >= 7
        farm = 1 + n % FARMS
        day = (START + timedelta(days=n % 150)).date()
        summary = _summary(farm, day, rng)
        yield {"id": n, "lot_code": lot_code(n), "batch": batch(n),
               "product_id": 1 + n % PRODUCTS, "producer_id": packer0 + n % PACKERS if made
               else farm, "quantity": 500_000 if not made else 400, "base_unit":
               "g" if not made else "box", "unit": "kg" if not made else "box",
               "produced_on": day + timedelta(days=3 if made else 0),
               "origin_type": "transformation" if made else "growing_area",
               "growing_area_id": None if made else farm,
               "transformation_id": n if made else None,
               "status": "recalled" if n % 200 == 0 else "active",
               "origin_summary": summary}


def _event(kind: str, at: datetime, partner: int, lot: int | None, *, quantity: int | None = None,
           transformation: int | None = None, data: dict[str, Any] | None = None
           ) -> dict[str, Any]:
    return {"kind": kind, "occurred_at": at, "recorded_at": at, "partner_id": partner,
            "lot_id": lot, "quantity": quantity, "transformation_id": transformation,
            "recorded_by": "bench", "data": data or {}}


def _events(lots: int, packer0: int, dist0: int, shop0: int) -> Iterator[dict[str, Any]]:
    for n in range(1, lots + 1):
        made = n % 10 >= 7
        maker = packer0 + n % PACKERS if made else 1 + n % FARMS
        if made:
            yield _event("transform", _at(n, 3), maker, None, transformation=n,
                         data={"kind": "packing"})
        else:
            yield _event("harvest", _at(n, 0), maker, n, quantity=500_000)
        yield _event("ship", _at(n, 4), maker, n, data={"to_partner_id": dist0 + n % DISTRIBUTORS})
        yield _event("receive", _at(n, 5), shop0 + n % SHOPS, n)
        if made:
            yield _event("receive", _at(n, 5), shop0 + (n + 1) % SHOPS, n)
        if n % 33 == 0:
            yield _event("sample", _at(n, 6), shop0 + n % SHOPS, n,
                         data={"sample_id": n, "verdict": "pass", "lab": "Trung tâm Kiểm nghiệm"})
