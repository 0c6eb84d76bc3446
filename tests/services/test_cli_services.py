"""The service commands end to end through the CLI on a tiny store (SQLite ops DB inside the data dir)."""

import json
from datetime import date

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from zhixiao.cli import app
from zhixiao.errors import UserError
from zhixiao.store.cases import CaseStore

C = "冀0123"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("svc_cli")
    with CaseStore(root).transaction() as tx:
        tx.write("cases", pa.Table.from_pylist([
            {"case_id": "(2026)冀0123民初7号", "court_code": C, "year": 2026, "type_code": "民初", "category": "civil",
             "procedure": "civil_ordinary", "cause": "技术合同纠纷", "filing_date": date(2026, 7, 1),
             "judge_id": "J1", "judge_name": "张某", "division": "民一庭", "tags": ["ftz"], "parties": "甲；乙"},
        ]))
        tx.write("people", pa.Table.from_pylist([
            {"judge_id": "J1", "name": "张某", "court_code": C, "year": 2026, "division": "民一庭", "post": "员额法官",
             "team": "知识产权"},
            {"judge_id": "J2", "name": "王某", "court_code": C, "year": 2026, "division": "民一庭", "post": "员额法官",
             "team": "知识产权"},
        ]))
    return str(root)


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    r.text = r.output.replace("\n", "")  # rich wraps long lines
    return r


def test_hotline_suggestion_route_assess(data_dir, tmp_path):
    d = ["--data-dir", data_dir]
    csv = tmp_path / "t.csv"
    csv.write_text("工单编号,类别,来电号码,案号,受理时间\nT1,联系法官,138,（2026）冀0123民初7号,2026-09-29 10:00\n", "utf-8")
    r = run("hotline", "import", csv, *d, "--court", C)
    assert r.exit_code == 0, r.output
    assert "已导入 1 件" in r.text and "1 件关联到案件" in r.text
    r = run("hotline", "stats", *d, "--court", C, "--from", "2026-09-01", "--to", "2026-10-31", "--format", "json")
    st = json.loads(r.output)
    assert (st["tickets"], st["overdue_open"], st["by_category"]) == (1, 1, {"联系法官": 1})
    r = run("ledger", "overdue", *d, "--as-of", "2026-10-16", "--format", "json")
    item = json.loads(r.output.splitlines()[0])
    assert (item["ref"], item["level"], item["due"]) == ("T1", "interview", "2026-10-09")

    r = run("suggestion", "new", *d, "--court", C, "--addressee", "县自然资源局", "--issue", "登记衔接不畅", "--by", "张某",
            "--on", "2026-09-01", "--case", "(2026)冀0123民初7号")
    assert "已起草 冀0123法建〔2026〕1号" in r.text, r.output
    num = "冀0123法建〔2026〕1号"
    assert run("suggestion", "approve", num, *d, "--actor", "赵庭长", "--role", "部门负责人", "--on", "2026-09-02").exit_code == 0
    assert run("suggestion", "approve", num, *d, "--actor", "钱院长", "--role", "院长", "--on", "2026-09-03").exit_code == 0
    r = run("suggestion", "send", num, *d, "--on", "2026-09-04")
    assert "答复期限 2026-11-04" in r.text, r.output
    r = run("suggestion", "reply", num, *d, "--on", "2026-09-01", "--adopted")
    assert isinstance(r.exception, UserError)
    assert "回复日期 2026-09-01 早于发出日期 2026-09-04" in str(r.exception)

    r = run("satisfaction", "rate", *d, "--court", C, "--item", "立案", "--score", "9")
    assert isinstance(r.exception, UserError) and "评分 9 超出范围，请填 1–5 的整数" in str(r.exception)

    r = run("route", "(2026)冀0123民初7号", *d, "--as-of", "2026-09-30", "--format", "json")
    out = json.loads(r.output)
    # the case itself is not counted against 张某 when re-routing: both at 0, the tie goes to the lower id
    assert (out["team"], out["judge_name"]) == ("知识产权", "张某")
    assert "张某在办0件（加权0），最少（次少：王某0件，加权0）" in out["explanation"]
    r = run("assess", *d, "--court", C, "--quarter", "2026Q3", "--out", tmp_path / "q.xlsx", "--format", "json")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "q.xlsx").is_file()
