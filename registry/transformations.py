"""Transformations: a partner consumes quantities of lots it holds and makes new lots
(packing, processing, slaughter, mixing). Each input -> output pair is an edge of the lot graph."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import insert
from sqlalchemy.orm import Session

from registry import audit, events, holdings, lots, partners, products
from registry.actors import Actor
from registry.errors import Invalid
from registry.gs1 import checked_batch
from registry.models import (
    EventKind,
    Lot,
    LotEdge,
    OriginType,
    Transformation,
    TransformationInput,
)
from registry.units import Unit, display, to_base, to_lot_base


class TransformationKind(StrEnum):
    """What a transformation does."""

    PACKING = "packing"
    PROCESSING = "processing"
    SLAUGHTER = "slaughter"
    MIXING = "mixing"
    REPACKING = "repacking"
    OTHER = "other"


class InputIn(BaseModel):
    """A quantity of one held lot consumed."""

    model_config = ConfigDict(extra="forbid")

    lot_code: str = Field(min_length=4, max_length=20)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=3)
    unit: Unit


class OutputIn(BaseModel):
    """A new lot made."""

    model_config = ConfigDict(extra="forbid")

    product_id: int
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=3)
    unit: Unit
    batch: Annotated[str, AfterValidator(checked_batch)] | None = None


class TransformationIn(BaseModel):
    """A transformation at one partner."""

    model_config = ConfigDict(extra="forbid")

    partner_id: int
    kind: TransformationKind
    occurred_at: datetime
    inputs: list[InputIn] = Field(min_length=1, max_length=500)
    outputs: list[OutputIn] = Field(min_length=1, max_length=500)


class OutputOut(BaseModel):
    """A lot a transformation made."""

    lot_code: str
    product_id: int
    batch: str
    quantity: float
    unit: str


class TransformationOut(BaseModel):
    """A recorded transformation and its output lots."""

    id: int
    kind: TransformationKind
    partner_id: int
    occurred_at: datetime
    outputs: list[OutputOut]


def transform(session: Session, actor: Actor,
              data: TransformationIn) -> tuple[Transformation, list[Lot]]:
    """Consume inputs the partner holds and create the output lots it then holds."""
    maker = partners.get(session, data.partner_id, "partner_id")
    lots.ensure_may_record(actor, maker)
    events.ensure_past(data.occurred_at, "occurred_at")
    consumed: list[tuple[Lot, int]] = []
    seen: set[int] = set()
    for i, item in enumerate(data.inputs):
        lot = lots.get(session, item.lot_code, f"inputs.{i}.lot_code", for_update=True)
        if lot.id in seen:
            raise Invalid.field(f"inputs.{i}.lot_code", f"lot {lot.lot_code} is listed twice")
        seen.add(lot.id)
        asked = to_lot_base(item.quantity, item.unit, lot.base_unit, field=f"inputs.{i}.quantity")
        holdings.ensure_movable(session, lot, maker.id, asked, field=f"inputs.{i}.lot_code")
        holdings.take(session, lot, maker.id, asked, field=f"inputs.{i}.quantity")
        consumed.append((lot, asked))
    day = data.occurred_at.astimezone(events.VN_TZ).date()
    record = Transformation(partner_id=maker.id, kind=data.kind.value,
                            occurred_at=data.occurred_at)
    session.add(record)
    session.flush()
    summary = lots.merge_summaries([lot.origin_summary or {} for lot, _ in consumed], maker, day,
                                   lots.certs_of_partner_on(session, maker, day))
    made: list[Lot] = []
    batches: set[tuple[int, str]] = set()
    for i, out in enumerate(data.outputs):
        product = products.get(session, out.product_id, f"outputs.{i}.product_id")
        amount, base = to_base(out.quantity, out.unit, field=f"outputs.{i}.quantity")
        code = lots.unique_lot_code(session)
        batch = out.batch or code
        if (product.id, batch) in batches:
            raise Invalid.field(f"outputs.{i}.batch", f"batch {batch} is listed twice")
        batches.add((product.id, batch))
        lots.ensure_batch_free(session, product.id, batch, f"outputs.{i}.batch")
        lot = Lot(lot_code=code, batch=batch, product_id=product.id, producer_id=maker.id,
                  quantity=amount, base_unit=base, unit=out.unit.value, produced_on=day,
                  origin_type=OriginType.TRANSFORMATION, transformation_id=record.id,
                  origin_summary=summary,
                  history_incomplete=any(lot.history_incomplete for lot, _ in consumed))
        lot.product, lot.producer = product, maker
        session.add(lot)
        made.append(lot)
    session.flush()
    session.execute(insert(TransformationInput), [
        {"transformation_id": record.id, "lot_id": lot.id, "quantity": asked}
        for lot, asked in consumed])
    session.execute(insert(LotEdge), [
        {"parent_id": parent.id, "child_id": child.id, "transformation_id": record.id}
        for parent, _ in consumed for child in made])
    for lot in made:
        holdings.give(session, lot.id, maker.id, lot.quantity)
    events.record(session, actor, EventKind.TRANSFORM, data.occurred_at, partner_id=maker.id,
                  transformation_id=record.id,
                  data={"kind": data.kind.value,
                        "inputs": [{"lot_code": lot.lot_code, "quantity": q}
                                   for lot, q in consumed],
                        "outputs": [{"lot_code": lot.lot_code, "quantity": lot.quantity}
                                    for lot in made]})
    audit.append(session, actor, "transform", "transformation", record.id,
                 data.model_dump(mode="json"))
    return record, made


def to_out(record: Transformation, made: list[Lot]) -> TransformationOut:
    """The API view of a transformation."""
    return TransformationOut(
        id=record.id, kind=TransformationKind(record.kind), partner_id=record.partner_id,
        occurred_at=record.occurred_at,
        outputs=[OutputOut(lot_code=lot.lot_code, product_id=lot.product_id, batch=lot.batch,
                           quantity=display(lot.quantity, lot.base_unit, lot.unit)[0],
                           unit=lot.unit) for lot in made])
