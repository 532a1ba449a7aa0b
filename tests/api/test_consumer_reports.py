"""Consumer reports from the scan page: CSRF-protected and rate limited, with an optional photo
that is checked and shown to agencies only, landing in the inbox of the agencies of the province
where the lot was produced."""

from __future__ import annotations

import io
import os
from typing import Any

from PIL import Image
from sqlalchemy import func, select

from api import create_app
from api.settings import Settings
from registry import consumer_reports
from registry.models import ConsumerReport
from tests.api.qr_scene import Scene, csrf_token, scan, scene, signed_in, text_of
from tests.conftest import BASE_URL

__all__ = ["scene"]
PROBLEM = "Chanh bị mốc, tem dán đè lên tem khác"


def photo(kind: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, kind)
    return out.getvalue()


def report(client: Any, lot_code: str, **fields: Any) -> Any:
    """Open the scan page, then send its report form (token included unless told otherwise)."""
    page = scan(client, f"/l/{lot_code}")
    data = {"text": PROBLEM, "contact": "0912 345 678", "csrf_token": csrf_token(page), **fields}
    return client.post(f"/l/{lot_code}/reports", data=data, content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": "203.0.113.9"})


def count(session: Any) -> int:
    session.rollback()
    return int(session.execute(select(func.count()).select_from(ConsumerReport)).scalar_one())


def test_a_report_reaches_the_agencies_of_the_producers_province(scene: Scene, client,
                                                                  session):
    sent = report(client, scene.lots["lime"], photo=(io.BytesIO(photo()), "moc.jpg"))
    assert sent.status_code == 201 and "Cảm ơn bạn" in text_of(sent)
    items = scene.api("agency_80").get("/inbox?kind=consumer_report").json["items"]
    assert len(items) == 1 and "Chanh không hạt Bến Lức" in items[0]["title"]
    assert items[0]["body"] == PROBLEM
    assert scene.api("agency_92").get("/inbox?kind=consumer_report").json["items"] == []
    listed = scene.api("agency_80").get("/consumer-reports").json["items"]
    assert [(r["lot_code"], r["text"], r["contact"], r["has_photo"], r["status"]) for r in listed] \
        == [(scene.lots["lime"], PROBLEM, "0912 345 678", True, "new")]
    assert scene.api("agency_92").get("/consumer-reports").json["total"] == 0
    assert scene.api("farm").get("/consumer-reports").status_code == 403
    assert count(session) == 1


def test_a_report_without_the_csrf_token_is_refused(scene: Scene, client, session):
    refused = report(client, scene.lots["lime"], csrf_token="")
    assert refused.status_code == 400
    forged = client.post(f"/l/{scene.lots['lime']}/reports", data={"text": PROBLEM})
    assert forged.status_code == 400
    assert count(session) == 0


def test_reports_are_rate_limited_per_address(scene: Scene, database_url: str):
    app = create_app(Settings(database_url=database_url, secret_key="test-secret",
                              base_url=BASE_URL, rate_limits=True))
    try:
        client = app.test_client()
        codes = [report(client, scene.lots["lime"]).status_code for _ in range(6)]
        assert codes == [201] * 5 + [429]
        other = app.test_client()  # another phone on another network may still report
        page = scan(other, f"/l/{scene.lots['lime']}")
        sent = other.post(f"/l/{scene.lots['lime']}/reports",
                          data={"text": PROBLEM, "csrf_token": csrf_token(page)},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
        assert sent.status_code == 201
    finally:
        app.extensions["nguongoc.engine"].dispose()


def test_photos_must_be_real_images_of_modest_size(scene: Scene, client, session,
                                                    monkeypatch):
    fake = report(client, scene.lots["lime"], photo=(io.BytesIO(b"MZ\x90\x00 not an image"),
                                                     "moc.jpg"))
    assert fake.status_code == 422
    assert "not a JPEG, PNG or WebP image" in text_of(fake) and PROBLEM in text_of(fake)
    gif = io.BytesIO()
    Image.new("P", (8, 8)).save(gif, "GIF")
    assert report(client, scene.lots["lime"], photo=(io.BytesIO(gif.getvalue()),
                                                     "a.gif")).status_code == 422
    monkeypatch.setattr(consumer_reports, "MAX_PHOTO_BYTES", 2000)  # 5 MB, scaled down
    noisy = io.BytesIO()
    Image.frombytes("RGB", (60, 60), os.urandom(60 * 60 * 3)).save(noisy, "PNG")
    huge = report(client, scene.lots["lime"], photo=(io.BytesIO(noisy.getvalue()), "big.png"))
    assert huge.status_code == 422 and "at most" in text_of(huge)
    monkeypatch.undo()
    assert report(client, scene.lots["lime"], photo=(io.BytesIO(photo("PNG")),
                                                     "a.png")).status_code == 201
    assert count(session) == 1


def test_a_too_short_report_comes_back_with_the_error_beside_the_field(scene: Scene, client):
    short = report(client, scene.lots["lime"], text="hư")
    assert short.status_code == 422
    assert "Quá ngắn" in text_of(short) or "at least 5" in text_of(short)
    assert 'aria-invalid="true"' in short.get_data(as_text=True)


def test_a_report_about_an_unknown_lot_is_a_404(scene: Scene, client):
    page = scan(client, f"/l/{scene.lots['lime']}")
    sent = client.post("/l/NOSUCHLOT/reports", data={"text": PROBLEM,
                                                      "csrf_token": csrf_token(page)})
    assert sent.status_code == 404


def test_agencies_read_reports_and_see_photos_others_do_not(scene: Scene, app, client):
    assert report(client, scene.lots["lime"], photo=(io.BytesIO(photo()), "a.jpg")
                  ).status_code == 201
    agency = app.test_client()
    signed_in(app, agency, "chi-cuc-tay-ninh", role="agency", provinces=["80"])
    listing = agency.get("/consumer-reports")
    assert listing.status_code == 200 and PROBLEM in text_of(listing)
    report_id = scene.api("agency_80").get("/consumer-reports").json["items"][0]["id"]
    detail = agency.get(f"/consumer-reports/{report_id}")
    assert detail.status_code == 200 and "0912 345 678" in text_of(detail)
    image = agency.get(f"/consumer-reports/{report_id}/photo")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(image.data)).size == (64, 48)
    assert scene.api("agency_80").get("/consumer-reports").json["items"][0]["status"] == "read"
    elsewhere = app.test_client()
    signed_in(app, elsewhere, "chi-cuc-can-tho", role="agency", provinces=["92"])
    assert elsewhere.get(f"/consumer-reports/{report_id}/photo").status_code == 403
    producer = app.test_client()
    signed_in(app, producer, "htx", partner_id=scene.ids["farm"])
    assert producer.get(f"/consumer-reports/{report_id}/photo").status_code == 403
    assert client.get(f"/consumer-reports/{report_id}/photo").status_code == 302  # sign in
