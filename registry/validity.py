"""Validity is data (VIETNAM.md section 12): issued_on, valid_until and a dated status history.

A record is valid on day t when it was issued on or before t, has not expired by t, and the
latest status change effective on or before t (if any) left it active.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from registry.actors import Actor
from registry.errors import Conflict, Invalid
from registry.models import RecordStatus, StatusChange


class StatusChangeIn(BaseModel):
    """A suspension, revocation or reinstatement from a given day, with its reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: RecordStatus
    effective_on: date
    reason: str = Field(min_length=3, max_length=500)


class StatusChangeOut(BaseModel):
    """One entry of a record's status history."""

    model_config = ConfigDict(from_attributes=True)

    status: RecordStatus
    effective_on: date
    reason: str | None
    recorded_by: str


def status_on_clause(model: Any, subject_type: str, day: date) -> ColumnElement[bool]:
    """SQL: the record's latest status change effective by `day` (if any) is `active`."""
    latest = (select(StatusChange.status)
              .where(StatusChange.subject_type == subject_type,
                     StatusChange.subject_id == model.id,
                     StatusChange.effective_on <= day)
              .order_by(StatusChange.effective_on.desc(), StatusChange.id.desc())
              .limit(1).correlate(model).scalar_subquery())
    return or_(latest.is_(None), latest == RecordStatus.ACTIVE.value)


def valid_on_clause(model: Any, subject_type: str, day: date) -> ColumnElement[bool]:
    """SQL: issued by `day`, not expired on `day`, and active on `day`."""
    return and_(model.issued_on <= day,
                or_(model.valid_until.is_(None), model.valid_until >= day),
                status_on_clause(model, subject_type, day))


def history(session: Session, subject_type: str, subject_id: int) -> list[StatusChange]:
    """A record's status changes, oldest first."""
    return list(session.execute(
        select(StatusChange).where(StatusChange.subject_type == subject_type,
                                   StatusChange.subject_id == subject_id)
        .order_by(StatusChange.effective_on, StatusChange.id)).scalars())


def status_on(changes: list[StatusChange], day: date) -> RecordStatus:
    """The status in force on `day` given a record's history (oldest first)."""
    status = RecordStatus.ACTIVE
    for change in changes:
        if change.effective_on <= day:
            status = change.status
    return status


def is_valid_on(record: Any, changes: list[StatusChange], day: date) -> bool:
    """Whether an issued record was valid on `day`."""
    if record.issued_on > day or (record.valid_until is not None and record.valid_until < day):
        return False
    return status_on(changes, day) is RecordStatus.ACTIVE


def change_status(session: Session, actor: Actor, record: Any, subject_type: str,
                  change: StatusChangeIn) -> StatusChange:
    """Record a dated status change and update the record's current status."""
    if change.effective_on < record.issued_on:
        raise Invalid.field("effective_on", "is before the record was issued")
    if record.status is RecordStatus.REVOKED:
        raise Conflict("a revoked record cannot change status; issue a new one")
    entry = StatusChange(subject_type=subject_type, subject_id=record.id, status=change.status,
                         effective_on=change.effective_on, reason=change.reason,
                         recorded_by=actor.username)
    session.add(entry)
    session.flush()
    changes = history(session, subject_type, record.id)
    today = date.today()
    record.status = status_on(changes, today)
    in_force = [c for c in changes if c.effective_on <= today]
    if in_force:  # a change dated in the future takes effect on its day, not now
        record.status_since = in_force[-1].effective_on
        record.status_reason = in_force[-1].reason
    return entry


def not_before(earlier: str) -> Any:
    """A pydantic AfterValidator: this date may not come before the field `earlier`."""

    def check(value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get(earlier)
        if value is not None and start is not None and value < start:
            raise ValueError(f"is before {earlier} ({start.isoformat()})")
        return value

    return AfterValidator(check)
