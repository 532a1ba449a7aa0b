"""The demo's monitoring step (registry.demo.load runs it last): example limits, sampling plans
(Quảng Ninh's 500 samples of 2025, and this year's in Quảng Ninh, Cần Thơ and Tây Ninh), a dozen
passing samples and ONE failing sample, whose case Cần Thơ and Tây Ninh share. No recall is
ordered: that is left for the user to try."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from registry import events
from registry import monitoring as samples
from registry.actors import SYSTEM, Actor
from registry.models import Role

if TYPE_CHECKING:
    from registry.demo import DemoRegistry


def _at(days_ago: int, hour: int) -> datetime:
    return datetime.combine(date.today() - timedelta(days=days_ago), time(hour),
                            tzinfo=events.VN_TZ)


ILLUSTRATIVE = ("Giá trị minh họa cho bản demo, không phải căn cứ pháp lý (example value, not "
                "legal advice); giới hạn thật: Thông tư 50/2016/TT-BYT, QCVN 8-2:2011/BYT")
DEMO_LIMITS = [("Chlorpyrifos", None, 0.5), ("Cypermethrin", "fruit", 0.2),
               ("Cypermethrin", "tea_coffee", 15.0), ("Cadmium (Cd)", "seafood", 2.0),
               ("Chì (Pb)", "seafood", 1.5)]
"""(analyte, product category or None for any, maximum in mg/kg): illustrative values."""


def monitoring(session: Session, demo: DemoRegistry) -> None:
    """Example limits, sampling plans, a dozen passing samples and ONE failing sample:
    chlorpyrifos above the limit on the lime boxes at the Cần Thơ supermarket, which opens a
    case shared with Tây Ninh (where the limes were grown). No recall is ordered."""
    p, lot = demo.partners, demo.lots
    for analyte, category, limit in DEMO_LIMITS:
        samples.add_limit(session, SYSTEM, samples.LimitIn.model_validate(
            {"analyte": analyte, "category": category, "limit_value": limit, "unit": "mg/kg",
             "source": ILLUSTRATIVE}))
    agencies = {code: Actor(username=name, role=Role.AGENCY, provinces=frozenset({code}))
                for code, name in (("80", "tayninh"), ("92", "cantho"), ("22", "quangninh"))}
    year = date.today().year
    plans: dict[str, int] = {}
    if year != 2025:
        samples.create_plan(session, agencies["22"], samples.PlanIn(
            name="Kế hoạch 74/KH-UBND: giám sát ATTP nông lâm thủy sản năm 2025",
            province_code="22", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31),
            planned=500))
    for code, planned, name in (("22", 500, "Quảng Ninh"), ("92", 300, "Cần Thơ"),
                                ("80", 400, "Tây Ninh")):
        plans[code] = samples.create_plan(session, agencies[code], samples.PlanIn(
            name=f"Kế hoạch giám sát ATTP nông lâm thủy sản năm {year} ({name})",
            province_code=code, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
            planned=planned)).id

    def sample(key: str, where: str, results: list[dict[str, Any]], days: int) -> Any:
        place = p[where]
        code = place.province_code_current
        return samples.record_sample(session, agencies[code], samples.SampleIn.model_validate(
            {"lot_code": lot[key], "partner_id": place.id, "taken_at": _at(days, 9),
             "lab": "Trung tâm Kiểm nghiệm (demo)", "plan_id": plans[code], "results": results}))

    Results = list[dict[str, Any]]
    residue: Results = [{"analyte": "Chlorpyrifos", "value": "ND", "unit": "mg/kg"},
                        {"analyte": "Cypermethrin", "value": 0.02, "unit": "mg/kg"}]
    metals: Results = [{"analyte": "Cadmium (Cd)", "value": 0.31, "unit": "mg/kg"},
                       {"analyte": "Chì (Pb)", "value": "ND", "unit": "mg/kg"}]
    tea: Results = [{"analyte": "Cypermethrin", "value": 0.4, "unit": "mg/kg"}]
    tea_box: Results = [{**tea[0], "limit": 15.0, "limit_source": ILLUSTRATIVE}]
    chlorpyrifos: Results = [{"analyte": "Chlorpyrifos", "value": 0.05, "unit": "mg/kg"}]
    passing: list[tuple[str, str, Results, int]] = [
        ("lime", "htx_lime", residue, 8), ("lime", "packer", residue, 7),
        ("lime_tuan", "collector", residue, 7), ("lime_tuan", "market_cr", residue, 6),
        ("dragon", "htx_dragon", residue, 7), ("dragon_box", "distributor", chlorpyrifos, 4),
        ("dragon_box", "shop_cr", chlorpyrifos, 3), ("lime_box", "distributor", chlorpyrifos, 4),
        ("oyster", "htx_oyster", metals, 1), ("oyster", "shop_hl", metals, 1),
        ("tea_leaf", "htx_tea", tea, 18), ("tea", "shop_hl", tea_box, 8)]
    for key, where, results, days in passing:
        sample(key, where, results, days)
    failing = sample("lime_box", "shop_nk", [
        {"analyte": "Chlorpyrifos", "value": 0.9, "unit": "mg/kg", "method": "GC-MS/MS"},
        {"analyte": "Cypermethrin", "value": 0.03, "unit": "mg/kg", "limit": 0.2,
         "limit_source": ILLUSTRATIVE}], 2)
    demo.notes.append(f"monitoring: 13 samples, 1 failing (chlorpyrifos on lime boxes at "
                      f"{p['shop_nk'].name}) opened case #{failing.case_id}, shared with Tây Ninh; "
                      f"limits are illustrative; no recall ordered")
