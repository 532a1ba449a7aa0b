"""Closures of the lot graph as SQL, for set-based writes that never ship ids to the client:
a recall of 10,000 lots is a handful of INSERT ... SELECT / UPDATE ... WHERE IN statements."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import CTE, select
from sqlalchemy.orm import Session

from registry.models import Lot, LotEdge

_edge = LotEdge.__table__


def descendants(start: Iterable[int], name: str = "closure") -> CTE:
    """A recursive CTE (column `id`): the start lots and everything made from them."""
    ids = sorted(set(start))
    seed = select(Lot.id.label("id")).where(Lot.id.in_(ids)).cte(name, recursive=True)
    return seed.union(select(_edge.c.child_id).join(seed, _edge.c.parent_id == seed.c.id))


def ancestors(start: Iterable[int], name: str = "ancestry") -> CTE:
    """A recursive CTE (column `id`): the start lots and everything they were made from."""
    ids = sorted(set(start))
    seed = select(Lot.id.label("id")).where(Lot.id.in_(ids)).cte(name, recursive=True)
    return seed.union(select(_edge.c.parent_id).join(seed, _edge.c.child_id == seed.c.id))


def roots(session: Session, start: Iterable[int]) -> set[int]:
    """The harvest lots (no inputs) at the start of the lots' ancestry, in one query."""
    up = ancestors(start)
    has_input = select(_edge.c.child_id).where(_edge.c.child_id == up.c.id).exists()
    return set(session.execute(select(up.c.id).where(~has_input)).scalars())
