"""The plans' indicators on hand-built data: each formula, the previous-year comparisons, and
old Long An (and old Tây Ninh) records counting for today's Tây Ninh."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from registry import indicators, lots, monitoring, qr_issues, transformations
from registry.actors import SYSTEM
from registry.models import Partner, Product, Sample, Verdict
from tests import factories

VN = "+07:00"


def report(session: Session, year: int = 2026, province: str = "80", **extra: Any) -> dict[
        str, indicators.IndicatorRow]:
    query = indicators.IndicatorQuery(province_code=province, year=year,
                                      as_of=extra.pop("as_of", date(year, 11, 27)), **extra)
    return {row.key: row for row in indicators.report(session, SYSTEM, query).indicators}


def old_long_an(session: Session, kind: str = "packing_house") -> Partner:
    """A partner recorded with the pre-2025 Long An code (80 then, Tây Ninh now)."""
    return factories.partner(session, kind=kind, scheme="vn2004")


def test_establishments_with_a_valid_certificate_or_commitment_old_units_included(
        session: Session) -> None:
    long_an = old_long_an(session)
    old_tay_ninh = factories.partner(session, kind="retailer", province="72", scheme="vn2004")
    new = factories.partner(session, kind="collector")
    lapsed = factories.partner(session, kind="processor")
    factories.partner(session, kind="agency")  # agencies are not establishments
    factories.partner(session, kind="retailer", province="82", scheme="vn2004")  # Tiền Giang
    factories.certification(session, "partner", long_an.id, "food_safety_certificate",
                            issued_on=date(2024, 3, 1), valid_until=date(2027, 2, 28))
    factories.certification(session, "partner", new.id, "food_safety_commitment",
                            issued_on=date(2025, 8, 1), valid_until=None)
    factories.certification(session, "partner", lapsed.id, "food_safety_certificate",
                            issued_on=date(2022, 1, 1), valid_until=date(2025, 1, 1))
    factories.certification(session, "partner", old_tay_ninh.id, "vietgap")  # not food safety
    row = report(session)["establishments_certified"]
    assert (row.numerator, row.denominator, row.value) == (2, 4, 0.5)
    assert row.met is False and row.target == 1.0 and "1384" in row.basis
    assert {r.key for r in row.records} == {str(p.id) for p in (long_an, old_tay_ninh, new,
                                                                 lapsed)}
    assert [r.ok for r in row.records] == [False, False, True, True]  # failing first
    in_2024 = report(session, 2024, as_of=None)["establishments_certified"]
    assert (in_2024.numerator, in_2024.denominator) == (2, 4)  # long_an and lapsed, 31 Dec 2024


def _lot(session: Session, product: Product, partner: Partner, day: date, quantity: str = "10",
         unit: str = "kg") -> Any:
    return lots.harvest(session, SYSTEM, lots.LotIn(
        product_id=product.id, partner_id=partner.id, quantity=quantity, unit=unit,
        produced_on=day, origin={"partner_id": partner.id}))


def test_processed_products_with_an_issued_qr_in_the_year(session: Session) -> None:
    packer = old_long_an(session)
    boxed = factories.product(session, owner=packer, category="processed_prepackaged")
    idle = factories.product(session, owner=packer, category="processed_prepackaged")
    factories.product(session, owner=packer, category="fruit")  # not pre-packaged
    elsewhere = factories.product(session, owner=factories.partner(session, province="92"),
                                  category="processed_prepackaged")
    boxed_lot = _lot(session, boxed, packer, date(2026, 5, 2))
    _lot(session, elsewhere, elsewhere.owner, date(2026, 5, 2))
    old_lot = _lot(session, idle, packer, date(2025, 5, 2))  # a lot, but in another year
    idle.created_at = datetime.fromisoformat(f"2025-01-02T08:00{VN}")  # registered back then
    qr_issues.record_image(session, SYSTEM, old_lot, "png", "https://x.test/l/old")
    assert report(session)["qr_traceable"].numerator == 0  # a lot with no code issued: not yet
    qr_issues.record_image(session, SYSTEM, boxed_lot, "svg", "https://x.test/l/boxed")
    row = report(session)["qr_traceable"]
    assert (row.numerator, row.denominator, row.value, row.met) == (1, 2, 0.5, False)
    assert {(r.key, r.ok) for r in row.records} == {(str(boxed.id), True), (str(idle.id), False)}


def _samples(session: Session, lot: Any, partner: Partner, year: int,
             verdicts: list[Verdict]) -> None:
    session.add_all([Sample(lot_id=lot.id, partner_id=partner.id, province_code="80",
                            taken_at=datetime.fromisoformat(f"{year}-06-{i + 1:02d}T09:00{VN}"),
                            lab="lab", verdict=v, taken_by="test") for i, v in enumerate(verdicts)])
    session.flush()


@pytest.fixture
def sampled(session: Session) -> tuple[Any, Partner]:
    farm = old_long_an(session, "cooperative")
    return _lot(session, factories.product(session, owner=farm), farm, date(2025, 5, 1)), farm


def test_the_violation_rate_against_the_previous_year_relative_or_in_points(
        session: Session, sampled: tuple[Any, Partner]) -> None:
    lot, farm = sampled
    _samples(session, lot, farm, 2025, [Verdict.FAIL] * 2 + [Verdict.PASS] * 8)
    _samples(session, lot, farm, 2026, [Verdict.FAIL] + [Verdict.PASS] * 5
             + [Verdict.PENDING_CONFIRMATION])
    row = report(session)["violation_rate"]
    assert (row.numerator, row.denominator) == (1, 6)  # pending confirmation is not final
    assert row.previous is not None and row.previous.value == 0.2
    assert row.threshold == pytest.approx(0.18) and row.met is True  # 16.7 % <= 20 % x 0.9
    points = report(session, violation_mode="points")["violation_rate"]
    assert points.threshold == pytest.approx(0.10) and points.met is False
    assert points.params["mode"] == "points"
    assert [r.ok for r in row.records] == [False]


def test_samples_taken_against_the_plans_of_the_year(session: Session,
                                                     sampled: tuple[Any, Partner]) -> None:
    lot, farm = sampled
    for name, code, start, end, planned in [("2026", "80", "2026-01-01", "2026-12-31", 400),
                                            ("two years", "80", "2025-01-01", "2026-12-31", 200),
                                            ("old Tây Ninh", "72", "2026-01-01", "2026-06-30", 8),
                                            ("Cần Thơ", "92", "2026-01-01", "2026-12-31", 300)]:
        monitoring.create_plan(session, SYSTEM, monitoring.PlanIn(
            name=name, province_code=code, starts_on=start, ends_on=end, planned=planned))
    _samples(session, lot, farm, 2026, [Verdict.PASS] * 4)
    row = report(session)["samples_vs_plan"]
    assert (row.numerator, row.denominator) == (4, 508)  # 400 + 200 x 365/730 + 8
    assert row.record_count == 3 and row.met is False


def test_gap_area_and_food_safety_systems_grow_on_the_previous_year(session: Session) -> None:
    farm = old_long_an(session, "cooperative")
    steady = factories.growing_area(session, holder=farm, area_ha=10.0)
    new = factories.growing_area(session, holder=farm, area_ha=5.0)
    expired = factories.growing_area(session, holder=farm, area_ha=7.0)
    factories.certification(session, "growing_area", steady.code, "vietgap")
    factories.certification(session, "growing_area", new.code, "globalgap",
                            issued_on=date(2026, 3, 1))
    factories.certification(session, "growing_area", expired.code, "vietgap",
                            issued_on=date(2023, 1, 1), valid_until=date(2025, 6, 30))
    gap = report(session)["gap_area"]
    assert (gap.numerator, gap.previous.numerator if gap.previous else None) == (15.0, 10.0)
    assert gap.value == pytest.approx(0.5) and gap.threshold == pytest.approx(11.0) and gap.met
    assert {r.key for r in gap.records} == {steady.code, new.code}
    plant = old_long_an(session, "processor")
    other = factories.partner(session, kind="slaughterhouse")
    factories.certification(session, "partner", plant.id, "haccp")
    factories.certification(session, "partner", other.id, "iso22000", issued_on=date(2026, 2, 1))
    systems = report(session)["food_safety_systems"]
    assert (systems.numerator, systems.previous.numerator if systems.previous else None) == (2, 1)
    assert systems.met is True and systems.value == pytest.approx(1.0)


def test_ocop_products_need_a_valid_rating_and_a_certified_owner(session: Session) -> None:
    certified, uncertified = old_long_an(session, "cooperative"), factories.partner(session)
    factories.certification(session, "partner", certified.id, "food_safety_certificate")
    rating = {"stars": 4, "certificate_no": "OCOP-1", "issued_on": date(2025, 1, 1),
              "valid_until": date(2027, 12, 31)}
    good = factories.product(session, owner=certified, ocop=rating)
    factories.product(session, owner=uncertified, ocop={**rating, "certificate_no": "OCOP-2"})
    factories.product(session, owner=certified, ocop={**rating, "certificate_no": "OCOP-3",
                                                      "valid_until": date(2026, 1, 31)})
    factories.product(session, owner=certified)  # no OCOP rating
    row = report(session)["ocop_food_safety"]
    assert (row.numerator, row.denominator, row.met) == (1, 3, False)
    assert [r.key for r in row.records if r.ok] == [str(good.id)]


def test_centralised_slaughter_in_heads_or_kg(session: Session) -> None:
    house = old_long_an(session, "slaughterhouse")
    farm = factories.partner(session, kind="producer")
    pigs = factories.product(session, owner=farm, category="livestock")
    pork = factories.product(session, owner=house, category="meat")
    for partner, heads, kg in ((house, "8", "800"), (farm, "2", "150")):
        live = _lot(session, pigs, partner, date(2026, 4, 1), heads, "head")
        weighed = _lot(session, pigs, partner, date(2026, 4, 1), kg, "kg")
        transformations.transform(session, SYSTEM, transformations.TransformationIn(
            partner_id=partner.id, kind="slaughter", occurred_at=f"2026-04-02T05:00:00{VN}",
            inputs=[{"lot_code": live.lot_code, "quantity": heads, "unit": "head"},
                    {"lot_code": weighed.lot_code, "quantity": kg, "unit": "kg"}],
            outputs=[{"product_id": pork.id, "quantity": "100", "unit": "kg"}]))
    heads = report(session)["centralised_slaughter"]
    assert (heads.numerator, heads.denominator, heads.value, heads.met) == (8, 10, 0.8, True)
    assert heads.unit == "head" and [r.ok for r in heads.records] == [False, True]
    kg = report(session, slaughter_unit="kg")["centralised_slaughter"]
    assert (kg.numerator, kg.denominator, kg.unit) == (800, 950, "kg")


def test_the_reference_day_is_the_end_of_the_year_or_the_report_day() -> None:
    assert indicators.reference_day(2025, None, today=date(2026, 3, 1)) == date(2025, 12, 31)
    assert indicators.reference_day(2026, None, today=date(2026, 3, 1)) == date(2026, 3, 1)
    assert indicators.reference_day(2026, date(2026, 1, 31)) == date(2026, 1, 31)


def test_provincial_targets_override_the_defaults(session: Session) -> None:
    indicators.set_target(session, SYSTEM, "qr_traceable", indicators.TargetIn(
        target=0.9, province_code="22", basis="Kế hoạch 74/KH-UBND Quảng Ninh (ví dụ)"))
    assert report(session, province="22")["qr_traceable"].target == 0.9
    assert report(session, province="80")["qr_traceable"].target == 0.85
