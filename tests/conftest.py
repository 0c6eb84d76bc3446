"""Shared fixtures. ``sql_url`` runs a test on SQLite and on PostgreSQL (ZHIXIAO_TEST_PG_URL)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("ZHIXIAO_TEST_PG_URL")
PG_SKIP = "PostgreSQL 测试未启用：设置 ZHIXIAO_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test（.ci/run 会自动设置）"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_url(request, tmp_path):
    """A fresh, empty operational database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ops.sqlite'}"
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    schema = f"zx_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    from zhixiao.store import ops

    ops.get_engine.cache_clear()
    ops._migrated.clear()
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
