"""Supervision ledger tables in the operational DB (migration: supervision_0001).

``Alert.key`` is unique: rule | subject | cycle. The daily job inserts with ON CONFLICT DO NOTHING, so
running it twice — or twice at once — creates no duplicates on SQLite or PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhixiao.store.ops import Base

STATUSES = ("open", "acknowledged", "resolved", "escalated")
STATUS_NAMES = {"open": "待处理", "acknowledged": "已签收", "resolved": "已办结", "escalated": "已升级"}


class Alert(Base):
    __tablename__ = "sup_alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    case_id: Mapped[str | None] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(128), nullable=False)  # case id, judge:<id> or service item
    court_code: Mapped[str | None] = mapped_column(String(32), index=True)
    division: Mapped[str | None] = mapped_column(String(64))
    judge_id: Mapped[str | None] = mapped_column(String(64), index=True)
    judge_name: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    rule_id: Mapped[str] = mapped_column(String(64), nullable=False)
    rule_name: Mapped[str] = mapped_column(String(128), nullable=False)
    triggered_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    due: Mapped[date] = mapped_column(Date, nullable=False)
    deadline: Mapped[date | None] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    detail: Mapped[str | None] = mapped_column(Text)
    assignee_role: Mapped[str] = mapped_column(String(24), nullable=False)
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class AlertEvent(Base):
    __tablename__ = "sup_alert_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("sup_alert.id", ondelete="CASCADE"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    user: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(24), nullable=False)  # created|acknowledged|resolved|escalated
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
