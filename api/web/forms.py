"""Form handling shared by the pages: the domain's pydantic models validate form posts, and
their errors come back in the user's language next to the field at fault."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import request
from flask_babel import format_decimal, gettext
from pydantic import BaseModel, ValidationError

from api.problems import field_errors
from api.web.messages import translate
from registry.errors import Conflict, DomainError, FieldError, Forbidden

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

FORM = "_form"
"""The key of errors that belong to no single field (shown above the form)."""


def _n(value: Any) -> str:
    """A bound from a pydantic error as the user writes numbers (0, not 0.0; 0,1 in vi)."""
    if isinstance(value, int | float):
        return str(format_decimal(value, format="#,##0.##########"))
    return str(value)


# Pydantic's error types, in the user's language (the catalog translates the msgids).
_TYPE_MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda c: gettext("This field is required."),
    "greater_than": lambda c: gettext("Must be greater than %(n)s.", n=_n(c.get("gt"))),
    "greater_than_equal": lambda c: gettext("Must be at least %(n)s.", n=_n(c.get("ge"))),
    "less_than": lambda c: gettext("Must be less than %(n)s.", n=_n(c.get("lt"))),
    "less_than_equal": lambda c: gettext("Must be at most %(n)s.", n=_n(c.get("le"))),
    "string_too_short": lambda c: gettext("Too short: at least %(n)s characters.",
                                          n=c.get("min_length")),
    "string_too_long": lambda c: gettext("Too long: at most %(n)s characters.",
                                         n=c.get("max_length")),
    "too_short": lambda c: gettext("Give at least %(n)s.", n=c.get("min_length")),
    "too_long": lambda c: gettext("Give at most %(n)s.", n=c.get("max_length")),
    "string_pattern_mismatch": lambda c: gettext("The format is not valid."),
    "date_from_datetime_parsing": lambda c: gettext("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": lambda c: gettext("Enter a date as YYYY-MM-DD."),
    "date_parsing": lambda c: gettext("Enter a date as YYYY-MM-DD."),
    "date_type": lambda c: gettext("Enter a date as YYYY-MM-DD."),
    "int_parsing": lambda c: gettext("Enter a whole number."),
    "int_from_float": lambda c: gettext("Enter a whole number."),
    "float_parsing": lambda c: gettext("Enter a number."),
    "bool_parsing": lambda c: gettext("Choose yes or no."),
    "enum": lambda c: gettext("Choose one of the listed values."),
    "literal_error": lambda c: gettext("Choose one of the listed values."),
    "extra_forbidden": lambda c: gettext("This field is not expected here."),
}


class Rejected(Exception):
    """A form post the registry refused: errors by field, and the status to answer with."""

    def __init__(self, errors: dict[str, list[str]], status: int) -> None:
        super().__init__(f"form rejected ({status})")
        self.errors, self.status = errors, status


def _path(loc: Iterable[Any]) -> str:
    # list items ("species.0") belong to the list's input
    return ".".join(str(p) for p in loc if not isinstance(p, int)) or FORM


def errors_of(exc: ValidationError | DomainError) -> dict[str, list[str]]:
    """Errors by field name (dotted), translated, for a form to show beside each input."""
    found: dict[str, list[str]] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors(include_url=False):
            by_type = _TYPE_MESSAGES.get(error["type"])
            if by_type is not None:
                text = by_type(error.get("ctx") or {})
            else:
                text = translate(error["msg"].removeprefix("Value error, "))
            found.setdefault(_path(error["loc"]), []).append(text)
        return found
    fields: Iterable[FieldError] = exc.errors or [FieldError(FORM, exc.detail)]
    for field_error in fields:
        found.setdefault(field_error.field, []).append(translate(field_error.message))
    return found


def placed(errors: dict[str, list[str]], fields: Iterable[str],
           aliases: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Errors moved to the inputs a form has: aliases first, then the nearest parent path;
    what still fits no input goes above the form."""
    known = set(fields)
    result: dict[str, list[str]] = {}
    for key, messages in errors.items():
        target = (aliases or {}).get(key, key)
        while target not in known and "." in target:
            target = target.rsplit(".", 1)[0]
            target = (aliases or {}).get(target, target)
        if target not in known:
            target = FORM
        result.setdefault(target, []).extend(m for m in messages
                                             if m not in result.get(target, []))
    return result


def submit(action: Callable[[], T], fields: Iterable[str],
           aliases: Mapping[str, str] | None = None) -> T:
    """Run a validation and domain write; refusals about values become Rejected (the form
    shows them), a refusal of the actor as such stays a DomainError (the error page)."""
    try:
        return action()
    except ValidationError as exc:
        raise Rejected(placed(errors_of(exc), fields, aliases), 422) from None
    except Forbidden as exc:
        if not exc.errors:
            raise in_user_language(exc) from None
        raise Rejected(placed(errors_of(exc), fields, aliases), 403) from None
    except Conflict as exc:
        raise Rejected(placed(errors_of(exc), fields, aliases), 409) from None
    except DomainError as exc:  # Invalid, and NotFound of a referenced record
        raise Rejected(placed(errors_of(exc), fields, aliases), 422) from None


def in_user_language(exc: DomainError) -> DomainError:
    """The same refusal with its detail and messages translated (for the error page)."""
    exc.detail = translate(exc.detail)
    exc.errors = tuple(FieldError(e.field, translate(e.message)) for e in exc.errors)
    return exc


@contextmanager
def refusals_translated() -> Iterator[None]:
    """Let a refusal raised inside reach the error page in the user's language."""
    try:
        yield
    except DomainError as exc:
        raise in_user_language(exc) from None


def form_data(*, lists: Iterable[str] = (), nested: Iterable[str] = ("place",),
              numbers: Iterable[str] = ()) -> dict[str, Any]:
    """The posted form as a dict: empty fields dropped, `a.b` names nested, lists split,
    decimal commas in `numbers` read as points."""
    data: dict[str, Any] = {}
    list_fields, number_fields, nested_heads = set(lists), set(numbers), set(nested)
    for key in request.form:
        if key == "csrf_token":
            continue
        value = request.form.get(key, "").strip()
        if key in list_fields:
            items = [v.strip() for v in re.split(r"[,;\n]", value) if v.strip()]
            if items:
                data[key] = items
            continue
        if value == "":
            continue
        if key in number_fields:
            value = value.replace(" ", "").replace(",", ".")
        head, _, tail = key.partition(".")
        if tail and head in nested_heads:
            data.setdefault(head, {})[tail] = value
        else:
            data[key] = value
    return data


def split_province(data: dict[str, Any], key: str = "place") -> dict[str, Any]:
    """`place.province` ("vn2004:80") as the domain's adm_scheme and province_code."""
    place = data.get(key)
    if isinstance(place, dict) and "province" in place:
        scheme, _, code = str(place.pop("province")).rpartition(":")
        if scheme:
            place["adm_scheme"] = scheme
        place["province_code"] = code
    return data


PLACE_ALIASES = {"place.province_code": "place.province", "place.adm_scheme": "place.province",
                 "place": "place.province"}
"""Where the domain's place errors show on a form with one province select."""


def validate(model: type[M], data: dict[str, Any]) -> M:
    """The form's data as the domain's model (raises ValidationError)."""
    return model.model_validate(data)


__all__ = ["FORM", "PLACE_ALIASES", "Rejected", "errors_of", "field_errors", "form_data",
           "in_user_language", "placed", "refusals_translated", "split_province", "submit",
           "translate", "validate"]
