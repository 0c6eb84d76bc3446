"""``zhixiao demo`` end to end: summary, GBK export that the importer reads back unchanged, seed hooks."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pyarrow.compute as pc
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from zhixiao.cli import app
from zhixiao.commands import demo as demo_cmd
from zhixiao.config import Settings, load_settings
from zhixiao.ingest.importer import import_files
from zhixiao.quality.models import QualityRun
from zhixiao.store.cases import CaseStore
from zhixiao.store.ops import session_factory
from zhixiao.supervision.ledger import list_alerts

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    csv = d / "export" / "正定.csv"
    res = runner.invoke(app, ["demo", "--data-dir", str(d / "data"), "--as-of", "2024-04-30", "--scale", "0.02",
                              "--export-csv", str(csv), "--no-hooks", "--format", "json"])
    assert res.exit_code == 0, res.output
    return d, csv, json.loads(res.stdout)


def test_json_summary_and_store(built):
    d, _, out = built
    assert out["as_of"] == "2024-04-30" and out["seed"] == 2026
    codes = [c["court_code"] for c in out["courts"]]
    assert codes[0] == "冀01" and "冀0123" in codes and len(codes) == 8
    store = CaseStore(d / "data")
    assert out["rows"]["cases"] == store.read("cases").num_rows
    assert out["rows"]["people"] == store.read("people").num_rows
    jz = next(c for c in out["courts"] if c["court_code"] == "冀0123")
    assert jz["court_name"] == "正定县人民法院" and jz["new_cases"]["2024"] > 0


def test_export_is_gbk_with_chinese_headers(built):
    _, csv, out = built
    text = csv.read_bytes().decode("gbk")
    header = text.splitlines()[0].split(",")
    assert header[:5] == ["序号", "案号", "法院名称", "立案日期", "结案日期"]
    assert {"承办人", "承办部门", "案由", "结案方式", "适用程序", "标的额"} <= set(header)
    rows = text.splitlines()[1:]
    assert len(rows) == out["export_csv"][1] > 0
    assert all("冀0123" in r.split(",")[1] for r in rows)


def test_export_imports_back_unchanged(built, tmp_path):
    d, csv, _ = built
    res = import_files([csv], load_settings(tmp_path), user="demo-test")
    assert res.rejects_paths == []
    got = CaseStore(tmp_path).read("cases").sort_by("case_id")
    want = CaseStore(d / "data").read("cases")
    want = want.filter(pc.equal(want.column("court_code"), "冀0123")).sort_by("case_id")
    assert got.num_rows == want.num_rows
    for col in want.column_names:
        if col == "tags":  # an empty tag list comes back as null
            assert [x or [] for x in got[col].to_pylist()] == want[col].to_pylist()
        else:
            assert got[col].to_pylist() == want[col].to_pylist(), col


def test_table_output_in_chinese(tmp_path):
    res = runner.invoke(app, ["demo", "--data-dir", str(tmp_path), "--as-of", "2024-02-29", "--scale", "0.01",
                              "--no-hooks"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "2024年新收" in res.output and "正定县人民法院" in res.output and "合计" in res.output


def test_bad_as_of_is_a_user_error(tmp_path):
    res = runner.invoke(app, ["demo", "--data-dir", str(tmp_path), "--as-of", "2024-13-01", "--no-hooks"])
    assert res.exit_code != 0
    assert "YYYY-MM-DD" in str(res.exception)


def test_hooks_fill_every_module(built, tmp_path):
    """After the case tables: the services' registers, the web accounts, the daily job (its ladder carries the
    services' overdue items, its data-quality check is stored) and six alerts worked by hand (3 resolved).
    Every module is imported directly: a missing or broken one fails here (no hook is skipped)."""
    d = tmp_path / "data"
    shutil.copytree(built[0] / "data", d)
    st = Settings(data_dir=d, sql_url=f"sqlite:///{tmp_path / 'ops.sqlite'}")
    out = dict(demo_cmd.run_hooks(st, date(2024, 4, 30), 5))
    assert list(out) == ["zhixiao.services.demo", "zhixiao.web.demo_users", "zhixiao.demo.targets", "zhixiao.daily",
                         "zhixiao.supervision.demo"]
    assert out["zhixiao.supervision.demo"] == "已签收/办结演示督办事项 6 项"
    with session_factory(st.ops_url)() as s:
        alerts = list_alerts(s)
        assert s.scalars(select(QualityRun)).all()
    assert any(a.rule_id.startswith("service_") for a in alerts)
    assert sum(a.status == "resolved" for a in alerts) == 3 and sum(a.status == "acknowledged" for a in alerts) == 3
