"""GS1 Digital Link URLs for lots, and the short signature that marks a code this registry issued.

Two URL shapes (DESIGN.md section 7):

- `{base}/01/{GTIN-14}/10/{batch}[/21/{serial}]` when the product has a GTIN: a GS1 Digital
  Link URI (GS1 Digital Link Standard: URI Syntax), so any GS1 resolver or scanner app reads it;
- `{base}/l/{lot_code}` for every lot, GTIN or not.

Batch (AI 10) and serial (AI 21) values are up to 20 characters of GS1 AI encodable character
set 82. The standard keeps `A-Z a-z 0-9 - . _` as they are and percent-encodes every other
character of that set (`!"%&'()*+,/:;<=>?`) with upper-case hex, which is what
`urllib.parse.quote(value, safe="")` does for those characters.

Signature. A code carries `?s=` followed by 12 characters: the first 72 bits of
HMAC-SHA256(key, canonical path) in unpadded base64url (RFC 4648 section 5; 9 bytes are exactly
12 characters). The canonical path is the path this module builds (GTIN-14, upper-case percent
escapes, no base URL, no query), so a code still verifies after the site moves to another host
or path prefix, and the GTIN-8/12/13 or lower-case-escape spellings of the same code verify too.
The key is derived from the service's secret key for this one purpose (`signing_key`), so it is
never the key that signs session cookies. 72 bits keep the code small (a version 4-5 QR code for
a typical URL) while guessing one online at thousands of requests per second would take longer
than the age of the universe; verification compares in constant time (`hmac.compare_digest`).
A signature says "this registry printed this code"; it does not say the package is genuine
(a code can be photocopied): the scan log catches copies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from biip import BiipException
from biip.gs1_digital_link_uris import GS1DigitalLinkURI

from registry import gs1
from registry.errors import DomainError, FieldError, Invalid

SIGNATURE_PARAM = "s"
"""The query parameter that carries the signature; `sig` is read as a synonym."""
SIGNATURE_LENGTH = 12
MAX_LINK_LENGTH = 2048
LOT_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$")
"""Lot codes the registry generates: letters, digits, `-` and `_`, so a URL carries them as
they are (no `.` or `~`: `/l/..` must never name a lot)."""

_KEY_PURPOSE = b"nguongoc/qr-signature/v1"
_AI_BATCH, _AI_SERIAL = "10", "21"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$")
_GTIN_14 = re.compile(r"^[0-9]{14}$")
_GTIN_DIGITS = re.compile(r"^(?:[0-9]{8}|[0-9]{12,14})$")
_AI_NAMES = {_AI_BATCH: "batch", _AI_SERIAL: "serial"}


class MalformedLink(DomainError):
    """A scanned or typed URL that is not a code this registry could have issued (HTTP 400)."""

    slug = "malformed-link"

    def __init__(self, reason: str) -> None:
        super().__init__(f"not a valid product code: {reason}", errors=[FieldError("link", reason)])
        self.reason = reason


@dataclass(frozen=True)
class DigitalLink:
    """What a code names: a GTIN with batch and serial, or a lot code; and its signature."""

    gtin: str | None = None  # GTIN-14
    batch: str | None = None
    serial: str | None = None
    lot_code: str | None = None
    signature: str | None = None

    @property
    def path(self) -> str:
        """The canonical path, the one that is signed."""
        if self.lot_code is not None:
            return lot_path(self.lot_code)
        assert self.gtin is not None
        return _gtin_path(self.gtin, self.batch, self.serial)

    @property
    def is_serialised(self) -> bool:
        """True for a code naming one unit (AI 21), not a whole batch."""
        return self.serial is not None

    def is_signed_by(self, keys: bytes | Iterable[bytes]) -> bool:
        """True if the code carries a signature that one of `keys` made for its path."""
        return self.signature is not None and verify(keys, self.path, self.signature)


def gtin_path(gtin: str, batch: str, serial: str | None = None) -> str:
    """`/01/{GTIN-14}/10/{batch}[/21/{serial}]`, values percent-encoded as GS1 Digital Link says."""
    try:
        gtin14 = gs1.checked_gtin(gtin)
    except ValueError as exc:
        raise _invalid("gtin", str(exc)) from None
    _check_ai_value("batch", batch)
    if serial is not None:
        _check_ai_value("serial", serial)
    return _gtin_path(gtin14, batch, serial)


def lot_path(lot_code: str) -> str:
    """`/l/{lot_code}`: the URL path every lot has."""
    if not LOT_CODE.match(lot_code):
        raise _invalid("lot_code", "a lot code has 1 to 32 letters, digits, - or _")
    return f"/l/{lot_code}"


def gtin_url(base_url: str, gtin: str, batch: str, serial: str | None = None, *,
             key: bytes | None = None) -> str:
    """The GS1 Digital Link URL of a batch (or one unit of it), signed when `key` is given."""
    return _url(base_url, gtin_path(gtin, batch, serial), key)


def lot_url(base_url: str, lot_code: str, *, key: bytes | None = None) -> str:
    """The `/l/{lot_code}` URL of a lot, signed when `key` is given."""
    return _url(base_url, lot_path(lot_code), key)


def label_url(base_url: str, lot_code: str, *, gtin: str | None = None, batch: str | None = None,
              serial: str | None = None, key: bytes | None = None) -> str:
    """The URL a lot's QR code carries: GS1 Digital Link when the product has a GTIN (and the
    lot its batch), else `/l/{lot_code}`; one unit of it when `serial` is given (GTIN only)."""
    if gtin and batch:
        return gtin_url(base_url, gtin, batch, serial, key=key)
    if serial is not None:
        raise _invalid("serial", "serialised codes need a product GTIN and a batch")
    return lot_url(base_url, lot_code, key=key)


def short_url(base_url: str, lot_code: str) -> str:
    """The lot's URL without its scheme, for people to type: `nguongoc.vn/l/K7Q2M9XA`."""
    return lot_url(base_url, lot_code).split("://", 1)[-1]


def signed_url(base_url: str, path: str, key: bytes) -> str:
    """`base_url` + canonical `path` + `?s=` its signature."""
    return f"{base_url.rstrip('/')}{path}?{SIGNATURE_PARAM}={sign(key, path)}"


def signing_key(secret: str | bytes) -> bytes:
    """The key that signs QR codes, derived from the service's secret key for this use alone."""
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(raw, _KEY_PURPOSE, hashlib.sha256).digest()


def sign(key: bytes, path: str) -> str:
    """The 12-character signature of a canonical path."""
    digest = hmac.new(key, path.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[: SIGNATURE_LENGTH * 3 // 4]).decode("ascii")


def verify(keys: bytes | Iterable[bytes], path: str, signature: str) -> bool:
    """True if `signature` is what one of `keys` makes for `path` (compared in constant time).

    Several keys let a service rotate its secret and still accept the codes already printed.
    """
    given = signature.encode("utf-8", "replace")
    matched = False
    for key in [keys] if isinstance(keys, bytes) else keys:
        matched |= hmac.compare_digest(sign(key, path).encode("ascii"), given)
    return matched


def parse_link(link: str) -> DigitalLink:
    """The parts of a scanned URL or path; `MalformedLink` for anything else, never another error.

    Accepts `/01/{GTIN-8/12/13/14}[/10/{batch}][/21/{serial}]` (the GTIN padded to 14 digits,
    its check digit checked) or `/l/{lot_code}`, after any path prefix, as a full URL or a path,
    with an optional `?s=` (or `?sig=`) signature; other query parameters are ignored. Pass the
    path as it came over the wire (WSGI `RAW_URI`/`REQUEST_URI`): a decoded path has lost the
    difference between `/` and `%2F` in a batch.
    """
    if not isinstance(link, str) or not link:
        raise MalformedLink("empty")
    if len(link) > MAX_LINK_LENGTH:
        raise MalformedLink(f"longer than {MAX_LINK_LENGTH} characters")
    try:
        parts = urlsplit(link if not link.startswith("/") else f"https://scan.invalid{link}")
    except ValueError:
        raise MalformedLink("not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MalformedLink("not an http(s) URL or a path")
    if not _URI_CHARS.match(parts.path) or _BAD_ESCAPE.search(parts.path):
        raise MalformedLink("the path has characters a URL cannot carry unencoded")
    signature = _signature(parts.query)
    segments = parts.path.split("/")[1:]
    if segments and segments[-1] == "":
        segments.pop()  # one trailing slash, as people type
    start = _gtin_start(segments)
    if start is not None:
        return _parse_gtin_link(segments[start:], signature)
    if len(segments) >= 2 and segments[-2] == "l":
        if not LOT_CODE.match(segments[-1]):
            raise MalformedLink("a lot code has 1 to 32 letters, digits, - or _")
        return DigitalLink(lot_code=segments[-1], signature=signature)
    raise MalformedLink("neither /01/{GTIN}/10/{batch} nor /l/{lot code}")


def _gtin_path(gtin14: str, batch: str | None, serial: str | None) -> str:
    path = f"/01/{gtin14}"
    if batch is not None:
        path += f"/{_AI_BATCH}/{quote(batch, safe='')}"
    if serial is not None:
        path += f"/{_AI_SERIAL}/{quote(serial, safe='')}"
    return path


def _url(base_url: str, path: str, key: bytes | None) -> str:
    return signed_url(base_url, path, key) if key is not None else base_url.rstrip("/") + path


def _check_ai_value(field: str, value: str) -> None:
    if not gs1.BATCH_CHARS.match(value):
        raise _invalid(field, "1 to 20 characters: letters, digits and !\"%&'()*+,-./:;<=>?_")


def _invalid(field: str, message: str) -> Invalid:
    return Invalid.field(field, message)


def _signature(query: str) -> str | None:
    found = [value for name, value in parse_qsl(query, keep_blank_values=True)
             if name in (SIGNATURE_PARAM, "sig")]
    if len(found) > 1:
        raise MalformedLink("more than one signature")
    return found[0] if found else None


def _gtin_start(segments: list[str]) -> int | None:
    """Where `/01/` begins: the first `01` followed by a GTIN and whole key/value pairs."""
    for index, segment in enumerate(segments):
        if segment == "01" and (len(segments) - index) % 2 == 0:
            return index
    return None


def _parse_gtin_link(segments: list[str], signature: str | None) -> DigitalLink:
    qualifiers = segments[2::2]
    if qualifiers not in ([], [_AI_BATCH], [_AI_SERIAL], [_AI_BATCH, _AI_SERIAL]):
        raise MalformedLink("after the GTIN only /10/{batch} and then /21/{serial} may follow")
    if not _GTIN_DIGITS.match(segments[1]):
        raise MalformedLink("a GTIN has 8, 12, 13 or 14 digits")
    for ai, value in zip(qualifiers, segments[3::2], strict=True):
        if not gs1.BATCH_CHARS.match(unquote(value)):
            raise MalformedLink(
                f"a {_AI_NAMES[ai]} (AI {ai}) has 1 to 20 characters of the GS1 set")
    try:
        uri = GS1DigitalLinkURI.parse("https://scan.invalid/" + "/".join(segments))
    except (BiipException, ValueError, TypeError) as exc:
        raise MalformedLink(str(exc)) from None
    values: dict[str, str] = {}
    for element in uri.element_strings:
        if element.gtin_error:  # biip reports a wrong check digit here instead of raising
            raise MalformedLink(element.gtin_error)
        values[element.ai.ai] = element.value
    gtin = values.get("01", "")
    if not _GTIN_14.match(gtin):
        raise MalformedLink("a GTIN has 8, 12, 13 or 14 digits")
    return DigitalLink(gtin=gtin, batch=values.get(_AI_BATCH), serial=values.get(_AI_SERIAL),
                       signature=signature)
