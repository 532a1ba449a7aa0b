"""`GET /epcis/events` query parameters (EPCIS 2.0 REST bindings, SimpleEventQuery) parsed into
an `EventQuery`, page tokens, and the EPCISQueryDocument / EPCISDocument envelopes."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from chains.epcis import vocabulary as voc
from chains.epcis.events import EVENT_TYPES
from chains.epcis.identifiers import InvalidIdentifier, is_uri, parse_identifier
from chains.epcis.models import parse_timestamp
from registry.errors import DomainError, FieldError

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
ORDER_FIELDS = ("eventTime", "recordTime")
_SPACE_OFFSET = re.compile(r" (\d{2}:\d{2})$")


class InvalidQuery(DomainError):
    """A query parameter EPCIS does not allow, or this registry does not support (400,
    EPCIS QueryParameterException)."""

    slug = "epcis-query-parameter"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}", errors=[FieldError(parameter, message)])


@dataclass(frozen=True)
class EpcMatch:
    """One MATCH_ value: an identifier key (canonical Digital Link for GS1 keys, the URI as
    given otherwise); a class or pattern (`is_class`) also matches every instance under it,
    i.e. keys starting with `key + "/"`."""

    key: str
    is_class: bool = False

    def matches(self, key: str) -> bool:
        """Whether an identifier key (see `identifier_key`) is this one or under it."""
        return key == self.key or (self.is_class and key.startswith(self.key + "/"))


@dataclass(frozen=True)
class EventQuery:
    """A parsed SimpleEventQuery. None means "not constrained"; tuples hold alternatives
    (OR); all given constraints hold together (AND). Identifiers are keys (`identifier_key`),
    bizSteps and dispositions CBV short names (or private URIs)."""

    event_types: tuple[str, ...] | None = None
    ge_event_time: datetime | None = None
    lt_event_time: datetime | None = None
    ge_record_time: datetime | None = None
    lt_record_time: datetime | None = None
    actions: tuple[str, ...] | None = None
    biz_steps: tuple[str, ...] | None = None
    dispositions: tuple[str, ...] | None = None
    read_points: tuple[str, ...] | None = None
    wd_read_points: tuple[str, ...] | None = None
    biz_locations: tuple[str, ...] | None = None
    wd_biz_locations: tuple[str, ...] | None = None
    epcs: tuple[EpcMatch, ...] | None = None
    any_epcs: tuple[EpcMatch, ...] | None = None
    parent_ids: tuple[EpcMatch, ...] | None = None
    input_epcs: tuple[EpcMatch, ...] | None = None
    output_epcs: tuple[EpcMatch, ...] | None = None
    epc_classes: tuple[EpcMatch, ...] | None = None
    any_epc_classes: tuple[EpcMatch, ...] | None = None
    transformation_ids: tuple[str, ...] | None = None
    event_ids: tuple[str, ...] | None = None
    order_by: str = "eventTime"
    order_direction: str = "DESC"
    per_page: int = DEFAULT_PER_PAGE
    after: Any = None
    """Where the previous page stopped (from nextPageToken; whatever `next_page_token` got)."""
    parameters: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    """The query's own parameters as given (without paging), for the next page's token."""


def identifier_key(uri: str) -> str:
    """The key an identifier is stored and matched by: the canonical GS1 Digital Link URI of
    an EPC URN or Digital Link (so either form finds the other), else the URI itself."""
    try:
        return parse_identifier(uri).digital_link() or uri
    except InvalidIdentifier:
        return uri


def _match(value: str) -> EpcMatch:
    identifier = parse_identifier(value)
    return EpcMatch(identifier.digital_link() or value, identifier.is_class)


def _time(value: str) -> datetime:
    return parse_timestamp(_SPACE_OFFSET.sub(r"+\1", value))[0]  # an unescaped "+" arrives as " "


def _uri(value: str) -> str:
    if not is_uri(value):
        raise ValueError("not an absolute URI")
    return identifier_key(value)


def _one_of(allowed: Iterable[str]) -> Any:
    allowed = tuple(allowed)

    def check(value: str) -> str:
        if value not in allowed and not (allowed == EVENT_TYPES and is_uri(value)):
            raise ValueError(f"one of {', '.join(allowed)}")
        return value

    return check


_LISTS: dict[str, tuple[str, Any]] = {
    "eventType": ("event_types", _one_of(EVENT_TYPES)),
    "EQ_action": ("actions", _one_of(("ADD", "OBSERVE", "DELETE"))),
    "EQ_bizStep": ("biz_steps", voc.BIZ_STEP.normalise),
    "EQ_disposition": ("dispositions", voc.DISPOSITION.normalise),
    "EQ_readPoint": ("read_points", _uri), "WD_readPoint": ("wd_read_points", _uri),
    "EQ_bizLocation": ("biz_locations", _uri), "WD_bizLocation": ("wd_biz_locations", _uri),
    "MATCH_epc": ("epcs", _match), "MATCH_anyEPC": ("any_epcs", _match),
    "MATCH_parentID": ("parent_ids", _match), "MATCH_inputEPC": ("input_epcs", _match),
    "MATCH_outputEPC": ("output_epcs", _match), "MATCH_epcClass": ("epc_classes", _match),
    "MATCH_anyEPCClass": ("any_epc_classes", _match),
    "EQ_transformationID": ("transformation_ids", _uri), "EQ_eventID": ("event_ids", str),
}
_TIMES = {"GE_eventTime": "ge_event_time", "LT_eventTime": "lt_event_time",
          "GE_recordTime": "ge_record_time", "LT_recordTime": "lt_record_time"}
_PAGING = ("perPage", "nextPageToken")
SUPPORTED = (*_LISTS, *_TIMES, "orderBy", "orderDirection", *_PAGING)


def _values(args: Any) -> dict[str, list[str]]:
    """Each parameter's values: repeated keys and pipe-delimited values (EPCIS style) alike."""
    pairs = args.lists() if hasattr(args, "lists") else args.items()
    out: dict[str, list[str]] = {}
    for key, raw in pairs:
        items = [raw] if isinstance(raw, str) else list(raw)
        out.setdefault(key, []).extend(items)
    return out


def parse_query(args: Mapping[str, str | Sequence[str]] | Any) -> EventQuery:
    """Parse `GET /epcis/events` parameters (a dict, or a MultiDict) into an EventQuery;
    InvalidQuery naming the parameter at fault."""
    given = _values(args)
    unknown = sorted(set(given) - set(SUPPORTED))
    if unknown:
        raise InvalidQuery(unknown[0], "unknown query parameter, or one this registry does not "
                                       f"support (supported: {', '.join(SUPPORTED)})")
    after = None
    own = {k: tuple(v) for k, v in given.items() if k not in _PAGING}
    if "nextPageToken" in given:
        token_params, after = decode_page_token(_single(given, "nextPageToken"))
        if own and own != token_params:
            raise InvalidQuery("nextPageToken", "this token belongs to another query; repeat "
                                                "only perPage with it")
        own = token_params
    values: dict[str, Any] = {"parameters": own, "after": after}
    for name, items in own.items():
        if name in _TIMES:
            values[_TIMES[name]] = _parsed(name, _single(own, name), _time)
        elif name in _LISTS:
            attribute, parse = _LISTS[name]
            split = [v for item in items for v in item.split("|")]
            if not split or any(not v for v in split):
                raise InvalidQuery(name, "give at least one value (values separate with |)")
            values[attribute] = tuple(_parsed(name, v, parse) for v in split)
    if "orderBy" in own:
        values["order_by"] = _parsed("orderBy", _single(own, "orderBy"), _one_of(ORDER_FIELDS))
    if "orderDirection" in own:
        values["order_direction"] = _parsed("orderDirection", _single(own, "orderDirection"),
                                            _one_of(("ASC", "DESC")))
    if "perPage" in given:
        values["per_page"] = _parsed("perPage", _single(given, "perPage"), _per_page)
    query = EventQuery(**values)
    for low, high in (("ge_event_time", "lt_event_time"), ("ge_record_time", "lt_record_time")):
        if getattr(query, low) and getattr(query, high) and getattr(query, low) >= getattr(
                query, high):
            raise InvalidQuery(next(k for k, v in _TIMES.items() if v == high),
                               "must be later than " + next(k for k, v in _TIMES.items()
                                                            if v == low))
    return query


def _single(given: Mapping[str, Sequence[str]], name: str) -> str:
    if len(given[name]) != 1:
        raise InvalidQuery(name, "give this parameter once")
    return given[name][0]


def _parsed(name: str, value: str, parse: Any) -> Any:
    try:
        return parse(value)
    except (ValueError, InvalidIdentifier) as exc:
        raise InvalidQuery(name, f"{value!r}: {exc}") from None


def _per_page(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_PER_PAGE:
        raise ValueError(f"a whole number from 1 to {MAX_PER_PAGE}")
    return int(value)


def next_page_token(query: EventQuery, after: Any) -> str:
    """An opaque nextPageToken: the query's parameters and where this page stopped (`after`,
    any JSON value the caller chooses, e.g. the last event's sort key and id)."""
    payload = json.dumps({"q": {k: list(v) for k, v in query.parameters.items()}, "a": after},
                         separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_page_token(token: str) -> tuple[dict[str, tuple[str, ...]], Any]:
    """The parameters and position a nextPageToken carries; InvalidQuery if it is not one."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        params = {str(k): tuple(str(v) for v in vs) for k, vs in data["q"].items()}
        return params, data["a"]
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise InvalidQuery("nextPageToken", "not a page token this registry issued") from None


def with_page(query: EventQuery, after: Any) -> EventQuery:
    """The same query, from a later position (for iterating pages without tokens)."""
    return replace(query, after=after)


def query_document(events: Iterable[Mapping[str, Any]], *, contexts: Sequence[Any] = (),
                   query_name: str = "SimpleEventQuery", subscription_id: str | None = None,
                   created: datetime | None = None) -> dict[str, Any]:
    """An EPCISQueryDocument answering a query with `events` (EPCIS JSON-LD dicts);
    `contexts` adds the namespaces of extension fields, e.g. `{"ngg": base + "/ns/"}`."""
    results: dict[str, Any] = {"queryName": query_name}
    if subscription_id:
        results["subscriptionID"] = subscription_id
    results["resultsBody"] = {"eventList": list(events)}
    return {"@context": [EPCIS_CONTEXT, *contexts], "type": "EPCISQueryDocument",
            "schemaVersion": "2.0", "creationDate": _now(created),
            "epcisBody": {"queryResults": results}}


def epcis_document(events: Iterable[Mapping[str, Any]], *, contexts: Sequence[Any] = (),
                   created: datetime | None = None, sender: str | None = None,
                   receiver: str | None = None) -> dict[str, Any]:
    """An EPCISDocument carrying `events` (e.g. a trace export that another system captures)."""
    document: dict[str, Any] = {"@context": [EPCIS_CONTEXT, *contexts], "type": "EPCISDocument",
                                "schemaVersion": "2.0", "creationDate": _now(created)}
    document.update({k: v for k, v in (("sender", sender), ("receiver", receiver)) if v})
    document["epcisBody"] = {"eventList": list(events)}
    return document


def _now(moment: datetime | None) -> str:
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


__all__ = [
    "EventQuery", "EpcMatch", "InvalidQuery", "parse_query", "identifier_key", "next_page_token",
    "decode_page_token", "query_document", "epcis_document", "with_page"]
