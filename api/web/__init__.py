"""The web UI: pages for agencies, producers and supermarkets (Vietnamese first)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for
from flask_babel import get_locale, lazy_gettext

from api import auth

bp = Blueprint("web", __name__)

NAV: list[tuple[str, Any]] = [
    ("web.partners_list", lazy_gettext("Partners")),
    ("web.growing_areas_list", lazy_gettext("Growing areas")),
    ("web.aquaculture_list", lazy_gettext("Aquaculture")),
    ("web.products_list", lazy_gettext("Products")),
    ("web.certifications_list", lazy_gettext("Certifications")),
    ("web.stock", lazy_gettext("Stock")),
    ("web.lots_list", lazy_gettext("Lots")),
    ("web.chains_list", lazy_gettext("Supply chains")),
    ("web.samples_list", lazy_gettext("Samples")),
    ("web.plans_list", lazy_gettext("Sampling plans")),
    ("web.cases_list", lazy_gettext("Cases")),
    ("web.recalls_list", lazy_gettext("Recalls")),
    ("web.indicators_dashboard", lazy_gettext("Indicators")),
    ("web.inbox", lazy_gettext("Inbox")),
]
"""The main menu: (endpoint, label). Capabilities add their pages here."""
AGENCY_PAGES = {"web.cases_list", "web.indicators_dashboard", "web.consumer_reports"}
"""Menu pages a partner user may not open (403): left out of its menu."""


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    def nav_items() -> list[tuple[str, Any]]:
        user = auth.optional_user()
        hidden = AGENCY_PAGES if user is not None and user.role.value == "partner" else set()
        return [(endpoint, label) for endpoint, label in NAV
                if endpoint not in hidden and _exists(endpoint)]

    return {"current_user": auth.optional_user, "current_locale": lambda: str(get_locale()),
            "nav_items": nav_items, "has_page": _exists}


def _exists(endpoint: str) -> bool:
    try:
        url_for(endpoint)
    except Exception:  # an endpoint a capability has not added yet
        return False
    return True


from api.web import (  # noqa: E402,F401  (register the pages)
    agency_pages,
    aquaculture_pages,
    case_pages,
    certification_pages,
    chain_pages,
    growing_area_pages,
    hold_pages,
    labels,
    lot_labels,
    lot_pages,
    pages,
    partner_pages,
    product_pages,
    qr_pages,
    report_pages,
    stock_pages,
    supermarket_pages,
    unverified_pages,
)
