"""The append-only audit log: every write, its actor and a SHA-256 chained to the previous entry.

`verify` recomputes the chain; an edited entry breaks its own hash, a removed one breaks the
link of the next, and a removed tail no longer matches the head row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.actors import Actor
from registry.models import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot audit a {type(value).__name__}")


def canonical(data: Any) -> str:
    """Data as canonical JSON (sorted keys, no spaces), the form that is hashed."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=_plain)


def entry_hash(seq: int, at: datetime, actor: str, action: str, subject_type: str,
               subject_id: str, data: str, prev_hash: str) -> str:
    """The SHA-256 of one entry's fields and the previous entry's hash."""
    fields = [str(seq), at.isoformat(), actor, action, subject_type, subject_id, data, prev_hash]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def record_fields(record: Any) -> dict[str, Any]:
    """A record's column values, for an entry's data."""
    return {c.key: getattr(record, c.key) for c in record.__table__.columns}


def append(session: Session, actor: Actor, action: str, subject_type: str,
           subject_id: object, data: Any = None) -> AuditEntry:
    """Append one entry; the head row is locked so concurrent writers chain in turn."""
    session.flush()  # ids of new records exist before they are named
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    at = utcnow()
    body = canonical(data if data is not None else {})
    seq = head.seq + 1
    digest = entry_hash(seq, at, actor.username, action, subject_type, str(subject_id), body,
                        head.hash)
    entry = AuditEntry(seq=seq, at=at, actor=actor.username, action=action,
                       subject_type=subject_type, subject_id=str(subject_id), data=body,
                       prev_hash=head.hash, hash=digest)
    session.add(entry)
    head.seq, head.hash = seq, digest
    session.flush()  # the chain is written now: a later expire_all cannot lose the head's move
    return entry


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking the chain: `bad_seq` names the first entry at fault."""

    ok: bool
    entries: int
    bad_seq: int | None = None
    reason: str | None = None


def verify(session: Session, batch: int = 5000) -> Verdict:
    """Recompute every hash and link in order; stop at the first fault."""
    expected_prev, expected_seq, count, last_seq = GENESIS, 1, 0, 0
    while True:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq).limit(batch)).scalars().all()
        for e in rows:
            if e.seq != expected_seq:
                return Verdict(False, count, expected_seq, f"entry {expected_seq} is missing")
            if e.prev_hash != expected_prev:
                return Verdict(False, count, e.seq, "its link to the previous entry is broken")
            digest = entry_hash(e.seq, e.at, e.actor, e.action, e.subject_type, e.subject_id,
                                e.data, e.prev_hash)
            if digest != e.hash:
                return Verdict(False, count, e.seq, "its content no longer matches its hash")
            expected_prev, expected_seq, count, last_seq = e.hash, e.seq + 1, count + 1, e.seq
        session.expunge_all()
        if len(rows) < batch:
            break
    head = session.get(AuditHead, 1)
    if head is None or head.seq != count or head.hash != expected_prev:
        return Verdict(False, count, count + 1,
                       "entries after it were removed (the head no longer matches)")
    return Verdict(True, count)
