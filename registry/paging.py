"""Pages of list results, the same shape everywhere: items, page, per_page, total."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PER_PAGE = 200


class PageQuery(BaseModel):
    """Paging and search parameters of a list request."""

    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=MAX_PER_PAGE)
    q: str | None = Field(default=None, max_length=200, description="search text")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(session: Session, query: Select[Any], paging: PageQuery,
             render: Callable[[Any], T]) -> Page[T]:
    """Run `query` for one page and render its rows."""
    total = session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows: Sequence[Any] = session.execute(
        query.limit(paging.per_page).offset((paging.page - 1) * paging.per_page)
    ).unique().scalars().all()
    return Page[T](items=[render(r) for r in rows], page=paging.page,
                   per_page=paging.per_page, total=total)


def like(text: str) -> str:
    """A case-insensitive LIKE pattern for `text`, wildcards escaped."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
