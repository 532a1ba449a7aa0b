"""The scan log: every scan of a code, with coarse client facts only, written off the hot path.

What is kept of the client (no more than a web server's access log, less in fact): the network
(IPv4 /24 or IPv6 /48, never the address), the browser family (never the user-agent string), the
first Accept-Language tags, and a country header a proxy may add (CF-IPCountry and the like).

Writing: scans go to their own connection, so the scan page's read transaction never waits on
them. On SQLite that connection runs `PRAGMA synchronous = NORMAL` (a crash may lose the last
few log rows, never corrupt the database; evidence elsewhere keeps FULL), and on PostgreSQL each
log transaction sets `synchronous_commit = off`. With `interval` > 0 the rows wait in a per-process
buffer that a background thread writes every `interval` seconds (and at exit), so no scan pays
for a write; with 0 (tests) each scan is written at once. Each write also updates the per-lot
counters and runs the cheap incremental copied-code check (`registry.copied_codes`).
"""

from __future__ import annotations

import atexit
import ipaddress
import logging
import re
import threading
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, event, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry import copied_codes
from registry.database import make_engine
from registry.models import Scan, ScanCount, utcnow

log = logging.getLogger(__name__)

MAX_BUFFER = 10_000
"""Scans kept waiting at most; beyond it the request that adds one writes them."""
COUNTRY_HEADERS = ("CF-IPCountry", "X-Country-Code", "X-AppEngine-Country",
                   "CloudFront-Viewer-Country")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_FAMILIES = (  # the first match wins: crawlers, then in-app browsers, then their engines
    ("bot", "bot"), ("spider", "bot"), ("crawl", "bot"), ("externalhit", "bot"),
    ("zalo", "zalo"), ("fban", "facebook"), ("fbav", "facebook"), ("instagram", "instagram"),
    ("line/", "line"), ("coc_coc", "coccoc"), ("samsungbrowser", "samsung"), ("edg", "edge"),
    ("opr/", "opera"), ("crios", "chrome"), ("fxios", "firefox"), ("firefox", "firefox"),
    ("chrome", "chrome"), ("chromium", "chrome"), ("safari", "safari"), ("curl", "tool"),
    ("wget", "tool"), ("python", "tool"), ("okhttp", "tool"),
)


def coarse_network(address: str | None) -> str | None:
    """The client's network, never its address: IPv4 /24, IPv6 /48 (IPv4-mapped as IPv4)."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def browser_family(user_agent: str | None) -> str | None:
    """A browser family (chrome, safari, zalo, ...), never the user-agent string itself."""
    if not user_agent:
        return None
    lowered = user_agent.lower()
    return next((family for needle, family in _FAMILIES if needle in lowered), "other")


def languages(accept_language: str | None) -> str | None:
    """The first language tags of Accept-Language without weights: "vi-VN,vi,en"."""
    if not accept_language:
        return None
    tags = []
    for part in accept_language.split(",")[:4]:
        tag = part.split(";", 1)[0].strip()
        if _LANGUAGE_TAG.match(tag):
            tags.append(tag)
    return ",".join(tags)[:35] or None


def country(headers: Mapping[str, str]) -> str | None:
    """A two-letter country a proxy in front of the service put in a header, if any."""
    for name in COUNTRY_HEADERS:
        value = (headers.get(name) or "").strip().upper()
        if _COUNTRY.match(value) and value not in ("XX", "T1"):  # unknown, Tor
            return value
    return None


def scan_row(lot_id: int, serial: str | None, verdict: str, *, remote_addr: str | None,
             user_agent: str | None, accept_language: str | None,
             headers: Mapping[str, str]) -> dict[str, Any]:
    """One scan as a row of the log."""
    return {"scanned_at": utcnow(), "lot_id": lot_id, "serial": serial, "verdict": verdict,
            "ip_prefix": coarse_network(remote_addr), "ua_family": browser_family(user_agent),
            "accept_language": languages(accept_language), "country": country(headers)}


def log_engine(url: str) -> Engine:
    """An engine for the log's own connections (SQLite: synchronous NORMAL, one connection)."""
    engine = make_engine(url, pool_size=1, max_overflow=1)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _relaxed(dbapi_connection: Any, _record: Any) -> None:
            # runs after make_engine's listener, which set FULL
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()
    return engine


def write(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Append scans, bump the lots' counters and check them for copying, in one transaction."""
    if not rows:
        return
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["lot_id"]] = counts.get(row["lot_id"], 0) + 1
    options = {"sqlite_begin": "IMMEDIATE"} if engine.dialect.name == "sqlite" else {}
    with Session(engine.execution_options(**options)) as session, session.begin():
        if engine.dialect.name == "postgresql":  # for this transaction only
            session.connection().exec_driver_sql("SET LOCAL synchronous_commit = off")
        session.connection().execute(insert(Scan.__table__), rows)  # Core: no ORM bulk path
        _count(session, counts)
        copied_codes.check_scans(session, rows)


def _count(session: Session, counts: dict[int, int]) -> None:
    """Add to the per-lot counters (an upsert on both databases)."""
    dialect = session.get_bind().dialect.name
    values = [{"lot_id": lot_id, "scans": n} for lot_id, n in sorted(counts.items())]
    if dialect == "postgresql":
        pg = postgresql.insert(ScanCount)
        session.execute(pg.on_conflict_do_update(
            index_elements=[ScanCount.lot_id],
            set_={"scans": ScanCount.scans + pg.excluded.scans}), values)
    else:
        lite = sqlite.insert(ScanCount)
        session.execute(lite.on_conflict_do_update(
            index_elements=[ScanCount.lot_id],
            set_={"scans": ScanCount.scans + lite.excluded.scans}), values)


class ScanLog:
    """A process's scan writer: at once (`interval` 0), or buffered and written by a thread."""

    def __init__(self, engine: Engine, interval: float = 0.0) -> None:
        self.engine, self.interval = engine, interval
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def record(self, row: dict[str, Any]) -> None:
        """Log one scan; never raises (a scan page must not fail because its log did)."""
        try:
            if self.interval <= 0:
                self._write([row])
                return
            with self._lock:
                self._rows.append(row)
                full = len(self._rows) >= MAX_BUFFER
                self._start()
            if full:
                self.flush()
        except Exception:  # logged: losing a log row beats failing the scan page
            log.exception("could not log a scan")

    def flush(self) -> int:
        """Write what is waiting now; how many scans were written. A write in progress (the
        thread's) finishes first, so when this returns every scan recorded before is stored:
        at exit, the daemon thread is not cut off with rows it took but did not write."""
        with self._write_lock:
            with self._lock:
                rows, self._rows = self._rows, []
            if rows:
                write(self.engine, rows)
        return len(rows)

    def close(self) -> None:
        """Write what is waiting and stop the thread (at exit)."""
        self._closed = True
        try:
            self.flush()
        except Exception:
            log.exception("could not write the last scans")

    def _write(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            with self._write_lock:
                write(self.engine, rows)

    def _start(self) -> None:
        if self._thread is None and not self._closed:
            self._thread = threading.Thread(target=self._run, name="scan-log", daemon=True)
            self._thread.start()
            atexit.register(self.close)

    def _run(self) -> None:
        while not self._closed:
            time.sleep(self.interval)
            try:
                self.flush()
            except Exception:
                log.exception("could not write scans; they are lost")
