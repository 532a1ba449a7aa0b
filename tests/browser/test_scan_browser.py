"""On a phone, in Debian's chromium: a consumer opens the code printed on a box of limes (served
by a real `nguongoc serve --demo`), reads it in Vietnamese, switches to English and back, sees
the red recall banner once an agency orders a recall through the API, and reports a problem
with a photo. Skipped where /usr/bin/chromium is absent, unless NGUONGOC_REQUIRE_BROWSER=1
(the shared `browser` fixture of tests/browser/conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

pytestmark = pytest.mark.browser

AGENCY = ("scan-agency-80", "scan-agency-password")


@dataclass(frozen=True)
class Served:
    """A running `nguongoc serve --demo` and an agency's API token for it."""

    base_url: str
    token: str

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the JSON API as the agency; bytes for images, parsed JSON otherwise."""
        request = urllib.request.Request(
            f"{self.base_url}/api/v1{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
            return json.loads(data) if response.headers.get_content_type().endswith(
                "json") else data


def _command() -> str:
    beside = Path(sys.executable).with_name("nguongoc")
    found = str(beside) if beside.exists() else shutil.which("nguongoc")
    if found is None:
        pytest.fail("the nguongoc command is not installed (pip install -e .)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nguongoc serve exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    pytest.fail(f"nguongoc serve was not ready:\n{log.read_text()}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Served]:
    """The demo registry behind gunicorn on a free loopback port, with an agency of 80: a
    server of its own (this test recalls a demo lot), driven by the shared `browser`
    (tests/browser/conftest.py skips without chromium)."""
    folder = tmp_path_factory.mktemp("scan-server")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'registry.sqlite3'}",
           "NGUONGOC_BASE_URL": base_url, "NGUONGOC_SECRET_KEY": "scan-browser-secret",
           "NGUONGOC_WORKERS": "2"}
    command = _command()
    subprocess.run([command, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([command, "users", "create", AGENCY[0], "--role", "agency", "--province",
                    "80", "--password", AGENCY[1]], env=env, check=True, capture_output=True)
    token = subprocess.run([command, "tokens", "create", AGENCY[0]], env=env, check=True,
                           capture_output=True, text=True).stdout.strip()
    log = folder / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([command, "serve", "--demo", "--port", str(port)], env=env,
                                   stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait(process, f"{base_url}/healthz", log)
        yield Served(base_url, token)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def scan_phone(browser: Any, served: Served) -> Iterator[Any]:
    """A fresh phone-sized tab (its own cookies) for the scan server."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN",
                                   is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()


def printed_code(served: Served, product: str) -> tuple[str, str]:
    """The lot code of the demo's lot of `product`, and the URL its printed QR code carries."""
    lots = served.api("GET", "/lots?per_page=50")["items"]
    lot = next(x for x in lots if x["product"]["name_vi"] == product)
    png = served.api("GET", f"/lots/{lot['lot_code']}/qr.png?module_px=4")
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"code-{lot['lot_code']}.png"
    path.write_bytes(png)
    found = zxingcpp.read_barcodes(Image.open(path))
    path.unlink()
    return lot["lot_code"], found[0].text


def test_a_consumer_reads_switches_language_sees_a_recall_and_reports(
        scan_phone: Any, served: Served, tmp_path: Path):
    from playwright.sync_api import expect

    phone = scan_phone
    lot_code, url = printed_code(served, "Chanh không hạt hộp 1 kg")
    assert url.startswith(f"{served.base_url}/01/")
    phone.goto(url)
    expect(phone.locator("h1")).to_have_text("Chanh không hạt hộp 1 kg")
    expect(phone.get_by_text("Mã do hệ thống truy xuất nguồn gốc cấp")).to_be_visible()
    expect(phone.get_by_text("Từ nơi sản xuất đến quầy hàng")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll

    phone.get_by_role("link", name="English").click()
    expect(phone.get_by_text("Code issued by the origin registry")).to_be_visible()
    expect(phone.get_by_text("From the farm to the shelf")).to_be_visible()
    phone.get_by_role("link", name="Tiếng Việt").click()
    expect(phone.get_by_text("Thu hoạch", exact=True)).to_be_visible()

    served.api("POST", "/recalls", {"lot_codes": [lot_code],
                                    "reason": "Dư lượng chlorpyrifos vượt giới hạn cho phép",
                                    "instructions": "Không sử dụng, mang trả lại nơi mua."})
    phone.reload()
    banner = phone.get_by_role("alert")
    expect(banner).to_contain_text("ĐÃ THU HỒI")
    expect(banner).to_contain_text("Không sử dụng, mang trả lại nơi mua.")
    top = banner.bounding_box()
    assert top is not None and top["y"] < 200 and top["width"] > 300  # large, at the top

    picture = tmp_path / "hop-chanh.png"
    Image.new("RGB", (120, 90), (40, 140, 60)).save(picture)
    phone.get_by_label("Sản phẩm có vấn đề gì?").fill("Hộp chanh đã mua hôm qua, vẫn bán sau "
                                                       "khi có lệnh thu hồi")
    phone.get_by_label("Ảnh (không bắt buộc").set_input_files(str(picture))
    phone.get_by_label("Số điện thoại hoặc e-mail").fill("0912 345 678")
    phone.get_by_role("button", name="Gửi phản ánh").click()
    expect(phone.get_by_text("Cảm ơn bạn")).to_be_visible()

    reports = served.api("GET", "/consumer-reports")["items"]
    assert [(r["lot_code"], r["has_photo"]) for r in reports] == [(lot_code, True)]
