"""Trace and recording benchmarks on a registry shaped like real agrifood chains (DESIGN.md 8).

    python bench/trace.py --lots 100000
    python bench/trace.py --lots 1000000 --database-url 'postgresql+psycopg://...'

Builds (or reuses) the registry in bench/out/ (SQLite) or at --database-url, then prints p50/p99
over random retail and farm lots of `chains.trace.load` (and load + JSON render) both ways, of
the HTTP trace endpoint served by `nguongoc serve` (gunicorn, 2 sync workers) and driven by
bench/httpload.py from other processes, and events/s of the bulk path (`record_batch` and
`POST /api/v1/events/bulk`) and of the single services. Each figure is the median of --runs.
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
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
from pathlib import Path
from typing import Any

import bulkbench
import chaingen
from httpload import percentile
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from chains import trace as tracing
from registry import accounts, database, lots
from registry.actors import SYSTEM
from registry.models import Lot, LotEdge, OriginType, Role

OUT = Path(__file__).resolve().parent / "out"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_trace.lua"


def cpu_check() -> float:
    """Milliseconds one core takes for a fixed loop (best of 3): about 160 on an idle machine
    of this kind; more means other processes shared the cores while the figures were taken."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(range(10**7))
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def prepare(url: str, wanted: int, regenerate: bool) -> dict[str, Any]:
    """A migrated database holding the generated registry (made once, then reused)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and regenerate and parsed.database:
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    database.upgrade(url)
    engine = create_engine(url)
    if parsed.get_backend_name() == "sqlite":
        chaingen.fast_sqlite(engine)
    elif regenerate:
        database.truncate_all(url)
    try:
        if not chaingen.is_empty(engine):
            return {"reused": True}
        print(f"generating about {wanted:,} lots into {chaingen.describe_url(url)} ...",
              file=sys.stderr, flush=True)
        made = chaingen.generate(engine, wanted)
        return {"reused": False, **made.counts}
    finally:
        engine.dispose()


def samples(sessions: Any, count: int, rnd: random.Random) -> dict[str, list[str]]:
    """Random retail lots (bags, the leaves) and farm lots (harvests, the roots)."""
    with sessions() as session:
        top = session.execute(select(func.max(Lot.id))).scalar_one()
        picked: dict[str, list[str]] = {"retail": [], "farm": []}
        while min(len(v) for v in picked.values()) < count:
            ids = [rnd.randint(1, top) for _ in range(count * 4)]
            for lot in session.execute(select(Lot.lot_code, Lot.unit, Lot.origin_type)
                                       .where(Lot.id.in_(ids))):
                if lot.origin_type is OriginType.GROWING_AREA:
                    picked["farm"].append(lot.lot_code)
                elif lot.unit == "bag":
                    picked["retail"].append(lot.lot_code)
        return {k: v[:count] for k, v in picked.items()}


def time_traces(sessions: Any, codes: list[str], direction: str,
                render: bool) -> list[float]:
    """Milliseconds per trace, a fresh session each (as a request has)."""
    timings = []
    for code in codes:
        with sessions() as session:
            lot = lots.get(session, code)
            started = time.perf_counter()
            traced = tracing.load(session, lot, direction)  # type: ignore[arg-type]
            if render:
                tracing.render(traced).model_dump_json()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median of each figure over the runs."""
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}


def in_process(sessions: Any, picked: dict[str, list[str]], runs: int) -> dict[str, Any]:
    """chains.trace.load (and load + render) p50/p99, both directions, retail and farm lots."""
    figures: dict[str, Any] = {}
    for kind, codes in picked.items():
        time_traces(sessions, codes, "backward", False)  # warm the caches
        time_traces(sessions, codes, "forward", False)
        for direction in ("backward", "forward"):
            for render in (False, True):
                per_run = []
                for _ in range(runs):
                    t = time_traces(sessions, codes, direction, render)
                    per_run.append({"p50_ms": percentile(t, 0.5), "p99_ms": percentile(t, 0.99)})
                name = f"{'load+render' if render else 'load'} {direction} {kind}"
                figures[name] = summary(per_run)
                print(f"  {name:32} {figures[name]}", file=sys.stderr, flush=True)
    return figures


def trace_sizes(sessions: Any, picked: dict[str, list[str]]) -> dict[str, float]:
    """How many lots a trace holds, on average."""
    sizes: dict[str, float] = {}
    with sessions() as session:
        for kind, direction in (("retail", "backward"), ("farm", "forward")):
            counts = [len(tracing.subgraph(session, lots.get(session, c), direction).nodes)
                      for c in picked[kind][:100]]  # type: ignore[arg-type]
            sizes[f"{direction} {kind}"] = round(statistics.fmean(counts), 1)
    return sizes


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    """`nguongoc serve` (2 sync workers) on 127.0.0.1:port, once it answers."""
    command = shutil.which("nguongoc") or str(Path(sys.executable).parent / "nguongoc")
    env = dict(os.environ, DATABASE_URL=url, NGUONGOC_SECRET_KEY="bench-secret",
               NGUONGOC_WORKERS="2")
    server = subprocess.Popen([command, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(1.5)  # both workers booted
                return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise RuntimeError("nguongoc serve did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers (its own process group)."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def http_traces(port: int, token: str, picked: dict[str, list[str]], seconds: float,
                runs: int) -> dict[str, Any]:
    """The JSON trace endpoint under load from 2 connections, both directions: Debian's wrk
    when installed (`apt-get install wrk`), else bench/httpload.py's 2 processes."""
    figures: dict[str, Any] = {}
    client = Path(__file__).resolve().parent / "httpload.py"
    warm = True  # the first pass boots both workers' caches; it is not counted
    for direction, kind in (("backward", "retail"), ("forward", "farm"),
                            ("backward", "farm"), ("forward", "retail")):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("\n".join(f"/api/v1/lots/{c}/trace?direction={direction}"
                                   for c in picked[kind]))
        per_run = []
        wrk = shutil.which("wrk")
        for _ in range(runs + warm):
            if wrk:  # Debian's wrk: a C client that leaves the cores to the server
                command = [wrk, "-t1", "-c2", f"-d{seconds:g}s", "-s", str(WRK_SCRIPT),
                           f"http://127.0.0.1:{port}", "--", handle.name, token]
            else:
                command = [sys.executable, str(client), str(port), token, str(seconds), "2",
                           handle.name]
            done = subprocess.run(command, capture_output=True, text=True, check=True,
                                  timeout=seconds + 120)
            per_run.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if warm:
            per_run, warm = per_run[1:], False
        Path(handle.name).unlink()
        figures[f"http {direction} {kind}"] = summary(per_run)
        print(f"  http {direction} {kind:8} {figures[f'http {direction} {kind}']}",
              file=sys.stderr, flush=True)
    return figures


def main() -> None:
    """Parse the options, build or reuse the registry, run every benchmark, print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--http-seconds", type=float, default=8.0)
    parser.add_argument("--bulk-operations", type=int, default=10_000)
    parser.add_argument("--single-operations", type=int, default=300)
    parser.add_argument("--skip", action="append", default=[],
                        choices=["load", "http", "bulk", "single"])
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{OUT / f'trace-{args.lots}.sqlite3'}"
    OUT.mkdir(exist_ok=True)
    report: dict[str, Any] = {"database": chaingen.describe_url(url), "lots_wanted": args.lots,
                              "machine": f"{os.cpu_count()} cores, {sys.platform}",
                              "date": time.strftime("%Y-%m-%d"),
                              "load_average_at_start": os.getloadavg(),
                              "cpu_check_ms_at_start": cpu_check()}
    report["generation"] = prepare(url, args.lots, args.regenerate)
    engine = database.make_engine(url)
    sessions = database.make_sessions(engine)
    with sessions() as session:
        report["lots"] = session.execute(select(func.count()).select_from(Lot)).scalar_one()
        report["lot_edges"] = session.execute(
            select(func.count()).select_from(LotEdge)).scalar_one()
    print(json.dumps(report, ensure_ascii=False), file=sys.stderr, flush=True)
    rnd = random.Random(8)
    picked = samples(sessions, args.samples, rnd)
    report["trace_sizes"] = trace_sizes(sessions, picked)
    if "load" not in args.skip:
        report["in_process"] = in_process(sessions, picked, args.runs)
    reg = bulkbench.Registry(sessions())
    with sessions() as session:
        user = accounts.create_user(session, SYSTEM, accounts.UserIn(
            username=f"bench-{secrets.token_hex(4)}", password=secrets.token_urlsafe(16),
            role=Role.ADMIN))
        token = accounts.create_token(session, SYSTEM, user, "bench")
        session.commit()
    if "http" not in args.skip or "bulk" not in args.skip:
        port = free_port()
        server = serve(url, port)
        try:
            if "http" not in args.skip:
                report["http"] = http_traces(port, token, picked, args.http_seconds, args.runs)
            if "bulk" not in args.skip:
                figures = bulkbench.over_http(port, token, reg, args.bulk_operations, args.runs,
                                              rnd)
                report["bulk_http"] = summary(figures)
                print(f"  bulk over HTTP {report['bulk_http']}", file=sys.stderr, flush=True)
        finally:
            stop(server)
    if "bulk" not in args.skip:
        report["bulk_direct"] = summary(bulkbench.direct(sessions, reg, args.bulk_operations,
                                                         args.runs, rnd))
        print(f"  bulk direct {report['bulk_direct']}", file=sys.stderr, flush=True)
    if "single" not in args.skip:
        report["single"] = summary([bulkbench.single(sessions, reg, args.single_operations, rnd)
                                    for _ in range(args.runs)])
        print(f"  single {report['single']}", file=sys.stderr, flush=True)
    engine.dispose()
    report["load_average_at_end"] = os.getloadavg()
    report["cpu_check_ms_at_end"] = cpu_check()
    name = "pg" if make_url(url).get_backend_name() == "postgresql" else "sqlite"
    result = OUT / f"results-{name}-{args.lots}.json"
    result.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
