"""Named safe-food supply chains (chuỗi cung ứng thực phẩm an toàn; Decision 3075/QĐ-BNN-QLCL)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, utcnow
from registry.models.registry import Partner, Product


class SupplyChain(Base):
    """A chain an agency confirms: member partners and their roles, products, declared links."""

    __tablename__ = "supply_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    provinces: Mapped[list[str]] = mapped_column(JSON, default=list)  # current codes covered
    confirmed_on: Mapped[date | None]
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[ChainMember]] = relationship(
        back_populates="chain", cascade="all, delete-orphan", order_by="ChainMember.position")
    products: Mapped[list[ChainProduct]] = relationship(cascade="all, delete-orphan")
    links: Mapped[list[ChainLink]] = relationship(cascade="all, delete-orphan")


class ChainMember(Base):
    """A partner's role in a chain and the certificates it must hold (any one of them)."""

    __tablename__ = "chain_member"

    chain_id: Mapped[int] = mapped_column(ForeignKey("supply_chain.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), primary_key=True,
                                            index=True)
    role: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    required_schemes: Mapped[list[str]] = mapped_column(JSON, default=list)

    chain: Mapped[SupplyChain] = relationship(back_populates="members")
    partner: Mapped[Partner] = relationship(lazy="joined")


class ChainProduct(Base):
    """A product the chain supplies."""

    __tablename__ = "chain_product"

    chain_id: Mapped[int] = mapped_column(ForeignKey("supply_chain.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)

    product: Mapped[Product] = relationship(lazy="joined")


class ChainLink(Base):
    """A declared supplier -> customer link between two members."""

    __tablename__ = "chain_link"

    chain_id: Mapped[int] = mapped_column(ForeignKey("supply_chain.id"), primary_key=True)
    from_partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), primary_key=True)
    to_partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), primary_key=True)
