"""The operations a bulk batch is made of, and what recording them returns.

Four operation types, each the single service's own request model plus a `type` tag and client
references, so the JSON API's bulk endpoint and the EPCIS capture feed one engine
(`chains.bulk.record_batch`) with the same rules as `lots.harvest`, `shipments.ship`,
`shipments.receive` and `transformations.transform`:

- `harvest`: `lots.LotIn` + `ref` (names the new lot for later operations of the batch);
- `ship`: `shipments.ShipmentIn` whose lot is `lot_code` (stored) or `lot_ref` (made earlier in
  the batch), + `ref` (names the shipment for a later `receive`);
- `receive`: `shipments.ReceiptIn` + `shipment_id` (stored) or `shipment_ref` (shipped earlier in
  the batch);
- `transform`: `transformations.TransformationIn` whose inputs take `lot_code` or `lot_ref` and
  whose outputs may carry a `ref`.

A reference is any client string (up to 80 characters; an EPCIS capture may use the LGTIN URI),
unique within its batch, and only names what an EARLIER operation made.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails

from registry.lots import LotIn
from registry.shipments import ReceiptIn, ShipmentIn
from registry.transformations import InputIn, OutputIn, TransformationIn, TransformationKind

MAX_OPERATIONS = 10_000
Ref = Annotated[str, Field(min_length=1, max_length=80)]


def _one_of(model: BaseModel, first: str, second: str) -> None:
    if (getattr(model, first) is None) == (getattr(model, second) is None):
        raise ValueError(f"give exactly one of {first} or {second}")


class HarvestOp(LotIn):
    """A harvest (`POST /lots`); `ref` names the new lot within the batch."""

    type: Literal["harvest"]
    ref: Ref | None = None


class ShipOp(ShipmentIn):
    """A shipment (`POST /shipments`) of a stored lot or of one made earlier in the batch."""

    type: Literal["ship"]
    lot_code: str | None = Field(default=None, min_length=4, max_length=20)  # type: ignore[assignment]
    lot_ref: Ref | None = None
    ref: Ref | None = Field(default=None, description="names the shipment for a later receive")

    @model_validator(mode="after")
    def _lot(self) -> ShipOp:
        _one_of(self, "lot_code", "lot_ref")
        return self


class ReceiveOp(ReceiptIn):
    """A receipt (`POST /shipments/{id}/receive`) of a stored or an in-batch shipment."""

    type: Literal["receive"]
    shipment_id: int | None = None
    shipment_ref: Ref | None = None

    @model_validator(mode="after")
    def _shipment(self) -> ReceiveOp:
        _one_of(self, "shipment_id", "shipment_ref")
        return self


class BatchInputIn(InputIn):
    """A consumed input: a stored lot or one made earlier in the batch."""

    lot_code: str | None = Field(default=None, min_length=4, max_length=20)  # type: ignore[assignment]
    lot_ref: Ref | None = None

    @model_validator(mode="after")
    def _lot(self) -> BatchInputIn:
        _one_of(self, "lot_code", "lot_ref")
        return self


class BatchOutputIn(OutputIn):
    """A lot made; `ref` names it within the batch."""

    ref: Ref | None = None


class TransformOp(TransformationIn):
    """A transformation (`POST /transformations`)."""

    type: Literal["transform"]
    inputs: list[BatchInputIn] = Field(min_length=1, max_length=500)  # type: ignore[assignment]
    outputs: list[BatchOutputIn] = Field(min_length=1, max_length=500)  # type: ignore[assignment]


Operation = Annotated[HarvestOp | ShipOp | ReceiveOp | TransformOp, Field(discriminator="type")]


class BatchIn(BaseModel):
    """A bulk batch: operations applied in order, all or nothing."""

    model_config = ConfigDict(extra="forbid")

    operations: list[Operation] = Field(min_length=1, max_length=MAX_OPERATIONS)

    @model_validator(mode="wrap")
    @classmethod
    def _plain_paths(cls, data: Any, handler: Any) -> Any:
        # pydantic puts the union's tag in the path (operations.3.ship.quantity); the API
        # names fields as the client wrote them (operations.3.quantity).
        try:
            return handler(data)
        except ValidationError as exc:
            details = []
            for error in exc.errors(include_url=False):
                loc = error["loc"]
                if len(loc) > 2 and loc[0] == "operations" and isinstance(loc[1], int):
                    loc = loc[:2] + loc[3:]
                details.append(InitErrorDetails(type=error["type"], loc=loc,
                                                input=error["input"],
                                                ctx=error.get("ctx", {})))
            raise ValidationError.from_exception_data(exc.title, details) from None


class MadeLot(BaseModel):
    """A lot an operation made."""

    lot_code: str
    product_id: int
    batch: str
    quantity: float
    unit: str
    ref: str | None = None


class OperationResult(BaseModel):
    """What one operation recorded."""

    index: int
    type: Literal["harvest", "ship", "receive", "transform"]
    ref: str | None = None
    lot_code: str | None = Field(default=None, description="harvest: the new lot; ship and "
                                 "receive: the lot moved")
    shipment_id: int | None = None
    transformation_id: int | None = None
    kind: TransformationKind | None = None
    outputs: list[MadeLot] | None = None


class BatchResult(BaseModel):
    """A recorded batch: one result per operation, in order, and the batch's audit digest."""

    operations: int
    events: int
    sha256: str = Field(description="SHA-256 of the canonical JSON of the parsed operations")
    results: list[OperationResult]
