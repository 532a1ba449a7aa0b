"""Helpers for API tests: problem assertions and table snapshots."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from registry.models import AuditHead, Base


def snapshot(app: Flask) -> dict[str, Any]:
    """Row counts of every table and the audit chain's head, read in a fresh session."""
    with app.extensions["nguongoc.sessions"]() as db:
        counts: dict[str, Any] = {
            table.name: db.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables}
        head = db.get(AuditHead, 1)
        counts["audit_head"] = (head.seq, head.hash) if head else None
    return counts


def assert_problem(response: Any, status: int, *fields: str) -> dict[str, Any]:
    """A problem+json response with this status naming exactly these fields."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["type"]
    if fields:
        assert {e["field"] for e in body["errors"]} == set(fields), body
    return body
