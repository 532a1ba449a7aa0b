"""Users, passwords (argon2) and API tokens (only their SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit, partners, places
from registry.actors import Actor, provinces_of
from registry.errors import Duplicate, Invalid, NotFound, Unauthenticated
from registry.models import ApiToken, PartnerKind, Role, User, utcnow

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password anybody has")
TOKEN_PREFIX = "ngg_"


class UserIn(BaseModel):
    """A user account to create."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[a-zA-Z0-9_.@-]{3,80}$")
    password: str = Field(min_length=8, max_length=200)
    role: Role
    partner_id: int | None = None
    provinces: list[str] = Field(default_factory=list)
    display_name: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _scope(self) -> UserIn:
        if self.role is Role.PARTNER and self.partner_id is None:
            raise ValueError("a partner user needs --partner-id")
        if self.role is Role.AGENCY and not self.provinces:
            raise ValueError("an agency user needs at least one --province")
        return self


class TokenRequest(BaseModel):
    """Credentials exchanged for an API token."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    """A new API token; it is shown once."""

    token: str
    username: str
    role: Role


def actor_of(user: User) -> Actor:
    """The domain's view of a user."""
    return Actor(username=user.username, role=user.role, user_id=user.id,
                 partner_id=user.partner_id, provinces=provinces_of(user.provinces or []))


def create_user(session: Session, actor: Actor, data: UserIn) -> User:
    """Create an account (admins; the CLI acts as the system admin)."""
    actor.ensure_role(Role.ADMIN)
    if session.execute(select(User.id).where(User.username == data.username)).scalar():
        raise Duplicate("username", data.username, "user")
    codes = sorted(provinces_of(data.provinces))
    for code in codes:
        if places.province(places.AdmScheme.VN2025, code) is None:
            raise Invalid.field("provinces", f"{code!r} is not a current (vn2025) province code")
    if data.partner_id is not None:
        partner = partners.get(session, data.partner_id)
        if data.role is Role.AGENCY and partner.kind is not PartnerKind.AGENCY:
            raise Invalid.field("partner_id", "an agency user belongs to an agency partner")
    user = User(username=data.username, role=data.role, partner_id=data.partner_id,
                provinces=codes, display_name=data.display_name,
                password_hash=_hasher.hash(data.password))
    session.add(user)
    session.flush()
    audit.append(session, actor, "create_user", "user", user.username,
                 data.model_dump(mode="json", exclude={"password"}))
    return user


def get_user(session: Session, username: str) -> User:
    """The user with this name; NotFound otherwise."""
    user = session.execute(select(User).where(User.username == username)).scalar()
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user these credentials belong to; Unauthenticated otherwise."""
    user = session.execute(select(User).where(User.username == username)).scalar()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active:
        raise Unauthenticated("wrong username or password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, actor: Actor, user: User, name: str = "api") -> str:
    """A new bearer token for `user`, returned once in clear."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name[:80], token_hash=_digest(token)))
    audit.append(session, actor, "create_token", "user", user.username, {"name": name})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.execute(select(ApiToken).where(
        ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))).scalar()
    if row is None or not row.user.active:
        return None
    return row.user


def revoke_tokens(session: Session, actor: Actor, user: User) -> int:
    """Revoke every token of a user; how many were revoked."""
    rows = session.execute(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).scalars().all()
    for row in rows:
        row.revoked_at = utcnow()
    audit.append(session, actor, "revoke_tokens", "user", user.username, {"count": len(rows)})
    return len(rows)
