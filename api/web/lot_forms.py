"""Form plumbing of the stock, lot and chain pages: local times, rows of inputs, partner
choices, and refusals turned into errors beside the inputs (nothing stored on a refusal)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import request
from flask_babel import format_decimal, get_locale, gettext
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.web import lot_messages
from api.web.lot_labels import term
from registry import lots
from registry.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from registry.events import VN_TZ
from registry.holdings import InsufficientQuantity, LotNotMovable
from registry.models import CertificationScheme, Partner, PartnerKind
from registry.paging import like
from registry.text import fold
from registry.units import Unit, display

FORM = "_form"
"""The key of errors that belong to no single input (shown above the form)."""
MAX_CHOICES = 300
"""Options in a partner or product list; beyond it the user types the id."""
_LEADING_ID = re.compile(r"^\s*#?(\d{1,12})\b")

_TYPE_MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda c: gettext("This field is required."),
    "greater_than": lambda c: gettext("Must be greater than %(n)s.", n=c.get("gt")),
    "greater_than_equal": lambda c: gettext("Must be at least %(n)s.", n=c.get("ge")),
    "string_too_short": lambda c: gettext("Too short: at least %(n)s characters.",
                                          n=c.get("min_length")),
    "string_too_long": lambda c: gettext("Too long: at most %(n)s characters.",
                                         n=c.get("max_length")),
    "too_short": lambda c: gettext("Give at least %(n)s.", n=c.get("min_length")),
    "too_long": lambda c: gettext("Give at most %(n)s.", n=c.get("max_length")),
    "decimal_parsing": lambda c: gettext("Enter a number."),
    "decimal_max_places": lambda c: gettext("At most %(n)s decimal places.",
                                            n=c.get("decimal_places")),
    "decimal_max_digits": lambda c: gettext("The number is too long."),
    "int_parsing": lambda c: gettext("Enter a whole number."),
    "int_type": lambda c: gettext("Enter a whole number."),
    "date_from_datetime_parsing": lambda c: gettext("Enter a date as YYYY-MM-DD."),
    "date_parsing": lambda c: gettext("Enter a date as YYYY-MM-DD."),
    "datetime_from_date_parsing": lambda c: gettext("Enter a date and time."),
    "datetime_parsing": lambda c: gettext("Enter a date and time."),
    "enum": lambda c: gettext("Choose one of the listed values."),
    "string_pattern_mismatch": lambda c: gettext("The format is not valid."),
}


@dataclass
class FormState:
    """What a form shows: the values typed and the errors beside each input."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def value(self, name: str, default: Any = "") -> Any:
        """The value typed into `name`, or the default."""
        found = self.values.get(name)
        return default if found is None or found == "" else found

    def error(self, name: str) -> list[str]:
        """The messages for input `name`."""
        return self.errors.get(name, [])


class Rejected(Exception):
    """A form the domain refused: errors by input, and the HTTP status to answer with."""

    def __init__(self, errors: dict[str, list[str]], status: int) -> None:
        super().__init__(f"form rejected ({status})")
        self.errors, self.status = errors, status


def now_input() -> str:
    """Now in Vietnam, as a datetime-local input's value."""
    return datetime.now(VN_TZ).strftime("%Y-%m-%dT%H:%M")


def today_input() -> str:
    """Today in Vietnam, as a date input's value."""
    return datetime.now(VN_TZ).strftime("%Y-%m-%d")


def moment(text: str | None) -> str | None:
    """A datetime-local value ("2026-11-28T10:30") as an aware time in Vietnam (UTC+7)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text  # the model names the field
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VN_TZ)
    return parsed.isoformat()


def number(text: str | None) -> str | None:
    """A typed quantity: spaces dropped, a lone decimal comma read as a point."""
    text = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    return text


def partner_id_of(session: Session, text: str | None, field_name: str) -> int | None:
    """A partner typed as "12", "#12", "12 · Name" (the list's option) or by a name that
    finds exactly one partner: its id; Invalid naming the field otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    found = _LEADING_ID.match(text)
    if found:
        return int(found.group(1))
    matches = session.execute(select(Partner.id).where(
        Partner.search_text.like(like(fold(text)), escape="\\")).limit(2)).scalars().all()
    if len(matches) == 1:
        return int(matches[0])
    raise Invalid.field(field_name, "choose a partner from the list or give its number")


def rows(prefix: str, names: Iterable[str], count: int, *,
         ignore: Iterable[str] = ("unit",)) -> tuple[list[dict[str, str]], list[int]]:
    """The filled rows `prefix.i.name` of a form (a preset unit alone does not fill a row),
    and each kept row's index on the form."""
    kept: list[dict[str, str]] = []
    positions: list[int] = []
    names, skip = list(names), set(ignore)
    for i in range(count):
        row = {n: request.form.get(f"{prefix}.{i}.{n}", "").strip() for n in names}
        if any(v for n, v in row.items() if n not in skip):
            kept.append(row)
            positions.append(i)
    return kept, positions


def row_count(prefix: str, default: int, *, more: bool = False, limit: int = 40) -> int:
    """How many rows a form shows: the posted count (plus 3 when more were asked)."""
    try:
        shown = int(request.values.get(f"{prefix}_rows", default))
    except ValueError:
        shown = default
    return max(default, min(limit, shown + (3 if more else 0)))


def renumber(errors: dict[str, list[str]], prefix: str,
             positions: list[int]) -> dict[str, list[str]]:
    """Errors on the n-th kept row moved to that row's index on the form."""
    pattern = re.compile(rf"^{re.escape(prefix)}\.(\d+)(\..*)?$")
    moved: dict[str, list[str]] = {}
    for key, messages in errors.items():
        match = pattern.match(key)
        if match and int(match.group(1)) < len(positions):
            key = f"{prefix}.{positions[int(match.group(1))]}{match.group(2) or ''}"
        moved.setdefault(key, []).extend(messages)
    return moved


def placed(errors: dict[str, list[str]], inputs: Iterable[str],
           aliases: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Errors moved to the inputs the form has (an alias, else the nearest parent path);
    what fits no input goes above the form."""
    known = set(inputs)
    result: dict[str, list[str]] = {}
    for key, messages in errors.items():
        target = (aliases or {}).get(key, key)
        while target not in known and "." in target:
            target = target.rsplit(".", 1)[0]
            target = (aliases or {}).get(target, target)
        if target not in known:
            target = FORM
        bucket = result.setdefault(target, [])
        bucket.extend(m for m in messages if m not in bucket)
    return result


def _validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        path = ".".join(str(p) for p in error["loc"]) or FORM
        by_type = _TYPE_MESSAGES.get(error["type"])
        text = (by_type(error.get("ctx") or {}) if by_type is not None
                else lot_messages.translate(error["msg"].removeprefix("Value error, ")))
        found.setdefault(path, []).append(text)
    return found


def quantity_text(amount: int, base_unit: str, unit: str | None = None) -> str:
    """A base quantity shown in `unit` where it converts, formatted for the user's language."""
    value, shown = display(amount, base_unit, unit)
    return f"{format_decimal(value, format='#,##0.###')} {term('unit', shown)}"


def lot_quantity(amount: int, lot: Any) -> str:
    """A base quantity of a lot in the lot's own unit."""
    return quantity_text(amount, lot.base_unit, lot.unit)


def _short_of(session: Session, exc: InsufficientQuantity | LotNotMovable,
              field_name: str) -> dict[str, list[str]]:
    lot = lots.get(session, exc.lot_code)
    held, asked = lot_quantity(exc.held, lot), lot_quantity(exc.asked, lot)
    if isinstance(exc, LotNotMovable):
        message = gettext("Lot %(lot)s is %(status)s: it cannot be shipped or transformed.",
                          lot=lot.lot_code, status=status_label(lot.status.value))
    else:
        message = gettext("Not enough: lot %(lot)s held %(held)s, asked %(asked)s.",
                          lot=lot.lot_code, held=held, asked=asked)
    return {field_name: [message]}


def status_label(status: str) -> str:
    """A lot status in the user's language."""
    return term("lot_status", status)


def refusal(session: Session, exc: ValidationError | DomainError) -> tuple[dict[str, list[str]],
                                                                           int]:
    """Errors by field for a refused form, and the status: 409 for conflicts with the stored
    state (mass balance, a lot on hold), 422 for values. Call after rolling back."""
    if isinstance(exc, ValidationError):
        return _validation_errors(exc), 422
    if isinstance(exc, InsufficientQuantity | LotNotMovable):
        field_name = exc.errors[0].field if exc.errors else "quantity"
        return _short_of(session, exc, field_name), 409
    found: dict[str, list[str]] = {}
    for error in exc.errors:
        found.setdefault(error.field, []).append(lot_messages.translate(error.message))
    if not exc.errors:
        found[FORM] = [lot_messages.translate(exc.detail)]
    return found, 409 if isinstance(exc, Conflict) else 422


def attempt(session: Session, action: Callable[[], Any], inputs: Iterable[str],
            aliases: dict[str, str] | None = None,
            renumbered: dict[str, list[int]] | None = None) -> Any:
    """Run a domain write; on a refusal roll everything back and raise Rejected (the form
    shows why). A refusal of the actor itself (403) goes to the error page."""
    try:
        return action()
    except Forbidden:
        session.rollback()
        raise
    except NotFound as exc:
        session.rollback()
        if not exc.errors:
            raise
        errors, status = refusal(session, exc)
    except (ValidationError, DomainError) as exc:
        session.rollback()
        errors, status = refusal(session, exc)
    for prefix, positions in (renumbered or {}).items():
        errors = renumber(errors, prefix, positions)
    raise Rejected(placed(errors, inputs, aliases), status)


def partner_choices(session: Session, *, exclude: int | None = None,
                    q: str | None = None) -> list[Partner]:
    """Partners a user may pick as a recipient or member (agencies left out), by name."""
    stmt = select(Partner).where(Partner.kind != PartnerKind.AGENCY)
    if exclude is not None:
        stmt = stmt.where(Partner.id != exclude)
    if q:
        stmt = stmt.where(Partner.search_text.like(like(fold(q)), escape="\\"))
    return list(session.execute(stmt.order_by(Partner.name).limit(MAX_CHOICES)).scalars())


def scheme_names(session: Session) -> dict[str, str]:
    """Short names of the certification schemes in the user's language, by key."""
    english = str(get_locale()) == "en"
    return {key: (name_en if english else name_vi).split(" (")[0]
            for key, name_vi, name_en in session.execute(select(
                CertificationScheme.key, CertificationScheme.name_vi,
                CertificationScheme.name_en)).all()}


def unit_choices() -> list[str]:
    """The units a quantity may be given in."""
    return [u.value for u in Unit]
