"""Records for tests, made through the domain services (so rules and audit apply)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry import aquaculture, certifications, growing_areas, partners, products
from registry.actors import SYSTEM
from registry.gs1 import check_digit
from registry.models import (
    AquacultureRegistration,
    Certification,
    GrowingArea,
    Partner,
    Product,
)

_seq = itertools.count(1)


def partner(session: Session, kind: str = "cooperative", province: str = "80",
            scheme: str = "vn2025", **extra: Any) -> Partner:
    """A partner in a province (current codes unless `scheme` says otherwise)."""
    n = next(_seq)
    data = {"kind": kind, "name": extra.pop("name", f"Đối tác {kind} {n}"),
            "place": {"adm_scheme": scheme, "province_code": province, **extra.pop("place", {})},
            **extra}
    record = partners.register_partner(session, SYSTEM, partners.PartnerIn(**data))
    session.flush()
    return record


def gtin(n: int | None = None) -> str:
    """A valid GTIN-14 under the 893 prefix."""
    body = f"8930000{(n or next(_seq)):05d}"
    return "0" + body + check_digit(body)


def growing_area(session: Session, holder: Partner | None = None, **extra: Any) -> GrowingArea:
    """A domestic growing area (Decision 3156 code, vn2004 Long An by default)."""
    n = next(_seq)
    holder = holder or partner(session)
    data = {"code": f"VN-80-803-27811-{n:02d}-22", "holder_id": holder.id,
            "crop": "Chanh không hạt", "area_ha": 5.0, "issued_on": date(2022, 9, 1), **extra}
    return growing_areas.register_growing_area(session, SYSTEM, growing_areas.GrowingAreaIn(**data))


def registration(session: Session, holder: Partner | None = None,
                 **extra: Any) -> AquacultureRegistration:
    """An aquaculture registration (oyster rafts in Quảng Ninh by default)."""
    n = next(_seq)
    holder = holder or partner(session, province="22")
    data = {"number": f"22-VD-2024-{n:04d}", "holder_id": holder.id,
            "species": ["Crassostrea gigas"], "farming_form": "raft", "cages": 40,
            "issued_on": date(2024, 3, 1),
            "place": {"adm_scheme": "vn2025", "province_code": holder.province_code_current},
            **extra}
    return aquaculture.register(session, SYSTEM, aquaculture.AquacultureRegistrationIn(**data))


def product(session: Session, owner: Partner | None = None, **extra: Any) -> Product:
    """A product with a GTIN."""
    owner = owner or partner(session)
    data = {"name_vi": f"Chanh không hạt {next(_seq)}", "category": "fruit", "gtin": gtin(),
            "owner_id": owner.id, **extra}
    return products.register_product(session, SYSTEM, products.ProductIn(**data))


def certification(session: Session, holder_type: str, holder_id: str | int,
                  scheme: str = "vietgap", **extra: Any) -> Certification:
    """A certification valid from 2024 to 2027 unless told otherwise."""
    data = {"scheme": scheme, "number": f"CERT-{next(_seq)}", "issuer": "Trung tâm chứng nhận",
            "holder_type": holder_type, "holder_id": holder_id, "issued_on": date(2024, 1, 1),
            "valid_until": date(2027, 12, 31), **extra}
    return certifications.record_certification(
        session, SYSTEM, certifications.CertificationIn(**data))
