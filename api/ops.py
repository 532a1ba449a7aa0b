"""Operations endpoints: /healthz for load balancers and monitors."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy import text

from api.openapi import json_response
from registry import database as registry_database

bp = Blueprint("ops", __name__)


def health() -> tuple[bool, dict[str, str]]:
    """Whether the database answers and every migration is applied."""
    engine = current_app.extensions["nguongoc.engine"]
    facts = {"database": "ok", "migrations": "current"}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        if not registry_database.is_up_to_date(engine):
            facts["migrations"] = "pending: run `nguongoc db upgrade`"
    except Exception as exc:  # report, never raise: this is what monitors poll
        facts["database"] = f"error: {type(exc).__name__}"
    ok = facts["database"] == "ok" and facts["migrations"] == "current"
    return ok, {"status": "ok" if ok else "unhealthy", **facts}


@bp.get("/healthz")
def healthz() -> Response:
    """200 when the database answers and is migrated, 503 otherwise."""
    ok, facts = health()
    response = json_response(facts, 200 if ok else 503)
    response.headers["Cache-Control"] = "no-store"
    return response
