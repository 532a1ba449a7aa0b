"""EPC pure identity URNs (GS1 EPC Tag Data Standard 2.0): every GS1 scheme, to `Identifier`."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from chains.epcis.keys import Identifier, InvalidIdentifier, Kind, check_digit

_EPC_URN = re.compile(r"^urn:epc:(id|class|idpat):([a-z]+):(.+)$")
_EPC_CHARS = re.compile(r"^(?:%[0-9A-Fa-f]{2}|[!'()*+,.0-9:;=A-Za-z_\-])+$")
_Parser = Callable[[str, list[str]], Identifier]


def digits(value: str, lengths: tuple[int, ...] | int, what: str) -> str:
    allowed = (lengths,) if isinstance(lengths, int) else lengths
    if not value.isdigit() or len(value) not in allowed or not value.isascii():
        raise InvalidIdentifier(f"{what} must be {'/'.join(map(str, allowed))} digits")
    return value


def _prefix(value: str) -> str:
    return digits(value, (6, 7, 8, 9, 10, 11, 12), "the GS1 company prefix")


def _chars(value: str, what: str, max_length: int) -> str:
    if not _EPC_CHARS.match(value):
        raise InvalidIdentifier(f"{what} is missing or has characters an EPC URI does not allow")
    decoded = unquote(value)
    if len(decoded) > max_length:
        raise InvalidIdentifier(f"{what} has more than {max_length} characters")
    return decoded


def _gtin(cp: str, item: str) -> str:
    digits(item, 13 - len(cp), "the indicator and item reference")
    body = item[0] + cp + item[1:]
    return body + check_digit(body)


def parse_epc(uri: str) -> Identifier:
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
    ref = digits(f[1], 17 - len(cp), "the extension digit and serial reference")
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
                key += digits(rest, tuple(range(1, serial_max + 1)), "the serial")
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
    serial = digits(f[2], tuple(range(1, 13)), "the CPI serial")
    return Identifier("cpi", uri, "8010", key, serial=serial, qualifiers=(("8011", serial),),
                      company_prefix_length=len(cp))


def _itip(uri: str, f: list[str]) -> Identifier:
    cp = _prefix(f[0])
    gtin = _gtin(cp, f[1])
    key = gtin + digits(f[2], 2, "the piece number") + digits(f[3], 2, "the piece total")
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
    ("id", "grai"): _keyed("grai", "8003", 12, 16),
    ("idpat", "grai"): _keyed("grai", "8003", 12, 16),
    ("id", "gdti"): _keyed("gdti", "253", 12, 17),
    ("idpat", "gdti"): _keyed("gdti", "253", 12, 17),
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
