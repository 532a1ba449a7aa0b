"""Every valid GS1 example document in ../shared/conformance/epcis captures (202, success) and
its events are found again by query; schema-breaking documents are 400 with a JSON path and
store nothing (issue 7)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chains import epcis
from registry.models import EpcisCapture, EpcisEvent
from tests.chains.epcis_files import files_of, load, relative
from tests.conftest import ApiClient

DOCUMENTS = files_of("document")


def capture(client: ApiClient, document: Any, mime: str = "application/ld+json") -> Any:
    """POST /epcis/capture."""
    return client.post("/epcis/capture", data=json.dumps(document),
                       content_type=mime)


@pytest.mark.parametrize("path", DOCUMENTS, ids=[relative(p) for p in DOCUMENTS])
def test_every_conformance_document_captures_and_is_found_again(admin: ApiClient,
                                                                path: Path) -> None:
    document = load(path)
    answer = capture(admin, document,
                     "application/ld+json" if path.suffix == ".jsonld" else "application/json")
    assert answer.status_code == 202, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "success", body["errors"]
    assert answer.headers["Location"] == f"/epcis/capture/{body['captureID']}"
    status = admin.get(answer.headers["Location"]).get_json()
    assert status["status"] == "success" and status["events"] == len(
        document["epcisBody"]["eventList"])
    parsed = epcis.parse_document(document)
    hashes = parsed.event_hashes()
    for raw, digest in zip(parsed.raw_events, hashes, strict=True):
        event_id = raw.get("eventID") or digest
        found = admin.get("/epcis/events", query_string={"EQ_eventID": event_id})
        assert found.status_code == 200, found.get_json()
        epcis.parse_query_document(found.get_json())  # what we answer is valid EPCIS
        events = found.get_json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        assert any(e["eventID"] == event_id and e["eventTime"] == raw["eventTime"]
                   for e in events), (event_id, events)
        epcs = raw.get("epcList") or raw.get("childEPCs") or raw.get("inputEPCList") or []
        if epcs:
            by_epc = admin.get("/epcis/events", query_string={"MATCH_anyEPC": epcs[0]})
            listed = by_epc.get_json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            assert event_id in [e["eventID"] for e in listed]


def stored(session: Session) -> tuple[int, int]:
    session.commit()
    return (session.execute(select(func.count()).select_from(EpcisCapture)).scalar_one(),
            session.execute(select(func.count()).select_from(EpcisEvent)).scalar_one())


def test_a_document_breaking_the_schema_is_a_400_naming_the_path_and_stores_nothing(
        admin: ApiClient, session: Session) -> None:
    document = copy.deepcopy(load(DOCUMENTS[0]))
    document["epcisBody"]["eventList"].append(copy.deepcopy(
        document["epcisBody"]["eventList"][0]))
    del document["epcisBody"]["eventList"][-1]["eventTime"]
    answer = capture(admin, document)
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    last = len(document["epcisBody"]["eventList"]) - 1
    assert f"epcisBody.eventList[{last}].eventTime" in [
        e["field"] for e in answer.get_json()["errors"]]
    assert stored(session) == (0, 0)


def test_capture_takes_json_or_json_ld_only_and_at_most_10000_events(
        admin: ApiClient, session: Session) -> None:
    document = load(DOCUMENTS[0])
    assert capture(admin, document, "text/plain").status_code == 415
    big = copy.deepcopy(document)
    big["epcisBody"]["eventList"] = document["epcisBody"]["eventList"][:1] * 10_001
    answer = capture(admin, big)
    assert answer.status_code == 400
    assert answer.get_json()["errors"][0]["field"].startswith("epcisBody.eventList")
    assert client_anonymous_refused(admin, document)
    assert stored(session) == (0, 0)


def client_anonymous_refused(admin: ApiClient, document: Any) -> bool:
    """Capture needs a token."""
    anonymous = ApiClient(admin.client, None)
    return capture(anonymous, document).status_code == 401
