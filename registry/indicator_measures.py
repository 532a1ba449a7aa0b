"""The formulas behind the plans' indicators (VIETNAM.md section 11), one function each.

Every measure works on one current province (records keep their current province, so old
Long An records count for Tây Ninh) and one reference day or year, runs a few aggregate
queries, and returns counts plus a capped list of the records behind them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from chains import supply_chains
from registry import events
from registry.models import (
    Certification,
    GrowingArea,
    Lot,
    Partner,
    PartnerKind,
    Product,
    ProductCategory,
    QrIssue,
    Sample,
    SamplingPlan,
    Transformation,
    TransformationInput,
    Verdict,
)
from registry.partners import PRODUCING_KINDS
from registry.validity import valid_on_clause

CERTIFICATION = "certification"
GROWING_AREA = "growing_area"


@dataclass
class Record:
    """A record behind a number: what it is, its key in its own path, a label, whether it
    counts towards the target."""

    type: str
    key: str
    label: str
    ok: bool | None = None


@dataclass
class Measure:
    """Numerator, denominator and the records behind them (the first `cap`, failing first)."""

    numerator: float
    denominator: float | None = None
    records: list[Record] = field(default_factory=list)
    record_count: int = 0
    note: str | None = None


def year_window(year: int, as_of: date) -> tuple[datetime, datetime]:
    """From 1 January of the year to the end of the reference day, Vietnam time."""
    end = min(as_of, date(year, 12, 31)) + timedelta(days=1)
    return events.start_of_day(date(year, 1, 1)), events.start_of_day(end)


def _holds_valid(partner_id: Any, schemes: Iterable[str], day: date) -> ColumnElement[bool]:
    """SQL: the partner holds a certification of one of `schemes` valid on `day`."""
    return exists(select(Certification.id).where(
        Certification.partner_id == partner_id,
        Certification.scheme_key.in_(sorted(schemes)),
        valid_on_clause(Certification, CERTIFICATION, day)))


def _establishments(province_code: str) -> ColumnElement[bool]:
    return and_(Partner.province_code_current == province_code,
                Partner.kind.in_(sorted(PRODUCING_KINDS)))


def establishments_certified(session: Session, province_code: str, day: date,
                             schemes: list[str], cap: int) -> Measure:
    """Establishments holding a valid food-safety certificate or commitment on `day`."""
    ok = _holds_valid(Partner.id, schemes, day)
    where = _establishments(province_code)
    return _partner_measure(session, where, ok, cap)


def system_certified(session: Session, province_code: str, day: date, schemes: list[str],
                     cap: int) -> Measure:
    """Establishments holding a valid HACCP / ISO 22000 / FSSC 22000 certificate on `day`:
    the numerator counts them, the records list them."""
    ok = _holds_valid(Partner.id, schemes, day)
    where = and_(_establishments(province_code), ok)
    measure = _partner_measure(session, where, ok, cap)
    measure.denominator = None
    return measure


def _partner_measure(session: Session, where: ColumnElement[bool], ok: ColumnElement[bool],
                     cap: int) -> Measure:
    total, good = session.execute(select(
        func.count(), func.count().filter(ok)).select_from(Partner).where(where)).one()
    rows = session.execute(select(Partner.id, Partner.name, ok.label("ok")).where(where)
                           .order_by(ok, Partner.name, Partner.id).limit(cap)).all()
    return Measure(numerator=good, denominator=total, record_count=total,
                   records=[Record("partner", str(r.id), r.name, bool(r.ok)) for r in rows])


def products_with_qr(session: Session, product_ids: list[int], start: datetime,
                     end: datetime) -> set[int]:
    """The products with at least one lot made in [start, end) for which a QR image or a label
    sheet was issued (a `qr_issue` record: the code exists on a package, not only in theory)."""
    if not product_ids:
        return set()
    first = start.astimezone(events.VN_TZ).date()
    last = (end - timedelta(seconds=1)).astimezone(events.VN_TZ).date()
    issued = exists(select(QrIssue.id).where(QrIssue.lot_id == Lot.id))
    return set(session.execute(
        select(Lot.product_id).distinct().where(
            Lot.product_id.in_(product_ids), Lot.produced_on >= first, Lot.produced_on <= last,
            issued)).scalars())


def qr_traceable(session: Session, province_code: str, year: int, day: date,
                 category: str, cap: int) -> Measure:
    """Products of the category active in the year (owner in the province; registered by `day`
    or with a lot made in the year) with at least one lot made in the year that carries an
    issued QR code / Digital Link."""
    start, end = year_window(year, day)
    first = start.astimezone(events.VN_TZ).date()
    last = (end - timedelta(seconds=1)).astimezone(events.VN_TZ).date()
    made_in_year = exists(select(Lot.id).where(Lot.product_id == Product.id,
                                               Lot.produced_on >= first, Lot.produced_on <= last))
    rows = session.execute(
        select(Product.id, Product.name_vi).join(Partner, Partner.id == Product.owner_id)
        .where(Partner.province_code_current == province_code,
               Product.category == ProductCategory(category),
               (Product.created_at < end) | made_in_year)
        .order_by(Product.name_vi, Product.id)).all()
    with_qr = products_with_qr(session, [r.id for r in rows], start, end)
    records = sorted((Record("product", str(r.id), r.name_vi, r.id in with_qr) for r in rows),
                     key=lambda r: (bool(r.ok), r.label))
    return Measure(numerator=len(with_qr), denominator=len(rows), records=records[:cap],
                   record_count=len(rows))


def plan_codes(province_code: str) -> list[str]:
    """Codes a plan of this current province may carry: its own, and pre-2025 codes of the
    provinces merged into it that are not current codes themselves (plans keep no scheme)."""
    from registry import places

    current = {p.code for p in places.provinces(places.AdmScheme.VN2025)}
    return sorted({province_code} | {p.code for p in places.legacy_sources(province_code)
                                     if p.code not in current})


def samples_vs_plan(session: Session, province_code: str, year: int, day: date,
                    cap: int) -> Measure:
    """Samples taken in the province in the year (to `day`) against the samples planned there
    for the year (a plan spanning several years counts pro rata by days)."""
    start, end = year_window(year, day)
    taken = session.execute(select(func.count()).select_from(Sample).where(
        Sample.province_code == province_code, Sample.taken_at >= start,
        Sample.taken_at < end)).scalar_one()
    first, last = date(year, 1, 1), date(year, 12, 31)
    plans = session.execute(select(SamplingPlan).where(
        SamplingPlan.province_code.in_(plan_codes(province_code)),
        SamplingPlan.starts_on <= last, SamplingPlan.ends_on >= first)
        .order_by(SamplingPlan.starts_on, SamplingPlan.id)).scalars().all()
    planned = 0.0
    records = []
    for plan in plans:
        days = (plan.ends_on - plan.starts_on).days + 1
        inside = (min(plan.ends_on, last) - max(plan.starts_on, first)).days + 1
        share = plan.planned * inside / days
        planned += share
        records.append(Record("sampling_plan", str(plan.id),
                              f"{plan.name}: {round(share)} / {plan.planned}"))
    note = None if plans else "no sampling plan for this province and year"
    return Measure(numerator=taken, denominator=round(planned) if plans else None,
                   records=records[:cap], record_count=len(records), note=note)


def violations(session: Session, province_code: str, year: int, day: date,
               cap: int) -> Measure:
    """Failing samples over samples with a final verdict (pending confirmation left out)."""
    start, end = year_window(year, day)
    where = and_(Sample.province_code == province_code, Sample.taken_at >= start,
                 Sample.taken_at < end, Sample.verdict.in_([Verdict.PASS, Verdict.FAIL]))
    final, failed = session.execute(select(
        func.count(), func.count().filter(Sample.verdict == Verdict.FAIL))
        .select_from(Sample).where(where)).one()
    rows = session.execute(select(Sample.id, Sample.verdict, Lot.lot_code)
                           .join(Lot, Lot.id == Sample.lot_id)
                           .where(where, Sample.verdict == Verdict.FAIL)
                           .order_by(Sample.taken_at.desc(), Sample.id).limit(cap)).all()
    return Measure(numerator=failed, denominator=final, record_count=failed, records=[
        Record("sample", str(r.id), f"#{r.id} · {r.lot_code}", False) for r in rows])


def safe_chains(session: Session, province_code: str, day: date,
                cap: int) -> tuple[Measure, Measure]:
    """Supply chains with a member in the province: those verified on `day`, and those to an
    international standard (chains.supply_chains.verify)."""
    verified, international = [], []
    chains = supply_chains.list_chains(session, province_code)
    for chain in chains:
        status = supply_chains.verify(session, chain, day)
        verified.append(Record("supply_chain", str(chain.id), chain.name, status.verified))
        international.append(Record("supply_chain", str(chain.id), chain.name,
                                    status.international))

    def measure(records: list[Record]) -> Measure:
        records.sort(key=lambda r: (not r.ok, r.label))
        return Measure(numerator=sum(1 for r in records if r.ok), denominator=len(records),
                       records=records[:cap], record_count=len(records))

    return measure(verified), measure(international)


def gap_area(session: Session, province_code: str, day: date, schemes: list[str],
             cap: int) -> Measure:
    """Hectares of growing areas (valid on `day`) with a GAP certificate valid on `day`."""
    certified = exists(select(Certification.id).where(
        Certification.growing_area_id == GrowingArea.id,
        Certification.scheme_key.in_(sorted(schemes)),
        valid_on_clause(Certification, CERTIFICATION, day)))
    where = and_(GrowingArea.province_code_current == province_code,
                 valid_on_clause(GrowingArea, GROWING_AREA, day), certified)
    count, area = session.execute(select(func.count(), func.coalesce(
        func.sum(GrowingArea.area_ha), 0.0)).where(where)).one()
    rows = session.execute(select(GrowingArea.code, GrowingArea.area_ha, GrowingArea.crop)
                           .where(where).order_by(GrowingArea.area_ha.desc(),
                                                  GrowingArea.code).limit(cap)).all()
    return Measure(numerator=round(float(area), 4), record_count=count, records=[
        Record("growing_area", r.code, f"{r.code} · {r.area_ha:g} ha · {r.crop}", True)
        for r in rows])


def ocop_food_safety(session: Session, province_code: str, day: date, schemes: list[str],
                     cap: int) -> Measure:
    """OCOP products rated by `day` (owner in the province) whose rating is valid on `day` and
    whose owner holds a valid food-safety certificate or commitment."""
    rating_valid = and_(func.coalesce(Product.ocop_issued_on, day) <= day,
                        func.coalesce(Product.ocop_valid_until, day) >= day)
    ok = and_(rating_valid, _holds_valid(Product.owner_id, schemes, day))
    where = and_(Partner.province_code_current == province_code, Product.ocop_stars.is_not(None),
                 func.coalesce(Product.ocop_issued_on, day) <= day)
    total, good = session.execute(
        select(func.count(), func.count().filter(ok)).select_from(Product)
        .join(Partner, Partner.id == Product.owner_id).where(where)).one()
    rows = session.execute(select(Product.id, Product.name_vi, Product.ocop_stars, ok.label("ok"))
                           .join(Partner, Partner.id == Product.owner_id).where(where)
                           .order_by(ok, Product.name_vi, Product.id).limit(cap)).all()
    return Measure(numerator=good, denominator=total, record_count=total, records=[
        Record("product", str(r.id), f"{r.name_vi} ({r.ocop_stars}★)", bool(r.ok))
        for r in rows])


def slaughter(session: Session, province_code: str, year: int, day: date, unit: str,
              cap: int) -> Measure:
    """Heads (or kg of live weight) slaughtered at slaughterhouses over all slaughter
    transformations in the province and year (their inputs, in the lot's base unit)."""
    start, end = year_window(year, day)
    base, factor = ("head", 1.0) if unit == "head" else ("g", 1000.0)
    at_slaughterhouse = Partner.kind == PartnerKind.SLAUGHTERHOUSE
    where = and_(Transformation.kind == "slaughter", Transformation.occurred_at >= start,
                 Transformation.occurred_at < end,
                 Partner.province_code_current == province_code)
    joined = (select(func.coalesce(func.sum(TransformationInput.quantity), 0),
                     func.coalesce(func.sum(TransformationInput.quantity).filter(
                         at_slaughterhouse), 0))
              .select_from(Transformation)
              .join(Partner, Partner.id == Transformation.partner_id)
              .join(TransformationInput,
                    TransformationInput.transformation_id == Transformation.id)
              .join(Lot, Lot.id == TransformationInput.lot_id)
              .where(where, Lot.base_unit == base))
    total, central = session.execute(joined).one()
    count = session.execute(select(func.count()).select_from(Transformation)
                            .join(Partner, Partner.id == Transformation.partner_id)
                            .where(where)).scalar_one()
    rows = session.execute(select(Transformation.id, Partner.name,
                                  at_slaughterhouse.label("ok"))
                           .join(Partner, Partner.id == Transformation.partner_id).where(where)
                           .order_by(at_slaughterhouse, Transformation.occurred_at.desc(),
                                     Transformation.id).limit(cap)).all()
    return Measure(numerator=round(int(central) / factor, 3),
                   denominator=round(int(total) / factor, 3), record_count=count,
                   records=[Record("transformation", str(r.id), f"#{r.id} · {r.name}",
                                   bool(r.ok)) for r in rows])
