"""Growing-area codes (mã số vùng trồng): Law on Crop Production 31/2018/QH14 art. 64,
Decision 3156/QĐ-BNN-TT (2022) for domestic codes; export codes per importer protocols."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from registry import audit, partners, places, validity
from registry.actors import Actor
from registry.errors import Duplicate, FieldError, Invalid, NotFound
from registry.models import GrowingArea, GrowingAreaKind, PartnerKind, RecordStatus
from registry.paging import Page, PageQuery, like, paginate
from registry.text import code_key, fold, search_key

CODE_FORMAT = re.compile(r"^VN[A-Z0-9-]{4,40}$")
"""Every growing-area or packing-house code the registry accepts (VIETNAM.md section 3)."""
DECISION_3156 = re.compile(r"^VN-(\d{2})-(\d{3})-(\d{5})-(\d{2,})-(\d{2})$")
"""VN-<province>-<district>-<commune>-<establishment>-<YY>, parsed to prefill the place."""
HOLDER_KINDS = (PartnerKind.PRODUCER, PartnerKind.COOPERATIVE)
SUBJECT = "growing_area"


def checked_code(value: str) -> str:
    """A growing-area code as issued (trimmed), if its upper-case form has the accepted shape."""
    value = value.strip()
    if not CODE_FORMAT.match(value.upper()):
        raise ValueError("a growing-area code starts with VN and has 4 to 40 more letters, "
                         "digits or hyphens (e.g. VN-80-794-27694-01-22 or VN-DTOR-0017)")
    return value


def parse_3156(code: str) -> places.PlaceIn | None:
    """The vn2004 place a Decision 3156 code names, or None for other shapes."""
    match = DECISION_3156.match(code.upper())
    if match is None:
        return None
    province, district, commune = match.group(1, 2, 3)
    return places.PlaceIn(adm_scheme=places.AdmScheme.VN2004, province_code=province,
                          district_code=district, commune_code=commune)


class Geometry(BaseModel):
    """A GeoJSON Point or Polygon (WGS 84 longitude, latitude)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: Literal["Point", "Polygon"]
    coordinates: list[Any]

    @model_validator(mode="after")
    def _check(self) -> Geometry:
        if self.type == "Polygon" and not all(isinstance(ring, list) for ring in self.coordinates):
            raise ValueError("a polygon's coordinates are rings: lists of positions")
        points = [self.coordinates] if self.type == "Point" else [
            p for ring in self.coordinates for p in ring]
        for point in points:
            if (not isinstance(point, list) or len(point) != 2
                    or not all(isinstance(v, int | float) for v in point)
                    or not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90)):
                raise ValueError("coordinates are [longitude, latitude] pairs in degrees")
        if self.type == "Polygon" and any(len(ring) < 4 or ring[0] != ring[-1]
                                          for ring in self.coordinates):
            raise ValueError("a polygon ring has at least 4 positions and is closed")
        return self


class GrowingAreaIn(BaseModel):
    """A growing-area code to issue (or to record as issued)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Annotated[str, AfterValidator(checked_code)] = Field(
        min_length=6, max_length=48, examples=["VN-80-794-27694-01-22"])
    kind: GrowingAreaKind = GrowingAreaKind.DOMESTIC
    markets: list[str] = Field(default_factory=list, description="ISO 3166 codes (export)")
    holder_id: int
    crop: str = Field(min_length=2, max_length=120)
    variety: str | None = Field(default=None, max_length=120)
    area_ha: float = Field(gt=0, le=1_000_000)
    standard: str | None = Field(default=None, max_length=60)
    expected_output_t: float | None = Field(default=None, ge=0)
    geometry: Geometry | None = None
    place: places.PlaceIn | None = Field(default=None,
                                         description="prefilled from a Decision 3156 code")
    issued_on: date
    valid_until: Annotated[date | None, validity.not_before("issued_on")] = None

    @field_validator("markets")
    @classmethod
    def _markets(cls, value: list[str]) -> list[str]:
        codes = [v.strip().upper() for v in value]
        if any(not re.fullmatch(r"[A-Z]{2}", c) for c in codes):
            raise ValueError("markets are ISO 3166 alpha-2 codes such as CN, US, JP")
        return codes


class HolderOut(BaseModel):
    """The partner holding a code, briefly."""

    id: int
    name: str
    kind: PartnerKind


class GrowingAreaOut(BaseModel):
    """A registered growing area."""

    code: str
    kind: GrowingAreaKind
    markets: list[str]
    holder: HolderOut
    crop: str
    variety: str | None
    area_ha: float
    standard: str | None
    expected_output_t: float | None
    geometry: dict[str, Any] | None
    place: places.PlaceOut
    issued_on: date
    valid_until: date | None
    issuer_id: int | None
    status: RecordStatus
    status_since: date | None
    status_reason: str | None
    valid_today: bool
    created_at: datetime


class GrowingAreaQuery(PageQuery):
    """Filters of the growing-area list."""

    province_code: places.CurrentProvinceCode | None = Field(
        default=None, description="current (vn2025) province code")
    holder_id: int | None = None
    status: RecordStatus | None = None
    valid_on: date | None = None


def to_out(area: GrowingArea, today: date | None = None) -> GrowingAreaOut:
    """The API view of a growing area."""
    today = today or date.today()
    return GrowingAreaOut(
        code=area.code, kind=area.kind, markets=area.markets or [],
        holder=HolderOut(id=area.holder.id, name=area.holder.name, kind=area.holder.kind),
        crop=area.crop, variety=area.variety, area_ha=area.area_ha, standard=area.standard,
        expected_output_t=area.expected_output_t, geometry=area.geometry,
        place=places.describe(area), issued_on=area.issued_on, valid_until=area.valid_until,
        issuer_id=area.issuer_id, status=area.status, status_since=area.status_since,
        status_reason=area.status_reason, created_at=area.created_at,
        valid_today=(area.issued_on <= today
                     and (area.valid_until is None or area.valid_until >= today)
                     and area.status is RecordStatus.ACTIVE))


def get(session: Session, code: str, field: str = "growing_area_code") -> GrowingArea:
    """The growing area with this code (any case); NotFound otherwise."""
    area = session.execute(
        select(GrowingArea).where(GrowingArea.code_key == code_key(code))).scalar()
    if area is None:
        raise NotFound(f"growing-area code {code!r} is not registered",
                       errors=[FieldError(field, f"no growing area {code!r}")])
    return area


def register_growing_area(session: Session, actor: Actor, data: GrowingAreaIn) -> GrowingArea:
    """Issue a growing-area code: agencies of the area's province, or admins."""
    place_in = data.place or parse_3156(data.code)
    if place_in is None:
        raise Invalid.field("place", "give the place (the code does not name one)")
    place = places.resolve(place_in, on=data.issued_on)
    actor.ensure_issuer(place["province_code_current"], "the growing area")
    holder = partners.get(session, data.holder_id, "holder_id")
    partners.ensure_kind(holder, *HOLDER_KINDS, field="holder_id")
    key = code_key(data.code)
    if session.execute(select(GrowingArea.id).where(GrowingArea.code_key == key)).scalar():
        raise Duplicate("code", data.code, "growing-area code")
    area = GrowingArea(
        code=data.code, code_key=key, kind=data.kind, markets=data.markets,
        holder_id=holder.id, crop=data.crop, variety=data.variety, area_ha=data.area_ha,
        standard=data.standard, expected_output_t=data.expected_output_t,
        geometry=data.geometry.model_dump() if data.geometry else None,
        issued_on=data.issued_on, valid_until=data.valid_until, issuer_id=actor.partner_id,
        search_text=search_key(data.code, data.crop, data.variety, holder.name))
    area.set_place(place)
    area.holder = holder
    session.add(area)
    session.flush()
    audit.append(session, actor, "register_growing_area", SUBJECT, area.code,
                 data.model_dump(mode="json"))
    return area


def change_status(session: Session, actor: Actor, code: str,
                  change: validity.StatusChangeIn) -> GrowingArea:
    """Suspend, revoke or reinstate a code from a given day (đình chỉ, hủy bỏ)."""
    area = get(session, code, "code")
    actor.ensure_issuer(area.province_code_current, "the growing area")
    validity.change_status(session, actor, area, SUBJECT, change)
    audit.append(session, actor, "change_growing_area_status", SUBJECT, area.code,
                 change.model_dump(mode="json"))
    return area


def search(query: GrowingAreaQuery) -> Select[GrowingArea]:
    """The growing areas a list request asks for."""
    stmt = select(GrowingArea).order_by(GrowingArea.code_key)
    if query.province_code:
        stmt = stmt.where(GrowingArea.province_code_current == query.province_code.zfill(2))
    if query.holder_id is not None:
        stmt = stmt.where(GrowingArea.holder_id == query.holder_id)
    if query.status is not None:
        stmt = stmt.where(GrowingArea.status == query.status)
    if query.valid_on is not None:
        stmt = stmt.where(validity.valid_on_clause(GrowingArea, SUBJECT, query.valid_on))
    if query.q:
        stmt = stmt.where(GrowingArea.search_text.like(like(fold(query.q)), escape="\\"))
    return stmt


def list_growing_areas(session: Session, query: GrowingAreaQuery) -> Page[GrowingAreaOut]:
    """One page of growing areas."""
    return paginate(session, search(query), query, to_out)
