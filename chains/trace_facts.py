"""The facts a trace shows, read with prebuilt Core statements (one IN list each, bound per
trace): lots with their products, shipments, holdings, transformations, partners, origins,
certifications and their status history. No ORM entities, no origin summaries: a trace reads
no more than it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from chains.lineage import rows_by_ids
from registry import lots
from registry.errors import FieldError, NotFound
from registry.models import (
    AquacultureRegistration,
    Certification,
    GrowingArea,
    Holding,
    Lot,
    LotStatus,
    OriginType,
    Partner,
    Product,
    Shipment,
    StatusChange,
    Transformation,
)


@dataclass(slots=True)
class TracedLot:
    """A lot in a trace: the lot's columns a trace needs, and its product.

    Only columns stored before `origin_summary`: on SQLite a large summary spills into overflow
    pages, and reading any column after it walks them (5x slower traces at a million lots).
    """

    id: int
    lot_code: str
    batch: str
    product_id: int
    producer_id: int
    quantity: int
    base_unit: str
    unit: str
    produced_on: date
    origin_type: OriginType
    growing_area_id: int | None
    aquaculture_registration_id: int | None
    transformation_id: int | None
    status: LotStatus
    product: lots.ProductRef


def _ids() -> Any:
    return bindparam("ids", expanding=True)


_lot, _product = Lot.__table__, Product.__table__
_shipment, _holding = Shipment.__table__, Holding.__table__
_transformation, _partner = Transformation.__table__, Partner.__table__
_area, _registration = GrowingArea.__table__, AquacultureRegistration.__table__
_cert, _change = Certification.__table__, StatusChange.__table__

_LOT_SELECT = (
    select(*[_lot.c[name] for name in TracedLot.__slots__ if name != "product"],  # type: ignore[attr-defined]
           _product.c.name_vi, _product.c.name_en, _product.c.gtin)
    .join_from(_lot, _product, _product.c.id == _lot.c.product_id))
LOTS = _LOT_SELECT.where(_lot.c.id.in_(_ids()))
SHIPMENTS = select(_shipment).where(_shipment.c.lot_id.in_(_ids()))
HOLDINGS = select(_holding).where(_holding.c.lot_id.in_(_ids()), _holding.c.quantity > 0)
TRANSFORMATIONS = select(_transformation).where(_transformation.c.id.in_(_ids()))
PARTNERS = select(_partner).where(_partner.c.id.in_(_ids()))
AREAS = select(_area).where(_area.c.id.in_(_ids()))
REGISTRATIONS = select(_registration).where(_registration.c.id.in_(_ids()))
CERTIFICATIONS = {column: select(_cert).where(_cert.c[column].in_(_ids()))
                  for column in ("partner_id", "growing_area_id", "aquaculture_registration_id")}
CHANGES = (select(_change).where(_change.c.subject_type == "certification",
                                 _change.c.subject_id.in_(_ids()))
           .order_by(_change.c.effective_on, _change.c.id))


LOT_BY_CODE = _LOT_SELECT.where(_lot.c.lot_code == bindparam("lot_code"))


def _traced(row: Any, products: dict[int, lots.ProductRef]) -> TracedLot:
    *columns, name_vi, name_en, gtin = row
    product = products.get(row.product_id)
    if product is None:
        product = products[row.product_id] = lots.ProductRef(
            id=row.product_id, name_vi=name_vi, name_en=name_en, gtin=gtin)
    return TracedLot(*columns, product=product)


def lot_by_code(session: Session, lot_code: str) -> TracedLot:
    """The lot with this code, as a trace sees it; NotFound (as `lots.get`) otherwise."""
    row = session.execute(LOT_BY_CODE, {"lot_code": lots.normal_lot_code(lot_code)}).first()
    if row is None:
        raise NotFound(f"lot {lot_code!r} is not registered",
                       errors=[FieldError("lot_code", f"no lot {lot_code!r}")])
    return _traced(row, {})


def traced_lots(session: Session, ids: list[int]) -> dict[int, TracedLot]:
    """The lots with these ids, each with its product (one product object per product)."""
    products: dict[int, lots.ProductRef] = {}
    found = {}
    for row in rows_by_ids(session, LOTS, ids):
        found[row.id] = _traced(row, products)
    return found


def rows(session: Session, stmt: Any, ids: Any) -> list[Any]:
    """The rows of one of the statements above for these ids (none if there are none)."""
    return rows_by_ids(session, stmt, ids)
