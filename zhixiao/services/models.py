"""Operational tables of the litigation-service module (12368 tickets, ratings, 司法建议, 信访积案).

Created by the ``services`` Alembic branch (``services_0001_initial.py``, ``services_0002_keys_history.py``);
keep both in step. Each register has a key it refuses to store twice (ticket number, rating number, 文号,
petitioner and case); changes to a stored record go through an update verb and leave a ``ServiceChange``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhixiao.store.ops import Base


class HotlineTicket(Base):
    """One 12368 request (工单): who called, about what, who must answer by when, and the outcome."""

    __tablename__ = "svc_hotline_ticket"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_no: Mapped[str] = mapped_column(String(64), unique=True)
    court_code: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(32))  # 电话 / 网络 / 短信 / 现场
    category: Mapped[str] = mapped_column(String(32))  # 诉讼咨询 / 案件查询 / 联系法官 / 投诉举报 / 意见建议 …
    caller_name: Mapped[str | None] = mapped_column(String(64))
    caller_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    case_id: Mapped[str | None] = mapped_column(String(64), index=True)
    content: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    due_date: Mapped[date] = mapped_column(Date)
    assignee: Mapped[str | None] = mapped_column(String(64))  # judge name or department
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    division: Mapped[str | None] = mapped_column(String(64))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime)
    result: Mapped[str | None] = mapped_column(Text)
    contacted: Mapped[bool | None] = mapped_column(Boolean)  # 联系法官: the judge reached the caller
    satisfaction: Mapped[int | None] = mapped_column(Integer)  # 1..5 caller rating


class Rating(Base):
    """One 一事一评 satisfaction rating of a service item."""

    __tablename__ = "svc_rating"
    # NULLs are distinct in a unique index (SQLite and PostgreSQL): ratings without a number stay allowed.
    __table_args__ = (Index("uq_svc_rating_no", "court_code", "rating_no", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    court_code: Mapped[str] = mapped_column(String(32), index=True)
    rating_no: Mapped[str | None] = mapped_column(String(64))  # 评价编号 of the rating system; 12368-<ticket>
    item: Mapped[str] = mapped_column(String(64))  # 立案 / 诉讼咨询 / 材料收转 / 12368 …
    window: Mapped[str | None] = mapped_column(String(64))  # 窗口
    staff_id: Mapped[str | None] = mapped_column(String(64))
    staff_name: Mapped[str | None] = mapped_column(String(64))
    rated_on: Mapped[date] = mapped_column(Date, index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(32))
    case_id: Mapped[str | None] = mapped_column(String(64))
    follow_up: Mapped[FollowUp | None] = relationship(back_populates="rating", uselist=False)


class FollowUp(Base):
    """差评督办: every negative rating gets one, with a due date and a recorded resolution."""

    __tablename__ = "svc_followup"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("svc_rating.id"), unique=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    due_date: Mapped[date] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    rating: Mapped[Rating] = relationship(back_populates="follow_up")


class SuggestionCounter(Base):
    """Last 司法建议 sequence per court and year; the row is locked while a number is taken."""

    __tablename__ = "svc_suggestion_counter"
    court_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Suggestion(Base):
    """One 司法建议 in the register."""

    __tablename__ = "svc_suggestion"
    __table_args__ = (UniqueConstraint("court_code", "year", "seq", name="uq_svc_suggestion_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    court_code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    source_case_id: Mapped[str | None] = mapped_column(String(64))
    addressee: Mapped[str] = mapped_column(String(128))
    issue: Mapped[str] = mapped_column(Text)  # 问题
    proposal: Mapped[str | None] = mapped_column(Text)  # 建议内容
    status: Mapped[str] = mapped_column(String(16))  # drafted|reviewed|signed|sent|replied|archived|withdrawn
    drafted_by: Mapped[str] = mapped_column(String(64))
    drafted_on: Mapped[date] = mapped_column(Date)
    sent_on: Mapped[date | None] = mapped_column(Date)
    reply_due: Mapped[date | None] = mapped_column(Date)
    reply_on: Mapped[date | None] = mapped_column(Date)
    adopted: Mapped[bool | None] = mapped_column(Boolean)
    reply_summary: Mapped[str | None] = mapped_column(Text)
    archived_on: Mapped[date | None] = mapped_column(Date)
    steps: Mapped[list[SuggestionStep]] = relationship(back_populates="suggestion", order_by="SuggestionStep.id")


class SuggestionStep(Base):
    """One signature in the approval chain (起草 → 核稿 → 签发), with who and when."""

    __tablename__ = "svc_suggestion_step"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("svc_suggestion.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))  # draft|review|sign
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))  # 承办人 / 部门负责人 / 分管院领导 / 院长 / 审委会
    acted_on: Mapped[date] = mapped_column(Date)
    opinion: Mapped[str | None] = mapped_column(Text)
    suggestion: Mapped[Suggestion] = relationship(back_populates="steps")


class Petition(Base):
    """信访积案: one petition backlog entry with its owner (包案领导/承办人) and status."""

    __tablename__ = "svc_petition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    court_code: Mapped[str] = mapped_column(String(32), index=True)
    case_id: Mapped[str | None] = mapped_column(String(64))
    petitioner: Mapped[str] = mapped_column(String(64))
    received_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # 在办 / 已化解 / 息访
    resolved_on: Mapped[date | None] = mapped_column(Date)


class ServiceChange(Base):
    """One change to a stored service record: who changed which fields from what to what, and when.

    The services' counterpart of the supervision ledger's ``AlertEvent`` (that table is keyed to alerts).
    """

    __tablename__ = "svc_change"
    __table_args__ = (Index("ix_svc_change_record", "register", "record_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    register: Mapped[str] = mapped_column(String(24))  # hotline_ticket | rating | suggestion | petition
    record_key: Mapped[str] = mapped_column(String(128))  # ticket number, rating number, 文号, petition id
    at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(24))  # update | respond | status
    changes: Mapped[str] = mapped_column(Text)  # JSON {field: [old, new]}
    note: Mapped[str | None] = mapped_column(Text)
