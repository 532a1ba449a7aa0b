"""Products, with their optional GTIN and OCOP rating (Decision 148/QĐ-TTg, 2023)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from registry import audit, partners, validity
from registry.actors import Actor
from registry.errors import Duplicate, FieldError, NotFound
from registry.growing_areas import HolderOut
from registry.gs1 import checked_gtin
from registry.models import DeclarationKind, Product, ProductCategory, Role
from registry.paging import Page, PageQuery, like, paginate
from registry.text import fold, search_key

Gtin = Annotated[str, AfterValidator(checked_gtin)]


class OcopIn(BaseModel):
    """An OCOP rating (3 to 5 stars) and its certificate."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    stars: int = Field(ge=3, le=5)
    certificate_no: str = Field(min_length=2, max_length=60)
    issued_on: date
    valid_until: Annotated[date | None, validity.not_before("issued_on")] = None


class OcopOut(BaseModel):
    """A product's OCOP rating."""

    stars: int
    certificate_no: str | None
    issued_on: date | None
    valid_until: date | None
    valid_today: bool


class ProductIn(BaseModel):
    """A product to register."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name_vi: str = Field(min_length=2, max_length=200, examples=["Chanh không hạt Bến Lức"])
    name_en: str | None = Field(default=None, max_length=200)
    category: ProductCategory
    gtin: Gtin | None = Field(default=None, examples=["08935049501237"])
    owner_id: int
    description: str | None = Field(default=None, max_length=4000)
    photo_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")
    declaration_kind: DeclarationKind | None = None
    ocop: OcopIn | None = None


class ProductPatch(BaseModel):
    """Fields of a product that may change: not its GTIN nor its owner (printed labels and
    lots carry them), nor its OCOP rating (recorded from the certificate at registration)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name_vi: str | None = Field(default=None, min_length=2, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    category: ProductCategory | None = None
    description: str | None = Field(default=None, max_length=4000)
    photo_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")
    declaration_kind: DeclarationKind | None = None

    @field_validator("name_vi", "category")
    @classmethod
    def _kept(cls, value: Any) -> Any:
        return partners.kept(value)


class ProductOut(BaseModel):
    """A registered product."""

    id: int
    name_vi: str
    name_en: str | None
    category: ProductCategory
    gtin: str | None
    owner: HolderOut
    description: str | None
    photo_url: str | None
    declaration_kind: DeclarationKind | None
    ocop: OcopOut | None
    verified: bool
    created_at: datetime


class ProductQuery(PageQuery):
    """Filters of the product list."""

    owner_id: int | None = None
    category: ProductCategory | None = None
    ocop: bool | None = Field(default=None, description="only products with an OCOP rating")
    verified: bool | None = Field(default=None, description="false: the unverified products "
                                  "EPCIS captures created, for an agency to check")


def ocop_out(product: Product, today: date | None = None) -> OcopOut | None:
    """A product's OCOP rating, if it has one."""
    if product.ocop_stars is None:
        return None
    today = today or date.today()
    valid = ((product.ocop_issued_on is None or product.ocop_issued_on <= today)
             and (product.ocop_valid_until is None or product.ocop_valid_until >= today))
    return OcopOut(stars=product.ocop_stars, certificate_no=product.ocop_certificate_no,
                   issued_on=product.ocop_issued_on, valid_until=product.ocop_valid_until,
                   valid_today=valid)


def to_out(product: Product) -> ProductOut:
    """The API view of a product."""
    return ProductOut(
        id=product.id, name_vi=product.name_vi, name_en=product.name_en,
        category=product.category, gtin=product.gtin,
        owner=HolderOut(id=product.owner.id, name=product.owner.name, kind=product.owner.kind),
        description=product.description, photo_url=product.photo_url,
        declaration_kind=product.declaration_kind, ocop=ocop_out(product),
        verified=product.verified, created_at=product.created_at)


def get(session: Session, product_id: int, field: str = "product_id") -> Product:
    """The product with this id; NotFound otherwise."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(f"product {product_id} is not registered",
                       errors=[FieldError(field, f"no product {product_id}")])
    return product


def register_product(session: Session, actor: Actor, data: ProductIn) -> Product:
    """Register a product: its owner, an agency of the owner's province, or an admin."""
    owner = partners.get(session, data.owner_id, "owner_id")
    if actor.is_partner:
        actor.ensure_acts_for(owner.id)
    else:
        actor.ensure_role(Role.AGENCY)
        actor.ensure_province(owner.province_code_current, "the product's owner")
    if data.gtin and session.execute(select(Product.id).where(Product.gtin == data.gtin)).scalar():
        raise Duplicate("gtin", data.gtin, "GTIN")
    product = Product(
        name_vi=data.name_vi.strip(), name_en=data.name_en, category=data.category,
        gtin=data.gtin, owner_id=owner.id, description=data.description,
        photo_url=data.photo_url, declaration_kind=data.declaration_kind,
        search_text=search_key(data.name_vi, data.name_en, data.gtin, owner.name))
    if data.ocop is not None:
        product.ocop_stars = data.ocop.stars
        product.ocop_certificate_no = data.ocop.certificate_no
        product.ocop_issued_on = data.ocop.issued_on
        product.ocop_valid_until = data.ocop.valid_until
    product.owner = owner
    session.add(product)
    session.flush()
    audit.append(session, actor, "register_product", "product", product.id,
                 data.model_dump(mode="json"))
    return product


def ensure_may_edit(actor: Actor, product: Product) -> None:
    """Its owner, an agency of the owner's province, or an admin (Forbidden otherwise)."""
    if actor.is_partner:
        actor.ensure_acts_for(product.owner_id)
    else:
        actor.ensure_role(Role.AGENCY)
        actor.ensure_province(product.owner.province_code_current, "the product's owner")


def update_product(session: Session, actor: Actor, product_id: int,
                   patch: ProductPatch) -> Product:
    """Change a product's names, category, description, photo or declaration."""
    product = get(session, product_id, "id")
    ensure_may_edit(actor, product)
    for name, value in patch.model_dump(exclude_unset=True).items():
        setattr(product, name, value)
    product.search_text = search_key(product.name_vi, product.name_en, product.gtin,
                                     product.owner.name)
    audit.append(session, actor, "update_product", "product", product.id,
                 patch.model_dump(mode="json", exclude_unset=True))
    return product


def search(query: ProductQuery) -> Select[Product]:
    """The products a list request asks for."""
    stmt = select(Product).order_by(Product.name_vi, Product.id)
    if query.owner_id is not None:
        stmt = stmt.where(Product.owner_id == query.owner_id)
    if query.category is not None:
        stmt = stmt.where(Product.category == query.category)
    if query.ocop is True:
        stmt = stmt.where(Product.ocop_stars.is_not(None))
    elif query.ocop is False:
        stmt = stmt.where(Product.ocop_stars.is_(None))
    if query.verified is not None:
        stmt = stmt.where(Product.verified.is_(query.verified))
    if query.q:
        stmt = stmt.where(Product.search_text.like(like(fold(query.q)), escape="\\"))
    return stmt


def list_products(session: Session, query: ProductQuery) -> Page[ProductOut]:
    """One page of products."""
    return paginate(session, search(query), query, to_out)
