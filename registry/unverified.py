"""Records an EPCIS capture created for identifiers the registry did not know (partners named
after a GLN or location URI, products named after a GTIN), flagged `verified = False` for an
agency: the queue of those an agency may check, and marking one checked.

An agency checks the records in its provinces (a partner's current province; a product's
owner's), admins all of them, including those in the unknown province `00` that an admin's own
capture makes. Correcting a record's name or place is the partner edit (PATCH) as usual;
marking it verified is its own audited act.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from registry import audit, notifications
from registry import partners as partner_registry
from registry import products as product_registry
from registry.actors import Actor
from registry.models import Partner, Product, Role

QUEUE_ROWS = 200


@dataclass
class Queue:
    """What an actor may verify: the oldest first, at most QUEUE_ROWS of each, with totals."""

    partners: list[Partner]
    products: list[Product]
    partner_total: int
    product_total: int


def queue(session: Session, actor: Actor, limit: int = QUEUE_ROWS) -> Queue:
    """The unverified partners and products in the actor's provinces (admins: all)."""
    actor.ensure_role(Role.AGENCY)
    partner_where = [Partner.verified.is_(False)]
    product_where = [Product.verified.is_(False)]
    if not actor.is_admin:
        provinces = sorted(actor.provinces)
        partner_where.append(Partner.province_code_current.in_(provinces))
        product_where.append(Product.owner_id.in_(
            select(Partner.id).where(Partner.province_code_current.in_(provinces))))
    return Queue(
        partners=list(session.execute(select(Partner).where(*partner_where)
                                      .order_by(Partner.created_at, Partner.id).limit(limit))
                      .scalars()),
        products=list(session.execute(
            select(Product).options(joinedload(Product.owner)).where(*product_where)
            .order_by(Product.created_at, Product.id).limit(limit)).scalars()),
        partner_total=session.execute(select(func.count()).select_from(Partner)
                                      .where(*partner_where)).scalar_one(),
        product_total=session.execute(select(func.count()).select_from(Product)
                                      .where(*product_where)).scalar_one())


def verify_partner(session: Session, actor: Actor, partner_id: int) -> Partner:
    """Mark a partner checked: an agency of its province or an admin (a no-op if it is)."""
    partner = partner_registry.get(session, partner_id, "partner_id")
    actor.ensure_role(Role.AGENCY)
    actor.ensure_province(partner.province_code_current, "the partner")
    if not partner.verified:
        partner.verified = True
        audit.append(session, actor, "verify_partner", "partner", partner.id,
                     {"verified": True, "name": partner.name, "gln": partner.gln})
    return partner


def verify_product(session: Session, actor: Actor, product_id: int) -> Product:
    """Mark a product checked: an agency of its owner's province or an admin."""
    product = product_registry.get(session, product_id, "product_id")
    actor.ensure_role(Role.AGENCY)
    actor.ensure_province(product.owner.province_code_current, "the product's owner")
    if not product.verified:
        product.verified = True
        audit.append(session, actor, "verify_product", "product", product.id,
                     {"verified": True, "name_vi": product.name_vi, "gtin": product.gtin})
    return product


def flag(session: Session, capture_id: str, partner_ids: list[int],
         product_ids: list[int]) -> None:
    """Tell the agencies of the provinces concerned (the new partners', the new products'
    owners') that a capture made records for them to check."""
    if not partner_ids and not product_ids:
        return
    owners = select(Product.owner_id).where(Product.id.in_(product_ids))
    provinces = session.execute(select(Partner.province_code_current).distinct().where(
        Partner.id.in_(partner_ids) | Partner.id.in_(owners))).scalars().all()
    notifications.notify(
        session, kind="unverified", subject_type="epcis_capture", subject_id=capture_id,
        title=(f"Dữ liệu EPCIS {capture_id}: {len(partner_ids)} cơ sở, {len(product_ids)} "
               "sản phẩm chưa xác minh"),
        body="Được tạo cho các mã định danh chưa có trong hệ thống; cần kiểm tra và xác minh "
             "(trang Hồ sơ chưa xác minh). / Created for identifiers the registry did not know: "
             "check and verify them (Unverified records page).",
        provinces=provinces)
