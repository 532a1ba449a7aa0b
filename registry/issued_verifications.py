"""Issued verifications: when the registry prints a verification (PDF), it stores what it said
and signs it with HMAC-SHA256 under the application's secret key. Anyone holding the document
checks it at `GET /api/v1/verifications/{id}`: a supplier cannot forge a verdict, and an edit of
the stored row no longer matches its signature."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from registry import audit
from registry.actors import Actor
from registry.errors import FieldError, NotFound
from registry.models import IssuedVerification, utcnow

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as lot codes


class IssuedOut(BaseModel):
    """A stored verification, and whether its signature (and a presented one) checks out."""

    id: str
    subject_type: Literal["partner", "lot"]
    subject_ref: str
    for_partner_id: int | None
    verdict: str
    reasons: list[dict[str, Any]]
    issued_at: datetime
    issued_by: str
    signature: str
    intact: bool
    presented_signature_matches: bool | None


def new_id() -> str:
    """A verification id: `XM-` and 12 Crockford base32 characters (60 bits)."""
    return "XM-" + "".join(secrets.choice(_ALPHABET) for _ in range(12))


def signed_text(record: IssuedVerification) -> str:
    """The exact text the signature covers: id, subject, verdict, every reason (canonical
    JSON), the time and the issuer."""
    return "\x1f".join([record.id, record.subject_type, record.subject_ref,
                        str(record.for_partner_id or ""), record.verdict,
                        audit.canonical(record.reasons),
                        record.issued_at.isoformat(timespec="seconds"), record.issued_by])


def sign(record: IssuedVerification, secret: str) -> str:
    """HMAC-SHA256 of the signed text under `secret`, hex."""
    return hmac.new(secret.encode("utf-8"), signed_text(record).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def issue(session: Session, actor: Actor, *, subject_type: Literal["partner", "lot"],
          subject_ref: str, verdict: str, reasons: list[dict[str, Any]], secret: str,
          for_partner_id: int | None = None) -> IssuedVerification:
    """Store and sign a verification the registry is about to print."""
    record = IssuedVerification(
        id=new_id(), subject_type=subject_type, subject_ref=subject_ref,
        for_partner_id=for_partner_id, verdict=verdict, reasons=reasons,
        issued_at=utcnow().replace(microsecond=0), issued_by=actor.username)
    record.signature = sign(record, secret)
    session.add(record)
    session.flush()
    audit.append(session, actor, "issue_verification", "verification", record.id,
                 {"subject_type": subject_type, "subject_ref": subject_ref, "verdict": verdict,
                  "signature": record.signature})
    return record


def check(session: Session, verification_id: str, secret: str,
          presented: str | None = None) -> IssuedOut:
    """A stored verification; `intact` when its signature still matches what is stored, and
    `presented_signature_matches` when a signature read off a document was given."""
    record = session.get(IssuedVerification, verification_id.strip().upper())
    if record is None:
        raise NotFound(f"no verification {verification_id!r} was issued by this registry",
                       errors=[FieldError("id", "not issued by this registry")])
    expected = sign(record, secret)
    intact = hmac.compare_digest(expected, record.signature)
    matches = None
    if presented is not None:
        matches = intact and hmac.compare_digest(presented.strip().lower(), expected)
    return IssuedOut(
        id=record.id, subject_type=record.subject_type,
        subject_ref=record.subject_ref, for_partner_id=record.for_partner_id,
        verdict=record.verdict, reasons=record.reasons, issued_at=record.issued_at,
        issued_by=record.issued_by, signature=record.signature, intact=intact,
        presented_signature_matches=matches)
