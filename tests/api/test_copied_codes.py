"""Copied codes: a unit code scanned from many networks, or a lot scanned far more often than it
has units, is flagged once, to the producer and the agencies of its province; the job rechecks
the log; thresholds live in a table with defaults."""

from __future__ import annotations

import re
from typing import Any

from registry import copied_codes
from registry.actors import SYSTEM
from tests.api.qr_scene import Scene, harvest, scan, scene, signed_in, text_of

__all__ = ["scene"]


def unit_codes(scene: Scene, count: int = 2) -> list[str]:
    """Issue a serialised sheet of the lime lot; the unit codes' URLs (from the PDF's codes)."""
    import io

    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    pdf = scene.api("farm").get(f"/lots/{scene.lots['lime']}/labels.pdf?count={count}"
                                "&serialised=1")
    assert pdf.status_code == 200
    urls = []
    for image in PdfReader(io.BytesIO(pdf.data)).pages[0].images:
        big = image.image.resize((image.image.width * 8, image.image.height * 8),
                                 Image.Resampling.NEAREST)
        urls.append(zxingcpp.read_barcodes(big)[0].text)
    return sorted(urls, key=lambda u: int(re.search(r"/21/(\d+)", u).group(1)))  # type: ignore


def inbox(scene: Scene, who: str) -> list[dict[str, Any]]:
    return [n for n in scene.api(who).get("/inbox?kind=copied_code").json["items"]]


def test_a_unit_code_scanned_from_many_networks_is_flagged_once(scene: Scene, client):
    first, second = unit_codes(scene)
    for host in range(1, 9):  # one shop's network: one place however many phones
        assert scan(client, first, ip=f"198.51.100.{host}").status_code == 200
    for net in range(1, 9):  # link previews of a chat app are not places
        scan(client, first, ip=f"192.0.{net}.1", headers={"User-Agent": "facebookexternalhit/1.1"})
    assert scene.api("admin").get("/flagged-codes").json["total"] == 0
    for net in range(1, 6):  # five networks in a few minutes: a photocopied label
        scan(client, first, ip=f"203.0.{net}.20")
    scan(client, second, ip="203.0.1.20")
    flags = scene.api("agency_80").get("/flagged-codes").json
    assert flags["total"] == 1
    flag = flags["items"][0]
    assert (flag["lot_code"], flag["serial"], flag["reason"]) == (
        scene.lots["lime"], "1", "many_places")
    assert flag["observed"] == 6 and flag["threshold"] == 5 and flag["province_code"] == "80"
    for net in range(6, 9):  # more scans update it, notify nobody again
        scan(client, first, ip=f"203.0.{net}.20")
    assert [n["subject_id"] for n in inbox(scene, "farm")] == [scene.lots["lime"]]
    assert len(inbox(scene, "agency_80")) == 1 and inbox(scene, "agency_92") == []
    assert "1" in inbox(scene, "agency_80")[0]["title"]


def test_flags_are_seen_by_the_producer_and_agencies_of_its_province(scene: Scene, client, app):
    first, _ = unit_codes(scene)
    for net in range(1, 6):
        scan(client, first, ip=f"203.0.{net}.20")
    assert scene.api("farm").get("/flagged-codes").json["total"] == 1
    assert scene.api("other").get("/flagged-codes").json["total"] == 0
    assert scene.api("agency_92").get("/flagged-codes").json["total"] == 0
    assert scene.api("anonymous").get("/flagged-codes").status_code == 401
    web = app.test_client()
    signed_in(app, web, "chi-cuc-80", role="agency", provinces=["80"])
    page = web.get("/flagged-codes")
    assert page.status_code == 200
    assert scene.lots["lime"] in text_of(page) and "5 mạng 5 / 5" in text_of(page)
    assert "Mã nghi bị sao chép" in text_of(page)


def test_a_lot_scanned_far_more_than_it_has_units_is_flagged(scene: Scene, client, session):
    copied_codes.set_threshold(session, SYSTEM, "lot_min_scans", 5)
    copied_codes.set_threshold(session, SYSTEM, "lot_scan_factor", 1)
    session.commit()
    boxes = harvest(scene, "loose", quantity="4", unit="box")
    for n in range(5):
        scan(client, f"/l/{boxes}", ip=f"192.0.2.{n}")
    flags = scene.api("admin").get("/flagged-codes?reason=over_quantity").json["items"]
    assert [(f["lot_code"], f["serial"], f["observed"], f["threshold"]) for f in flags] == [
        (boxes, None, 5, 4)]
    assert flags[0]["detail"] == {"units": 4, "factor": 1}


def test_printed_labels_count_as_units(scene: Scene, client, session):
    copied_codes.set_threshold(session, SYSTEM, "lot_min_scans", 5)
    copied_codes.set_threshold(session, SYSTEM, "lot_scan_factor", 1)
    session.commit()
    boxes = harvest(scene, "loose", quantity="4", unit="box")
    assert scene.api("farm").get(f"/lots/{boxes}/labels.pdf?count=10").status_code == 200
    for _ in range(10):
        scan(client, f"/l/{boxes}", ip="192.0.2.1")
    assert scene.api("admin").get("/flagged-codes").json["total"] == 0
    scan(client, f"/l/{boxes}", ip="192.0.2.1")
    assert scene.api("admin").get("/flagged-codes").json["total"] == 1


def test_the_job_rechecks_the_log_with_the_thresholds_in_force(scene: Scene, client, app):
    first, _ = unit_codes(scene)
    for net in range(1, 4):
        scan(client, first, ip=f"203.0.{net}.20")
    runner = app.test_cli_runner()
    assert "0 new flags" in runner.invoke(args=["scans", "check"]).output
    shown = runner.invoke(args=["scans", "thresholds", "serial_places", "3"])
    assert shown.exit_code == 0 and "serial_places = 3 (default 5)" in shown.output
    checked = runner.invoke(args=["scans", "check"])
    assert checked.exit_code == 0 and "1 new flags" in checked.output
    assert f"lot {scene.lots['lime']} serial 1: many_places (3 seen, threshold 3)" in checked.output
    refused = runner.invoke(args=["scans", "thresholds", "no_such_key", "3"])
    assert refused.exit_code != 0 and "serial_places" in refused.output


def test_thresholds_have_documented_defaults(session):
    assert copied_codes.thresholds(session) == copied_codes.DEFAULTS == {
        "serial_places": 5, "serial_window_hours": 72, "lot_scan_factor": 3,
        "lot_min_scans": 100, "grams_per_unit": 100}
    assert copied_codes.units_of(3_000_000, "g", 0, 100) == 30_000
    assert copied_codes.units_of(40, "box", 100, 100) == 100
