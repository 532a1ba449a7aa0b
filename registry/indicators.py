"""The plans' indicators per province and year (VIETNAM.md section 11; issue 6): each row shows
its numerator, denominator, value, target, whether it is met, its legal or plan basis, and the
records behind the number. Targets live in the `indicator_target` table (seeded by migration
0005, edited by admins), since the plans' figures are [U]/[S] facts, not rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit, places
from registry import indicator_measures as measures
from registry.actors import Actor
from registry.errors import FieldError, Invalid, NotFound
from registry.models import IndicatorTarget, Role, utcnow

Kind = Literal["share", "count", "growth", "reduction"]
KINDS: dict[str, tuple[Kind, str]] = {
    "establishments_certified": ("share", "establishments"),
    "qr_traceable": ("share", "products"),
    "samples_vs_plan": ("share", "samples"),
    "violation_rate": ("reduction", "samples"),
    "safe_chains": ("count", "chains"),
    "international_chains": ("count", "chains"),
    "gap_area": ("growth", "ha"),
    "food_safety_systems": ("growth", "establishments"),
    "ocop_food_safety": ("share", "products"),
    "centralised_slaughter": ("share", "head"),
}
"""How each indicator compares with its target, and what it counts."""
RECORD_CAP = 50
EPSILON = 1e-9


class IndicatorQuery(BaseModel):
    """Which province and year; optional overrides of the targets' parameters."""

    model_config = ConfigDict(extra="forbid")

    province_code: str = Field(pattern=r"^\d{2}$", description="current (2025) province code")
    year: int = Field(ge=2000, le=2100)
    as_of: date | None = Field(default=None, description="reference day; default 31 December "
                                                          "of the year, or today if earlier")
    violation_mode: Literal["relative", "points"] | None = Field(
        default=None, description="reduction of the violation rate: relative (default) or "
                                  "percentage points")
    slaughter_unit: Literal["head", "kg"] | None = None
    cap: int = Field(default=RECORD_CAP, ge=1, le=1000, description="records listed per row")


class RecordOut(BaseModel):
    """A record behind a number: type, key in its own path, label, counts towards the target."""

    type: str
    key: str
    label: str
    ok: bool | None


class PreviousOut(BaseModel):
    """The same indicator a year earlier (for the comparisons)."""

    as_of: date
    numerator: float
    denominator: float | None
    value: float | None


class IndicatorRow(BaseModel):
    """One indicator: its figures against its target."""

    key: str
    name_vi: str
    name_en: str
    kind: Kind
    unit: str
    numerator: float
    denominator: float | None
    value: float | None
    target: float
    threshold: float | None = Field(description="the value to reach (share, count) or the "
                                                "limit to stay under (reduction)")
    met: bool | None = Field(description="None when there is nothing to compare yet")
    basis: str
    confidence: str
    params: dict[str, Any]
    previous: PreviousOut | None
    note: str | None
    records: list[RecordOut]
    record_count: int


class IndicatorReport(BaseModel):
    """The indicators of one province and year."""

    province_code: str
    province_name: str
    includes: list[str] = Field(description="pre-2025 provinces whose records count here")
    year: int
    as_of: date
    generated_at: datetime
    indicators: list[IndicatorRow]


class TargetIn(BaseModel):
    """A change to an indicator's target (admins); a province code makes an override."""

    model_config = ConfigDict(extra="forbid")

    target: float = Field(ge=0, le=1_000_000)
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    basis: str | None = Field(default=None, min_length=3, max_length=4000)
    confidence: Literal["C", "S", "U"] | None = None
    params: dict[str, Any] | None = None
    name_vi: str | None = Field(default=None, min_length=3, max_length=200)
    name_en: str | None = Field(default=None, min_length=3, max_length=200)


class TargetOut(BaseModel):
    """An indicator's target as stored."""

    model_config = ConfigDict(from_attributes=True)

    key: str
    province_code: str | None
    name_vi: str
    name_en: str
    target: float
    params: dict[str, Any]
    basis: str
    confidence: str
    updated_by: str
    updated_at: datetime


def list_targets(session: Session) -> list[TargetOut]:
    """Every target row: the defaults, then provincial overrides."""
    rows = session.execute(select(IndicatorTarget).order_by(
        IndicatorTarget.position, IndicatorTarget.key,
        IndicatorTarget.province_code.is_not(None), IndicatorTarget.province_code)).scalars()
    return [TargetOut.model_validate(r) for r in rows]


def targets_for(session: Session, province_code: str) -> list[IndicatorTarget]:
    """The targets in force for a province: its overrides, else the defaults, in order."""
    rows = session.execute(select(IndicatorTarget).where(
        (IndicatorTarget.province_code == province_code)
        | IndicatorTarget.province_code.is_(None))).scalars().all()
    chosen: dict[str, IndicatorTarget] = {}
    for row in sorted(rows, key=lambda r: r.province_code is not None):
        chosen[row.key] = row
    return sorted(chosen.values(), key=lambda r: (r.position, r.key))


def set_target(session: Session, actor: Actor, key: str, data: TargetIn) -> IndicatorTarget:
    """Change a target (and its basis); with a province code, create or change its override."""
    actor.ensure_role(Role.ADMIN)
    default = session.execute(select(IndicatorTarget).where(
        IndicatorTarget.key == key, IndicatorTarget.province_code.is_(None))).scalar()
    if default is None:
        raise NotFound(f"no indicator {key!r}", errors=[FieldError("key", "unknown indicator")])
    if data.province_code is not None and places.province(
            places.AdmScheme.VN2025, data.province_code) is None:
        raise Invalid.field("province_code", f"{data.province_code!r} is not a current province")
    row = default
    if data.province_code is not None:
        row = session.execute(select(IndicatorTarget).where(
            IndicatorTarget.key == key,
            IndicatorTarget.province_code == data.province_code)).scalar() or IndicatorTarget(
            key=key, province_code=data.province_code, name_vi=default.name_vi,
            name_en=default.name_en, params=dict(default.params), basis=default.basis,
            confidence=default.confidence, position=default.position, target=default.target)
        session.add(row)
    row.target = data.target
    for name in ("basis", "confidence", "params", "name_vi", "name_en"):
        if getattr(data, name) is not None:
            setattr(row, name, getattr(data, name))
    row.updated_by, row.updated_at = actor.username, utcnow()
    session.flush()
    audit.append(session, actor, "set_indicator_target", "indicator_target", row.id,
                 {"key": key, **data.model_dump(mode="json")})
    return row


def reference_day(year: int, as_of: date | None, today: date | None = None) -> date:
    """31 December of the year, or the report day when the year is not over."""
    last = date(year, 12, 31)
    if as_of is not None:
        return min(as_of, last)
    return min(last, today or date.today())


def _row(target: IndicatorTarget, kind: Kind, unit: str, now: measures.Measure,
         before: measures.Measure | None, before_day: date | None,
         params: dict[str, Any]) -> IndicatorRow:
    value: float | None
    threshold: float | None
    met: bool | None
    previous = None
    if kind == "share":
        value = now.numerator / now.denominator if now.denominator else None
        threshold = target.target
        met = None if value is None else value + EPSILON >= target.target
    elif kind == "count":
        value, threshold = now.numerator, target.target
        met = now.numerator + EPSILON >= target.target
    else:
        assert before is not None and before_day is not None
        if kind == "growth":
            value = (now.numerator / before.numerator - 1) if before.numerator else None
            threshold = before.numerator * (1 + target.target)
            met = (now.numerator + EPSILON >= threshold) if before.numerator else (
                True if now.numerator > 0 else None)
            previous = PreviousOut(as_of=before_day, numerator=before.numerator,
                                   denominator=None, value=None)
        else:
            value = now.numerator / now.denominator if now.denominator else None
            was = before.numerator / before.denominator if before.denominator else None
            previous = PreviousOut(as_of=before_day, numerator=before.numerator,
                                   denominator=before.denominator, value=was)
            if was is None:
                threshold = None
            elif params.get("mode") == "points":
                threshold = max(0.0, was - target.target)
            else:
                threshold = was * (1 - target.target)
            met = None if value is None or threshold is None else value <= threshold + EPSILON
    return IndicatorRow(
        key=target.key, name_vi=target.name_vi, name_en=target.name_en, kind=kind, unit=unit,
        numerator=now.numerator, denominator=now.denominator,
        value=None if value is None else round(value, 6), target=target.target,
        threshold=None if threshold is None else round(threshold, 6), met=met,
        basis=target.basis, confidence=target.confidence, params=params, previous=previous,
        note=now.note, record_count=now.record_count,
        records=[RecordOut(type=r.type, key=r.key, label=r.label, ok=r.ok) for r in now.records])


def report(session: Session, actor: Actor, query: IndicatorQuery,
           today: date | None = None) -> IndicatorReport:
    """Compute every indicator of a current province for a year (agencies and admins)."""
    actor.ensure_role(Role.AGENCY)
    province = places.province(places.AdmScheme.VN2025, query.province_code)
    if province is None:
        raise Invalid.field("province_code", f"{query.province_code!r} is not a current "
                            "(2025) province code")
    code, year, cap = province.code, query.year, query.cap
    day = reference_day(year, query.as_of, today)
    last_year = date(year - 1, 12, 31)
    chains_now: tuple[measures.Measure, measures.Measure] | None = None
    rows = []
    for target in targets_for(session, code):
        if target.key not in KINDS:
            continue
        kind, unit = KINDS[target.key]
        params = dict(target.params or {})
        schemes = list(params.get("schemes") or [])
        before: measures.Measure | None = None
        key = target.key
        if key == "establishments_certified":
            now = measures.establishments_certified(session, code, day, schemes, cap)
        elif key == "qr_traceable":
            now = measures.qr_traceable(session, code, year, day,
                                        params.get("category", "processed_prepackaged"), cap)
        elif key == "samples_vs_plan":
            now = measures.samples_vs_plan(session, code, year, day, cap)
        elif key == "violation_rate":
            params["mode"] = query.violation_mode or params.get("mode", "relative")
            now = measures.violations(session, code, year, day, cap)
            before = measures.violations(session, code, year - 1, last_year, cap)
        elif key in ("safe_chains", "international_chains"):
            chains_now = chains_now or measures.safe_chains(session, code, day, cap)
            now = chains_now[0] if key == "safe_chains" else chains_now[1]
        elif key == "gap_area":
            now = measures.gap_area(session, code, day, schemes, cap)
            before = measures.gap_area(session, code, last_year, schemes, cap)
        elif key == "food_safety_systems":
            now = measures.system_certified(session, code, day, schemes, cap)
            before = measures.system_certified(session, code, last_year, schemes, cap)
        elif key == "ocop_food_safety":
            now = measures.ocop_food_safety(session, code, day, schemes, cap)
        else:
            params["unit"] = query.slaughter_unit or params.get("unit", "head")
            unit = params["unit"]
            now = measures.slaughter(session, code, year, day, unit, cap)
        rows.append(_row(target, kind, unit, now, before, last_year if before else None, params))
    return IndicatorReport(
        province_code=code, province_name=province.name,
        includes=[p.name for p in places.legacy_sources(code)], year=year, as_of=day,
        generated_at=utcnow(), indicators=rows)


def shown(row: IndicatorRow, value: float | None) -> str:
    """A figure of the row as people read it: 40,0 % for shares and rates, +5,0 % for growth,
    a plain number for counts and quantities."""
    if value is None:
        return "—"
    if row.kind in ("share", "reduction"):
        return f"{value * 100:.1f} %".replace(".", ",")
    if row.kind == "growth":
        return f"{value * 100:+.1f} %".replace(".", ",")
    return f"{value:g}".replace(".", ",")


def bar(row: IndicatorRow) -> tuple[float, float | None]:
    """The row as a bar chart: the bar's length and the target mark's place, both 0..1."""
    if row.kind == "share":
        return min(1.0, row.value or 0.0), min(1.0, row.target)
    if row.kind == "reduction":
        value, limit = row.value or 0.0, row.threshold
        scale = max(value, limit or 0.0) * 1.25 or 1.0
        return value / scale, None if limit is None else limit / scale
    limit = row.threshold if row.kind == "growth" else row.target
    scale = max(row.numerator, limit or 0.0) * 1.1 or 1.0
    return row.numerator / scale, None if limit is None else limit / scale


def target_text(row: IndicatorRow, lang: str = "vi") -> str:
    """The target in words: ≥ 85,0 %; ≥ 3; +10,0 % vs the previous year; ≤ 18,0 %."""
    vi = lang == "vi"
    if row.kind == "share":
        return f"≥ {shown(row, row.target)}"
    if row.kind == "count":
        return f"≥ {row.target:g}"
    if row.kind == "growth":
        base = "so với năm trước" if vi else "on the previous year"
        limit = "" if row.threshold is None else f" (≥ {row.threshold:g})".replace(".", ",")
        return f"+{row.target * 100:.1f} % {base}{limit}".replace(".", ",", 1)
    points = row.params.get("mode") == "points"
    amount = (f"{row.target * 100:.1f} " + ("điểm %" if vi else "points")) if points else \
        f"{row.target * 100:.1f} %"
    base = "giảm" if vi else "down"
    limit = "" if row.threshold is None else f" (≤ {shown(row, row.threshold)})"
    return f"{base} {amount.replace('.', ',')}{limit}"
