"""The Vietnamese catalog is complete and its compiled .mo (shipped in the wheel) is current.

When a test here fails, run the commands of docs/i18n.md (extract, update, translate, compile).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "vi" / "LC_MESSAGES"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}


@cache
def extracted() -> frozenset[str]:
    """Every msgid pybabel extracts with babel.cfg from api/ and templates/."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(ids)


def po() -> Catalog:
    with open(CATALOG / "messages.po", "rb") as handle:
        return read_po(handle, locale="vi")


def test_extraction_finds_the_pages_messages():
    assert {"Partners", "Issue a growing-area code", "now %(name)s",
            "a commune code has 5 digits"} <= extracted()


def test_every_msgid_has_a_vietnamese_translation():
    catalog = po()
    missing = sorted(i for i in extracted() if i and (
        i not in catalog or not catalog[i].string or catalog[i].fuzzy))
    assert not missing, f"msgids without a Vietnamese translation: {missing}"


def test_the_catalog_has_no_stale_msgids():
    catalog = po()
    stale = sorted(m.id for m in catalog if m.id and m.id not in extracted())
    assert not stale and not catalog.obsolete, f"msgids no longer used: {stale}"


def test_placeholders_survive_translation():
    problems = [(m.id, errors) for m, errors in po().check() if errors]
    assert not problems


def test_the_compiled_catalog_is_current():
    with open(CATALOG / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)
    source = {m.id: m.string for m in po() if m.id and m.string and not m.fuzzy}
    shipped = {m.id: m.string for m in compiled if m.id}
    assert shipped == source, "messages.mo is stale: run pybabel compile -d translations"
