"""Monitoring samples (Circular 08/2016/TT-BNNPTNT): results per analyte against the limit in
force at the time, the verdict, sampling plans and their progress. A failing sample opens a
violation case at once. Banned substances found by a screening method are pending
confirmation, not a failure (Circular 57/2012/TT-BNNPTNT)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry import audit, events, lots, partners
from registry.actors import Actor
from registry.errors import FieldError, Forbidden, Invalid, NotFound
from registry.models import (
    Comparator,
    EventKind,
    Holding,
    ProductCategory,
    ResidueLimit,
    Role,
    Sample,
    SampleResult,
    SamplingPlan,
    Shipment,
    Verdict,
)
from registry.paging import Page, PageQuery, paginate

_UNIT_ALIASES = {"ug/kg": "µg/kg", "mcg/kg": "µg/kg", "μg/kg": "µg/kg", "ppb": "µg/kg",
                 "ppm": "mg/kg", "mg/l": "mg/l", "ug/l": "µg/l", "μg/l": "µg/l"}
_FRACTIONS = {"mg/kg": 1.0, "µg/kg": 0.001, "g/kg": 1000.0, "mg/l": 1.0, "µg/l": 0.001}
_GROUP = {"mg/kg": "w", "µg/kg": "w", "g/kg": "w", "mg/l": "v", "µg/l": "v"}


def normal_unit(unit: str) -> str:
    """A concentration unit's canonical spelling (ppm -> mg/kg, ppb -> µg/kg)."""
    cleaned = unit.strip().replace(" ", "")
    return _UNIT_ALIASES.get(cleaned.lower(), cleaned)


def convert(value: float, unit: str, to: str) -> float | None:
    """`value` in `unit` expressed in `to`, or None when the units do not convert."""
    a, b = normal_unit(unit), normal_unit(to)
    if a == b:
        return value
    if a in _FRACTIONS and b in _FRACTIONS and _GROUP[a] == _GROUP[b]:
        return value * _FRACTIONS[a] / _FRACTIONS[b]
    return None


class ResultIn(BaseModel):
    """One analyte's result; the limit defaults from the maintained table."""

    model_config = ConfigDict(extra="forbid")

    analyte: str = Field(min_length=2, max_length=120)
    value: float | Literal["ND"] | None = Field(
        default=None, description='measured value, or "ND" (not detected)')
    detected: bool | None = Field(default=None, description="presence tests: found or not")
    unit: str = Field(min_length=1, max_length=20, examples=["mg/kg"])
    limit: float | None = Field(default=None, ge=0)
    limit_unit: str | None = Field(default=None, max_length=20)
    comparator: Comparator | None = None
    method: str | None = Field(default=None, max_length=120)
    lod: float | None = Field(default=None, ge=0)
    loq: float | None = Field(default=None, ge=0)
    confirmed: bool = Field(default=False, description="confirmed by a reference method "
                                                       "(e.g. chromatography)")
    limit_source: str | None = Field(default=None, max_length=300)

    @field_validator("value")
    @classmethod
    def _not_negative(cls, value: float | str | None) -> float | str | None:
        if isinstance(value, float) and value < 0:
            raise ValueError("must be 0 or more")
        return value


class SampleIn(BaseModel):
    """A monitoring sample and its results."""

    model_config = ConfigDict(extra="forbid")

    lot_code: str = Field(min_length=4, max_length=20)
    partner_id: int = Field(description="where the sample was taken")
    taken_at: datetime
    lab: str = Field(min_length=2, max_length=200)
    results: list[ResultIn] = Field(min_length=1, max_length=200)
    plan_id: int | None = None
    notes: str | None = Field(default=None, max_length=4000)


class ResultOut(BaseModel):
    """A stored result with the limit used."""

    model_config = ConfigDict(from_attributes=True)

    analyte: str
    method: str | None
    value: float | None
    detected: bool
    unit: str
    limit_value: float | None
    limit_unit: str
    comparator: Comparator
    limit_source: str | None
    confirmed: bool
    result: Verdict


class SampleOut(BaseModel):
    """A sample, its verdict and the case it opened."""

    id: int
    lot_code: str
    product: str
    partner: lots.PartnerRef
    province_code: str
    taken_at: datetime
    lab: str
    verdict: Verdict
    case_id: int | None
    plan_id: int | None
    results: list[ResultOut]
    taken_by: str


class SampleQuery(PageQuery):
    """Filters of the sample list."""

    province_code: str | None = None
    verdict: Verdict | None = None
    lot_code: str | None = None
    year: int | None = Field(default=None, ge=2000, le=2100)


class LimitIn(BaseModel):
    """A maximum level to maintain (admins)."""

    model_config = ConfigDict(extra="forbid")

    analyte: str = Field(min_length=2, max_length=120)
    category: ProductCategory | None = None
    limit_value: float | None = Field(default=None, ge=0)
    unit: str = Field(min_length=1, max_length=20)
    comparator: Comparator = Comparator.MAX
    banned: bool = False
    source: str = Field(min_length=3, max_length=300)


class LimitOut(LimitIn):
    """A maintained limit."""

    model_config = ConfigDict(from_attributes=True)

    id: int


class PlanIn(BaseModel):
    """A sampling plan: N samples in a province over a period."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=3, max_length=200)
    province_code: str = Field(pattern=r"^\d{2}$")
    starts_on: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    ends_on: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    category: ProductCategory | None = None
    planned: int = Field(gt=0, le=1_000_000)


class PlanOut(BaseModel):
    """A plan and its progress."""

    id: int
    name: str
    province_code: str
    starts_on: date
    ends_on: date
    category: ProductCategory | None
    planned: int
    taken: int
    failed: int
    progress: float


def to_out(sample: Sample) -> SampleOut:
    """The API view of a sample."""
    return SampleOut(
        id=sample.id, lot_code=sample.lot.lot_code, product=sample.lot.product.name_vi,
        partner=lots.partner_ref(sample.partner), province_code=sample.province_code,
        taken_at=sample.taken_at, lab=sample.lab, verdict=sample.verdict,
        case_id=sample.case_id, plan_id=sample.plan_id, taken_by=sample.taken_by,
        results=[ResultOut.model_validate(r) for r in sample.results])


def _limit_for(session: Session, analyte: str, category: ProductCategory) -> ResidueLimit | None:
    rows = session.execute(select(ResidueLimit).where(
        ResidueLimit.analyte_key == analyte.strip().lower(),
        (ResidueLimit.category == category) | ResidueLimit.category.is_(None))).scalars().all()
    return next((r for r in rows if r.category == category), rows[0] if rows else None)


def evaluate(session: Session, item: ResultIn, category: ProductCategory,
             index: int) -> SampleResult:
    """A result against its limit (given, or from the table), stored with that limit."""
    field = f"results.{index}"
    comparator, limit, limit_unit, source = (item.comparator, item.limit, item.limit_unit,
                                             item.limit_source)
    if limit is None and comparator in (None, Comparator.MAX):
        row = _limit_for(session, item.analyte, category)
        if row is None:
            raise Invalid.field(f"{field}.limit", f"no limit given and none maintained for "
                                f"{item.analyte!r} in category {category.value}")
        comparator, limit, limit_unit, source = (row.comparator, row.limit_value, row.unit,
                                                 row.source)
    comparator = comparator or Comparator.MAX
    limit_unit = normal_unit(limit_unit or item.unit)
    unit = normal_unit(item.unit)
    detected = (item.detected if item.detected is not None
                else isinstance(item.value, float | int) and item.value > 0)
    value = float(item.value) if isinstance(item.value, float | int) else None
    if comparator is Comparator.MAX:
        if limit is None:
            raise Invalid.field(f"{field}.limit", "a maximum needs a limit value")
        if value is None and item.value != "ND" and item.detected is not True:
            raise Invalid.field(f"{field}.value", "give the measured value or \"ND\"")
        if value is not None and convert(value, unit, limit_unit) is None:
            raise Invalid.field(f"{field}.unit", f"{item.unit} does not convert to the limit's "
                                f"unit {limit_unit}")
        measured = convert(value, unit, limit_unit) if value is not None else 0.0
        result = Verdict.FAIL if measured is not None and measured > limit else Verdict.PASS
    elif comparator is Comparator.NOT_DETECTED:
        result = (Verdict.PASS if not detected else
                  Verdict.FAIL if item.confirmed else Verdict.PENDING_CONFIRMATION)
    else:
        result = Verdict.FAIL if detected else Verdict.PASS
    return SampleResult(analyte=item.analyte.strip(), method=item.method, value=value,
                        detected=bool(detected), unit=unit, lod=item.lod, loq=item.loq,
                        limit_value=limit, limit_unit=limit_unit, comparator=comparator,
                        limit_source=source, confirmed=item.confirmed, result=result)


def verdict_of(results: list[SampleResult]) -> Verdict:
    """Fail if any result fails; pending if any awaits confirmation; else pass."""
    outcomes = {r.result for r in results}
    if Verdict.FAIL in outcomes:
        return Verdict.FAIL
    if Verdict.PENDING_CONFIRMATION in outcomes:
        return Verdict.PENDING_CONFIRMATION
    return Verdict.PASS


def _handled(session: Session, lot_id: int, partner_id: int, producer_id: int) -> bool:
    if partner_id == producer_id:
        return True
    held = session.execute(select(Holding.lot_id).where(
        Holding.lot_id == lot_id, Holding.partner_id == partner_id)).first()
    got = session.execute(select(Shipment.id).where(
        Shipment.lot_id == lot_id, Shipment.to_partner_id == partner_id)).first()
    return held is not None or got is not None


def record_sample(session: Session, actor: Actor, data: SampleIn) -> Sample:
    """Record a sample where it was taken; a failing one opens a case (registry.cases)."""
    from registry import cases  # cases traces lots, which imports chains

    actor.ensure_role(Role.AGENCY)
    where = partners.get(session, data.partner_id, "partner_id")
    actor.ensure_province(where.province_code_current, "the sampling place")
    lot = lots.get(session, data.lot_code)
    events.ensure_past(data.taken_at, "taken_at")
    if not _handled(session, lot.id, where.id, lot.producer_id):
        raise Invalid.field("partner_id", f"partner {where.id} never held lot {lot.lot_code}")
    if data.plan_id is not None and session.get(SamplingPlan, data.plan_id) is None:
        raise Invalid.field("plan_id", f"no sampling plan {data.plan_id}")
    results = [evaluate(session, item, lot.product.category, i)
               for i, item in enumerate(data.results)]
    sample = Sample(lot_id=lot.id, partner_id=where.id, province_code=where.province_code_current,
                    taken_at=data.taken_at, lab=data.lab, verdict=verdict_of(results),
                    plan_id=data.plan_id, taken_by=actor.username, notes=data.notes,
                    results=results)
    sample.lot, sample.partner = lot, where
    session.add(sample)
    session.flush()
    events.record(session, actor, EventKind.SAMPLE, data.taken_at, partner_id=where.id,
                  lot_id=lot.id, data={"sample_id": sample.id, "verdict": sample.verdict.value,
                                       "lab": data.lab})
    audit.append(session, actor, "record_sample", "sample", sample.id,
                 data.model_dump(mode="json"))
    if sample.verdict is Verdict.FAIL:
        failed = ", ".join(r.analyte for r in results if r.result is Verdict.FAIL)
        case = cases.open_case(session, actor, cases.CaseIn(
            lot_codes=[lot.lot_code], title=f"Mẫu {sample.id} không đạt ({failed}): "
                                            f"{lot.product.name_vi}, lô {lot.lot_code}"),
            sample=sample, found_in_province=where.province_code_current)
        sample.case_id = case.id
    return sample


def get(session: Session, sample_id: int, viewer: Actor | None = None) -> Sample:
    """The sample with this id; NotFound otherwise, Forbidden to a partner it was not taken
    from (partners see their own samples; agencies and admins all)."""
    sample = session.get(Sample, sample_id)
    if sample is None:
        raise NotFound(f"sample {sample_id} is not recorded",
                       errors=[FieldError("id", f"no sample {sample_id}")])
    if viewer is not None and viewer.is_partner and sample.partner_id != viewer.partner_id:
        raise Forbidden(f"sample {sample_id} was not taken from partner {viewer.partner_id}")
    return sample


def list_samples(session: Session, query: SampleQuery,
                 viewer: Actor | None = None) -> Page[SampleOut]:
    """One page of samples, newest first (a partner viewer: those taken from it)."""
    stmt = select(Sample).order_by(Sample.taken_at.desc(), Sample.id.desc())
    if viewer is not None and viewer.is_partner:
        stmt = stmt.where(Sample.partner_id == viewer.partner_id)
    if query.province_code:
        stmt = stmt.where(Sample.province_code == query.province_code.zfill(2))
    if query.verdict is not None:
        stmt = stmt.where(Sample.verdict == query.verdict)
    if query.lot_code:
        stmt = stmt.where(Sample.lot_id == lots.get(session, query.lot_code).id)
    if query.year is not None:
        stmt = stmt.where(Sample.taken_at >= datetime(query.year, 1, 1, tzinfo=events.VN_TZ),
                          Sample.taken_at < datetime(query.year + 1, 1, 1, tzinfo=events.VN_TZ))
    return paginate(session, stmt, query, to_out)


def add_limit(session: Session, actor: Actor, data: LimitIn) -> ResidueLimit:
    """Add a maximum level to the maintained table (admins)."""
    actor.ensure_role(Role.ADMIN)
    if data.comparator is Comparator.MAX and data.limit_value is None:
        raise Invalid.field("limit_value", "a maximum needs a limit value")
    row = ResidueLimit(**data.model_dump(), analyte_key=data.analyte.strip().lower())
    row.unit = normal_unit(data.unit)
    session.add(row)
    session.flush()
    audit.append(session, actor, "add_limit", "residue_limit", row.id, data.model_dump(mode="json"))
    return row


def list_limits(session: Session) -> list[LimitOut]:
    """Every maintained limit."""
    return [LimitOut.model_validate(r) for r in session.execute(
        select(ResidueLimit).order_by(ResidueLimit.analyte_key, ResidueLimit.id)).scalars()]


def create_plan(session: Session, actor: Actor, data: PlanIn) -> SamplingPlan:
    """Plan samples in a province (its agencies, or admins)."""
    actor.ensure_issuer(data.province_code, "the sampling plan")
    if data.ends_on < data.starts_on:
        raise Invalid.field("ends_on", "is before starts_on")
    plan = SamplingPlan(**data.model_dump(), created_by=actor.username)
    session.add(plan)
    session.flush()
    audit.append(session, actor, "create_plan", "sampling_plan", plan.id,
                 data.model_dump(mode="json"))
    return plan


def plan_progress(session: Session, plan: SamplingPlan) -> PlanOut:
    """Samples taken in the plan's province, period and category, against the plan."""
    stmt = (select(Sample.verdict, func.count()).join(Sample.lot)
            .where(Sample.province_code == plan.province_code,
                   Sample.taken_at >= datetime.combine(plan.starts_on, datetime.min.time(),
                                                       tzinfo=events.VN_TZ),
                   Sample.taken_at < datetime.combine(plan.ends_on, datetime.max.time(),
                                                      tzinfo=events.VN_TZ))
            .group_by(Sample.verdict))
    if plan.category is not None:
        from registry.models import Lot, Product

        stmt = stmt.join(Product, Product.id == Lot.product_id).where(
            Product.category == plan.category)
    counts = dict(session.execute(stmt).all())
    taken = sum(counts.values())
    return PlanOut(id=plan.id, name=plan.name, province_code=plan.province_code,
                   starts_on=plan.starts_on, ends_on=plan.ends_on, category=plan.category,
                   planned=plan.planned, taken=taken, failed=counts.get(Verdict.FAIL, 0),
                   progress=round(taken / plan.planned, 4))


def list_plans(session: Session, province_code: str | None = None) -> list[PlanOut]:
    """Plans with their progress."""
    stmt = select(SamplingPlan).order_by(SamplingPlan.starts_on.desc(), SamplingPlan.id)
    if province_code:
        stmt = stmt.where(SamplingPlan.province_code == province_code.zfill(2))
    return [plan_progress(session, p) for p in session.execute(stmt).scalars()]
