"""Records an EPCIS capture creates for unknown parties and products are flagged for the
agencies of their province (inbox), listed on the Unverified records page, and marked verified
there, on their own pages or through the API: by an agency of the province or an admin only,
each time with an audit entry."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit
from registry.gs1 import check_digit
from registry.models import AuditEntry, Notification, Partner, Product
from tests.chains.conftest import Chain
from tests.chains.web.conftest import WebClient, fresh

STRANGER = "urn:epc:id:pgln:0614141.00888"
STRANGER_GLN = "061414100888" + check_digit("061414100888")
GTIN = "09521234543213"


def capture_unknowns(chain: Chain, session: Session) -> dict[str, Any]:
    """The collector's own system reports shipping a product nobody registered to a party
    nobody registered."""
    collector = session.get(Partner, chain.ids["collector"])
    assert collector is not None
    collector.gln = "893000010999" + check_digit("893000010999")
    session.commit()
    doc = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
           "type": "EPCISDocument", "schemaVersion": "2.0",
           "creationDate": "2026-11-05T00:00:00Z", "epcisBody": {"eventList": [{
               "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
               "eventTime": "2026-11-02T08:00:00+07:00", "eventTimeZoneOffset": "+07:00",
               "bizLocation": {"id": f"https://id.gs1.org/414/{collector.gln}"},
               "epcList": [f"https://id.gs1.org/01/{GTIN}/10/U1/21/{n}" for n in range(2)],
               "destinationList": [{"type": "owning_party", "destination": STRANGER}]}]}}
    answer = chain.api("collector").post("/epcis/capture", data=json.dumps(doc),
                                 content_type="application/json")
    assert answer.status_code == 202, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    assert body["status"] == "success", body
    return body


def made(session: Session) -> tuple[Partner, Product]:
    """The unknown receiver and product the capture created."""
    db = fresh(session)
    partner = db.execute(select(Partner).where(Partner.gln == STRANGER_GLN)).scalar_one()
    product = db.execute(select(Product).where(Product.gtin == GTIN)).scalar_one()
    return partner, product


def test_a_capture_flags_its_unknown_records_for_the_agencies_of_the_province(
        chain: Chain, session: Session) -> None:
    body = capture_unknowns(chain, session)
    partner, product = made(session)
    assert not partner.verified and not product.verified
    assert partner.province_code_current == "80"  # the collector's province
    assert body["unverifiedCreated"] == {"partners": [partner.id], "products": [product.id]}
    assert product.owner_id == chain.ids["collector"]
    items = fresh(session).execute(select(Notification).where(
        Notification.subject_type == "epcis_capture")).scalars().all()
    assert [(n.province_code, n.kind, n.subject_id) for n in items] == [
        ("80", "unverified", body["captureID"])]
    inbox = chain.api("agency_80").get("/inbox", query_string={"kind": "unverified"}).json
    assert [i["subject_id"] for i in inbox["items"]] == [body["captureID"]]
    assert chain.api("agency_92").get("/inbox", query_string={"kind": "unverified"}
                                      ).json["items"] == []


def test_only_an_agency_of_the_province_or_an_admin_verifies_through_the_api(
        chain: Chain, session: Session) -> None:
    capture_unknowns(chain, session)
    partner, product = made(session)
    for who in ("agency_92", "collector"):
        for path in (f"/partners/{partner.id}/verify", f"/products/{product.id}/verify"):
            refused = chain.api(who).post(path)
            assert refused.status_code == 403, (who, path, refused.get_json())
            assert refused.content_type == "application/problem+json"
    assert chain.api("agency_80").post("/partners/999999/verify").status_code == 404
    partner, product = made(session)
    assert not partner.verified and not product.verified  # the refusals changed nothing

    done = chain.api("agency_80").post(f"/partners/{partner.id}/verify")
    assert done.status_code == 200 and done.json["verified"] is True
    assert chain.api("admin").post(f"/products/{product.id}/verify").json["verified"] is True
    again = chain.api("agency_80").post(f"/partners/{partner.id}/verify")
    assert again.status_code == 200  # verifying a verified record changes nothing
    db = fresh(session)
    acts = db.execute(select(AuditEntry.action, AuditEntry.subject_id).where(
        AuditEntry.action.in_(["verify_partner", "verify_product"]))
        .order_by(AuditEntry.seq)).all()
    assert [tuple(a) for a in acts] == [("verify_partner", str(partner.id)),
                                        ("verify_product", str(product.id))]
    assert audit.verify(db).ok
    listed = chain.api("agency_80").get("/partners", query_string={"verified": "false"}).json
    assert listed["items"] == []


def test_the_agency_checks_the_queue_page_and_marks_records_verified(
        chain: Chain, session: Session, web_as: Callable[..., WebClient]) -> None:
    capture_unknowns(chain, session)
    agency = web_as("agency", provinces=["80"])
    other = web_as("agency", provinces=["92"])
    shop = web_as("partner", partner_id=chain.ids["shop_1"])
    partner, product = made(session)
    inbox = agency.text("/inbox")
    assert "EPCIS" in inbox
    item = fresh(session).execute(select(Notification.id).where(
        Notification.subject_type == "epcis_capture")).scalar_one()
    opened = agency.post(f"/inbox/{item}/open", {}, page="/inbox")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/unverified")

    queue = agency.text("/unverified")
    assert partner.name in queue and GTIN in queue
    assert f"/partners/{partner.id}/verify" in queue
    assert f"/partners/{partner.id}/verify" not in other.text("/unverified")
    assert other.post(f"/partners/{partner.id}/verify", {}, page="/unverified"
                      ).status_code == 403
    assert shop.get("/unverified").status_code == 403
    assert web_as("anonymous").get("/unverified").status_code in (302, 401)
    answer = agency.post(f"/partners/{partner.id}/verify", {"next": "/unverified"},
                         page="/unverified")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/unverified")
    assert f"/partners/{partner.id}/verify" not in agency.text("/unverified")
    assert "Mark verified" in agency.text(f"/products/{product.id}")
    answer = agency.post(f"/products/{product.id}/verify", {"next": "https://evil.example/"},
                         page=f"/products/{product.id}")
    assert answer.headers["Location"].endswith(f"/products/{product.id}")  # never off-site
    partner, product = made(session)
    assert partner.verified and product.verified
    assert "Mark verified" not in agency.text(f"/products/{product.id}")
