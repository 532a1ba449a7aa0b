"""Label sheets: every printed code decodes to its own URL, and the Vietnamese text is in the
PDF as text, diacritics and all."""

from __future__ import annotations

import io
import math
import unicodedata

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

import qr
from qr.labels import LAYOUTS, Label, label_sheet
from qr.pdf import FONT, paragraph, styles
from registry.errors import Invalid

KEY = qr.signing_key("test")
NAMES = ["Chanh không hạt Bến Lức", "Trà hoa vàng Ba Chẽ", "Hàu Thái Bình Dương Vân Đồn",
         "Thanh long ruột đỏ Châu Thành"]


def unit_labels(count: int, batch: str = "LA-2025-07") -> list[Label]:
    """`count` labels of distinct serialised codes, cycling through the product names."""
    return [Label(url=qr.gtin_url("https://qr.test", "8930000000019", batch, f"{n:06d}", key=KEY),
                  product_name=NAMES[n % len(NAMES)], batch=batch, origin_code="LA-0012-VT",
                  ocop_stars=3 + n % 3, short_url="qr.test/l/K7Q2M9XA")
            for n in range(count)]


def page_codes(pdf: bytes, page: int) -> list[str]:
    """The QR codes zxing-cpp reads on one page rendered at 300 dpi, as a printer would."""
    image = pypdfium2.PdfDocument(pdf)[page].render(scale=300 / 72).to_pil()
    return [found.text for found in zxingcpp.read_barcodes(image)]


def page_text(pdf: bytes, page: int) -> str:
    """The page's text with runs of white space made single spaces."""
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[page].extract_text().split())


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_code_on_a_full_sheet_decodes_to_its_own_url(layout: str) -> None:
    per_page = LAYOUTS[layout].per_page
    labels = unit_labels(per_page + 1)
    pdf = label_sheet(labels, layout)
    assert sorted(page_codes(pdf, 0)) == sorted(label.url for label in labels[:per_page])
    assert page_codes(pdf, 1) == [labels[-1].url]


def test_the_vietnamese_product_names_are_extractable_with_their_diacritics() -> None:
    pdf = label_sheet(unit_labels(8), "2x7")
    text = page_text(pdf, 0)
    for name in NAMES:
        assert name in text
    assert "Lô: LA-2025-07" in text and "Nguồn gốc: LA-0012-VT" in text
    assert "OCOP ★★★☆☆" in text and "OCOP ★★★★★" in text and "qr.test/l/K7Q2M9XA" in text
    assert unicodedata.is_normalized("NFC", text)


def test_names_wrapped_on_small_labels_still_read_whole() -> None:
    text = page_text(label_sheet(unit_labels(4), "4x10"), 0)
    assert "Chanh không hạt Bến Lức" in text and "Trà hoa vàng Ba Chẽ" in text


def test_the_font_with_vietnamese_glyphs_is_embedded() -> None:
    pdf = label_sheet(unit_labels(1), "3x8")
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    descriptors = [font.get_object()["/FontDescriptor"].get_object() for font in fonts.values()]
    assert all("/FontFile2" in descriptor for descriptor in descriptors)
    assert {str(d["/FontName"]).split("+")[1] for d in descriptors} == {FONT, FONT + "-Bold"}


def test_a_name_too_long_for_the_label_is_cut_with_an_ellipsis_not_spilled() -> None:
    long_name = "Bưởi da xanh " * 20
    text = page_text(label_sheet([Label("https://qr.test/l/A1", long_name, "B1")], "4x10"), 0)
    assert "Bưởi da xanh" in text and "…" in text and text.count("Bưởi") < 20


@pytest.mark.parametrize(("count", "skip", "pages"), [(24, 0, 1), (25, 0, 2), (24, 1, 2),
                                                      (1, 23, 1), (100, 5, 5)])
def test_labels_fill_sheets_after_the_places_skipped(count: int, skip: int, pages: int) -> None:
    pdf = label_sheet(unit_labels(count), "3x8", skip=skip)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == pages == math.ceil((count + skip) / 24)


def test_a_batch_code_repeated_on_every_label_is_embedded_once() -> None:
    labels = [Label(qr.lot_url("https://qr.test", "K7Q2M9XA"), NAMES[0], "B1")] * 40
    pdf = label_sheet(labels, "4x10")
    images = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"]
    assert len(images) == 1
    assert page_codes(pdf, 0) == [labels[0].url] * 40


@pytest.mark.parametrize(("labels", "options", "field"), [
    ([], {}, "count"), (unit_labels(1), {"layout": "5x13"}, "layout"),
    (unit_labels(1), {"skip": 24}, "skip"), (unit_labels(1), {"skip": -1}, "skip"),
])
def test_impossible_sheets_are_invalid(labels: list[Label], options: dict[str, object],
                                       field: str) -> None:
    with pytest.raises(Invalid) as refused:
        label_sheet(labels, **options)  # type: ignore[arg-type]
    assert refused.value.errors[0].field == field


def test_other_pdfs_get_vietnamese_paragraph_styles() -> None:
    sheet = styles()
    assert {sheet[name].fontName for name in ("body", "small", "title", "heading")} == {
        FONT, FONT + "-Bold"}
    assert "&lt;b&gt;" in paragraph("<b> & Đ", sheet["body"]).text
