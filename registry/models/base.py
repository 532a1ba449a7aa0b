"""The declarative base, column helpers and the place columns every place-bearing record has."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import DateTime, MetaData, String, TypeDecorator
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: type[Enum]) -> SAEnum:
    """A portable enum column that stores the member's value ("on_hold", not "ON_HOLD")."""
    return SAEnum(
        enum, native_enum=False, length=32, validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    """Every table of the registry; constraint names are stable for Alembic."""

    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    })
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}


class PlaceMixin:
    """A place as recorded and the current unit derived from it (VIETNAM.md section 2.1)."""

    adm_scheme: Mapped[str] = mapped_column(String(8))
    province_code: Mapped[str] = mapped_column(String(2))
    district_code: Mapped[str | None] = mapped_column(String(3))
    commune_code: Mapped[str | None] = mapped_column(String(5))
    address: Mapped[str | None] = mapped_column(String(300))

    @declared_attr
    def province_code_current(cls) -> Mapped[str]:
        # authorisation and reports by province filter on it
        return mapped_column(String(2), index=True)

    commune_code_current: Mapped[str | None] = mapped_column(String(5))

    def set_place(self, columns: dict[str, Any]) -> None:
        """Store the columns `registry.places.resolve` returned."""
        for name, value in columns.items():
            setattr(self, name, value)
