"""pyspark is the optional extra zhixiao[spark]: without it DuckDB works and asking for Spark is a Chinese
user error naming the extra (``zhixiao.cli.main`` turns it into exit 1), not a traceback."""

from __future__ import annotations

import sys
from datetime import date

import pytest
from typer.testing import CliRunner

from tests.supervision.conftest import write_store
from zhixiao import engine
from zhixiao.cli import app
from zhixiao.errors import UserError


@pytest.fixture
def no_pyspark(monkeypatch):
    for name in [m for m in sys.modules if m == "pyspark" or m.startswith("pyspark.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark → ModuleNotFoundError, as when not installed
    monkeypatch.setattr(engine, "_spark_session", None)


def test_spark_without_pyspark_is_a_user_error(no_pyspark, tmp_path):
    with pytest.raises(UserError, match=r"zhixiao\[spark\]"):
        engine.connect(tmp_path, "spark")
    assert engine.connect(tmp_path, "duckdb").backend == "duckdb"


def test_supervise_run_backend_spark_without_pyspark(no_pyspark, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZHIXIAO_SQL_URL", raising=False)
    monkeypatch.delenv("ZHIXIAO_CONFIG", raising=False)
    write_store(tmp_path / "d", [{"case_id": "(2025)X民初1号", "procedure": "civil_ordinary",
                                        "filing_date": date(2025, 3, 1)}])
    res = CliRunner().invoke(app, ["supervise", "run", "--data-dir", str(tmp_path / "d"), "--backend", "spark"])
    assert isinstance(res.exception, UserError) and "zhixiao[spark]" in str(res.exception)
