"""Tokens, the current user, reference data and the OpenAPI document."""

from __future__ import annotations

from flask import current_app
from pydantic import BaseModel

from api import database, openapi
from api.openapi import json_response, operation
from api.v1 import bp
from registry import accounts, places
from registry.actors import Actor
from registry.models import Role


class MeOut(BaseModel):
    """The signed-in user."""

    username: str
    role: Role
    partner_id: int | None
    provinces: list[str]


class ProvinceOut(BaseModel):
    """A province-level unit and the current unit it belongs to."""

    scheme: places.AdmScheme
    code: str
    name: str
    name_en: str
    current_code: str


@operation(bp, "POST", "/auth/token", summary="Exchange a username and password for a token",
           tag="auth", body=accounts.TokenRequest, response=accounts.TokenOut, status=201,
           public=True, rate_limit="20 per minute", signs_in=True, extra_responses=(401,))
def create_token(body: accounts.TokenRequest) -> accounts.TokenOut:
    """Exchange credentials for a new bearer token."""
    session = database.session()
    user = accounts.authenticate(session, body.username, body.password)
    token = accounts.create_token(session, accounts.actor_of(user), user, name="auth/token")
    session.commit()
    return accounts.TokenOut(token=token, username=user.username, role=user.role)


@operation(bp, "GET", "/me", summary="The signed-in user", tag="auth", response=MeOut)
def me(actor: Actor) -> MeOut:
    """Who the token belongs to."""
    return MeOut(username=actor.username, role=actor.role, partner_id=actor.partner_id,
                 provinces=sorted(actor.provinces))


@operation(bp, "GET", "/provinces", summary="Current (vn2025) and pre-2025 (vn2004) provinces",
           tag="reference", response=list[ProvinceOut], public=True)
def list_provinces() -> list[ProvinceOut]:
    """The province table and the 2025 mapping."""
    return [ProvinceOut(scheme=p.scheme, code=p.code, name=p.name, name_en=p.name_en,
                        current_code=p.current_code)
            for scheme in places.AdmScheme for p in places.provinces(scheme)]


@bp.get("/openapi.json")
def openapi_document() -> object:
    """The OpenAPI 3 description of the JSON API."""
    settings = current_app.config["NGUONGOC"]
    return json_response(openapi.document("nguongoc", "1", settings.base_url))
