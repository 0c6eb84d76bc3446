"""Annual targets (年度目标) per court and indicator, kept in the operational database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from zhixiao.store.ops import Base


class Target(Base):
    """One court-level annual target; division and judge shares are derived, never stored."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("court_code", "year", "indicator", name="uq_targets_court_year_indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    court_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    indicator: Mapped[str] = mapped_column(String(64), nullable=False)  # glossary id, e.g. closure_rate
    value: Mapped[float] = mapped_column(Float, nullable=False)  # rates as fractions (0.93), counts as numbers
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, server_default=func.now())
