"""Value types and the small structures of EPCIS 2.0 events (quantities, locations, business
transactions, sources and destinations, sensor data, error declarations), as pydantic models."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from chains.epcis import vocabulary as voc
from chains.epcis.identifiers import InvalidIdentifier, is_uri, parse_identifier

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
TIME_ZONE_OFFSET = r"^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$"


def parse_timestamp(value: str) -> tuple[datetime, str]:
    """An RFC 3339 date-time with an offset, as a UTC datetime (to the microsecond) and the
    digits of its fraction of a second as written; ValueError otherwise."""
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("a date-time is RFC 3339 with an offset, e.g. 2024-05-01T08:30:00Z")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:  # lower-case t/z, a leap second, or not a real date
        moment = _spelled_out(match)
    return moment.astimezone(UTC), (match.group(7) or ".")[1:]


def _spelled_out(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    zone = match.group(8)
    offset = timedelta(0) if zone in "Zz" else (-1 if zone[0] == "-" else 1) * timedelta(
        hours=int(zone[1:3]), minutes=int(zone[4:6]))
    try:
        moment = datetime(year, month, day, hour, minute, min(second, 59),
                          tzinfo=timezone(offset))
    except ValueError as exc:
        raise ValueError(f"not a real date-time: {exc}") from None
    fraction = int(((match.group(7) or ".")[1:] + "000000")[:6])
    return moment + timedelta(seconds=second - min(second, 59), microseconds=fraction)


def _timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a date-time needs its offset")
        return value.astimezone(UTC)
    return parse_timestamp(value)[0]


def _uri(value: Any) -> str:
    if not isinstance(value, str) or not is_uri(value):
        raise ValueError("not an absolute URI")
    return value


def _identifier(value: str) -> str:
    try:
        parse_identifier(value)
    except InvalidIdentifier as exc:
        raise ValueError(str(exc)) from None
    return value


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("a number is expected (a JSON number, not a string)")
    decimal = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not decimal.is_finite():
        raise ValueError("a finite number is expected")
    return decimal


def _vocab(vocabulary: voc.Vocabulary) -> AfterValidator:
    return AfterValidator(vocabulary.normalise)


def _one_or_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _unique(values: list[str] | None) -> list[str] | None:
    if values is not None and len(set(values)) != len(values):
        duplicate = next(v for i, v in enumerate(values) if v in values[:i])
        raise ValueError(f"{duplicate!r} is listed twice")
    return values


Timestamp = Annotated[datetime, BeforeValidator(_timestamp)]
Uri = Annotated[str, BeforeValidator(_uri)]
IdUri = Annotated[str, BeforeValidator(_uri), AfterValidator(_identifier)]
"""An absolute URI; EPC URNs and GS1 Digital Link URIs must also be valid GS1 keys."""
EpcList = Annotated[list[IdUri], AfterValidator(_unique)]
Number = Annotated[Decimal, BeforeValidator(_number)]
BizStep = Annotated[str, _vocab(voc.BIZ_STEP)]
Disposition = Annotated[str, _vocab(voc.DISPOSITION)]
Action = Literal["ADD", "OBSERVE", "DELETE"]


def is_extension_key(key: str) -> bool:
    """Whether a key is a namespaced extension field (`prefix:name` or an absolute IRI)."""
    return is_uri(key)


def rule_error(message: str, *fields: str) -> PydanticCustomError:
    """A broken EPCIS rule, naming the fields (aliases) at fault for the JSON path."""
    return PydanticCustomError("epcis_rule", message, {"fields": list(fields)})


class EpcisModel(BaseModel):
    """An EPCIS structure: camelCase keys; namespaced extension keys kept, others refused."""

    model_config = ConfigDict(alias_generator=to_camel, extra="allow", validate_by_alias=True,
                              validate_by_name=False, serialize_by_alias=True)
    extensible: ClassVar[bool] = True

    @classmethod
    @cache
    def known_keys(cls) -> frozenset[str]:
        """The keys this structure defines (its JSON names)."""
        return frozenset(f.alias or name for name, f in cls.model_fields.items())

    @model_validator(mode="before")
    @classmethod
    def _namespaced_extensions(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = cls.known_keys()
            if data.keys() <= known:  # the usual case, checked in C
                return data
            bad = [k for k in data if k not in known and not (cls.extensible and is_uri(k))]
            if bad:
                raise PydanticCustomError(
                    "unknown_field", "unknown field: {hint}",
                    {"fields": bad, "hint": "an extension field needs a namespace prefix "
                                            "(prefix:name)" if cls.extensible else
                     "this structure takes no other fields"})
        return data

    @property
    def extensions(self) -> dict[str, Any]:
        """The namespaced extension fields, as given."""
        return dict(self.__pydantic_extra__ or {})


class ClosedModel(EpcisModel):
    """A structure the schema closes: no extension fields."""

    extensible: ClassVar[bool] = False


class QuantityElement(ClosedModel):
    """A quantity of a class of objects (LGTIN, GTIN pattern or Digital Link), in `uom`."""

    epc_class: IdUri
    quantity: Number | None = None
    uom: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,3}$")] | None = None

    @model_validator(mode="after")
    def _uom_with_quantity(self) -> QuantityElement:
        if self.uom is not None and self.quantity is None:
            raise rule_error("a unit of measure needs a quantity", "uom")
        return self


class Location(EpcisModel):
    """A readPoint or bizLocation: a location identifier (SGLN, GLN URI, or registry URI)."""

    id: IdUri


class BizTransaction(ClosedModel):
    """A business transaction (purchase order, invoice, despatch advice ...)."""

    type: Annotated[str, _vocab(voc.BIZ_TRANSACTION_TYPE)] | None = None
    biz_transaction: IdUri


class Source(ClosedModel):
    """Where goods come from: an owning or possessing party, or a location."""

    type: Annotated[str, _vocab(voc.SOURCE_DEST_TYPE)]
    source: IdUri


class Destination(ClosedModel):
    """Where goods go to: an owning or possessing party, or a location."""

    type: Annotated[str, _vocab(voc.SOURCE_DEST_TYPE)]
    destination: IdUri


class PersistentDisposition(ClosedModel):
    """Dispositions that persist until unset (e.g. `recalled`)."""

    set: Annotated[list[Disposition], Field(min_length=1), AfterValidator(_unique)] | None = None
    unset: Annotated[list[Disposition], Field(min_length=1), AfterValidator(_unique)] | None = (
        None)

    @model_validator(mode="after")
    def _set_or_unset(self) -> PersistentDisposition:
        if self.set is None and self.unset is None:
            raise rule_error("give set, unset or both", "set")
        return self


class SensorMetadata(EpcisModel):
    """Facts about a sensor reading: device, time span, raw data, business rules."""

    time: Timestamp | None = None
    device_id: Uri | None = Field(default=None, alias="deviceID")
    device_metadata: Uri | None = None
    raw_data: Uri | None = None
    start_time: Timestamp | None = None
    end_time: Timestamp | None = None
    data_processing_method: Uri | None = None
    biz_rules: Uri | None = None


class SensorReport(EpcisModel):
    """One measurement (temperature, humidity, a chemical substance ...)."""

    type: Annotated[str, AfterValidator(voc.measurement_type)]
    exception: Annotated[str, AfterValidator(voc.sensor_alert)] | None = None
    device_id: Uri | None = Field(default=None, alias="deviceID")
    device_metadata: Uri | None = None
    raw_data: Uri | None = None
    data_processing_method: Uri | None = None
    biz_rules: Uri | None = None
    time: Timestamp | None = None
    microorganism: Uri | None = None
    chemical_substance: Uri | None = None
    coordinate_reference_system: Uri | None = None
    value: Number | None = None
    component: Annotated[str, _vocab(voc.COMPONENT)] | None = None
    string_value: str | None = None
    boolean_value: StrictBool | None = None
    hex_binary_value: Annotated[str, StringConstraints(pattern=r"^[A-Fa-f0-9]+$")] | None = None
    uri_value: Uri | None = None
    min_value: Number | None = None
    max_value: Number | None = None
    mean_value: Number | None = None
    s_dev: Number | None = None
    perc_rank: Number | None = None
    perc_value: Number | None = None
    uom: str | None = None


class SensorElement(EpcisModel):
    """Sensor metadata and its reports."""

    sensor_metadata: SensorMetadata | None = None
    sensor_report: Annotated[list[SensorReport], Field(min_length=1)]


class ErrorDeclaration(EpcisModel):
    """A declaration that an earlier event was in error, with the events that correct it."""

    declaration_time: Timestamp
    reason: Annotated[str, _vocab(voc.ERROR_REASON)] | None = None
    corrective_event_ids: list[Uri] | None = Field(default=None, alias="correctiveEventIDs")
