"""Label sheets and QR images: how fast (DESIGN.md section 8).

Prints the median time to build a 1,000-label A4 PDF of distinct serialised codes (target < 2 s)
for each layout, and PNG codes per second for the `qrcode` package (mask chosen by its penalty
search, and with a fixed mask) against `qr.images.qr_png` (zxing-cpp's encoder), all at 8 px per
module, quiet zone 4, error correction M.

    python bench/labels.py [--runs 5] [--labels 1000] [--codes 300]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from functools import partial

import qrcode
from qrcode.constants import ERROR_CORRECT_M

import qr
from qr.images import qr_png, qr_svg
from qr.labels import LAYOUTS, Label, label_sheet

BASE_URL = "https://nguongoc.example.vn"


def serialised_urls(count: int) -> list[str]:
    """Distinct signed unit codes of one batch, as a producer prints them."""
    key = qr.signing_key("bench")
    return [qr.gtin_url(BASE_URL, "8930000000019", "LA-2025-0007", f"{n:08d}", key=key)
            for n in range(count)]


def median_seconds(work: Callable[[], object], runs: int) -> tuple[float, float]:
    """The median wall time and the median CPU time of `runs` calls of `work` (CPU time is what
    to compare on a machine that other work shares)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def render_all(render: Callable[[str], object], urls: list[str]) -> list[object]:
    """Every URL's code."""
    return [render(url) for url in urls]


def qrcode_png(url: str, mask_pattern: int | None) -> bytes:
    """The `qrcode` package's PNG (Pillow image factory), as DESIGN.md section 8 measured it."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4,
                         mask_pattern=mask_pattern)
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()


def main() -> None:
    """Run the benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--codes", type=int, default=300)
    args = parser.parse_args()

    urls = serialised_urls(args.labels)
    labels = [Label(url=url, product_name="Chanh không hạt Bến Lức", batch="LA-2025-0007",
                    origin_code="LA-0012-VT", ocop_stars=4, short_url="nguongoc.vn/l/K7Q2M9XA")
              for url in urls]
    label_sheet(labels[:10])  # fonts registered, modules imported
    print(f"label sheet, {args.labels} distinct serialised codes, median of {args.runs} runs:")
    for layout in LAYOUTS:
        wall, cpu = median_seconds(partial(label_sheet, labels, layout), args.runs)
        size = len(label_sheet(labels, layout))
        print(f"  {layout:5} {wall:6.3f} s wall  {cpu:6.3f} s CPU  {size / 1e6:5.2f} MB  "
              f"{args.labels / wall:6.0f} labels/s   (target < 2 s)")

    codes = urls[:args.codes]
    contenders: dict[str, Callable[[str], object]] = {
        "qrcode (mask search)": lambda url: qrcode_png(url, None),
        "qrcode (fixed mask 0)": lambda url: qrcode_png(url, 0),
        "qr.images.qr_png (zxing-cpp)": qr_png,
        "qr.images.qr_svg (zxing-cpp)": qr_svg,
    }
    print(f"QR codes of {len(codes[0])}-character URLs, 8 px/module, median of {args.runs} runs:")
    for name, render in contenders.items():
        count = max(20, len(codes) // 5) if name.startswith("qrcode (mask") else len(codes)
        wall, cpu = median_seconds(partial(render_all, render, codes[:count]), args.runs)
        print(f"  {name:30} {count / wall:6.0f} codes/s wall  {count / cpu:6.0f} codes/s CPU")


if __name__ == "__main__":
    main()
