"""The scan page's reads: the registry's most requested URL, so its two statements run on a raw
driver connection (DESIGN.md section 8: >= 2,600 scans/s on two processes).

The statements are SQLAlchemy Core, compiled once per dialect; they run on a pooled DBAPI
connection without an ORM session or an explicit transaction (two reads, each consistent in
itself), and their rows are converted here (SQLite returns dates, times and JSON as text,
psycopg returns Python values). Through SQLAlchemy's execution layer each statement cost five
times its SQL. Rarer reads (a serial, a recall) use the request's ORM session.

`fast_link` reads the canonical code this registry prints (`/01/{GTIN-14}/10/{batch}[/21/
{serial}]?s=...` or `/l/{lot_code}?s=...`, values of letters, digits, `-` and `_`) with one
regular expression; anything else goes to the full parser, `qr.parse_link`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Engine, Select, bindparam, case, event, null, select, union_all
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from qr.digital_link import DigitalLink, parse_link
from registry import gs1, qr_issues
from registry.database import make_engine
from registry.lots import normal_lot_code
from registry.models import Event, Lot, LotEdge, LotStatus, Partner, Product

TIMELINE_EVENTS = 200
"""Events read for a timeline; a lot sold in more shops than this shows the first ones."""

_lot, _product, _partner = Lot.__table__, Product.__table__, Partner.__table__
_event, _edge = Event.__table__, LotEdge.__table__
_LOT = (select(
    _lot.c.id, _lot.c.lot_code, _lot.c.batch, _lot.c.status, _lot.c.quantity, _lot.c.base_unit,
    _lot.c.unit, _lot.c.produced_on, _lot.c.origin_type, _lot.c.origin_summary,
    _lot.c.transformation_id, _lot.c.producer_id, _lot.c.product_id, _lot.c.history_incomplete,
    _product.c.name_vi, _product.c.name_en, _product.c.gtin, _product.c.photo_url,
    _product.c.category, _product.c.ocop_stars, _product.c.ocop_issued_on,
    _product.c.ocop_valid_until, _product.c.ocop_certificate_no, _partner.c.name,
    _partner.c.kind, _partner.c.province_code_current)
    .join_from(_lot, _product, _product.c.id == _lot.c.product_id)
    .join(_partner, _partner.c.id == _lot.c.producer_id))
BY_CODE = _LOT.where(_lot.c.lot_code == bindparam("lot_code"))
BY_BATCH = _LOT.where(_product.c.gtin == bindparam("gtin"), _lot.c.batch == bindparam("batch"))
BY_ID = _LOT.where(_lot.c.id == bindparam("lot_id"))
PRODUCT_BY_GTIN = select(_product.c.id).where(_product.c.gtin == bindparam("gtin"))
_EVENT_COLUMNS = (_event.c.kind, _event.c.occurred_at, _event.c.id, _partner.c.name,
                  _partner.c.kind.label("partner_kind"),
                  case((_event.c.kind == "sample", _event.c.data), else_=null()).label("data"))
_WITH_PARTNER = _event.outerjoin(_partner, _partner.c.id == _event.c.partner_id)
_TIMELINE = union_all(
    select(*_EVENT_COLUMNS).select_from(_WITH_PARTNER)
    .where(_event.c.lot_id == bindparam("lot_id")),
    select(*_EVENT_COLUMNS).select_from(_WITH_PARTNER)
    .where(_event.c.transformation_id == bindparam("transformation_id"),
           _event.c.kind == "transform"),
    select(*_EVENT_COLUMNS)
    .select_from(_WITH_PARTNER.join(_edge, _edge.c.parent_id == _event.c.lot_id))
    .where(_edge.c.child_id == bindparam("parent_of"), _event.c.kind == "harvest"),
).subquery("timeline")
EVENTS = (select(_TIMELINE.c.kind, _TIMELINE.c.occurred_at, _TIMELINE.c.name,
                 _TIMELINE.c.partner_kind, _TIMELINE.c.data)
          .order_by(_TIMELINE.c.occurred_at, _TIMELINE.c.id).limit(TIMELINE_EVENTS))
"""The lot's own events, the transformation that made it, and its inputs' harvests (one step
back: a packed lot shows when its fruit was picked): three index lookups, so that no database
scans the event table (an OR of them defeats PostgreSQL's planner)."""

_SIGNATURE = r"(?:\?s=([A-Za-z0-9_-]{12})(?:&lang=(?:vi|en))?)?$"
_CANONICAL_GTIN = re.compile(
    r"^/01/([0-9]{14})/10/([A-Za-z0-9_-]{1,20})(?:/21/([A-Za-z0-9_-]{1,20}))?" + _SIGNATURE)
_CANONICAL_LOT = re.compile(r"^/l/([0-9A-Za-z][0-9A-Za-z_-]{0,31})" + _SIGNATURE)


class LotRow(NamedTuple):
    """A lot as the scan page reads it, with its product and producer."""

    id: int
    lot_code: str
    batch: str
    status: LotStatus
    quantity: int
    base_unit: str
    unit: str
    produced_on: date
    origin_type: str
    origin_summary: dict[str, Any]
    transformation_id: int | None
    producer_id: int
    product_id: int
    history_incomplete: bool
    name_vi: str
    name_en: str | None
    gtin: str | None
    photo_url: str | None
    category: str
    ocop_stars: int | None
    ocop_issued_on: date | None
    ocop_valid_until: date | None
    ocop_certificate_no: str | None
    producer_name: str
    producer_kind: str
    producer_province: str


class EventRow(NamedTuple):
    """One event of a lot's timeline; `data` only for samples."""

    kind: str
    occurred_at: datetime
    partner_name: str | None
    partner_kind: str | None
    data: dict[str, Any] | None


@dataclass(frozen=True)
class Found:
    """The lot a code names (None: not registered), and whether its serial was issued."""

    lot: LotRow | None
    serial_issued: bool = True


def fast_link(raw: str) -> DigitalLink:
    """The parts of a scanned path: the canonical form at once, anything else by
    `qr.parse_link` (which raises `MalformedLink`)."""
    match = _CANONICAL_GTIN.match(raw)
    if match is not None:
        gtin, batch, serial, signature = match.groups()
        if gs1.check_digit(gtin[:13]) == gtin[13]:
            return DigitalLink(gtin=gtin, batch=batch, serial=serial, signature=signature)
    else:
        match = _CANONICAL_LOT.match(raw)
        if match is not None:
            return DigitalLink(lot_code=match.group(1), signature=match.group(2))
    return parse_link(raw)


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _datetime(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _lot_row(row: tuple[Any, ...]) -> LotRow:
    values = list(row)
    values[3] = LotStatus(values[3])
    values[7] = _date(values[7])
    values[9] = _json(values[9]) or {}
    values[13] = bool(values[13])
    values[20], values[21] = _date(values[20]), _date(values[21])
    return LotRow._make(values)


class _Statement:
    """A Core statement compiled for one dialect, run on a DBAPI cursor."""

    def __init__(self, statement: Select[Any], dialect: Dialect, names: tuple[str, ...]) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.defaults = compiled.construct_params(dict.fromkeys(names))  # fixed binds too
        self.order = tuple(compiled.positiontup or ()) if compiled.positional else None

    def run(self, cursor: Any, **values: Any) -> list[tuple[Any, ...]]:
        params = {**self.defaults, **values}
        cursor.execute(self.sql, tuple(params[n] for n in self.order)
                       if self.order is not None else params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


READ_PRAGMAS = ("PRAGMA query_only = ON", "PRAGMA cache_size = -16384",
                "PRAGMA mmap_size = 1073741824")
"""A scan connection on SQLite reads only, keeps 16 MiB of pages and maps up to 1 GiB of the
file: random lots of a million-lot file are read with fewer copies and system calls."""


def read_engine(url: str) -> Engine:
    """The scan page's own SQLite engine (a sync worker reads one scan at a time)."""
    engine = make_engine(url, pool_size=1, max_overflow=2)

    @event.listens_for(engine, "connect")
    def _reader(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in READ_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    return engine


class Scanner:
    """The scan page's reads for one engine (make one per process, after forking)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        dialect = engine.dialect
        self.by_code = _Statement(BY_CODE, dialect, ("lot_code",))
        self.by_batch = _Statement(BY_BATCH, dialect, ("gtin", "batch"))
        self.by_id = _Statement(BY_ID, dialect, ("lot_id",))
        self.product_by_gtin = _Statement(PRODUCT_BY_GTIN, dialect, ("gtin",))
        self.events = _Statement(EVENTS, dialect, ("lot_id", "transformation_id", "parent_of"))

    @contextmanager
    def reading(self, session: Callable[[], Session]) -> Iterator[Reading]:
        """A pooled connection for one scan; `session` gives the ORM session for rarer reads."""
        connection = self.engine.raw_connection()
        try:
            yield Reading(self, connection.cursor(), session)
        finally:
            connection.close()  # back to the pool, rolled back


class Reading:
    """One scan's reads on one connection."""

    def __init__(self, scanner: Scanner, cursor: Any, session: Callable[[], Session]) -> None:
        self.scanner, self.cursor, self.session = scanner, cursor, session

    def _lot(self, statement: _Statement, **values: Any) -> LotRow | None:
        rows = statement.run(self.cursor, **values)
        return _lot_row(rows[0]) if rows else None

    def find(self, link: DigitalLink) -> Found:
        """The lot a parsed code names: by lot code, GTIN + batch, or GTIN + issued serial."""
        s = self.scanner
        if link.lot_code is not None:
            return Found(self._lot(s.by_code, lot_code=normal_lot_code(link.lot_code)))
        if link.batch is not None:
            lot = self._lot(s.by_batch, gtin=link.gtin, batch=link.batch)
            if lot is None or link.serial is None:
                return Found(lot)
            owner = qr_issues.serial_lot_id(self.session(), lot.product_id, link.serial)
            return Found(lot, serial_issued=owner == lot.id)
        if link.serial is None:
            return Found(None)  # a product (GTIN alone), not a lot
        products = s.product_by_gtin.run(self.cursor, gtin=link.gtin)
        lot_id = (qr_issues.serial_lot_id(self.session(), products[0][0], link.serial)
                  if products else None)
        return Found(self._lot(s.by_id, lot_id=lot_id) if lot_id is not None else None)

    def events(self, lot: LotRow) -> list[EventRow]:
        """The lot's timeline events, oldest first."""
        made = lot.transformation_id is not None
        rows = self.scanner.events.run(self.cursor, lot_id=lot.id,
                                       transformation_id=lot.transformation_id,
                                       parent_of=lot.id if made else None)
        return [EventRow(kind, _datetime(at), name, partner_kind,
                         _json(data) if data is not None else None)
                for kind, at, name, partner_kind, data in rows]
