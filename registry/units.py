"""Units of quantity. Masses convert (t, kg, g -> g) and litres to ml; count units (head,
piece, case, box, bag) are their own base. Quantities that must balance are exact integers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum

from registry.errors import Invalid


class Unit(StrEnum):
    """The units a quantity may be given in (DESIGN.md section 4)."""

    KG = "kg"
    T = "t"
    G = "g"
    L = "l"
    ML = "ml"
    HEAD = "head"
    PIECE = "piece"
    CASE = "case"
    BOX = "box"
    BAG = "bag"


_FACTORS: dict[Unit, tuple[str, int]] = {
    Unit.G: ("g", 1), Unit.KG: ("g", 1000), Unit.T: ("g", 1_000_000),
    Unit.ML: ("ml", 1), Unit.L: ("ml", 1000),
    Unit.HEAD: ("head", 1), Unit.PIECE: ("piece", 1), Unit.CASE: ("case", 1),
    Unit.BOX: ("box", 1), Unit.BAG: ("bag", 1),
}
MAX_BASE = 10**15
"""No lot is larger than a billion tonnes."""


def base_unit(unit: Unit | str) -> str:
    """The base unit quantities in `unit` are stored in."""
    return _FACTORS[Unit(unit)][0]


def to_base(quantity: Decimal | float | int | str, unit: Unit | str, *,
            field: str = "quantity") -> tuple[int, str]:
    """An exact positive integer quantity in the base unit, and that unit's name."""
    unit = Unit(unit)
    base, factor = _FACTORS[unit]
    try:
        value = Decimal(str(quantity)) * factor
    except InvalidOperation:
        raise Invalid.field(field, "is not a number") from None
    if not value.is_finite() or value <= 0:
        raise Invalid.field(field, "must be greater than 0")
    if value != value.to_integral_value():
        raise Invalid.field(field, f"is finer than 1 {base}")
    if value > MAX_BASE:
        raise Invalid.field(field, "is too large")
    return int(value), base


def to_lot_base(quantity: Decimal | float | int | str, unit: Unit | str, lot_base: str, *,
                field: str = "quantity") -> int:
    """A quantity converted to a lot's base unit; Invalid if the units do not convert."""
    amount, base = to_base(quantity, unit, field=field)
    if base != lot_base:
        raise Invalid.field(field.rsplit(".", 1)[0] + ".unit" if "." in field else "unit",
                            f"{Unit(unit).value} does not convert to the lot's unit {lot_base}")
    return amount


def display(amount: int, base: str, unit: Unit | str | None = None) -> tuple[float, str]:
    """A base quantity shown in `unit` (the unit the producer used) when it converts."""
    if unit is not None and base_unit(unit) == base:
        return amount / _FACTORS[Unit(unit)][1], Unit(unit).value
    return float(amount), base
