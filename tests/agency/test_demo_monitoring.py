"""The demo's monitoring: plans, a dozen passing samples and exactly one failing sample, whose
case Cần Thơ (where it was found) and Tây Ninh (where the limes were grown) both see."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry import cases, demo, events, indicators, notifications
from registry.actors import Actor
from registry.models import Recall, ResidueLimit, Role, Sample, SamplingPlan, Verdict


def agency(province: str) -> Actor:
    return Actor(username=f"agency-{province}", role=Role.AGENCY, provinces=frozenset({province}))


def test_the_demo_has_one_failing_sample_and_a_case_shared_by_both_provinces(
        session: Session) -> None:
    summary = demo.load(session)
    session.flush()
    verdicts = dict(session.execute(select(Sample.verdict, func.count())
                                    .group_by(Sample.verdict)).all())
    assert verdicts == {Verdict.PASS: 12, Verdict.FAIL: 1}
    failing = session.execute(select(Sample).where(Sample.verdict == Verdict.FAIL)).scalar_one()
    assert failing.partner.name == "Siêu thị Xanh Ninh Kiều" and failing.case_id is not None
    assert failing.lot.product.name_vi == "Chanh không hạt hộp 1 kg"
    for province in ("92", "80"):
        listed = cases.list_cases(session, agency(province), cases.CaseQuery())
        assert [(c.id, c.status.value) for c in listed.items] == [(failing.case_id, "open")]
        inbox = notifications.inbox(session, agency(province),
                                    notifications.InboxQuery(kind="case"))
        assert [i.subject_id for i in inbox.items] == [str(failing.case_id)]
    assert cases.list_cases(session, agency("22"), cases.CaseQuery()).total == 0
    assert session.execute(select(func.count()).select_from(Recall)).scalar_one() == 0
    limits = session.execute(select(ResidueLimit.source).where(
        ResidueLimit.banned.is_(False))).scalars().all()
    assert limits and all("minh họa" in source for source in limits)
    plans = {p.province_code: p.planned for p in session.execute(select(SamplingPlan)).scalars()
             if p.name.startswith("Kế hoạch 74")}
    assert plans == {"22": 500}
    assert "case #" in summary and "no recall" in summary


def test_the_demo_feeds_the_indicators(session: Session) -> None:
    demo.load(session)
    session.flush()
    failing = session.execute(select(Sample).where(Sample.verdict == Verdict.FAIL)).scalar_one()
    year = failing.taken_at.astimezone(events.VN_TZ).year
    rows = {r.key: r for r in indicators.report(session, agency("92"), indicators.IndicatorQuery(
        province_code="92", year=year)).indicators}
    assert rows["violation_rate"].numerator == 1 and rows["samples_vs_plan"].denominator
    tay_ninh = {r.key: r for r in indicators.report(
        session, agency("80"), indicators.IndicatorQuery(province_code="80", year=year)
    ).indicators}
    assert tay_ninh["safe_chains"].denominator == 3 and tay_ninh["gap_area"].numerator > 0
