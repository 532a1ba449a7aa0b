"""The scan page under load (DESIGN.md section 8: >= 2,600 requests/s at p99 <= 10 ms with two
gunicorn sync workers on SQLite at 1M lots), and a 1,000-label sheet of serialised codes.

Builds (or reuses) a large registry (`bench/scan_data.py`, Core bulk inserts), serves it with
`nguongoc serve --workers 2` on loopback, and loads it for a bounded time with random known
signed codes (70 % GS1 Digital Link, 30 % /l/{lot_code}; 1 in 200 recalled), with wrk and a Lua
script when wrk is installed (Debian's package), else a multi-process Python client. Prints
requests/s and p50/p99 per run and their medians, how many scans the log kept, and the median
time of `GET /api/v1/lots/{code}/labels.pdf?count=1000&serialised=1`.

    python bench/scan.py [--lots 100000] [--runs 3] [--seconds 10] [--connections 8]
                         [--database-url URL] [--rebuild] [--client wrk|python]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import scan_data
from scan_client import load_with_python
from sqlalchemy import event, func, select, text

import qr
from registry import database
from registry.models import Lot, Scan

SECRET = "bench-secret"
HERE = Path(__file__).resolve().parent
WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
math.randomseed(%(seed)d)
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Accept-Language"] = "vi-VN,vi"})
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%f, "
    .. "\\"p99\\": %%f, \\"errors\\": %%d, \\"non2xx\\": %%d}\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status))
end
"""


def code_paths(lots: int, count: int, seed: int) -> list[str]:
    """Signed paths of `count` random lots, as their labels carry them."""
    rng = random.Random(seed)
    key = qr.signing_key(SECRET)
    paths = []
    for n in rng.sample(range(1, lots + 1), min(count, lots)):
        gtin = scan_data.gtin(1 + n % scan_data.PRODUCTS)
        url = qr.label_url("http://bench", scan_data.lot_code(n), gtin=gtin,
                           batch=scan_data.batch(n), key=key)
        paths.append(url.removeprefix("http://bench"))
    return paths


def prepare(url: str, lots: int, rebuild: bool) -> None:
    """Migrate and fill the database unless it already has `lots` lots."""
    engine = database.make_engine(url)
    try:
        database.upgrade(url)
        with engine.connect() as connection:
            have = connection.execute(select(func.count()).select_from(Lot)).scalar_one()
        if have == lots and not rebuild:
            print(f"reusing {have:,} lots at {url}")
            return
        if have:
            raise SystemExit(f"{url} holds {have:,} lots; give an empty database or --rebuild "
                             "with a file that may be deleted")
        started = time.perf_counter()
        if engine.dialect.name == "sqlite":
            @event.listens_for(engine, "connect")
            def _fast(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.execute("PRAGMA synchronous = OFF")  # a scratch build

            engine.dispose()
        scan_data.build(engine, lots)
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("ANALYZE")
            else:
                connection.execute(text("ANALYZE"))
        print(f"built {lots:,} lots in {time.perf_counter() - started:.0f} s")
    finally:
        engine.dispose()


def serve(url: str, port: int, log: Path, calibrate: bool = False) -> subprocess.Popen[bytes]:
    """`nguongoc serve` with two sync workers (or the calibration app with the same gunicorn
    options), ready to answer."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "DATABASE_URL": url, "NGUONGOC_SECRET_KEY": SECRET,
           "NGUONGOC_BASE_URL": f"http://127.0.0.1:{port}", "NGUONGOC_RATE_LIMITS": "off",
           "NGUONGOC_WORKERS": "2", "PYTHONPATH": str(HERE)}
    command = [str(bin_dir / "nguongoc"), "serve", "--port", str(port)]
    if calibrate:
        command = [str(bin_dir / "gunicorn"), "--workers", "2", "--worker-class", "sync",
                   "--bind", f"127.0.0.1:{port}", "--access-logfile", "-",
                   "--access-logformat", '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
                   "scan_calibrate:app"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit(f"nguongoc serve did not start:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (its workers write their last scans) and wait."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def server_cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """CPU time used so far by the server and its workers (Linux /proc), robust to the other
    work a shared machine runs."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        if pid == process.pid or int(fields[1]) == process.pid:  # fields[1] is the parent
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def load_with_wrk(port: int, paths_file: Path, seconds: int, connections: int,
                  seed: int) -> dict[str, float]:
    """One bounded wrk run; requests/s, p50 and p99 in ms."""
    script = paths_file.with_suffix(".lua")
    script.write_text(WRK_SCRIPT % {"paths": paths_file, "seed": seed})
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
                          "-s", str(script), f"http://127.0.0.1:{port}"],
                         capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    result = json.loads(out[out.index("JSON ") + 5:].splitlines()[0])
    return {"rps": result["requests"] / result["seconds"], "p50": result["p50"],
            "p99": result["p99"], "requests": result["requests"],
            "failed": result["errors"] + result["non2xx"]}


def label_sheet_seconds(url: str, port: int, runs: int) -> float:
    """Median wall time of a 1,000-label serialised sheet through the API."""
    command = str(Path(sys.executable).with_name("nguongoc"))
    env = {**os.environ, "DATABASE_URL": url, "NGUONGOC_SECRET_KEY": SECRET}
    subprocess.run([command, "users", "create", "bench-admin", "--role", "admin", "--password",
                    "bench-password-1"], env=env, capture_output=True)
    token = subprocess.run([command, "tokens", "create", "bench-admin"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip()
    lot = scan_data.lot_code(1)  # product 2: has a GTIN
    times = []
    for _ in range(runs):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/lots/{lot}/labels.pdf?count=1000&serialised=1",
            headers={"Authorization": f"Bearer {token}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            size = len(response.read())
        times.append(time.perf_counter() - started)
    print(f"  1,000-label serialised sheet: {size / 1e6:.1f} MB")
    return statistics.median(times)


def run(process: subprocess.Popen[bytes], args: argparse.Namespace, paths: list[str],
        paths_file: Path, label: str) -> list[dict[str, float]]:
    """Bounded load runs against a running server; each run's figures, printed."""
    results = []
    print(f"{label}, {args.client}, {args.connections} connections, {args.seconds} s runs "
          f"(load average {os.getloadavg()[0]:.1f}):")
    for number in range(args.runs):
        cpu = server_cpu_seconds(process)
        if args.client == "wrk":
            result = load_with_wrk(args.port, paths_file, args.seconds, args.connections,
                                   seed=number)
        else:
            result = load_with_python(args.port, paths, args.seconds, args.connections)
        result["cpu_ms"] = (server_cpu_seconds(process) - cpu) * 1000 / result["requests"]
        results.append(result)
        print(f"  run {number + 1}: {result['rps']:,.0f} requests/s, p50 {result['p50']:.2f} "
              f"ms, p99 {result['p99']:.2f} ms, {int(result['failed'])} failed, server CPU "
              f"{result['cpu_ms']:.2f} ms/request")
    print(f"  median: {statistics.median(r['rps'] for r in results):,.0f} requests/s, "
          f"p50 {statistics.median(r['p50'] for r in results):.2f} ms, "
          f"p99 {statistics.median(r['p99'] for r in results):.2f} ms, server CPU "
          f"{statistics.median(r['cpu_ms'] for r in results):.2f} ms/request")
    return results


def calibrate(url: str, args: argparse.Namespace, folder: Path) -> None:
    """The floor: the same server answering a primary-key read and a small template."""
    paths = [f"/calibrate/{random.Random(n).randint(1, args.lots)}" for n in range(5000)]
    paths_file = folder / "calibrate.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    process = serve(url, args.port, folder / "calibrate.log", calibrate=True)
    try:
        run(process, args, paths, paths_file, "floor: primary-key read + small template")
    finally:
        stop(process)


def main() -> None:
    """Build, serve, load, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--codes", type=int, default=20_000, help="distinct codes requested")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--client", choices=("wrk", "python"),
                        default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--port", type=int, default=5791)
    parser.add_argument("--calibrate", action="store_true",
                        help="first measure the floor: a primary-key read and a small template")
    args = parser.parse_args()

    folder = HERE / "out" / "scan"  # bench/out/ is ignored by git
    folder.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{folder / f'scan-{args.lots}.sqlite3'}"
    if args.rebuild and url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    prepare(url, args.lots, args.rebuild)
    paths = code_paths(args.lots, args.codes, seed=11)
    paths_file = folder / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    if args.calibrate:
        calibrate(url, args, folder)
    engine = database.make_engine(url)
    with engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(Scan)).scalar_one()
    process = serve(url, args.port, folder / "serve.log")
    try:
        for path in paths[:200]:  # warm both workers' caches and connections
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}{path}", timeout=10).read()
        results = run(process, args, paths, paths_file, f"scan page, {args.lots:,} lots")
        total = sum(int(r["requests"]) for r in results)
        sheet = label_sheet_seconds(url, args.port, runs=3)
        print(f"label sheet: median {sheet:.2f} s for 1,000 distinct serialised codes")
    finally:
        stop(process)
    with engine.connect() as connection:
        logged = connection.execute(select(func.count()).select_from(Scan)).scalar_one()
    engine.dispose()
    print(f"scan log: {logged - before:,} scans written for {total + 200:,} requests")


if __name__ == "__main__":
    main()
