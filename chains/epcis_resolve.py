"""Who and what an EPCIS document names, resolved to registry records in a few IN-list queries:
locations and parties (SGLN / GLN / PGLN -> partner by GLN; the registry's growing-area and
aquaculture-registration URIs -> the record and its holder; `{base}/partners/{id}` -> that
partner, even after it got a GLN; any other URI -> its alias), and products by GTIN.

What is not registered is created UNVERIFIED (`verified = False`, flagged for an agency) rather
than refused: a partner named after its identifier in the province of whoever captured it
(`00` when an admin did), a product under the partner that first used it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from chains.bulk_load import reserve_ids
from chains.epcis import Identifier, InvalidIdentifier, parse_identifier
from registry.actors import Actor
from registry.models import (
    AquacultureRegistration,
    EpcisAlias,
    GrowingArea,
    Partner,
    PartnerKind,
    Product,
    ProductCategory,
    utcnow,
)
from registry.text import code_key, search_key

UNKNOWN_PROVINCE = "00"
PARTNERS_PATH = "partners"


@dataclass(frozen=True)
class Place:
    """A resolved location or party: the partner, and the registered origin if it is one."""

    partner_id: int
    growing_area: str | None = None  # the code, as registered
    aquaculture_registration: str | None = None


def partner_uri(base_url: str, partner_id: int) -> str:
    """The registry's URI of a partner without a GLN (kept working after it gets one)."""
    return f"{base_url.rstrip('/')}/{PARTNERS_PATH}/{partner_id}"


class Resolver:
    """Identifiers of one capture, resolved in bulk; unknown ones become unverified records."""

    def __init__(self, session: Session, actor: Actor, base_url: str) -> None:
        self.session, self.actor, self.base_url = session, actor, base_url.rstrip("/")
        self.places: dict[str, Place | None] = {}
        self.products: dict[str, int] = {}  # gtin -> product id
        self.new_partners: list[dict[str, Any]] = []
        self.new_products: list[dict[str, Any]] = []
        self.new_aliases: list[dict[str, Any]] = []
        self.verified: dict[int, bool] = {}
        self.province = self._province()

    def _province(self) -> str:
        if self.actor.is_partner and self.actor.partner_id is not None:
            found = self.session.execute(select(Partner.province_code_current).where(
                Partner.id == self.actor.partner_id)).scalar()
            return found or UNKNOWN_PROVINCE
        if self.actor.provinces:
            return sorted(self.actor.provinces)[0]
        return UNKNOWN_PROVINCE

    def identifier(self, uri: str) -> Identifier | None:
        """The parsed identifier (with the registry's own URIs), None if malformed."""
        try:
            return parse_identifier(uri, self.base_url)
        except InvalidIdentifier:
            return None

    def _own_partner(self, uri: str) -> int | None:
        prefix = f"{self.base_url}/{PARTNERS_PATH}/"
        tail = uri[len(prefix):] if uri.startswith(prefix) else ""
        return int(tail) if tail.isdigit() else None

    def load(self, place_uris: set[str], gtins: set[str]) -> None:
        """Read every registered record the URIs and GTINs name (a query per kind)."""
        glns: dict[str, list[str]] = {}
        areas: dict[str, list[str]] = {}
        regs: dict[str, list[str]] = {}
        own: dict[int, list[str]] = {}
        others: list[str] = []
        for uri in place_uris:
            self.places[uri] = None
            ident = self.identifier(uri)
            partner_id = self._own_partner(uri)
            if partner_id is not None:
                own.setdefault(partner_id, []).append(uri)
            elif ident is not None and ident.gln and ident.kind in ("sgln", "pgln"):
                glns.setdefault(ident.gln, []).append(uri)
            elif ident is not None and ident.kind == "growing_area" and ident.code:
                areas.setdefault(code_key(ident.code), []).append(uri)
            elif ident is not None and ident.kind == "aquaculture_registration" and ident.code:
                regs.setdefault(code_key(ident.code), []).append(uri)
            else:
                others.append(uri)
        session = self.session
        for gln, partner_id, verified in session.execute(
                select(Partner.gln, Partner.id, Partner.verified).where(Partner.gln.in_(glns))):
            self.verified[partner_id] = verified
            for uri in glns[gln]:
                self.places[uri] = Place(partner_id)
        for partner_id, verified in session.execute(
                select(Partner.id, Partner.verified).where(Partner.id.in_(own))):
            self.verified[partner_id] = verified
            for uri in own[partner_id]:
                self.places[uri] = Place(partner_id)
        for key, code, holder in session.execute(select(
                GrowingArea.code_key, GrowingArea.code, GrowingArea.holder_id).where(
                GrowingArea.code_key.in_(areas))):
            for uri in areas[key]:
                self.places[uri] = Place(holder, growing_area=code)
        for key, number, holder in session.execute(select(
                AquacultureRegistration.number_key, AquacultureRegistration.number,
                AquacultureRegistration.holder_id).where(
                AquacultureRegistration.number_key.in_(regs))):
            for uri in regs[key]:
                self.places[uri] = Place(holder, aquaculture_registration=number)
        unresolved = [u for u, p in self.places.items() if p is None]
        for key, partner_id in session.execute(select(EpcisAlias.key, EpcisAlias.partner_id)
                                               .where(EpcisAlias.key.in_(unresolved))):
            self.places[key] = Place(partner_id)
        self.products = dict(session.execute(
            select(Product.gtin, Product.id).where(Product.gtin.in_(gtins))).all())

    def place(self, uri: str | None, kind: PartnerKind = PartnerKind.DISTRIBUTOR
              ) -> Place | None:
        """The partner (and origin) a location or party URI stands for; an unverified partner
        is made for one the registry does not know."""
        if uri is None:
            return None
        found = self.places.get(uri)
        if found is not None:
            return found
        ident = self.identifier(uri)
        gln = ident.gln if ident is not None and ident.kind in ("sgln", "pgln") else None
        if gln is not None:
            same = next((p for u, p in self.places.items() if p is not None and
                         (i := self.identifier(u)) is not None and i.gln == gln), None)
            if same is not None:
                self.places[uri] = same
                return same
        partner_id = self._new_id(Partner.__table__, self.new_partners)
        name = f"GLN {gln}" if gln else (ident.code if ident and ident.code else uri)[:180]
        self.new_partners.append({
            "id": partner_id, "kind": kind, "name": f"{name} (EPCIS)", "name_en": None,
            "tax_code": None, "gln": gln, "phone": None, "email": None,
            "search_text": search_key(name, gln), "verified": False, "created_at": utcnow(),
            "adm_scheme": "vn2025", "province_code": self.province, "district_code": None,
            "commune_code": None, "address": None, "province_code_current": self.province,
            "commune_code_current": None})
        if gln is None:
            self.new_aliases.append({"key": uri, "partner_id": partner_id})
        self.verified[partner_id] = False
        self.places[uri] = Place(partner_id)
        return self.places[uri]

    def _new_id(self, table: Any, made: list[dict[str, Any]]) -> int:
        """A primary key for one more new row (SQLite numbers after the largest, which the
        rows made but not yet written do not raise)."""
        if made and self.session.get_bind().dialect.name == "sqlite":
            return int(max(row["id"] for row in made)) + 1
        return reserve_ids(self.session, table, 1)[0]

    def product(self, gtin: str, owner_id: int) -> int:
        """The product of a GTIN; an unverified one owned by `owner_id` if unknown."""
        found = self.products.get(gtin)
        if found is None and gtin not in self.products:  # a GTIN `load` was not told about
            found = self.session.execute(select(Product.id).where(
                Product.gtin == gtin)).scalar()
        if found is not None:
            self.products[gtin] = found
            return found
        product_id = self._new_id(Product.__table__, self.new_products)
        name = f"GTIN {gtin}"
        self.new_products.append({
            "id": product_id, "name_vi": name, "name_en": name,
            "category": ProductCategory.OTHER, "gtin": gtin, "owner_id": owner_id,
            "description": "Do dữ liệu EPCIS tạo ra; chờ cơ quan quản lý kiểm tra, xác minh.",
            "photo_url": None, "declaration_kind": None, "ocop_stars": None,
            "ocop_certificate_no": None, "ocop_issued_on": None, "ocop_valid_until": None,
            "search_text": search_key(name), "verified": False, "created_at": utcnow()})
        self.products[gtin] = product_id
        return product_id

    def write(self) -> None:
        """Insert the unverified partners, products and aliases this capture made."""
        for table, rows in ((Partner.__table__, self.new_partners),
                            (Product.__table__, self.new_products),
                            (EpcisAlias.__table__, self.new_aliases)):
            if rows:
                self.session.execute(insert(table), rows)

    def created(self) -> dict[str, list[int]]:
        """The ids of the unverified records made (for the capture's report and audit)."""
        return {"partners": [p["id"] for p in self.new_partners],
                "products": [p["id"] for p in self.new_products]}
