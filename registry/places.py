"""Administrative units across the 1 July 2025 reorganisation (VIETNAM.md section 2).

Every place-bearing record keeps the place *as recorded* (`adm_scheme`, province, district and
commune codes, the address as printed) and a *derived current unit* (the vn2025 province, and the
commune when it can be resolved). Province codes come from the project's own table of the 34
current and 63 pre-2025 provinces (Resolution 202/2025/QH15, Decision 19/2025/QĐ-TTg, Decision
124/2004/QĐ-TTg); the GPL package `vietnam-provinces` is only consulted for communes when a user
has installed it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from registry.errors import FieldError, Invalid

MERGER_DAY = date(2025, 7, 1)
"""New provincial and commune units operate from this day (Resolution 202/2025/QH15)."""

_COMMUNE = re.compile(r"^\d{5}$")
_DISTRICT = re.compile(r"^\d{3}$")
_PROVINCE = re.compile(r"^\d{2}$")


class AdmScheme(StrEnum):
    """Which list of administrative codes a record's place uses."""

    VN2004 = "vn2004"  # Decision 124/2004/QĐ-TTg: province 2, district 3, commune 5 digits
    VN2025 = "vn2025"  # Decision 19/2025/QĐ-TTg: province 2, commune 5 digits, no districts


@dataclass(frozen=True)
class Province:
    """A province-level unit of one scheme, and the current (vn2025) unit it is part of now."""

    scheme: AdmScheme
    code: str
    name: str
    name_en: str
    kind: str
    current_code: str


@cache
def _table() -> dict[tuple[AdmScheme, str], Province]:
    text = resources.files("registry").joinpath("data/provinces.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        (AdmScheme(row["scheme"]), row["code"]): Province(
            AdmScheme(row["scheme"]), row["code"], row["name"], row["name_en"], row["kind"],
            row["current_code"],
        )
        for row in rows
    }


def province(scheme: AdmScheme | str, code: str) -> Province | None:
    """The province with this code in this scheme, or None."""
    return _table().get((AdmScheme(scheme), code))


def provinces(scheme: AdmScheme | str = AdmScheme.VN2025) -> list[Province]:
    """Every province of one scheme, by code."""
    wanted = AdmScheme(scheme)
    return sorted((p for (s, _), p in _table().items() if s == wanted), key=lambda p: p.code)


def current_province(scheme: AdmScheme | str, code: str) -> Province:
    """The vn2025 province a recorded province is part of now (always exactly one)."""
    recorded = province(scheme, code)
    if recorded is None:
        raise Invalid.field("province_code", f"{code!r} is not a {AdmScheme(scheme)} province")
    now = province(AdmScheme.VN2025, recorded.current_code)
    assert now is not None, f"province table maps {code} to unknown {recorded.current_code}"
    return now


def checked_current_code(code: str) -> str:
    """A current (vn2025) province code, as list filters take; a pre-2025 code that is not
    current says which province it is part of now (ValueError: a 422 naming the filter)."""
    code = code.strip().zfill(2)
    if province(AdmScheme.VN2025, code) is not None:
        return code
    old = province(AdmScheme.VN2004, code)
    if old is not None:
        raise ValueError(f"{code} ({old.name}) is a pre-2025 code; use the current province "
                         f"{old.current_code}")
    raise ValueError(f"{code} is not a province code")


CurrentProvinceCode = Annotated[str, AfterValidator(checked_current_code)]
"""A filter's current province code, checked against the province table."""


def legacy_sources(current_code: str) -> list[Province]:
    """The pre-2025 provinces merged into one current province."""
    return [p for p in provinces(AdmScheme.VN2004) if p.current_code == current_code]


def scheme_for(day: date | None) -> AdmScheme:
    """The scheme a record dated `day` uses when the user did not say (VIETNAM.md 2.1)."""
    return AdmScheme.VN2004 if day is not None and day < MERGER_DAY else AdmScheme.VN2025


def resolve_legacy_commune(code: str) -> str | None:
    """The current commune code of a pre-2025 commune, if `vietnam-provinces` is installed.

    None when the package is absent or the old commune was split between several new ones
    (then an agency user picks, or the record's coordinates decide).
    """
    try:
        from vietnam_provinces import Ward
    except ImportError:
        return None
    try:
        found = {w.ward.code for w in Ward.search_from_legacy(code=int(code))}
    except Exception:  # the optional package's own errors must not break a write
        return None
    return f"{found.pop():05d}" if len(found) == 1 else None


class PlaceIn(BaseModel):
    """A place as the user recorded it; the scheme follows the record's date when omitted."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    adm_scheme: AdmScheme | None = None
    province_code: str = Field(min_length=1, max_length=2, examples=["80"])
    district_code: str | None = Field(default=None, max_length=3)
    commune_code: str | None = Field(default=None, max_length=5)
    address: str | None = Field(default=None, max_length=300)


class PlaceOut(BaseModel):
    """A place as recorded, with the current unit it lies in now."""

    adm_scheme: AdmScheme
    province_code: str
    province_name: str
    district_code: str | None
    commune_code: str | None
    address: str | None
    province_code_current: str
    province_name_current: str
    commune_code_current: str | None
    renamed: bool = Field(description="the recorded unit differs from today's ('nay là ...')")


def resolve(place: PlaceIn, *, on: date | None, prefix: str = "place") -> dict[str, Any]:
    """Check a recorded place and return the columns to store (PlaceMixin's names)."""
    scheme = place.adm_scheme or scheme_for(on)
    province_code = place.province_code.strip().zfill(2)
    errors: list[FieldError] = []
    if not _PROVINCE.match(province_code) or province(scheme, province_code) is None:
        errors.append(FieldError(f"{prefix}.province_code",
                                 f"{place.province_code!r} is not a {scheme} province code"))
    district = (place.district_code or "").strip() or None
    if district is not None:
        if scheme is AdmScheme.VN2025:
            errors.append(FieldError(f"{prefix}.district_code",
                                     "districts were abolished on 2025-07-01 (vn2025 has none)"))
        elif not _DISTRICT.match(district):
            errors.append(FieldError(f"{prefix}.district_code", "a district code has 3 digits"))
    commune = (place.commune_code or "").strip() or None
    if commune is not None and not _COMMUNE.match(commune):
        errors.append(FieldError(f"{prefix}.commune_code", "a commune code has 5 digits"))
    if errors:
        raise Invalid("the place is not a known administrative unit", errors=errors)
    now = current_province(scheme, province_code)
    if commune is None:
        commune_now = None
    elif scheme is AdmScheme.VN2025:
        commune_now = commune
    else:
        commune_now = resolve_legacy_commune(commune)
    return {
        "adm_scheme": scheme.value,
        "province_code": province_code,
        "district_code": district,
        "commune_code": commune,
        "address": place.address.strip() if place.address else None,
        "province_code_current": now.code,
        "commune_code_current": commune_now,
    }


def describe(record: Any) -> PlaceOut:
    """The place of a PlaceMixin record, with recorded and current names."""
    recorded = province(record.adm_scheme, record.province_code)
    now = province(AdmScheme.VN2025, record.province_code_current)
    recorded_name = recorded.name if recorded else record.province_code
    current_name = now.name if now else record.province_code_current
    return PlaceOut(
        adm_scheme=record.adm_scheme,
        province_code=record.province_code,
        province_name=recorded_name,
        district_code=record.district_code,
        commune_code=record.commune_code,
        address=record.address,
        province_code_current=record.province_code_current,
        province_name_current=current_name,
        commune_code_current=record.commune_code_current,
        renamed=recorded_name != current_name,
    )
