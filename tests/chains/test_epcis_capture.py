"""EPCIS capture mapped onto the registry (issue 7): lots, shipments, receipts,
transformations, containment, unverified parties, incomplete histories, GLN and growing-area
URI resolution, refusals as per-event errors, pagination, and the trace export round trip."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api import create_app
from api.settings import Settings
from chains import epcis
from registry import accounts, database
from registry.actors import SYSTEM
from registry.gs1 import check_digit
from registry.models import EpcisEvent, Event, Lot, Partner, Product, Role, Shipment
from tests import factories
from tests.chains.conftest import Chain, harvest, move
from tests.conftest import BASE_URL, ApiClient

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]


def gln(n: int) -> str:
    """A valid GLN."""
    body = f"893000010{n:03d}"
    return body + check_digit(body)


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2026-11-05T00:00:00Z", "epcisBody": {"eventList": list(events)}}


def event(kind: str = "ObjectEvent", at: str = "2026-11-02T08:00:00+07:00",
          **fields: Any) -> dict[str, Any]:
    return {"type": kind, "eventTime": at, "eventTimeZoneOffset": "+07:00", **fields}


def capture(client: ApiClient, doc: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/epcis/capture", data=json.dumps(doc), content_type="application/json")
    assert answer.status_code == 202, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def lgtin(gtin: str, batch: str) -> str:
    return f"https://id.gs1.org/01/{gtin}/10/{batch}"


def events_of(client: ApiClient, **params: Any) -> tuple[list[dict[str, Any]], Any]:
    answer = client.get("/epcis/events", query_string=params)
    assert answer.status_code == 200, answer.get_json()
    body = json.loads(answer.data)
    return body["epcisBody"]["queryResults"]["resultsBody"]["eventList"], answer.headers


def with_glns(session: Session, chain: Chain) -> dict[str, str]:
    glns = {}
    for n, key in enumerate(("farm_a", "collector", "packer", "distributor", "shop_1")):
        partner = session.get(Partner, chain.ids[key])
        assert partner is not None
        partner.gln = glns[key] = gln(n)
    session.commit()
    return glns


def gtin_of(session: Session, product_id: int) -> str:
    product = session.get(Product, product_id)
    assert product is not None and product.gtin
    return product.gtin


def test_harvest_ship_receive_transform_map_to_lots_shipments_and_transformations(
        chain: Chain, session: Session) -> None:
    glns = with_glns(session, chain)
    lime, box = gtin_of(session, chain.ids["lime"]), gtin_of(session, chain.ids["box"])
    area = f"{BASE_URL}/growing-areas/{chain.areas['farm_a']}"
    doc = document(
        event(action="ADD", bizStep="commissioning", at="2026-11-01T07:00:00+07:00",
              quantityList=[{"epcClass": lgtin(lime, "H1"), "quantity": 1000, "uom": "KGM"}],
              readPoint={"id": area},
              certificationInfo=["https://cert.example.org/vietgap/123"]),
        event(action="OBSERVE", bizStep="shipping",
              quantityList=[{"epcClass": lgtin(lime, "H1"), "quantity": 800, "uom": "KGM"}],
              sourceList=[{"type": "owning_party", "source": epcis.party_uri(glns["farm_a"])}],
              destinationList=[{"type": "owning_party",
                                "destination": f"urn:epc:id:pgln:{glns['packer'][:9]}."
                                               f"{glns['packer'][9:12]}"}]),
        event(action="OBSERVE", bizStep="receiving", at="2026-11-02T15:00:00+07:00",
              quantityList=[{"epcClass": lgtin(lime, "H1"), "quantity": 800, "uom": "KGM"}],
              bizLocation={"id": epcis.gln_uri(glns["packer"])}),
        event("TransformationEvent", at="2026-11-03T09:00:00+07:00",
              inputQuantityList=[{"epcClass": lgtin(lime, "H1"), "quantity": 800,
                                  "uom": "KGM"}],
              outputQuantityList=[{"epcClass": lgtin(box, "B1"), "quantity": 400}],
              bizLocation={"id": epcis.gln_uri(glns["packer"])},
              sensorElementList=[{"sensorReport": [{"type": "Temperature", "value": 6.5,
                                                    "uom": "CEL"}]}]),
    )
    body = capture(chain.api("admin"), doc)
    assert body["status"] == "success", body["errors"]
    session.commit()  # a fresh snapshot: what the API committed since
    assert body["recorded"] == 4 and body["notes"] == []
    lot = session.execute(select(Lot).where(Lot.batch == "H1")).scalar_one()
    assert lot.growing_area_id is not None and lot.producer_id == chain.ids["farm_a"]
    assert lot.quantity == 1_000_000 and not lot.history_incomplete
    shipment = session.execute(select(Shipment).where(Shipment.lot_id == lot.id)).scalar_one()
    assert (shipment.from_partner_id, shipment.to_partner_id) == (chain.ids["farm_a"],
                                                                  chain.ids["packer"])
    assert shipment.status.value == "received"
    boxes = session.execute(select(Lot).where(Lot.batch == "B1")).scalar_one()
    assert boxes.producer_id == chain.ids["packer"] and boxes.unit == "piece"
    trace = chain.api("admin").get(f"/lots/{boxes.lot_code}/trace").json
    assert [o["code"] for o in trace["origins"]] == [chain.areas["farm_a"]]
    linked = session.execute(select(func.count()).select_from(Event).where(
        Event.epcis_event_id.is_not(None))).scalar_one()
    assert linked == 4  # so the query returns each once, as captured
    found, _ = events_of(chain.api("admin"), MATCH_anyEPCClass=lgtin(lime, "H1"))
    assert len(found) == 4
    assert found[-1]["certificationInfo"] == ["https://cert.example.org/vietgap/123"]
    history = chain.api("admin").get(f"/lots/{lot.lot_code}/events").json
    assert history[0]["epcis"]["certificationInfo"] == ["https://cert.example.org/vietgap/123"]
    assert history[-1]["epcis"]["sensorElementList"][0]["sensorReport"][0]["uom"] == "CEL"
    transformed, _ = events_of(chain.api("admin"), eventType="TransformationEvent")
    assert transformed[0]["sensorElementList"][0]["sensorReport"][0]["value"] == 6.5


def test_a_registry_rule_broken_fails_the_capture_with_per_event_errors_storing_nothing(
        chain: Chain, session: Session) -> None:
    glns = with_glns(session, chain)
    made = harvest(chain, quantity="100")
    assert made.status_code == 201, made.json
    code = made.json["lot_code"]
    lime = gtin_of(session, chain.ids["lime"])
    doc = document(event(
        action="OBSERVE", bizStep="shipping",
        quantityList=[{"epcClass": lgtin(lime, made.json["batch"]), "quantity": 500,
                       "uom": "KGM"}],
        sourceList=[{"type": "owning_party", "source": epcis.party_uri(glns["farm_a"])}],
        destinationList=[{"type": "owning_party",
                          "destination": epcis.party_uri(glns["packer"])}]))
    body = capture(chain.api("admin"), doc)
    assert body["status"] == "failed"
    assert body["errors"][0]["field"] == "epcisBody.eventList[0]"
    assert code in body["errors"][0]["message"]
    status = chain.api("admin").get(f"/epcis/capture/{body['captureID']}").get_json()
    assert status["status"] == "failed" and status["errors"] == body["errors"]
    session.commit()
    assert session.execute(select(func.count()).select_from(EpcisEvent)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(Shipment)).scalar_one() == 0


def test_unknown_parties_and_products_become_unverified_and_histories_incomplete(
        chain: Chain, session: Session) -> None:
    stranger, buyer = "urn:epc:id:sgln:0614141.00777.0", "urn:epc:id:pgln:0614141.00888"
    doc = document(event(
        action="OBSERVE", bizStep="shipping", bizLocation={"id": stranger},
        epcList=[f"https://id.gs1.org/01/09521234543213/10/X9/21/{n}" for n in range(3)],
        destinationList=[{"type": "owning_party", "destination": buyer},
                         {"type": "location",
                          "destination": "https://example.org/warehouses/7"}]))
    body = capture(chain.api("admin"), doc)
    assert body["status"] == "success", body["errors"]
    session.commit()  # a fresh snapshot: what the API committed since
    partners = session.execute(select(Partner).where(Partner.verified.is_(False))).scalars().all()
    assert sorted(p.gln for p in partners) == [
        "061414100777" + check_digit("061414100777"), "061414100888" + check_digit("061414100888")]
    product = session.execute(select(Product).where(Product.gtin == "09521234543213")).scalar_one()
    assert not product.verified
    lot = session.execute(select(Lot).where(Lot.batch == "X9")).scalar_one()
    assert lot.history_incomplete and lot.quantity == 3
    shipment = session.execute(select(Shipment).where(Shipment.lot_id == lot.id)).scalar_one()
    assert shipment.quantity == 3
    listed = chain.api("agency_80").get("/partners", query_string={"verified": "false"}).json
    assert sorted(p["gln"] for p in listed["items"]) == sorted(p.gln for p in partners)
    unverified = chain.api("admin").get("/products", query_string={"verified": "false"}).json
    assert [p["gtin"] for p in unverified["items"]] == ["09521234543213"]
    again = capture(chain.api("admin"), doc)  # the same parties are found, not made again
    assert again["status"] == "success"
    assert again["unverifiedCreated"] == {"partners": [], "products": []}


def test_aggregation_records_containment_so_shipping_the_pallet_ships_its_contents(
        chain: Chain, session: Session) -> None:
    glns = with_glns(session, chain)
    made = harvest(chain, quantity="500")
    lime = gtin_of(session, chain.ids["lime"])
    batch = made.json["batch"]
    sscc = "urn:epc:id:sscc:0614141.1234567890"
    packed = capture(chain.api("farm_a"), document(
        event("AggregationEvent", action="ADD", parentID=sscc, bizStep="packing",
              childQuantityList=[{"epcClass": lgtin(lime, batch), "quantity": 300,
                                  "uom": "KGM"}])))
    assert packed["status"] == "success", packed["errors"]
    doc = document(  # a later capture: the containment is read back from the stored event
        event(action="OBSERVE", bizStep="shipping", at="2026-11-02T09:00:00+07:00",
              epcList=[sscc], bizLocation={"id": epcis.gln_uri(glns["farm_a"])},
              destinationList=[{"type": "owning_party",
                                "destination": epcis.party_uri(glns["distributor"])}]))
    body = capture(chain.api("farm_a"), doc)
    assert body["status"] == "success", body["errors"]
    session.commit()
    shipment = session.execute(select(Shipment)).scalar_one()
    assert shipment.quantity == 300_000 and shipment.to_partner_id == chain.ids["distributor"]
    trace = chain.api("admin").get(f"/lots/{made.json['lot_code']}/trace",
                                   query_string={"direction": "forward"}).json
    assert chain.ids["distributor"] in [r["to_partner"]["id"] for r in trace["recipients"]]
    found, _ = events_of(chain.api("admin"), MATCH_parentID=sscc)
    assert [e["type"] for e in found] == ["AggregationEvent"]


def test_glns_and_registry_uris_resolve_and_an_old_partner_uri_keeps_working(
        chain: Chain, session: Session) -> None:
    lime = gtin_of(session, chain.ids["lime"])
    old_uri = f"{BASE_URL}/partners/{chain.ids['collector']}"
    partner = session.get(Partner, chain.ids["collector"])
    assert partner is not None
    partner.gln = gln(42)  # the collector got a GLN after its partners used its old URI
    session.commit()
    doc = document(event(action="ADD", bizStep="commissioning",
                         quantityList=[{"epcClass": lgtin(lime, "C1"), "quantity": 5,
                                        "uom": "TNE"}],
                         bizLocation={"id": old_uri}))
    body = capture(chain.api("admin"), doc)
    assert body["status"] == "success", body["errors"]
    session.commit()  # a fresh snapshot: what the API committed since
    lot = session.execute(select(Lot).where(Lot.batch == "C1")).scalar_one()
    assert lot.producer_id == chain.ids["collector"]
    assert session.execute(select(func.count()).select_from(Partner).where(
        Partner.verified.is_(False))).scalar_one() == 0
    by_gln, _ = events_of(chain.api("admin"), EQ_bizLocation=epcis.gln_uri(gln(42)))
    assert by_gln == []  # captured with the old URI: the event keeps the identifier it had
    by_uri, _ = events_of(chain.api("admin"), EQ_bizLocation=old_uri)
    assert len(by_uri) == 1


def test_registry_events_are_queryable_as_epcis_with_keyset_pages(chain: Chain,
                                                                  session: Session) -> None:
    lots = [harvest(chain, quantity="10").json["lot_code"] for _ in range(3)]
    move(chain, lots[0], "farm_a", "collector", "10")
    seen: list[str] = []
    params: dict[str, Any] = {"perPage": 2}
    while True:
        found, headers = events_of(chain.api("admin"), **params)
        seen += [e["eventID"] for e in found]
        link = headers.get("Link")
        if not link:
            break
        params = dict(p.split("=", 1) for p in link[1:link.index(">")].split("?")[1].split("&"))
    assert len(seen) == len(set(seen)) == 5  # 3 harvests, a shipment and its receipt
    assert all(s.startswith("ni:///sha-256;") for s in seen)
    harvests, _ = events_of(chain.api("admin"), EQ_bizStep="commissioning",
                            eventType="ObjectEvent")
    assert len(harvests) == 3 and harvests[0]["action"] == "ADD"
    mine, _ = events_of(chain.api("collector"))
    assert len(mine) == 2  # a partner sees its own shipments' events, not the farm's harvests
    document_ = epcis.query_document(harvests)
    epcis.parse_query_document(document_)  # what we answer is valid EPCIS


def round_trip_registry(session: Session) -> dict[str, Any]:
    """The same partners (with GLNs), growing area and products in any database."""
    ids: dict[str, Any] = {}
    for n, (key, kind, province) in enumerate((
            ("farm", "cooperative", "80"), ("packer", "packing_house", "80"),
            ("distributor", "distributor", "92"), ("shop", "retailer", "92"))):
        ids[key] = factories.partner(session, kind=kind, province=province,
                                     name=f"Round trip {key}", gln=gln(100 + n)).id
    farm = session.get(Partner, ids["farm"])
    ids["area"] = factories.growing_area(session, holder=farm, code="VN-80-803-27811-77-22").code
    ids["lime"] = factories.product(session, owner=farm, gtin=factories.gtin(90001)).id
    ids["box"] = factories.product(session, owner=session.get(Partner, ids["packer"]),
                                   category="processed_prepackaged",
                                   gtin=factories.gtin(90002)).id
    session.commit()
    return ids


def summary(client: ApiClient, lot_code: str) -> tuple[list[str], list[str]]:
    back = client.get(f"/lots/{lot_code}/trace").json
    forward = client.get(f"/lots/{lot_code}/trace", query_string={"direction": "forward"}).json
    return (sorted(o["code"] for o in back["origins"]),
            sorted({r["to_partner"]["name"] for r in forward["recipients"]}))


def test_a_trace_exported_as_epcis_and_captured_into_a_fresh_database_traces_the_same(
        app: Flask, api_as: Any, session: Session, database_url: str, migrated_url: str,
        tmp_path: Path) -> None:
    ids = round_trip_registry(session)
    admin = api_as("admin")
    made = admin.post("/lots", json={
        "product_id": ids["lime"], "partner_id": ids["farm"], "quantity": "1000", "unit": "kg",
        "produced_on": "2026-11-01", "origin": {"growing_area_code": ids["area"]}}).json
    for src, dst, lot, qty, unit in (("farm", "packer", made["lot_code"], "800", "kg"),):
        sent = admin.post("/shipments", json={
            "lot_code": lot, "quantity": qty, "unit": unit, "from_partner_id": ids[src],
            "to_partner_id": ids[dst], "shipped_at": "2026-11-02T08:00:00+07:00"}).json
        admin.post(f"/shipments/{sent['id']}/receive", json={
            "received_at": "2026-11-02T16:00:00+07:00", "quantity": qty, "unit": unit})
    packed = admin.post("/transformations", json={
        "partner_id": ids["packer"], "kind": "packing", "occurred_at": "2026-11-03T10:00:00+07:00",
        "inputs": [{"lot_code": made["lot_code"], "quantity": "800", "unit": "kg"}],
        "outputs": [{"product_id": ids["box"], "quantity": "400", "unit": "piece"}]}).json
    box = packed["outputs"][0]["lot_code"]
    for dst, qty in (("distributor", "300"), ("shop", "100")):
        sent = admin.post("/shipments", json={
            "lot_code": box, "quantity": qty, "unit": "piece", "from_partner_id": ids["packer"],
            "to_partner_id": ids[dst], "shipped_at": "2026-11-04T08:00:00+07:00"})
        assert sent.status_code == 201, sent.json
    exported = admin.get(f"/lots/{made['lot_code']}/trace",
                         query_string={"direction": "forward", "format": "epcis"})
    assert exported.status_code == 200 and exported.mimetype == "application/ld+json"
    doc = json.loads(exported.data)
    epcis.parse_document(doc)
    assert len(doc["epcisBody"]["eventList"]) == 6
    before = summary(admin, made["lot_code"]), summary(admin, box)
    batches = made["batch"], session.get(Lot, session.execute(select(Lot.id).where(
        Lot.lot_code == box)).scalar_one()).batch
    session.close()

    if database_url.startswith("sqlite"):
        template = make_url(migrated_url).database
        assert template is not None
        second = f"sqlite:///{shutil.copy(template, tmp_path / 'fresh.sqlite3')}"
    else:
        database.truncate_all(database_url)
        second = database_url
    fresh = create_app(Settings(database_url=second, secret_key="test-secret",
                                base_url=BASE_URL, rate_limits=False))
    try:
        with fresh.extensions["nguongoc.sessions"]() as other:
            assert set(round_trip_registry(other)) == set(ids)
            user = accounts.create_user(other, SYSTEM, accounts.UserIn(
                username="importer", password="password-123", role=Role.ADMIN))
            token = accounts.create_token(other, SYSTEM, user)
            other.commit()
            client = ApiClient(fresh.test_client(), token)
            body = capture(client, doc)
            assert body["status"] == "success", body["errors"]
            codes = [other.execute(select(Lot.lot_code).where(Lot.batch == b)).scalar_one()
                     for b in batches]
            after = summary(client, codes[0]), summary(client, codes[1])
    finally:
        fresh.extensions["nguongoc.engine"].dispose()
    assert after == before
    assert before[0][0] == [ids["area"]] and "Round trip shop" in before[0][1]
