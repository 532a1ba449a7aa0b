"""QR code images of a URL: PNG and SVG, crisp at any size.

zxing-cpp's encoder (Zint inside) builds the module matrix, mask chosen by the standard's
penalty rules, about 9 times faster than the pure-Python `qrcode` package (DESIGN.md section 8;
`bench/labels.py` measures both). The matrix is one pixel per module; Pillow adds the quiet zone
and scales it up with nearest-neighbour, so every module is a whole number of pixels, and the
SVG is one path of module-sized runs in a viewBox of modules, so it is sharp at any size.
"""

from __future__ import annotations

import io
from html import escape

import zxingcpp
from PIL import Image, ImageOps

from registry.errors import Invalid

ERROR_CORRECTION_LEVELS = ("L", "M", "Q", "H")
"""Recovers about 7, 15, 25 and 30 percent of a damaged code; M suits printed labels."""
DEFAULT_BORDER = 4
"""The quiet zone, in modules, that ISO/IEC 18004 asks for around a QR code."""
DEFAULT_MODULE_PX = 8
MAX_BORDER = 40
MAX_SIZE_PX = 4000


def qr_modules(data: str, *, error_correction: str = "M") -> Image.Image:
    """The code's modules, one black or white pixel each (mode "1"), without a quiet zone."""
    if error_correction not in ERROR_CORRECTION_LEVELS:
        raise Invalid.field("error_correction", "one of L, M, Q, H")
    try:
        barcode = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode,
                                          ec_level=error_correction)
    except (ValueError, RuntimeError) as exc:  # too long for the largest QR code
        raise Invalid.field("data", f"cannot be put in a QR code: {exc}") from None
    matrix = barcode.to_image(scale=1, add_quiet_zones=False)
    height, width = matrix.shape
    pixels = bytes(memoryview(matrix))  # type: ignore[arg-type]  # a buffer; its stub omits it
    return Image.frombytes("L", (width, height), pixels).convert("1")


def qr_image(data: str, *, border: int = DEFAULT_BORDER,
             error_correction: str = "M") -> Image.Image:
    """The code with its quiet zone, one pixel per module (mode "1"): scale it, never smooth it."""
    _check_border(border)
    return ImageOps.expand(qr_modules(data, error_correction=error_correction), border, fill=1)


def qr_png(data: str, *, module_px: int | None = None, size_px: int | None = None,
           border: int = DEFAULT_BORDER, error_correction: str = "M") -> bytes:
    """A 1-bit PNG of the code, `module_px` pixels per module, or as near `size_px` wide as
    whole-pixel modules allow and padded with white to exactly `size_px`."""
    image = qr_image(data, border=border, error_correction=error_correction)
    modules = image.width
    scale = _scale(modules, module_px, size_px)
    if scale > 1:
        image = image.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)
    if size_px is not None and image.width != size_px:
        padded = Image.new("1", (size_px, size_px), 1)
        offset = (size_px - image.width) // 2
        padded.paste(image, (offset, offset))
        image = padded
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def qr_svg(data: str, *, module_px: int | None = None, size_px: int | None = None,
           border: int = DEFAULT_BORDER, error_correction: str = "M") -> str:
    """An SVG document of the code: width and height in pixels, drawn in a viewBox of modules."""
    _check_border(border)
    modules = qr_modules(data, error_correction=error_correction)
    side = modules.width + 2 * border
    if size_px is None:
        size_px = side * _scale(side, module_px, None)
    else:
        _scale(side, module_px, size_px)  # checks the bounds
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{size_px}" '
        f'height="{size_px}" viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
        f"<title>{escape(data)}</title>"
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{_dark_runs(modules, border)}"/></svg>\n'
    )


def _dark_runs(modules: Image.Image, offset: int) -> str:
    """An SVG path: one 1-module-high rectangle per horizontal run of dark modules."""
    width = modules.width
    pixels = modules.convert("L").tobytes()
    runs: list[str] = []
    for y in range(modules.height):
        row = pixels[y * width:(y + 1) * width]
        x = 0
        while x < width:
            if row[x]:
                x += 1
                continue
            start = x
            while x < width and not row[x]:
                x += 1
            runs.append(f"M{start + offset} {y + offset}h{x - start}v1h-{x - start}z")
    return "".join(runs)


def _scale(modules: int, module_px: int | None, size_px: int | None) -> int:
    """Whole pixels per module for the options asked."""
    if module_px is not None and size_px is not None:
        raise Invalid.field("size_px", "give module_px or size_px, not both")
    if size_px is not None:
        if not modules <= size_px <= MAX_SIZE_PX:
            raise Invalid.field("size_px", f"from {modules} (one pixel per module) "
                                f"to {MAX_SIZE_PX} pixels for this code")
        return size_px // modules
    scale = DEFAULT_MODULE_PX if module_px is None else module_px
    if not 1 <= scale or modules * scale > MAX_SIZE_PX:
        raise Invalid.field("module_px", f"from 1 to {MAX_SIZE_PX // modules} for this code")
    return scale


def _check_border(border: int) -> None:
    if not 0 <= border <= MAX_BORDER:
        raise Invalid.field("border", f"from 0 to {MAX_BORDER} modules")
