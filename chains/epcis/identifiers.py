"""EPCIS identifiers: EPC URNs (TDS 2.0), GS1 Digital Link URIs and the registry's own location
URIs for growing-area codes and aquaculture registrations, all parsed to one `Identifier`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

from biip import ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI

from registry.gs1 import check_digit

Kind = Literal[
    "sgtin", "lgtin", "gtin", "sscc", "sgln", "pgln", "grai", "giai", "gsrn", "gsrnp", "gdti",
    "cpi", "sgcn", "ginc", "gsin", "itip", "upui", "growing_area", "aquaculture_registration",
    "other",
]
GS1_DOMAIN = "https://id.gs1.org"
GROWING_AREAS = "growing-areas"
AQUACULTURE_REGISTRATIONS = "aquaculture-registrations"
_DL_SAFE = "-._';="
"""Characters a canonical Digital Link path value keeps unescaped (GS1 DL 1.2 table 7-1)."""
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
_EPC_URN = re.compile(r"^urn:epc:(id|class|idpat):([a-z]+):(.+)$")
_EPC_CHARS = re.compile(r"^(?:%[0-9A-Fa-f]{2}|[!'()*+,.0-9:;=A-Za-z_\-])+$")
_DL_SHORT_NAMES = {"gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417",
                   "gsrnp": "8017", "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253",
                   "ginc": "401", "gsin": "402", "grai": "8003", "giai": "8004", "cpv": "22",
                   "lot": "10", "ser": "21"}
_DL_FAST = re.compile(r"^https?://[^/?#]+(?:/[^?#]*?)?/(01|414|417|00)/(\d{8,18})"
                      r"(?:/(10|21|254)/([^/?#]+))?(?:/(21)/([^/?#]+))?/?(?:[?#].*)?$")


_Parser = Callable[[str, list[str]], "Identifier"]


class InvalidIdentifier(ValueError):
    """A value that claims to be a GS1 key (EPC URN or Digital Link) but is not a valid one."""


@dataclass(frozen=True)
class Identifier:
    """What an EPCIS identifier names: its kind and the GS1 or registry keys in it.

    `gtin` is always 14 digits; `gln_extension` is None for a GLN itself (SGLN extension 0);
    `key` is the primary GS1 key's value as in a Digital Link path (AI `ai`); `code` is a
    growing-area code or an aquaculture registration number; `pattern` marks a class written as
    an EPC pattern (`urn:epc:idpat:...`)."""

    kind: Kind
    uri: str
    ai: str | None = None
    key: str | None = None
    gtin: str | None = None
    batch: str | None = None
    serial: str | None = None
    sscc: str | None = None
    gln: str | None = None
    gln_extension: str | None = None
    code: str | None = None
    qualifiers: tuple[tuple[str, str], ...] = ()
    pattern: bool = False
    company_prefix_length: int | None = None

    @property
    def is_class(self) -> bool:
        """A quantity of things (LGTIN, or a GTIN or pattern with no serial), not one thing."""
        return self.kind in ("lgtin", "gtin") or self.pattern

    def digital_link(self, domain: str = GS1_DOMAIN) -> str | None:
        """The canonical GS1 Digital Link URI (finest level only), or None if not a GS1 key."""
        if self.ai is None or self.key is None:
            return None
        parts = [domain.rstrip("/"), self.ai, _dl_escape(self.key)]
        for ai, value in self.qualifiers:
            parts += [ai, _dl_escape(value)]
        return "/".join(parts)


def is_uri(value: str) -> bool:
    """Whether `value` looks like an absolute URI (scheme, colon, no spaces)."""
    return bool(_URI.match(value))


def parse_identifier(uri: str, base_url: str | None = None) -> Identifier:
    """Parse an EPC URN, a Digital Link URI, or a location URI under `base_url`.

    Any other absolute URI is returned as kind `other`; InvalidIdentifier for a malformed GS1 key
    (bad structure or check digit) or a value that is not a URI at all."""
    return _parse(uri, base_url.rstrip("/") if base_url else None)


@lru_cache(maxsize=65536)
def _parse(uri: str, base_url: str | None) -> Identifier:
    if not isinstance(uri, str) or not is_uri(uri):
        raise InvalidIdentifier("not an absolute URI")
    if uri.startswith("urn:epc:"):
        return _parse_epc(uri)
    if base_url and (own := _parse_own(uri, base_url)) is not None:
        return own
    if uri.startswith(("http://", "https://")):
        return _parse_digital_link(uri)
    return Identifier("other", uri)


def growing_area_uri(base_url: str, code: str) -> str:
    """The location URI of a growing area (mã số vùng trồng) under the registry's base URL."""
    return f"{base_url.rstrip('/')}/{GROWING_AREAS}/{quote(code, safe='')}"


def aquaculture_registration_uri(base_url: str, number: str) -> str:
    """The location URI of an aquaculture registration under the registry's base URL."""
    return f"{base_url.rstrip('/')}/{AQUACULTURE_REGISTRATIONS}/{quote(number, safe='')}"


def lot_uri(gtin: str, batch: str, domain: str = GS1_DOMAIN) -> str:
    """The Digital Link URI of a lot: GTIN + batch (what EPCIS calls an LGTIN)."""
    return f"{domain.rstrip('/')}/01/{gtin}/10/{_dl_escape(batch)}"


def gln_uri(gln: str, extension: str | None = None, domain: str = GS1_DOMAIN) -> str:
    """The Digital Link URI of a location GLN, with its extension (AI 254) if any."""
    tail = f"/254/{_dl_escape(extension)}" if extension and extension != "0" else ""
    return f"{domain.rstrip('/')}/414/{gln}{tail}"


def party_uri(gln: str, domain: str = GS1_DOMAIN) -> str:
    """The Digital Link URI of a party GLN (AI 417, EPC PGLN)."""
    return f"{domain.rstrip('/')}/417/{gln}"


def canonical_uri(value: str) -> str | None:
    """The canonical Digital Link form of an EPC URN or Digital Link URI, None otherwise."""
    try:
        return parse_identifier(value).digital_link()
    except InvalidIdentifier:
        return None


def _dl_escape(value: str) -> str:
    return quote(value, safe=_DL_SAFE)


def _parse_own(uri: str, base_url: str) -> Identifier | None:
    for segment, kind in ((GROWING_AREAS, "growing_area"),
                          (AQUACULTURE_REGISTRATIONS, "aquaculture_registration")):
        prefix = f"{base_url}/{segment}/"
        if uri.startswith(prefix):
            code = unquote(uri[len(prefix):].split("?")[0].split("#")[0])
            if not code or "/" in uri[len(prefix):].split("?")[0]:
                raise InvalidIdentifier(f"a {kind.replace('_', ' ')} URI ends with one code")
            return Identifier(kind, uri, code=code)  # type: ignore[arg-type]
    return None


# --- EPC URNs (GS1 EPC Tag Data Standard 2.0, pure identity URIs) ---------------------------


def _digits(value: str, lengths: tuple[int, ...] | int, what: str) -> str:
    allowed = (lengths,) if isinstance(lengths, int) else lengths
    if not value.isdigit() or len(value) not in allowed or not value.isascii():
        raise InvalidIdentifier(f"{what} must be {'/'.join(map(str, allowed))} digits")
    return value


def _prefix(value: str) -> str:
    return _digits(value, (6, 7, 8, 9, 10, 11, 12), "the GS1 company prefix")


def _chars(value: str, what: str, max_length: int) -> str:
    if not _EPC_CHARS.match(value):
        raise InvalidIdentifier(f"{what} has characters an EPC URI does not allow")
    decoded = unquote(value)
    if len(decoded) > max_length:
        raise InvalidIdentifier(f"{what} has more than {max_length} characters")
    return decoded


def _gtin(cp: str, item: str) -> str:
    _digits(item, 13 - len(cp), "the indicator and item reference")
    body = item[0] + cp + item[1:]
    return body + check_digit(body)


def _parse_epc(uri: str) -> Identifier:
    match = _EPC_URN.match(uri)
    if match is None:
        raise InvalidIdentifier("an EPC URI is urn:epc:id|class|idpat:<scheme>:<fields>")
    form, scheme, body = match.groups()
    parser = _EPC_SCHEMES.get((form, scheme))
    if parser is None:
        if form == "id" and scheme in ("gid", "usdod", "adi", "bic", "imovn"):
            return Identifier("other", uri)
        raise InvalidIdentifier(f"urn:epc:{form}:{scheme} is not an EPC scheme this registry reads")
    fields = body.split(".")
    try:
        return parser(uri, fields)
    except (IndexError, ValueError) as exc:
        if isinstance(exc, InvalidIdentifier):
            raise
        raise InvalidIdentifier(f"malformed {scheme.upper()} EPC URI") from None


def _sgtin(uri: str, f: list[str]) -> Identifier:
    cp, item, serial = _prefix(f[0]), f[1], _chars(".".join(f[2:]), "the serial", 20)
    gtin = _gtin(cp, item)
    return Identifier("sgtin", uri, "01", gtin, gtin=gtin, serial=serial,
                      qualifiers=(("21", serial),), company_prefix_length=len(cp))


def _lgtin(uri: str, f: list[str]) -> Identifier:
    cp, item, batch = _prefix(f[0]), f[1], _chars(".".join(f[2:]), "the lot", 20)
    gtin = _gtin(cp, item)
    return Identifier("lgtin", uri, "01", gtin, gtin=gtin, batch=batch,
                      qualifiers=(("10", batch),), company_prefix_length=len(cp))


def _gtin_pattern(uri: str, f: list[str]) -> Identifier:
    if len(f) != 3 or f[2] != "*":
        raise InvalidIdentifier("an SGTIN pattern is urn:epc:idpat:sgtin:<prefix>.<item>.*")
    cp = _prefix(f[0])
    gtin = _gtin(cp, f[1])
    return Identifier("gtin", uri, "01", gtin, gtin=gtin, pattern=True,
                      company_prefix_length=len(cp))


def _sscc(uri: str, f: list[str]) -> Identifier:
    cp = _prefix(f[0])
    ref = _digits(f[1], 17 - len(cp), "the extension digit and serial reference")
    if len(f) != 2:
        raise InvalidIdentifier("an SSCC EPC URI has two fields")
    body = ref[0] + cp + ref[1:]
    sscc = body + check_digit(body)
    return Identifier("sscc", uri, "00", sscc, sscc=sscc, company_prefix_length=len(cp))


def _gln(cp: str, ref: str) -> str:
    if ref and not ref.isdigit():
        raise InvalidIdentifier("the location or party reference must be digits")
    body = cp + ref
    if len(body) != 12:
        raise InvalidIdentifier("the company prefix and reference make 12 digits")
    return body + check_digit(body)


def _sgln(uri: str, f: list[str]) -> Identifier:
    cp = _prefix(f[0])
    gln = _gln(cp, f[1])
    ext = _chars(".".join(f[2:]), "the extension", 20)
    extension = None if ext == "0" else ext
    return Identifier("sgln", uri, "414", gln, gln=gln, gln_extension=extension,
                      qualifiers=(("254", extension),) if extension else (),
                      company_prefix_length=len(cp))


def _pgln(uri: str, f: list[str]) -> Identifier:
    if len(f) != 2:
        raise InvalidIdentifier("a PGLN EPC URI has two fields")
    cp = _prefix(f[0])
    gln = _gln(cp, f[1])
    return Identifier("pgln", uri, "417", gln, gln=gln, company_prefix_length=len(cp))


def _keyed(kind: Kind, ai: str, total: int, serial_max: int | None,
           digits_serial: bool = False) -> _Parser:
    """A parser for schemes keyed as company prefix + reference (+ check digit) (+ serial)."""

    def parse(uri: str, f: list[str]) -> Identifier:
        cp = _prefix(f[0])
        ref = f[1] if len(f) > 1 else ""
        if ref and not ref.isdigit():
            raise InvalidIdentifier("the reference must be digits")
        body = cp + ref
        if len(body) != total:
            raise InvalidIdentifier(f"the company prefix and reference make {total} digits")
        key = ("0" if kind == "grai" else "") + body + check_digit(body)
        pattern = False
        if serial_max is not None:
            rest = ".".join(f[2:])
            if rest == "*" and len(f) == 3:
                pattern = True
            elif digits_serial:
                key += _digits(rest, tuple(range(1, serial_max + 1)), "the serial")
            else:
                key += _chars(rest, "the serial", serial_max)
        elif len(f) != 2:
            raise InvalidIdentifier(f"a {kind.upper()} EPC URI has two fields")
        return Identifier(kind, uri, ai, key, pattern=pattern, company_prefix_length=len(cp))

    return parse


def _free(kind: Kind, ai: str, max_length: int) -> _Parser:
    """A parser for company prefix + free text references (GIAI, GINC)."""

    def parse(uri: str, f: list[str]) -> Identifier:
        cp = _prefix(f[0])
        ref = _chars(".".join(f[1:]), "the reference", max_length - len(cp))
        return Identifier(kind, uri, ai, cp + ref, company_prefix_length=len(cp))

    return parse


def _cpi(uri: str, f: list[str]) -> Identifier:
    cp = _prefix(f[0])
    ref = _chars(f[1], "the component/part reference", 30 - len(cp))
    key = cp + ref
    if len(f) == 3 and f[2] == "*" and uri.startswith("urn:epc:idpat:"):
        return Identifier("cpi", uri, "8010", key, pattern=True, company_prefix_length=len(cp))
    serial = _digits(f[2], tuple(range(1, 13)), "the CPI serial")
    return Identifier("cpi", uri, "8010", key, serial=serial, qualifiers=(("8011", serial),),
                      company_prefix_length=len(cp))


def _itip(uri: str, f: list[str]) -> Identifier:
    cp = _prefix(f[0])
    gtin = _gtin(cp, f[1])
    key = gtin + _digits(f[2], 2, "the piece number") + _digits(f[3], 2, "the piece total")
    if len(f) == 5 and f[4] == "*" and uri.startswith("urn:epc:idpat:"):
        return Identifier("itip", uri, "8006", key, gtin=gtin, pattern=True,
                          company_prefix_length=len(cp))
    serial = _chars(".".join(f[4:]), "the serial", 20)
    return Identifier("itip", uri, "8006", key, gtin=gtin, serial=serial,
                      qualifiers=(("21", serial),), company_prefix_length=len(cp))


def _upui(uri: str, f: list[str]) -> Identifier:
    cp = _prefix(f[0])
    gtin = _gtin(cp, f[1])
    if len(f) == 3 and f[2] == "*" and uri.startswith("urn:epc:idpat:"):
        return Identifier("gtin", uri, "01", gtin, gtin=gtin, pattern=True,
                          company_prefix_length=len(cp))
    tpx = _chars(".".join(f[2:]), "the third-party controlled serial", 28)
    return Identifier("upui", uri, "01", gtin, gtin=gtin, serial=tpx,
                      qualifiers=(("235", tpx),), company_prefix_length=len(cp))


_EPC_SCHEMES = {
    ("id", "sgtin"): _sgtin, ("class", "lgtin"): _lgtin, ("idpat", "sgtin"): _gtin_pattern,
    ("id", "sscc"): _sscc, ("id", "sgln"): _sgln, ("id", "pgln"): _pgln,
    ("id", "grai"): _keyed("grai", "8003", 12, 16), ("idpat", "grai"): _keyed("grai", "8003", 12, 16),
    ("id", "gdti"): _keyed("gdti", "253", 12, 17), ("idpat", "gdti"): _keyed("gdti", "253", 12, 17),
    ("id", "sgcn"): _keyed("sgcn", "255", 12, 12, digits_serial=True),
    ("idpat", "sgcn"): _keyed("sgcn", "255", 12, 12, digits_serial=True),
    ("id", "gsrn"): _keyed("gsrn", "8018", 17, None),
    ("id", "gsrnp"): _keyed("gsrnp", "8017", 17, None),
    ("id", "gsin"): _keyed("gsin", "402", 16, None),
    ("id", "giai"): _free("giai", "8004", 30), ("id", "ginc"): _free("ginc", "401", 30),
    ("id", "cpi"): _cpi, ("idpat", "cpi"): _cpi,
    ("id", "itip"): _itip, ("idpat", "itip"): _itip,
    ("id", "upui"): _upui, ("idpat", "upui"): _upui,
}

# --- GS1 Digital Link URIs ------------------------------------------------------------------

_DL_KINDS: dict[str, Kind] = {
    "00": "sscc", "414": "sgln", "417": "pgln", "8003": "grai", "8004": "giai", "8018": "gsrn",
    "8017": "gsrnp", "253": "gdti", "8010": "cpi", "255": "sgcn", "401": "ginc", "402": "gsin",
    "8006": "itip",
}


def _checked(value: str, what: str) -> str:
    if value[-1] != check_digit(value[:-1]):
        raise InvalidIdentifier(f"wrong {what} check digit in {value!r}: expected "
                                f"{check_digit(value[:-1])}")
    return value


def _parse_digital_link(uri: str) -> Identifier:
    fast = _DL_FAST.match(uri)
    if fast is not None:  # the common shapes, without biip's general parser (4x faster)
        ai, key, q1, v1, q2, v2 = fast.groups()
        allowed = {"01": (None, "10", "21"), "414": (None, "254")}.get(ai, (None,))
        if q1 in allowed and (q2 is None or (ai, q1) == ("01", "10")):
            elements = [(ai, key)] + [(q, unquote(v)) for q, v in ((q1, v1), (q2, v2)) if q]
            return _from_elements(uri, elements)
    path = urlsplit(uri).path
    for name, ai in _DL_SHORT_NAMES.items():
        path = path.replace(f"/{name}/", f"/{ai}/")
    try:
        link = GS1DigitalLinkURI.parse(f"https://id.gs1.org{path}")
    except ParseError:
        if urlsplit(uri).hostname in ("id.gs1.org", "id.gs1.de"):
            raise InvalidIdentifier("not a valid GS1 Digital Link URI") from None
        return Identifier("other", uri)
    for element in link.element_strings:
        error = element.gtin_error or element.gln_error or element.sscc_error
        if error:
            raise InvalidIdentifier(error)
    return _from_elements(uri, [(e.ai.ai, e.value) for e in link.element_strings])


def _from_elements(uri: str, elements: list[tuple[str, str]]) -> Identifier:
    (ai, key), qualifiers = elements[0], dict(elements[1:])
    if ai == "01":
        gtin = _checked(_digits(key.zfill(14), 14, "a GTIN"), "GTIN")
        if "21" in qualifiers:
            return Identifier("sgtin", uri, "01", gtin, gtin=gtin, serial=qualifiers["21"],
                              batch=qualifiers.get("10"), qualifiers=(("21", qualifiers["21"]),))
        if "235" in qualifiers:
            return Identifier("upui", uri, "01", gtin, gtin=gtin, serial=qualifiers["235"],
                              qualifiers=(("235", qualifiers["235"]),))
        if "10" in qualifiers:
            return Identifier("lgtin", uri, "01", gtin, gtin=gtin, batch=qualifiers["10"],
                              qualifiers=(("10", qualifiers["10"]),))
        return Identifier("gtin", uri, "01", gtin, gtin=gtin)
    if ai in ("414", "417"):
        gln = _checked(_digits(key, 13, "a GLN"), "GLN")
        extension = qualifiers.get("254") if ai == "414" else None
        return Identifier("sgln" if ai == "414" else "pgln", uri, ai, gln, gln=gln,
                          gln_extension=extension,
                          qualifiers=(("254", extension),) if extension else ())
    if ai == "00":
        sscc = _checked(_digits(key, 18, "an SSCC"), "SSCC")
        return Identifier("sscc", uri, "00", sscc, sscc=sscc)
    kind = _DL_KINDS.get(ai)
    if kind is None:
        return Identifier("other", uri)
    kept = tuple((q, v) for q, v in elements[1:] if q in ("21", "8011"))
    serial = next((v for _, v in kept), None)
    gtin = key[:14] if ai == "8006" else None
    return Identifier(kind, uri, ai, key, gtin=gtin, serial=serial, qualifiers=kept)
