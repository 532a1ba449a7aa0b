"""The package installs from a clean copy into a fresh venv (no editable install, so the wheel
must ship templates, migrations, translations, fonts and data) and `nguongoc serve --demo`
answers: the home page, the OpenAPI document and a token for a demo user."""

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
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

SHIPPED = ["templates/base.html", "migrations/env.py", "migrations/versions",
           "translations", "qr/fonts/DejaVuSans.ttf", "registry/data/provinces.csv", "wsgi.py"]


def clean_copy(target: Path) -> Path:
    """The files git knows (tracked, or new and not ignored), as they are in the work tree."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"not a git checkout: {exc}")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def http(method: str, url: str, body: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if body is not None else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


@pytest.fixture
def database_for_server(tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a new PostgreSQL database beside the test one."""
    test_url = os.environ.get("TEST_DATABASE_URL")
    if not test_url:
        yield f"sqlite:///{tmp_path / 'instance' / 'nguongoc.sqlite3'}"
        return
    import psycopg

    url = make_url(test_url)
    name = f"nguongoc_install_{uuid.uuid4().hex[:8]}"
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_clean_copy_installs_and_serves_the_demo(tmp_path: Path, database_for_server: str):
    source = clean_copy(tmp_path / "src")
    assert (source / "pyproject.toml").is_file()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(source)],
                             capture_output=True, text=True, timeout=900, check=False)
    assert install.returncode == 0, install.stdout + install.stderr

    where = subprocess.run(
        [str(python), "-c", "import api, sysconfig; print(api.__file__); "
                            "print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, cwd=tmp_path, check=True).stdout.split()
    site = Path(where[1])
    assert Path(where[0]).is_relative_to(site), "the app must run from the installed wheel"
    for shipped in SHIPPED:
        assert (site / shipped).exists(), f"the wheel does not ship {shipped}"

    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("NGUONGOC_", "DATABASE_URL", "TEST_DATABASE_URL"))}
    env.update(DATABASE_URL=database_for_server, NGUONGOC_WORKERS="1",
               NGUONGOC_BASE_URL=f"http://127.0.0.1:{port}")
    with (tmp_path / "serve.log").open("w+") as log:
        server = subprocess.Popen(
            [str(venv / "bin" / "nguongoc"), "serve", "--demo", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            exercise(f"http://127.0.0.1:{port}", server, log)
        finally:
            stop(server)
        output = log_text(log)
    assert "demo accounts" in output and "tayninh" in output


def exercise(base: str, server: subprocess.Popen[bytes], log: Any) -> None:
    """Wait for the service, then use it as a first-time user would."""
    deadline = time.monotonic() + 90
    while True:
        assert server.poll() is None, f"serve exited: {log_text(log)}"
        try:
            status, _, _ = http("GET", base + "/")
            if status == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, f"serve did not answer: {log_text(log)}"
        time.sleep(0.3)

    status, kind, page = http("GET", base + "/")
    assert (status, kind) == (200, "text/html")
    assert "<html" in page.decode().lower()

    status, kind, raw = http("GET", base + "/api/v1/openapi.json")
    assert (status, kind) == (200, "application/json")
    assert "/api/v1/growing-areas" in json.loads(raw)["paths"]

    status, _, raw = http("POST", base + "/api/v1/auth/token",
                          {"username": "tayninh", "password": "nguongoc-demo"})
    assert status == 201, raw
    token = json.loads(raw)["token"]
    status, _, raw = http("GET", base + "/api/v1/me",
                          headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and json.loads(raw)["provinces"] == ["80"]
    status, _, raw = http("GET", base + "/api/v1/growing-areas/VN-80-803-27811-01-22",
                          headers={"Authorization": f"Bearer {token}"})
    assert status == 200 and json.loads(raw)["place"]["province_name"] == "Tỉnh Long An"


def log_text(log: Any) -> str:
    log.flush()
    log.seek(0)
    text: str = log.read()
    return text[-4000:]


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn's arbiter and its workers: the whole process group."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass
