"""Holdings: what each partner holds of each lot, kept by atomic conditional updates so that
concurrent requests can never take more than is held (mass balance)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry.errors import Conflict, FieldError
from registry.models import Holding, Lot, LotStatus


class InsufficientQuantity(Conflict):
    """A partner asked to ship or consume more of a lot than it holds."""

    slug = "insufficient-quantity"

    def __init__(self, lot: Lot, *, held: int, asked: int, field: str = "quantity") -> None:
        super().__init__(
            f"lot {lot.lot_code}: the partner holds {held} {lot.base_unit}, asked {asked} "
            f"{lot.base_unit}",
            errors=[FieldError(field, f"at most {held} {lot.base_unit} of lot {lot.lot_code}")])
        self.lot_code, self.held, self.asked = lot.lot_code, held, asked


class LotNotMovable(Conflict):
    """A lot on hold, recalled or destroyed cannot be shipped or transformed."""

    slug = "lot-not-movable"

    def __init__(self, lot: Lot, *, held: int, asked: int, field: str = "lot_code") -> None:
        super().__init__(
            f"lot {lot.lot_code} is {lot.status.value}: it cannot be shipped or transformed "
            f"(held {held} {lot.base_unit}, asked {asked} {lot.base_unit})",
            errors=[FieldError(field, f"lot {lot.lot_code} is {lot.status.value}")])
        self.lot_code, self.held, self.asked = lot.lot_code, held, asked


def held(session: Session, lot_id: int, partner_id: int) -> int:
    """How much of a lot a partner holds (0 if none)."""
    return session.execute(select(Holding.quantity).where(
        Holding.lot_id == lot_id, Holding.partner_id == partner_id)).scalar() or 0


def ensure_movable(session: Session, lot: Lot, partner_id: int, asked: int,
                   field: str = "lot_code") -> None:
    """Conflict unless the lot is active."""
    if lot.status is not LotStatus.ACTIVE:
        raise LotNotMovable(lot, held=held(session, lot.id, partner_id), asked=asked, field=field)


def take(session: Session, lot: Lot, partner_id: int, asked: int,
         field: str = "quantity") -> None:
    """Remove `asked` from a partner's holding, atomically; InsufficientQuantity otherwise."""
    result = session.execute(
        update(Holding)
        .where(Holding.lot_id == lot.id, Holding.partner_id == partner_id,
               Holding.quantity >= asked)
        .values(quantity=Holding.quantity - asked)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InsufficientQuantity(lot, held=held(session, lot.id, partner_id), asked=asked,
                                   field=field)


def give(session: Session, lot_id: int, partner_id: int, amount: int) -> None:
    """Add `amount` to a partner's holding of a lot (one atomic upsert)."""
    dialect = session.get_bind().dialect.name
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Holding)
    session.execute(
        upsert.values(lot_id=lot_id, partner_id=partner_id, quantity=amount)
        .on_conflict_do_update(index_elements=["lot_id", "partner_id"],
                               set_={"quantity": Holding.quantity + amount}))


def of_lot(session: Session, lot_id: int) -> list[Holding]:
    """Every non-empty holding of a lot."""
    return list(session.execute(select(Holding).where(
        Holding.lot_id == lot_id, Holding.quantity > 0).order_by(Holding.partner_id)).scalars())
