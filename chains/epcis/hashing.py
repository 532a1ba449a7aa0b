"""The GS1 canonical event hash (CBV 2.0 section 8.9, "EPCIS event hash ID"):
`ni:///sha-256;<hex>?ver=CBV2.0`, the same for an event however it was written.

The pre-hash string is `eventType=...`, then the standard fields in the canonical order, each
`name=value` with lists as `name` followed by their sorted elements, and last, sorted
lexically, everything else: business transactions, sources, destinations, ilmd and the
extension fields as `{namespace}name=value`. Values are canonical: times in UTC with
milliseconds, numbers without padding, EPC URNs and Digital Links as canonical
`https://id.gs1.org/...` URIs (finest level only), CBV terms as `https://ref.gs1.org/cbv/...`
URIs. `recordTime`, `eventID`, `errorDeclaration`, comments and a document's declared
`ignoreFields` do not count. The order of the tail follows the reference implementation
(RalphTro/epcis-event-hash-generator), whose published vectors the tests reproduce."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from chains.epcis import vocabulary as voc
from chains.epcis.identifiers import canonical_uri
from chains.epcis.models import parse_timestamp

WELL_KNOWN_NAMESPACES = {"gs1": voc.GS1_VOC, "cbv": voc.CBV, "epcis": "https://ref.gs1.org/epcis/",
                         "cbvmda": "urn:epcglobal:cbv:mda:"}
NEVER_HASHED = frozenset(("eventID", "recordTime", "errorDeclaration", "@context", "type"))
COMMENTS = frozenset(("rdfs:comment", "comment", "#text"))
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_CBV_URNS = {"urn:epcglobal:cbv:bizstep:": "BizStep-", "urn:epcglobal:cbv:disp:": "Disp-",
             "urn:epcglobal:cbv:btt:": "BTT-", "urn:epcglobal:cbv:sdt:": "SDT-",
             "urn:epcglobal:cbv:er:": "ER-"}
_METADATA_ORDER = ("time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
                   "dataProcessingMethod", "bizRules")
_REPORT_ORDER = ("type", "exception", "deviceID", "deviceMetadata", "rawData",
                 "dataProcessingMethod", "time", "microorganism", "chemicalSubstance", "value",
                 "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue",
                 "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom",
                 "coordinateReferenceSystem")


def event_hash(event: Mapping[str, Any], *, context: Any = None,
               ignore_fields: Iterable[str] = ()) -> str:
    """The GS1 canonical event hash ID of one event (a decoded JSON/JSON-LD object).

    `context` is the enclosing document's `@context` (it defines extension namespaces);
    `ignore_fields` are extension keys the document declares as not part of the event."""
    digest = hashlib.sha256(prehash(event, context=context, ignore_fields=ignore_fields)
                            .encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def document_event_hashes(document: Mapping[str, Any]) -> list[str]:
    """The event hash of every event of an EPCISDocument or EPCISQueryDocument, honouring
    a `<prefix>:ignoreFields` list on the document, its body or its query results."""
    body = document.get("epcisBody") or {}
    results = body.get("queryResults") or {}
    events = body.get("eventList")
    if events is None:
        events = (results.get("resultsBody") or {}).get("eventList", [])
    ignore = [f for level in (document, body, results) for key, fields in level.items()
              if key.rsplit(":", 1)[-1] == "ignoreFields" and isinstance(fields, list)
              for f in fields]
    return [event_hash(e, context=document.get("@context"), ignore_fields=ignore) for e in events]


def prehash(event: Mapping[str, Any], *, context: Any = None,
            ignore_fields: Iterable[str] = ()) -> str:
    """The canonical pre-hash string of an event (what event_hash digests)."""
    canon = _Canon(_namespaces(context, event.get("@context")))
    skip = NEVER_HASHED | COMMENTS | frozenset(ignore_fields)
    parts = [f"eventType={event.get('type', '')}"]
    for key, render in _ORDER:
        if key in event and event[key] is not None:
            parts.append(render(canon, key, event[key]))
    rest: list[str] = []
    for key, value in event.items():
        if key in skip or key in _ORDERED_KEYS or value is None:
            continue
        special = _TAIL.get(key)
        rest += [special(canon, key, value)] if special else canon.extension(key, value)
    return "".join(parts) + "".join(sorted(rest))


def _namespaces(*contexts: Any) -> dict[str, str]:
    names = dict(WELL_KNOWN_NAMESPACES)
    for context in contexts:
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, dict):
                names.update({k: v for k, v in item.items() if isinstance(v, str)})
    return names


class _Canon:
    """Canonical forms of keys and values under one document's namespaces."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = namespaces

    def key(self, key: str) -> str:
        prefix, colon, local = key.partition(":")
        if colon and prefix in self.namespaces:
            return "{" + self.namespaces[prefix] + "}" + local
        return key

    def value(self, value: Any, key: str = "") -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | Decimal):
            return _number(str(value))
        text = str(value).strip()
        lowered = key.lower()
        if "time" in lowered and "offset" not in lowered and (moment := _time(text)):
            return moment
        return _text(text, self.namespaces.get("gs1"), self.namespaces.get("cbv"))

    def term(self, vocabulary: voc.Vocabulary, value: Any) -> str:
        try:
            return vocabulary.uri(value)
        except (ValueError, AttributeError, TypeError):
            return self.value(value)

    def extension(self, key: str, value: Any) -> list[str]:
        """`{ns}name=value` strings of an extension field (one per element of a list)."""
        if isinstance(value, list):
            return [s for item in value for s in self.extension(key, item)]
        name = self.key(key)
        if isinstance(value, dict):
            children = [s for k, v in value.items() if k not in COMMENTS
                        for s in self.extension(k, v)]
            return [name + "".join(sorted(children))]
        text = self.value(value, key)
        return [f"{name}={text}" if text else name]

    def fields(self, data: Mapping[str, Any], order: Iterable[str],
               special: Mapping[str, Callable[[Any], str]]) -> str:
        """Ordered fields `name=value`, then the others (extensions) sorted."""
        order = tuple(order)
        out = [f"{key}={special[key](data[key]) if key in special else self.value(data[key], key)}"
               for key in order if data.get(key) is not None]
        rest = [s for k, v in data.items() if k not in order and k not in COMMENTS
                for s in self.extension(k, v)]
        return "".join(out) + "".join(sorted(rest))


@lru_cache(maxsize=65536)
def _text(text: str, gs1: str | None, cbv: str | None) -> str:
    """A string value's canonical form (CBV URNs and GS1 CURIEs as web URIs, numbers without
    padding, GS1 keys as canonical Digital Links); cached, as events repeat their values."""
    if text.startswith("urn:epcglobal:cbv:"):
        for urn, web in _CBV_URNS.items():
            if text.startswith(urn):
                return voc.CBV + web + text[len(urn):]
    prefix, colon, local = text.partition(":")
    if colon and prefix in ("gs1", "cbv"):
        namespace = gs1 if prefix == "gs1" else cbv
        if namespace and namespace.startswith(("https://ref.gs1.org", "https://gs1.org")):
            return namespace + local
    if _NUMBER.match(text):
        return _number(text)
    return canonical_uri(text) or text


def _number(text: str) -> str:
    number = Decimal(text)
    if not number.is_finite():
        return text
    if number == number.to_integral_value():
        return str(int(number))
    return str(float(text))


def _time(text: str) -> str | None:
    """A date-time in UTC to the millisecond (half up), as `2024-05-01T01:30:00.000Z`."""
    try:
        moment, fraction = parse_timestamp(text)
    except ValueError:
        return None
    millis = int((fraction + "000")[:3]) + (fraction[3:4] >= "5")
    moment = moment.replace(microsecond=0) + timedelta(milliseconds=millis)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
            f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z")


def _plain(canon: _Canon, key: str, value: Any) -> str:
    return f"{key}={canon.value(value, key)}"


def _uris(canon: _Canon, key: str, value: Any) -> str:
    values = value if isinstance(value, list) else [value]
    return "".join(sorted(f"{key}={canon.value(v)}" for v in values))


def _epcs(canon: _Canon, key: str, value: Any) -> str:
    return key + "".join(sorted(f"epc={canon.value(epc)}" for epc in value))


def _quantities(canon: _Canon, key: str, value: Any) -> str:
    return key + "".join(sorted("quantityElement" + canon.fields(q, ("epcClass", "quantity",
                                                                     "uom"), {})
                                for q in value if isinstance(q, dict)))


def _vocab(vocabulary: voc.Vocabulary) -> Callable[[_Canon, str, Any], str]:
    return lambda canon, key, value: f"{key}={canon.term(vocabulary, value)}"


def _persistent(canon: _Canon, key: str, value: Any) -> str:
    return key + "".join(sorted(f"{part}={canon.term(voc.DISPOSITION, d)}"
                                for part in ("set", "unset") for d in value.get(part) or ()))


def _location(canon: _Canon, key: str, value: Any) -> str:
    return key + canon.fields(value, ("id",), {})


def _sensors(canon: _Canon, key: str, value: Any) -> str:
    def report(data: Any) -> str:
        return "sensorReport" + canon.fields(data, _REPORT_ORDER, {
            "type": lambda v: voc.GS1_VOC + v if ":" not in v else canon.value(v),
            "exception": lambda v: voc.GS1_VOC + v if ":" not in v else canon.value(v),
            "component": lambda v: canon.term(voc.COMPONENT, v)})

    def element(data: Any) -> str:
        out = "sensorElement"
        if isinstance(data.get("sensorMetadata"), dict):
            out += "sensorMetadata" + canon.fields(data["sensorMetadata"], _METADATA_ORDER, {})
        out += "".join(sorted(report(r) for r in data.get("sensorReport") or ()))
        rest = [s for k, v in data.items() if k not in ("sensorMetadata", "sensorReport")
                and k not in COMMENTS for s in canon.extension(k, v)]
        return out + "".join(sorted(rest))

    return key + "".join(sorted(element(e) for e in value if isinstance(e, dict)))


def _parties(field: str, vocabulary: voc.Vocabulary) -> Callable[[_Canon, str, Any], str]:
    def render(canon: _Canon, key: str, value: Any) -> str:
        items = []
        for item in value:
            kind = f"type={canon.term(vocabulary, item['type'])}" if item.get("type") else ""
            items.append(f"{kind}{field}={canon.value(item.get(field, ''))}")
        return key + "".join(sorted(items))

    return render


def _ilmd(canon: _Canon, key: str, value: Any) -> str:
    return key + "".join(sorted(s for k, v in value.items() if k not in COMMENTS
                                for s in canon.extension(k, v)))


_ORDER: tuple[tuple[str, Callable[[_Canon, str, Any], str]], ...] = (
    ("eventTime", _plain), ("eventTimeZoneOffset", _plain), ("certificationInfo", _uris),
    ("epcList", _epcs), ("parentID", _plain), ("inputEPCList", _epcs), ("childEPCs", _epcs),
    ("quantityList", _quantities), ("childQuantityList", _quantities),
    ("inputQuantityList", _quantities), ("outputEPCList", _epcs),
    ("outputQuantityList", _quantities), ("action", _plain), ("transformationID", _plain),
    ("bizStep", _vocab(voc.BIZ_STEP)), ("disposition", _vocab(voc.DISPOSITION)),
    ("persistentDisposition", _persistent), ("readPoint", _location),
    ("bizLocation", _location), ("sensorElementList", _sensors),
)
_ORDERED_KEYS = frozenset(key for key, _ in _ORDER)
_TAIL: dict[str, Callable[[_Canon, str, Any], str]] = {
    "bizTransactionList": _parties("bizTransaction", voc.BIZ_TRANSACTION_TYPE),
    "sourceList": _parties("source", voc.SOURCE_DEST_TYPE),
    "destinationList": _parties("destination", voc.SOURCE_DEST_TYPE),
    "ilmd": _ilmd,
}
