"""The five EPCIS 2.0 event types (and events of extension types), as pydantic models that
check what the GS1 schema checks, plus the EPCIS rules the lot mapping relies on."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from chains.epcis.identifiers import is_uri
from chains.epcis.models import (
    TIME_ZONE_OFFSET,
    Action,
    BizStep,
    BizTransaction,
    Destination,
    Disposition,
    EpcisModel,
    EpcList,
    ErrorDeclaration,
    IdUri,
    Location,
    PersistentDisposition,
    QuantityElement,
    SensorElement,
    Source,
    Timestamp,
    Uri,
    _one_or_list,
    rule_error,
)

EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
               "AssociationEvent")


def _context(value: Any) -> Any:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not (isinstance(item, dict) or (isinstance(item, str) and is_uri(item))):
            raise ValueError("@context is a context URI, an object, or an array of them")
    if isinstance(value, list) and len({repr(i) for i in value}) != len(value):
        raise ValueError("@context lists an entry twice")
    return value


Context = Annotated[Any, BeforeValidator(_context)]


class Event(EpcisModel):
    """What every EPCIS event has: when (and in which zone), its ID, certification and any
    error declaration."""

    type: str
    context: Context | None = Field(default=None, alias="@context")
    event_time: Timestamp
    event_time_zone_offset: Annotated[str, StringConstraints(pattern=TIME_ZONE_OFFSET)]
    record_time: Timestamp | None = None
    event_id: Uri | None = Field(default=None, alias="eventID")
    certification_info: Annotated[list[Uri] | None, BeforeValidator(_one_or_list)] = None
    error_declaration: ErrorDeclaration | None = None

    def quantities(self) -> list[QuantityElement]:
        """Every quantity element the event names (any list), for mapping to lots."""
        return []


class _What(Event):
    """Fields shared by the four event types that say why and where (not extension events)."""

    biz_step: BizStep | None = None
    disposition: Disposition | None = None
    read_point: Location | None = None
    biz_location: Location | None = None
    biz_transaction_list: list[BizTransaction] | None = None
    source_list: list[Source] | None = None
    destination_list: list[Destination] | None = None
    sensor_element_list: list[SensorElement] | None = None


def _ilmd(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is not None:
        bad = [k for k in value if not is_uri(k)]
        if bad:
            raise PydanticCustomError("unknown_field", "unknown field: ilmd keys are namespaced "
                                      "(prefix:name)", {"fields": bad})
    return value


class ObjectEvent(_What):
    """Objects observed, added (commissioned, harvested) or deleted."""

    type: Literal["ObjectEvent"]
    action: Action
    epc_list: EpcList | None = None
    quantity_list: list[QuantityElement] | None = None
    persistent_disposition: PersistentDisposition | None = None
    ilmd: dict[str, Any] | None = None

    _check_ilmd = field_validator("ilmd")(_ilmd)

    @model_validator(mode="after")
    def _rules(self) -> ObjectEvent:
        if self.epc_list is None and not self.quantity_list and not (
                self.sensor_element_list and self.read_point):
            raise rule_error("an ObjectEvent names objects (epcList or quantityList), or "
                             "reports sensor data (sensorElementList with readPoint)", "epcList")
        if self.ilmd is not None and self.action != "ADD":
            raise rule_error("ilmd (lot master data) belongs to an ADD event only", "ilmd")
        return self

    def quantities(self) -> list[QuantityElement]:
        """The quantityList."""
        return list(self.quantity_list or ())


class _ParentChild(_What):
    """Children and their parent (Aggregation and Association events)."""

    action: Action
    parent_id: IdUri | None = Field(default=None, alias="parentID")
    child_epcs: list[IdUri] | None = Field(default=None, alias="childEPCs")
    child_quantity_list: list[QuantityElement] | None = None

    @model_validator(mode="after")
    def _rules(self) -> _ParentChild:
        if not self.child_epcs and not self.child_quantity_list and self.action != "DELETE":
            raise rule_error(f"an {self.type} names children (childEPCs or childQuantityList)",
                             "childEPCs")
        if self.parent_id is None and self.action in ("ADD", "DELETE"):
            raise rule_error(f"an {self.action} {self.type} names its parent", "parentID")
        return self

    def quantities(self) -> list[QuantityElement]:
        """The childQuantityList."""
        return list(self.child_quantity_list or ())


class AggregationEvent(_ParentChild):
    """Children packed into (ADD), observed in (OBSERVE) or unpacked from (DELETE) a parent."""

    type: Literal["AggregationEvent"]


class AssociationEvent(_ParentChild):
    """Children associated with a parent that is not a container (e.g. sensor to pallet)."""

    type: Literal["AssociationEvent"]
    parent_id: IdUri = Field(alias="parentID")


class TransactionEvent(_What):
    """Objects tied to (ADD) or released from (DELETE) business transactions."""

    type: Literal["TransactionEvent"]
    action: Action
    biz_transaction_list: list[BizTransaction]
    parent_id: IdUri | None = Field(default=None, alias="parentID")
    epc_list: EpcList | None = None
    quantity_list: list[QuantityElement] | None = None

    @model_validator(mode="after")
    def _rules(self) -> TransactionEvent:
        if self.epc_list is None and not self.quantity_list and self.action != "DELETE":
            raise rule_error("a TransactionEvent names objects (epcList or quantityList)",
                             "epcList")
        return self

    def quantities(self) -> list[QuantityElement]:
        """The quantityList."""
        return list(self.quantity_list or ())


class TransformationEvent(_What):
    """Inputs consumed and outputs produced (packing, processing, mixing, slaughter)."""

    type: Literal["TransformationEvent"]
    input_epc_list: EpcList | None = Field(default=None, alias="inputEPCList")
    input_quantity_list: list[QuantityElement] | None = None
    output_epc_list: EpcList | None = Field(default=None, alias="outputEPCList")
    output_quantity_list: list[QuantityElement] | None = None
    transformation_id: Uri | None = Field(default=None, alias="transformationID")
    persistent_disposition: PersistentDisposition | None = None
    ilmd: dict[str, Any] | None = None

    _check_ilmd = field_validator("ilmd")(_ilmd)

    @model_validator(mode="after")
    def _rules(self) -> TransformationEvent:
        inputs = bool(self.input_epc_list or self.input_quantity_list)
        outputs = bool(self.output_epc_list or self.output_quantity_list)
        if not (inputs and outputs) and not ((inputs or outputs) and self.transformation_id):
            missing = "outputEPCList" if inputs else "inputEPCList"
            raise rule_error("a TransformationEvent has inputs and outputs (or one side and a "
                             "transformationID)", missing)
        return self

    def quantities(self) -> list[QuantityElement]:
        """Input then output quantity elements."""
        return [*(self.input_quantity_list or ()), *(self.output_quantity_list or ())]


class ExtensionEvent(Event):
    """An event of a type defined outside EPCIS (its type is a URI); kept, never mapped."""

    type: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")]


AnyEvent = (ObjectEvent | AggregationEvent | AssociationEvent | TransactionEvent
            | TransformationEvent | ExtensionEvent)
EVENT_MODELS: dict[str, type[Event]] = {
    "ObjectEvent": ObjectEvent, "AggregationEvent": AggregationEvent,
    "AssociationEvent": AssociationEvent, "TransactionEvent": TransactionEvent,
    "TransformationEvent": TransformationEvent,
}


def event_model(event_type: Any) -> type[Event]:
    """The model of an event type; ValueError for a type that is neither EPCIS nor a URI."""
    if isinstance(event_type, str):
        if event_type in EVENT_MODELS:
            return EVENT_MODELS[event_type]
        if is_uri(event_type):
            return ExtensionEvent
    raise ValueError(f"type is one of {', '.join(EVENT_TYPES)} (or an extension type URI)")


__all__ = ["AnyEvent", "Event", "ObjectEvent", "AggregationEvent", "AssociationEvent",
           "TransactionEvent", "TransformationEvent", "ExtensionEvent", "event_model"]
