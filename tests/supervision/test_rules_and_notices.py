"""The ladder is data a court can edit; notices per judge and division as text and .xlsx."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from zhixiao.config import Settings
from zhixiao.deadlines import deadline_table, table_options
from zhixiao.errors import UserError
from zhixiao.store.ops import session_factory
from zhixiao.supervision.demo import work_alerts
from zhixiao.supervision.ledger import list_alerts, run_daily
from zhixiao.supervision.notices import write_notices
from zhixiao.supervision.rules import load_ladder


def test_default_ladder_follows_reference_practice():
    lad = load_ladder()
    by_id = {r.id: r for r in lad.rules}
    assert by_id["remind_30d_civil_enforcement"].when[0]["value"] == 30  # 淮滨 2013: 民事/执行 30 days
    assert by_id["supervise_5d"].level == "supervise" and by_id["interview_overdue"].level == "interview"
    assert {lv: lad.levels[lv]["assignee"] for lv in lad.levels} == {
        "remind": "judge", "supervise": "division_head", "interview": "leader", "hold_accountable": "leader"}
    assert all(r.source for r in lad.rules)


def test_court_edits_from_data_dir_and_settings(tmp_path):
    (tmp_path / "supervision.toml").write_text(
        '[[rule]]\nid = "remind_two_thirds"\ndisabled = true\n'
        '[[rule]]\nid = "remind_10d"\nwhen = [{ field = "days_remaining", op = "<=", value = 20 }]\n'
        '[level.supervise]\nresponse_days = 1\n', "utf-8")
    st = Settings(data_dir=tmp_path, rules={"supervision": {"rule": [
        {"id": "remind_half", "level": "remind", "name": "审限过半", "when": [{"field": "elapsed_share", "op": ">=", "value": 0.5}]}]}})
    lad = load_ladder(st)
    ids = [r.id for r in lad.rules]
    assert "remind_two_thirds" not in ids and "remind_half" in ids
    assert lad.rule("remind_10d").when[0]["value"] == 20 and lad.levels["supervise"]["response_days"] == 1
    bad = Settings(data_dir=tmp_path / "x", rules={"supervision": {"rule": [{"id": "r", "level": "warn"}]}})
    with pytest.raises(UserError, match="level"):
        load_ladder(bad)


def test_notices_per_judge_and_division(make_settings, tmp_path):
    d = date
    st = make_settings([
        {"case_id": "(2025)X民初1号", "procedure": "civil_ordinary", "filing_date": d(2025, 3, 10)},
        {"case_id": "(2025)X民初2号", "procedure": "civil_ordinary", "filing_date": d(2025, 1, 6), "judge_id": "J2",
         "judge_name": "李四"},
        {"case_id": "(2026)X民初5号", "procedure": "civil_ordinary", "filing_date": d(2026, 9, 1), "judge_id": "J2",
         "judge_name": "李四"},
    ])
    run_daily(st, d(2025, 7, 15))
    with session_factory(st.ops_url)() as s:
        alerts = list_alerts(s, {"status": "open"})
    files = write_notices(alerts, tmp_path / "out", d(2025, 7, 15))
    names = sorted(p.relative_to(tmp_path / "out").as_posix() for p in files)
    assert names == ["法官/张三.txt", "法官/张三.xlsx", "法官/李四.txt", "法官/李四.xlsx", "部门/民一庭.txt", "部门/民一庭.xlsx"]
    text = (tmp_path / "out" / "法官" / "李四.txt").read_text("utf-8")
    # 民初2号: 01-06 + 6 months = 07-06 → overdue on 07-15 → 约谈
    assert "审限督办通知（法官：李四）" in text and "一、约谈（1项）" in text and "(2025)X民初2号" in text
    assert "审限届满日 2025-07-07" in text  # 07-06 is a Sunday → Monday 07-07
    div = (tmp_path / "out" / "部门" / "民一庭.txt").read_text("utf-8")
    assert "承办法官 李四" in div and "承办法官 张三" in div
    ws = openpyxl.load_workbook(tmp_path / "out" / "部门" / "民一庭.xlsx").active
    assert [c.value for c in ws[2]][:4] == ["编号", "案号", "级别", "事由"]
    assert sorted(ws.cell(r, 2).value for r in range(3, ws.max_row + 1)) == ["(2025)X民初1号", "(2025)X民初2号"]


def test_provisional_deadlines_are_marked_in_notices(make_settings, tmp_path):
    # 诉前调解 30 days from 2026-12-10 → 2027-01-09 (Sat, unknown year) → Mon 01-11, provisional;
    # on 2027-01-05 (6 days left, 26/32 elapsed) → 提醒 (≥ 2/3 and ≤ 10 days)
    st = make_settings([{"case_id": "(2026)X诉前调1号", "procedure": "pre_suit_mediation", "category": "mediation",
                         "filing_date": date(2026, 12, 10)}])
    summary = run_daily(st, date(2027, 1, 5))
    assert summary.provisional_cases == 1
    with session_factory(st.ops_url)() as s:
        alerts = list_alerts(s)
    assert alerts and all(a.provisional and a.deadline == date(2027, 1, 11) for a in alerts)
    write_notices(alerts, tmp_path / "n", date(2027, 1, 5))
    text = (tmp_path / "n" / "法官" / "张三.txt").read_text("utf-8")
    assert "2027-01-11（暂定）" in text and "暂按仅周末休息计算" in text


def test_demo_works_some_alerts(make_settings):
    st = make_settings([{"case_id": f"(2024)X民初{i}号", "procedure": "civil_ordinary", "filing_date": date(2024, 1, 1 + i)}
                        for i in range(8)])
    summary = run_daily(st, date(2025, 3, 1))
    assert summary.created_total == 16  # 8 cases: 超审限 and 超12个月 (both 约谈)
    assert work_alerts(st, seed=3) == 6
    with session_factory(st.ops_url)() as s:
        statuses = sorted(a.status for a in list_alerts(s))
    assert statuses.count("resolved") == 3 and statuses.count("acknowledged") == 3 and statuses.count("open") == 10


def test_judge_with_repeated_supervision_is_interviewed(make_settings):
    # three 普通 cases of one judge, filed 03-10, 03-12, 03-14 → deadlines 09-10, 09-12, 09-15 (09-14 is a Sunday);
    # on 09-08 they have 2, 4 and 7 days left: all three are inside the 10-day lead time with no extension
    # request (督办), the first two also ≤5 days (督办) → 5 督办 this month ≥ 3 → the judge is 约谈'd
    cases = [{"case_id": f"(2025)X民初{i}号", "procedure": "civil_ordinary", "filing_date": date(2025, 3, 10 + 2 * i)}
             for i in range(3)]
    st = make_settings(cases)
    s = run_daily(st, date(2025, 9, 8))
    with session_factory(st.ops_url)() as sess:
        judge = [a for a in list_alerts(sess, {"level": "interview"}) if a.rule_id == "interview_repeated_supervise"]
        n_sup = len(list_alerts(sess, {"level": "supervise"}))
    assert n_sup == 5 and s.created == {"supervise": 5, "interview": 1}
    (a,) = judge
    assert (a.case_id, a.subject, a.judge_id, a.assignee_role) == (None, "judge:J1", "J1", "leader")
    assert a.detail == "2025-09 月内督办 5 次"
    assert run_daily(st, date(2025, 9, 9)).created.get("interview", 0) == 0  # once per judge per month


def test_near_share_and_roll_forward_are_settings(make_settings, tmp_path):
    from zhixiao.engine import connect

    st = make_settings([{"case_id": "(2025)X民特1号", "procedure": "civil_special", "filing_date": date(2025, 9, 1)}])
    on = deadline_table(connect(st.data_dir), date(2025, 9, 15), **table_options(st, load_ladder(st)))
    # 30 days → 10-01 国庆 → 10-09; 14/38 elapsed → 正常
    assert on.select("deadline", "status").to_pyarrow().to_pylist() == [{"deadline": date(2025, 10, 9), "status": "正常"}]
    off = Settings(data_dir=st.data_dir, rules={"calendar": {"roll_forward": False},
                                               "supervision": {"status": {"near_share": 0.3}}})
    t = deadline_table(connect(st.data_dir), date(2025, 9, 15), **table_options(off, load_ladder(off)))
    # no roll-forward: 10-01 stands; 14/30 = 0.47 ≥ 0.3 → 临近
    assert t.select("deadline", "status").to_pyarrow().to_pylist() == [{"deadline": date(2025, 10, 1), "status": "临近"}]
