"""Fast loading of generated rows into the real tables (bench/chaingen.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from chains.bulk import insert_rows
from registry.models import (
    Event,
    Holding,
    Lot,
    LotEdge,
    Shipment,
    Transformation,
    TransformationInput,
)

TABLES = [Transformation, Lot, LotEdge, TransformationInput, Shipment, Holding, Event]
"""In foreign-key order."""


class Writer:
    """Buffers rows per table and writes them in foreign-key order with the bulk engine's own
    `chains.bulk.insert_rows` (Core INSERT compiled once, each value through its column type's
    bind processor, then the driver's executemany on SQLite or COPY on PostgreSQL), so the rows
    are what the ORM would store. A nullable column the generator does not know (one a later
    migration added) is stored as NULL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows: dict[Any, list[dict[str, Any]]] = {m: [] for m in TABLES}
        self.counts = {m.__tablename__: 0 for m in TABLES}
        self.now = datetime.now(UTC)
        self.nullable = {m: [c.key for c in m.__table__.columns if c.nullable] for m in TABLES}

    def add(self, model: Any, row: dict[str, Any]) -> None:
        for key in self.nullable[model]:
            row.setdefault(key, None)
        self.rows[model].append(row)

    def pending(self) -> int:
        return sum(len(r) for r in self.rows.values())

    def flush(self) -> None:
        with self.engine.begin() as connection:
            for model in TABLES:
                rows = self.rows[model]
                if rows:
                    insert_rows(connection, model.__table__, rows)
                    self.counts[model.__tablename__] += len(rows)
                    self.rows[model] = []
