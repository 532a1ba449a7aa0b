"""Certifications (VietGAP, GlobalGAP, HACCP, ISO 22000, food-safety certificates and
commitments, ...) held by partners, growing areas, aquaculture registrations or products.
"Valid on day t" is a first-class query (registry.validity)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from registry import aquaculture, audit, growing_areas, partners, products, validity
from registry.actors import Actor
from registry.errors import Duplicate, FieldError, Invalid, NotFound
from registry.models import (
    Certification,
    CertificationScheme,
    HolderType,
    RecordStatus,
    Role,
)
from registry.paging import Page, PageQuery, like, paginate
from registry.text import code_key, fold, search_key

SUBJECT = "certification"


def add_months(day: date, months: int) -> date:
    """The same day `months` later (clamped to the month's end)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class CertificationIn(BaseModel):
    """A certificate to record, and who holds it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    scheme: str = Field(min_length=2, max_length=40, examples=["vietgap"])
    number: str = Field(min_length=2, max_length=80, examples=["VietGAP-TT-13-03-80-0012"])
    issuer: str = Field(min_length=2, max_length=200)
    holder_type: HolderType
    holder_id: str | int = Field(description="partner id, growing-area code, registration "
                                             "number or product id")
    issued_on: date
    valid_until: Annotated[date | None, validity.not_before("issued_on")] = Field(
        default=None, description="defaults from the scheme's validity if known")
    scope: str | None = Field(default=None, max_length=500)

    @field_validator("scheme")
    @classmethod
    def _scheme(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        return value.strip()


class CertificationOut(BaseModel):
    """A recorded certification."""

    id: int
    scheme: str
    scheme_name: str
    number: str
    issuer: str
    holder_type: HolderType
    holder_id: str
    holder_name: str
    scope: str | None
    issued_on: date
    valid_until: date | None
    status: RecordStatus
    status_since: date | None
    status_reason: str | None
    valid_today: bool
    created_at: datetime


class CertificationQuery(PageQuery):
    """Filters of the certification list."""

    holder_type: HolderType | None = None
    holder_id: str | None = None
    scheme: str | None = None
    valid_on: date | None = Field(default=None, description="only those valid on this day")
    province_code: str | None = None


class SchemeIn(BaseModel):
    """A certification scheme an admin adds."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name_vi: str = Field(min_length=2, max_length=200)
    name_en: str = Field(min_length=2, max_length=200)
    group: str = Field(default="other", pattern=r"^[a-z_]{2,40}$")
    international: bool = False
    validity_months: int | None = Field(default=None, gt=0, le=240)


class SchemeOut(SchemeIn):
    """A certification scheme."""

    model_config = ConfigDict(from_attributes=True)


@dataclass(frozen=True)
class Holder:
    """A resolved certificate holder."""

    type: HolderType
    ref: str
    name: str
    province_code_current: str
    column: str
    id: int


def resolve_holder(session: Session, holder_type: HolderType, holder_id: str | int) -> Holder:
    """Find the holder a certification names; NotFound names `holder_id`."""
    ref = str(holder_id).strip()
    if holder_type in (HolderType.PARTNER, HolderType.PRODUCT) and not ref.isdigit():
        raise Invalid.field("holder_id", f"a {holder_type.value} id is a number")
    if holder_type is HolderType.PARTNER:
        p = partners.get(session, int(ref), "holder_id")
        return Holder(holder_type, str(p.id), p.name, p.province_code_current, "partner_id", p.id)
    if holder_type is HolderType.PRODUCT:
        pr = products.get(session, int(ref), "holder_id")
        return Holder(holder_type, str(pr.id), pr.name_vi, pr.owner.province_code_current,
                      "product_id", pr.id)
    if holder_type is HolderType.GROWING_AREA:
        ga = growing_areas.get(session, ref, "holder_id")
        return Holder(holder_type, ga.code, f"{ga.code} ({ga.crop})", ga.province_code_current,
                      "growing_area_id", ga.id)
    reg = aquaculture.get(session, ref, "holder_id")
    return Holder(holder_type, reg.number, reg.number, reg.province_code_current,
                  "aquaculture_registration_id", reg.id)


def holder_name(session: Session, cert: Certification) -> str:
    """A short name of the certificate's holder."""
    try:
        return resolve_holder(session, cert.holder_type, cert.holder_ref).name
    except NotFound:
        return cert.holder_ref


def to_out(session: Session, cert: Certification, today: date | None = None) -> CertificationOut:
    """The API view of a certification."""
    today = today or date.today()
    return CertificationOut(
        id=cert.id, scheme=cert.scheme_key, scheme_name=cert.scheme.name_vi,
        number=cert.number, issuer=cert.issuer, holder_type=cert.holder_type,
        holder_id=cert.holder_ref, holder_name=holder_name(session, cert), scope=cert.scope,
        issued_on=cert.issued_on, valid_until=cert.valid_until, status=cert.status,
        status_since=cert.status_since, status_reason=cert.status_reason,
        created_at=cert.created_at,
        valid_today=validity.is_valid_on(cert, validity.history(session, SUBJECT, cert.id),
                                         today))


def get(session: Session, cert_id: int) -> Certification:
    """The certification with this id; NotFound otherwise."""
    cert = session.get(Certification, cert_id)
    if cert is None:
        raise NotFound(f"certification {cert_id} is not recorded",
                       errors=[FieldError("id", f"no certification {cert_id}")])
    return cert


def record_certification(session: Session, actor: Actor, data: CertificationIn) -> Certification:
    """Record a certificate: agencies of the holder's province, or admins."""
    scheme = session.get(CertificationScheme, data.scheme)
    if scheme is None:
        known = ", ".join(session.execute(
            select(CertificationScheme.key).order_by(CertificationScheme.key)).scalars())
        raise Invalid.field("scheme", f"unknown scheme {data.scheme!r}; known: {known}")
    holder = resolve_holder(session, data.holder_type, data.holder_id)
    actor.ensure_issuer(holder.province_code_current, "the certificate's holder")
    key = code_key(data.number)
    if session.execute(select(Certification.id).where(
            Certification.scheme_key == scheme.key, Certification.number_key == key)).scalar():
        raise Duplicate("number", data.number, f"{scheme.key} certificate")
    valid_until = data.valid_until
    if valid_until is None and scheme.validity_months:
        valid_until = add_months(data.issued_on, scheme.validity_months) - timedelta(days=1)
    cert = Certification(
        scheme_key=scheme.key, number=data.number, number_key=key, issuer=data.issuer.strip(),
        holder_type=holder.type, holder_ref=holder.ref, scope=data.scope,
        issued_on=data.issued_on, valid_until=valid_until,
        province_code_current=holder.province_code_current,
        search_text=search_key(data.number, data.issuer, holder.name, scheme.name_vi))
    setattr(cert, holder.column, holder.id)
    cert.scheme = scheme
    session.add(cert)
    session.flush()
    audit.append(session, actor, "record_certification", SUBJECT, cert.id,
                 data.model_dump(mode="json"))
    return cert


def change_status(session: Session, actor: Actor, cert_id: int,
                  change: validity.StatusChangeIn) -> Certification:
    """Suspend, revoke or reinstate a certificate from a given day."""
    cert = get(session, cert_id)
    actor.ensure_issuer(cert.province_code_current, "the certificate's holder")
    validity.change_status(session, actor, cert, SUBJECT, change)
    audit.append(session, actor, "change_certification_status", SUBJECT, cert.id,
                 change.model_dump(mode="json"))
    return cert


def search(session: Session, query: CertificationQuery) -> Select[Certification]:
    """The certifications a list request asks for."""
    stmt = select(Certification).order_by(Certification.valid_until.desc(), Certification.id)
    if query.holder_type is not None:
        stmt = stmt.where(Certification.holder_type == query.holder_type)
        if query.holder_id is not None:
            holder = resolve_holder(session, query.holder_type, query.holder_id)
            stmt = stmt.where(getattr(Certification, holder.column) == holder.id)
    elif query.holder_id is not None:
        raise Invalid.field("holder_type", "give holder_type with holder_id")
    if query.scheme:
        stmt = stmt.where(Certification.scheme_key == query.scheme.lower())
    if query.province_code:
        stmt = stmt.where(Certification.province_code_current == query.province_code.zfill(2))
    if query.valid_on is not None:
        stmt = stmt.where(validity.valid_on_clause(Certification, SUBJECT, query.valid_on))
    if query.q:
        stmt = stmt.where(Certification.search_text.like(like(fold(query.q)), escape="\\"))
    return stmt


def list_certifications(session: Session, query: CertificationQuery) -> Page[CertificationOut]:
    """One page of certifications."""
    return paginate(session, search(session, query), query, lambda c: to_out(session, c))


def valid_certifications(session: Session, column: str, holder_id: int,
                         day: date) -> list[Certification]:
    """The certifications a holder (by its column, e.g. "partner_id") held on `day`."""
    return list(session.execute(
        select(Certification)
        .where(getattr(Certification, column) == holder_id,
               validity.valid_on_clause(Certification, SUBJECT, day))
        .order_by(Certification.scheme_key)).scalars())


def list_schemes(session: Session) -> list[SchemeOut]:
    """Every certification scheme."""
    return [SchemeOut.model_validate(s) for s in session.execute(
        select(CertificationScheme).order_by(CertificationScheme.key)).scalars()]


def add_scheme(session: Session, actor: Actor, data: SchemeIn) -> CertificationScheme:
    """Extend the scheme table (admins)."""
    actor.ensure_role(Role.ADMIN)
    if session.get(CertificationScheme, data.key) is not None:
        raise Duplicate("key", data.key, "certification scheme")
    scheme = CertificationScheme(**data.model_dump())
    session.add(scheme)
    audit.append(session, actor, "add_certification_scheme", "certification_scheme", data.key,
                 data.model_dump(mode="json"))
    return scheme
