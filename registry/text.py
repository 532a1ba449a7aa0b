"""Text helpers: Vietnamese-insensitive search keys and code keys."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case text without diacritics, so "hop tac xa" finds "Hợp tác xã"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def search_key(*parts: str | None) -> str:
    """The folded text a record is found by."""
    return " ".join(fold(p) for p in parts if p)[:1000]


def code_key(code: str) -> str:
    """The lookup key of an issued code: trimmed and upper-case (stored codes stay as issued)."""
    return code.strip().upper()
