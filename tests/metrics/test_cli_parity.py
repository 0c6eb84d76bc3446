"""The CLI's JSON contract, its formatting, and DuckDB/Spark parity over every indicator and grouping."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.metrics.conftest import END, START
from zhixiao.cli import app
from zhixiao.commands.indicators import fmt_value, fmt_yoy
from zhixiao.metrics.catalogue import load_profile
from zhixiao.metrics.evaluate import evaluate

runner = CliRunner()
CONTRACT_KEYS = {"group", "indicator", "name", "value", "numerator", "denominator", "unit", "yoy", "in_range"}


def test_json_contract(court_dir):
    out = runner.invoke(app, ["indicators", "--data-dir", str(court_dir), "--from", "2025-01-01", "--to", "2025-12-31",
                              "--by", "court", "--compare", "yoy", "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["profile"] == "court-classic"
    assert doc["period"]["start"] == "2025-01-01" and doc["period"]["previous_end"] == "2024-12-31"
    assert all(CONTRACT_KEYS <= set(r) for r in doc["rows"])
    row = next(r for r in doc["rows"] if r["indicator"] == "closure_rate" and r["group"]["court_code"] == "冀01")
    # 冀01: received C23 C24 C25 C27 C28 (C26 closed 2024) = 5, closed 4; 2024: received C26, closed C26
    assert (row["numerator"], row["denominator"], row["value"]) == (4, 5, 0.8)
    assert row["yoy"] == pytest.approx(-20.0) and row["name"] == "结案率" and row["in_range"] is False


def test_table_and_errors(court_dir):
    out = runner.invoke(app, ["indicators", "--data-dir", str(court_dir), "--to", "2025-12-31", "--compare", "yoy",
                              "--indicator", "closure_rate"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "结案率" in out.stdout and "63.64%" in out.stdout and "个百分点" in out.stdout
    bad = runner.invoke(app, ["indicators", "--data-dir", str(court_dir), "--to", "2025-13-01"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in str(bad.exception)
    csv_out = runner.invoke(app, ["indicators", "--data-dir", str(court_dir), "--to", "2025-12-31", "--format", "csv",
                                  "--indicator", "closed", "--by", "line"])
    assert csv_out.stdout.splitlines()[0].startswith("条线,指标代码,指标")


def test_formatting():
    assert fmt_value("rate", 0.63636) == "63.64%"
    assert fmt_value("days", 115.2857) == "115.29天"
    assert fmt_value("count", 1234) == "1,234"
    assert fmt_value("rate", None) == "—"
    assert fmt_yoy(41.414, "pp") == "+41.41个百分点" and fmt_yoy(-5, "%") == "-5.00%"


@pytest.mark.spark
@pytest.mark.parametrize("profile", ["court-classic", "spc-2024", "courtools"])
def test_duckdb_spark_parity_every_indicator(duck, spark_engine, profile):
    ids = [i.id for i in load_profile(profile, END) if i.id != "on_time_rate"]  # 审限 parity: its own module
    a = evaluate(duck, profile, START, END, by=("court", "division"), compare="yoy", indicators=ids).to_dict()
    b = evaluate(spark_engine, profile, START, END, by=("court", "division"), compare="yoy", indicators=ids).to_dict()
    assert a == b
    assert len(a["rows"]) == len(ids) * 6  # 冀0123: 民一庭 刑庭 执行局 立案庭 诉讼服务中心; 冀01: 民二庭


def test_list_and_drill_commands(court_dir):
    lst = runner.invoke(app, ["indicators", "list", "--profile", "spc-2024", "--on", "2025-12-31", "--format", "json"])
    assert lst.exit_code == 0, lst.output
    ids = [json.loads(line)["indicator"] for line in lst.stdout.splitlines()]
    assert "case_dispute_ratio" in ids and "first_reversed_rate" not in ids  # removed in the 2024-09 revision
    drill = runner.invoke(app, ["indicators", "drill", "long_pending_12m", "--data-dir", str(court_dir),
                                "--to", "2025-12-31", "--format", "json"])
    assert drill.exit_code == 0, drill.output
    assert sorted(json.loads(line)["case_id"] for line in drill.stdout.splitlines()) == ["C10", "C6"]
    bad = runner.invoke(app, ["indicators", "drill", "closed", "--data-dir", str(court_dir), "--to", "2025-12-31",
                              "--part", "denominator"])
    assert bad.exit_code != 0 and "没有分母" in str(bad.exception)
