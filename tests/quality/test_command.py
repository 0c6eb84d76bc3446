"""``zhixiao quality`` and ``zhixiao city`` as a user runs them: JSON/CSV output, the stored trend, user errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from typer.testing import CliRunner

from tests.analysis._synth import case, write
from tests.quality.test_checks import _planted, _write
from zhixiao.cli import app
from zhixiao.errors import UserError

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    cases, events, _ = _planted()
    return _write(tmp_path_factory.mktemp("qcli"), cases, events).root


def _q(store, *extra):
    return runner.invoke(app, ["quality", "--data-dir", str(store), "--court", "冀0102", "--from", "2025-01-01",
                               "--as-of", "2025-12-31", "--user", "审管办", *extra])


def test_quality_json_then_trend(store):
    first = _q(store, "--format", "json")
    assert first.exit_code == 0, first.output
    d = json.loads(first.output)
    (court,) = d["courts"]
    assert (court["score"], court["counts"]["seq_gaps"], court["change"]) == (39.13, 4, None)  # first check
    assert [r["case_id"] for r in d["findings"]["closed_no_method"]] == ["(2025)冀0102民初10号"]
    second = json.loads(_q(store, "--format", "json").output)
    assert second["previous_at"] is not None
    assert second["courts"][0]["change"]["seq_gaps"] == 0 and second["courts"][0]["previous_score"] == 39.13


def test_quality_csv_lists_every_case(store):
    res = _q(store, "--format", "csv", "--no-record")
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert len(rows) == 10 + 3  # ten flagged cases (one per check but two duplicates) + three 断号 ranges
    assert {r["体检项目"] for r in rows} >= {"案号断号", "超审限后延长", "同一纠纷重复立案"}


def test_quality_user_errors(store):
    res = runner.invoke(app, ["quality", "--data-dir", str(store), "--court", "冀0999", "--as-of", "2025-12-31"])
    # the app raises UserError; ``zhixiao.cli.main`` prints it and exits 1
    assert isinstance(res.exception, UserError) and "冀0999" in str(res.exception)
    res = _q(store, "--check", "no_such_check")
    assert isinstance(res.exception, UserError) and "no_such_check" in str(res.exception)


def test_city_command_json_csv_and_refusal(tmp_path):
    rows = [case("冀0102", 2025, i + 1, date(2025, 2, 2), date(2025, 3, 4)) for i in range(4)]
    rows += [case("冀01", 2025, i + 1, date(2025, 2, 2), None) for i in range(2)]  # 2 pending, 0 closed
    root = write(tmp_path, rows).root
    base = ["city", "--data-dir", str(root), "--from", "2025-01-01", "--to", "2025-12-31", "--indicator", "closed"]
    d = json.loads(runner.invoke(app, [*base, "--court", "冀01", "--format", "json"]).output)
    assert [ln["court_code"] for ln in d["basic"]] == ["冀0102"] and d["intermediate"]["court_code"] == "冀01"
    assert d["basic"][0]["cells"]["closed"]["value"] == 4 and d["intermediate"]["cells"]["closed"]["value"] == 0
    out = runner.invoke(app, [*base, "--court", "冀01", "--format", "csv"]).output
    got = [(r["行"], r["法院代码"], r["数值"]) for r in csv.DictReader(io.StringIO(out))]
    assert got == [("basic", "冀0102", "4"), ("average", "", "4"), ("intermediate", "冀01", "0")]
    res = runner.invoke(app, [*base, "--court", "冀0102"])
    assert isinstance(res.exception, UserError) and "中级法院" in str(res.exception)
