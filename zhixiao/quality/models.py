"""Stored results of each 数据质量体检 (migration: quality_0001), so a check can say what changed since the last.

A run is one check over one scope (a court, or an intermediate court with its basic courts); per court it
keeps the cases checked, the score and one count per check. The findings' case lists are not kept: they are
recomputed from the store, which holds the cases.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zhixiao.store.ops import Base


class QualityRun(Base):
    __tablename__ = "quality_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(32), nullable=False, index=True)  # court code, or "*" for every court
    start: Mapped[date] = mapped_column(Date, nullable=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(64))


class QualityCourt(Base):
    __tablename__ = "quality_courts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("quality_runs.id", ondelete="CASCADE"), nullable=False, index=True)
    court_code: Mapped[str] = mapped_column(String(32), nullable=False)
    checked: Mapped[int] = mapped_column(Integer, nullable=False)  # cases in scope
    flagged: Mapped[int] = mapped_column(Integer, nullable=False)  # distinct cases with a finding
    missing: Mapped[int] = mapped_column(Integer, nullable=False)  # 断号: numbers never registered
    score: Mapped[float] = mapped_column(Float, nullable=False)


class QualityCount(Base):
    __tablename__ = "quality_counts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("quality_runs.id", ondelete="CASCADE"), nullable=False, index=True)
    court_code: Mapped[str] = mapped_column(String(32), nullable=False)
    check: Mapped[str] = mapped_column(String(64), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
