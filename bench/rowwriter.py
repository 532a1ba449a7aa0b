"""Fast loading of generated rows into the real tables (bench/chaingen.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert

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


def _value(row: dict[str, Any], key: str, process: Any, nullable: bool) -> Any:
    value = row.get(key) if nullable else row[key]
    return process(value) if process else value


class Writer:
    """Buffers rows per table and writes them in foreign-key order.

    Each table's INSERT is the Core `insert(table)` compiled once for the dialect, and each
    value goes through its column type's own bind processor (UTC times, enums, JSON), so the
    rows are what the ORM would store; they are then sent with the driver's executemany
    (SQLite) or COPY (PostgreSQL), skipping SQLAlchemy's per-row bookkeeping.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows: dict[Any, list[dict[str, Any]]] = {m: [] for m in TABLES}
        self.counts = {m.__tablename__: 0 for m in TABLES}
        self.now = datetime.now(UTC)
        self.plans: dict[Any, tuple[list[str], list[Any], str]] = {}

    def add(self, model: Any, row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def pending(self) -> int:
        return sum(len(r) for r in self.rows.values())

    def _plan(self, model: Any) -> tuple[list[str], list[Any], str]:
        if model not in self.plans:
            table, dialect = model.__table__, self.engine.dialect
            compiled = insert(table).compile(dialect=dialect,
                                             column_keys=[c.key for c in table.columns])
            keys = list(compiled.positiontup or [c.key for c in table.columns])
            processors = [table.c[k].type._cached_bind_processor(dialect) for k in keys]
            self.plans[model] = (keys, processors, str(compiled))
        return self.plans[model]

    def _values(self, model: Any, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """Rows as driver tuples. A nullable column the generator does not know (one a later
        migration added) is stored as NULL; a missing NOT NULL column is a KeyError here."""
        keys, processors, _ = self._plan(model)
        columns = model.__table__.c
        pairs = [(key, process, bool(columns[key].nullable))
                 for key, process in zip(keys, processors, strict=True)]
        return [tuple(_value(row, key, process, nullable) for key, process, nullable in pairs)
                for row in rows]

    def flush(self) -> None:
        with self.engine.begin() as connection:
            for model in TABLES:
                rows = self.rows[model]
                if not rows:
                    continue
                keys, _, sql = self._plan(model)
                values = self._values(model, rows)
                if self.engine.dialect.name == "postgresql":
                    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                    with cursor.copy(f"COPY {model.__tablename__} ({', '.join(keys)}) "
                                     "FROM STDIN") as copy:
                        for value in values:
                            copy.write_row(value)
                    cursor.close()
                else:
                    connection.exec_driver_sql(sql, values)
                self.counts[model.__tablename__] += len(rows)
                self.rows[model] = []
