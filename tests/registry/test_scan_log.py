"""The scan log keeps coarse client facts only, writes off the hot path, and the scan page's fast
reading of canonical codes agrees with the full parser."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

import qr
from registry import scan_log
from registry.gs1 import check_digit
from registry.models import Scan, ScanCount
from registry.scan_reads import fast_link
from tests import factories


@pytest.mark.parametrize("address, network", [
    ("203.0.113.77", "203.0.113.0/24"), ("10.1.2.3", "10.1.2.0/24"),
    ("2001:db8:abcd:12::5", "2001:db8:abcd::/48"), ("::ffff:198.51.100.4", "198.51.100.0/24"),
    ("", None), (None, None), ("not-an-ip", None)])
def test_only_the_network_is_kept_never_the_address(address, network):
    assert scan_log.coarse_network(address) == network


@pytest.mark.parametrize("agent, family", [
    ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
     "chrome"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 "
     "Safari/604.1", "safari"),
    ("Mozilla/5.0 (Linux; Android 13) Chrome/120.0 Mobile Safari/537.36 Zalo android/12",
     "zalo"),
    ("Mozilla/5.0 (Windows NT 10.0) Chrome/120 Safari/537.36 coc_coc_browser/120", "coccoc"),
    ("curl/8.5.0", "tool"), ("Googlebot/2.1", "bot"), ("facebookexternalhit/1.1", "bot"),
    ("Nokia", "other"), (None, None)])
def test_the_browser_family_not_the_user_agent(agent, family):
    assert scan_log.browser_family(agent) == family


def test_languages_and_country_are_short_and_checked():
    assert scan_log.languages("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7,fr;q=0.1") == \
        "vi-VN,vi,en-US,en"
    assert scan_log.languages("<script>,vi") == "vi" and scan_log.languages("") is None
    assert scan_log.country({"CF-IPCountry": "vn"}) == "VN"
    assert scan_log.country({"CF-IPCountry": "XX", "X-Country-Code": "KH"}) == "KH"
    assert scan_log.country({"X-Country-Code": "Vietnam"}) is None


def test_a_scan_row_has_nothing_more():
    row = scan_log.scan_row(7, "12", "verified", remote_addr="203.0.113.77",
                            user_agent="curl/8", accept_language="vi", headers={})
    assert set(row) == {"scanned_at", "lot_id", "serial", "verdict", "ip_prefix", "ua_family",
                        "accept_language", "country"}


def test_a_buffered_log_writes_when_flushed_with_its_counters(app, session):
    farm = factories.partner(session)
    product = factories.product(session, owner=farm)
    area = factories.growing_area(session, holder=farm)
    from registry import lots
    from registry.actors import SYSTEM

    lot = lots.harvest(session, SYSTEM, lots.LotIn(
        product_id=product.id, partner_id=farm.id, quantity="5", unit="kg",
        produced_on="2026-11-01", origin={"growing_area_code": area.code}))
    session.commit()
    engine = scan_log.log_engine(app.config["NGUONGOC"].database_url)
    log = scan_log.ScanLog(engine, interval=60)
    try:
        for n in range(3):
            log.record(scan_log.scan_row(lot.id, None, "verified", remote_addr=f"192.0.2.{n}",
                                         user_agent=None, accept_language=None, headers={}))
        assert session.execute(select(func.count()).select_from(Scan)).scalar_one() == 0
        assert log.flush() == 3
        session.rollback()
        assert session.execute(select(func.count()).select_from(Scan)).scalar_one() == 3
        assert session.get(ScanCount, lot.id).scans == 3
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:  # the log's own connection is relaxed
                assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    finally:
        log.close()
        engine.dispose()


_VALUE = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=20)


@settings(max_examples=300, deadline=None)
@given(body=st.text("0123456789", min_size=13, max_size=13), batch=_VALUE,
       serial=st.one_of(st.none(), _VALUE), signed=st.booleans(), lang=st.booleans())
def test_the_fast_reading_of_a_printed_code_agrees_with_the_full_parser(body, batch, serial,
                                                                       signed, lang):
    gtin = body + check_digit(body)
    url = qr.gtin_url("https://x.test", gtin, batch, serial,
                      key=qr.signing_key("k") if signed else None)
    path = url.removeprefix("https://x.test") + ("&lang=en" if lang and signed else "")
    assert fast_link(path) == qr.parse_link(path)


@settings(max_examples=200, deadline=None)
@given(code=st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=32))
def test_the_fast_reading_of_a_lot_url_agrees_with_the_full_parser(code):
    path = qr.lot_url("https://x.test", code, key=qr.signing_key("k")).removeprefix(
        "https://x.test")
    assert fast_link(path) == qr.parse_link(path)


@pytest.mark.parametrize("path", ["/01/08930000000019/10/A%2F7", "/01/8930000000019/10/A",
                                  "/x/01/08930000000019/10/A", "/l/ABC/", "/l/ABC?sig=x"])
def test_other_spellings_go_to_the_full_parser(path):
    assert fast_link(path) == qr.parse_link(path)


def test_closing_waits_for_the_write_the_thread_has_in_hand(app, session, monkeypatch):
    """At exit (gunicorn's graceful stop) `close` must not return while the background thread
    is writing rows it already took from the buffer: the daemon thread dies with the process."""
    import threading
    import time

    farm = factories.partner(session)
    product = factories.product(session, owner=farm)
    area = factories.growing_area(session, holder=farm)
    from registry import lots
    from registry.actors import SYSTEM

    lot = lots.harvest(session, SYSTEM, lots.LotIn(
        product_id=product.id, partner_id=farm.id, quantity="5", unit="kg",
        produced_on="2026-11-01", origin={"growing_area_code": area.code}))
    session.commit()
    engine = scan_log.log_engine(app.config["NGUONGOC"].database_url)
    writing, real_write = threading.Event(), scan_log.write

    def slow_write(engine_, rows):
        writing.set()
        time.sleep(0.5)  # the thread is mid-write when close() is called
        real_write(engine_, rows)

    monkeypatch.setattr(scan_log, "write", slow_write)
    log = scan_log.ScanLog(engine, interval=0.01)
    try:
        for n in range(4):
            log.record(scan_log.scan_row(lot.id, None, "verified", remote_addr=f"192.0.2.{n}",
                                         user_agent=None, accept_language=None, headers={}))
        assert writing.wait(5), "the thread did not start writing"
        log.close()
        session.rollback()
        assert session.execute(select(func.count()).select_from(Scan)).scalar_one() == 4
    finally:
        engine.dispose()
