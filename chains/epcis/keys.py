"""The shape every parsed EPCIS identifier takes (`Identifier`) and its refusal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

Kind = Literal[
    "sgtin", "lgtin", "gtin", "sscc", "sgln", "pgln", "grai", "giai", "gsrn", "gsrnp", "gdti",
    "cpi", "sgcn", "ginc", "gsin", "itip", "upui", "growing_area", "aquaculture_registration",
    "other",
]
GS1_DOMAIN = "https://id.gs1.org"
_DL_SAFE = "-._';="
"""Characters a canonical Digital Link path value keeps unescaped (GS1 DL 1.2 table 7-1)."""
_DL_PLAIN = re.compile(r"^[A-Za-z0-9\-._';=]*$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


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
        parts = [domain.rstrip("/"), self.ai, dl_escape(self.key)]
        for ai, value in self.qualifiers:
            parts += [ai, dl_escape(value)]
        return "/".join(parts)


def is_uri(value: str) -> bool:
    """Whether `value` looks like an absolute URI (scheme, colon, no spaces)."""
    return bool(_URI.match(value))


def check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit of a key without it (weights 3, 1, 3 ... from the right)."""
    return str(-(3 * sum(map(int, digits[::-2])) + sum(map(int, digits[-2::-2]))) % 10)


def dl_escape(value: str) -> str:
    """A Digital Link path value percent-encoded as the canonical form has it."""
    return value if _DL_PLAIN.match(value) else quote(value, safe=_DL_SAFE)
