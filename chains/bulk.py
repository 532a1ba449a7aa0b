"""Record many tracking events at once, set-based: the bulk path of the JSON API and of the EPCIS
capture (DESIGN.md section 8: >= 5,000 events/s).

`record_batch` applies harvests, shipments, receipts and transformations (`chains.bulk_ops`) in
order, with exactly the rules of the single services (`lots.harvest`, `shipments.ship`,
`shipments.receive`, `transformations.transform`), all or nothing:

1. read every record the batch names with a few IN-list queries (`chains.bulk_load`; on
   PostgreSQL locking shipments and holdings FOR UPDATE and lots FOR SHARE);
2. replay the operations in memory: a later operation sees what earlier ones did; the first
   refusal raises the single service's error with its fields prefixed `operations.N.`;
3. write the result with Core executemany INSERTs and UPDATEs (ids reserved up front), and one
   audit entry for the batch.

The audit entry (action `record_batch`, subject `event_batch`) holds the operation and event
counts, the count per type, the ids of the first and last events, and `sha256`: the SHA-256 of
`registry.audit.canonical([op.model_dump(mode="json") for op in operations])`, the canonical
JSON (sorted keys, no spaces, UTF-8) of the parsed operations, so the request can be matched to
its entry later. The rows written are those the single services would write for the same
operations, one by one (lot, holding, shipment, transformation, transformation_input, lot_edge,
event with `recorded_by`), including the lots' origin summaries.
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chains import bulk_load
from chains.bulk_ops import (
    BatchResult,
    HarvestOp,
    MadeLot,
    OperationResult,
    ReceiveOp,
    ShipOp,
    TransformOp,
)
from chains.bulk_rules import Replay
from registry import audit, database, receiving_gates
from registry.actors import Actor
from registry.errors import DomainError, FieldError
from registry.models import (
    Event,
    Holding,
    Lot,
    LotEdge,
    Shipment,
    Transformation,
    TransformationInput,
    utcnow,
)
from registry.units import display

__all__ = ["record_batch", "HarvestOp", "ShipOp", "ReceiveOp", "TransformOp"]


def _refused(exc: DomainError, index: int, op: Any, default_field: str) -> DomainError:
    """The same refusal, naming the operation: fields become `operations.N.<field>`."""
    prefix = f"operations.{index}"
    fields = [FieldError(f"{prefix}.{e.field}", e.message) for e in exc.errors]
    if not fields:
        fields = [FieldError(f"{prefix}.{default_field}", exc.detail)]
    exc.errors = tuple(fields)
    exc.detail = f"operation {index} ({op.type}) refused, nothing was recorded: {exc.detail}"
    return exc


DEFAULT_FIELD = {"harvest": "partner_id", "ship": "from_partner_id",
                 "receive": "shipment_id", "transform": "partner_id"}
"""The field a refusal that names none (Forbidden) is reported under."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a batch's ~100,000 live rows and dicts would be
    walked by every full collection (15% of the time at 10,000 operations); reference
    counting still frees what dies."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def record_batch(session: Session, actor: Actor, operations: list[Any], *,
                 sources: list[int | None] | None = None,
                 trust_incomplete: bool = False, sha256: str | None = None) -> BatchResult:
    """Apply the operations in order, all or nothing; one result per operation.

    `sources` (an EPCIS capture) gives each operation's captured event id, stored on the event
    row it records (`event.epcis_event_id`), so queries do not return that event twice;
    `trust_incomplete` lets a holder of a lot whose history is incomplete move more than the
    registry knows it holds (mass balance applies to what the registry knows); `sha256` is the
    digest of what was submitted when the caller has one (a captured document's), else the
    digest of the operations' canonical JSON is computed."""
    with _collector_paused():
        return _record(session, actor, operations, sources, trust_incomplete, sha256)


def _record(session: Session, actor: Actor, operations: list[Any],
            sources: list[int | None] | None = None,
            trust_incomplete: bool = False, sha256: str | None = None) -> BatchResult:
    database.begin_write(session)
    ops = list(operations)
    loaded = bulk_load.load(session, ops)
    replay = Replay(session, actor, loaded, ops)
    replay.trust_incomplete = trust_incomplete
    for index, op in enumerate(ops):
        try:
            replay.apply(index, op)
        except DomainError as exc:
            field = ("shipment_ref" if isinstance(op, ReceiveOp) and op.shipment_ref
                     else DEFAULT_FIELD[op.type])
            raise _refused(exc, index, op, field) from None
        if sources is not None:
            replay.events[-1]["epcis_event_id"] = sources[index]
    first_event, last_event = _write(session, replay)
    _gate_receipts(session, actor, ops, replay)
    digest = sha256 or hashlib.sha256(audit.canonical(
        [op.model_dump(mode="json") for op in ops]).encode("utf-8")).hexdigest()
    counts = Counter(op.type for op in ops)
    audit.append(session, actor, "record_batch", "event_batch", digest,
                 {"operations": len(ops), "events": len(replay.events), "sha256": digest,
                  "types": dict(sorted(counts.items())),
                  "first_event_id": first_event, "last_event_id": last_event})
    return BatchResult(operations=len(ops), events=len(replay.events), sha256=digest,
                       results=[_result(replay, i, op) for i, op in enumerate(ops)])


def _gate_receipts(session: Session, actor: Actor, ops: list[Any], replay: Replay) -> None:
    """The recipients' receiving gates, as `shipments.receive` runs them, on the batch's
    receipts once its rows are written (a lot made in the same batch is then traceable): a
    refusing gate that rejects a lot refuses the whole batch, naming the operation."""
    receipts = [(i, replay.done[i]["shipment_id"]) for i, op in enumerate(ops)
                if isinstance(op, ReceiveOp)]
    recipients = {replay.shipments[sid]["to_partner_id"] for _, sid in receipts}
    gated = receiving_gates.gated(session, recipients)
    for index, shipment_id in receipts:
        if replay.shipments[shipment_id]["to_partner_id"] not in gated:
            continue
        shipment = session.get(Shipment, shipment_id, populate_existing=True)
        assert shipment is not None
        try:
            receiving_gates.run_gate(session, actor, shipment, ops[index].received_at)
        except DomainError as exc:
            raise _refused(exc, index, ops[index], "shipment_id") from None


def _result(replay: Replay, index: int, op: Any) -> OperationResult:
    done = replay.done[index]
    if isinstance(op, TransformOp):
        made = [replay.new_lots[lot_id] for lot_id in done["outputs"]]
        return OperationResult(
            index=index, type="transform", transformation_id=done["transformation_id"],
            kind=op.kind,
            outputs=[MadeLot(lot_code=lot["lot_code"], product_id=lot["product_id"],
                             batch=lot["batch"], ref=out.ref,
                             quantity=display(lot["quantity"], lot["base_unit"], lot["unit"])[0],
                             unit=lot["unit"]) for lot, out in zip(made, op.outputs, strict=True)])
    return OperationResult(index=index, type=op.type, ref=getattr(op, "ref", None),
                           lot_code=done["lot_code"], shipment_id=done.get("shipment_id"))


def _insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    insert_rows(session.connection(), table, rows)


def insert_rows(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT the rows (all with the same keys), each value through its column type's bind
    processor: the driver's executemany of the compiled Core INSERT on SQLite (without
    SQLAlchemy's per-row parameter bookkeeping), COPY on PostgreSQL (a statement a row, or
    multi-row INSERTs whose 10,000 parameters psycopg parses in Python, are 3-5 times slower).
    The bulk engine and the benchmarks' generator (bench/rowwriter.py) write through it."""
    if not rows:
        return
    dialect = connection.dialect
    keys, processors, sql = _insert_plan(table, dialect, tuple(rows[0]))
    pairs = list(zip(keys, processors, strict=True))
    values = (tuple(process(row[k]) if process else row[k] for k, process in pairs)
              for row in rows)
    if dialect.name == "sqlite":
        connection.exec_driver_sql(sql, list(values))
        return
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(keys)}) FROM STDIN") as copy:
        for value in values:
            copy.write_row(value)
    cursor.close()


_PLANS: dict[tuple[Any, str, tuple[str, ...]], tuple[list[str], list[Any], str]] = {}


def _insert_plan(table: Any, dialect: Any, columns: tuple[str, ...],
                 ) -> tuple[list[str], list[Any], str]:
    """The columns in the compiled statement's parameter order, their types' bind processors
    (UTC times, enums, JSON: what the ORM would store) and the INSERT, compiled once."""
    key = (table, dialect.name, columns)
    if key not in _PLANS:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        keys = list(compiled.positiontup or columns)
        _PLANS[key] = (keys, [table.c[k].type._cached_bind_processor(dialect) for k in keys],
                       str(compiled))
    return _PLANS[key]


def _write(session: Session, replay: Replay) -> tuple[int | None, int | None]:
    """Write what the replay decided: INSERT ... executemany and a few UPDATEs."""
    now = utcnow()
    _insert(session, Transformation.__table__,
            [{**t, "created_at": now} for t in replay.transformations])
    _insert(session, Lot.__table__,
            [{**lot, "created_at": now} for lot in replay.new_lots.values()])
    _insert(session, LotEdge.__table__, replay.edges)
    _insert(session, TransformationInput.__table__, replay.inputs)
    _insert(session, Shipment.__table__,
            [{**s, "created_at": now} for s in replay.new_shipments.values()])
    if replay.receipts:
        table = Shipment.__table__
        session.execute(update(table).where(table.c.id == bindparam("sid"))
            .values(status=bindparam("st", type_=table.c.status.type),
                    received_at=bindparam("rat", type_=table.c.received_at.type),
                    received_quantity=bindparam("rq", type_=table.c.received_quantity.type)),
            list(replay.receipts.values()))
    _write_holdings(session, replay)
    events = [{"epcis_event_id": None, **e, "recorded_at": now,
               "recorded_by": replay.actor.username}
              for e in replay.events]
    first = last = None
    if events:
        table = Event.__table__
        ids = bulk_load.reserve_ids(session, table, len(events))
        for event_id, event in zip(ids, events, strict=True):
            event["id"] = event_id
        _insert(session, table, events)
        first, last = ids[0], ids[-1]
    return first, last


def _write_holdings(session: Session, replay: Replay) -> None:
    updates, inserts = [], []
    for key in sorted(replay.touched):
        lot_id, partner_id = key
        quantity = replay.holdings[key]
        if key in replay.loaded.holdings:
            updates.append({"lot": lot_id, "partner": partner_id, "q": quantity})
        else:
            inserts.append({"lot_id": lot_id, "partner_id": partner_id, "quantity": quantity})
    table = Holding.__table__
    if updates:
        session.execute(
            update(table).where(table.c.lot_id == bindparam("lot"),
                                table.c.partner_id == bindparam("partner"))
            .values(quantity=bindparam("q", type_=table.c.quantity.type)), updates)
    if inserts:
        # A holding another transaction created meanwhile (PostgreSQL) adds up, as give() does.
        upsert = (sqlite.insert if database.is_sqlite(session) else postgresql.insert)(table)
        session.execute(upsert.on_conflict_do_update(
            index_elements=["lot_id", "partner_id"],
            set_={"quantity": table.c.quantity + upsert.excluded.quantity}), inserts)
