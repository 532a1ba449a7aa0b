"""Approved-supplier lists: the suppliers a retailer or distributor has approved, for which
products or categories. The alerts job (`chains.supplier_alerts`) watches these suppliers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit, lots, partners, products
from registry.actors import Actor
from registry.errors import Duplicate, FieldError, Forbidden, Invalid, NotFound
from registry.models import ApprovedSupplier, Partner, PartnerKind, ProductCategory

LIST_KINDS = (PartnerKind.RETAILER, PartnerKind.DISTRIBUTOR)


class ApprovalIn(BaseModel):
    """A supplier to approve."""

    model_config = ConfigDict(extra="forbid")

    supplier_id: int
    product_ids: list[int] = Field(default_factory=list, max_length=200)
    categories: list[ProductCategory] = Field(default_factory=list, max_length=20)
    note: str | None = Field(default=None, max_length=2000)
    approved_on: date | None = Field(default=None, description="today when omitted")


class ApprovalOut(BaseModel):
    """An approved supplier."""

    id: int
    retailer_id: int
    supplier: lots.PartnerRef
    product_ids: list[int]
    categories: list[str]
    note: str | None
    approved_on: date
    created_by: str
    created_at: datetime


def to_out(row: ApprovedSupplier, supplier: Partner) -> ApprovalOut:
    """The API view of an approval."""
    return ApprovalOut(id=row.id, retailer_id=row.retailer_id, supplier=lots.partner_ref(supplier),
                       product_ids=row.product_ids or [], categories=row.categories or [],
                       note=row.note, approved_on=row.approved_on, created_by=row.created_by,
                       created_at=row.created_at)


def list_owner(session: Session, actor: Actor, retailer_id: int, *, write: bool) -> Partner:
    """The retailer whose list it is: it reads and writes its own; agencies read; admins all."""
    retailer = partners.get(session, retailer_id, "id")
    if actor.is_partner:
        actor.ensure_acts_for(retailer.id)
    elif write and not actor.is_admin:
        raise Forbidden("an approved-supplier list is kept by its retailer")
    partners.ensure_kind(retailer, *LIST_KINDS, field="id")
    return retailer


def approve(session: Session, actor: Actor, retailer_id: int, data: ApprovalIn) -> ApprovedSupplier:
    """Add a supplier to a retailer's approved list (once)."""
    retailer = list_owner(session, actor, retailer_id, write=True)
    supplier = partners.get(session, data.supplier_id, "supplier_id")
    if supplier.id == retailer.id:
        raise Invalid.field("supplier_id", "a partner does not approve itself")
    if supplier.kind is PartnerKind.AGENCY:
        raise Invalid.field("supplier_id", "agencies supply nothing")
    for i, product_id in enumerate(data.product_ids):
        products.get(session, product_id, f"product_ids.{i}")
    if session.execute(select(ApprovedSupplier.id).where(
            ApprovedSupplier.retailer_id == retailer.id,
            ApprovedSupplier.supplier_id == supplier.id)).first():
        raise Duplicate("supplier_id", str(supplier.id), f"approved supplier of {retailer.id}")
    row = ApprovedSupplier(retailer_id=retailer.id, supplier_id=supplier.id,
                           product_ids=sorted(set(data.product_ids)),
                           categories=sorted({c.value for c in data.categories}), note=data.note,
                           approved_on=data.approved_on or date.today(),
                           created_by=actor.username)
    session.add(row)
    session.flush()
    audit.append(session, actor, "approve_supplier", "partner", retailer.id,
                 data.model_dump(mode="json"))
    return row


def list_approved(session: Session, actor: Actor, retailer_id: int) -> list[ApprovalOut]:
    """A retailer's approved suppliers, by name."""
    retailer = list_owner(session, actor, retailer_id, write=False)
    rows = session.execute(select(ApprovedSupplier, Partner)
                           .join(Partner, Partner.id == ApprovedSupplier.supplier_id)
                           .where(ApprovedSupplier.retailer_id == retailer.id)
                           .order_by(Partner.name, Partner.id)).all()
    return [to_out(row, supplier) for row, supplier in rows]


def remove(session: Session, actor: Actor, retailer_id: int, supplier_id: int) -> None:
    """Take a supplier off a retailer's approved list."""
    retailer = list_owner(session, actor, retailer_id, write=True)
    row = session.execute(select(ApprovedSupplier).where(
        ApprovedSupplier.retailer_id == retailer.id,
        ApprovedSupplier.supplier_id == supplier_id)).scalar()
    if row is None:
        raise NotFound(f"partner {supplier_id} is not on the approved list of {retailer.id}",
                       errors=[FieldError("supplier_id", "not approved")])
    session.delete(row)
    session.flush()
    audit.append(session, actor, "remove_approved_supplier", "partner", retailer.id,
                 {"supplier_id": supplier_id})
