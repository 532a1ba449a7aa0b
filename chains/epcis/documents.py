"""EPCISDocument and EPCISQueryDocument parsing: the envelope, every event, and errors that
name the JSON path at fault (`epcisBody.eventList[3].eventTime`) for a 400 problem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, PrivateAttr, StringConstraints, ValidationError

from chains.epcis.events import AnyEvent, Context, event_model
from chains.epcis.hashing import event_hash
from chains.epcis.models import EpcisModel, Timestamp, Uri
from registry.errors import DomainError, FieldError

MAX_EVENTS = 10_000
"""The most events one capture document may carry (EPCIS capture limit this registry sets)."""
MAX_REPORTED_ERRORS = 100
EVENT_LIST = "epcisBody.eventList"
QUERY_EVENT_LIST = "epcisBody.queryResults.resultsBody.eventList"
D = TypeVar("D", bound=EpcisModel)
SchemaVersion = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")]


class InvalidDocument(DomainError):
    """An EPCIS document or event that breaks the EPCIS 2.0 schema or rules: a 400 problem
    whose errors name each JSON path at fault."""

    slug = "epcis-invalid-document"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"not a valid EPCIS 2.0 document: {first.field}: {first.message}{more}",
                         errors=errors[:MAX_REPORTED_ERRORS])


class EPCISHeader(EpcisModel):
    """The document header: master data, and any namespaced header fields (e.g. SBDH)."""

    epcis_master_data: dict[str, Any] | None = None


class _Body(EpcisModel):
    event_list: Annotated[list[Any], Field(max_length=MAX_EVENTS)]


class EPCISDocument(EpcisModel):
    """A validated EPCISDocument; `events` are typed, `raw_events` are the events as sent."""

    context: Context = Field(alias="@context")
    type: Literal["EPCISDocument"]
    schema_version: SchemaVersion
    creation_date: Timestamp
    id: Uri | None = None
    instance_identifier: str | None = None
    sender: str | None = None
    receiver: str | None = None
    epcis_header: EPCISHeader | None = None
    epcis_body: _Body
    _events: list[AnyEvent] = PrivateAttr(default_factory=list)

    @property
    def events(self) -> list[AnyEvent]:
        """The events, typed, in document order."""
        return self._events

    @property
    def raw_events(self) -> list[dict[str, Any]]:
        """The events as sent (what the canonical event hash is computed from)."""
        return self.epcis_body.event_list

    def event_hashes(self) -> list[str]:
        """The GS1 canonical event hash (`ni:///sha-256;...?ver=CBV2.0`) of each event."""
        return [event_hash(e, context=self.context) for e in self.raw_events]


class _ResultsBody(EpcisModel):
    event_list: Annotated[list[Any], Field(max_length=MAX_EVENTS)]
    vocabulary_list: list[Any] | None = None


class _QueryResults(EpcisModel):
    query_name: str
    subscription_id: str | None = Field(default=None, alias="subscriptionID")
    results_body: _ResultsBody


class _QueryBody(EpcisModel):
    query_results: _QueryResults


class EPCISQueryDocument(EpcisModel):
    """A validated EPCISQueryDocument (a query's answer)."""

    context: Context = Field(alias="@context")
    type: Literal["EPCISQueryDocument"]
    id: Uri | None = None
    schema_version: SchemaVersion | None = None
    creation_date: Timestamp | None = None
    epcis_body: _QueryBody
    _events: list[AnyEvent] = PrivateAttr(default_factory=list)

    @property
    def events(self) -> list[AnyEvent]:
        """The events found, typed."""
        return self._events


def json_path(loc: Sequence[str | int], prefix: str = "") -> str:
    """A JSON path in dotted form with [index] for arrays: `epcisBody.eventList[3].eventTime`."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    """Pydantic errors as FieldErrors with JSON paths (rule errors name their own fields)."""
    errors = []
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        fields = (error.get("ctx") or {}).get("fields")
        if error["type"] in ("unknown_field", "epcis_rule") and fields:
            errors += [FieldError(json_path([*loc, f], prefix), message) for f in fields]
        else:
            errors.append(FieldError(json_path(loc, prefix), message))
    return errors


def parse_event(data: Any, path: str = "") -> AnyEvent:
    """One event, typed by its `type`; InvalidDocument naming the paths at fault otherwise."""
    event, errors = _parse_event(data, path)
    if errors:
        raise InvalidDocument(errors)
    assert event is not None
    return event


def parse_document(data: Any) -> EPCISDocument:
    """Validate an EPCISDocument (JSON or JSON-LD, already decoded) of at most 10,000 events."""
    document, events = _parse(data, EPCISDocument, ("epcisBody", "eventList"), EVENT_LIST)
    document._events = events
    return document


def parse_query_document(data: Any) -> EPCISQueryDocument:
    """Validate an EPCISQueryDocument (the answer to a query, e.g. one this registry built)."""
    document, events = _parse(data, EPCISQueryDocument,
                              ("epcisBody", "queryResults", "resultsBody", "eventList"),
                              QUERY_EVENT_LIST)
    document._events = events
    return document


def _parse(data: Any, model: type[D], where: tuple[str, ...],
           path: str) -> tuple[D, list[AnyEvent]]:
    if not isinstance(data, dict):
        raise InvalidDocument([FieldError("body", "an EPCIS document is a JSON object")])
    expected = model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    if data.get("type") != expected and data.get("type") in ("EPCISDocument",
                                                             "EPCISQueryDocument"):
        raise InvalidDocument([FieldError("type", f"expected an {expected}")])
    errors: list[FieldError] = []
    document = None
    try:
        document = model.model_validate(data)
    except ValidationError as exc:
        errors += field_errors(exc)
    raw: Any = data
    for key in where:
        raw = raw.get(key) if isinstance(raw, dict) else None
    events: list[AnyEvent] = []
    if isinstance(raw, list) and len(raw) <= MAX_EVENTS:
        for index, item in enumerate(raw):
            event, event_errors = _parse_event(item, f"{path}[{index}]")
            errors += event_errors
            if event is not None:
                events.append(event)
            if len(errors) > MAX_REPORTED_ERRORS:
                break
    if errors:
        raise InvalidDocument(errors)
    assert document is not None
    return document, events


def _parse_event(data: Any, path: str) -> tuple[AnyEvent | None, list[FieldError]]:
    if not isinstance(data, dict):
        return None, [FieldError(path or "body", "an event is a JSON object")]
    if "type" not in data:
        return None, [FieldError(json_path(["type"], path), "Field required")]
    try:
        model = event_model(data["type"])
    except ValueError as exc:
        return None, [FieldError(json_path(["type"], path), str(exc))]
    try:
        return model.model_validate(data), []  # type: ignore[return-value]
    except ValidationError as exc:
        return None, field_errors(exc, path)
