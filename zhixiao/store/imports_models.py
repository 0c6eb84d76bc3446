"""Import records (导入记录): one row per file per ``zhixiao import`` call, for audit and idempotence.

Created by the ``imports`` Alembic branch (``imports_0001_create_import_records.py``); keep both in step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhixiao.store.ops import Base

STATUSES = ("ok", "unchanged", "failed")  # 成功 / 已导入过未作更改 / 失败（文件级错误）


class ImportRecord(Base):
    """What was imported, by whom, when, with what outcome; ``sha256`` makes re-imports no-ops."""

    __tablename__ = "import_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32), index=True)  # one ``import`` call
    user: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    data_dir: Mapped[str] = mapped_column(String(1024))
    table_name: Mapped[str] = mapped_column(String(32))  # cases | case_events | people
    file_name: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    encoding: Mapped[str | None] = mapped_column(String(32))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    rejects_path: Mapped[str | None] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    manifest_version: Mapped[int | None] = mapped_column(Integer)
