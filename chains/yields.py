"""Plausible yields: a transformation cannot make more than its inputs allow. The bands are data
(`yield_band`, seeded by the migration, edited by admins): packing fruit makes at most as many
kilograms as went in (ratio <= 1.0); drying fresh tea flowers makes 0.15-0.3 kg per kg.

A transformation is checked when its inputs are weighed (g) and a band matches its outputs;
counted outputs (boxes) are weighed with the band's `output_unit_mass_g`. Outputs that cannot be
weighed still count for the upper bound through the ones that can, never for the lower bound.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from chains import lineage
from chains.verification_rules import Both, Reason, number, reason
from registry import audit, events, products
from registry.actors import Actor
from registry.errors import FieldError, NotFound
from registry.models import (
    Lot,
    ProductCategory,
    Role,
    Transformation,
    TransformationInput,
    YieldBand,
)

KIND = {"packing": Both("đóng gói", "packing"), "repacking": Both("đóng gói lại", "repacking"),
        "processing": Both("chế biến", "processing"), "slaughter": Both("giết mổ", "slaughter"),
        "mixing": Both("phối trộn", "mixing"), "other": Both("khác", "other")}


class YieldBandIn(BaseModel):
    """A yield band to add or replace (admins)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["packing", "repacking", "processing", "slaughter", "mixing",
                  "other"] | None = Field(default=None, description="any kind when omitted")
    input_category: ProductCategory | None = None
    output_category: ProductCategory | None = None
    output_product_id: int | None = None
    min_ratio: float = Field(default=0.0, ge=0, le=100)
    max_ratio: float = Field(gt=0, le=100)
    output_unit_mass_g: int | None = Field(default=None, gt=0, le=10_000_000,
                                           description="grams in one counted output unit")
    note: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _ordered(self) -> YieldBandIn:
        if self.min_ratio > self.max_ratio:
            raise ValueError("min_ratio is above max_ratio")
        return self


class YieldBandOut(YieldBandIn):
    """A maintained yield band."""

    model_config = ConfigDict(from_attributes=True)

    id: int


class YieldOut(BaseModel):
    """One transformation of a trace measured against its band."""

    transformation_id: int
    partner_id: int
    kind: str
    occurred_at: datetime
    input_kg: float | None
    output_kg: float | None
    ratio: float | None
    band: str | None
    min_ratio: float | None
    max_ratio: float | None
    status: Literal["pass", "warn", "fail"]
    note: str | None = None


def list_bands(session: Session) -> list[YieldBandOut]:
    """Every yield band."""
    return [YieldBandOut.model_validate(b) for b in session.execute(
        select(YieldBand).order_by(YieldBand.kind, YieldBand.id)).scalars()]


def get_band(session: Session, band_id: int) -> YieldBand:
    """The band with this id; NotFound otherwise."""
    band = session.get(YieldBand, band_id)
    if band is None:
        raise NotFound(f"yield band {band_id} does not exist",
                       errors=[FieldError("id", f"no yield band {band_id}")])
    return band


def save_band(session: Session, actor: Actor, data: YieldBandIn,
              band_id: int | None = None) -> YieldBand:
    """Add a band, or replace band `band_id` (admins)."""
    actor.ensure_role(Role.ADMIN)
    if data.output_product_id is not None:
        products.get(session, data.output_product_id, "output_product_id")
    band = get_band(session, band_id) if band_id is not None else YieldBand()
    for name, value in data.model_dump().items():
        setattr(band, name, value)
    session.add(band)
    session.flush()
    audit.append(session, actor, "save_yield_band", "yield_band", band.id,
                 data.model_dump(mode="json"))
    return band


def delete_band(session: Session, actor: Actor, band_id: int) -> None:
    """Remove a band (admins)."""
    actor.ensure_role(Role.ADMIN)
    band = get_band(session, band_id)
    session.delete(band)
    session.flush()
    audit.append(session, actor, "delete_yield_band", "yield_band", band_id)


def best_band(bands: list[YieldBand], kind: str, input_category: ProductCategory,
              output: Lot) -> YieldBand | None:
    """The most specific band whose every non-null key matches (a product beats categories)."""
    best: tuple[int, YieldBand] | None = None
    for band in bands:
        keys = [(band.kind, kind, 1), (band.input_category, input_category, 1),
                (band.output_category, output.product.category, 1),
                (band.output_product_id, output.product_id, 4)]
        if any(mine is not None and mine != theirs for mine, theirs, _ in keys):
            continue
        score = sum(weight for mine, _, weight in keys if mine is not None)
        if best is None or score > best[0]:
            best = (score, band)
    return best[1] if best else None


def _label(band: YieldBand) -> str:
    return band.note or " → ".join(str(x) for x in (band.kind, band.input_category,
                                                    band.output_category) if x)


def check(session: Session, transformations: dict[int, Transformation],
          partner_names: dict[int, str]) -> tuple[list[YieldOut], list[Reason]]:
    """Measure each transformation against its band: the table rows and the reasons."""
    ids = list(transformations)
    inputs: dict[int, list[tuple[int, Lot]]] = defaultdict(list)
    for t_input, lot in lineage.rows_in(session, lambda c: select(TransformationInput, Lot)
                                        .join(Lot, Lot.id == TransformationInput.lot_id)
                                        .where(TransformationInput.transformation_id.in_(c)), ids):
        inputs[t_input.transformation_id].append((t_input.quantity, lot))
    outputs: dict[int, list[Lot]] = defaultdict(list)
    for (lot,) in lineage.rows_in(session, lambda c: select(Lot).where(
            Lot.transformation_id.in_(c)), ids):
        outputs[lot.transformation_id].append(lot)
    bands = list(session.execute(select(YieldBand)).scalars())
    rows, reasons = [], []
    for t_id in sorted(ids):
        t = transformations[t_id]
        row, found = _measure(t, inputs[t_id], outputs[t_id], bands,
                              partner_names.get(t.partner_id, str(t.partner_id)))
        rows.append(row)
        reasons += found
    return rows, reasons


def _row(t: Transformation, status: Literal["pass", "warn", "fail"], note: str | None,
         input_g: int | None = None, output_g: int | None = None,
         low: YieldBand | None = None, top: YieldBand | None = None) -> YieldOut:
    return YieldOut(
        transformation_id=t.id, partner_id=t.partner_id, kind=t.kind, occurred_at=t.occurred_at,
        input_kg=input_g / 1000 if input_g else None,
        output_kg=output_g / 1000 if output_g else None,
        ratio=round(output_g / input_g, 4) if input_g and output_g else None,
        band=_label(top) if top else None, min_ratio=low.min_ratio if low else None,
        max_ratio=top.max_ratio if top else None, status=status, note=note)


def _measure(t: Transformation, ins: list[tuple[int, Lot]], outs: list[Lot],
             bands: list[YieldBand], partner: str) -> tuple[YieldOut, list[Reason]]:
    if not ins or any(lot.base_unit != "g" for _, lot in ins):
        return _row(t, "pass", "inputs not weighed"), []
    input_g = sum(q for q, _ in ins)
    heaviest = max(ins, key=lambda item: item[0])[1]
    matched = [(lot, best_band(bands, t.kind, heaviest.product.category, lot)) for lot in outs]
    used = [b for _, b in matched if b is not None]
    if not used or len(used) < len(matched):
        return _row(t, "pass", "no yield band", input_g), []
    weights = [lot.quantity if lot.base_unit == "g" else
               lot.quantity * b.output_unit_mass_g if b and b.output_unit_mass_g else None
               for lot, b in matched]
    output_g = sum(w for w in weights if w is not None)
    all_weighed = all(w is not None for w in weights)
    top = max(used, key=lambda b: b.max_ratio)
    low = min(used, key=lambda b: b.min_ratio)
    ratio = output_g / input_g
    params: dict[str, Any] = {"partner": partner, "output_kg": number(output_g / 1000),
              "input_kg": number(input_g / 1000), "ratio": number(ratio),
              "kind": KIND.get(t.kind, Both(t.kind, t.kind)),
              "day": t.occurred_at.astimezone(events.VN_TZ).date(),
              "partner_id": t.partner_id, "lot_code": outs[0].lot_code,
              "ref": f"transformation:{t.id}"}
    note = None if all_weighed else "some outputs not weighed"
    if output_g > input_g * top.max_ratio:
        found = reason("over_yield", max_ratio=number(top.max_ratio), band=_label(top), **params)
        return _row(t, "fail", note, input_g, output_g, low, top), [found]
    if all_weighed and ratio < low.min_ratio:
        found = reason("under_yield", min_ratio=number(low.min_ratio), band=_label(low), **params)
        return _row(t, "warn", note, input_g, output_g, low, top), [found]
    return _row(t, "pass", note, input_g, output_g, low, top), []
