"""GS1 keys the registry stores: GTIN (normalised to 14 digits) and GLN, check digits checked."""

from __future__ import annotations

import re

from biip import ParseError
from biip.gln import Gln
from biip.gtin import Gtin

_DIGITS = re.compile(r"^\d+$")
BATCH_CHARS = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")
"""GS1 AI (10): up to 20 characters of GS1 AI encodable character set 82."""


def checked_gtin(value: str) -> str:
    """A GTIN-8/12/13/14 with a correct check digit, as GTIN-14; ValueError otherwise."""
    value = value.strip()
    if not _DIGITS.match(value) or len(value) not in (8, 12, 13, 14):
        raise ValueError("a GTIN has 8, 12, 13 or 14 digits")
    try:
        return Gtin.parse(value).as_gtin_14()
    except ParseError as exc:
        raise ValueError(str(exc)) from None


def checked_gln(value: str) -> str:
    """A 13-digit GLN with a correct check digit; ValueError otherwise."""
    value = value.strip()
    if not _DIGITS.match(value) or len(value) != 13:
        raise ValueError("a GLN has 13 digits")
    try:
        return Gln.parse(value).value
    except ParseError as exc:
        raise ValueError(str(exc)) from None


def checked_batch(value: str) -> str:
    """A batch/lot number (AI 10): 1 to 20 characters of the GS1 character set."""
    if not BATCH_CHARS.match(value):
        raise ValueError("a batch has 1 to 20 characters: letters, digits and "
                         "!\"%&'()*+,-./:;<=>?_")
    return value


def check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit for a key without it."""
    total = 3 * sum(map(int, digits[-1::-2])) + sum(map(int, digits[-2::-2]))
    return str((10 - total % 10) % 10)
