"""What a scanned code shows (DESIGN.md sections 6 and 7): the facts of the public scan page,
built from the lot's row and its events (`registry.scan_reads`), because this is the registry's
most requested URL.

A scan is one unique-index read of the lot with its product and producer (the lot's stored
origin summary carries origins, places and certifications at harvest) and one indexed read of
the lot's own events (the short timeline and the latest monitoring result; for a lot made by a
transformation, also that transformation and its inputs' harvests). Never a trace. The recall is
read only for a lot that is recalled or on hold; a serial only for a serialised code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import places, recalls
from registry.events import VN_TZ
from registry.models import CertificationScheme, LotStatus
from registry.scan_reads import EventRow, LotRow
from registry.units import display

SHOWN_ORIGINS = 5
STEPS = ("harvest", "packing", "shipping", "distribution", "retail")
RETAIL_KINDS = frozenset({"retailer", "wholesale_market"})
WARNING_STATUSES = frozenset({LotStatus.RECALLED, LotStatus.ON_HOLD})
_STEP_OF = {"harvest": "harvest", "transform": "packing", "ship": "shipping"}


def facts(lot: LotRow, events: list[EventRow], session: Callable[[], Session], *,
          today: date | None = None) -> dict[str, Any]:
    """The scan page's facts about a lot (dates as `date`/`datetime`; see `to_json`).
    `session()` gives the ORM session, read only for a lot recalled or on hold."""
    day = today or datetime.now(VN_TZ).date()
    summary: dict[str, Any] = lot.origin_summary
    timeline, monitoring = _timeline(events)
    origins = summary.get("origins") or []
    quantity, unit = display(lot.quantity, lot.base_unit, lot.unit)
    return {
        "lot_code": lot.lot_code, "batch": lot.batch, "status": lot.status.value,
        "product": {"name_vi": lot.name_vi, "name_en": lot.name_en, "gtin": lot.gtin,
                    "category": lot.category, "photo_url": lot.photo_url},
        "ocop": _ocop(lot, day),
        "producer": {"name": lot.producer_name, "kind": lot.producer_kind,
                     "province": _province_name(lot.producer_province)},
        "produced_on": lot.produced_on,
        "quantity": {"value": quantity, "unit": unit},
        "origins": [_origin(o) for o in origins[:SHOWN_ORIGINS]],
        "origins_total": max(int(summary.get("origins_total") or 0), len(origins)),
        "certifications": [{"scheme": c.get("scheme"), "scheme_name": c.get("scheme_name"),
                            "number": c.get("number"), "holder": c.get("holder"),
                            "valid_until": c.get("valid_until")}
                           for c in summary.get("certifications") or []],
        "timeline": timeline,
        "monitoring": monitoring,
        "warning": _warning(session(), lot) if lot.status in WARNING_STATUSES else None,
        "history_incomplete": bool(lot.history_incomplete),
    }


def _timeline(rows: Iterable[EventRow]) -> tuple[list[dict[str, Any]],
                                                  dict[str, Any] | None]:
    """Events grouped into the steps to the shelf (first and last date, places), and the
    latest monitoring sample."""
    steps: dict[str, dict[str, Any]] = {}
    monitoring = None
    for kind, at, name, partner_kind, data in rows:
        if kind == "sample":
            data = data or {}
            monitoring = {"taken_at": at, "verdict": data.get("verdict"), "lab": data.get("lab")}
            continue
        if kind == "receive":
            step = "retail" if partner_kind in RETAIL_KINDS else "distribution"
        else:
            step = _STEP_OF.get(kind, "")
            if not step:
                continue
        entry = steps.get(step)
        if entry is None:
            steps[step] = {"step": step, "first": at, "last": at, "where": name,
                           "names": {name}}
        else:
            entry["last"] = at
            entry["names"].add(name)
    timeline = []
    for step in STEPS:
        if step in steps:
            entry = steps[step]
            names = entry.pop("names")
            entry["places"] = len(names)
            timeline.append(entry)
    return timeline, monitoring


def _ocop(lot: LotRow, day: date) -> dict[str, Any] | None:
    """OCOP stars, shown only while the certificate is valid (VIETNAM.md section 5)."""
    if not lot.ocop_stars:
        return None
    if (lot.ocop_issued_on is not None and lot.ocop_issued_on > day) or (
            lot.ocop_valid_until is not None and lot.ocop_valid_until < day):
        return None
    return {"stars": lot.ocop_stars, "certificate_no": lot.ocop_certificate_no,
            "valid_until": lot.ocop_valid_until}


def _origin(entry: dict[str, Any]) -> dict[str, Any]:
    """An origin of the summary as the page shows it, with a map link from its geometry."""
    return {"type": entry.get("type"), "code": entry.get("code"), "holder": entry.get("holder"),
            "province_name": entry.get("province_name"),
            "province_name_current": entry.get("province_name_current"),
            "renamed": bool(entry.get("renamed")), "commune_code": entry.get("commune_code"),
            "address": entry.get("address"), "crop": entry.get("crop"),
            "species": entry.get("species"), "map_url": map_url(entry.get("geometry"))}


def map_url(geometry: dict[str, Any] | None) -> str | None:
    """An OpenStreetMap link to a GeoJSON point, or to the middle of a polygon's outer ring."""
    if not isinstance(geometry, dict):
        return None
    try:
        if geometry.get("type") == "Point":
            lon, lat = geometry["coordinates"][:2]
        elif geometry.get("type") == "Polygon":
            ring = geometry["coordinates"][0][:-1] or geometry["coordinates"][0]
            lon = sum(p[0] for p in ring) / len(ring)
            lat = sum(p[1] for p in ring) / len(ring)
        else:
            return None
        lat, lon = float(lat), float(lon)
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
        return None
    return (f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}"
            f"#map=15/{lat:.5f}/{lon:.5f}")


def _province_name(code: str) -> str:
    found = places.province(places.AdmScheme.VN2025, code)
    return found.name if found else code


def _warning(session: Session, lot: LotRow) -> dict[str, Any]:
    """What a recalled or held lot's banner says: the recall's reason and instructions."""
    recall = recalls.latest_for_lot(session, lot.id)
    if recall is None:
        return {"status": lot.status.value, "reason": None, "instructions": None,
                "ordered_at": None, "kind": None}
    return {"status": lot.status.value, "reason": recall.reason,
            "instructions": recall.instructions, "ordered_at": recall.ordered_at,
            "kind": recall.kind}


def english_scheme_names(session: Session, found: dict[str, Any]) -> None:
    """Put the English names of the certification schemes into `found` (English pages only)."""
    keys = {c["scheme"] for c in found["certifications"] if c.get("scheme")}
    if not keys:
        return
    names = {key: name for key, name in session.execute(
        select(CertificationScheme.key, CertificationScheme.name_en)
        .where(CertificationScheme.key.in_(sorted(keys)))).all()}
    for cert in found["certifications"]:
        cert["scheme_name"] = names.get(cert["scheme"]) or cert["scheme_name"]


def to_json(value: Any) -> Any:
    """`json.dumps` default: dates and times as ISO 8601."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
