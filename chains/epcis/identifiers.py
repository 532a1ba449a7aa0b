"""EPCIS identifiers: EPC URNs (TDS 2.0), GS1 Digital Link URIs and the registry's own location
URIs for growing-area codes and aquaculture registrations, all parsed to one `Identifier`."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

from biip import ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI

from chains.epcis.epc_urns import digits, parse_epc
from chains.epcis.keys import (
    GS1_DOMAIN,
    Identifier,
    InvalidIdentifier,
    Kind,
    check_digit,
    dl_escape,
    is_uri,
)

__all__ = ["Identifier", "InvalidIdentifier", "Kind", "is_uri", "parse_identifier",
           "canonical_uri", "growing_area_uri", "aquaculture_registration_uri", "lot_uri",
           "gln_uri", "party_uri"]

GROWING_AREAS = "growing-areas"
AQUACULTURE_REGISTRATIONS = "aquaculture-registrations"
_DL_SHORT_NAMES = {"gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417",
                   "gsrnp": "8017", "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253",
                   "ginc": "401", "gsin": "402", "grai": "8003", "giai": "8004", "cpv": "22",
                   "lot": "10", "ser": "21"}
_DL_FAST_KEYS = {"01": ("10", "21"), "414": ("254",), "417": (), "00": ()}
"""The common Digital Link shapes (primary key: qualifiers allowed), read without biip."""


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
        return parse_epc(uri)
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
    return f"{domain.rstrip('/')}/01/{gtin}/10/{dl_escape(batch)}"


def gln_uri(gln: str, extension: str | None = None, domain: str = GS1_DOMAIN) -> str:
    """The Digital Link URI of a location GLN, with its extension (AI 254) if any."""
    tail = f"/254/{dl_escape(extension)}" if extension and extension != "0" else ""
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
    fast = _fast_elements(uri)
    if fast is not None:  # the common shapes, without biip's general parser (4x faster)
        return _from_elements(uri, fast)
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


def _fast_elements(uri: str) -> list[tuple[str, str]] | None:
    path = uri.partition("://")[2].partition("?")[0].partition("#")[0]
    parts = path.split("/")[1:]
    if parts and not parts[-1]:
        parts.pop()
    for index, part in enumerate(parts):
        if part in _DL_FAST_KEYS:
            pairs = parts[index:]
            if len(pairs) % 2 or not (pairs[1].isdigit() and pairs[1].isascii()):
                return None
            qualifiers = pairs[2::2]
            if any(q not in _DL_FAST_KEYS[part] for q in qualifiers) or (
                    len(qualifiers) > 1 and qualifiers != ["10", "21"]):
                return None
            return [(pairs[i], unquote(pairs[i + 1])) for i in range(0, len(pairs), 2)]
    return None


def _from_elements(uri: str, elements: list[tuple[str, str]]) -> Identifier:
    (ai, key), qualifiers = elements[0], dict(elements[1:])
    if ai == "01":
        gtin = _checked(digits(key.zfill(14), 14, "a GTIN"), "GTIN")
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
        gln = _checked(digits(key, 13, "a GLN"), "GLN")
        extension = qualifiers.get("254") if ai == "414" else None
        return Identifier("sgln" if ai == "414" else "pgln", uri, ai, gln, gln=gln,
                          gln_extension=extension,
                          qualifiers=(("254", extension),) if extension else ())
    if ai == "00":
        sscc = _checked(digits(key, 18, "an SSCC"), "SSCC")
        return Identifier("sscc", uri, "00", sscc, sscc=sscc)
    kind = _DL_KINDS.get(ai)
    if kind is None:
        return Identifier("other", uri)
    kept = tuple((q, v) for q, v in elements[1:] if q in ("21", "8011"))
    serial = next((v for _, v in kept), None)
    return Identifier(kind, uri, ai, key, gtin=key[:14] if ai == "8006" else None,
                      serial=serial, qualifiers=kept)
