"""Chain partners: farms, cooperatives, collectors, packers, processors, sellers, agencies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from registry import audit, places
from registry.actors import Actor
from registry.errors import Duplicate, FieldError, Invalid, NotFound
from registry.gs1 import checked_gln
from registry.models import Partner, PartnerKind, Role
from registry.paging import Page, PageQuery, like, paginate
from registry.text import fold, search_key

Gln = Annotated[str, AfterValidator(checked_gln)]
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

PRODUCING_KINDS = frozenset({
    PartnerKind.PRODUCER, PartnerKind.COOPERATIVE, PartnerKind.COLLECTOR,
    PartnerKind.PACKING_HOUSE, PartnerKind.SLAUGHTERHOUSE, PartnerKind.PROCESSOR,
    PartnerKind.DISTRIBUTOR, PartnerKind.WHOLESALE_MARKET, PartnerKind.RETAILER,
})
"""Establishments the food-safety indicators count (all but agencies)."""


class PartnerIn(BaseModel):
    """A partner to register."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: PartnerKind
    name: str = Field(min_length=2, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    place: places.PlaceIn
    tax_code: str | None = Field(default=None, pattern=r"^\d{10}(-\d{3})?$")
    gln: Gln | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 .()-]{6,30}$")
    email: str | None = Field(default=None, max_length=200, pattern=EMAIL)


class PartnerPatch(BaseModel):
    """Fields of a partner that may change (the kind may not)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=2, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    place: places.PlaceIn | None = None
    tax_code: str | None = Field(default=None, pattern=r"^\d{10}(-\d{3})?$")
    gln: Gln | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 .()-]{6,30}$")
    email: str | None = Field(default=None, max_length=200, pattern=EMAIL)

    @field_validator("name")
    @classmethod
    def _name_kept(cls, value: str | None) -> str | None:
        return kept(value)


def kept(value: Any) -> Any:
    """A PATCH may leave a required field out, never clear it: null is refused (422)."""
    if value is None:
        raise ValueError("may not be cleared: leave it out to keep the current value")
    return value


class PartnerOut(BaseModel):
    """A registered partner."""

    id: int
    kind: PartnerKind
    name: str
    name_en: str | None
    place: places.PlaceOut
    tax_code: str | None
    gln: str | None
    phone: str | None
    email: str | None
    verified: bool
    created_at: datetime


class PartnerQuery(PageQuery):
    """Filters of the partner list."""

    kind: PartnerKind | None = None
    province_code: places.CurrentProvinceCode | None = Field(
        default=None, description="current (vn2025) province code")
    verified: bool | None = Field(default=None, description="false: the unverified partners "
                                  "EPCIS captures created, for an agency to check")


def to_out(partner: Partner) -> PartnerOut:
    """The API view of a partner."""
    return PartnerOut(
        id=partner.id, kind=partner.kind, name=partner.name, name_en=partner.name_en,
        place=places.describe(partner), tax_code=partner.tax_code, gln=partner.gln,
        phone=partner.phone, email=partner.email, verified=partner.verified,
        created_at=partner.created_at)


def get(session: Session, partner_id: int, field: str = "partner_id") -> Partner:
    """The partner with this id; NotFound names `field` otherwise."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"partner {partner_id} is not registered",
                       errors=[FieldError(field, f"no partner {partner_id}")])
    return partner


def _ensure_gln_free(session: Session, gln: str | None, partner_id: int | None = None) -> None:
    if gln is None:
        return
    owner = session.execute(select(Partner.id).where(Partner.gln == gln)).scalar()
    if owner is not None and owner != partner_id:
        raise Duplicate("gln", gln, "GLN")


def register_partner(session: Session, actor: Actor, data: PartnerIn) -> Partner:
    """Register a partner; agencies register within their provinces, admins anywhere."""
    actor.ensure_role(Role.AGENCY)
    place = places.resolve(data.place, on=date.today())
    actor.ensure_province(place["province_code_current"], "the partner")
    _ensure_gln_free(session, data.gln)
    partner = Partner(kind=data.kind, name=data.name.strip(), name_en=data.name_en,
                      tax_code=data.tax_code, gln=data.gln, phone=data.phone,
                      email=data.email)
    partner.set_place(place)
    partner.search_text = search_key(partner.name, partner.name_en, partner.tax_code, partner.gln)
    session.add(partner)
    session.flush()
    audit.append(session, actor, "register_partner", "partner", partner.id,
                 data.model_dump(mode="json"))
    return partner


def update_partner(session: Session, actor: Actor, partner_id: int,
                   patch: PartnerPatch) -> Partner:
    """Change a partner's details: the partner itself, an agency of its province, or an admin."""
    partner = get(session, partner_id, "id")
    if actor.is_partner:
        actor.ensure_acts_for(partner.id)
    else:
        actor.ensure_role(Role.AGENCY)
        actor.ensure_province(partner.province_code_current, "the partner")
    changes = patch.model_dump(exclude_unset=True)
    if "gln" in changes:
        _ensure_gln_free(session, patch.gln, partner.id)
    if patch.place is not None:
        place = places.resolve(patch.place, on=date.today())
        if not actor.is_partner:
            actor.ensure_province(place["province_code_current"], "the new place")
        partner.set_place(place)
    for name in ("name", "name_en", "tax_code", "gln", "phone", "email"):
        if name in changes:
            setattr(partner, name, changes[name])
    partner.search_text = search_key(partner.name, partner.name_en, partner.tax_code, partner.gln)
    audit.append(session, actor, "update_partner", "partner", partner.id,
                 patch.model_dump(mode="json", exclude_unset=True))
    return partner


def search(query: PartnerQuery) -> Select[Partner]:
    """The partners a list request asks for, by name."""
    stmt = select(Partner).order_by(Partner.name, Partner.id)
    if query.kind is not None:
        stmt = stmt.where(Partner.kind == query.kind)
    if query.province_code:
        stmt = stmt.where(Partner.province_code_current == query.province_code.zfill(2))
    if query.verified is not None:
        stmt = stmt.where(Partner.verified.is_(query.verified))
    if query.q:
        stmt = stmt.where(Partner.search_text.like(like(fold(query.q)), escape="\\"))
    return stmt


def list_partners(session: Session, query: PartnerQuery) -> Page[PartnerOut]:
    """One page of partners."""
    return paginate(session, search(query), query, to_out)


def ensure_kind(partner: Partner, *kinds: PartnerKind, field: str) -> None:
    """Invalid (a wrong value, 422) unless the partner is of one of `kinds`."""
    if partner.kind not in kinds:
        allowed = ", ".join(k.value for k in kinds)
        raise Invalid(f"partner {partner.id} is a {partner.kind.value}; this needs {allowed}",
                        errors=[FieldError(field, f"must be a {allowed}")])
