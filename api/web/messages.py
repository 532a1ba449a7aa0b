"""The domain's messages (English, with values in them) in the user's language.

`registry/` words its refusals in English for the API and the log. Pages show them through
`translate`: fixed messages are msgids of the catalog (marked here with `N_` so that pybabel
extracts them), and messages that carry values are matched by a pattern and re-worded.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext


def N_(message: str) -> str:  # noqa: N802  (the conventional gettext_noop marker)
    """Mark a domain message for extraction; it is translated when shown."""
    return message


FIXED = (
    N_("a growing-area code starts with VN and has 4 to 40 more letters, digits or hyphens "
       "(e.g. VN-80-794-27694-01-22 or VN-DTOR-0017)"),
    N_("coordinates are [longitude, latitude] pairs in degrees"),
    N_("a polygon ring has at least 4 positions and is closed"),
    N_("markets are ISO 3166 alpha-2 codes such as CN, US, JP"),
    N_("give the place (the code does not name one)"),
    N_("give the farmed area (area_m2) or the number of cages"),
    N_("each species has 2 to 120 characters"),
    N_("a GTIN has 8, 12, 13 or 14 digits"),
    N_("a GLN has 13 digits"),
    N_("districts were abolished on 2025-07-01 (vn2025 has none)"),
    N_("a district code has 3 digits"),
    N_("a commune code has 5 digits"),
    N_("the place is not a known administrative unit"),
    N_("is before the record was issued"),
    N_("a revoked record cannot change status; issue a new one"),
    N_("give holder_type with holder_id"),
    N_("may not be cleared: leave it out to keep the current value"),
    N_("some values are missing or invalid"),
    N_("an internal error occurred; it has been logged"),
)
"""Messages without values, as the domain words them (each one is a msgid)."""

_SCHEMES = {"vn2004": N_("pre-2025"), "vn2025": N_("current")}


def _scheme(name: str) -> str:
    return gettext(_SCHEMES[name]) if name in _SCHEMES else name


def _kinds(values: str) -> str:
    """"producer, cooperative" as the partner kinds' labels."""
    from api.web.labels import label  # labels registers template helpers on the blueprint
    from registry.models import PartnerKind

    known = {k.value: k for k in PartnerKind}
    return ", ".join(label(known[v]) if v in known else v
                     for v in (part.strip() for part in values.split(",")))


PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^is before (?P<field>\w+) \((?P<day>[\d-]+)\)$"),
     lambda m: gettext("Must not be before %(day)s.", day=m["day"])),
    (re.compile(r"^(?:.+ )?'(?P<value>.*)' is already registered$"),
     lambda m: gettext("%(value)s is already registered.", value=m["value"])),
    (re.compile(r"^no partner (?P<id>\d+)$"),
     lambda m: gettext("There is no partner %(id)s.", id=m["id"])),
    (re.compile(r"^no growing area '(?P<code>.*)'$"),
     lambda m: gettext("There is no growing area %(code)s.", code=m["code"])),
    (re.compile(r"^no registration '(?P<number>.*)'$"),
     lambda m: gettext("There is no aquaculture registration %(number)s.",
                       number=m["number"])),
    (re.compile(r"^no product (?P<id>\d+)$"),
     lambda m: gettext("There is no product %(id)s.", id=m["id"])),
    (re.compile(r"^no certification (?P<id>\d+)$"),
     lambda m: gettext("There is no certification %(id)s.", id=m["id"])),
    (re.compile(r"^partner (?P<id>\d+) is not registered$"),
     lambda m: gettext("Partner %(id)s is not registered.", id=m["id"])),
    (re.compile(r"^growing-area code '(?P<code>.*)' is not registered$"),
     lambda m: gettext("Growing-area code %(code)s is not registered.", code=m["code"])),
    (re.compile(r"^aquaculture registration '(?P<number>.*)' is not registered$"),
     lambda m: gettext("Aquaculture registration %(number)s is not registered.",
                       number=m["number"])),
    (re.compile(r"^product (?P<id>\d+) is not registered$"),
     lambda m: gettext("Product %(id)s is not registered.", id=m["id"])),
    (re.compile(r"^certification (?P<id>\d+) is not recorded$"),
     lambda m: gettext("Certification %(id)s is not recorded.", id=m["id"])),
    (re.compile(r"^must be a (?P<kinds>.+)$"),
     lambda m: gettext("Must be a partner of kind: %(kinds)s.", kinds=_kinds(m["kinds"]))),
    (re.compile(r"^partner (?P<id>\d+) is a (?P<kind>\w+); this needs (?P<kinds>.+)$"),
     lambda m: gettext("Partner %(id)s is a %(kind)s; this needs: %(kinds)s.",
                       id=m["id"], kind=_kinds(m["kind"]), kinds=_kinds(m["kinds"]))),
    (re.compile(r"^'(?P<code>.*)' is not a (?P<scheme>\w+) province(?: code)?$"),
     lambda m: gettext("%(code)s is not a %(scheme)s province code.", code=m["code"],
                       scheme=_scheme(m["scheme"]))),
    (re.compile(r"^a (?P<type>\w+) id is a number$"),
     lambda m: gettext("Enter the id as a number.")),
    (re.compile(r"^unknown scheme '(?P<scheme>.*)'; known: .*$"),
     lambda m: gettext("Unknown scheme %(scheme)s.", scheme=m["scheme"])),
    (re.compile(r"^Invalid (?P<key>GTIN|GLN) check digit for '(?P<value>\d+)': "
                r"Expected (?P<expected>\d), got (?P<got>\d)\.$"),
     lambda m: gettext("Wrong check digit in %(key)s %(value)s: expected %(expected)s, "
                       "got %(got)s.", key=m["key"], value=m["value"],
                       expected=m["expected"], got=m["got"])),
    (re.compile(r"^.+ lies in province (?P<province>\d+); \S+ acts for provinces (?P<mine>.+)$"),
     lambda m: gettext("This record lies in province %(province)s; your account acts for "
                       "provinces %(mine)s.", province=m["province"], mine=m["mine"])),
    (re.compile(r"^this needs the role (?P<wanted>.+); \S+ is (?P<role>\w+)$"),
     lambda m: gettext("This needs the role %(wanted)s; your account has the role %(role)s.",
                       wanted=m["wanted"], role=m["role"])),
    (re.compile(r"^\S+ acts only for partner (?P<mine>\w+), not for partner (?P<other>\d+)$"),
     lambda m: gettext("Your account acts only for partner %(mine)s, not for partner "
                       "%(other)s.", mine=m["mine"], other=m["other"])),
]
"""Messages with values: a pattern of the domain's wording, and the translated re-wording."""


def translate(message: str) -> str:
    """A domain or validation message in the user's language, when the catalog has it."""
    for pattern, reword in PATTERNS:
        match = pattern.match(message)
        if match is not None:
            return reword(match)
    translated: str = gettext(message)
    return translated
