"""The load test's client processes (bench/loadtest.py): each holds one HTTP connection to
127.0.0.1 and plays one part until its deadline, timing every request and sorting its status
into expected, refused (a 409 that the scenario expects: an oversell) and errors.

Parts: `scan` (consumer scan pages, `/l/...` and `/01/...`), `trace` (the JSON trace API),
`record` (a farm harvests a lot, ships two parts to its collector, who receives them) and
`oversell` (several processes ship the same lots in the same order until each is used up).
"""

from __future__ import annotations

import http.client
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

ERROR_SAMPLES = 5


@dataclass
class Tally:
    """What one client process saw."""

    latencies: dict[str, list[float]] = field(default_factory=dict)  # ms per request label
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    refused: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    acked: Counter[str] = field(default_factory=Counter)  # 2xx writes: harvest, ship, receive
    lot_codes: list[str] = field(default_factory=list)  # harvested by this client


class Client:
    """One keep-alive connection (reopened when the server closes it) and the tally."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.tally = Tally()

    def request(self, label: str, method: str, path: str, body: dict[str, Any] | None = None,
                expected: tuple[int, ...] = (200,), refused: tuple[int, ...] = (),
                token: str | None = None) -> tuple[int, Any]:
        """Send, time and classify one request; (status, JSON body or None); status 0 when
        the connection failed."""
        headers = {"Accept-Language": "vi-VN,vi;q=0.9"}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = headers["Accept"] = "application/json"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            status, raw = 0, f"{type(exc).__name__}: {exc}".encode()
        elapsed = (time.perf_counter() - started) * 1000
        t = self.tally
        t.latencies.setdefault(label, []).append(elapsed)
        t.statuses.setdefault(label, Counter())[status] += 1
        if status in refused:
            t.refused[label] += 1
        elif status not in expected:
            t.errors[label] += 1
            if len(t.samples) < ERROR_SAMPLES:
                t.samples.append(f"{label} {method} {path} -> {status} {raw[:300]!r}")
        decoded = json.loads(raw) if status and raw[:1] in (b"{", b"[") else None
        return status, decoded


def scan(port: int, spec: dict[str, Any], deadline: float) -> Tally:
    """Consumer scans of random known codes (signed labels, both URL forms)."""
    client, rnd = Client(port), random.Random(spec["seed"])
    paths = spec["paths"]
    while time.perf_counter() < deadline:
        path = rnd.choice(paths)
        client.request("scan /01" if path.startswith("/01/") else "scan /l", "GET", path)
    return client.tally


def trace(port: int, spec: dict[str, Any], deadline: float) -> Tally:
    """Traces of random lots, backward from retail lots and forward from farm lots."""
    client, rnd = Client(port, spec["token"]), random.Random(spec["seed"])
    while time.perf_counter() < deadline:
        direction = rnd.choice(("backward", "forward"))
        code = rnd.choice(spec["retail"] if direction == "backward" else spec["farm"])
        client.request("trace", "GET", f"/api/v1/lots/{code}/trace?direction={direction}")
    return client.tally


def record(port: int, spec: dict[str, Any], deadline: float) -> Tally:
    """Harvest 10 kg, ship 4 kg twice to the collector, who receives both; repeat."""
    client = Client(port, spec["farm_token"])
    t = client.tally
    while time.perf_counter() < deadline:
        status, body = client.request("harvest", "POST", "/api/v1/lots", {
            "product_id": spec["product"], "partner_id": spec["farm"], "quantity": "10",
            "unit": "kg", "produced_on": spec["produced_on"],
            "origin": {"growing_area_code": spec["area"]}}, expected=(201,))
        if status != 201:
            continue
        t.acked["harvest"] += 1
        t.lot_codes.append(body["lot_code"])
        for _ in range(2):
            status, body = client.request("ship", "POST", "/api/v1/shipments", {
                "lot_code": t.lot_codes[-1], "quantity": "4", "unit": "kg",
                "from_partner_id": spec["farm"], "to_partner_id": spec["collector"],
                "shipped_at": spec["shipped_at"]}, expected=(201,))
            if status != 201:
                continue
            t.acked["ship"] += 1
            status, _ = client.request(
                "receive", "POST", f"/api/v1/shipments/{body['id']}/receive",
                {"received_at": spec["received_at"], "quantity": "4", "unit": "kg"},
                token=spec["collector_token"])
            t.acked["receive"] += status == 200
    return client.tally


def oversell(port: int, spec: dict[str, Any], deadline: float) -> Tally:
    """Ship 7 kg of the hot lots, in the list's order, until the lot is used up (409): every
    oversell process does the same, so they race for the last kilograms of each lot."""
    client = Client(port, spec["token"])
    for code in spec["lots"]:
        while time.perf_counter() < deadline:
            status, _ = client.request("oversell ship", "POST", "/api/v1/shipments", {
                "lot_code": code, "quantity": "7", "unit": "kg",
                "from_partner_id": spec["farm"], "to_partner_id": spec["collector"],
                "shipped_at": spec["shipped_at"]}, expected=(201,), refused=(409,))
            if status == 201:
                client.tally.acked["ship"] += 1
            else:
                break
        if time.perf_counter() >= deadline:
            break
    return client.tally


PARTS = {"scan": scan, "trace": trace, "record": record, "oversell": oversell}


def run(part: str, port: int, spec: dict[str, Any], start_at: float, seconds: float,
        queue: Any) -> None:
    """A client process: wait for the common start, play `part` for `seconds`, report."""
    while (wait := start_at - time.time()) > 0:
        time.sleep(min(wait, 0.05))
    deadline = time.perf_counter() + seconds
    queue.put((part, PARTS[part](port, spec, deadline)))
