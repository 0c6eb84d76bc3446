"""Special ledgers: topic rules, 终本 five conditions, 民生小案, 行政争议实质性化解 rate, 信访积案."""

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from zhixiao.engine import connect
from zhixiao.errors import UserError
from zhixiao.services import ledgers as L
from zhixiao.services.common import load_rules
from zhixiao.store.cases import CaseStore
from zhixiao.store.ops import session_factory

C = "冀0123"
ZB = load_rules("ledgers")["enforcement"]["zhongben"]
ROWS = [
    # case_id, type, category, procedure, cause, filed, closed, method, claim, collected, tags, parties
    ("(2026)冀0123民初1号", "民初", "civil", "civil_ordinary", "不动产登记纠纷", date(2026, 1, 5), date(2026, 3, 6), "判决",
     100000, None, [], "甲；乙"),
    ("(2026)冀0123行初2号", "行初", "administrative", "admin_first", "行政登记", date(2026, 1, 10), date(2026, 2, 9), "撤诉",
     None, None, ["agency_corrected"], "甲；某县自然资源局"),
    ("(2026)冀0123行初3号", "行初", "administrative", "admin_first", "行政处罚", date(2026, 1, 12), date(2026, 2, 20), "判决",
     None, None, [], "乙；某县市场监督管理局"),
    ("(2026)冀0123行初4号", "行初", "administrative", "admin_first", "行政许可", date(2026, 2, 1), date(2026, 3, 2), "撤诉",
     None, None, [], "丙；某县住建局"),
    ("(2026)冀0123民初5号", "民初", "civil", "civil_small_claims", "追索劳动报酬纠纷", date(2026, 2, 1), None, None,
     8000, None, [], "丁；某建筑有限公司"),
    ("(2025)冀0123执9号", "执", "enforcement", "enforcement", "借款合同纠纷", date(2025, 3, 1), None, None, None, 0,
     [], "戊；己"),
    ("(2026)冀0123执3号", "执", "enforcement", "enforcement", "买卖合同纠纷", date(2026, 2, 20), None, None, None, 5000,
     [], "庚；辛有限公司"),
    ("(2025)冀0123执12号", "执", "enforcement", "enforcement", "借款合同纠纷", date(2025, 6, 1), None, None, None, 0,
     [], "壬；癸"),
]
# the 终本 check of each case (store columns zb_*: True met, False not met, None not checked), in ZHONGBEN_CHECKS
# order notice, restriction, investigation, three_months, whereabouts; the tags above say nothing about it
# (the ledger used to read 执行通知/限制消费/财产调查 tags: a tag-only case must no longer count)
ZB_COLUMNS = ("zb_notice", "zb_restriction", "zb_investigation", "zb_three_months", "zb_whereabouts")
CHECKS = {
    "(2025)冀0123执9号": (True, True, True, None, True),  # all recorded but 满三个月: from the filing date
    "(2026)冀0123执3号": (True, None, True, None, None),
    "(2025)冀0123执12号": (True, False, None, True, True),  # 限制消费 recorded as not done: out
}


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    return _store(tmp_path_factory.mktemp("ledgers"), ROWS)


def _store(root, rows):
    cols = list(zip(*rows, strict=True))
    t = pa.table({
        "case_id": cols[0], "court_code": [C] * len(rows), "year": [int(x[1:5]) for x in cols[0]],
        "type_code": cols[1], "category": cols[2], "procedure": cols[3], "cause": cols[4], "filing_date": cols[5],
        "closing_date": pa.array(cols[6], pa.date32()), "closing_method": cols[7],
        "claim_amount": pa.array([None if v is None else Decimal(v) for v in cols[8]], pa.decimal128(18, 2)),
        "enforcement_collected_amount": pa.array([None if v is None else Decimal(v) for v in cols[9]],
                                                 pa.decimal128(18, 2)),
        "tags": pa.array(cols[10], pa.list_(pa.string())), "parties": cols[11],
        **{col: pa.array([CHECKS.get(cid, (None,) * 5)[i] for cid in cols[0]], pa.bool_())
           for i, col in enumerate(ZB_COLUMNS)},
    })
    with CaseStore(root).transaction() as tx:
        tx.write("cases", t)
    return connect(root)


def test_topic_ledgers(eng):
    out = L.topic_ledgers(eng, date(2026, 1, 1), date(2026, 3, 31), C)
    bd = out["不动产登记"]
    # 民初1 by 案由, 行初2 by party 自然资源局
    assert [r["case_id"] for r in bd["cases"]] == ["(2026)冀0123民初1号", "(2026)冀0123行初2号"]
    assert bd["cases"][0]["reason"] == "案由为不动产登记纠纷"
    assert bd["cases"][1]["reason"] == "当事人或案情含“自然资源局”"
    # closed 3-06 after 60 days and 2-09 after 30 days → avg 45
    assert (bd["received"], bd["closed"], bd["pending"], bd["avg_days"], bd["overdue"]) == (2, 2, 0, 45.0, 0)
    qy = out["涉企（营商环境）"]
    assert {r["case_id"] for r in qy["cases"]} == {"(2026)冀0123民初5号", "(2026)冀0123执3号"}
    with pytest.raises(UserError, match="没有名为“烂尾楼”的专题台账"):
        L.topic_ledgers(eng, date(2026, 1, 1), date(2026, 3, 31), C, topic="烂尾楼")


def test_minsheng(eng):
    m = L.minsheng_cases(eng, date(2026, 1, 1), date(2026, 3, 31), C)
    assert [r["case_id"] for r in m["cases"]] == ["(2026)冀0123民初5号"]
    assert m["cases"][0]["reason"] == "案由为追索劳动报酬纠纷"
    assert m["overdue"] == 0
    # 小额诉讼 2 months from 2-01 → early April; pending on 4-30 → 超审限
    late = L.minsheng_cases(eng, date(2026, 1, 1), date(2026, 4, 30), C)
    assert late["overdue"] == 1 and late["pending"] == 1


def test_zhongben_five_conditions(eng):
    e = L.enforcement_hard(eng, date(2026, 4, 10), C)
    assert e["pending_enforcement"] == 3
    # 执9: notice, restriction, investigation, whereabouts recorded True, nothing collected; 满三个月 not checked
    # but filed 2025-03-01 + 3 months = 06-01 ≤ 04-10 → all five
    assert [r["case_id"] for r in e["zhongben_candidates"]] == ["(2025)冀0123执9号"]
    # 12 months: 执9 2026-03-01 ≤ 04-10 → long-running; 执12 2026-06-01 > 04-10 → not yet
    assert [r["case_id"] for r in e["long_running"]] == ["(2025)冀0123执9号"]
    # 执3 collected 5000 (contradicts 无财产) and is younger than 3 months (02-20 → 05-20): not even "to verify";
    # 执12 has 限制消费 recorded False: out
    assert e["zhongben_to_verify"] == []
    conds = L.zhongben_conditions({"filing_date": date(2026, 2, 20), "enforcement_collected_amount": 5000,
                                   **dict(zip(ZB_COLUMNS, CHECKS["(2026)冀0123执3号"], strict=True))},
                                  date(2026, 4, 10), ZB)
    assert [c["met"] for c in conds] == [True, None, False, False, None]
    assert conds[0]["evidence"] == "终本核查记录：已满足"
    assert conds[1]["evidence"] == "未见终本核查记录，待核实"
    assert conds[2]["evidence"] == "终本核查记录：已满足；已执行到位 5,000.00 元"
    assert conds[3]["evidence"] == "立案 2026-02-20，满3个月为 2026-05-20"
    # a recorded 满三个月 wins over the dates (the check is what the court signed off)
    rec = L.zhongben_conditions({"filing_date": date(2026, 4, 1), "zb_three_months": True}, date(2026, 4, 10), ZB)
    assert (rec[3]["met"], rec[3]["evidence"]) == (True, "终本核查记录：已满足")
    # no check at all, 4 months old, nothing collected: a candidate to verify (all but 满三个月); tags are ignored
    bare = L.zhongben_conditions({"filing_date": date(2025, 12, 1), "tags": ["执行通知", "限制消费", "财产调查"],
                                  "enforcement_collected_amount": 0}, date(2026, 4, 10), ZB)
    assert [c["met"] for c in bare] == [None, None, None, True, None]


def test_zhongben_to_verify(eng):
    # on 2026-06-10 执3 is past 3 months (05-20) but collected 5000 → still out; 执12 still has 限制消费 False;
    # so nothing to verify. Without 执3's money it is one to verify (限制消费 and 下落不明 not checked):
    e = L.enforcement_hard(eng, date(2026, 6, 10), C)
    assert [r["case_id"] for r in e["zhongben_candidates"]] == ["(2025)冀0123执9号"]
    assert e["zhongben_to_verify"] == []
    c3 = L.zhongben_conditions({"filing_date": date(2026, 2, 20), "enforcement_collected_amount": 0,
                                **dict(zip(ZB_COLUMNS, CHECKS["(2026)冀0123执3号"], strict=True))},
                               date(2026, 6, 10), ZB)
    # restriction and whereabouts not checked; 满三个月 from 02-20 → 05-20 ≤ 06-10
    assert [c["met"] for c in c3] == [True, None, True, True, None]


def test_enforcement_pending_as_flow(tmp_path):
    """The ledger's pending cases are 收结存's 未结 (not closed by the end of the day): a case closed on the
    day is out, one closed the day after is in; 执恢 and 执保 stay in the ledger and are counted by type, since
    收结存 leaves them out (_exclusions.toml)."""
    day = date(2026, 2, 28)
    base = ("enforcement", "enforcement", "借款合同纠纷")
    rows = [
        ("(2026)冀0123执1号", "执", *base, date(2026, 1, 5), day, "执行完毕", None, 0, [], "甲；乙"),
        ("(2026)冀0123执2号", "执", *base, date(2026, 1, 6), date(2026, 3, 1), "执行完毕", None, 0, [], "甲；乙"),
        ("(2026)冀0123执3号", "执", *base, date(2026, 1, 7), None, None, None, 0, [], "甲；乙"),
        ("(2026)冀0123执恢1号", "执恢", *base, date(2026, 1, 8), None, None, None, 0, [], "甲；乙"),
        ("(2026)冀0123执保1号", "执保", *base, date(2026, 2, 27), None, None, None, 0, [], "甲；乙"),
        ("(2026)冀0123执4号", "执", *base, date(2026, 3, 2), None, None, None, 0, [], "甲；乙"),  # filed after
    ]
    e = L.enforcement_hard(_store(tmp_path, rows), day, C)
    assert e["pending_enforcement"] == 4  # 执2, 执3, 执恢1, 执保1
    assert e["by_type"] == {"执": 2, "执恢": 1, "执保": 1}


def test_no_property_inferred(eng):
    e = L.enforcement_hard(eng, date(2026, 6, 1), C)
    # 执9 and 执12 have no no_property tag, but nothing collected after ≥ 3 months; 执3 collected 5000
    assert [(r["case_id"], r["reason"]) for r in e["no_property"]] == [
        ("(2025)冀0123执9号", "立案 2025-03-01 已满3个月，执行到位金额为0"),
        ("(2025)冀0123执12号", "立案 2025-06-01 已满3个月，执行到位金额为0")]


def test_admin_resolution_rate(eng):
    r = L.admin_resolution(eng, date(2026, 1, 1), date(2026, 3, 31), C)
    # Feb: 行初2 (撤诉 after correction) and 行初3 (判决) → 1/2; Mar: 行初4 撤诉 without correction → 0/1
    assert [(x["period"], x["closed"], x["withdrawn"], x["resolved"], x["resolution_rate"]) for x in r] == [
        ("2026-02", 2, 1, 1, 0.5), ("2026-03", 1, 1, 0, 0.0)]
    q = L.admin_resolution(eng, date(2026, 1, 1), date(2026, 3, 31), C, by="quarter")
    assert [(x["period"], x["resolved"], x["closed"]) for x in q] == [("2026Q1", 1, 3)]


def test_petition_register(sql_url):
    Session = session_factory(sql_url)
    with Session() as s, s.begin():
        a = L.add_petition(s, court_code=C, petitioner="王某", received_on=date(2025, 1, 8), owner="刘副院长",
                           case_id="(2024)冀0123民初88号")
        L.add_petition(s, court_code=C, petitioner="李某", received_on=date(2026, 1, 8), owner="刘副院长")
        L.add_petition(s, court_code=C, petitioner="赵某", received_on=date(2026, 2, 8), owner="陈庭长")
        with pytest.raises(UserError, match="早于信访登记日期"):
            L.update_petition(s, a.id, "已化解", date(2024, 1, 1))
        with pytest.raises(UserError, match="状态“结了”无效"):
            L.update_petition(s, a.id, "结了", date(2026, 1, 1))
    with Session() as s:
        st = L.petition_stats(s, C, date(2026, 3, 1))
        assert (st["open"], st["open_over_1y"], st["by_owner"]) == (3, 1, {"刘副院长": 2, "陈庭长": 1})
    with Session() as s, s.begin():
        L.update_petition(s, a.id, "息访", date(2026, 2, 1))
    with Session() as s:
        st = L.petition_stats(s, C, date(2026, 3, 1))
        assert (st["open"], st["resolved"], st["resolution_rate"], st["open_over_1y"]) == (2, 1, 1 / 3, 0)


@pytest.mark.spark
def test_spark_matches_duckdb(eng):
    """The engine-side service queries give the same answers on Spark as on DuckDB."""
    from zhixiao.services.routing import pending_loads, roster

    spark = connect(eng.store.root, backend="spark")
    w = {"default": 1.0, "procedure": {"civil_small_claims": 0.5}, "type_code": {"执": 0.6}}
    for e in (eng, spark):
        assert sorted(r["case_id"] for r in L.received_cases(e, date(2026, 2, 1), date(2026, 3, 31), C)) == [
            "(2025)冀0123执12号", "(2025)冀0123执9号", "(2026)冀0123执3号", "(2026)冀0123民初1号", "(2026)冀0123民初5号",
            "(2026)冀0123行初2号", "(2026)冀0123行初3号", "(2026)冀0123行初4号"]
        assert [(r["period"], r["resolved"], r["closed"]) for r in L.admin_resolution(
            e, date(2026, 1, 1), date(2026, 3, 31), C, by="quarter")] == [("2026Q1", 1, 3)]
        # pending on 3-31: 民初5 (小额 0.5), 执9, 执3 and 执12 (0.6 each); no judge_id → one None bucket
        n, wt = pending_loads(e, C, date(2026, 3, 31), w)[None]
        assert (n, round(wt, 2)) == (4, 2.3)
        assert roster(e, C, date(2026, 3, 31)) == []
