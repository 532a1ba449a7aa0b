"""What pages call things: labels of the closed vocabularies, province names, dates and
numbers in the user's language, and the helpers templates use for them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import request, url_for
from flask_babel import format_date, format_decimal, get_locale, lazy_gettext
from markupsafe import Markup, escape

from api.web import bp
from registry import places
from registry.models import (
    DeclarationKind,
    FarmingForm,
    FarmingMethod,
    GrowingAreaKind,
    HolderType,
    PartnerKind,
    ProductCategory,
    RecordStatus,
)

LABELS: dict[str, Any] = {
    PartnerKind.PRODUCER: lazy_gettext("Producer"),
    PartnerKind.COOPERATIVE: lazy_gettext("Cooperative"),
    PartnerKind.COLLECTOR: lazy_gettext("Collector"),
    PartnerKind.PACKING_HOUSE: lazy_gettext("Packing house"),
    PartnerKind.SLAUGHTERHOUSE: lazy_gettext("Slaughterhouse"),
    PartnerKind.PROCESSOR: lazy_gettext("Processor"),
    PartnerKind.DISTRIBUTOR: lazy_gettext("Distributor"),
    PartnerKind.WHOLESALE_MARKET: lazy_gettext("Wholesale market"),
    PartnerKind.RETAILER: lazy_gettext("Retailer"),
    PartnerKind.AGENCY: lazy_gettext("Agency"),
    RecordStatus.ACTIVE: lazy_gettext("Active"),
    RecordStatus.SUSPENDED: lazy_gettext("Suspended"),
    RecordStatus.REVOKED: lazy_gettext("Revoked"),
    GrowingAreaKind.DOMESTIC: lazy_gettext("Domestic"),
    GrowingAreaKind.EXPORT: lazy_gettext("Export"),
    FarmingForm.CAGE: lazy_gettext("Cage"),
    FarmingForm.RAFT: lazy_gettext("Raft"),
    FarmingForm.POND: lazy_gettext("Pond"),
    FarmingForm.TANK: lazy_gettext("Tank"),
    FarmingForm.TIDAL_FLAT: lazy_gettext("Tidal flat"),
    FarmingForm.OTHER: lazy_gettext("Other"),
    FarmingMethod.INTENSIVE: lazy_gettext("Intensive"),
    FarmingMethod.SEMI_INTENSIVE: lazy_gettext("Semi-intensive"),
    FarmingMethod.EXTENSIVE: lazy_gettext("Extensive"),
    ProductCategory.FRUIT: lazy_gettext("Fruit"),
    ProductCategory.VEGETABLE: lazy_gettext("Vegetables"),
    ProductCategory.RICE_CEREAL: lazy_gettext("Rice and cereals"),
    ProductCategory.TEA_COFFEE: lazy_gettext("Tea and coffee"),
    ProductCategory.SEAFOOD: lazy_gettext("Fish and seafood"),
    ProductCategory.MEAT: lazy_gettext("Meat"),
    ProductCategory.LIVESTOCK: lazy_gettext("Livestock"),
    ProductCategory.EGGS_MILK: lazy_gettext("Eggs and milk"),
    ProductCategory.HONEY: lazy_gettext("Honey"),
    ProductCategory.PROCESSED_PREPACKAGED: lazy_gettext("Processed, pre-packaged"),
    ProductCategory.BEVERAGE: lazy_gettext("Beverages"),
    ProductCategory.MEDICINAL: lazy_gettext("Medicinal"),
    HolderType.PARTNER: lazy_gettext("Partner"),
    HolderType.GROWING_AREA: lazy_gettext("Growing area"),
    HolderType.AQUACULTURE_REGISTRATION: lazy_gettext("Aquaculture registration"),
    HolderType.PRODUCT: lazy_gettext("Product"),
    DeclarationKind.SELF_DECLARED: lazy_gettext("Self-declared"),
    DeclarationKind.CONFORMITY_REGISTERED: lazy_gettext("Conformity declaration registered"),
}
"""Labels of enum values; enum members of different kinds never share a value that needs
two different words ("other" is the same word for farming forms, methods and categories)."""


def label(value: Any) -> str:
    """The label of an enum value (or its raw value when it has none)."""
    if value is None:
        return ""
    found = LABELS.get(value)
    return str(found) if found is not None else str(getattr(value, "value", value))


def options(enum: type[Any]) -> list[tuple[str, str]]:
    """(value, label) of every member of an enum, for a select."""
    return [(member.value, label(member)) for member in enum]


def is_english() -> bool:
    """Whether the page is shown in English."""
    return str(get_locale()) == "en"


def province_name(scheme: str, code: str) -> str:
    """A province's name in the user's language (the code if unknown)."""
    found = places.province(scheme, code)
    if found is None:
        return code
    return found.name_en if is_english() else found.name


def province_options() -> list[tuple[str, str]]:
    """Current (vn2025) provinces as (code, name), for filters."""
    return [(p.code, province_name(p.scheme, p.code))
            for p in places.provinces(places.AdmScheme.VN2025)]


def place_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Provinces of both lists for a place select: groups of ("scheme:code", label)."""
    groups = []
    for scheme, title in ((places.AdmScheme.VN2025, lazy_gettext("Current provinces (from "
                                                                  "1 July 2025)")),
                          (places.AdmScheme.VN2004, lazy_gettext("Provinces before 1 July "
                                                                  "2025"))):
        groups.append((str(title), [(f"{p.scheme.value}:{p.code}",
                                     f"{p.code} · {province_name(p.scheme, p.code)}")
                                    for p in places.provinces(scheme)]))
    return groups


def day(value: date | datetime | None) -> str:
    """A date as Vietnamese (dd/mm/yyyy) or English readers expect it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if is_english():
        return str(format_date(value, "medium"))
    return value.strftime("%d/%m/%Y")


def number(value: float | int | None) -> str:
    """A number with the locale's decimal mark."""
    return "" if value is None else str(format_decimal(value, format="#,##0.##"))


def stars(count: int | None) -> Markup:
    """OCOP stars, e.g. ★★★★☆ for 4 of 5."""
    if not count:
        return Markup("")
    return Markup('<span class="stars" aria-label="{0}">{1}</span>').format(
        escape(f"{count}/5"), "★" * count + "☆" * (5 - count))


def page_url(page: int) -> str:
    """This list with the same filters on another page."""
    args: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict()}
    args["page"] = str(page)
    return url_for(str(request.endpoint), **args)


def map_url(geometry: dict[str, Any] | None) -> str | None:
    """An OpenStreetMap link centred on a point or polygon (its mean position)."""
    if not geometry:
        return None
    coords = geometry.get("coordinates") or []
    points = [coords] if geometry.get("type") == "Point" else [p for ring in coords for p in ring]
    if not points:
        return None
    lon = sum(p[0] for p in points) / len(points)
    lat = sum(p[1] for p in points) / len(points)
    return (f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}"
            f"#map=15/{lat:.5f}/{lon:.5f}")


@bp.app_context_processor
def _label_helpers() -> dict[str, Any]:
    return {"label": label, "province_name": province_name, "page_url": page_url,
            "map_url": map_url, "stars": stars, "is_english": is_english,
            "place_choices": place_choices, "today": date.today()}


@bp.app_template_filter("day")
def _day_filter(value: date | datetime | None) -> str:
    return day(value)


@bp.app_template_filter("number")
def _number_filter(value: float | int | None) -> str:
    return number(value)
