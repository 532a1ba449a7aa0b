"""Form handling shared by the pages: the domain's pydantic models validate form posts, and
their errors come back in the user's language next to the field at fault."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import request
from flask_babel import gettext
from pydantic import BaseModel, ValidationError

from api.problems import field_errors
from registry.errors import DomainError, FieldError

M = TypeVar("M", bound=BaseModel)

# Pydantic's error types, in the user's language (the catalog translates the msgids).
_TYPE_MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda c: gettext("This field is required."),
    "greater_than": lambda c: gettext("Must be greater than %(n)s.", n=c.get("gt")),
    "greater_than_equal": lambda c: gettext("Must be at least %(n)s.", n=c.get("ge")),
    "less_than": lambda c: gettext("Must be less than %(n)s.", n=c.get("lt")),
    "less_than_equal": lambda c: gettext("Must be at most %(n)s.", n=c.get("le")),
    "string_too_short": lambda c: gettext("Too short: at least %(n)s characters.",
                                          n=c.get("min_length")),
    "string_too_long": lambda c: gettext("Too long: at most %(n)s characters.",
                                         n=c.get("max_length")),
    "string_pattern_mismatch": lambda c: gettext("The format is not valid."),
    "date_from_datetime_parsing": lambda c: gettext("Enter a date as YYYY-MM-DD."),
    "date_parsing": lambda c: gettext("Enter a date as YYYY-MM-DD."),
    "int_parsing": lambda c: gettext("Enter a whole number."),
    "float_parsing": lambda c: gettext("Enter a number."),
    "enum": lambda c: gettext("Choose one of the listed values."),
    "literal_error": lambda c: gettext("Choose one of the listed values."),
}


def translate(message: str) -> str:
    """A domain or validation message in the user's language, when the catalog has it."""
    translated: str = gettext(message)
    return translated


def errors_of(exc: ValidationError | DomainError) -> dict[str, list[str]]:
    """Errors by field name (dotted), translated, for a form to show beside each input."""
    found: dict[str, list[str]] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors(include_url=False):
            path = ".".join(str(p) for p in error["loc"]) or "_form"
            by_type = _TYPE_MESSAGES.get(error["type"])
            if by_type is not None:
                text = by_type(error.get("ctx") or {})
            else:
                text = translate(error["msg"].removeprefix("Value error, "))
            found.setdefault(path, []).append(text)
        return found
    fields: Iterable[FieldError] = exc.errors or [FieldError("_form", exc.detail)]
    for error in fields:
        found.setdefault(error.field, []).append(translate(error.message))
    if exc.errors:
        found.setdefault("_form", []).append(translate(exc.detail))
    return found


def form_data(*, lists: Iterable[str] = (), nested: Iterable[str] = ("place",)) -> dict[str, Any]:
    """The posted form as a dict: empty fields dropped, `a.b` names nested, lists split."""
    data: dict[str, Any] = {}
    list_fields = set(lists)
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
        head, _, tail = key.partition(".")
        if tail and head in set(nested):
            data.setdefault(head, {})[tail] = value
        else:
            data[key] = value
    return data


def validate(model: type[M], data: dict[str, Any]) -> M:
    """The form's data as the domain's model (raises ValidationError)."""
    return model.model_validate(data)


__all__ = ["errors_of", "field_errors", "form_data", "translate", "validate"]
