"""The lot, shipment, transformation and chain refusals of the domain (English, with values in
them) as sentences in the user's language, for the forms to show beside each input."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext

from api.web import forms

_FIXED: dict[str, Callable[[], str]] = {
    "is in the future": lambda: gettext("This time is in the future."),
    "is before the shipment left": lambda: gettext("This is before the shipment left."),
    "already received": lambda: gettext("This shipment was already received."),
    "a partner does not ship to itself": lambda: gettext("A partner does not ship to itself."),
    "agencies take samples, not shipments": lambda: gettext(
        "Agencies take samples, not shipments: choose another recipient."),
    "a farm origin is the harvesting partner itself": lambda: gettext(
        "A farm origin is the harvesting partner itself."),
    "must be greater than 0": lambda: gettext("Must be greater than 0."),
    "is not a number": lambda: gettext("Enter a number."),
    "is too large": lambda: gettext("The number is too large."),
    "is listed twice": lambda: gettext("This partner is listed twice."),
    "is not a member of the chain": lambda: gettext("This partner is not a member of the chain."),
    "choose a partner from the list or give its number": lambda: gettext(
        "Choose a partner from the list or type its number."),
}

_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^(?P<code>\S+) is held by partner (?P<holder>\d+), not by partner \d+$"),
     lambda m: gettext("%(code)s belongs to partner %(holder)s, not to this partner.",
                       code=m["code"], holder=m["holder"])),
    (re.compile(r"^not valid on (?P<day>[\d-]+)$"),
     lambda m: gettext("Not valid on %(day)s.", day=m["day"])),
    (re.compile(r"^more than was shipped \((?P<quantity>[\d.]+) (?P<unit>\w+)\)$"),
     lambda m: gettext("More than was shipped (%(quantity)s %(unit)s).",
                       quantity=m["quantity"].removesuffix(".0"), unit=m["unit"])),
    (re.compile(r"^is finer than 1 (?P<unit>\w+)$"),
     lambda m: gettext("Finer than 1 %(unit)s: round it.", unit=m["unit"])),
    (re.compile(r"^(?P<unit>\w+) does not convert to the lot's unit (?P<base>\w+)$"),
     lambda m: gettext("%(unit)s does not convert to the lot's unit (%(base)s).",
                       unit=m["unit"], base=m["base"])),
    (re.compile(r"^no lot '(?P<code>.*)'$"),
     lambda m: gettext("There is no lot %(code)s.", code=m["code"])),
    (re.compile(r"^lot (?P<code>\S+) is listed twice$"),
     lambda m: gettext("Lot %(code)s is listed twice.", code=m["code"])),
    (re.compile(r"^batch (?P<batch>.+) is listed twice$"),
     lambda m: gettext("Batch %(batch)s is listed twice.", batch=m["batch"])),
    (re.compile(r"^unknown scheme '(?P<scheme>.*)'$"),
     lambda m: gettext("Unknown certificate scheme %(scheme)s.", scheme=m["scheme"])),
    (re.compile(r"^no partner (?P<id>\d+)$"),
     lambda m: gettext("There is no partner %(id)s.", id=m["id"])),
    (re.compile(r"^no product (?P<id>\d+)$"),
     lambda m: gettext("There is no product %(id)s.", id=m["id"])),
    (re.compile(r"^'(?P<value>.*)' is already registered$"),
     lambda m: gettext("%(value)s is already registered.", value=m["value"])),
    (re.compile(r"^a batch has 1 to 20 characters"),
     lambda m: gettext("A batch has 1 to 20 letters, digits or GS1 signs.")),
]


def translate(message: str) -> str:
    """A domain message about lots or chains in the user's language (others as the shared
    form helpers translate them)."""
    fixed = _FIXED.get(message)
    if fixed is not None:
        return fixed()
    for pattern, render in _PATTERNS:
        found = pattern.match(message)
        if found:
            return render(found)
    return forms.translate(message)
