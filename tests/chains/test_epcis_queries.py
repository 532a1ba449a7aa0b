"""`GET /epcis/events` parameters parse to an EventQuery with clear errors; page tokens carry
the query; the envelopes this registry builds validate with its own parsers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from chains import epcis
from chains.epcis.queries import MAX_PER_PAGE, decode_page_token
from tests.chains.epcis_files import CONFORMANCE, load


def test_no_parameters_is_every_event_newest_first() -> None:
    query = epcis.parse_query({})
    assert (query.order_by, query.order_direction, query.per_page) == ("eventTime", "DESC", 30)
    assert query.event_types is None and query.after is None


def test_the_standard_parameters_parse_to_typed_values() -> None:
    query = epcis.parse_query({
        "eventType": "ObjectEvent|TransformationEvent",
        "GE_eventTime": "2024-05-01T00:00:00+07:00", "LT_eventTime": "2024-06-01T00:00:00Z",
        "GE_recordTime": "2024-05-01T00:00:00Z", "LT_recordTime": "2024-07-01T00:00:00Z",
        "EQ_action": "ADD", "EQ_bizStep": "commissioning|urn:epcglobal:cbv:bizstep:shipping",
        "EQ_disposition": "https://ref.gs1.org/cbv/Disp-recalled",
        "EQ_bizLocation": "urn:epc:id:sgln:0012345.11111.0",
        "EQ_readPoint": "https://qr.test/growing-areas/VN-DTOR-0017",
        "WD_bizLocation": "https://id.gs1.org/414/0012345111112",
        "MATCH_epc": "urn:epc:id:sgtin:0614141.107346.2017",
        "MATCH_anyEPC": "urn:epc:idpat:sgtin:4012345.066666.*",
        "MATCH_parentID": "urn:epc:id:sscc:0614141.1234567890",
        "MATCH_inputEPC": "https://id.gs1.org/01/04012345123456/10/L1",
        "MATCH_outputEPC": "https://id.gs1.org/01/04012345123456",
        "orderBy": "recordTime", "orderDirection": "ASC", "perPage": "100"})
    assert query.event_types == ("ObjectEvent", "TransformationEvent")
    assert query.ge_event_time == datetime(2024, 4, 30, 17, tzinfo=UTC)
    assert query.lt_record_time == datetime(2024, 7, 1, tzinfo=UTC)
    assert query.actions == ("ADD",) and query.biz_steps == ("commissioning", "shipping")
    assert query.dispositions == ("recalled",)
    assert query.biz_locations == query.wd_biz_locations == (
        "https://id.gs1.org/414/0012345111112",)
    assert query.read_points == ("https://qr.test/growing-areas/VN-DTOR-0017",)
    assert query.epcs == (epcis.EpcMatch("https://id.gs1.org/01/10614141073464/21/2017"),)
    pattern = query.any_epcs[0]  # type: ignore[index]
    assert pattern.is_class and pattern.matches("https://id.gs1.org/01/04012345666663/21/9")
    assert query.parent_ids == (epcis.EpcMatch("https://id.gs1.org/00/106141412345678908"),)
    assert query.output_epcs[0].matches(  # type: ignore[index]
        "https://id.gs1.org/01/04012345123456/10/L1")
    assert (query.order_by, query.order_direction, query.per_page) == ("recordTime", "ASC", 100)


def test_repeated_parameters_and_multidicts_work_like_pipes() -> None:
    args = MultiDict([("eventType", "ObjectEvent"), ("eventType", "AggregationEvent")])
    assert epcis.parse_query(args).event_types == ("ObjectEvent", "AggregationEvent")


def test_a_plus_in_an_unescaped_time_arrives_as_a_space_and_is_understood() -> None:
    query = epcis.parse_query({"GE_eventTime": "2024-05-01T07:00:00 07:00"})
    assert query.ge_event_time == datetime(2024, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(("args", "parameter"), [
    ({"eventType": "HarvestEvent"}, "eventType"),
    ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
    ({"GE_eventTime": "2024-05-01T00:00:00"}, "GE_eventTime"),
    ({"GE_eventTime": "2024-06-01T00:00:00Z", "LT_eventTime": "2024-05-01T00:00:00Z"},
     "LT_eventTime"),
    ({"EQ_action": "MOVE"}, "EQ_action"),
    ({"EQ_bizStep": "harvesting"}, "EQ_bizStep"),
    ({"EQ_bizStep": ""}, "EQ_bizStep"),
    ({"MATCH_epc": "urn:epc:id:sgtin:0614141.107346"}, "MATCH_epc"),
    ({"EQ_bizLocation": "warehouse 4"}, "EQ_bizLocation"),
    ({"perPage": "0"}, "perPage"),
    ({"perPage": str(MAX_PER_PAGE + 1)}, "perPage"),
    ({"perPage": ["10", "20"]}, "perPage"),
    ({"orderBy": "bizStep"}, "orderBy"),
    ({"orderDirection": "UP"}, "orderDirection"),
    ({"EQ_quantity": "3"}, "EQ_quantity"),
    ({"nextPageToken": "not-a-token"}, "nextPageToken"),
])
def test_bad_parameters_are_refused_naming_the_parameter(args: dict[str, str],
                                                         parameter: str) -> None:
    with pytest.raises(epcis.InvalidQuery) as refused:
        epcis.parse_query(args)
    assert [e.field for e in refused.value.errors] == [parameter]
    assert refused.value.detail.startswith(f"{parameter}: ")


def test_a_page_token_carries_the_query_and_the_position() -> None:
    first = epcis.parse_query({"EQ_bizStep": "shipping", "perPage": "2"})
    token = epcis.next_page_token(first, ["2024-05-01T00:00:00Z", 41])
    assert decode_page_token(token)[1] == ["2024-05-01T00:00:00Z", 41]
    following = epcis.parse_query({"nextPageToken": token, "perPage": "5"})
    assert following.biz_steps == ("shipping",) and following.per_page == 5
    assert following.after == ["2024-05-01T00:00:00Z", 41]
    same = epcis.parse_query({"nextPageToken": token, "EQ_bizStep": "shipping"})
    assert same.after == following.after
    with pytest.raises(epcis.InvalidQuery, match="another query"):
        epcis.parse_query({"nextPageToken": token, "EQ_bizStep": "receiving"})


def test_the_query_document_envelope_validates_and_keeps_the_events() -> None:
    events = load(CONFORMANCE / "JSON" / "Example_9.6.1-ObjectEvent.jsonld")["epcisBody"][
        "eventList"]
    document = epcis.query_document(events, contexts=[{"example": "http://ns.example.com/epcis/"}],
                                    created=datetime(2024, 5, 1, 8, 30, tzinfo=UTC))
    assert document["creationDate"] == "2024-05-01T08:30:00.000Z"
    assert document["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == events
    assert len(epcis.parse_query_document(document).events) == 2


def test_the_capture_document_envelope_validates() -> None:
    events = load(CONFORMANCE / "JSON" / "Example_9.6.4-TransformationEvent.jsonld")[
        "epcisBody"]["eventList"]
    document = epcis.epcis_document(events, contexts=[{"example": "http://ns.example.com/epcis/"}],
                                    sender="https://id.gs1.org/417/4012345002256")
    assert epcis.parse_document(document).events[0].type == "TransformationEvent"
