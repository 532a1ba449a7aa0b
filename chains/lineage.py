"""The lot graph in the database: one recursive query over the indexed `lot_edge` table per
trace, never a query per level and never the whole registry in memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from registry.models import LotEdge

T = TypeVar("T")
CHUNK = 5000
"""Ids per IN (...) list: far below SQLite's 32,766 variables."""

_edge = LotEdge.__table__


def _links(upward: bool) -> Select[tuple[int, int]]:
    """The recursive CTE of every edge above (or below) the lot bound to `lot_id`."""
    near, far = ((_edge.c.child_id, _edge.c.parent_id) if upward
                 else (_edge.c.parent_id, _edge.c.child_id))
    start = select(_edge.c.parent_id, _edge.c.child_id).where(near == bindparam("lot_id"))
    walk = start.cte("up" if upward else "down", recursive=True)
    step = select(_edge.c.parent_id, _edge.c.child_id).join(
        walk, near == (walk.c.parent_id if upward else walk.c.child_id))
    walk = walk.union(step)
    return select(walk.c.parent_id, walk.c.child_id)


_ANCESTOR_LINKS, _DESCENDANT_LINKS = _links(True), _links(False)
"""Built once: each trace only binds the lot id (the statement's compiled form is cached)."""


def ancestor_links(session: Session, lot_id: int) -> list[tuple[int, int]]:
    """Every (input, output) edge on the lot's ancestry, in one recursive CTE."""
    return [(p, c) for p, c in session.execute(_ANCESTOR_LINKS, {"lot_id": lot_id})]


def descendant_links(session: Session, lot_id: int) -> list[tuple[int, int]]:
    """Every (input, output) edge below the lot, in one recursive CTE."""
    return [(p, c) for p, c in session.execute(_DESCENDANT_LINKS, {"lot_id": lot_id})]


def descendant_ids(session: Session, lot_ids: Iterable[int]) -> set[int]:
    """The lots and everything made from them (recalls open on this closure)."""
    start = list(lot_ids)
    if not start:
        return set()
    found: set[int] = set(start)
    for chunk in chunks(start):
        down = (select(_edge.c.child_id.label("id"))
                .where(_edge.c.parent_id.in_(chunk)).cte("closure", recursive=True))
        down = down.union(select(_edge.c.child_id).join(down, _edge.c.parent_id == down.c.id))
        found.update(session.execute(select(down.c.id)).scalars())
    return found


def ancestor_ids(session: Session, lot_ids: Iterable[int]) -> set[int]:
    """The lots and everything they were made from."""
    start = list(lot_ids)
    found: set[int] = set(start)
    for chunk in chunks(start):
        up = (select(_edge.c.parent_id.label("id"))
              .where(_edge.c.child_id.in_(chunk)).cte("ancestry", recursive=True))
        up = up.union(select(_edge.c.parent_id).join(up, _edge.c.child_id == up.c.id))
        found.update(session.execute(select(up.c.id)).scalars())
    return found


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Successive lists of at most `size` items."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def rows_in(session: Session, stmt_for: Any, ids: Iterable[int]) -> list[Any]:
    """Run `stmt_for(chunk)` for each chunk of ids and concatenate the rows."""
    rows: list[Any] = []
    for chunk in chunks(sorted(set(ids))):
        rows.extend(session.execute(stmt_for(chunk)).all())
    return rows


def rows_by_ids(session: Session, stmt: Any, ids: Iterable[Any]) -> list[Any]:
    """Run a prebuilt statement whose IN list is the expanding bind `ids`, chunk by chunk."""
    rows: list[Any] = []
    for chunk in chunks(sorted(set(ids))):
        rows.extend(session.execute(stmt, {"ids": chunk}).all())
    return rows
