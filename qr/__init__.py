"""QR codes a consumer can trust: GS1 Digital Link URLs and their signatures, QR images,
label sheets and other PDFs (DESIGN.md section 7).

Values in, `str`/`bytes` out: no session, no Flask, no files but the fonts shipped here.
The image and PDF modules import Pillow, zxing-cpp and reportlab, so import them by name
(`from qr import images, labels`); this package imports only the URL functions.
"""

from qr.digital_link import (
    DigitalLink,
    MalformedLink,
    gtin_path,
    gtin_url,
    label_url,
    lot_path,
    lot_url,
    parse_link,
    short_url,
    sign,
    signed_url,
    signing_key,
    verify,
)

__all__ = [
    "DigitalLink",
    "MalformedLink",
    "gtin_path",
    "gtin_url",
    "label_url",
    "lot_path",
    "lot_url",
    "parse_link",
    "short_url",
    "sign",
    "signed_url",
    "signing_key",
    "verify",
]
