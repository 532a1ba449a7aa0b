"""QR images decode, with a real decoder (zxing-cpp), to exactly the URL they were made of."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import cairosvg
import pytest
import zxingcpp
from PIL import Image

import qr
from qr.images import qr_image, qr_modules, qr_png, qr_svg
from registry.errors import Invalid

KEY = qr.signing_key("test")
URLS = [
    qr.lot_url("https://qr.test", "K7Q2M9XA", key=KEY),
    qr.gtin_url("https://qr.test", "8930000000019", "AB/12!%", "000001", key=KEY),
    qr.gtin_url("http://127.0.0.1:5000", "12345670", "L" * 20, "S" * 20),
]


def decoded(image: Image.Image) -> list[str]:
    """The texts of the QR codes zxing-cpp finds in an image."""
    return [found.text for found in zxingcpp.read_barcodes(image)
            if found.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize("url", URLS)
def test_the_png_decodes_to_the_exact_url(url: str) -> None:
    image = Image.open(io.BytesIO(qr_png(url)))
    assert decoded(image) == [url]


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_the_error_correction_level_is_the_one_asked(level: str) -> None:
    image = Image.open(io.BytesIO(qr_png(URLS[1], error_correction=level)))
    assert [found.ec_level for found in zxingcpp.read_barcodes(image)] == [level]


def test_the_default_error_correction_is_m() -> None:
    image = Image.open(io.BytesIO(qr_png(URLS[0])))
    assert zxingcpp.read_barcodes(image)[0].ec_level == "M"


def test_the_png_is_one_bit_with_whole_pixel_modules_and_the_quiet_zone_asked() -> None:
    modules = qr_modules(URLS[1]).width
    image = Image.open(io.BytesIO(qr_png(URLS[1], module_px=5, border=2)))
    assert image.mode == "1" and image.size == ((modules + 4) * 5,) * 2
    scaled_down = image.resize(((modules + 4),) * 2, Image.Resampling.NEAREST)
    assert scaled_down.resize(image.size, Image.Resampling.NEAREST).tobytes() == image.tobytes()
    assert image.crop((0, 0, image.width, 10)).getextrema() == (255, 255)  # 2 modules white
    assert image.crop((0, 10, image.width, 15)).getextrema() == (0, 255)  # then the code


def test_size_px_gives_exactly_that_size_and_still_decodes() -> None:
    image = Image.open(io.BytesIO(qr_png(URLS[0], size_px=301)))
    assert image.size == (301, 301) and decoded(image) == [URLS[0]]


def test_qr_image_is_one_pixel_per_module_with_its_quiet_zone() -> None:
    image = qr_image(URLS[0], border=4)
    assert image.mode == "1" and image.width == qr_modules(URLS[0]).width + 8
    assert decoded(image.resize((image.width * 4,) * 2, Image.Resampling.NEAREST)) == [URLS[0]]


@pytest.mark.parametrize("url", URLS)
def test_the_svg_is_valid_and_decodes_once_rendered(url: str) -> None:
    svg = qr_svg(url)
    root = ET.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.findtext("{http://www.w3.org/2000/svg}title") == url
    rendered = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode())))
    assert decoded(rendered) == [url]


def test_the_svg_scales_to_size_px_in_a_viewbox_of_modules() -> None:
    svg = qr_svg(URLS[0], size_px=500, border=1)
    root = ET.fromstring(svg.encode())
    side = qr_modules(URLS[0]).width + 2
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        "500", "500", f"0 0 {side} {side}")
    rendered = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode())))
    assert rendered.size == (500, 500) and decoded(rendered) == [URLS[0]]


@pytest.mark.parametrize(("options", "field"), [
    ({"error_correction": "X"}, "error_correction"), ({"border": -1}, "border"),
    ({"module_px": 0}, "module_px"), ({"module_px": 1000}, "module_px"),
    ({"size_px": 10}, "size_px"), ({"size_px": 5000}, "size_px"),
    ({"size_px": 300, "module_px": 4}, "size_px"),
])
def test_options_out_of_range_are_invalid(options: dict[str, object], field: str) -> None:
    for render in (qr_png, qr_svg):
        with pytest.raises(Invalid) as refused:
            render(URLS[0], **options)  # type: ignore[arg-type]
        assert refused.value.errors[0].field == field


def test_data_too_long_for_a_qr_code_is_invalid() -> None:
    with pytest.raises(Invalid):
        qr_png("https://qr.test/" + "x" * 3000)
