"""Targets of the plans' indicators: data, not code (VIETNAM.md section 11 tags them [U]/[S])."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, utcnow


class IndicatorTarget(Base):
    """One indicator's target and its legal or plan basis, for every province (province_code
    NULL) or overriding it for one current province; admins edit it."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("key", "province_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), index=True)
    province_code: Mapped[str | None] = mapped_column(String(2))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    target: Mapped[float]
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    basis: Mapped[str] = mapped_column(Text)
    confidence: Mapped[str] = mapped_column(String(1), default="U")  # C, S or U (VIETNAM.md)
    position: Mapped[int] = mapped_column(default=0)
    updated_by: Mapped[str] = mapped_column(String(80), default="migration")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
