"""What list and form pages share: filters read from the query string, the signed-in actor,
and the partners a form offers to choose from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from flask import request
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import auth
from api.openapi import query_dict
from api.web.forms import errors_of
from registry.actors import Actor
from registry.models import Partner, PartnerKind, Role
from registry.paging import PageQuery

Q = TypeVar("Q", bound=PageQuery)

PER_PAGE = 20
"""Rows per list page (the API's default is larger; a page should fit a phone)."""
MAX_CHOICES = 300
"""A select offers at most this many partners; more means typing the partner's id."""


def list_query(model: type[Q]) -> tuple[Q, dict[str, list[str]]]:
    """The list's filters from the query string, and errors of those that do not parse
    (the list then ignores them)."""
    data = {k: v for k, v in query_dict(request.args, model).items() if v not in (None, "", [])}
    data.setdefault("per_page", PER_PAGE)
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors = errors_of(exc)
        kept = {k: v for k, v in data.items() if k not in errors}
        return model.model_validate(kept), errors


def filters() -> dict[str, str]:
    """The filters as the user typed them, to show in the filter form."""
    return {k: v for k, v in request.args.items() if k not in ("page", "lang")}


def actor() -> Actor:
    """The signed-in user as the domain sees them."""
    return auth.current_actor()


def optional_actor() -> Actor | None:
    """The signed-in user as the domain sees them, if anyone signed in."""
    return auth.optional_actor()


def can_issue(who: Actor | None, province_code_current: str | None = None) -> bool:
    """Whether to offer an agency's writes (issue, change status) to this user."""
    if who is None or not (who.is_admin or who.is_agency):
        return False
    return province_code_current is None or who.covers_province(province_code_current)


def partner_choices(session: Session, who: Actor, kinds: Iterable[PartnerKind] = (),
                    include: int | None = None) -> list[tuple[str, str]] | None:
    """Partners a form may name, as (id, label): the user's own partner for a partner user,
    partners of the agency's provinces, or every partner for admins. None when there are
    too many for a select."""
    stmt = select(Partner.id, Partner.name, Partner.province_code_current).order_by(
        Partner.name, Partner.id)
    kinds = list(kinds)
    if kinds:
        stmt = stmt.where(Partner.kind.in_(kinds))
    if who.role is Role.PARTNER:
        stmt = stmt.where(Partner.id == who.partner_id)
    elif who.role is Role.AGENCY:
        stmt = stmt.where(Partner.province_code_current.in_(sorted(who.provinces)))
    rows = session.execute(stmt.limit(MAX_CHOICES + 1)).all()
    if len(rows) > MAX_CHOICES:
        return None
    choices = [(str(r.id), f"{r.name} (#{r.id})") for r in rows]
    if include is not None and str(include) not in {c[0] for c in choices}:
        extra = session.get(Partner, include)
        if extra is not None:
            choices.insert(0, (str(extra.id), f"{extra.name} (#{extra.id})"))
    return choices


def status_for(errors: dict[str, Any]) -> int:
    """A list page answers 422 when a filter could not be read, else 200."""
    return 422 if errors else 200
