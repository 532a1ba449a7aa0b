"""A bounded load test of mixed traffic against the real server, then the invariants (issue 9).

    python bench/loadtest.py                                   # 60 s on a fresh SQLite file
    python bench/loadtest.py --database-url postgresql+psycopg://USER@HOST:PORT/EMPTY_DB
    python bench/loadtest.py --seconds 20 --lots 3000 --workers 2

Seeds a fresh database with a few thousand lots in real-looking chains (bench/chaingen.py),
products with GTINs, partner accounts with API tokens, and "hot" lots of 50 kg; serves it with
`nguongoc serve` (gunicorn sync process workers) on loopback and drives it from client
processes (bench/loadclient.py) for --seconds: consumer scans of signed labels (`/l/...` and
GS1 Digital Link `/01/...`), JSON traces both ways, event recording (harvest, ship, receive with
partner tokens) and oversell attempts (processes shipping the same hot lots until each is used
up: 409 is expected there and counted apart). Prints requests, requests/s and p50/p99 per kind.

Then checks: no errors (any status not expected, 5xx, connection errors), every acknowledged
write stored (lots, shipments, receipts counted before and after), the mass balance of every lot
(`registry.mass_balance`), the audit chain, and that oversell attempts were refused. Exits 1 if
anything fails. Results go to bench/out/loadtest-{sqlite,pg}.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import chaingen
import loadclient
from httpload import percentile
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

import qr
from chains import bulk
from chains.bulk_ops import BatchIn
from registry import accounts, audit, database, mass_balance
from registry.actors import SYSTEM
from registry.gs1 import check_digit
from registry.models import Lot, Product, Role, Scan, Shipment, ShipmentStatus

OUT = Path(__file__).resolve().parent / "out"
SECRET = "loadtest-secret"
BASE_URL = "https://qr.loadtest"
HOT_KG = 50


def free_port() -> int:
    """A TCP port nobody listens on, on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(url: str, lots: int, reset: bool) -> chaingen.Generated:
    """Migrate an empty database (or empty it with --reset) and generate the chains."""
    database.upgrade(url)
    engine = database.make_engine(url)
    try:
        if not chaingen.is_empty(engine):
            if not reset:
                sys.exit(f"{chaingen.describe_url(url)} already has lots: use an empty "
                         "database or --reset (which deletes every record)")
            database.truncate_all(url)
    finally:
        engine.dispose()
    engine = database.make_engine(url)
    try:
        return chaingen.generate(engine, lots, progress=False)
    finally:
        engine.dispose()


def seed(url: str, generated: chaingen.Generated, seconds: float, rnd: random.Random,
         parts: dict[str, int]) -> dict[str, Any]:
    """GTINs, accounts and tokens, hot lots; the specs of the client processes."""
    engine = database.make_engine(url)
    sessions = database.make_sessions(engine)
    today = date.today()
    moments = {"produced_on": (today - timedelta(days=2)).isoformat(),
               "shipped_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
               "received_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}
    try:
        with sessions() as session:
            for pid in session.execute(select(Product.id)).scalars():
                body = f"893{pid:09d}"
                session.execute(update(Product).where(Product.id == pid)
                                .values(gtin="0" + body + check_digit(body)))
            products = dict(session.execute(select(Product.id, Product.gtin)).all())

            def token(name: str, role: Role, partner: int | None = None) -> str:
                user = accounts.create_user(session, SYSTEM, accounts.UserIn(
                    username=name, password=secrets.token_urlsafe(16), role=role,
                    partner_id=partner))
                return accounts.create_token(session, SYSTEM, user, "loadtest")

            admin = token("load-admin", Role.ADMIN)
            farms = rnd.sample(generated.farms, parts["record"] + 1)
            collectors = [rnd.choice(generated.collectors) for _ in farms]
            product = generated.raw_products[0]
            records = [{"farm": f, "collector": c, "area": generated.areas[f], "product": product,
                        "farm_token": token(f"load-farm-{f}", Role.PARTNER, f),
                        "collector_token": token(f"load-collector-{f}-{c}", Role.PARTNER, c),
                        **moments} for f, c in zip(farms[1:], collectors[1:], strict=True)]
            hot_farm = farms[0]
            hot_token = token(f"load-hot-farm-{hot_farm}", Role.PARTNER, hot_farm)
            hot = [{"type": "harvest", "ref": f"hot{n}", "product_id": product,
                    "partner_id": hot_farm, "quantity": str(HOT_KG), "unit": "kg",
                    "produced_on": moments["produced_on"],
                    "origin": {"growing_area_code": generated.areas[hot_farm]}}
                   for n in range(max(200, int(seconds * 25)))]
            made = bulk.record_batch(session, SYSTEM,
                                     BatchIn.model_validate({"operations": hot}).operations)
            session.commit()
            hot_codes = [r.lot_code for r in made.results]
            sample = session.execute(select(Lot.lot_code, Lot.batch, Lot.product_id)
                                     .order_by(func.random()).limit(3000)).all()
    finally:
        engine.dispose()
    key = qr.signing_key(SECRET)
    paths = [qr.label_url(BASE_URL, code, key=key,
                          **({"gtin": products[pid], "batch": batch} if n % 10 < 7 else {}))
             .removeprefix(BASE_URL) for n, (code, batch, pid) in enumerate(sample)]
    specs: dict[str, list[dict[str, Any]]] = {
        "scan": [{"paths": paths, "seed": n} for n in range(parts["scan"])],
        "trace": [{"token": admin, "retail": generated.retail_lots[:2000] or hot_codes,
                   "farm": generated.farm_lots[:2000], "seed": n} for n in range(parts["trace"])],
        "record": records[:parts["record"]],
        "oversell": [{"token": hot_token, "lots": hot_codes, "farm": hot_farm,
                      "collector": records[0]["collector"], **moments}
                     for _ in range(parts["oversell"])]}
    return {"specs": specs, "admin": admin, "hot_codes": hot_codes}


def serve(url: str, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`nguongoc serve` on a free loopback port, once /healthz answers."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, NGUONGOC_SECRET_KEY=SECRET,
               NGUONGOC_BASE_URL=BASE_URL, NGUONGOC_RATE_LIMITS="off")
    command = [str(Path(sys.executable).parent / "nguongoc"), "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as handle:
        server = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                if r.status == 200:
                    time.sleep(1.0)  # let every worker finish booting
                    return server, port
        except OSError:
            time.sleep(0.3)
    os.killpg(server.pid, signal.SIGKILL)
    sys.exit(f"nguongoc serve did not start:\n{log.read_text()[-3000:]}")


def drive(port: int, specs: dict[str, list[dict[str, Any]]],
          seconds: float) -> tuple[dict[str, Any], float]:
    """Run every client process for `seconds`; their tallies merged, and the elapsed time."""
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    start_at = time.time() + 1.0
    processes = [multiprocessing.Process(target=loadclient.run,
                                         args=(part, port, spec, start_at, seconds, queue))
                 for part, part_specs in specs.items() for spec in part_specs]
    for process in processes:
        process.start()
    tallies = [queue.get(timeout=seconds + 180)[1] for _ in processes]
    elapsed = time.time() - start_at
    for process in processes:
        process.join()
    merged: dict[str, Any] = {"latencies": {}, "statuses": {}, "refused": {}, "errors": {},
                              "samples": [], "acked": {}, "lot_codes": []}
    for t in tallies:
        for label, values in t.latencies.items():
            merged["latencies"].setdefault(label, []).extend(values)
        for label, counts in t.statuses.items():
            for status, n in counts.items():
                bucket = merged["statuses"].setdefault(label, {})
                bucket[status] = bucket.get(status, 0) + n
        for name in ("refused", "errors", "acked"):
            for label, n in getattr(t, name).items():
                merged[name][label] = merged[name].get(label, 0) + n
        merged["samples"] += t.samples
        merged["lot_codes"] += t.lot_codes
    return merged, elapsed


def figures(merged: dict[str, Any], elapsed: float) -> dict[str, dict[str, Any]]:
    """Requests, requests/s, p50/p99 (ms), refused and errors per kind of request."""
    table = {}
    for label, values in sorted(merged["latencies"].items()):
        table[label] = {"requests": len(values), "rps": round(len(values) / elapsed, 1),
                        "p50_ms": round(percentile(values, 0.50), 1),
                        "p99_ms": round(percentile(values, 0.99), 1),
                        "mean_ms": round(statistics.fmean(values), 1),
                        "refused_409": merged["refused"].get(label, 0),
                        "errors": merged["errors"].get(label, 0),
                        "statuses": {str(k): v for k, v in sorted(merged["statuses"][label]
                                                                  .items())}}
    return table


def counts(url: str) -> dict[str, int]:
    """Lots, shipments and received shipments stored."""
    engine = database.make_engine(url)
    try:
        with engine.connect() as connection:
            def count(stmt: Any) -> int:
                return int(connection.execute(stmt).scalar_one())
            return {"lots": count(select(func.count()).select_from(Lot)),
                    "shipments": count(select(func.count()).select_from(Shipment)),
                    "received": count(select(func.count()).select_from(Shipment).where(
                        Shipment.status == ShipmentStatus.RECEIVED)),
                    "scans": count(select(func.count()).select_from(Scan))}
    finally:
        engine.dispose()


def invariants(url: str, before: dict[str, int], merged: dict[str, Any],
               hot_codes: list[str]) -> list[str]:
    """Every broken rule after the run (empty when all hold)."""
    failures = []
    after = counts(url)
    acked = merged["acked"]
    scanned = sum(n for label, statuses in merged["statuses"].items()
                  if label.startswith("scan") for status, n in statuses.items() if status == 200)
    expected = {"lots": before["lots"] + acked.get("harvest", 0),
                "shipments": before["shipments"] + acked.get("ship", 0),
                "received": before["received"] + acked.get("receive", 0),
                "scans": before["scans"] + scanned}
    if after != expected:
        failures.append(f"stored {after}, acknowledged writes say {expected}")
    engine = database.make_engine(url)
    try:
        with database.make_sessions(engine)() as session:
            balance = mass_balance.check(session)
            failures += [f"mass balance: {p}" for p in balance.problems]
            verdict = audit.verify(session)
            if not verdict.ok:
                failures.append(f"audit chain broken at {verdict.bad_seq}: {verdict.reason}")
            shipped = dict(session.execute(
                select(Lot.lot_code, func.coalesce(func.sum(Shipment.quantity), 0))
                .join(Shipment, Shipment.lot_id == Lot.id, isouter=True)
                .where(Lot.lot_code.in_(hot_codes)).group_by(Lot.lot_code)).all())
    finally:
        engine.dispose()
    over = {c: q for c, q in shipped.items() if q > HOT_KG * 1000}
    if over:
        failures.append(f"hot lots shipped beyond {HOT_KG} kg: {over}")
    if not merged["refused"].get("oversell ship"):
        failures.append("no oversell attempt was refused: the scenario did not race")
    return failures + [f"{n} unexpected responses to {label}"
                       for label, n in merged["errors"].items() if n]


def main() -> None:
    """Prepare, serve, drive, check, print; exit 1 on any error or broken invariant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--reset", action="store_true", help="empty a database that has data")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--lots", type=int, default=3000, help="lots generated before the run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    for part, default in (("scan", 2), ("trace", 1), ("record", 2), ("oversell", 2)):
        parser.add_argument(f"--{part}-clients", type=int, default=default)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="nguongoc-load-"))
    url = args.database_url or f"sqlite:///{folder / 'load.sqlite3'}"
    kind = "pg" if make_url(url).get_backend_name() == "postgresql" else "sqlite"
    parts = {p: getattr(args, f"{p}_clients") for p in ("scan", "trace", "record", "oversell")}
    rnd = random.Random(9)
    started = time.perf_counter()
    generated = prepare(url, args.lots, args.reset)
    seeded = seed(url, generated, args.seconds, rnd, parts)
    before = counts(url)
    print(f"seeded {before['lots']:,} lots ({chaingen.describe_url(url)}) in "
          f"{time.perf_counter() - started:.1f} s; {args.workers} workers, clients {parts}, "
          f"{args.seconds:g} s", flush=True)
    server, port = serve(url, args.workers, folder / "server.log")
    try:
        merged, elapsed = drive(port, seeded["specs"], args.seconds)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            healthy = r.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # graceful: workers flush their scan logs
        server.wait(timeout=60)
    table = figures(merged, elapsed)
    failures = invariants(url, before, merged, seeded["hot_codes"])
    if not healthy:
        failures.append("/healthz did not answer 200 after the run")
    print(f"\n{'kind':16} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'409':>6} {'errors':>6}")
    for label, f in table.items():
        print(f"{label:16} {f['requests']:>9} {f['rps']:>8} {f['p50_ms']:>8} {f['p99_ms']:>8} "
              f"{f['refused_409']:>6} {f['errors']:>6}")
    total = sum(f["requests"] for f in table.values())
    print(f"{'all':16} {total:>9} {round(total / elapsed, 1):>8}")
    print(f"acknowledged writes: {merged['acked']}; load average {os.getloadavg()[0]:.1f}")
    for sample in merged["samples"]:
        print(f"  error: {sample}")
    result = {"database": chaingen.describe_url(url), "seconds": args.seconds,
              "workers": args.workers, "clients": parts, "date": time.strftime("%Y-%m-%d"),
              "cores": os.cpu_count(), "load_average": os.getloadavg(), "seeded": before,
              "kinds": table, "acked": merged["acked"], "failures": failures}
    (OUT / f"loadtest-{kind}.json").write_text(json.dumps(result, indent=2))
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures), flush=True)
        print(f"server log: {folder / 'server.log'}")
        sys.exit(1)
    print("\nOK: no errors, every acknowledged write stored, every lot balances, audit chain "
          "intact, oversells refused")
    shutil.rmtree(folder)  # the server log, and the SQLite file when it made one


if __name__ == "__main__":
    main()
