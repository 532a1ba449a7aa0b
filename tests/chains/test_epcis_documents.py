"""An EPCISDocument is parsed into typed events, and a broken one is refused with the JSON path
of each fault, for a 400 problem (built in memory from GS1 examples read from ../shared)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from chains import epcis
from registry.errors import DomainError, Invalid
from tests.chains.epcis_files import CONFORMANCE, load

Doc = dict[str, Any]


@pytest.fixture
def object_events() -> Doc:
    """Example 9.6.1: two ObjectEvents (shipping, receiving)."""
    return copy.deepcopy(load(CONFORMANCE / "JSON" / "Example_9.6.1-ObjectEvent.jsonld"))


@pytest.fixture
def transformation() -> Doc:
    """Example 9.6.4: a TransformationEvent with lots in and serials out."""
    return copy.deepcopy(load(CONFORMANCE / "JSON" / "Example_9.6.4-TransformationEvent.jsonld"))


def refusal(doc: Any) -> list[tuple[str, str]]:
    with pytest.raises(epcis.InvalidDocument) as refused:
        epcis.parse_document(doc)
    return [(e.field, e.message) for e in refused.value.errors]


def fields(doc: Any) -> list[str]:
    return [field for field, _ in refusal(doc)]


def event(doc: Doc, index: int = 0) -> Doc:
    return doc["epcisBody"]["eventList"][index]


def test_events_come_back_typed_with_normalised_values(object_events: Doc) -> None:
    document = epcis.parse_document(object_events)
    shipping, receiving = document.events
    assert isinstance(shipping, epcis.ObjectEvent) and shipping.action == "OBSERVE"
    assert shipping.biz_step == "shipping" and shipping.disposition == "in_transit"
    assert shipping.event_time == datetime(2005, 4, 4, 2, 33, 31, 116000, tzinfo=UTC)
    assert shipping.read_point is not None
    assert shipping.read_point.id == "urn:epc:id:sgln:0614141.07346.1234"
    assert receiving.epc_list == ["urn:epc:id:sgtin:0614141.107346.2018"]  # type: ignore[union-attr]
    assert document.raw_events[0] is event(object_events, 0)


def test_quantities_are_exact_decimals() -> None:
    doc = load(CONFORMANCE / "JSON" / "Example_9.6.2-ObjectEvent.jsonld")
    quantity = epcis.parse_document(doc).events[0].quantities()[0]
    assert (quantity.epc_class, quantity.quantity, quantity.uom) == (
        "urn:epc:class:lgtin:4012345.012345.998877", Decimal(200), "KGM")


def test_cbv_terms_in_long_form_are_normalised_to_short_names(object_events: Doc) -> None:
    event(object_events)["bizStep"] = "urn:epcglobal:cbv:bizstep:shipping"
    event(object_events)["disposition"] = "https://ref.gs1.org/cbv/Disp-in_transit"
    event(object_events)["bizTransactionList"][0]["type"] = "urn:epcglobal:cbv:btt:po"
    shipping = epcis.parse_document(object_events).events[0]
    assert (shipping.biz_step, shipping.disposition) == ("shipping", "in_transit")
    assert shipping.biz_transaction_list[0].type == "po"  # type: ignore[index, union-attr]


def test_a_private_vocabulary_uri_is_kept(object_events: Doc) -> None:
    event(object_events)["bizStep"] = "urn:gdst:bizStep:farmHarvest"
    shipping = epcis.parse_document(object_events).events[0]
    assert shipping.biz_step == "urn:gdst:bizStep:farmHarvest"  # type: ignore[union-attr]
    assert epcis.is_harvest_step(shipping.biz_step)  # type: ignore[union-attr]


def test_extension_fields_are_kept(transformation: Doc) -> None:
    produced = epcis.parse_document(transformation).events[0]
    assert produced.extensions == {"example:myField": "Example of a vendor/user extension"}
    assert produced.ilmd == {"example:bestBeforeDate": "2014-12-10",  # type: ignore[union-attr]
                             "example:batch": "XYZ"}


BREAKAGES: list[tuple[str, Callable[[Doc], None], str]] = [
    ("missing eventTime", lambda d: event(d, 1).pop("eventTime"),
     "epcisBody.eventList[1].eventTime"),
    ("wrong action", lambda d: event(d, 1).update(action="MOVE"),
     "epcisBody.eventList[1].action"),
    ("eventList not a list", lambda d: d["epcisBody"].update(eventList={"a": 1}),
     "epcisBody.eventList"),
    ("bad EPC", lambda d: event(d, 1).update(epcList=["urn:epc:id:sgtin:0614141.107346"]),
     "epcisBody.eventList[1].epcList[0]"),
    ("wrong check digit", lambda d: event(d, 0)["epcList"].append(
        "https://id.gs1.org/01/10614141073465/21/9"), "epcisBody.eventList[0].epcList[2]"),
    ("not a URI", lambda d: event(d, 0).update(readPoint={"id": "shed 4"}),
     "epcisBody.eventList[0].readPoint.id"),
    ("time without offset", lambda d: event(d, 0).update(eventTime="2005-04-03T20:33:31"),
     "epcisBody.eventList[0].eventTime"),
    ("bad time zone", lambda d: event(d, 0).update(eventTimeZoneOffset="+15:00"),
     "epcisBody.eventList[0].eventTimeZoneOffset"),
    ("misspelt field", lambda d: event(d, 0).update(evenTime="2005-04-03T20:33:31Z"),
     "epcisBody.eventList[0].evenTime"),
    ("unknown bizStep", lambda d: event(d, 0).update(bizStep="harvesting"),
     "epcisBody.eventList[0].bizStep"),
    ("unknown CBV term", lambda d: event(d, 0).update(disposition="urn:epcglobal:cbv:disp:ok"),
     "epcisBody.eventList[0].disposition"),
    ("unknown event type", lambda d: event(d, 0).update(type="HarvestEvent"),
     "epcisBody.eventList[0].type"),
    ("no objects", lambda d: event(d, 0).pop("epcList"), "epcisBody.eventList[0].epcList"),
    ("ilmd on OBSERVE", lambda d: event(d, 0).update(ilmd={"ex:lot": "1"}),
     "epcisBody.eventList[0].ilmd"),
    ("duplicate EPC", lambda d: event(d, 1)["epcList"].append(event(d, 1)["epcList"][0]),
     "epcisBody.eventList[1].epcList"),
    ("quantity as text", lambda d: event(d, 1).update(quantityList=[
        {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": "200"}]),
     "epcisBody.eventList[1].quantityList[0].quantity"),
    ("closed structure", lambda d: event(d, 0)["bizTransactionList"][0].update(note="x"),
     "epcisBody.eventList[0].bizTransactionList[0].note"),
    ("event not an object", lambda d: d["epcisBody"]["eventList"].append("ObjectEvent"),
     "epcisBody.eventList[2]"),
    ("no creationDate", lambda d: d.pop("creationDate"), "creationDate"),
    ("bad schemaVersion", lambda d: d.update(schemaVersion="two"), "schemaVersion"),
    ("no @context", lambda d: d.pop("@context"), "@context"),
]


@pytest.mark.parametrize(("breakage", "path"), [(b, p) for _, b, p in BREAKAGES],
                         ids=[name for name, _, _ in BREAKAGES])
def test_a_broken_copy_is_refused_naming_the_json_path(object_events: Doc, breakage: Any,
                                                       path: str) -> None:
    breakage(object_events)
    assert fields(object_events) == [path]


def test_a_transformation_needs_both_sides_or_an_id(transformation: Doc) -> None:
    del event(transformation)["outputEPCList"]
    assert fields(transformation) == ["epcisBody.eventList[0].outputEPCList"]
    event(transformation)["transformationID"] = "urn:uuid:4c6ee4fc-d7a2-4d66-9a4a-1f9f1e1b9c11"
    assert epcis.parse_document(transformation).events[0].quantities()


def test_an_aggregation_that_adds_names_its_parent() -> None:
    doc = copy.deepcopy(load(CONFORMANCE / "JSON" / "Example_9.6.3-AggregationEvent.jsonld"))
    del event(doc)["parentID"]
    assert epcis.parse_document(doc).events[0].action == "OBSERVE"  # an OBSERVE need not
    event(doc)["action"] = "ADD"
    assert fields(doc) == ["epcisBody.eventList[0].parentID"]


def test_every_fault_in_every_event_is_reported(object_events: Doc) -> None:
    event(object_events, 0).pop("eventTime")
    event(object_events, 1).update(action="MOVE", bizStep="harvesting")
    assert sorted(fields(object_events)) == ["epcisBody.eventList[0].eventTime",
                                             "epcisBody.eventList[1].action",
                                             "epcisBody.eventList[1].bizStep"]


def test_a_document_is_a_json_object() -> None:
    assert fields([]) == ["body"]


def test_the_refusal_is_a_400_problem_with_a_readable_detail(object_events: Doc) -> None:
    event(object_events, 1).pop("eventTime")
    with pytest.raises(epcis.InvalidDocument) as refused:
        epcis.parse_document(object_events)
    assert isinstance(refused.value, DomainError) and not isinstance(refused.value, Invalid)
    assert refused.value.detail == ("not a valid EPCIS 2.0 document: "
                                    "epcisBody.eventList[1].eventTime: Field required")


def test_ten_thousand_events_are_accepted_and_one_more_is_refused(object_events: Doc) -> None:
    shipping = event(object_events, 0)
    object_events["epcisBody"]["eventList"] = [shipping] * epcis.MAX_EVENTS
    assert len(epcis.parse_document(object_events).events) == 10_000
    object_events["epcisBody"]["eventList"].append(shipping)
    assert fields(object_events) == ["epcisBody.eventList"]


def test_a_flood_of_errors_is_cut_short(object_events: Doc) -> None:
    object_events["epcisBody"]["eventList"] = [{"type": "ObjectEvent"}] * 1000
    with pytest.raises(epcis.InvalidDocument) as refused:
        epcis.parse_document(object_events)
    assert len(refused.value.errors) == 100 and "more)" in refused.value.detail


def test_an_extension_event_type_is_kept_as_an_extension_event() -> None:
    data = load(CONFORMANCE / "JSON-Schema" / "test" / "Extended-Event.json")
    assert isinstance(epcis.parse_event(data), epcis.ExtensionEvent)


def test_chains_epcis_imports_no_flask() -> None:
    import subprocess
    import sys

    code = "import sys, chains.epcis; sys.exit('flask' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
