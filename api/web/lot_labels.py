"""What the stock, lot, trace and chain pages call things, in the user's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext

from api.web import bp

VOCABULARY: dict[str, dict[str, Any]] = {
    "partner_kind": {
        "producer": lazy_gettext("Producer"), "cooperative": lazy_gettext("Cooperative"),
        "collector": lazy_gettext("Collector"), "packing_house": lazy_gettext("Packing house"),
        "slaughterhouse": lazy_gettext("Slaughterhouse"), "processor": lazy_gettext("Processor"),
        "distributor": lazy_gettext("Distributor"),
        "wholesale_market": lazy_gettext("Wholesale market"),
        "retailer": lazy_gettext("Retailer"), "agency": lazy_gettext("Agency"),
    },
    "lot_status": {  # an active lot may move: "in circulation" (đang lưu thông)
        "active": lazy_gettext("in circulation"), "on_hold": lazy_gettext("on hold"),
        "recalled": lazy_gettext("recalled"), "destroyed": lazy_gettext("destroyed"),
    },
    "shipment_status": {
        "in_transit": lazy_gettext("in transit"), "received": lazy_gettext("received"),
    },
    "origin_type": {
        "growing_area": lazy_gettext("Growing area"),
        "aquaculture_registration": lazy_gettext("Aquaculture registration"),
        "partner": lazy_gettext("Own farm"), "transformation": lazy_gettext("Transformation"),
    },
    "event": {
        "harvest": lazy_gettext("Harvest"), "ship": lazy_gettext("Shipped"),
        "receive": lazy_gettext("Received"), "transform": lazy_gettext("Transformation"),
        "sample": lazy_gettext("Sampled"), "hold": lazy_gettext("Put on hold"),
        "release": lazy_gettext("Released"), "recall": lazy_gettext("Recall"),
        "destroy": lazy_gettext("Destroyed"), "aggregate": lazy_gettext("Aggregated"),
    },
    "transformation": {
        "packing": lazy_gettext("Packing"), "processing": lazy_gettext("Processing"),
        "slaughter": lazy_gettext("Slaughter"), "mixing": lazy_gettext("Mixing"),
        "repacking": lazy_gettext("Repacking"), "other": lazy_gettext("Other"),
    },
    "role": {
        "harvest": lazy_gettext("harvested"), "ship": lazy_gettext("shipped"),
        "receive": lazy_gettext("received"), "transform": lazy_gettext("transformed"),
    },
    "unit": {  # masses and volumes keep their symbols (kg, g, l, ml)
        "t": lazy_gettext("t"), "head": lazy_gettext("head"), "piece": lazy_gettext("piece"),
        "case": lazy_gettext("case"), "box": lazy_gettext("box"), "bag": lazy_gettext("bag"),
    },
}
"""Labels by vocabulary and value (the value itself where a label is missing)."""


def term(vocabulary: str, value: Any) -> str:
    """The label of `value` in one vocabulary."""
    if value is None:
        return ""
    raw = str(getattr(value, "value", value))
    found = VOCABULARY.get(vocabulary, {}).get(raw)
    return str(found) if found is not None else raw


@bp.app_template_filter("unit_name")
def unit_name(value: Any) -> str:
    """A unit of quantity as the reader says it (hộp, thùng, ...; kg stays kg)."""
    return term("unit", value)


@bp.app_context_processor
def _term_helper() -> dict[str, Any]:
    return {"term": term}
