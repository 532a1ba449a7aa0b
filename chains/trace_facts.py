"""The facts a trace shows, read with prebuilt Core statements (one IN list each, bound per
trace): lots with their products, shipments, holdings, transformations, partners, origins,
certifications and their status history. No ORM entities, no origin summaries: a trace reads
no more than it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, Integer, and_, any_, bindparam, select
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
    RecordStatus,
    Shipment,
    StatusChange,
    Transformation,
)


@dataclass(slots=True)
class TracedLot:
    """A lot in a trace: the lot's columns a trace needs, and its product.

    Not the origin summary. On SQLite a large summary spills into overflow pages and reading a
    column stored after it walks them: `history_incomplete` (which lot verification needs) is
    the one such column read; moving it before the summary would save that walk.
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
    history_incomplete: bool
    product: lots.ProductRef


@dataclass(frozen=True, slots=True)
class TracedTransformation:
    """The transformation that made a traced lot."""

    id: int
    partner_id: int
    kind: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class StatusAt:
    """One dated status change of a certification."""

    effective_on: date
    status: RecordStatus


_lot, _product = Lot.__table__, Product.__table__
_shipment, _holding = Shipment.__table__, Holding.__table__
_transformation, _partner = Transformation.__table__, Partner.__table__
_area, _registration = GrowingArea.__table__, AquacultureRegistration.__table__
_cert, _change = Certification.__table__, StatusChange.__table__
_LOT_COLUMNS = [_lot.c[name] for name in TracedLot.__slots__ if name != "product"]
_EXTRA_COLUMNS = [_product.c.name_vi, _product.c.name_en, _product.c.gtin,
                  _transformation.c.partner_id.label("t_partner_id"),
                  _transformation.c.kind.label("t_kind"),
                  _transformation.c.occurred_at.label("t_occurred_at")]
_LOT_SELECT = (select(*_LOT_COLUMNS, *_EXTRA_COLUMNS)
               .join_from(_lot, _product, _product.c.id == _lot.c.product_id)
               .outerjoin(_transformation, _transformation.c.id == _lot.c.transformation_id))
LOT_BY_CODE = _LOT_SELECT.where(_lot.c.lot_code == bindparam("lot_code"))


class _Statements:
    """The IN-list statements, built once per dialect. PostgreSQL gets `= ANY(:ids)`: one SQL
    text whatever the list's length, so psycopg prepares it and the plan is not redone."""

    def __init__(self, postgresql: bool) -> None:
        def among(column: Any) -> Any:
            if postgresql:
                return column == any_(bindparam("ids", type_=ARRAY(Integer)))
            return column.in_(bindparam("ids", expanding=True))

        self.lots = _LOT_SELECT.where(among(_lot.c.id))
        self.shipments = select(_shipment).where(among(_shipment.c.lot_id))
        self.holdings = select(_holding).where(among(_holding.c.lot_id), _holding.c.quantity > 0)
        self.partners = select(_partner).where(among(_partner.c.id))
        self.areas = select(_area).where(among(_area.c.id))
        self.registrations = select(_registration).where(among(_registration.c.id))
        history = and_(_change.c.subject_type == "certification",
                       _change.c.subject_id == _cert.c.id)
        self.certifications = {
            column: select(_cert, _change.c.effective_on.label("change_on"),
                           _change.c.status.label("change_status"))
            .outerjoin(_change, history).where(among(_cert.c[column]))
            .order_by(_cert.c.id, _change.c.effective_on, _change.c.id)
            for column in ("partner_id", "growing_area_id", "aquaculture_registration_id")}


_STATEMENTS = {False: _Statements(False), True: _Statements(True)}


def statements(session: Session) -> _Statements:
    """The statements for this session's database."""
    return _STATEMENTS[session.get_bind().dialect.name == "postgresql"]


def _traced(row: Any, products: dict[int, lots.ProductRef]) -> TracedLot:
    product = products.get(row.product_id)
    if product is None:
        product = products[row.product_id] = lots.ProductRef(
            id=row.product_id, name_vi=row.name_vi, name_en=row.name_en, gtin=row.gtin)
    return TracedLot(*row[:len(_LOT_COLUMNS)], product=product)  # type: ignore[misc]


def lot_by_code(session: Session, lot_code: str) -> TracedLot:
    """The lot with this code, as a trace sees it; NotFound (as `lots.get`) otherwise."""
    row = session.execute(LOT_BY_CODE, {"lot_code": lots.normal_lot_code(lot_code)}).first()
    if row is None:
        raise NotFound(f"lot {lot_code!r} is not registered",
                       errors=[FieldError("lot_code", f"no lot {lot_code!r}")])
    return _traced(row, {})


def traced_lots(session: Session, ids: list[int]
                ) -> tuple[dict[int, TracedLot], dict[int, TracedTransformation]]:
    """The lots with these ids, each with its product, and the transformations that made them
    (one query)."""
    products: dict[int, lots.ProductRef] = {}
    found, made_by = {}, {}
    for row in rows_by_ids(session, statements(session).lots, ids):
        found[row.id] = _traced(row, products)
        if row.transformation_id is not None:
            made_by[row.transformation_id] = TracedTransformation(
                row.transformation_id, row.t_partner_id, row.t_kind, row.t_occurred_at)
    return found, made_by


def rows(session: Session, name: str, ids: Any) -> list[Any]:
    """The rows of the statement `name` (shipments, holdings, partners, areas, registrations)
    for these ids; no query when there are none."""
    return rows_by_ids(session, getattr(statements(session), name), ids)


def certifications(session: Session, column: str, ids: Any
                   ) -> tuple[list[Any], dict[int, list[StatusAt]]]:
    """The certifications held by these holders (`column` names the holder's kind) and each
    one's status history, oldest first (one query)."""
    found: dict[int, Any] = {}
    history: dict[int, list[StatusAt]] = {}
    for row in rows_by_ids(session, statements(session).certifications[column], ids):
        found.setdefault(row.id, row)
        changes = history.setdefault(row.id, [])
        if row.change_on is not None:
            changes.append(StatusAt(row.change_on, row.change_status))
    return list(found.values()), history
