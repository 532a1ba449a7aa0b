"""Every GS1 example in ../shared/conformance/epcis validates with our own EPCIS models, and our
validator agrees with the official JSON Schema on them (the schema is read there, not copied)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from chains import epcis
from tests.chains.epcis_files import (
    CONFORMANCE,
    classify,
    files_of,
    json_files,
    load,
    relative,
)

DOCUMENTS = files_of("document")
QUERY_DOCUMENTS = files_of("query_document")
EVENTS = files_of("event")
CBV_URN_FORMS = {"XML/WithEventHashID/event_with_identical_hash_id_7.json":
                 "writes bizStep, disposition, BTT and SDT as EPCIS 1.x URNs "
                 "(urn:epcglobal:cbv:...), which the GS1 schema refuses and we accept and "
                 "normalise, as CBV allows"}


def ids(paths: list[Path]) -> list[str]:
    return [relative(p) for p in paths]


def test_the_conformance_folder_is_there() -> None:
    assert (CONFORMANCE / "SOURCE.md").is_file(), (
        f"{CONFORMANCE} is missing: put shared/ beside the checkout or set NGUONGOC_SHARED")


def test_every_json_file_is_a_document_an_event_or_skipped_for_a_stated_reason() -> None:
    kinds = {relative(p): classify(p) for p in json_files()}
    assert not [name for name, kind in kinds.items() if kind == "unknown"]
    assert len(DOCUMENTS) >= 47 + 21 and len(QUERY_DOCUMENTS) == 3 and len(EVENTS) == 5


@pytest.mark.parametrize("path", DOCUMENTS, ids=ids(DOCUMENTS))
def test_every_example_document_validates(path: Path) -> None:
    data = load(path)
    document = epcis.parse_document(data)
    assert len(document.events) == len(data["epcisBody"]["eventList"])
    assert [e.type for e in document.events] == [e["type"] for e in data["epcisBody"]["eventList"]]


@pytest.mark.parametrize("path", QUERY_DOCUMENTS, ids=ids(QUERY_DOCUMENTS))
def test_every_example_query_document_validates(path: Path) -> None:
    data = load(path)
    document = epcis.parse_query_document(data)
    found = data["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(document.events) == len(found)


@pytest.mark.parametrize("path", EVENTS, ids=ids(EVENTS))
def test_every_single_event_fixture_validates(path: Path) -> None:
    data = load(path)
    assert epcis.parse_event(data).type == data["type"]


def test_a_query_document_is_not_a_capture_document() -> None:
    with pytest.raises(epcis.InvalidDocument) as refused:
        epcis.parse_document(load(QUERY_DOCUMENTS[0]))
    assert refused.value.errors[0].field == "type"


@pytest.fixture(scope="module")
def official() -> Draft7Validator:
    """The GS1 inlined schema, read from ../shared."""
    return Draft7Validator(load(CONFORMANCE / "EPCIS-JSON-Schema.json"),
                           format_checker=FormatChecker())


def accepts(data: Any) -> bool:
    try:
        if data.get("type") == "EPCISQueryDocument":
            epcis.parse_query_document(data)
        elif data.get("type") == "EPCISDocument":
            epcis.parse_document(data)
        else:
            epcis.parse_event(data)
    except epcis.InvalidDocument:
        return False
    return True


ALL = DOCUMENTS + QUERY_DOCUMENTS + EVENTS


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_our_validator_and_the_official_schema_agree_on_every_example(
        official: Draft7Validator, path: Path) -> None:
    data = load(path)
    schema_errors = list(official.iter_errors(data))
    if relative(path) in CBV_URN_FORMS:
        assert schema_errors and all(str(e.instance).startswith("urn:epcglobal:cbv:")
                                     for e in schema_errors)
        assert accepts(data)
        return
    assert not schema_errors and accepts(data)


def _drop_event_time(doc: dict[str, Any]) -> None:
    del doc["epcisBody"]["eventList"][0]["eventTime"]


def _bad_action(doc: dict[str, Any]) -> None:
    doc["epcisBody"]["eventList"][0]["action"] = "MOVE"


def _event_list_object(doc: dict[str, Any]) -> None:
    doc["epcisBody"]["eventList"] = {"event": doc["epcisBody"]["eventList"][0]}


def _no_context(doc: dict[str, Any]) -> None:
    del doc["@context"]


def _quantity_as_text(doc: dict[str, Any]) -> None:
    doc["epcisBody"]["eventList"][0]["quantityList"] = [
        {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": "200"}]


def _ilmd_on_observe(doc: dict[str, Any]) -> None:
    doc["epcisBody"]["eventList"][0]["ilmd"] = {"example:batch": "A1"}


@pytest.mark.parametrize("breakage", [_drop_event_time, _bad_action, _event_list_object,
                                      _no_context, _quantity_as_text, _ilmd_on_observe])
def test_both_refuse_a_broken_copy(official: Draft7Validator, breakage: Any) -> None:
    doc = copy.deepcopy(load(CONFORMANCE / "JSON" / "Example_9.6.1-ObjectEvent.jsonld"))
    breakage(doc)
    assert list(official.iter_errors(doc)) and not accepts(doc)


def test_we_refuse_what_the_schema_only_refuses_with_a_uri_format_checker(
        official: Draft7Validator) -> None:
    # The schema wants extension keys to be URIs ("format": "uri"), but jsonschema checks that
    # format only when rfc3987 is installed (it is not a dependency): we check it ourselves.
    doc = copy.deepcopy(load(CONFORMANCE / "JSON" / "Example_9.6.1-ObjectEvent.jsonld"))
    doc["epcisBody"]["eventList"][0]["evenTime"] = "2024-01-01T00:00:00Z"
    assert "uri" not in official.format_checker.checkers or list(official.iter_errors(doc))
    assert not accepts(doc)
