"""The real server for crash tests: `nguongoc serve` (gunicorn, sync process workers) in its own
process group on a free loopback port, started, killed with SIGKILL and started again."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SECRET = "live-server-secret"


def free_port() -> int:
    """A TCP port nobody listens on, on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nguongoc() -> str:
    """The `nguongoc` command of this interpreter's environment."""
    return str(Path(sys.executable).parent / "nguongoc")


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment the server and the CLI run with in these tests."""
    return {**os.environ, "DATABASE_URL": database_url, "NGUONGOC_SECRET_KEY": SECRET,
            "NGUONGOC_RATE_LIMITS": "off", "NGUONGOC_BASE_URL": "https://qr.test", **extra}


def call(port: int, method: str, path: str, token: str | None = None,
         body: dict[str, Any] | None = None, timeout: float = 30) -> tuple[int, Any]:
    """One request on a new connection: (status, decoded JSON body or None)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = None
    if body is not None:
        payload, headers["Content-Type"] = json.dumps(body), "application/json"
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    return response.status, json.loads(raw) if raw.startswith((b"{", b"[")) else None


class LiveServer:
    """`nguongoc serve --workers N` against `database_url`, logging to `log`."""

    def __init__(self, database_url: str, log: Path, workers: int = 2) -> None:
        self.database_url, self.log, self.workers = database_url, log, workers
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self, timeout: float = 60) -> None:
        """Start on a new port and return once /healthz answers 200."""
        self.port = free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [nguongoc(), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(self.workers)],
                env=server_env(self.database_url), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)  # its own process group: master and workers
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nguongoc serve exited: {self.log.read_text()[-3000:]}")
            try:
                if call(self.port, "GET", "/healthz", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"nguongoc serve did not answer: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the gunicorn master and every worker at once (the whole process group)."""
        if self.process is None:
            return
        group = self.process.pid
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.process = None

    def stop(self) -> None:
        """Stop gracefully (SIGTERM to the group), killing what remains after 20 s."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None


def group_alive(group: int) -> list[int]:
    """Processes of this group that still run (zombies, already dead, are left out)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive
