"""``zhixiao targets`` and ``zhixiao signals`` through the CLI on a small synthetic store."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from tests.analysis._synth import make_cases, write
from zhixiao.cli import app
from zhixiao.errors import UserError

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    write(d, make_cases("冀0102", range(2022, 2026), 600, 75, 5, date(2025, 12, 31)))
    return str(d)


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=True)


def test_targets_set_show_forecast(data_dir, monkeypatch):
    monkeypatch.delenv("ZHIXIAO_SQL_URL", raising=False)
    r = run("targets", "set", "--court", "冀0102", "--year", "2025", "--indicator", "closure_rate", "--value", "80%",
            "--data-dir", data_dir)
    assert r.exit_code == 0, r.output
    assert "closure_rate = 0.8" in r.output
    r = run("targets", "show", "--court", "冀0102", "--year", "2025", "--as-of", "2025-06-30", "--by", "judge",
            "--data-dir", data_dir, "--format", "json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    (row,) = out["progress"]
    assert row["indicator"] == "closure_rate" and row["target"] == 0.8 and row["reference_floor"] == 0.55
    assert {p["unit"] for p in out["decomposition"]} == {"J1", "J2", "J3", "J4", "J5"}
    r = run("targets", "forecast", "--court", "冀0102", "--as-of", "2025-06-30", "--data-dir", data_dir,
            "--format", "json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["target_rate"] == 0.8  # the stored target, not the 93% default
    assert out["total"]["workdays_left"] == 128 and len(out["judges"]) == 5
    assert {f["indicator"] for f in out["forecast"]} >= {"closure_rate", "clearance_ratio", "pending", "long_pending_12m"}
    r = run("targets", "forecast", "--court", "冀0102", "--as-of", "2025-06-30", "--data-dir", data_dir)
    assert r.exit_code == 0 and "每个剩余工作日" in r.output and "年末测算" in r.output


def test_user_errors(data_dir):
    r = run("targets", "set", "--court", "冀0102", "--year", "2025", "--indicator", "closure_rate", "--value", "abc",
            "--data-dir", data_dir)
    assert isinstance(r.exception, UserError) and "不是数字" in str(r.exception)
    r = run("targets", "show", "--court", "冀0999", "--year", "2025", "--data-dir", data_dir)
    assert isinstance(r.exception, UserError) and "尚未设定" in str(r.exception)
    r = run("signals", "--court", "冀0102", "--from", "2025-12-31", "--to", "2025-01-01", "--data-dir", data_dir)
    assert isinstance(r.exception, UserError) and "晚于" in str(r.exception)


def test_signals_command(data_dir):
    r = run("signals", "--court", "冀0102", "--from", "2025-01-01", "--to", "2025-12-31", "--data-dir", data_dir)
    assert r.exit_code == 0, r.output
    assert "未发现异常信号" in r.output  # the synthetic court plays fair
    r = run("signals", "--court", "冀0102", "--from", "2025-01-01", "--to", "2025-12-31", "--data-dir", data_dir,
            "--format", "json")
    assert r.exit_code == 0 and r.output == ""
