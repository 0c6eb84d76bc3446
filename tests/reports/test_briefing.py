"""The briefing data object against hand-computed figures (see conftest) and the indicator engine."""

from __future__ import annotations

from datetime import date

import pytest

from zhixiao.errors import UserError
from zhixiao.metrics.evaluate import evaluate
from zhixiao.reports.briefing import collect

PERIOD = (date(2026, 1, 1), date(2026, 2, 28))  # as in conftest


@pytest.fixture(scope="module")
def brief(engine):
    return collect(engine, "冀0123", *PERIOD)


def test_headline_figures_by_hand(brief):
    f = {k: (v["value"], v["previous"]) for k, v in brief.figures.items() if isinstance(v, dict) and "value" in v}
    assert f["new_cases"] == (8, 5)
    assert f["carried_over"] == (4, 1)
    assert f["received"] == (12, 6)
    assert f["closed"] == (6, 3)
    assert f["pending"] == (6, 3)
    assert f["closure_rate"] == (0.5, 0.5)  # 6/12 and 3/6
    assert f["clearance_ratio"] == (0.75, 0.6)  # 6/8 and 3/5
    assert f["long_pending_12m"][0] == 1  # case 8, filed 2024-10-01


def test_caseload_by_track_by_hand(brief):
    """审判 / 执行 apart (conftest's cases, 2026 1—2月; no 财保 case, so no 非诉保全 row):
    审判 新收 10–15 = 6, 旧存 6, 7, 8 = 3, 受理 9, 结案 6, 10, 11, 14 = 4, 未结 7, 8, 12, 13, 15 = 5;
    执行 新收 16, 17 = 2, 旧存 9 = 1, 受理 3, 结案 9, 16 = 2, 未结 17 = 1 — together the 合计 8/4/12/6/6."""
    (sec,) = [s for s in brief.sections if s.key == "caseload"]
    (t,) = [t for t in sec.tables if t.title == "收结存情况（审判、执行、非诉保全）"]
    keys = ("new_cases", "carried_over", "received", "closed", "pending")
    got = {r["label"]: tuple(r[k] for k in keys) for r in t.rows}
    assert got == {"审判": (6, 3, 9, 4, 5), "执行": (2, 1, 3, 2, 1)}


def test_caseload_sentence_matches_numbers(brief):
    # counts change in 件 with the % beside (issue 13 §5: never a bare difference): 新收 8 − 5 = +3 (+60%),
    # 结案 6 − 3 = +3 (+100%), 未结 6 − 3 = +3 (+100%)
    # — on bases under 20 件 the change alone (issue 17 §1: "增加26件", not "+866.67%")
    assert brief.sections[0].paragraphs[0] == (
        "1—2月，全院新收各类案件8件，同比增加3件；旧存4件；结案6件，同比增加3件；"
        "未结6件，同比增加3件；结案率50.00%，与上年同期持平；结收比75.00%，同比上升15.00个百分点。")
    # by line: 刑事 new 14, 15; 民事 10–13; 执行 16, 17
    assert brief.sections[0].paragraphs[1] == (
        "其中，刑事案件新收2件、结案1件、未结1件；民事案件新收4件、结案3件、未结4件；执行案件新收2件、结案2件、未结1件。")


def test_every_indicator_equals_engine(brief, engine):
    res = evaluate(engine, "court-classic", *PERIOD, compare="yoy", filters={"court_code": "冀0123"})
    engine_rows = {r.indicator: r for r in res.rows}
    for ind, row in brief.figures.items():
        if ind in engine_rows:
            assert row["value"] == engine_rows[ind].value, ind
            assert row["previous"] == engine_rows[ind].previous, ind
            assert row["yoy"] == engine_rows[ind].yoy, ind


def test_annex_per_division_equals_engine(brief, engine):
    titles = [t.title for t in brief.annex]
    assert titles == ["员额法官审判质效统计表（执行局）", "员额法官审判质效统计表（民事审判一庭）",
                      "员额法官审判质效统计表（刑事审判庭）"] or sorted(titles) == sorted(
        ["员额法官审判质效统计表（执行局）", "员额法官审判质效统计表（民事审判一庭）", "员额法官审判质效统计表（刑事审判庭）"])
    civil = next(t for t in brief.annex if "民事审判一庭" in t.title)
    zhang, li, total = civil.rows  # the judges, then 部门合计 (issue 17 §1: tables add up to the division)
    assert total["judge_name"] == "部门合计" and (total["new_cases"], total["closed"], total["pending"]) == (4, 3, 4)
    # 张明: new 10, 11 → 2; closed 6, 10, 11 → 3; pending 0. 李华: new 12, 13; closed 0; pending 7, 8, 12, 13 → 4
    assert (zhang["judge_name"], zhang["new_cases"], zhang["closed"], zhang["pending"]) == ("张明", 2, 3, 0)
    assert (li["judge_name"], li["new_cases"], li["closed"], li["pending"], li["long_pending_12m"]) == ("李华", 2, 0, 4, 1)
    res = evaluate(engine, "court-classic", *PERIOD, by=("judge",), filters={"court_code": "冀0123"})
    for t in brief.annex:
        for row in (r for r in t.rows if "judge_id" in r):
            for col in t.columns[1:]:
                assert row[col.key] == res.get(col.key, judge_id=row["judge_id"]).value, (row["judge_id"], col.key)


def test_deadline_section_counts_pending(brief):
    status = brief.figures.get("deadline_status")
    if status is None:
        pytest.skip("审限模块尚未提供 deadline_table")
    assert sum(status.values()) == 6  # the six pending cases at 2026-02-28


def test_city_scope_adds_courts(engine):
    b = collect(engine, "冀01", *PERIOD, scope="city")
    assert b.figures["new_cases"]["value"] == 10  # 8 at 正定 + cases 18, 19 at 长安
    by_court = next(t for t in b.sections[0].tables if t.title == "收结存情况（按法院）")
    assert {r["label"]: r["new_cases"] for r in by_court.rows} == {
        "正定县法院": 8, "长安区法院": 2}  # short names in city tables (rollup.short_name)


def test_court_without_cases_is_a_clear_error(engine):
    with pytest.raises(UserError, match="没有任何案件.*--court"):
        collect(engine, "冀0999", *PERIOD)


def test_period_without_data_is_a_clear_error(engine):
    with pytest.raises(UserError, match="2030-01-01 至 2030-02-28 期间没有任何案件.*立案日期范围为 2024-10-01 至 2026-02-15") as exc:
        collect(engine, "冀0123", date(2030, 1, 1), date(2030, 2, 28))
    assert "zhixiao import" in str(exc.value)


def test_reversed_period_is_a_clear_error(engine):
    with pytest.raises(UserError, match="起始日"):
        collect(engine, "冀0123", date(2026, 3, 1), date(2026, 1, 1))
