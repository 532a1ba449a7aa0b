"""Everything a bulk batch refers to, read with a handful of IN-list queries before any rule is
checked: partners, products, growing areas, aquaculture registrations and their status history,
lots, shipments, holdings, certifications, and which lot codes and batches are taken.

On PostgreSQL the rows that decide the rules are locked as they are read, in key order:
shipments to receive `FOR UPDATE`, lots `FOR SHARE` (a recall waits), holdings `FOR UPDATE`.
On SQLite the caller holds the database's write lock (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select, text, tuple_
from sqlalchemy.orm import Session

from chains.bulk_ops import HarvestOp, ReceiveOp, ShipOp, TransformOp
from chains.lineage import rows_in
from registry import aquaculture, certifications, growing_areas, lots
from registry.database import is_sqlite
from registry.models import (
    AquacultureRegistration,
    Certification,
    CertificationScheme,
    GrowingArea,
    Holding,
    Lot,
    Partner,
    Product,
    Shipment,
    StatusChange,
)
from registry.text import code_key

_lot, _holding, _shipment = Lot.__table__, Holding.__table__, Shipment.__table__
LOT_COLUMNS = (_lot.c.id, _lot.c.lot_code, _lot.c.product_id, _lot.c.base_unit, _lot.c.status,
               _lot.c.origin_summary, _lot.c.history_incomplete)
_ALPHABET = lots._ALPHABET


@dataclass
class Loaded:
    """The stored facts a batch needs, keyed for lookups in memory."""

    partners: dict[int, Any] = field(default_factory=dict)
    products: set[int] = field(default_factory=set)
    areas: dict[str, Any] = field(default_factory=dict)  # by code_key
    registrations: dict[str, Any] = field(default_factory=dict)  # by number_key
    history: dict[tuple[str, int], list[Any]] = field(default_factory=lambda: defaultdict(list))
    lots_by_code: dict[str, Any] = field(default_factory=dict)
    lots_by_id: dict[int, Any] = field(default_factory=dict)
    shipments: dict[int, Any] = field(default_factory=dict)
    holdings: dict[tuple[int, int], int] = field(default_factory=dict)
    certs: dict[tuple[str, int], list[Any]] = field(default_factory=lambda: defaultdict(list))
    scheme_names: dict[str, str] = field(default_factory=dict)
    taken_batches: set[tuple[int, str]] = field(default_factory=set)


def _locked(session: Session, stmt: Select[Any], **lock: Any) -> Select[Any]:
    return stmt if is_sqlite(session) else stmt.with_for_update(**lock)


def load(session: Session, ops: list[Any]) -> Loaded:
    """Read (and on PostgreSQL lock) every stored record the operations name."""
    got = Loaded()
    partner_ids: set[int] = set()
    product_ids: set[int] = set()
    area_keys: set[str] = set()
    reg_keys: set[str] = set()
    codes: set[str] = set()
    shipment_ids: set[int] = set()
    for op in ops:
        if isinstance(op, HarvestOp):
            partner_ids.add(op.partner_id)
            product_ids.add(op.product_id)
            if op.origin.growing_area_code is not None:
                area_keys.add(code_key(op.origin.growing_area_code))
            if op.origin.aquaculture_registration is not None:
                reg_keys.add(code_key(op.origin.aquaculture_registration))
        elif isinstance(op, ShipOp):
            partner_ids.update((op.from_partner_id, op.to_partner_id))
            if op.lot_code is not None:
                codes.add(lots.normal_lot_code(op.lot_code))
        elif isinstance(op, ReceiveOp):
            if op.shipment_id is not None:
                shipment_ids.add(op.shipment_id)
        elif isinstance(op, TransformOp):
            partner_ids.add(op.partner_id)
            product_ids.update(out.product_id for out in op.outputs)
            codes.update(lots.normal_lot_code(i.lot_code) for i in op.inputs if i.lot_code)
    for row in rows_in(session, lambda c: _locked(session, select(_shipment).where(
            _shipment.c.id.in_(c)).order_by(_shipment.c.id)), shipment_ids):
        got.shipments[row.id] = row
        partner_ids.update((row.from_partner_id, row.to_partner_id))
    lot_rows = rows_in(session, lambda c: _locked(session, select(*LOT_COLUMNS).where(
        _lot.c.lot_code.in_(c)).order_by(_lot.c.id), read=True), codes)
    lot_rows += rows_in(session, lambda c: _locked(session, select(*LOT_COLUMNS).where(
        _lot.c.id.in_(c)).order_by(_lot.c.id), read=True),
        {s.lot_id for s in got.shipments.values()})
    for row in lot_rows:
        got.lots_by_code[row.lot_code], got.lots_by_id[row.id] = row, row
    _registry(session, got, partner_ids, product_ids, area_keys, reg_keys)
    pairs = _holding_pairs(ops, got)
    for row in rows_in(session, lambda c: _locked(session, select(_holding).where(
            tuple_(_holding.c.lot_id, _holding.c.partner_id).in_(c))
            .order_by(_holding.c.lot_id, _holding.c.partner_id)), pairs):
        got.holdings[(row.lot_id, row.partner_id)] = row.quantity
    return got


def _registry(session: Session, got: Loaded, partner_ids: set[int], product_ids: set[int],
              area_keys: set[str], reg_keys: set[str]) -> None:
    partner = Partner.__table__
    for row in rows_in(session, lambda c: select(partner).where(partner.c.id.in_(c)),
                       partner_ids):
        got.partners[row.id] = row
    got.products = {pid for (pid,) in rows_in(
        session, lambda c: select(Product.__table__.c.id).where(Product.__table__.c.id.in_(c)),
        product_ids)}
    area, reg = GrowingArea.__table__, AquacultureRegistration.__table__
    got.areas = {r.code_key: r for r in rows_in(
        session, lambda c: select(area).where(area.c.code_key.in_(c)), area_keys)}
    got.registrations = {r.number_key: r for r in rows_in(
        session, lambda c: select(reg).where(reg.c.number_key.in_(c)), reg_keys)}
    _histories(session, got, growing_areas.SUBJECT, [a.id for a in got.areas.values()])
    _histories(session, got, aquaculture.SUBJECT, [r.id for r in got.registrations.values()])
    cert = Certification.__table__
    for column, ids in (("partner_id", got.partners),
                        ("growing_area_id", [a.id for a in got.areas.values()]),
                        ("aquaculture_registration_id",
                         [r.id for r in got.registrations.values()])):
        for row in rows_in(session, lambda c, column=column: select(cert).where(
                cert.c[column].in_(c)).order_by(cert.c.scheme_key, cert.c.id), ids):
            got.certs[(column, row._mapping[column])].append(row)
    cert_ids = [c.id for rows in got.certs.values() for c in rows]
    _histories(session, got, certifications.SUBJECT, cert_ids)
    scheme = CertificationScheme.__table__
    got.scheme_names = dict(session.execute(select(scheme.c.key, scheme.c.name_vi)).all())


def _histories(session: Session, got: Loaded, subject: str, ids: Iterable[int]) -> None:
    change = StatusChange.__table__
    for row in rows_in(session, lambda c: select(change).where(
            change.c.subject_type == subject, change.c.subject_id.in_(c))
            .order_by(change.c.effective_on, change.c.id), ids):
        got.history[(subject, row.subject_id)].append(row)


def _holding_pairs(ops: list[Any], got: Loaded) -> set[tuple[int, int]]:
    """(lot, partner) holdings the operations take from or give to, among stored lots."""
    pairs: set[tuple[int, int]] = set()
    for op in ops:
        if isinstance(op, ShipOp) and op.lot_code is not None:
            row = got.lots_by_code.get(lots.normal_lot_code(op.lot_code))
            if row is not None:
                pairs.add((row.id, op.from_partner_id))
        elif isinstance(op, ReceiveOp) and op.shipment_id in got.shipments:
            shipment = got.shipments[op.shipment_id]
            pairs.add((shipment.lot_id, shipment.to_partner_id))
        elif isinstance(op, TransformOp):
            for item in op.inputs:
                row = got.lots_by_code.get(lots.normal_lot_code(item.lot_code or ""))
                if row is not None:
                    pairs.add((row.id, op.partner_id))
    return pairs


def new_lot_codes(n: int) -> list[str]:
    """`n` random lot codes (as `lots.new_lot_code`: 50 bits, Crockford base32), distinct."""
    made: set[str] = set()
    while len(made) < n:
        for _ in range(n - len(made)):
            value = int.from_bytes(secrets.token_bytes(7), "big") >> 6  # 50 random bits
            made.add("".join(_ALPHABET[(value >> shift) & 31] for shift in range(45, -5, -5)))
    return list(made)


def free_lot_codes(session: Session, n: int) -> list[str]:
    """`n` lot codes no stored lot has (one IN query per 5,000 codes, retried on a clash)."""
    codes: list[str] = []
    while len(codes) < n:
        fresh = new_lot_codes(n - len(codes))
        taken = {c for (c,) in rows_in(session, lambda c: select(_lot.c.lot_code).where(
            _lot.c.lot_code.in_(c)), fresh)}
        codes += [c for c in fresh if c not in taken and c not in codes]
    return codes


def taken_batches(session: Session, pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (product, batch) pairs stored lots already use."""
    return {(p, b) for p, b in rows_in(session, lambda c: select(_lot.c.product_id, _lot.c.batch)
            .where(tuple_(_lot.c.product_id, _lot.c.batch).in_(c)), pairs)}


def reserve_ids(session: Session, table: Any, n: int) -> list[int]:
    """`n` primary keys for new rows of `table`.

    SQLite: the next ids after the largest (the writer holds the database lock, as SQLite itself
    would number them); PostgreSQL: `nextval` of the table's sequence, n times in one query.
    """
    if n == 0:
        return []
    if is_sqlite(session):
        top = session.execute(select(func.max(table.c.id))).scalar() or 0
        return list(range(top + 1, top + 1 + n))
    return list(session.execute(text(
        "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
        {"table": table.name, "n": n}).scalars())
