"""GS1 EPCIS 2.0 / CBV 2.0 for the registry, without Flask or a database (issue 7).

Use::

    from chains import epcis
    doc = epcis.parse_document(data)         # EPCISDocument; InvalidDocument (400) otherwise
    doc.events                               # typed: ObjectEvent, AggregationEvent, ...
    epcis.event_hash(event_dict, context=doc.context)   # 'ni:///sha-256;...?ver=CBV2.0'
    epcis.parse_identifier(uri, base_url)    # Identifier(kind, gtin, batch, serial, gln, ...)
    epcis.parse_query(request.args)          # EventQuery; InvalidQuery (400) otherwise
    epcis.query_document(events)             # the EPCISQueryDocument envelope

Validation. Our own pydantic models of EPCIS 2.0 (`events.py`, `models.py`), written from the
standard; the GS1 schema and examples are test data only (tests read them from ../shared). They
check what the GS1 JSON Schema checks (required fields, per-type field sets, closed structures,
the "names objects" rules, ilmd only on ADD) and more: date-times are RFC 3339 with an offset,
URIs are absolute, EPC URNs and Digital Link URIs are valid GS1 keys with right check digits,
numbers are JSON numbers, epcLists have no duplicates, AggregationEvents that ADD or DELETE
name their parent. Extension fields must be namespaced (`prefix:name` or an IRI); any other
unknown key is refused, so a misspelt `evenTime` is an error, not an extension. Errors are
`registry.errors.FieldError`s whose `field` is the JSON path at fault
(`epcisBody.eventList[3].eventTime`); `InvalidDocument` and `InvalidQuery` are DomainErrors
that `api/problems.py` renders as 400 problem+json (they are not Invalid, which is 422). A
document carries at most 10,000 events. JSON and JSON-LD are the same document in EPCIS 2.0
(the JSON binding is JSON-LD), so one parser serves both content types; `@context` is required.

Vocabulary. bizStep, disposition, business transaction, source/destination and error-reason
values are accepted as CBV short names (`shipping`), EPCIS 1.x URNs
(`urn:epcglobal:cbv:bizstep:shipping`) or CBV 2.0 web URIs
(`https://ref.gs1.org/cbv/BizStep-shipping`) and normalised to the short name (the GS1 schema
itself refuses the two long forms; CBV allows them). Private vocabulary URIs (e.g. GDST's
farm harvest step) are kept as given; an unknown short name, or an unknown term inside a CBV
namespace, is refused. CBV has no harvesting step: `is_harvest_step` says commissioning or a
farm-harvest URI.

Identifiers. `parse_identifier` reads EPC pure identity URNs (all GS1 schemes: SGTIN, LGTIN
class, SSCC, SGLN, PGLN, GRAI, GIAI, GSRN(P), GDTI, CPI, SGCN, GINC, GSIN, ITIP, UPUI, and
the idpat patterns) with our own TDS 2.0 code, and GS1 Digital Link URIs with biip (its
element strings' `gtin_error`/`gln_error`/`sscc_error` are checked, as biip does not raise on a
wrong check digit) plus a fast path for the common 01/10/21, 414/254, 417 and 00 shapes. The
result carries `kind` (sgtin instance, lgtin lot, gtin class, sscc, sgln with `gln_extension`
None for the GLN itself, pgln, ...), `gtin` (14 digits), `batch`, `serial`, `gln` and the
canonical Digital Link (`digital_link()`, finest level only). Mapping: an LGTIN or an SGTIN
gives product GTIN + batch (an SGTIN Digital Link may carry the batch; an SGTIN URN does not);
an SGLN/GLN location maps to a partner by GLN; a PGLN to a partner as party. Farms without a GLN
use HTTP URIs under `NGUONGOC_BASE_URL`: `{base}/growing-areas/{code}` and
`{base}/aquaculture-registrations/{number}` (`growing_area_uri`, `aquaculture_registration_uri`;
codes percent-encoded), which `parse_identifier(uri, base_url)` reads back as kinds
`growing_area` / `aquaculture_registration` with `code`. Such a URI stays valid after the partner
gets a GLN: the registry resolves both. Other URIs are kind `other`.

Event hash. `event_hash` implements the CBV 2.0 event hash ID (see `hashing.py` for the
canonical form); it reproduces every vector in ../shared/conformance/epcis/event-hash. Identifiers
are stored and queried by `identifier_key` (the canonical Digital Link), so an EPC URN query finds
events captured with Digital Links and back.

Queries. `parse_query` reads the SimpleEventQuery parameters of `GET /epcis/events` (repeated
or `|`-separated values), refuses unknown ones, and carries `nextPageToken`s made by
`next_page_token` (the query's parameters and the caller's position, base64url JSON; a token is
not a secret). `query_document` and `epcis_document` build the envelopes; both validate with
`parse_query_document` / `parse_document`.
"""

from chains.epcis.documents import (
    MAX_EVENTS,
    EPCISDocument,
    EPCISQueryDocument,
    InvalidDocument,
    parse_document,
    parse_event,
    parse_query_document,
)
from chains.epcis.events import (
    AggregationEvent,
    AnyEvent,
    AssociationEvent,
    Event,
    ExtensionEvent,
    ObjectEvent,
    TransactionEvent,
    TransformationEvent,
)
from chains.epcis.hashing import document_event_hashes, event_hash, prehash
from chains.epcis.identifiers import (
    Identifier,
    InvalidIdentifier,
    aquaculture_registration_uri,
    gln_uri,
    growing_area_uri,
    lot_uri,
    parse_identifier,
    party_uri,
)
from chains.epcis.queries import (
    EpcMatch,
    EventQuery,
    InvalidQuery,
    epcis_document,
    identifier_key,
    next_page_token,
    parse_query,
    query_document,
)
from chains.epcis.vocabulary import is_harvest_step

__all__ = [
    "MAX_EVENTS", "EPCISDocument", "EPCISQueryDocument", "InvalidDocument", "parse_document",
    "parse_event", "parse_query_document", "AggregationEvent", "AnyEvent", "AssociationEvent",
    "Event", "ExtensionEvent", "ObjectEvent", "TransactionEvent", "TransformationEvent",
    "document_event_hashes", "event_hash", "prehash", "Identifier", "InvalidIdentifier",
    "aquaculture_registration_uri", "gln_uri", "growing_area_uri", "lot_uri", "parse_identifier",
    "party_uri", "EpcMatch", "EventQuery", "InvalidQuery", "epcis_document", "identifier_key",
    "next_page_token", "parse_query", "query_document", "is_harvest_step",
]
