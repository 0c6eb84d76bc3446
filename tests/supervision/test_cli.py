"""The CLI: ``zhixiao deadline`` JSON contract and errors; ``zhixiao supervise`` end to end on a small store."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from tests.supervision.conftest import write_store
from zhixiao.cli import app
from zhixiao.errors import UserError

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray zhixiao.toml
    monkeypatch.delenv("ZHIXIAO_SQL_URL", raising=False)
    monkeypatch.delenv("ZHIXIAO_CONFIG", raising=False)


def test_deadline_json_contract():
    # 简易 3个月 from 2024-11-30 → 2025-02-28; 公告 2024-12-02..12-31 (30 days) → 03-30 (Sun) → 03-31
    r = runner.invoke(app, ["deadline", "--procedure", "civil_simplified", "--filed", "2024-11-30",
                            "--deduct", "2024-12-02:2024-12-31", "--as-of", "2025-01-10", "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    # the seven keys of the contract come first; issue 13 adds unit, unconfirmed, late_deducted_days …
    assert list(out)[:7] == ["deadline", "base_deadline", "deducted_days", "extension_days", "provisional", "rule", "citation"]
    assert (out["unit"], out["unconfirmed"], out["late_deducted_days"]) == ("month", False, 0)
    assert out["deadline"] == "2025-03-31" and out["base_deadline"] == "2025-02-28" and out["deducted_days"] == 30
    assert out["rule"] == "civil_simplified" and "第164条" in out["citation"] and out["provisional"] is False


def test_deadline_extension_and_provisional():
    # 普通 6个月 + 6个月 from 2026-03-02 → 2027-03-02 (Tue), 2027 unknown → provisional;
    # extension days 2026-09-02 → 2027-03-02 = 28 + 31 + 30 + 31 + 31 + 28 + 2 = 181
    r = runner.invoke(app, ["deadline", "--procedure", "civil_ordinary", "--filed", "2026-03-02",
                            "--extension-months", "6", "--format", "json"])
    out = json.loads(r.stdout)
    assert (out["deadline"], out["provisional"], out["extension_days"]) == ("2027-03-02", True, 181)
    table = runner.invoke(app, ["deadline", "--procedure", "civil_ordinary", "--filed", "2026-03-02",
                                "--extension-months", "6", "--as-of", "2026-03-02"])
    assert "暂定" in table.stdout and "2027-03-02" in table.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--procedure", "civil_bogus", "--filed", "2025-01-01"], "不是已知的程序代码"),
    (["--procedure", "civil_ordinary", "--filed", "2025-13-01"], "不是有效日期"),
    (["--procedure", "civil_ordinary", "--filed", "2025-01-01", "--deduct", "2025-02-01"], "开始:结束"),
    (["--procedure", "civil_ordinary", "--filed", "2025-01-01", "--deduct", "2025-02-09:2025-02-01"], "早于"),
    # issue 13: each was accepted (or a traceback) before
    (["--procedure", "civil_simplified", "--filed", "2025-03-10", "--extension-months", "2"], "法定上限"),  # 3 + 2 > 4
    (["--procedure", "criminal_simplified", "--filed", "2025-03-10", "--extension-months", "1",
      "--extension-days", "1"], "法定上限"),  # beyond 一个半月
    (["--procedure", "civil_second_ruling", "--filed", "2025-03-10", "--extension-days", "5"], "不得延长"),
    (["--procedure", "civil_ordinary", "--filed", "2025-03-10", "--tag", "foreign"], "--tag"),
    (["--procedure", "civil_ordinary", "--filed", "2025-03-10", "--deduct", "2025-03-01:2025-03-20"], "早于立案日期"),
    (["--procedure", "criminal_public", "--filed", "2025-03-10", "--restart", "2025-02-01"], "早于立案日期"),
    (["--procedure", "admin_first", "--filed", "2025-03-10", "--extension-months", "99999"], "最多"),
    (["--procedure", "civil_ordinary", "--filed", "9999-12-31"], "年之间"),
    (["--procedure", "civil_ordinary", "--filed", "2025-03-10", "--as-of", "9999-12-31"], "年之间"),
])
def test_deadline_user_errors(args, message):
    r = runner.invoke(app, ["deadline", *args])
    assert isinstance(r.exception, UserError) and message in str(r.exception)


def test_deadline_late_deduction_does_not_revive_it():
    # the example: 普通 filed 2025-03-03 → 09-03 (Wed); 鉴定 09-20..10-19 began after it: stays 09-03
    # (the old code answered 2025-10-09: 09-03 + 30 = 10-03 inside 国庆 → 10-09)
    r = runner.invoke(app, ["deadline", "--procedure", "civil_ordinary", "--filed", "2025-03-03",
                            "--deduct", "2025-09-20:2025-10-19", "--as-of", "2025-11-01", "--format", "json"])
    out = json.loads(r.stdout)
    assert (out["deadline"], out["deducted_days"], out["late_deducted_days"]) == ("2025-09-03", 0, 30)


def test_deadline_shows_the_unconfirmed_mark():
    # 财保 48小时: 01-24 + 2 = 01-26, no roll; its source is unconfirmed and the table says so
    r = runner.invoke(app, ["deadline", "--procedure", "preservation_pre_suit", "--filed", "2025-01-24",
                            "--as-of", "2025-01-24"])
    assert r.exit_code == 0 and "2025-01-26" in r.stdout and "依据未经一手文本核实：是" in r.stdout
    assert "小时" in r.stdout


def test_supervise_end_to_end(tmp_path):
    data = tmp_path / "data"
    d = date
    write_store(data, [
        {"case_id": "(2025)X民初1号", "procedure": "civil_ordinary", "filing_date": d(2025, 3, 10)},
        {"case_id": "(2023)X民初7号", "procedure": "no_limit", "filing_date": d(2023, 5, 1), "judge_id": "J2",
         "judge_name": "李四", "division": "民二庭"},
        {"case_id": "(2025)X刑初3号", "procedure": "criminal_public", "filing_date": d(2025, 6, 2), "category": "criminal",
         "judge_id": "J3", "judge_name": "王五", "division": "刑庭"},
    ], [{"case_id": "(2025)X刑初3号", "kind": "suspension", "start_date": d(2025, 7, 1), "end_date": None},
        {"case_id": "(2025)X民初1号", "kind": "extension", "start_date": d(2025, 8, 1), "months": 6}])
    dd = ["--data-dir", str(data)]
    r = runner.invoke(app, ["supervise", "run", "--as-of", "2025-09-01", "--format", "json", *dd])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    # 民初1号 extended to 2026-03-10: 175/365 elapsed, nothing; 民初7号 28 months → 问责 (24m);
    # 刑初3号 suspended since 07-01 (open): nothing due
    assert summary["created_hold_accountable"] == 1 and summary["cases_checked"] == 3
    assert runner.invoke(app, ["supervise", "run", "--as-of", "2025-09-01", "--format", "json", *dd]).exit_code == 0
    rows = [json.loads(x) for x in runner.invoke(app, ["supervise", "list", "--format", "json", *dd]).stdout.splitlines()]
    assert [(x["case_id"], x["rule_id"], x["status"]) for x in rows] == [
        ("(2023)X民初7号", "hold_long_pending_24m", "open")]
    aid = str(rows[0]["id"])
    out = tmp_path / "notices"
    r = runner.invoke(app, ["supervise", "notices", "--out", str(out), "--as-of", "2025-09-01", *dd])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.rglob("*.*")) == ["李四.txt", "李四.xlsx", "民二庭.txt", "民二庭.xlsx"]
    assert "问责（1项）" in (out / "法官" / "李四.txt").read_text("utf-8")
    assert runner.invoke(app, ["supervise", "ack", aid, "--user", "院长", "--note", "本周过堂", *dd]).exit_code == 0
    assert runner.invoke(app, ["supervise", "resolve", aid, "--user", "院长", "--note", "已结案", *dd]).exit_code == 0
    hist = [json.loads(x) for x in runner.invoke(app, ["supervise", "history", aid, "--format", "json", *dd]).stdout.splitlines()]
    assert [(h["action"], h["user"]) for h in hist] == [("created", "system"), ("acknowledged", "院长"), ("resolved", "院长")]
    bad = runner.invoke(app, ["supervise", "ack", aid, "--user", "院长", *dd])
    assert isinstance(bad.exception, UserError)

    long = [json.loads(x) for x in runner.invoke(
        app, ["supervise", "ledger", "--kind", "long_pending", "--as-of", "2025-09-01", "--format", "json", *dd]).stdout.splitlines()]
    assert [(x["case_id"], x["pending_months"], x["tier"]) for x in long] == [("(2023)X民初7号", 28, 24)]
    four = [json.loads(x) for x in runner.invoke(
        app, ["supervise", "ledger", "--kind", "four_pending", "--as-of", "2025-09-01", "--format", "json", *dd]).stdout.splitlines()]
    assert {x["case_id"]: (x["extended"], x["suspended"]) for x in four} == {
        "(2025)X民初1号": (True, False), "(2025)X刑初3号": (False, True)}
    assert {x["case_id"]: x["status"] for x in four}["(2025)X刑初3号"] == "中止中"


def test_supervise_run_without_data_is_a_user_error(tmp_path):
    r = runner.invoke(app, ["supervise", "run", "--data-dir", str(tmp_path / "nothing")])
    assert isinstance(r.exception, UserError) and "没有案件数据" in str(r.exception)
