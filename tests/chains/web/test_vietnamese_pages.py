"""The pages in Vietnamese (the default language): every message of the stock, lot, trace and
chain pages has a translation, and the catalog reads right on the pages. The catalog is this
capability's part (chains-web.po.part) until it is merged into messages.po."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask

from registry.events import VN_TZ
from tests.chains.conftest import Chain, harvest, move
from tests.chains.web.conftest import WebClient

ROOT = Path(__file__).resolve().parents[3]
CATALOG_DIR = ROOT / "translations" / "vi" / "LC_MESSAGES"
SOURCES = [*sorted((ROOT / "templates" / "lots").glob("*.html")),
           *sorted((ROOT / "templates" / "chains").glob("*.html")),
           *(ROOT / "api" / "web" / f"{name}.py" for name in (
               "lot_forms", "lot_labels", "lot_messages", "lot_pages", "stock_pages",
               "chain_pages"))]


def catalog() -> Catalog:
    """This capability's Vietnamese messages: the part file, or messages.po once merged."""
    part = CATALOG_DIR / "chains-web.po.part"
    source = part if part.exists() else CATALOG_DIR / "messages.po"
    with open(source, "rb") as handle:
        return read_po(handle, locale="vi")


@pytest.fixture
def vietnamese(app: Flask, tmp_path: Path) -> Iterator[None]:
    """The app reading the catalog compiled here (as the merged messages.mo will read)."""
    folder = tmp_path / "i18n" / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as handle:
        write_mo(handle, catalog())
    saved = app.extensions["babel"].translation_directories
    app.extensions["babel"].translation_directories = [str(tmp_path / "i18n")]
    yield
    app.extensions["babel"].translation_directories = saved


def test_every_message_of_these_pages_has_a_vietnamese_translation() -> None:
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}
    translated = catalog()
    missing = set()
    for path in SOURCES:
        method = "jinja2" if path.suffix == ".html" else "python"
        for _line, message, _comments, context in extract_from_file(method, str(path),
                                                                     keywords=keywords):
            msgid = message[0] if isinstance(message, tuple) else message
            found = translated.get(msgid, context=context)
            if found is None or not found.string:
                missing.add((path.name, context, msgid))
    assert not missing
    # Jinja formats every message: only %(name)s placeholders, never a lone % or a plural
    odd = [m.id for m in translated if m.id and (not isinstance(m.string, str)
                                               or re.search(r"%(?!\(\w+\)s)", m.string))]
    assert odd == []


def test_the_stock_page_and_its_refusals_read_in_vietnamese(
        chain: Chain, web_as: Callable[..., WebClient], vietnamese: None) -> None:
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    farm = web_as("partner", partner_id=chain.ids["farm_a"], lang="vi")
    page = farm.text("/stock")
    assert "Kho hàng" in page and "Ghi nhận thu hoạch" in page and "1.000 kg" in page
    response = farm.post(f"/partners/{chain.ids['farm_a']}/stock/ship", {
        "lot_code": lot, "quantity": "1500", "unit": "kg",
        "to_partner": str(chain.ids["collector"]),
        "shipped_at": (datetime.now(VN_TZ) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
        page="/stock")
    assert response.status_code == 409
    assert (f"Không đủ hàng: lô {lot} còn 1.000 kg, yêu cầu 1.500 kg."
            in response.get_data(as_text=True))


def test_the_trace_page_reads_in_vietnamese(
        chain: Chain, web_as: Callable[..., WebClient], vietnamese: None) -> None:
    lot = harvest(chain, "farm_a", quantity="1000").json["lot_code"]
    move(chain, lot, "farm_a", "collector", "400")
    html = web_as("agency", provinces=["80"], lang="vi").text(
        f"/lots/{lot}/trace?direction=forward")
    assert f"Truy xuất xuôi: lô {lot}" in html and "Bên nhận" in html
    assert "nay là Tỉnh Tây Ninh" in html and "đã nhận" in html
