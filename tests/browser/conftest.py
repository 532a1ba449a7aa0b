"""Browser fixtures: the real server (`nguongoc serve` in a subprocess on a free port, on a
temporary SQLite database with the demo data and an agency user made by the CLI), and
Debian's chromium driven by Playwright.

Browser tests skip when /usr/bin/chromium is absent, unless NGUONGOC_REQUIRE_BROWSER=1 (CI),
where a missing browser fails them. Playwright's own browser downloads are never used.
"""

from __future__ import annotations

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

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
AGENCY = ("browser-agency", "browser-password-80")
"""An agency user of province 80 (Tây Ninh, which includes old Long An), made by the CLI."""
READY_SECONDS = 90


@dataclass(frozen=True)
class Server:
    """A running `nguongoc serve`."""

    base_url: str
    database_url: str
    log: Path
    username: str = AGENCY[0]
    password: str = AGENCY[1]

    def url(self, path: str) -> str:
        """An absolute URL on this server."""
        return self.base_url + path


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def nguongoc() -> str:
    """The console script of the installed package (beside this interpreter, else on PATH)."""
    beside = Path(sys.executable).with_name("nguongoc")
    found = str(beside) if beside.exists() else shutil.which("nguongoc")
    if found is None:
        pytest.fail("the nguongoc command is not installed (pip install -e .)")
    return found


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nguongoc serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"nguongoc serve was not ready in {READY_SECONDS}s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server and its gunicorn workers (its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`nguongoc serve --demo` on a free port and a fresh SQLite file, ready to answer."""
    folder = tmp_path_factory.mktemp("server")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{folder / 'registry.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database_url, "NGUONGOC_BASE_URL": base_url,
           "NGUONGOC_SECRET_KEY": "browser-test-secret", "NGUONGOC_RATE_LIMITS": "off",
           "NGUONGOC_WORKERS": "1"}
    command = nguongoc()
    subprocess.run([command, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([command, "users", "create", AGENCY[0], "--role", "agency",
                    "--province", "80", "--password", AGENCY[1]],
                   env=env, check=True, capture_output=True)
    log = folder / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [command, "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        _wait_until_ready(process, base_url + "/login", log)
        yield Server(base_url, database_url, log)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless chromium through Playwright (skipped where it is not installed)."""
    if not CHROMIUM.exists():
        if os.environ.get("NGUONGOC_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh desktop-sized tab (its own cookies) on the running server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN",
                                  base_url=server.base_url)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def phone(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh phone-sized tab on the running server."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN",
                                  base_url=server.base_url, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()
