"""Who is asking: a bearer token (API) or a signed session cookie (web pages)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, redirect, request, session, url_for

from api import database
from registry import accounts
from registry.actors import Actor
from registry.errors import Unauthenticated
from registry.models import User

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def fingerprint(user: User) -> str:
    """Changes when the password does, which ends the user's web sessions."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def sign_in(user: User) -> None:
    """Start a web session for `user` (a fresh session id against fixation)."""
    session.clear()
    session["uid"] = user.id
    session["fp"] = fingerprint(user)
    session.permanent = True


def sign_out() -> None:
    """End the web session."""
    session.clear()


def _session_user() -> User | None:
    uid = session.get("uid")
    if uid is None:
        return None
    user = database.session().get(User, uid)
    if user is None or not user.active or session.get("fp") != fingerprint(user):
        session.clear()
        return None
    return user


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def optional_user() -> User | None:
    """The signed-in user, if any (cached for the request)."""
    if "user" not in g:
        token = _bearer()
        user: User | None
        if token is not None:
            user = accounts.user_for_token(database.session(), token)
            if user is None:
                raise Unauthenticated("the API token is unknown or revoked")
        elif (request.path.startswith(("/api/", "/epcis/"))
              and request.method not in SAFE_METHODS):
            user = None  # API writes need a token: cookies alone would invite CSRF
        else:
            user = _session_user()
        g.user = user
    found: User | None = g.user
    return found


def optional_actor() -> Actor | None:
    """The domain actor of the signed-in user, if any."""
    user = optional_user()
    return accounts.actor_of(user) if user is not None else None


def current_actor() -> Actor:
    """The domain actor; Unauthenticated (401) when nobody signed in."""
    actor = optional_actor()
    if actor is None:
        raise Unauthenticated("sign in, or send an API token as 'Authorization: Bearer ...'")
    return actor


def login_required(view: F) -> F:
    """A web page for signed-in users: others go to the login page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if optional_user() is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def safe_next(target: str | None, default: str | None = None) -> str:
    """A local path to go back to (after login, after a form), never another site: `//host`
    and `/\\host` (which browsers read as `//host`) are refused; else `default` or home."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default or url_for("web.home")
