"""Violation cases: opened by a failing sample (or by an agency), with a snapshot of the
backward and forward trace, shared with the agency of every origin province, and followed
through `open -> traced -> recall_ordered -> closed` with a timeline of who did what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from chains import snapshot
from registry import audit, lots, notifications
from registry.actors import Actor
from registry.errors import Conflict, FieldError, Forbidden, NotFound
from registry.models import (
    CaseAction,
    CaseAgency,
    CaseLot,
    CaseStatus,
    Role,
    Sample,
    ViolationCase,
    utcnow,
)
from registry.paging import Page, PageQuery, paginate

NEXT = {CaseStatus.OPEN: {CaseStatus.TRACED, CaseStatus.RECALL_ORDERED, CaseStatus.CLOSED},
        CaseStatus.TRACED: {CaseStatus.RECALL_ORDERED, CaseStatus.CLOSED},
        CaseStatus.RECALL_ORDERED: {CaseStatus.CLOSED},
        CaseStatus.CLOSED: set()}


class CaseIn(BaseModel):
    """A case an agency opens about some lots."""

    model_config = ConfigDict(extra="forbid")

    lot_codes: list[str] = Field(min_length=1, max_length=100)
    title: str = Field(min_length=3, max_length=300)


class CaseActionIn(BaseModel):
    """A note, an action taken, or a status change."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=2, max_length=4000)
    kind: str = Field(default="note", pattern=r"^(note|action)$")
    status: CaseStatus | None = None


class ActionOut(BaseModel):
    """A timeline entry."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    kind: str
    text: str


class CaseOut(BaseModel):
    """A case with its trace snapshot and timeline."""

    id: int
    title: str
    status: CaseStatus
    opened_at: datetime
    opened_by: str
    found_in_province: str
    origin_provinces: list[str]
    agencies: list[dict[str, str]]
    sample_id: int | None
    lot_codes: list[str]
    trace_snapshot: dict[str, Any]
    actions: list[ActionOut]
    closed_at: datetime | None


class CaseSummary(BaseModel):
    """A case in a list."""

    id: int
    title: str
    status: CaseStatus
    opened_at: datetime
    found_in_province: str
    origin_provinces: list[str]


class CaseQuery(PageQuery):
    """Filters of the case list."""

    status: CaseStatus | None = None
    province_code: str | None = None


def to_out(case: ViolationCase) -> CaseOut:
    """The API view of a case."""
    return CaseOut(
        id=case.id, title=case.title, status=case.status, opened_at=case.opened_at,
        opened_by=case.opened_by, found_in_province=case.found_in_province,
        origin_provinces=case.origin_provinces or [],
        agencies=[{"province_code": a.province_code, "role": a.role} for a in case.agencies],
        sample_id=case.sample_id, lot_codes=sorted(c.lot.lot_code for c in case.lots),
        trace_snapshot=case.trace_snapshot or {},
        actions=[ActionOut.model_validate(a) for a in case.actions], closed_at=case.closed_at)


def concerns(actor: Actor, case: ViolationCase) -> bool:
    """Whether the actor's agency is concerned by the case (admins: always)."""
    return actor.is_admin or (actor.is_agency and bool(
        actor.provinces & {a.province_code for a in case.agencies}))


def get(session: Session, actor: Actor, case_id: int) -> ViolationCase:
    """A case the actor is concerned by; NotFound or Forbidden otherwise."""
    case = session.get(ViolationCase, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist",
                       errors=[FieldError("id", f"no case {case_id}")])
    if not concerns(actor, case):
        raise Forbidden(f"case {case_id} does not concern your provinces")
    return case


def open_case(session: Session, actor: Actor, data: CaseIn, *, sample: Sample | None = None,
              found_in_province: str | None = None) -> ViolationCase:
    """Open a case: snapshot the traces and notify the finder's and origin provinces."""
    actor.ensure_role(Role.AGENCY)
    case_lots = [lots.get(session, code, f"lot_codes.{i}") for i, code in
                 enumerate(data.lot_codes)]
    ids = {lot.id for lot in case_lots}
    snap = snapshot.summarise(session, ids)
    snap["taken_at"] = utcnow().isoformat()
    finder = found_in_province or (sorted(actor.provinces)[0] if actor.provinces else
                                   case_lots[0].producer.province_code_current)
    origin_provinces = sorted({o["province_code_current"] for o in snap["origins"]})
    case = ViolationCase(title=data.title, status=CaseStatus.OPEN, opened_by=actor.username,
                         found_in_province=finder, origin_provinces=origin_provinces,
                         sample_id=sample.id if sample else None, trace_snapshot=snap)
    case.lots = [CaseLot(lot_id=i) for i in sorted(ids)]
    roles = {finder: "finder"}
    for code in origin_provinces:
        roles.setdefault(code, "origin")
    case.agencies = [CaseAgency(province_code=code, role=role) for code, role in roles.items()]
    case.actions = [CaseAction(actor=actor.username, kind="status",
                               text=f"opened: {data.title}" + (
                                   f" (sample {sample.id})" if sample else ""))]
    session.add(case)
    session.flush()
    notifications.notify(session, kind="case", subject_type="case", subject_id=case.id,
                         title=f"Vụ việc #{case.id}: {data.title}",
                         body=f"Truy xuất: {len(snap['origins'])} nguồn gốc, "
                              f"{snap['forward']['lot_count']} lô liên quan, "
                              f"{len(snap['forward']['recipients'])} cơ sở đã nhận hàng.",
                         provinces=roles)
    audit.append(session, actor, "open_case", "case", case.id, data.model_dump(mode="json"))
    return case


def add_action(session: Session, actor: Actor, case_id: int, data: CaseActionIn) -> ViolationCase:
    """Add a note or an action to the timeline, optionally moving the status on."""
    case = get(session, actor, case_id)
    if case.status is CaseStatus.CLOSED and data.status is None:
        raise Conflict(f"case {case.id} is closed")
    case.actions.append(CaseAction(actor=actor.username, kind=data.kind, text=data.text))
    if data.status is not None:
        move(case, actor, data.status)
    session.flush()
    audit.append(session, actor, "case_action", "case", case.id, data.model_dump(mode="json"))
    return case


def move(case: ViolationCase, actor: Actor, status: CaseStatus) -> None:
    """Change the case's status along its allowed transitions."""
    if status is case.status:
        return
    if status not in NEXT[case.status]:
        raise Conflict(f"case {case.id} is {case.status.value}; it cannot become {status.value}",
                       errors=[FieldError("status", f"not allowed from {case.status.value}")])
    case.actions.append(CaseAction(actor=actor.username, kind="status",
                                   text=f"{case.status.value} -> {status.value}"))
    case.status = status
    if status is CaseStatus.CLOSED:
        case.closed_at = utcnow()


def list_cases(session: Session, actor: Actor, query: CaseQuery) -> Page[CaseSummary]:
    """The cases concerning the actor's provinces (admins: all), newest first."""
    stmt = select(ViolationCase).order_by(ViolationCase.opened_at.desc(), ViolationCase.id.desc())
    if not actor.is_admin:
        if not actor.is_agency:
            raise Forbidden("cases are for agencies")
        stmt = stmt.where(ViolationCase.id.in_(select(CaseAgency.case_id).where(
            CaseAgency.province_code.in_(sorted(actor.provinces)))))
    if query.status is not None:
        stmt = stmt.where(ViolationCase.status == query.status)
    if query.province_code:
        stmt = stmt.where(ViolationCase.id.in_(select(CaseAgency.case_id).where(
            CaseAgency.province_code == query.province_code.zfill(2))))
    return paginate(session, stmt, query, lambda c: CaseSummary(
        id=c.id, title=c.title, status=c.status, opened_at=c.opened_at,
        found_in_province=c.found_in_province, origin_provinces=c.origin_provinces or []))
