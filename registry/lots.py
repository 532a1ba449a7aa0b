"""Lots: harvest (a lot created at its origin), lookup, and the stored origin summary that lets
a scan answer with one primary-key read."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import (
    aquaculture,
    audit,
    certifications,
    events,
    growing_areas,
    holdings,
    partners,
    places,
    products,
    validity,
)
from registry.actors import Actor
from registry.errors import Conflict, Duplicate, FieldError, Invalid, NotFound
from registry.gs1 import checked_batch
from registry.models import (
    EventKind,
    Holding,
    Lot,
    LotStatus,
    OriginType,
    Partner,
    PartnerKind,
    Role,
    Shipment,
    ShipmentStatus,
)
from registry.units import Unit, display, to_base

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
LOT_CODE_LENGTH = 10
MAX_SUMMARY_ORIGINS = 20


def new_lot_code() -> str:
    """A random registry-wide lot code: 10 Crockford base32 characters (50 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(LOT_CODE_LENGTH))


def normal_lot_code(text: str) -> str:
    """A typed lot code normalised: upper case, no spaces or hyphens, O->0, I/L->1."""
    cleaned = text.strip().upper().replace("-", "").replace(" ", "")
    return cleaned.translate(str.maketrans("OIL", "011"))


class OriginIn(BaseModel):
    """Where a lot was harvested: exactly one of the three."""

    model_config = ConfigDict(extra="forbid")

    growing_area_code: str | None = Field(default=None, max_length=48)
    aquaculture_registration: str | None = Field(default=None, max_length=48)
    partner_id: int | None = None

    @model_validator(mode="after")
    def _one(self) -> OriginIn:
        given = [v for v in (self.growing_area_code, self.aquaculture_registration,
                             self.partner_id) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of growing_area_code, aquaculture_registration "
                             "or partner_id")
        return self


class LotIn(BaseModel):
    """A harvest: a new lot at its origin."""

    model_config = ConfigDict(extra="forbid")

    product_id: int
    partner_id: int
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=3)
    unit: Unit
    produced_on: date
    origin: OriginIn
    batch: Annotated[str, AfterValidator(checked_batch)] | None = Field(
        default=None, description="the producer's batch number (GS1 AI 10); generated if omitted")
    harvested_at: datetime | None = None


class PartnerRef(BaseModel):
    """A partner, briefly."""

    id: int
    name: str
    kind: PartnerKind


class ProductRef(BaseModel):
    """A product, briefly."""

    id: int
    name_vi: str
    name_en: str | None
    gtin: str | None


class HoldingOut(BaseModel):
    """What one partner holds of a lot."""

    partner: PartnerRef
    quantity: float
    unit: str
    base_quantity: int


class InTransitOut(BaseModel):
    """A shipment of the lot not yet received."""

    shipment_id: int
    from_partner: PartnerRef
    to_partner: PartnerRef
    quantity: float
    unit: str
    shipped_at: datetime


class LotOut(BaseModel):
    """A lot with its holdings and status."""

    lot_code: str
    batch: str
    product: ProductRef
    producer: PartnerRef
    quantity: float
    unit: str
    base_quantity: int
    base_unit: str
    produced_on: date
    origin_type: OriginType
    status: LotStatus
    holdings: list[HoldingOut]
    in_transit: list[InTransitOut]
    origin_summary: dict[str, Any]
    history_incomplete: bool
    created_at: datetime


def partner_ref(partner: Partner) -> PartnerRef:
    """A partner, briefly."""
    return PartnerRef(id=partner.id, name=partner.name, kind=partner.kind)


def get(session: Session, lot_code: str, field: str = "lot_code", *,
        for_update: bool = False) -> Lot:
    """The lot with this code; NotFound naming `field` otherwise."""
    stmt = select(Lot).where(Lot.lot_code == normal_lot_code(lot_code))
    if for_update:
        stmt = stmt.with_for_update(read=True, of=Lot)  # a recall waits for this write
    lot = session.execute(stmt).scalar()
    if lot is None:
        raise NotFound(f"lot {lot_code!r} is not registered",
                       errors=[FieldError(field, f"no lot {lot_code!r}")])
    return lot


def to_out(session: Session, lot: Lot, viewer: Actor | None = None) -> LotOut:
    """The API view of a lot: its holdings and what is in transit.

    A partner viewer sees only its own holdings and the shipments it sends or receives
    (one step back, one step forward; Circular 17/2021).
    """
    held_stmt = (select(Holding, Partner).join(Partner, Partner.id == Holding.partner_id)
                 .where(Holding.lot_id == lot.id, Holding.quantity > 0).order_by(Partner.name))
    moving_stmt = (select(Shipment).where(Shipment.lot_id == lot.id,
                                          Shipment.status == ShipmentStatus.IN_TRANSIT)
                   .order_by(Shipment.shipped_at))
    if viewer is not None and viewer.is_partner:
        held_stmt = held_stmt.where(Holding.partner_id == viewer.partner_id)
        moving_stmt = moving_stmt.where((Shipment.from_partner_id == viewer.partner_id)
                                        | (Shipment.to_partner_id == viewer.partner_id))
    held = session.execute(held_stmt).all()
    moving = session.execute(moving_stmt).scalars().all()
    quantity, unit = display(lot.quantity, lot.base_unit, lot.unit)
    return LotOut(
        lot_code=lot.lot_code, batch=lot.batch,
        product=ProductRef(id=lot.product.id, name_vi=lot.product.name_vi,
                           name_en=lot.product.name_en, gtin=lot.product.gtin),
        producer=partner_ref(lot.producer), quantity=quantity, unit=unit,
        base_quantity=lot.quantity, base_unit=lot.base_unit, produced_on=lot.produced_on,
        origin_type=lot.origin_type, status=lot.status,
        holdings=[HoldingOut(partner=partner_ref(p), base_quantity=h.quantity,
                             quantity=display(h.quantity, lot.base_unit, lot.unit)[0],
                             unit=display(h.quantity, lot.base_unit, lot.unit)[1])
                  for h, p in held],
        in_transit=[InTransitOut(shipment_id=s.id, from_partner=partner_ref(s.from_partner),
                                 to_partner=partner_ref(s.to_partner),
                                 quantity=display(s.quantity, lot.base_unit, s.unit)[0],
                                 unit=display(s.quantity, lot.base_unit, s.unit)[1],
                                 shipped_at=s.shipped_at) for s in moving],
        origin_summary=lot.origin_summary or {}, history_incomplete=lot.history_incomplete,
        created_at=lot.created_at)


def ensure_may_record(actor: Actor, partner: Partner) -> None:
    """Partners record their own events; agencies within their provinces; admins anywhere."""
    if actor.is_partner:
        actor.ensure_acts_for(partner.id)
    else:
        actor.ensure_role(Role.AGENCY)
        actor.ensure_province(partner.province_code_current, f"partner {partner.id}")


def _origin_entry(kind: OriginType, code: str, holder: Any, record: Any,
                  extra: dict[str, Any]) -> dict[str, Any]:
    place = places.describe(record)
    return {"type": kind.value, "code": code, "holder_id": holder.id, "holder": holder.name,
            "province_code": place.province_code, "province_name": place.province_name,
            "province_code_current": place.province_code_current,
            "province_name_current": place.province_name_current,
            "commune_code": place.commune_code, "renamed": place.renamed,
            "address": place.address, **extra}


def cert_entry(cert: Any, scheme_name: str, holder: str) -> dict[str, Any]:
    """A certification as an origin-summary entry."""
    return {"scheme": cert.scheme_key, "scheme_name": scheme_name, "number": cert.number,
            "holder": holder,
            "valid_until": cert.valid_until.isoformat() if cert.valid_until else None}


def _cert_entries(session: Session, column: str, holder_id: int, day: date,
                  holder: str) -> list[dict[str, Any]]:
    return [cert_entry(c, c.scheme.name_vi, holder)
            for c in certifications.valid_certifications(session, column, holder_id, day)]


def harvest_summary(session: Session, lot: Lot, producer: Partner, origin: Any,
                    kind: OriginType) -> dict[str, Any]:
    """The origin summary of a harvested lot: origin, producer, certifications at harvest."""
    day = lot.produced_on
    certs = _cert_entries(session, "partner_id", producer.id, day, producer.name)
    if kind is OriginType.GROWING_AREA:
        certs += _cert_entries(session, "growing_area_id", origin.id, day, origin.code)
    elif kind is OriginType.AQUACULTURE_REGISTRATION:
        certs += _cert_entries(session, "aquaculture_registration_id", origin.id, day,
                               origin.number)
    return summary_of_harvest(kind, origin, producer, day, certs)


def summary_of_harvest(kind: OriginType, origin: Any, producer: Any, day: date,
                       certs: list[dict[str, Any]]) -> dict[str, Any]:
    """The origin summary of a harvest, given the certification entries valid on `day`."""
    if kind is OriginType.GROWING_AREA:
        entry = _origin_entry(kind, origin.code, producer, origin,
                              {"crop": origin.crop, "geometry": origin.geometry})
    elif kind is OriginType.AQUACULTURE_REGISTRATION:
        entry = _origin_entry(kind, origin.number, producer, origin,
                              {"species": origin.species, "farming_form": origin.farming_form})
    else:
        entry = _origin_entry(kind, str(producer.id), producer, producer, {})
    return {"origins": [entry], "origins_total": 1,
            "producer": {"id": producer.id, "name": producer.name},
            "produced_on": day.isoformat(), "certifications": certs, "recalled": False,
            "status": LotStatus.ACTIVE.value}


def _resolve_origin(session: Session, data: LotIn, producer: Partner) -> tuple[OriginType, Any]:
    origin, day = data.origin, data.produced_on
    if origin.growing_area_code is not None:
        area = growing_areas.get(session, origin.growing_area_code, "origin.growing_area_code")
        if area.holder_id != producer.id:
            raise Invalid.field("origin.growing_area_code",
                                f"{area.code} is held by partner {area.holder_id}, "
                                f"not by partner {producer.id}")
        _ensure_valid(session, area, growing_areas.SUBJECT, day, "origin.growing_area_code",
                      f"growing-area code {area.code}")
        return OriginType.GROWING_AREA, area
    if origin.aquaculture_registration is not None:
        reg = aquaculture.get(session, origin.aquaculture_registration,
                              "origin.aquaculture_registration")
        if reg.holder_id != producer.id:
            raise Invalid.field("origin.aquaculture_registration",
                                f"{reg.number} is held by partner {reg.holder_id}, "
                                f"not by partner {producer.id}")
        _ensure_valid(session, reg, aquaculture.SUBJECT, day, "origin.aquaculture_registration",
                      f"aquaculture registration {reg.number}")
        return OriginType.AQUACULTURE_REGISTRATION, reg
    if origin.partner_id != producer.id:
        raise Invalid.field("origin.partner_id", "a farm origin is the harvesting partner itself")
    return OriginType.PARTNER, producer


def _ensure_valid(session: Session, record: Any, subject: str, day: date, field: str,
                  what: str) -> None:
    if not validity.is_valid_on(record, validity.history(session, subject, record.id), day):
        raise Conflict(f"{what} was not valid on {day.isoformat()} "
                       f"(status {record.status.value}, valid until {record.valid_until})",
                       errors=[FieldError(field, f"not valid on {day.isoformat()}")])


def ensure_batch_free(session: Session, product_id: int, batch: str, field: str) -> None:
    """Duplicate unless the product has no lot with this batch yet."""
    if session.execute(select(Lot.id).where(Lot.product_id == product_id,
                                            Lot.batch == batch)).scalar():
        raise Duplicate(field, batch, f"batch of product {product_id}")


def unique_lot_code(session: Session) -> str:
    """A lot code not yet used."""
    while True:
        code = new_lot_code()
        if session.execute(select(Lot.id).where(Lot.lot_code == code)).scalar() is None:
            return code


def harvest(session: Session, actor: Actor, data: LotIn) -> Lot:
    """Create a lot at its origin (a harvest), held by the harvesting partner."""
    producer = partners.get(session, data.partner_id, "partner_id")
    ensure_may_record(actor, producer)
    product = products.get(session, data.product_id, "product_id")
    if data.produced_on > date.today():
        raise Invalid.field("produced_on", "is in the future")
    occurred = events.ensure_past(data.harvested_at or events.start_of_day(data.produced_on),
                                  "harvested_at")
    amount, base = to_base(data.quantity, data.unit)
    kind, origin = _resolve_origin(session, data, producer)
    code = unique_lot_code(session)
    batch = data.batch or code
    ensure_batch_free(session, product.id, batch, "batch")
    lot = Lot(lot_code=code, batch=batch, product_id=product.id, producer_id=producer.id,
              quantity=amount, base_unit=base, unit=data.unit.value,
              produced_on=data.produced_on, origin_type=kind,
              growing_area_id=origin.id if kind is OriginType.GROWING_AREA else None,
              aquaculture_registration_id=(
                  origin.id if kind is OriginType.AQUACULTURE_REGISTRATION else None))
    lot.product, lot.producer = product, producer
    lot.origin_summary = harvest_summary(session, lot, producer, origin, kind)
    session.add(lot)
    session.flush()
    holdings.give(session, lot.id, producer.id, amount)
    events.record(session, actor, EventKind.HARVEST, occurred, partner_id=producer.id,
                  lot_id=lot.id, quantity=amount,
                  data={"origin_type": kind.value,
                        "origin": lot.origin_summary["origins"][0]["code"]})
    audit.append(session, actor, "harvest", "lot", lot.lot_code, data.model_dump(mode="json"))
    return lot


def merge_summaries(summaries: list[dict[str, Any]], maker: Any, day: date,
                    extra_certs: list[dict[str, Any]]) -> dict[str, Any]:
    """The origin summary of a transformed lot: every input's origins (capped), the maker."""
    origins: dict[tuple[str, str], dict[str, Any]] = {}
    total_keys: set[tuple[str, str]] = set()
    certs: dict[tuple[str, str], dict[str, Any]] = {}
    for summary in summaries:
        for origin in summary.get("origins", []):
            key = (origin["type"], origin["code"])
            total_keys.add(key)
            if len(origins) < MAX_SUMMARY_ORIGINS:
                origins.setdefault(key, origin)
        for cert in summary.get("certifications", []):
            certs.setdefault((cert["scheme"], cert["number"]), cert)
    for cert in extra_certs:
        certs.setdefault((cert["scheme"], cert["number"]), cert)
    return {"origins": list(origins.values()),
            "origins_total": max([len(total_keys)]
                                 + [s.get("origins_total", 0) for s in summaries]),
            "producer": {"id": maker.id, "name": maker.name}, "produced_on": day.isoformat(),
            "certifications": list(certs.values())[:40],
            "recalled": any(s.get("recalled") for s in summaries),
            "status": LotStatus.ACTIVE.value}


def certs_of_partner_on(session: Session, partner: Partner, day: date) -> list[dict[str, Any]]:
    """A partner's valid certifications on `day`, as summary entries."""
    return _cert_entries(session, "partner_id", partner.id, day, partner.name)
