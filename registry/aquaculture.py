"""Aquaculture registrations: Fisheries Law 18/2017/QH14 art. 38(1)(đ), Decree 26/2019/NĐ-CP
art. 36 (form 28.NT). Mandatory for cage/raft farming and for tôm sú, tôm thẻ chân trắng and
cá tra (Decision 50/2018/QĐ-TTg); no expiry is stated, so `valid_until` is usually empty."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from registry import audit, partners, places, validity
from registry.actors import Actor
from registry.errors import Duplicate, FieldError, NotFound
from registry.growing_areas import HolderOut
from registry.models import (
    AquacultureRegistration,
    FarmingForm,
    FarmingMethod,
    PartnerKind,
    RecordStatus,
)
from registry.paging import Page, PageQuery, like, paginate
from registry.text import code_key, fold, search_key

SUBJECT = "aquaculture_registration"
HOLDER_KINDS = (PartnerKind.PRODUCER, PartnerKind.COOPERATIVE)


def _area_or_cages(cages: int | None, info: ValidationInfo) -> int | None:
    if cages is None and info.data.get("area_m2") is None:
        raise ValueError("give the farmed area (area_m2) or the number of cages")
    return cages


class AquacultureRegistrationIn(BaseModel):
    """A registration to issue (or to record as issued)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: str = Field(min_length=3, max_length=48, pattern=r"^[\w./ -]+$",
                        examples=["22-VD-2024-0015"])
    holder_id: int
    species: list[str] = Field(min_length=1, max_length=20,
                               examples=[["Crassostrea gigas"]])
    farming_form: FarmingForm
    method: FarmingMethod | None = None
    area_m2: float | None = Field(default=None, gt=0)
    cages: Annotated[int | None, AfterValidator(_area_or_cages)] = Field(
        default=None, gt=0, validate_default=True)
    place: places.PlaceIn
    issued_on: date
    valid_until: Annotated[date | None, validity.not_before("issued_on")] = None

    @field_validator("number")
    @classmethod
    def _trim(cls, value: str) -> str:
        return value.strip()

    @field_validator("species")
    @classmethod
    def _species(cls, value: list[str]) -> list[str]:
        cleaned = [s.strip() for s in value]
        if any(not 2 <= len(s) <= 120 for s in cleaned):
            raise ValueError("each species has 2 to 120 characters")
        return cleaned


class AquacultureRegistrationOut(BaseModel):
    """A registered aquaculture site."""

    number: str
    holder: HolderOut
    species: list[str]
    farming_form: FarmingForm
    method: FarmingMethod | None
    area_m2: float | None
    cages: int | None
    place: places.PlaceOut
    issued_on: date
    valid_until: date | None
    issuer_id: int | None
    status: RecordStatus
    status_since: date | None
    status_reason: str | None
    valid_today: bool
    created_at: datetime


class AquacultureQuery(PageQuery):
    """Filters of the registration list."""

    province_code: str | None = None
    holder_id: int | None = None
    status: RecordStatus | None = None
    valid_on: date | None = None


def to_out(reg: AquacultureRegistration, today: date | None = None) -> AquacultureRegistrationOut:
    """The API view of a registration."""
    today = today or date.today()
    return AquacultureRegistrationOut(
        number=reg.number,
        holder=HolderOut(id=reg.holder.id, name=reg.holder.name, kind=reg.holder.kind),
        species=reg.species, farming_form=reg.farming_form, method=reg.method,
        area_m2=reg.area_m2, cages=reg.cages, place=places.describe(reg),
        issued_on=reg.issued_on, valid_until=reg.valid_until, issuer_id=reg.issuer_id,
        status=reg.status, status_since=reg.status_since, status_reason=reg.status_reason,
        created_at=reg.created_at,
        valid_today=(reg.issued_on <= today
                     and (reg.valid_until is None or reg.valid_until >= today)
                     and reg.status is RecordStatus.ACTIVE))


def get(session: Session, number: str,
        field: str = "aquaculture_registration") -> AquacultureRegistration:
    """The registration with this number (any case); NotFound otherwise."""
    reg = session.execute(select(AquacultureRegistration).where(
        AquacultureRegistration.number_key == code_key(number))).scalar()
    if reg is None:
        raise NotFound(f"aquaculture registration {number!r} is not registered",
                       errors=[FieldError(field, f"no registration {number!r}")])
    return reg


def register(session: Session, actor: Actor,
             data: AquacultureRegistrationIn) -> AquacultureRegistration:
    """Issue a registration: the fisheries authority (agency) of the site's province."""
    place = places.resolve(data.place, on=data.issued_on)
    actor.ensure_issuer(place["province_code_current"], "the aquaculture site")
    holder = partners.get(session, data.holder_id, "holder_id")
    partners.ensure_kind(holder, *HOLDER_KINDS, field="holder_id")
    key = code_key(data.number)
    if session.execute(select(AquacultureRegistration.id)
                       .where(AquacultureRegistration.number_key == key)).scalar():
        raise Duplicate("number", data.number, "aquaculture registration")
    reg = AquacultureRegistration(
        number=data.number, number_key=key, holder_id=holder.id, species=data.species,
        farming_form=data.farming_form, method=data.method, area_m2=data.area_m2,
        cages=data.cages, issued_on=data.issued_on, valid_until=data.valid_until,
        issuer_id=actor.partner_id,
        search_text=search_key(data.number, " ".join(data.species), holder.name))
    reg.set_place(place)
    reg.holder = holder
    session.add(reg)
    session.flush()
    audit.append(session, actor, "register_aquaculture", SUBJECT, reg.number,
                 data.model_dump(mode="json"))
    return reg


def change_status(session: Session, actor: Actor, number: str,
                  change: validity.StatusChangeIn) -> AquacultureRegistration:
    """Suspend, revoke or reinstate a registration from a given day."""
    reg = get(session, number, "number")
    actor.ensure_issuer(reg.province_code_current, "the aquaculture site")
    validity.change_status(session, actor, reg, SUBJECT, change)
    audit.append(session, actor, "change_aquaculture_status", SUBJECT, reg.number,
                 change.model_dump(mode="json"))
    return reg


def search(query: AquacultureQuery) -> Select[AquacultureRegistration]:
    """The registrations a list request asks for."""
    model = AquacultureRegistration
    stmt = select(model).order_by(model.number_key)
    if query.province_code:
        stmt = stmt.where(model.province_code_current == query.province_code.zfill(2))
    if query.holder_id is not None:
        stmt = stmt.where(model.holder_id == query.holder_id)
    if query.status is not None:
        stmt = stmt.where(model.status == query.status)
    if query.valid_on is not None:
        stmt = stmt.where(validity.valid_on_clause(model, SUBJECT, query.valid_on))
    if query.q:
        stmt = stmt.where(model.search_text.like(like(fold(query.q)), escape="\\"))
    return stmt


def list_registrations(session: Session,
                       query: AquacultureQuery) -> Page[AquacultureRegistrationOut]:
    """One page of registrations."""
    return paginate(session, search(query), query, to_out)
