"""The JSON API under /api/v1 (DESIGN.md section 6)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("v1", __name__, url_prefix="/api/v1")

from api.v1 import (  # noqa: E402,F401  (register the operations)
    agency_views,
    bulk_views,
    chain_views,
    hold_views,
    qr_views,
    registry_views,
    report_views,
    supermarket_views,
    supply_chain_views,
    system,
)
