"""Idempotency keys for API writes: a client that did not get an answer (a dropped mobile
connection at a packing house) sends the same write again with the same `Idempotency-Key`
and gets the first answer back instead of a second shipment.

The key is claimed inside the write's own transaction (a row without a response), so it
commits with the write or not at all: a write that was refused or never committed leaves no
key, and its retry runs again. Two requests with the same key at the same moment: the second
waits for the first (SQLite's write lock; PostgreSQL's unique index) and then finds its key.
The response is stored right after the commit; if the process dies in between, the retry is
told (409) that the write was recorded but its answer was not kept. Keys are per user and kept
for KEEP_DAYS.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.errors import Conflict, FieldError, Invalid
from registry.models import IdempotencyKey, utcnow

HEADER = "Idempotency-Key"
KEEP_DAYS = 7
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass(frozen=True)
class Stored:
    """The first response to a request with this key."""

    status: int
    content_type: str | None
    location: str | None
    body: str


def request_digest(method: str, path: str, query: bytes, body: bytes) -> str:
    """What makes two requests the same request."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _claim(session: Session, username: str, key: str, digest: str) -> IdempotencyKey | None:
    """The row of an earlier request with this key, or None after adding this request's row to
    the session's transaction (in a savepoint: when a parallel request commits the same key
    first, its row is returned instead). The user's keys past KEEP_DAYS are purged here."""
    now = utcnow()
    session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.username == username,
        IdempotencyKey.created_at < now - timedelta(days=KEEP_DAYS)))
    mine = select(IdempotencyKey).where(IdempotencyKey.username == username,
                                        IdempotencyKey.key == key)
    found = session.execute(mine).scalar_one_or_none()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            session.add(IdempotencyKey(username=username, key=key, request_sha256=digest,
                                       created_at=now))
        return None
    except IntegrityError:
        return session.execute(mine).scalar_one()


def claim(session: Session, username: str, key: str, digest: str) -> Stored | None:
    """The stored response of an earlier request with this key (the same request), or None
    after claiming the key in the session's transaction. Invalid for a malformed key; Conflict
    for a key used with another request, or whose answer is not (yet) kept."""
    if not _KEY.match(key):
        raise Invalid(f"{HEADER} is 1 to 200 visible ASCII characters",
                      errors=[FieldError(HEADER, "is 1 to 200 visible ASCII characters")])
    found = _claim(session, username, key, digest)
    if found is None:
        return None
    if found.request_sha256 != digest:
        raise Conflict(f"{HEADER} {key} was used with another request; use a new key",
                       errors=[FieldError(HEADER, "was used with another request")])
    if found.status is None or found.body is None:
        raise Conflict(f"the request with {HEADER} {key} was recorded but its answer was not "
                       "kept; look the record up before sending it again",
                       errors=[FieldError(HEADER, "recorded, answer not kept")])
    return Stored(found.status, found.content_type, found.location, found.body)


def remember(session: Session, username: str, key: str, digest: str, stored: Stored) -> None:
    """Keep the response of the committed write (its own small transaction)."""
    values = {"status": stored.status, "content_type": stored.content_type,
              "location": stored.location, "body": stored.body}
    changed = session.execute(update(IdempotencyKey).where(
        IdempotencyKey.username == username, IdempotencyKey.key == key,
        IdempotencyKey.request_sha256 == digest).values(**values)).rowcount
    if not changed:  # the view rolled its transaction back and committed something else
        session.add(IdempotencyKey(username=username, key=key, request_sha256=digest,
                                   created_at=utcnow(), **values))
    session.commit()


def _form_key(token: str) -> tuple[str, str]:
    key = "form:" + token
    return key, hashlib.sha256(key.encode()).hexdigest()


def claim_form(session: Session, username: str, token: str) -> str | None:
    """Web forms carry a token made when the form was shown: one shown form, one record. Where
    an earlier submission of this form led (its redirect), or None after claiming the token in
    the write's transaction (`complete_form` before the commit says where it leads)."""
    key, digest = _form_key(token)
    found = _claim(session, username, key, digest)
    return None if found is None else str(found.location or "")


def complete_form(session: Session, username: str, token: str, location: str) -> None:
    """Where the claimed form's write leads, stored in the same transaction as the write."""
    key, _digest = _form_key(token)
    session.execute(update(IdempotencyKey).where(
        IdempotencyKey.username == username, IdempotencyKey.key == key).values(
        status=303, location=location[:500], body=""))

